"""``.crypto``'s 64-bit-word digests (sha2_512, sha3_256/512, keccak256/512, blake2b) through the
public API, on every Lua, against Python's hashlib and pycryptodome.

Live's padding is not the standard's at a few lengths (tests/live_module/test_crypto_digest64.py
pins them against the binary), and ours follows live's.  Here those inputs are checked against
small Python models of live's block handling (``*_live`` below: the public algorithms with live's
padding, their constants derived from the specifications), which are themselves checked to equal
hashlib / pycryptodome at every other length:
  * sha2_512: 0x80, then 128 - (len + 9) % 128 zero bytes and an 8-byte length: at 112-118 bytes
    (modulo 128) no extra block where the standard's 16-byte length needs one;
  * sha3/keccak: domain byte, then rate - (len + 1) % rate bytes ending in 0x80: one byte short of
    a block, a whole extra block where the standard has the single byte 0x86 (or 0x81);
  * blake2b: every whole 128-byte block is compressed as not the last, so a non-empty multiple of
    128 bytes, or a key and no data, ends with an extra empty final block.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Callable
from math import isqrt

import pytest
from Crypto.Hash import keccak as pykeccak
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.harness.crypto_helpers import (
    LUA_HEX,
    LUA_TYPED,
    M64,
    QUARTER_ROUNDS,
    VERSION_PARAMS,
    Luas,
    lua_string,
    message,
    number_type,
    rotl64,
    rotr64,
)

# --- SHA-512 (FIPS 180-4) with live's padding -------------------------------------------------


def _primes(count: int) -> list[int]:
    found: list[int] = []
    k = 2
    while len(found) < count:
        if all(k % p for p in found):
            found.append(k)
        k += 1
    return found


def _icbrt(n: int) -> int:
    """The integer cube root of n (floor)."""
    x = 1 << ((n.bit_length() + 2) // 3 + 1)
    while True:
        y = (2 * x + n // (x * x)) // 3
        if y >= x:
            break
        x = y
    while x**3 > n:
        x -= 1
    while (x + 1) ** 3 <= n:
        x += 1
    return x


#: the fractional parts of the cube roots of the first 80 primes, of the square roots of the first 8
SHA512_K = [_icbrt(p << 192) & M64 for p in _primes(80)]
SHA512_IV = [isqrt(p << 128) & M64 for p in _primes(8)]


def sha512_live(data: bytes) -> bytes:
    n = len(data)
    padded = data + b"\x80" + bytes(128 - (n + 9) % 128) + (8 * n).to_bytes(8, "big")
    h = list(SHA512_IV)
    for off in range(0, len(padded), 128):
        w = list(struct.unpack(">16Q", padded[off : off + 128]))
        for t in range(16, 80):
            s0 = rotr64(w[t - 15], 1) ^ rotr64(w[t - 15], 8) ^ (w[t - 15] >> 7)
            s1 = rotr64(w[t - 2], 19) ^ rotr64(w[t - 2], 61) ^ (w[t - 2] >> 6)
            w.append((w[t - 16] + s0 + w[t - 7] + s1) & M64)
        a, b, c, d, e, f, g, hh = h
        for t in range(80):
            big1 = rotr64(e, 14) ^ rotr64(e, 18) ^ rotr64(e, 41)
            t1 = (hh + big1 + ((e & f) ^ (~e & g)) + SHA512_K[t] + w[t]) & M64
            t2 = (rotr64(a, 28) ^ rotr64(a, 34) ^ rotr64(a, 39)) + ((a & b) ^ (a & c) ^ (b & c))
            hh, g, f, e, d, c, b, a = g, f, e, (d + t1) & M64, c, b, a, (t1 + t2) & M64
        h = [(x + y) & M64 for x, y in zip(h, (a, b, c, d, e, f, g, hh), strict=True)]
    return b"".join(x.to_bytes(8, "big") for x in h)


def sha512_deviates(data: bytes) -> bool:
    return 112 <= len(data) % 128 <= 118


# --- Keccak-f[1600] (FIPS 202) sponges with live's padding -----------------------------------


def _keccak_round_constants() -> list[int]:
    out, lfsr = [], 1
    for _ in range(24):
        value = 0
        for j in range(7):
            if lfsr & 1:
                value |= 1 << ((1 << j) - 1)
            lfsr <<= 1
            if lfsr & 0x100:
                lfsr ^= 0x171
        out.append(value)
    return out


def _keccak_rotations() -> dict[tuple[int, int], int]:
    out, x, y = {(0, 0): 0}, 1, 0
    for t in range(24):
        out[x, y] = ((t + 1) * (t + 2) // 2) % 64
        x, y = y, (2 * x + 3 * y) % 5
    return out


KECCAK_RC = _keccak_round_constants()
KECCAK_ROT = _keccak_rotations()


def _keccak_f(a: list[int]) -> list[int]:
    """The permutation on lanes a[x + 5y]."""
    for rc in KECCAK_RC:
        c = [a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20] for x in range(5)]
        d = [c[(x - 1) % 5] ^ rotl64(c[(x + 1) % 5], 1) for x in range(5)]
        a = [a[i] ^ d[i % 5] for i in range(25)]
        b = [0] * 25
        for x in range(5):
            for y in range(5):
                b[y + 5 * ((2 * x + 3 * y) % 5)] = rotl64(a[x + 5 * y], KECCAK_ROT[x, y])
        a = [b[i] ^ (~b[(i + 1) % 5 + i - i % 5] & b[(i + 2) % 5 + i - i % 5]) for i in range(25)]
        a[0] ^= rc
    return a


def sponge_live(data: bytes, rate: int, size: int, domain: int) -> bytes:
    padded = data + bytes([domain]) + bytes(rate - (len(data) + 1) % rate - 1) + b"\x80"
    state = [0] * 25
    for off in range(0, len(padded), rate):
        for i in range(rate // 8):
            state[i] ^= int.from_bytes(padded[off + 8 * i : off + 8 * i + 8], "little")
        state = _keccak_f(state)
    return b"".join(v.to_bytes(8, "little") for v in state)[:size]


def _keccak(bits: int) -> Callable[[bytes], bytes]:
    return lambda data: pykeccak.new(digest_bits=bits, data=data).digest()


#: name -> (rate in bytes, digest bytes, domain byte, the standard)
SPONGES: dict[str, tuple[int, int, int, Callable[[bytes], bytes]]] = {
    "sha3_256": (136, 32, 0x06, lambda data: hashlib.sha3_256(data).digest()),
    "sha3_512": (72, 64, 0x06, lambda data: hashlib.sha3_512(data).digest()),
    "keccak256": (136, 32, 0x01, _keccak(256)),
    "keccak512": (72, 64, 0x01, _keccak(512)),
}


# --- BLAKE2b (RFC 7693) with live's block handling -------------------------------------------

BLAKE2B_SIGMA = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
    [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
    [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4],
    [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
    [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13],
    [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
    [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11],
    [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
    [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5],
    [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0],
]


def _blake2b_compress(h: list[int], block: bytes, count: int, last: bool) -> list[int]:
    v = h + SHA512_IV
    v[12] ^= count & M64
    v[13] ^= count >> 64
    if last:
        v[14] ^= M64
    m = struct.unpack("<16Q", block)

    def g(a: int, b: int, c: int, d: int, x: int, y: int) -> None:
        v[a] = (v[a] + v[b] + x) & M64
        v[d] = rotr64(v[d] ^ v[a], 32)
        v[c] = (v[c] + v[d]) & M64
        v[b] = rotr64(v[b] ^ v[c], 24)
        v[a] = (v[a] + v[b] + y) & M64
        v[d] = rotr64(v[d] ^ v[a], 16)
        v[c] = (v[c] + v[d]) & M64
        v[b] = rotr64(v[b] ^ v[c], 63)

    for r in range(12):
        s = BLAKE2B_SIGMA[r % 10]
        for i, (a, b, c, d) in enumerate(QUARTER_ROUNDS):
            g(a, b, c, d, m[s[2 * i]], m[s[2 * i + 1]])
    return [h[i] ^ v[i] ^ v[i + 8] for i in range(8)]


def blake2b_live(data: bytes, outlen: int = 64, key: bytes = b"") -> bytes:
    h = list(SHA512_IV)
    h[0] ^= 0x01010000 ^ (len(key) << 8) ^ outlen
    count = 0
    if key:
        count = 128
        h = _blake2b_compress(h, key.ljust(128, b"\0"), count, False)
    whole = len(data) // 128
    for i in range(whole):
        count += 128
        h = _blake2b_compress(h, data[128 * i : 128 * i + 128], count, False)
    rest = data[128 * whole :]
    count += len(rest)
    h = _blake2b_compress(h, rest.ljust(128, b"\0"), count, True)
    return b"".join(x.to_bytes(8, "little") for x in h)[:outlen]


def blake2b_deviates(data: bytes, key: bytes = b"") -> bool:
    return (len(data) > 0 and len(data) % 128 == 0) or (len(key) > 0 and len(data) == 0)


# --- what live answers: the standard, or the model where live deviates -----------------------


def expected_sha512(data: bytes) -> bytes:
    return sha512_live(data) if sha512_deviates(data) else hashlib.sha512(data).digest()


def expected_sponge(name: str, data: bytes) -> bytes:
    rate, size, domain, standard = SPONGES[name]
    return sponge_live(data, rate, size, domain) if len(data) % rate == rate - 1 else standard(data)


def expected_blake2b(data: bytes, outlen: int = 64, key: bytes = b"") -> bytes:
    if blake2b_deviates(data, key):
        return blake2b_live(data, outlen, key)
    return hashlib.blake2b(data, digest_size=outlen, key=key).digest()


# --- the models are the standard wherever live is ---------------------------------------------

MODEL_LENGTHS = [*range(0, 300), 383, 384, 385, 407, 408, 409, 511, 512, 513, 1000]


def test_sha512_model_is_the_standard_but_at_live_lengths() -> None:
    for n in MODEL_LENGTHS:
        data = message(n, 37)
        assert (sha512_live(data) == hashlib.sha512(data).digest()) != sha512_deviates(data), n


@pytest.mark.parametrize("name", list(SPONGES))
def test_sponge_model_is_the_standard_but_at_live_lengths(name: str) -> None:
    rate, size, domain, standard = SPONGES[name]
    for n in MODEL_LENGTHS:
        data = message(n, 37)
        assert (sponge_live(data, rate, size, domain) == standard(data)) != (n % rate == rate - 1), n


def test_blake2b_model_is_the_standard_but_at_live_lengths() -> None:
    for n in MODEL_LENGTHS:
        data = message(n, 37)
        for outlen, key in ((64, b""), (20, b"k"), (64, bytes(range(64))), (1, b"key")):
            standard = hashlib.blake2b(data, digest_size=outlen, key=key).digest()
            deviates = blake2b_deviates(data, key)
            assert (blake2b_live(data, outlen, key) == standard) != deviates, (n, outlen, key)


# --- the harness, through its public API ------------------------------------------------------

#: a process per Lua, without an instruction budget: bit32 is Lua code on most harness Luas, and
#: these batches run past one message's budget
LUA = Luas("local d = require('.crypto').digest " + LUA_HEX + LUA_TYPED, budget=False)


def blake2b_case(data: bytes, args: tuple[int, bytes] | None = None) -> tuple[str, bytes]:
    """(blake2b's call on *data*, what live answers): with its defaults, or with (outlen, key)."""
    if args is None:
        return f"d.blake2b({lua_string(data)})", expected_blake2b(data)
    outlen, key = args
    return f"d.blake2b({lua_string(data)}, {outlen}, {lua_string(key)})", expected_blake2b(data, outlen, key)


def digest_calls(data: bytes, *blake2b: tuple[int, bytes] | None) -> list[tuple[str, bytes]]:
    """(call, what live answers) for sha2_512, each sponge and blake2b on *data*: blake2b once for
    each of *blake2b* (``blake2b_case``'s args), or with its defaults."""
    literal = lua_string(data)
    out = [(f"d.sha2_512({literal})", expected_sha512(data))]
    out += [(f"d.{name}({literal})", expected_sponge(name, data)) for name in SPONGES]
    return out + [blake2b_case(data, args) for args in blake2b or [None]]


def check_hexes(version: str, cases: list[tuple[str, bytes]]) -> None:
    """The asHex of each call, in one Eval, against what live answers."""
    assert LUA.hexes(version, [call for call, _ in cases]) == [want.hex() for _, want in cases]


#: around every block size: sha2_512 128 (and live's 112-118), sha3 136 and 72, blake2b 128
BOUNDARIES = [0, 1, 3, 55, 56, 63, 64, 65, 70, 71, 72, 73, 111, 112, 113, 118, 119, 120, 127, 128, 129]
BOUNDARIES += [134, 135, 136, 137, 143, 144, 200, 256, 271, 272]


@pytest.mark.parametrize("version", VERSION_PARAMS)
def test_every_function_at_the_block_boundaries(version: str) -> None:
    check_hexes(version, [case for n in BOUNDARIES for case in digest_calls(message(n), None, (32, b"key"))])


@pytest.mark.parametrize("version", VERSION_PARAMS)
@given(batch=st.lists(st.binary(max_size=300), min_size=1, max_size=3))
@settings(max_examples=8, deadline=None)
def test_random_inputs(version: str, batch: list[bytes]) -> None:
    check_hexes(version, [case for data in batch for case in digest_calls(data)])


@pytest.mark.parametrize("version", VERSION_PARAMS)
@given(
    batch=st.lists(
        st.tuples(st.binary(max_size=260), st.integers(1, 64), st.binary(max_size=64)), min_size=1, max_size=4
    )
)
@settings(max_examples=10, deadline=None)
def test_blake2b_lengths_and_keys(version: str, batch: list[tuple[bytes, int, bytes]]) -> None:
    check_hexes(version, [blake2b_case(data, (outlen, key)) for data, outlen, key in batch])


@pytest.mark.parametrize("version", VERSION_PARAMS)
def test_as_string_is_the_digest(version: str) -> None:
    cases = digest_calls(bytes(range(256)) * 2, (40, b"k"))
    found = LUA.values(version, [f"hex(({call}).asString())" for call, _ in cases])
    assert found == [want.hex() for _, want in cases]


@pytest.mark.parametrize("version", VERSION_PARAMS)
@pytest.mark.parametrize("n", [3, 112, 300])
def test_sha512_as_bytes_are_signed_words(version: str, n: int) -> None:
    data = bytes((i * 7) % 256 for i in range(n))
    found = LUA.run(
        version, f"local t = d.sha2_512({lua_string(data)}).asBytes() return #t .. ' ' .. typed(t)"
    )
    count, words = found.split(" ")
    signed = struct.unpack(">8q", expected_sha512(data))
    assert count == "8"
    kind = number_type(version)
    if kind == "integer":
        assert words.split(",") == [f"integer:{w}" for w in signed]
    else:  # no integers: the nearest doubles
        assert [w.split(":")[0] for w in words.split(",")] == ["number"] * 8
        assert [float(w.split(":")[1]) for w in words.split(",")] == [float(w) for w in signed]


@pytest.mark.parametrize("version", VERSION_PARAMS)
def test_blake2b_as_bytes_are_characters(version: str) -> None:
    code = (
        "local t = d.blake2b('abc', 7).asBytes() local out = {} "
        "for i = 1, #t do out[i] = type(t[i]) .. #t[i] .. ':' .. t[i]:byte() end return table.concat(out, ' ')"
    )
    want = [f"string1:{b}" for b in hashlib.blake2b(b"abc", digest_size=7).digest()]
    assert LUA.run(version, code).split(" ") == want


@pytest.mark.parametrize("version", VERSION_PARAMS)
def test_blake2b_illegal_parameters(version: str) -> None:
    code = (
        "local out = {} "
        "for _, args in ipairs({{'x', 0}, {'x', 65}, {'x', -3}, {'x', 64, string.rep('k', 65)}}) do "
        "local r, why = d.blake2b(args[1], args[2], args[3]) out[#out + 1] = tostring(r) .. '/' .. tostring(why) end "
        "return table.concat(out, ' ')"
    )
    assert LUA.run(version, code) == " ".join(["nil/illegal parameters"] * 4)


@pytest.mark.parametrize("version", VERSION_PARAMS)
def test_sha3_objects_have_no_as_bytes(version: str) -> None:
    code = (
        "local out = {} "
        "for _, name in ipairs({'sha3_256', 'sha3_512', 'keccak256', 'keccak512'}) do "
        "local o = d[name]('x') out[#out + 1] = tostring(o.asBytes) .. type(o.asHex) .. type(o.asString) end "
        "return table.concat(out, ' ')"
    )
    assert LUA.run(version, code) == " ".join(["nilfunctionfunction"] * 4)
