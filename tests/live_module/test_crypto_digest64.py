"""``.crypto``'s 64-bit-word digests (sha2_512, sha3_256/512, keccak256/512, blake2b), probed on
the harness and on the live aos module, on every Lua the harness runs.

Live computes them with Lua 5.3's 64-bit integers, ours with 32-bit halves on every Lua.  Live's
padding is not the standard's at a few lengths (sha2_512: 112-118 bytes modulo 128; the sha3 and
keccak hashes: one byte short of a block; blake2b: a non-empty multiple of 128 bytes, or a key
and no data); the probes at those lengths pin live's answers, which we give too
(tests/harness/test_lua_crypto_digest64.py checks the same against hashlib without node).

The harness side runs without an instruction budget: hashing is bit32 work, which is Lua code on
most harness Luas, and this many hashes run past one message's default budget.
"""

from __future__ import annotations

from tests.live_module.crypto_probes import LENGTHS, prober
from tests.live_module.probes import probe_suite

#: a probe of the digests: ``c`` is ``.crypto``, ``d`` its digest table, ``u`` its utils
_p = prober("local c = require('.crypto') local d = c.digest local u = c.utils ")

STRUCTURE_PROBES = [
    _p("sha2_512.module", "local m = require('.crypto.digest.sha2_512') return type(m), m == d.sha2_512"),
    _p("sha3.module", "return keys(require('.crypto.digest.sha3'))"),
    _p(
        "sha3.module.same",
        "local m = require('.crypto.digest.sha3') return m.sha3_256 == d.sha3_256 and m.sha3_512 == d.sha3_512"
        " and m.keccak256 == d.keccak256, m.keccak512 == d.keccak512",
    ),
    _p("blake2b.module", "local m = require('.crypto.digest.blake2b') return type(m), m == d.blake2b"),
    *(
        _p(f"{name}.object", f"return keys(d.{name}('abc'))")
        for name in ("sha2_512", "sha3_256", "sha3_512", "keccak256", "keccak512", "blake2b")
    ),
]

#: sha2_512: every length of the brief, the lengths where live's padding is not the standard's
#: (112-118 modulo 128) and their neighbours in the next block
SHA512_LENGTHS = sorted({*LENGTHS, *range(110, 121), 238, 239, 240, 246, 247, 256, 368})
SHA512_PROBES = [
    *(_p(f"sha2_512.len.{n}", f"return d.sha2_512(msg({n})).asHex()") for n in SHA512_LENGTHS),
    _p("sha2_512.abc", "return d.sha2_512('abc').asHex()"),
    _p("sha2_512.bytes.all", "return d.sha2_512(ALL).asHex()"),
    _p(
        "sha2_512.asstring",
        "local s = d.sha2_512(msg(5)).asString() return #s, table.concat({s:byte(1, -1)}, ',')",
    ),
    _p(
        "sha2_512.asstring.hex",
        "local o = d.sha2_512(msg(300)) return u.hex.stringToHex(o.asString()) == o.asHex()",
    ),
    # asBytes: the eight state words as signed 64-bit integers (compared by value where the Lua
    # has no integers: ours are then the nearest doubles)
    _p("sha2_512.asbytes", "return d.sha2_512('abc').asBytes()"),
    _p("sha2_512.asbytes.112", "return d.sha2_512(msg(112)).asBytes()"),
    _p(
        "sha2_512.asbytes.fresh",
        "local o = d.sha2_512('x') local t = o.asBytes() t[1] = 0 return o.asBytes() ~= t, o.asBytes()[1] ~= 0",
    ),
    _p("sha2_512.extra.args", "return d.sha2_512('abc', 5, {}).asHex() == d.sha2_512('abc').asHex()"),
    _p("sha2_512.nil", "return refused(d.sha2_512, nil)"),
    _p("sha2_512.none", "return refused(d.sha2_512)"),
    _p("sha2_512.number", "return refused(d.sha2_512, 5)"),
    _p("sha2_512.table", "return refused(d.sha2_512, {1, 2})"),
    _p("sha2_512.table.empty", "return refused(d.sha2_512, {})"),
    _p("sha2_512.boolean", "return refused(d.sha2_512, true)"),
    _p("sha2_512.stream", "return refused(d.sha2_512, u.stream.fromString('abc'))"),
]

#: the sha3 family: every length of the brief, and around one and two blocks (136 bytes for the
#: 256-bit hashes, 72 for the 512-bit ones), where live's padding spills at rate - 1
SHA3_FUNCTIONS = {"sha3_256": 136, "keccak256": 136, "sha3_512": 72, "keccak512": 72}


def _sha3_lengths(rate: int) -> list[int]:
    return sorted({*LENGTHS, rate - 2, rate - 1, rate, rate + 1, 2 * rate - 1, 2 * rate, 7 * rate - 1})


SHA3_PROBES = [
    *(
        _p(f"{name}.len.{n}", f"return d.{name}(msg({n})).asHex()")
        for name, rate in SHA3_FUNCTIONS.items()
        for n in _sha3_lengths(rate)
    ),
    *(_p(f"{name}.abc", f"return d.{name}('abc').asHex()") for name in SHA3_FUNCTIONS),
    *(_p(f"{name}.bytes.all", f"return d.{name}(ALL).asHex()") for name in SHA3_FUNCTIONS),
    *(
        _p(
            f"{name}.asstring",
            f"local s = d.{name}(msg(5)).asString() return #s, table.concat({{s:byte(1, -1)}}, ',')",
        )
        for name in ("sha3_256", "keccak512")
    ),
    _p("sha3_256.asbytes", "return d.sha3_256('abc').asBytes"),
    _p("sha3_256.nil", "return refused(d.sha3_256, nil)"),
    _p("sha3_512.number", "return refused(d.sha3_512, 5)"),
    _p("keccak256.table", "return refused(d.keccak256, {1, 2})"),
    _p("keccak512.boolean", "return refused(d.keccak512, false)"),
    _p("sha3_256.stream", "return refused(d.sha3_256, u.stream.fromString('abc'))"),
    _p("keccak256.none", "return refused(d.keccak256)"),
]

B = "local b = d.blake2b "
#: blake2b: every length of the brief, around one and two blocks (live compresses a whole last
#: block as not final and adds an empty final one), with and without a key
BLAKE2B_LENGTHS = sorted({*LENGTHS, 126, 255, 256, 257, 384})
BLAKE2B_PROBES = [
    *(_p(f"blake2b.len.{n}", B + f"return b(msg({n})).asHex()") for n in BLAKE2B_LENGTHS),
    _p("blake2b.abc", B + "return b('abc').asHex()"),
    _p("blake2b.bytes.all", B + "return b(ALL).asHex()"),
    *(
        _p(f"blake2b.key.{k}.len.{n}", B + f"return b(msg({n}), 64, msg({k} + 1000):sub(1, {k})).asHex()")
        for k in (1, 32, 64)
        for n in (0, 1, 127, 128, 129, 256)
    ),
    *(_p(f"blake2b.outlen.{n}", B + f"return b(msg(50), {n}).asHex()") for n in (1, 2, 20, 32, 48, 63, 64)),
    _p("blake2b.outlen.key", B + "return b(msg(200), 28, 'secret').asHex()"),
    _p("blake2b.outlen.float", B + "return b('abc', 16.0).asHex()"),
    _p("blake2b.outlen.float.bytes", B + "local t = b('abc', 4.0).asBytes() return #t, t[4]:byte()"),
    _p(
        "blake2b.defaults",
        B
        + "return b('abc', nil, nil).asHex() == b('abc').asHex(), b('abc', false, false).asHex() == b('abc').asHex()",
    ),
    _p("blake2b.key.empty", B + "return b('abc', 64, '').asHex() == b('abc').asHex()"),
    _p("blake2b.key.table.empty", B + "return b('abc', 64, {}).asHex() == b('abc').asHex()"),
    _p(
        "blake2b.asstring",
        B + "local s = b(msg(5), 6).asString() return #s, table.concat({s:byte(1, -1)}, ',')",
    ),
    # asBytes: one-character strings, the same table at every call
    _p(
        "blake2b.asbytes",
        B
        + "local t = b('abc', 5).asBytes() local out = {} for i, v in ipairs(t) do out[i] = type(v) .. #v .. ':' .. v:byte() end return #t, table.concat(out, ' ')",
    ),
    _p(
        "blake2b.asbytes.same",
        B
        + "local o = b('x', 4) local t = o.asBytes() t[1] = 'Z' return o.asBytes() == t, o.asBytes()[1], o.asHex()",
    ),
    # out of range: nil and the reason, as two values
    _p("blake2b.outlen.0", B + "return b('abc', 0)"),
    _p("blake2b.outlen.65", B + "return b('abc', 65)"),
    _p("blake2b.outlen.negative", B + "return b('abc', -1)"),
    _p("blake2b.outlen.fraction.small", B + "return b('abc', 0.5)"),
    _p("blake2b.outlen.huge", B + "return b('abc', math.huge)"),
    _p("blake2b.key.65", B + "return b('abc', 64, string.rep('k', 65))"),
    _p("blake2b.key.65.bad.data", B + "return b(5, 64, string.rep('k', 65))"),
    _p("blake2b.key.table.long", B + "local t = {} for i = 1, 65 do t[i] = i end return b('abc', 64, t)"),
    # wrong types: Lua's own errors, in live's order (key's length, outlen, then data)
    _p("blake2b.outlen.fraction", B + "return refused(b, 'abc', 1.5)"),
    _p("blake2b.outlen.nan", B + "return refused(b, 'abc', 0/0)"),
    _p("blake2b.outlen.string", B + "return refused(b, 'abc', '32')"),
    _p("blake2b.outlen.boolean", B + "return refused(b, 'abc', true)"),
    _p("blake2b.outlen.table", B + "return refused(b, 'abc', {})"),
    _p("blake2b.key.number", B + "return refused(b, 'abc', 32, 5)"),
    _p("blake2b.key.number.first", B + "return refused(b, nil, '32', 5)"),
    _p("blake2b.key.table", B + "return refused(b, 'abc', 32, {1})"),
    _p("blake2b.key.boolean", B + "return refused(b, 'abc', 32, true)"),
    _p("blake2b.nil", B + "return refused(b, nil)"),
    _p("blake2b.none", B + "return refused(b)"),
    _p("blake2b.number", B + "return refused(b, 5)"),
    _p("blake2b.number.key", B + "return refused(b, 5, 16, 'key')"),
    _p("blake2b.table", B + "return refused(b, {})"),
    _p("blake2b.table.long", B + "local t = {} for i = 1, 200 do t[i] = i end return refused(b, t)"),
    _p("blake2b.stream", B + "return refused(b, u.stream.fromString('abc'))"),
    _p("blake2b.outlen.bad.data.bad", B + "return refused(b, {}, 1.5)"),
]

ALL = STRUCTURE_PROBES + SHA512_PROBES + SHA3_PROBES + BLAKE2B_PROBES

#: answered by a runtime error Lua words itself (rewritten from 5.1/5.2/LuaJIT's words)
LUA_WORDED = frozenset(
    {
        "crypto.sha2_512.nil",
        "crypto.sha2_512.none",
        "crypto.sha2_512.number",
        "crypto.sha2_512.table",
        "crypto.sha2_512.table.empty",
        "crypto.sha2_512.boolean",
        "crypto.sha2_512.stream",
        "crypto.sha3_256.nil",
        "crypto.sha3_512.number",
        "crypto.keccak256.table",
        "crypto.keccak512.boolean",
        "crypto.sha3_256.stream",
        "crypto.keccak256.none",
        "crypto.blake2b.key.number",
        "crypto.blake2b.key.number.first",
        "crypto.blake2b.key.table",
        "crypto.blake2b.key.boolean",
        "crypto.blake2b.nil",
        "crypto.blake2b.none",
        "crypto.blake2b.number",
        "crypto.blake2b.number.key",
        "crypto.blake2b.table",
        "crypto.blake2b.table.long",
        "crypto.blake2b.stream",
        "crypto.blake2b.outlen.bad.data.bad",
    }
)


answers, test_crypto_digest64 = probe_suite(ALL, worded=LUA_WORDED, budget=False)
