"""``.crypto``'s other ciphers, probed on the harness and on the live aos module, on every Lua the
harness runs: ISAAC (``.crypto.cipher.issac``: the generator, ``crypto.random`` and the cipher on
it), MORUS-1280 (``.crypto.cipher.morus``) and NORX 64-4-1 (``.crypto.cipher.norx``).

ISAAC keeps one generator for the whole process, so its first group starts from a fresh process
and its probes run in order.  The probes run in several Evals (one a group), each in a fresh
process on both sides: a group stays within the harness's default instruction budget on the Luas
whose bit32 is slowest."""

from __future__ import annotations

from tests.live_module.crypto_probes import LENGTHS, NO_INTEGERS, Skip, not_on, prober
from tests.live_module.probes import Probe, probe_suite

#: a probe: ``I``, ``Mo``, ``N`` are the three cipher modules, ``X`` the hex helpers; text(n): n
#: printable characters; nums(n): the next n results of the generator, as decimal text; K16, K32:
#: keys, IV: MORUS's nonce, N32: NORX's
_p = prober(
    "local c = require('.crypto') local I, Mo, N = c.cipher.issac, c.cipher.morus, c.cipher.norx local X = c.utils.hex ",
    "local function text(n) local t = {} for i = 1, n do t[i] = string.char(32 + (i * 151 + n * 7) % 95) end"
    " return table.concat(t) end"
    " local function nums(n) local t = {} for k = 1, n do t[k] = string.format('%.0f', I.getRandom()) end"
    " return table.concat(t, ',') end "
    " local K16, K32, IV, N32 = msg(16, 1), msg(32, 2), msg(16, 3), msg(32, 4) ",
)

# --- ISAAC: the generator from a fresh process, in this order -------------------------------------
ISSAC_FRESH = [
    _p("issac.keys", "return keys(I)"),
    _p(
        "issac.random.is.crypto.random",
        "return c.random == I.random, require('.crypto.init').random == I.random",
    ),
    _p("issac.fresh.getRandom", "return all(I.getRandom(), I.getRandom())"),
    _p("issac.fresh.getRandomChar", "return refused(I.getRandomChar)"),
    _p(
        "issac.fresh.exhausted",
        "local n, ok, e = 0, true, nil repeat n = n + 1 ok, e = refused(I.getRandom) until not ok or n > 300"
        " return n, e",
    ),
    _p("issac.fresh.still.exhausted", "return refused(I.getRandom)"),
    _p(
        "issac.random.unseeded",
        "return all(c.random(1, 100), c.random(1, 100), c.random(), c.random(5), c.random(nil, 10))",
    ),
    _p("issac.random.then.getRandom", "c.random() return nums(5)"),
    _p(
        "issac.random.uses.math.random",
        "c.random(1, 6) c.random() return string.format('%.12f', math.random()), math.random(1000)",
    ),
    _p(
        "issac.random.seeded",
        "return all(c.random(1, 100, '42'), c.random(0, 2^32, ''), c.random(1, 6, 'dice'), c.random(1, 100, string.rep('x', 300)))",
    ),
    _p("issac.random.seeded.then", "c.random(1, 100, 'abc') return nums(4)"),
    _p(
        "issac.random.seeded.keeps.math",
        "c.random(1, 2, 'k') c.random(1, 2, 'k') return string.format('%.12f', math.random())",
    ),
    _p(
        "issac.random.ranges",
        "return all(c.random(10, 1), c.random(-5, 5), c.random(0, 0), c.random(1.5, 3.5), c.random(1, 2^40))",
    ),
    _p("issac.random.false.seed", "return all(c.random(1, 100, false), c.random(1, 100, nil))"),
    _p("issac.random.numeric.strings", "return all(c.random('5', '10'), c.random(1, '3'))"),
    _p("issac.random.seed.number", "return refused(c.random, 1, 100, 42)"),
    _p("issac.random.seed.table", "return refused(c.random, 1, 100, {})"),
    _p("issac.random.seed.true", "return refused(c.random, 1, 100, true)"),
    _p("issac.random.min.string", "return refused(c.random, 'a')"),
    _p("issac.random.max.table", "return refused(c.random, 1, {})"),
    _p("issac.random.min.true", "return refused(c.random, true, 5)"),
    _p("issac.after.errors", "return nums(3)"),
]

ISSAC_SEEDS = [
    _p("issac.seed.flag.nil", "I.seedIsaac('abc') local a = nums(3) I.seedIsaac('xyz') return a, nums(3)"),
    _p("issac.seed.flag.true", "I.seedIsaac('abc', true) return nums(6)"),
    _p(
        "issac.seed.flag.truthy",
        "I.seedIsaac('abc', 1) local a = nums(3) I.seedIsaac('abc', 'no') return a, nums(3)",
    ),
    _p("issac.seed.flag.false", "I.seedIsaac('abc', false) return nums(3)"),
    _p(
        "issac.seed.long",
        "I.seedIsaac(string.rep('a', 256) .. 'b', true) local a = nums(4) I.seedIsaac(string.rep('a', 256), true) return a, nums(4)",
    ),
    _p("issac.seed.binary", "I.seedIsaac(ALL, true) return nums(4)"),
    _p("issac.seed.returns", "return all(I.seedIsaac('x', true))"),
    _p(
        "issac.zero.randvect",
        "I.seedIsaac('', true) local t = {} for k = 1, 768 do t[k] = string.format('%08x', I.getRandom()) end"
        " return table.concat(t, ' ', 257, 264), table.concat(t)",
    ),
    _p(
        "issac.batches",
        "I.seedIsaac('batch', true) local t = {} for k = 1, 520 do t[k] = I.getRandom() end"
        " return all(t[255], t[256], t[257], t[512], t[513])",
    ),
    _p(
        "issac.getRandomChar",
        "I.seedIsaac('chars', true) local t = {} for k = 1, 40 do t[k] = I.getRandomChar() end"
        " return table.concat(t, ','), all(I.getRandomChar())",
    ),
    _p("issac.seed.nil", "return refused(I.seedIsaac, nil, true)"),
    _p("issac.seed.number", "return refused(I.seedIsaac, 5, true)"),
    _p("issac.seed.table", "return refused(I.seedIsaac, {}, true)"),
    _p("issac.seed.boolean", "return refused(I.seedIsaac, false)"),
    # a failed seed has zeroed the memory but kept the old results: 256 values more, then a batch
    _p(
        "issac.after.bad.seed",
        "I.seedIsaac('good', true) I.getRandom() pcall(I.seedIsaac, {}, true)"
        " local t = {} for k = 1, 300 do t[k] = I.getRandom() end return all(t[1], t[255], t[256], t[300])",
    ),
]

ISSAC_CIPHER = [
    *[
        _p(
            f"issac.encrypt.len{n}",
            f"local e = I.encrypt(text({n}), 'key{n}') return e.asHex(), I.decrypt(e.asString(), 'key{n}') == text({n})",
        )
        for n in LENGTHS
    ],
    _p(
        "issac.encrypt.binary",
        "local e = I.encrypt(ALL, 'bin') return e.asHex(), X.stringToHex(I.decrypt(e.asString(), 'bin'))",
    ),
    _p("issac.encrypt.binary.key", "return I.encrypt('hello world', ALL).asHex()"),
    _p("issac.encrypt.empty.key", "return I.encrypt('hello world', '').asHex()"),
    _p(
        "issac.encrypt.long.key",
        "return I.encrypt('hello', string.rep('k', 256) .. 'x').asHex() == I.encrypt('hello', string.rep('k', 256)).asHex()",
    ),
    _p("issac.encrypt.keys", "return keys(I.encrypt('abc', 'k'))"),
    _p(
        "issac.encrypt.asbytes",
        "local e = I.encrypt('hello', 'k') local b = e.asBytes()"
        " return all(#b, b == e.asBytes(), b[1], b[5], e.asString() == table.concat(b))",
    ),
    _p(
        "issac.encrypt.asstring",
        "local e = I.encrypt('Hello, World!', 'secret') return e.asString(), e.asHex()",
    ),
    _p(
        "issac.encrypt.ashex.bytes",
        "local e = I.encrypt('abc', 'k') e.asBytes()[1] = 'Z' return e.asString(), e.asHex()",
    ),
    _p("issac.decrypt.type", "return all(I.decrypt('', 'k'), type(I.decrypt('abc', 'k')))"),
    _p("issac.decrypt.wrong.key", "return I.decrypt(I.encrypt('attack at dawn', 'k1').asString(), 'k2')"),
    _p("issac.encrypt.then.getRandom", "I.encrypt('abc', 'key') return nums(3)"),
    _p("issac.decrypt.then.getRandom", "I.decrypt('abcd', 'key') return nums(3)"),
    _p("issac.encrypt.msg.nil", "return refused(I.encrypt, nil, 'k')"),
    _p("issac.encrypt.msg.number", "return refused(I.encrypt, 5, 'k')"),
    _p("issac.encrypt.msg.stream", "return refused(I.encrypt, c.utils.stream.fromString('abc'), 'k')"),
    _p("issac.encrypt.msg.empty.table", "return #I.encrypt({}, 'k').asString()"),
    _p("issac.encrypt.msg.table", "return refused(I.encrypt, {1}, 'k')"),
    _p("issac.encrypt.key.nil", "return refused(I.encrypt, 'x')"),
    _p("issac.encrypt.key.number", "return refused(I.encrypt, 'x', 5)"),
    _p("issac.encrypt.key.table", "return refused(I.encrypt, 'x', {})"),
    _p("issac.encrypt.both.nil", "return refused(I.encrypt)"),
    _p("issac.decrypt.msg.nil", "return refused(I.decrypt, nil, 'k')"),
    _p("issac.decrypt.msg.table", "return refused(I.decrypt, {1}, 'k')"),
    _p("issac.decrypt.key.nil", "return refused(I.decrypt, 'x')"),
]

# --- MORUS ---------------------------------------------------------------------------------------
MORUS_VALUES = [
    _p("morus.keys", "return keys(Mo)"),
    _p("morus.fields", "return all(Mo.variant, Mo.key_size, Mo.nonce_size)"),
    _p(
        "morus.kernel.vector",
        "return Mo.encrypt(string.rep('\\0', 16), X.hexToString('0fc98e67449eaa8620362c24fec93081'), '').asHex()",
    ),
    _p("morus.zero", "return Mo.encrypt(string.rep('\\0', 32), string.rep('\\0', 16), '').asHex()"),
    *[
        _p(
            f"morus.len{n}",
            f"local m, ad = msg({n}), msg({n * 3 % 70}, 9) local e = Mo.encrypt(K32, IV, m, ad)"
            f" return e.asHex(), Mo.decrypt(K32, IV, e.asString(), #ad) == m",
        )
        for n in LENGTHS
    ],
    *[
        _p(
            f"morus.key16.len{n}",
            f"local e = Mo.encrypt(K16, IV, msg({n})) return e.asHex(), Mo.decrypt(K16, IV, e.asString()) == msg({n})",
        )
        for n in (0, 1, 31, 32, 33, 64, 65, 200)
    ],
    *[
        _p(f"morus.ad{n}", f"return Mo.encrypt(K32, IV, 'abc', msg({n})).asHex()")
        for n in (1, 31, 32, 33, 63, 64, 65, 200)
    ],
    _p(
        "morus.binary",
        "local e = Mo.encrypt(K16, IV, ALL, ALL) return e.asHex(), Mo.decrypt(K16, IV, e.asString(), 256) == ALL",
    ),
    _p(
        "morus.key.used.twice",
        "return Mo.encrypt(K16, IV, 'x').asHex() == Mo.encrypt(K16 .. K16, IV, 'x').asHex()",
    ),
    _p("morus.encrypt.keys", "return keys(Mo.encrypt(K16, IV, 'x'))"),
    _p(
        "morus.asbytes",
        "local e = Mo.encrypt(K16, IV, msg(70), 'AD') local b = e.asBytes() local o = {} for i, v in ipairs(b) do o[i] = #v end"
        " return table.concat(o, ','), all(b[1], b == e.asBytes(), e.asString() == table.concat(b))",
    ),
    _p(
        "morus.asbytes.no.ad",
        "local b = Mo.encrypt(K16, IV, 'hi').asBytes() return all(#b, b[1], #b[2], #b[3])",
    ),
    _p(
        "morus.decrypt.tag.only",
        "local e = Mo.encrypt(K32, IV, '') return all(Mo.decrypt(K32, IV, e.asString()))",
    ),
    _p(
        "morus.decrypt.tampered",
        "local s = Mo.encrypt(K32, IV, 'hello', 'AD').asString() return all(Mo.decrypt(K32, IV, s:sub(1, -2) .. 'x', 2))",
    ),
    _p(
        "morus.decrypt.ad.not.given",
        "return all(Mo.decrypt(K32, IV, Mo.encrypt(K32, IV, 'hello', 'AD').asString()))",
    ),
    _p("morus.decrypt.wrong.key", "return all(Mo.decrypt(K16, IV, Mo.encrypt(K32, IV, 'hello').asString()))"),
    _p(
        "morus.decrypt.ad.float",
        "local s = Mo.encrypt(K32, IV, 'hello', 'AD').asString() return all(Mo.decrypt(K32, IV, s, 2.0))",
    ),
    _p(
        "morus.state.update",
        "local s = {} for i = 1, 20 do s[i] = i end return all(Mo.state_update(s, 1, 2, 3, 4)), table.concat(s, ',')",
    ),
    _p(
        "morus.state.update.negative",
        "local s = {} for i = 1, 20 do s[i] = -i * 0x123456789abcd end Mo.state_update(s, -1, math.mininteger or -1, math.maxinteger or 1, 7)"
        " Mo.state_update(s, 0, 0, 0, 0) return table.concat(s, ',')",
    ),
    _p(
        "morus.state.update.coerced",
        "local s = {} for i = 1, 20 do s[i] = tostring(i) end s[2] = 2.0 Mo.state_update(s, '1', 2.0, 3, 4) return table.concat(s, ',')",
    ),
    _p(
        "morus.state.update.zero",
        "local s = {} for i = 1, 20 do s[i] = 0 end Mo.state_update(s, 0, 0, 0, 0) return table.concat(s, ',')",
    ),
]

_S20 = "local s = {} for i = 1, 20 do s[i] = i end "
MORUS_ERRORS = [
    _p("morus.key.nil", "return refused(Mo.encrypt, nil, IV, 'x')"),
    _p("morus.key.short", "return refused(Mo.encrypt, 'abc', IV, 'x')"),
    _p("morus.key.24", "return refused(Mo.encrypt, msg(24), IV, 'x')"),
    _p("morus.key.number", "return refused(Mo.encrypt, 5, IV, 'x')"),
    _p(
        "morus.key.table", "local t = {} for i = 1, 16 do t[i] = 1 end return refused(Mo.encrypt, t, IV, 'x')"
    ),
    _p("morus.iv.short", "return refused(Mo.encrypt, K16, 'n', 'x')"),
    _p("morus.iv.long", "return refused(Mo.encrypt, K16, msg(32), 'x')"),
    _p("morus.iv.nil", "return refused(Mo.encrypt, K16, nil, 'x')"),
    _p(
        "morus.iv.table", "local t = {} for i = 1, 16 do t[i] = 1 end return refused(Mo.encrypt, K16, t, 'x')"
    ),
    _p("morus.msg.nil", "return refused(Mo.encrypt, K16, IV)"),
    _p("morus.msg.number", "return refused(Mo.encrypt, K16, IV, 5)"),
    _p("morus.msg.stream", "return refused(Mo.encrypt, K16, IV, c.utils.stream.fromString('abc'))"),
    _p("morus.key.boolean", "return refused(Mo.encrypt, true, IV, 'x')"),
    _p("morus.msg.empty.table", "return Mo.encrypt(K16, IV, {}).asHex()"),
    _p("morus.msg.table", "return refused(Mo.encrypt, K16, IV, {1, 2, 3})"),
    _p(
        "morus.msg.table.long",
        "local t = {} for i = 1, 40 do t[i] = 1 end return refused(Mo.encrypt, K16, IV, t)",
    ),
    _p("morus.ad.number", "return refused(Mo.encrypt, K16, IV, 'x', 5)"),
    _p("morus.ad.table", "return refused(function() return Mo.encrypt(K16, IV, 'x', {}).asString() end)"),
    _p(
        "morus.ad.table.long",
        "local t = {} for i = 1, 40 do t[i] = 1 end return refused(Mo.encrypt, K16, IV, 'x', t)",
    ),
    _p("morus.ad.false", "return Mo.encrypt(K16, IV, 'x', false).asHex()"),
    _p("morus.decrypt.nil", "return refused(Mo.decrypt, K16, IV)"),
    _p("morus.decrypt.short", "return refused(Mo.decrypt, K16, IV, 'short')"),
    _p("morus.decrypt.empty", "return refused(Mo.decrypt, K16, IV, '')"),
    _p("morus.decrypt.adlen.big", "return refused(Mo.decrypt, K16, IV, string.rep('z', 40), 30)"),
    _p("morus.decrypt.adlen.bigger", "return refused(Mo.decrypt, K16, IV, string.rep('z', 40), 70)"),
    _p("morus.decrypt.adlen.negative", "return refused(Mo.decrypt, K16, IV, string.rep('z', 80), -5)"),
    _p("morus.decrypt.adlen.minus.one", "return refused(Mo.decrypt, K16, IV, string.rep('z', 40), -1)"),
    _p("morus.decrypt.adlen.very.negative", "return refused(Mo.decrypt, K16, IV, string.rep('z', 30), -20)"),
    _p("morus.decrypt.adlen.string", "return refused(Mo.decrypt, K16, IV, string.rep('z', 40), 'x')"),
    _p("morus.decrypt.adlen.numeric.string", "return refused(Mo.decrypt, K16, IV, string.rep('z', 40), '3')"),
    _p("morus.decrypt.adlen.table", "return refused(Mo.decrypt, K16, IV, string.rep('z', 40), {})"),
    _p("morus.decrypt.adlen.fraction", "return refused(Mo.decrypt, K16, IV, string.rep('z', 40), 2.5)"),
    _p(
        "morus.decrypt.adlen.fraction.negative",
        "return refused(Mo.decrypt, K16, IV, string.rep('z', 40), -0.5)",
    ),
    _p("morus.decrypt.adlen.fraction.long", "return refused(Mo.decrypt, K16, IV, string.rep('z', 80), -0.5)"),
    _p(
        "morus.decrypt.adlen.fraction.short", "return refused(Mo.decrypt, K16, IV, string.rep('z', 10), -0.5)"
    ),
    _p(
        "morus.decrypt.table",
        "local t = {} for i = 1, 40 do t[i] = 1 end return refused(Mo.decrypt, K16, IV, t)",
    ),
    _p("morus.decrypt.key.nil", "return refused(Mo.decrypt, nil, IV, string.rep('z', 40))"),
    _p("morus.state.nil", "return refused(Mo.state_update)"),
    _p("morus.state.number", "return refused(Mo.state_update, 5)"),
    _p("morus.state.empty", "return refused(Mo.state_update, {}, 0, 0, 0, 0)"),
    _p("morus.state.fraction", _S20 + "s[3] = 1.5 return refused(Mo.state_update, s, 0, 0, 0, 0)"),
    _p("morus.state.string", _S20 + "s[13] = 'x' return refused(Mo.state_update, s, 0, 0, 0, 0)"),
    _p(
        "morus.state.numeric.string.first",
        _S20 + "s[1] = '7' s[13] = {} return refused(Mo.state_update, s, 0, 0, 0, 0)",
    ),
    _p("morus.state.row1", _S20 + "s[7] = false return refused(Mo.state_update, s, 0, 0, 0, 0)"),
    _p("morus.state.row2", _S20 + "s[10] = 0.25 return refused(Mo.state_update, s, 0, 0, 0, 0)"),
    _p("morus.state.row4", _S20 + "s[19] = 0.5 return refused(Mo.state_update, s, 0, 0, 0, 0)"),
    _p("morus.state.row4.nil", _S20 + "s[20] = nil return refused(Mo.state_update, s, 0, 0, 0, 0)"),
    _p("morus.state.m.table", _S20 + "return refused(Mo.state_update, s, 0, 0, {})"),
    _p("morus.state.m.nil", _S20 + "return refused(Mo.state_update, s)"),
    _p("morus.state.m.fraction", _S20 + "return refused(Mo.state_update, s, 0, 0.5, 0, 0)"),
    _p("morus.state.huge", _S20 + "s[5] = 2^63 return refused(Mo.state_update, s, 0, 0, 0, 0)"),
]

# --- NORX ----------------------------------------------------------------------------------------
_SPEC = (
    "local function seq(len, from) local t = {} for i = 1, len do t[i] = string.char((from + i - 1) % 256) end"
    " return table.concat(t) end "
)
NORX_BASICS = [
    _p("norx.keys", "return keys(N)"),
    _p("norx.fields", "return all(N.variant, N.key_size, N.nonce_size)"),
    _p("norx.zero", "return N.encrypt(string.rep('\\0', 32), string.rep('\\0', 32), '').asHex()"),
    _p(
        "norx.spec.example",
        _SPEC + "local d = seq(128, 0) return N.encrypt(seq(32, 0), seq(32, 32), d, d, d).asHex()",
    ),
    _p("norx.encrypt.keys", "return keys(N.encrypt(K32, N32, 'x'))"),
    _p(
        "norx.asbytes",
        "local e = N.encrypt(K32, N32, msg(200), 'AD') local b = e.asBytes() local o = {} for i, v in ipairs(b) do o[i] = #v end"
        " return table.concat(o, ','), all(b == e.asBytes(), e.asString() == table.concat(b))",
    ),
    _p("norx.asbytes.empty", "local b = N.encrypt(K32, N32, '').asBytes() return all(#b, #b[1])"),
    _p(
        "norx.asbytes.96",
        "local b = N.encrypt(K32, N32, msg(96)).asBytes() return all(#b, #b[12], #b[13], #b[14])",
    ),
    _p(
        "norx.long.key.nonce",
        "return N.encrypt(K32 .. 'extra', N32 .. 'more', 'x').asHex() == N.encrypt(K32, N32, 'x').asHex()",
    ),
    _p("norx.decrypt.tag.only", "return all(N.decrypt(K32, N32, N.encrypt(K32, N32, '').asString()))"),
    _p(
        "norx.decrypt.tampered",
        "local s = N.encrypt(K32, N32, 'hello').asString() return all(N.decrypt(K32, N32, 'j' .. s:sub(2)))",
    ),
    _p(
        "norx.decrypt.header",
        "local s = N.encrypt(K32, N32, 'hello', 'H').asString() return all(N.decrypt(K32, N32, s, 'H'), N.decrypt(K32, N32, s))",
    ),
    _p(
        "norx.decrypt.trailer",
        "local s = N.encrypt(K32, N32, 'hello', nil, 'T').asString() return all(N.decrypt(K32, N32, s, nil, 'T'), N.decrypt(K32, N32, s, '', 'U'))",
    ),
    _p(
        "norx.decrypt.wrong.nonce",
        "return all(N.decrypt(K32, msg(32), N.encrypt(K32, N32, 'hello').asString()))",
    ),
]


def _norx_len(n: int) -> Probe:
    return _p(
        f"norx.len{n}",
        f"local p, h, t = msg({n}), msg({n * 3 % 100}, 5), msg({n % 50}, 6) local e = N.encrypt(K32, N32, p, h, t)"
        f" return e.asHex(), N.decrypt(K32, N32, e.asString(), h, t) == p",
    )


NORX_SHORT = [_norx_len(n) for n in LENGTHS if n < 100]
NORX_MEDIUM = [_norx_len(n) for n in LENGTHS if 100 <= n < 150]
NORX_LONG = [
    _norx_len(200),
    _p(
        "norx.binary",
        "local e = N.encrypt(K32, N32, ALL, ALL, ALL) return e.asHex(), N.decrypt(K32, N32, e.asString(), ALL, ALL) == ALL",
    ),
    *[_p(f"norx.header{n}", f"return N.encrypt(K32, N32, 'abc', msg({n})).asHex()") for n in (1, 95, 96, 97)],
    *[
        _p(f"norx.trailer{n}", f"return N.encrypt(K32, N32, 'abc', '', msg({n})).asHex()")
        for n in (1, 95, 96)
    ],
    *[_p(f"norx.plain{n}", f"return N.encrypt(K32, N32, msg({n})).asHex()") for n in (95, 96, 97, 191, 192)],
]
NORX_1000 = [_norx_len(1000)]

NORX_ERRORS = [
    _p("norx.key.nil", "return refused(N.encrypt, nil, N32, 'x')"),
    _p("norx.key.short", "return refused(N.encrypt, 'abc', N32, 'x')"),
    _p("norx.key.table", "return refused(N.encrypt, {}, N32, 'x')"),
    _p("norx.key.number", "return refused(N.encrypt, 12345, N32, 'x')"),
    _p("norx.nonce.nil", "return refused(N.encrypt, nil, nil, 'x')"),
    _p("norx.nonce.number", "return refused(N.encrypt, 'k', 12345, 'x')"),
    _p("norx.nonce.short", "return refused(N.encrypt, K32, msg(31), 'x')"),
    _p("norx.nonce.table", "return refused(N.encrypt, K32, {}, 'x')"),
    _p("norx.plain.nil", "return refused(N.encrypt, K32, N32)"),
    _p("norx.plain.number", "return refused(N.encrypt, K32, N32, 5)"),
    _p("norx.plain.stream", "return refused(N.encrypt, K32, N32, c.utils.stream.fromString('abc'))"),
    _p("norx.key.stream", "return refused(N.encrypt, c.utils.stream.fromString(K32), N32, 'x')"),
    _p("norx.plain.empty.table", "return N.encrypt(K32, N32, {}).asHex()"),
    _p("norx.plain.table", "return refused(N.encrypt, K32, N32, {1, 2, 3})"),
    _p(
        "norx.plain.table.long",
        "local t = {} for i = 1, 100 do t[i] = 1 end return refused(N.encrypt, K32, N32, t)",
    ),
    _p("norx.header.number", "return refused(N.encrypt, K32, N32, 'x', 5)"),
    _p("norx.header.table", "return refused(N.encrypt, K32, N32, 'x', {1})"),
    _p("norx.header.false", "return N.encrypt(K32, N32, 'x', false).asHex()"),
    _p("norx.trailer.true", "return refused(N.encrypt, K32, N32, 'x', nil, true)"),
    _p("norx.decrypt.nil", "return refused(N.decrypt, K32, N32)"),
    _p("norx.decrypt.short", "return refused(N.decrypt, K32, N32, 'short')"),
    _p("norx.decrypt.number", "return refused(N.decrypt, K32, N32, 5)"),
    _p(
        "norx.decrypt.table",
        "local t = {} for i = 1, 40 do t[i] = 1 end return refused(N.decrypt, K32, N32, t)",
    ),
    _p("norx.decrypt.key.nil", "return refused(N.decrypt, nil, N32, string.rep('z', 40))"),
    _p("norx.decrypt.nonce.short", "return refused(N.decrypt, K32, 'n', string.rep('z', 40))"),
    _p("norx.decrypt.header.number", "return refused(N.decrypt, K32, N32, string.rep('z', 40), 7)"),
]


def _chunked(name: str, probes: list[Probe], size: int) -> dict[str, list[Probe]]:
    """*probes* in groups of *size*, named name.1, name.2, ..."""
    return {f"{name}.{i // size + 1}": probes[i : i + size] for i in range(0, len(probes), size)}


#: (sized on Lua 5.1, the slowest: MORUS costs 1-2 M instructions a call there, NORX 2-4 M)
GROUPS = {
    "issac.fresh": ISSAC_FRESH,  # (one group: its probes need a fresh generator, in this order)
    **_chunked("issac.seeds", ISSAC_SEEDS, 10),
    **_chunked("issac.cipher", ISSAC_CIPHER, 12),
    **_chunked("morus.values", MORUS_VALUES, 4),
    **_chunked("morus.errors", MORUS_ERRORS, 16),
    **_chunked("norx.basics", NORX_BASICS, 4),
    **_chunked("norx.short", NORX_SHORT, 3),
    **_chunked("norx.medium", NORX_MEDIUM, 3),
    **_chunked("norx.long", NORX_LONG, 4),
    "norx.1000": NORX_1000,
    **_chunked("norx.errors", NORX_ERRORS, 12),
}
ALL = [p for group in GROUPS.values() for p in group]

#: answered by a runtime error Lua words itself (rewritten from 5.1/5.2/LuaJIT's words)
LUA_WORDED = frozenset(
    {
        "crypto.issac.fresh.exhausted",
        "crypto.issac.fresh.still.exhausted",
        "crypto.issac.random.seed.number",
        "crypto.issac.random.seed.table",
        "crypto.issac.random.seed.true",
        "crypto.issac.random.min.string",
        "crypto.issac.random.max.table",
        "crypto.issac.random.min.true",
        "crypto.issac.seed.nil",
        "crypto.issac.seed.number",
        "crypto.issac.seed.table",
        "crypto.issac.seed.boolean",
        "crypto.issac.encrypt.msg.nil",
        "crypto.issac.encrypt.msg.number",
        "crypto.issac.encrypt.msg.table",
        "crypto.issac.encrypt.key.nil",
        "crypto.issac.encrypt.key.number",
        "crypto.issac.encrypt.key.table",
        "crypto.issac.encrypt.both.nil",
        "crypto.issac.decrypt.msg.nil",
        "crypto.issac.decrypt.msg.table",
        "crypto.issac.decrypt.key.nil",
        "crypto.issac.encrypt.msg.stream",
        "crypto.morus.msg.stream",
        "crypto.morus.key.boolean",
        "crypto.norx.plain.stream",
        "crypto.morus.key.nil",
        "crypto.morus.key.number",
        "crypto.morus.iv.nil",
        "crypto.morus.msg.nil",
        "crypto.morus.msg.number",
        "crypto.morus.msg.table",
        "crypto.morus.ad.number",
        "crypto.morus.decrypt.nil",
        "crypto.morus.decrypt.adlen.string",
        "crypto.morus.decrypt.adlen.table",
        "crypto.morus.decrypt.table",
        "crypto.morus.state.nil",
        "crypto.morus.state.number",
        "crypto.morus.decrypt.key.nil",
        "crypto.norx.plain.nil",
        "crypto.norx.plain.number",
        "crypto.norx.plain.table",
        "crypto.norx.header.number",
        "crypto.norx.header.table",
        "crypto.norx.trailer.true",
        "crypto.norx.decrypt.nil",
        "crypto.norx.decrypt.number",
        "crypto.norx.decrypt.table",
        "crypto.norx.decrypt.header.number",
    }
)


#: why a probe cannot compare on a harness Lua (the live binary is Lua 5.3)
_not_on = not_on(
    ALL,
    Skip(
        NO_INTEGERS,
        # MORUS's state_update on live's state: 64-bit integers in, 64-bit integers out
        {
            "crypto.morus.state.update",
            "crypto.morus.state.update.negative",
            "crypto.morus.state.update.coerced",
        },
        "Lua {lua} has no 64-bit integers: the state's words are doubles there, exact below 2^53 only",
    ),
    Skip(
        {"5.4", "5.5"},
        # arithmetic on a string: Lua 5.4+ does it through the string metatable
        {
            "crypto.issac.random.numeric.strings",
            "crypto.issac.random.min.string",
            "crypto.morus.decrypt.adlen.string",
        },
        "Lua {lua} does arithmetic on strings through the string metatable: a numeric string gives an"
        " integer (5.3: a float), another one its own error words",
    ),
)


answers, test_crypto_ciphers = probe_suite(
    ALL, worded=LUA_WORDED, not_on=_not_on, groups=list(GROUPS.values())
)
