"""``.crypto``'s 32-bit-word digests (md2, md4, md5, sha1, sha2_256), HMAC and PBKDF2 through the
public API, on every Lua, against Python's hashlib / hmac and pycryptodome (MD2, MD4).

Where live is not the standard, the expectation is a small Python model of live's behaviour,
itself checked against the standard where the two agree (tests/live_module/test_crypto_digest32.py
pins the same behaviour against the binary):
  * ``crypto.mac.createHmac`` (hmac) pads its key to a 32-byte block, not the hash's 64 (a key
    longer than 32 bytes is hashed first): ``hmac_model(..., block=32)``; the model with a
    64-byte block is RFC 2104's, and so is the HMAC object set to 64;
  * a SHA hasher goes on after finish: its state is that of the padded message, and the length
    that the next finish appends counts the padding too, so ``update(more).finish()`` after a
    finish hashes ``data + padding(data) + more``.
"""

from __future__ import annotations

import hashlib
import hmac as pyhmac
from collections.abc import Callable

import pytest
from Crypto.Hash import MD2, MD4
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.harness.crypto_helpers import (
    LENGTHS,
    LUA_HEX,
    LUA_TYPED,
    VERSION_PARAMS,
    Luas,
    lua_bytes,
    lua_string,
    message,
    number_type,
)

#: digest name in ``crypto.digest`` -> the reference
DIGESTS: dict[str, Callable[[bytes], bytes]] = {
    "md2": lambda data: MD2.new(data).digest(),
    "md4": lambda data: MD4.new(data).digest(),
    "md5": lambda data: hashlib.md5(data).digest(),
    "sha1": lambda data: hashlib.sha1(data).digest(),
    "sha2_256": lambda data: hashlib.sha256(data).digest(),
}
#: hmac's algorithm names
HASHES: dict[str, Callable[[bytes], bytes]] = {
    "sha1": lambda data: hashlib.sha1(data).digest(),
    "sha256": lambda data: hashlib.sha256(data).digest(),
}


def hmac_model(data: bytes, key: bytes, algorithm: str, block: int) -> bytes:
    """HMAC over a key block of *block* bytes (RFC 2104 with block = the hash's 64)."""
    h = HASHES[algorithm]
    if len(key) > block:
        key = h(key)
    key = key.ljust(block, b"\0")
    inner = h(bytes(k ^ 0x36 for k in key) + data)
    return h(bytes(k ^ 0x5C for k in key) + inner)


def md_padded(data: bytes) -> bytes:
    """*data* with SHA-1/SHA-256's padding: 0x80, zeros to 56 mod 64, the 64-bit bit length."""
    return data + b"\x80" + bytes((55 - len(data)) % 64) + (8 * len(data)).to_bytes(8, "big")


# --- the models are the standard where live is ------------------------------------------------


@given(
    data=st.binary(max_size=200), key=st.binary(max_size=150), algorithm=st.sampled_from(["sha1", "sha256"])
)
@settings(max_examples=200, deadline=None)
def test_hmac_model_with_a_64_byte_block_is_rfc2104(data: bytes, key: bytes, algorithm: str) -> None:
    assert hmac_model(data, key, algorithm, 64) == pyhmac.new(key, data, algorithm).digest()


def test_padded_is_whole_blocks_ending_in_the_length() -> None:
    for n in range(300):
        data = bytes(i % 256 for i in range(n))
        padded = md_padded(data)
        assert len(padded) % 64 == 0 and padded.endswith((8 * n).to_bytes(8, "big")), n
        assert 9 <= len(padded) - n <= 72


# --- the harness, through its public API ------------------------------------------------------

PRELUDE = (
    "local c = require('.crypto') local d, S, A = c.digest, c.utils.stream, c.utils.array "
    "local SHA1 = require('.crypto.digest.sha1').SHA1 local SHA256 = require('.crypto.digest.sha2_256').SHA2_256 "
    "local HMAC = require('.crypto.mac.hmac').HMAC local PBKDF2 = require('.crypto.kdf.pbkdf2').PBKDF2 "
    + LUA_HEX
    + LUA_TYPED
)
#: a process per Lua, without an instruction budget (test_fits_in_the_default_budget measures a
#: message's worth)
LUA = Luas(PRELUDE, budget=False)


def check_digests(version: str, batch: list[bytes]) -> None:
    """Every digest of every message in *batch*, in one Eval, against the references."""
    calls = [f"d.{name}(S.fromString({lua_string(data)}))" for data in batch for name in DIGESTS]
    want = [reference(data).hex() for data in batch for reference in DIGESTS.values()]
    assert LUA.hexes(version, calls) == want


@pytest.mark.parametrize("version", VERSION_PARAMS)
def test_every_digest_at_the_block_boundaries(version: str) -> None:
    check_digests(version, [message(n) for n in LENGTHS])


@pytest.mark.parametrize("version", VERSION_PARAMS)
def test_every_byte_value(version: str) -> None:
    data = bytes(range(256))
    calls = [f"d.{name}(S.fromArray({lua_bytes(data)}))" for name in DIGESTS]
    assert LUA.hexes(version, calls) == [reference(data).hex() for reference in DIGESTS.values()]


@pytest.mark.parametrize("version", VERSION_PARAMS)
@given(batch=st.lists(st.binary(max_size=300), min_size=1, max_size=3))
@settings(max_examples=8, deadline=None)
def test_random_inputs(version: str, batch: list[bytes]) -> None:
    check_digests(version, batch)


@pytest.mark.parametrize("version", VERSION_PARAMS)
def test_as_bytes_and_as_string_are_the_digest(version: str) -> None:
    data = bytes(range(200))
    calls = [
        f"(function() local h = d.{name}(S.fromString({lua_string(data)}))"
        " return hex(h.asString()) .. ' ' .. typed(h.asBytes()) end)()"
        for name in DIGESTS
    ]
    kind = number_type(version)
    want = [f"{r(data).hex()} " + ",".join(f"{kind}:{b}" for b in r(data)) for r in DIGESTS.values()]
    assert LUA.values(version, calls) == want


# --- streaming SHA hashers --------------------------------------------------------------------

SHA = {"SHA1": "sha1", "SHA256": "sha2_256"}


@pytest.mark.parametrize("version", VERSION_PARAMS)
@given(parts=st.lists(st.binary(max_size=150), max_size=5))
@settings(max_examples=8, deadline=None)
def test_updates_in_parts_hash_the_whole(version: str, parts: list[bytes]) -> None:
    calls, want = [], []
    for ctor, name in SHA.items():
        updates = "".join(f".update(S.fromString({lua_string(p)}))" for p in parts)
        calls.append(f"{ctor}(){updates}.finish()")
        calls.append(f"{ctor}().update(S.fromString('junk')).finish().init(){updates}.finish()")
        want += [DIGESTS[name](b"".join(parts)).hex()] * 2
    assert LUA.hexes(version, calls) == want


@pytest.mark.parametrize("version", VERSION_PARAMS)
@given(data=st.binary(max_size=130), more=st.binary(max_size=130))
@settings(max_examples=8, deadline=None)
def test_a_finished_hasher_goes_on_from_the_padded_message(version: str, data: bytes, more: bytes) -> None:
    calls, want = [], []
    for ctor, name in SHA.items():
        start = f"{ctor}().update(S.fromString({lua_string(data)})).finish()"
        calls.append(f"{start}.update(S.fromString({lua_string(more)})).finish()")
        want.append(DIGESTS[name](md_padded(data) + more).hex())
        calls.append(f"{start}.finish()")
        want.append(DIGESTS[name](md_padded(data)).hex())
        calls.append(
            f"d.{name}(S.fromString({lua_string(data)})).update(S.fromString({lua_string(more)})).finish()"
        )
        want.append(DIGESTS[name](md_padded(data) + more).hex())
    assert LUA.hexes(version, calls) == want


@pytest.mark.parametrize("version", VERSION_PARAMS)
def test_a_fresh_hasher_shows_the_initial_state(version: str) -> None:
    # FIPS 180-4's initial hash values, as the state reads before any block
    want = [
        "67452301efcdab8998badcfe10325476c3d2e1f0",
        "6a09e667bb67ae853c6ef372a54ff53a510e527f9b05688c1f83d9ab5be0cd19",
    ]
    assert LUA.hexes(version, ["SHA1()", "SHA256()"]) == want


# --- HMAC ---------------------------------------------------------------------------------------

KEY_LENGTHS = [0, 1, 16, 31, 32, 33, 63, 64, 65, 100]


def hmac_batches(key_size: int) -> st.SearchStrategy[list[tuple[bytes, bytes, str]]]:
    """One to four (data, key of up to *key_size* bytes, algorithm)."""
    algorithms = st.sampled_from(["sha1", "sha256"])
    return st.lists(
        st.tuples(st.binary(max_size=200), st.binary(max_size=key_size), algorithms), min_size=1, max_size=4
    )


@pytest.mark.parametrize("version", VERSION_PARAMS)
def test_create_hmac_at_the_key_boundaries(version: str) -> None:
    data = b"what do ya want for nothing?"
    calls, want = [], []
    for n in KEY_LENGTHS:
        key = bytes((i * 29 + n) % 256 for i in range(n))
        for algorithm in ("sha1", "sha256", None):
            arg = "" if algorithm is None else f", '{algorithm}'"
            calls.append(f"c.mac.createHmac(S.fromString({lua_string(data)}), {lua_bytes(key)}{arg})")
            want.append(hmac_model(data, key, algorithm or "sha1", 32).hex())
    assert LUA.hexes(version, calls) == want


@pytest.mark.parametrize("version", VERSION_PARAMS)
@given(batch=hmac_batches(key_size=100))
@settings(max_examples=8, deadline=None)
def test_create_hmac_random(version: str, batch: list[tuple[bytes, bytes, str]]) -> None:
    calls = [f"c.mac.createHmac(S.fromString({lua_string(m)}), {lua_bytes(k)}, '{a}')" for m, k, a in batch]
    assert LUA.hexes(version, calls) == [hmac_model(m, k, a, 32).hex() for m, k, a in batch]


@pytest.mark.parametrize("version", VERSION_PARAMS)
@given(batch=hmac_batches(key_size=150))
@settings(max_examples=8, deadline=None)
def test_hmac_object_with_a_64_byte_block_is_rfc2104(
    version: str, batch: list[tuple[bytes, bytes, str]]
) -> None:
    ctor = {"sha1": "SHA1", "sha256": "SHA256"}
    calls = [
        f"HMAC().setBlockSize(64).setDigest({ctor[a]}).setKey({lua_bytes(k)}).init().update(S.fromString({lua_string(m)})).finish()"
        for m, k, a in batch
    ]
    assert LUA.hexes(version, calls) == [pyhmac.new(k, m, a).hexdigest() for m, k, a in batch]


@pytest.mark.parametrize("version", VERSION_PARAMS)
def test_hmac_object_streams_and_starts_again(version: str) -> None:
    key, parts = b"k" * 40, [b"The quick ", b"brown fox", b"", b" jumps over the lazy dog" * 5]
    updates = "".join(f".update(S.fromString({lua_string(p)}))" for p in parts)
    mac = f"HMAC().setBlockSize(64).setDigest(SHA256).setKey({lua_bytes(key)})"
    calls = [f"{mac}.init(){updates}.finish()", f"{mac}.init(){updates}.finish().init(){updates}.finish()"]
    want = pyhmac.new(key, b"".join(parts), "sha256").hexdigest()
    assert LUA.hexes(version, calls) == [want, want]


# --- PBKDF2 -------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", VERSION_PARAMS)
def test_pbkdf2_rfc6070_and_lengths(version: str) -> None:
    cases = [
        (b"password", b"salt", 1, 20, None),
        (b"password", b"salt", 2, 20, "sha1"),
        (b"passwordPASSWORDpassword", b"saltSALTsaltSALTsaltSALTsaltSALTsalt", 5, 25, "sha1"),
        (b"pass\0word", b"sa\0lt", 3, 16, "sha256"),
        *((b"pw", b"NaCl", 2, n, "sha1") for n in (1, 19, 20, 21, 40, 41, 64)),
        *((b"pw", b"NaCl", 2, n, "sha256") for n in (1, 31, 32, 33, 64, 65)),
        (bytes(range(100)), bytes(range(200, 256)), 2, 32, "sha256"),
        (b"x" * 65, b"", 2, 20, "sha1"),
    ]
    calls = []
    for password, salt, iterations, length, digest in cases:
        arg = "" if digest is None else f", '{digest}'"
        calls.append(f"c.kdf.pbkdf2({lua_bytes(password)}, {lua_bytes(salt)}, {iterations}, {length}{arg})")
    want = [
        hashlib.pbkdf2_hmac(digest or "sha1", password, salt, iterations, length).hex().upper()
        for password, salt, iterations, length, digest in cases
    ]
    assert LUA.hexes(version, calls) == want


@pytest.mark.parametrize("version", VERSION_PARAMS)
@given(
    batch=st.lists(
        st.tuples(
            st.binary(max_size=80),
            st.binary(max_size=40),
            st.integers(1, 3),
            st.integers(1, 70),
            st.sampled_from(["sha1", "sha256"]),
        ),
        min_size=1,
        max_size=2,
    )
)
@settings(max_examples=6, deadline=None)
def test_pbkdf2_random(version: str, batch: list[tuple[bytes, bytes, int, int, str]]) -> None:
    calls = [f"c.kdf.pbkdf2({lua_bytes(p)}, {lua_bytes(s)}, {i}, {n}, '{a}')" for p, s, i, n, a in batch]
    want = [hashlib.pbkdf2_hmac(a, p, s, i, n).hex().upper() for p, s, i, n, a in batch]
    assert LUA.hexes(version, calls) == want


@pytest.mark.parametrize("version", VERSION_PARAMS)
def test_pbkdf2_object_and_its_forms(version: str) -> None:
    code = (
        "local k = PBKDF2().setPRF(HMAC().setBlockSize(64).setDigest(SHA256)).setBlockLen(7).setDKeyLen(50)"
        " .setIterations(2).setSalt(A.fromString('salt')).setPassword(A.fromString('pw')).finish()"
        " local t = k.asBytes() local s = k.asString()"
        " return #t .. ' ' .. A.toHex(t) .. ' ' .. k.asHex() .. ' ' .. A.toHex(A.fromString(s)) .. ' ' .. tostring(k.asBytes() == t)"
    )
    want = hashlib.pbkdf2_hmac("sha256", b"pw", b"salt", 2, 50).hex().upper()
    assert LUA.run(version, code).split(" ") == ["50", want, want, want, "true"]


@pytest.mark.parametrize("version", VERSION_PARAMS)
def test_unsupported_algorithms(version: str) -> None:
    code = (
        "local out = {} for _, f in ipairs({"
        " function() return c.mac.createHmac(S.fromString('x'), {1}, 'md5') end,"
        " function() return c.kdf.pbkdf2({1}, {2}, 1, 4, 'sha512') end,"
        " function() return c.mac.createHmac(S.fromString('x'), {1}, 7) end }) do"
        " local ok, e = pcall(f) out[#out + 1] = tostring(ok) .. ':' .. tostring(e):gsub('^[^:]*:%d+: ', '') end"
        " return table.concat(out, '|')"
    )
    assert LUA.run(version, code).split("|") == [
        "false:Unsupported algorithm: md5",
        "false:Unsupported algorithm: sha512",
        "false:Unsupported algorithm: 7",
    ]


# --- one message's worth ----------------------------------------------------------------------------


@pytest.mark.parametrize("version", VERSION_PARAMS)
def test_fits_in_the_default_budget(version: str) -> None:
    """Each of these runs in one Eval under the default instruction budget (20,000,000) on every
    Lua: 2,000 bytes through each digest and through HMAC-SHA-256, PBKDF2-SHA-1 with 20 iterations
    (Lua 5.1, whose bit32 is arithmetic, is the slowest: about 4,600 bytes of SHA-256 a message)."""
    data = bytes((i * 31) % 256 for i in range(2000))
    runs = {
        f"d.{name}(S.fromString(m)).asHex()": reference(data).hex() for name, reference in DIGESTS.items()
    }
    runs["c.mac.createHmac(S.fromString(m), {1, 2, 3}, 'sha256').asHex()"] = hmac_model(
        data, b"\1\2\3", "sha256", 32
    ).hex()
    runs["c.kdf.pbkdf2(A.fromString('password'), A.fromString('salt'), 20, 20).asHex()"] = (
        hashlib.pbkdf2_hmac("sha1", b"password", b"salt", 20, 20).hex().upper()
    )
    LUA.fits_one_message(version, runs, setup=f"local m = {lua_string(data)}")
