"""``.crypto``'s AES through the public API, on every Lua, without node, against pycryptodome's
``Crypto.Cipher.AES``: ``crypto.cipher.aes.encrypt/decrypt`` in each mode and key length, the
block ciphers ``.crypto.cipher.aes128/192/256``, and the mode objects by hand.

``cipher.aes`` is not the standard in how it frames the text, so the expectation is a small
Python model of live's framing around pycryptodome's modes (tests/live_module/test_crypto_aes.py
pins the same framing against the binary):
  * the IV and the text are one stream whose first 16 bytes are the IV (a short IV borrows from
    the text, a long one spills into it); ECB has no IV, so it enciphers those 16 bytes too;
  * zero padding: after n bytes, ``16 - ((n - 1) % 16) + 1`` zeros (to the end of the block, and
    two more that stay behind), so a stream that ends a block gets no extra block; decrypt pads
    the cipher text the same way and keeps the zeros;
  * CTR counts in the last 8 bytes of the counter block, wrapping at 2^64;
  * a mode or key length it does not know is CBC or AES-128; the key's first 16/24/32 bytes.
"""

from __future__ import annotations

import pytest
from Crypto.Cipher import AES
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.harness.crypto_helpers import (
    LENGTHS,
    VERSION_PARAMS,
    Luas,
    lua_bytes,
    lua_string,
    message,
    number_type,
)

MODES = ["CBC", "ECB", "CFB", "OFB", "CTR"]
KEY_BYTES = {128: 16, 192: 24, 256: 32}


# --- the model: live's framing around pycryptodome ---------------------------------------------


def framed(iv: bytes | None, text: bytes) -> bytes:
    """The blocks a mode object works on: iv .. text with live's zero padding, in whole blocks."""
    stream = (bytes(16) if iv is None else iv) + text
    count = 16 - ((len(stream) - 1) % 16) + 1  # (Python's % floors, as Lua's does)
    padded = stream + bytes(count)
    return padded[: len(padded) // 16 * 16]


def ctr_keystream(key: bytes, counter: bytes, blocks: int) -> bytes:
    """CTR's key stream by hand: the last 8 bytes count, modulo 2^64."""
    ecb = AES.new(key, AES.MODE_ECB)
    high, low = counter[:8], int.from_bytes(counter[8:], "big")
    return b"".join(ecb.encrypt(high + ((low + i) % 2**64).to_bytes(8, "big")) for i in range(blocks))


def model(encrypt: bool, text: bytes, key: bytes, iv: bytes | None, mode: object, bits: object) -> bytes:
    """What live's ``aes.encrypt`` (or ``decrypt``, given the cipher text's bytes) gives."""
    size = KEY_BYTES.get(bits, 16) if isinstance(bits, int) else 16
    k = key[:size]
    assert len(k) == size, "a key too short fails in live's key schedule"
    blocks = framed(iv, text)
    if mode == "ECB":
        ecb = AES.new(k, AES.MODE_ECB)
        return ecb.encrypt(blocks) if encrypt else ecb.decrypt(blocks)
    first, body = blocks[:16], blocks[16:]
    if not body:
        return b""
    if mode == "CFB":
        cfb = AES.new(k, AES.MODE_CFB, iv=first, segment_size=128)
        return cfb.encrypt(body) if encrypt else cfb.decrypt(body)
    if mode == "OFB":
        return AES.new(k, AES.MODE_OFB, iv=first).encrypt(body)
    if mode == "CTR":
        if int.from_bytes(first[8:], "big") + len(body) // 16 > 2**64:
            stream = ctr_keystream(k, first, len(body) // 16)
            return bytes(a ^ b for a, b in zip(body, stream, strict=True))
        return AES.new(k, AES.MODE_CTR, nonce=first[:8], initial_value=first[8:]).encrypt(body)
    cbc = AES.new(k, AES.MODE_CBC, iv=first)  # CBC, and any mode live does not know
    return cbc.encrypt(body) if encrypt else cbc.decrypt(body)


def test_model_ctr_by_hand_is_pycryptodome() -> None:
    key, counter = bytes(range(16)), bytes(range(100, 116))
    want = AES.new(key, AES.MODE_CTR, nonce=counter[:8], initial_value=counter[8:]).encrypt(bytes(80))
    assert ctr_keystream(key, counter, 5) == want


def test_model_framing() -> None:
    assert framed(None, b"") == bytes(16)
    assert framed(None, b"x" * 16) == bytes(16) + b"x" * 16
    assert framed(None, b"x") == bytes(16) + b"x" + bytes(15)
    assert framed(b"abc", b"") == b"abc" + bytes(13)
    assert framed(b"abc", b"x" * 13) == b"abc" + b"x" * 13


# --- the harness, through its public API ------------------------------------------------------


def lua_value(value: object) -> str:
    if value is None:
        return "nil"
    if isinstance(value, bytes):
        return lua_string(value)
    if isinstance(value, str):
        return repr(value)
    return str(value)


PRELUDE = (
    "local c = require('.crypto') local aes, A, S = c.cipher.aes, c.utils.array, c.utils.stream "
    "local AES128, AES192, AES256 = require('.crypto.cipher.aes128'), require('.crypto.cipher.aes192'),"
    " require('.crypto.cipher.aes256') "
    "local zero = require('.crypto.padding.zero') "
)
#: a process per Lua, without an instruction budget: these batches run past one message's
#: (test_fits_in_the_default_budget measures a message's worth)
LUA = Luas(PRELUDE, budget=False)


def aes_call(op: str, *args: object) -> str:
    """``aes.encrypt``/``aes.decrypt``'s call on *args* (Python values as Lua's), as hex."""
    return f"aes.{op}({', '.join(lua_value(v) for v in args)}).asHex()"


def encrypting(text: bytes, key: bytes, iv: bytes | None, mode: object, bits: object) -> tuple[str, str]:
    """``aes.encrypt``'s call on *text* and what live answers (upper-case hex)."""
    return aes_call("encrypt", text, key, iv, mode, bits), model(
        True, text, key, iv, mode, bits
    ).hex().upper()


def decrypting(cipher: bytes, key: bytes, iv: bytes | None, mode: object, bits: object) -> tuple[str, str]:
    """``aes.decrypt``'s call on *cipher* (given as hex) and what live answers."""
    call = aes_call("decrypt", cipher.hex(), key, iv, mode, bits)
    return call, model(False, cipher, key, iv, mode, bits).hex().upper()


def round_trip(
    text: bytes, key: bytes, iv: bytes | None, mode: object, bits: object
) -> list[tuple[str, str]]:
    """Encrypting *text*, then decrypting what live's encrypt gives."""
    cipher = model(True, text, key, iv, mode, bits)
    return [encrypting(text, key, iv, mode, bits), decrypting(cipher, key, iv, mode, bits)]


def block_call(bits: int, op: str, key: bytes, block: bytes) -> str:
    """The block cipher AES-*bits* enciphering or deciphering (*op*) *block*, as hex."""
    return f"A.toHex(AES{bits}.{op}({lua_bytes(key)}, {lua_bytes(block)}))"


def check(version: str, cases: list[tuple[str, str]]) -> None:
    """Each call's value, in one Eval, against what live answers."""
    assert LUA.values(version, [call for call, _ in cases]) == [want for _, want in cases]


@pytest.mark.parametrize("version", VERSION_PARAMS)
@pytest.mark.parametrize("mode", MODES)
def test_every_length_round_trips(version: str, mode: str) -> None:
    key, iv = bytes(range(200, 232)), bytes(range(50, 66))
    cases = []
    for n in LENGTHS:
        for bits in (None, 128, 192, 256) if n in (0, 17, 200) else (None,):
            cases += round_trip(message(n), key, iv, mode, bits)
    check(version, cases)


@pytest.mark.parametrize("version", VERSION_PARAMS)
def test_every_byte_value_and_the_defaults(version: str) -> None:
    data, key = bytes(range(256)), bytes(range(255, 223, -1))
    cases = [encrypting(data, key, data[:16], mode, 256) for mode in MODES]
    # no IV, no mode, no key length: 16 zero bytes, CBC, AES-128
    want = model(True, data, key, None, "CBC", 128).hex().upper()
    check(version, [*cases, (aes_call("encrypt", data, key), want)])


@pytest.mark.parametrize("version", VERSION_PARAMS)
def test_what_live_does_not_know_is_cbc_and_aes128(version: str) -> None:
    data, key, iv = message(40), bytes(range(32)), bytes(16)
    unknown = (("ecb", 256), ("GCM", 192), (7, None), ("CTR", 512), ("OFB", "256"), (None, 100))
    cases = [encrypting(data, key, iv, mode, bits) for mode, bits in unknown]
    check(version, cases)
    assert cases[0][1] == model(True, data, key, iv, "CBC", 256).hex().upper()


@pytest.mark.parametrize("version", VERSION_PARAMS)
def test_iv_is_the_first_block_of_the_stream(version: str) -> None:
    key, text = bytes(range(16)), message(45)
    ivs = (b"", b"abc", bytes(range(15)), bytes(range(20)), bytes(range(40)))
    check(version, [encrypting(text, key, iv, mode, None) for iv in ivs for mode in MODES])


@pytest.mark.parametrize("version", VERSION_PARAMS)
def test_ctr_counter_carries_and_wraps(version: str) -> None:
    key, text = bytes(range(16)), bytes(80)
    counters = (
        b"ABCDEFGHIJKLM\0\0\xfe",
        b"ABCDEFGH\0" + b"\xff" * 6 + b"\xfe",
        b"ABCDEFGH" + b"\xff" * 7 + b"\xfe",
        b"\xff" * 16,
    )
    check(version, [encrypting(text, key, counter, "CTR", None) for counter in counters])


@pytest.mark.parametrize("version", VERSION_PARAMS)
def test_decrypt_pads_the_cipher_text_and_stops_at_bad_hex(version: str) -> None:
    key, iv = bytes(range(24)), bytes(range(16, 32))
    cases = [
        decrypting(message(n), key, iv, mode, 192) for n in (0, 1, 15, 16, 17, 33, 100) for mode in MODES
    ]
    good = message(40)
    bad_hex = good.hex()[:50] + "zz" + good.hex()[52:]
    cases.append(
        (aes_call("decrypt", bad_hex, key, iv, "CBC", 192), decrypting(good[:25], key, iv, "CBC", 192)[1])
    )
    check(version, cases)


@pytest.mark.parametrize("version", VERSION_PARAMS)
@given(
    batch=st.lists(
        st.tuples(
            st.binary(max_size=200),
            st.binary(min_size=32, max_size=40),
            st.none() | st.binary(max_size=40),
            st.sampled_from([*MODES, None, "cbc", "XTS"]),
            st.sampled_from([None, 128, 192, 256, 64, "192"]),
        ),
        min_size=1,
        max_size=4,
    )
)
@settings(max_examples=6, deadline=None)
def test_random_round_trips(
    version: str, batch: list[tuple[bytes, bytes, bytes | None, str | None, int | str | None]]
) -> None:
    cases = []
    for text, key, iv, mode, bits in batch:
        cases += round_trip(text, key, iv, mode, bits)
        cases.append(decrypting(text, key, iv, mode, bits))  # and decrypt of text no encrypt made
    check(version, cases)


@pytest.mark.parametrize("version", VERSION_PARAMS)
def test_results_drain(version: str) -> None:
    key = bytes(range(16))
    want = model(True, b"attack at dawn", key, None, "CBC", None)
    out = LUA.values(
        version,
        [
            f"(function() local r = aes.encrypt('attack at dawn', {lua_string(key)})"
            " return r.asHex() .. '/' .. r.asHex() .. '/' .. r.asString() end)()",
            f"(function() local r = aes.encrypt('attack at dawn', {lua_string(key)}) local t = r.asBytes()"
            " return #t .. ':' .. A.toHex(t) .. ':' .. #r.asBytes() end)()",
            f"aes.decrypt('{want.hex()}', {lua_string(key)}).asString()",
        ],
    )
    assert out == [f"{want.hex().upper()}//", f"16:{want.hex().upper()}:0", "attack at dawn\0\0"]


@pytest.mark.parametrize("version", VERSION_PARAMS)
def test_short_keys_fail_in_the_key_schedule(version: str) -> None:
    calls = []
    for bits, n in ((128, 0), (128, 13), (128, 14), (128, 15), (192, 21), (192, 22), (256, 29), (256, 31)):
        calls.append(
            f"select(2, pcall(aes.encrypt, 'hello', {lua_string(bytes(n))}, nil, 'CBC', {bits})):gsub('^.-:%d+: ', '')"
        )
    calls.append("aes.encrypt('', 'short').asHex()")  # no block to encipher: no error
    arg1, arg2 = (f"bad argument #{i} to 'XOR' (number expected, got nil)" for i in (1, 2))
    assert LUA.values(version, calls) == [arg1, arg1, arg2, arg2, arg1, arg2, arg1, arg2, ""]


# --- the block ciphers and the mode objects -----------------------------------------------------


@pytest.mark.parametrize("version", VERSION_PARAMS)
@given(
    batch=st.lists(
        st.tuples(
            st.sampled_from([128, 192, 256]),
            st.binary(min_size=32, max_size=32),
            st.binary(min_size=16, max_size=16),
        ),
        min_size=1,
        max_size=8,
    )
)
@settings(max_examples=5, deadline=None)
def test_block_ciphers_are_aes(version: str, batch: list[tuple[int, bytes, bytes]]) -> None:
    cases = []
    for bits, key, block in batch:
        k = key[: bits // 8]
        ecb = AES.new(k, AES.MODE_ECB)
        cases.append((block_call(bits, "encrypt", k, block), ecb.encrypt(block).hex().upper()))
        cases.append((block_call(bits, "decrypt", k, block), ecb.decrypt(block).hex().upper()))
    check(version, cases)


@pytest.mark.parametrize("version", VERSION_PARAMS)
def test_fips197_appendix_c(version: str) -> None:
    plain = bytes.fromhex("00112233445566778899aabbccddeeff")
    want = {
        128: "69c4e0d86a7b0430d8cdb78070b4c55a",
        192: "dda97ca4864cdfe06eaf70a0ec0d7191",
        256: "8ea2b7ca516745bfeafc49904b496089",
    }
    cases = []
    for bits, cipher in want.items():
        key = bytes(range(bits // 8))
        assert AES.new(key, AES.MODE_ECB).encrypt(plain).hex() == cipher
        cases.append((block_call(bits, "encrypt", key, plain), cipher.upper()))
        cases.append((block_call(bits, "decrypt", key, bytes.fromhex(cipher)), plain.hex().upper()))
    check(version, cases)


@pytest.mark.parametrize("version", VERSION_PARAMS)
def test_block_results_are_fresh_integer_arrays(version: str) -> None:
    out = LUA.values(
        version,
        [
            "(function() local k, b = {}, {} for i = 1, 16 do k[i], b[i] = i, i end local e = AES128.encrypt(k, b)"
            " local n = 0 for _ in pairs(e) do n = n + 1 end return n .. ':' .. tostring(e ~= b) .. ':'"
            " .. (math.type and math.type(e[1]) or 'number') .. ':' .. A.toHex(b) end)()",
            "(function() local k = {} for i = 1, 16 do k[i] = i end local b = {} for i = 1, 16 do b[i] = 0 end"
            " local a = A.toHex(AES128.encrypt(k, b)) k[1] = 200 local x = A.toHex(AES128.encrypt(k, b)) k[1] = 1"
            " return tostring(a ~= x) .. ':' .. tostring(a == A.toHex(AES128.encrypt(k, b))) end)()",
        ],
    )
    assert out == [f"16:true:{number_type(version)}:" + bytes(range(1, 17)).hex().upper(), "true:true"]


@pytest.mark.parametrize("version", VERSION_PARAMS)
@pytest.mark.parametrize("mode", MODES)
def test_mode_objects_by_hand_in_pieces(version: str, mode: str) -> None:
    key, iv, text = bytes(range(32)), bytes(range(16)), message(70)
    cipher = model(True, text, key, iv, mode, 256)

    def by_hand(kind: str, streams: list[str]) -> str:
        feed = " ".join(f"o.update({stream})" for stream in streams)
        return (
            f"(function() local o = require('.crypto.cipher.mode.{mode.lower()}').{kind}().setKey({lua_bytes(key)})"
            f".setBlockCipher(AES256).setPadding(zero).init() {feed} return o.finish().asHex() end)()"
        )

    pieces = [f"S.fromString({lua_string(p)})" for p in (iv[:5], iv[5:] + text[:9], text[9:40], text[40:])]
    check(
        version,
        [
            (by_hand("Cipher", pieces), cipher.hex().upper()),
            (
                by_hand("Decipher", [f"S.fromString({lua_string(iv)})", f"S.fromHex('{cipher.hex()}')"]),
                model(False, cipher, key, iv, mode, 256).hex().upper(),
            ),
        ],
    )


@pytest.mark.parametrize("version", VERSION_PARAMS)
def test_zero_padding_counts(version: str) -> None:
    code = (
        "(function() local o = {} for _, size in ipairs({16, 4}) do for n = -2, 40 do local s, k = zero(size, n), 0"
        " while s() ~= nil do k = k + 1 end o[#o + 1] = k end end return table.concat(o, ',') end)()"
    )
    want = [size - ((n - 1) % size) + 1 for size in (16, 4) for n in range(-2, 41)]
    assert LUA.values(version, [code]) == [",".join(str(k) for k in want)]


# --- one message's worth ----------------------------------------------------------------------------


@pytest.mark.parametrize("version", VERSION_PARAMS)
def test_fits_in_the_default_budget(version: str) -> None:
    """Each of these runs in one Eval under the default instruction budget (20,000,000) on every
    Lua, the tables built on first use included: 32,768 bytes of AES-128-CBC, and 24,576 of
    AES-256-CTR decryption (about half of what fits: some 70,000 and 56,000 bytes a message)."""
    key = bytes(range(32))
    plain, cipher = b"x" * 32768, message(24576)
    encrypt = f"aes.encrypt(string.rep('x', {len(plain)}), {lua_string(key)}, nil, 'CBC', 128).asHex()"
    runs = dict(
        [(encrypt, encrypting(plain, key, None, "CBC", 128)[1]), decrypting(cipher, key, None, "CTR", 256)]
    )
    LUA.fits_one_message(version, runs)
