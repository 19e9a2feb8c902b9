"""``.crypto``'s structure and its helpers (``utils``: bit, queue, stream, hex, array), probed on
the harness and on the live aos module, on every Lua the harness runs."""

from __future__ import annotations

from tests.live_module.crypto_probes import Skip, bit32_rounds, not_on, prober
from tests.live_module.probes import probe_suite

#: a probe of the crypto library: ``c`` is ``.crypto``, ``u`` its utils
_p = prober("local c = require('.crypto') local u = c.utils ")

STRUCTURE_PROBES = [
    _p("keys", "return keys(c)"),
    _p("utils.keys", "return keys(u)"),
    _p("digest.keys", "return keys(c.digest)"),
    _p("cipher.keys", "return keys(c.cipher)"),
    _p("mac.keys", "return keys(c.mac)"),
    _p("kdf.keys", "return keys(c.kdf)"),
    _p("array.keys", "return keys(u.array)"),
    _p("stream.keys", "return keys(u.stream)"),
    _p("hex.keys", "return keys(u.hex)"),
    _p(
        "versions",
        "return all(c._version, u._version, c.digest._version, c.cipher._version, c.mac._version, c.kdf._version)",
    ),
    _p(
        "init.same",
        "local i = require('.crypto.init') return all(i == c, i.digest == c.digest, i.utils == c.utils)",
    ),
    _p("bit.is.bit32", "return u.bit == bit32, require('.crypto.util.bit') == u.bit"),
    _p(
        "module.names",
        "local out = {} for _, n in ipairs({'.crypto.util.queue', '.crypto.util.stream', '.crypto.util.hex',"
        " '.crypto.util.array', '.crypto.util.init', '.crypto.digest.init', '.crypto.digest.sha3',"
        " '.crypto.digest.sha1', '.crypto.digest.sha2_256', '.crypto.cipher.aes128', '.crypto.cipher.mode.cbc',"
        " '.crypto.padding.zero', '.crypto.mac.hmac', '.crypto.kdf.pbkdf2', '.crypto.cipher.issac'}) do"
        " local ok, m = pcall(require, n) out[#out + 1] = n .. '=' .. tostring(ok) .. ':' .. type(m) end"
        " return table.concat(out, ' ')",
    ),
    _p("missing.module", "local ok, e = pcall(require, '.crypto.nope') return ok"),
]

B = "local b = u.bit "
#: bit32 is live's C library: a bad argument names the function as it was called
BIT_PROBES = [
    # the native fast paths on 5.3+ (two to five integral numbers, shifts within 0-31) and their edges
    _p("bit.many", B + "return all(b.bxor(1, 2, 4, 8, 16), b.band(5), b.bor('8', 1), b.bnot(2^33 + 1))"),
    _p(
        "bit.wide",
        B + "return all(b.band(2^40 + 5, 7), b.lrotate(3.0, 1), b.rrotate(1, 31), b.rshift(-1, 0))",
    ),
    _p(
        "bit.hex.string",
        B + "return all(b.lshift('0x10', 4), b.lshift(1, 32), b.rshift(1, -1), b.lrotate(1, 33))",
    ),
    _p("bit.many.fraction", B + "return refused(b.bxor, 1, 2, 4, 1.5)"),
    _p("bit.many.nil", B + "return refused(b.bxor, 1, 2, 4, nil)"),
    _p(
        "bit.values",
        B
        + "return all(b.band(0xF0F0, 0xFF00), b.bxor(-1, 1), b.bnot(5), b.lrotate(0x80000001, 1), b.extract(0xF0, 4, 4))",
    ),
    _p(
        "bit.error.local",
        B + "local XOR = b.bxor return refused(function() local r = XOR(1, nil) return r end)",
    ),
    _p(
        "bit.error.local.float",
        B + "local AND = b.band return refused(function() local r = AND(1.5, 1) return r end)",
    ),
    _p("bit.error.field", B + "return refused(function() local r = b.lshift(1, 'x') return r end)"),
    _p("bit.error.global", B + "return refused(function() local r = bit32.extract(1, -1) return r end)"),
    _p("bit.error.pcall", B + "return refused(b.band, 1.5, 3)"),
    _p("bit.error.pcall.rotate", B + "return refused(b.rrotate, 1)"),
    _p("bit.error.math.pcall", B + "return refused(math.pow, 'x', 2)"),
    _p(
        "bit.error.math.local",
        B + "local POW = math.pow return refused(function() local r = POW(2) return r end)",
    ),
]

QUEUE_PROBES = [
    _p("queue.keys", "return keys(u.queue())"),
    _p(
        "queue.fifo",
        "local q = u.queue() q.push(1) q.push('two') q.push(3) local a = q.pop()"
        " return all(a, q.pop(), q.size(), q.getHead(), q.getTail())",
    ),
    _p("queue.empty", "local q = u.queue() return all(q.pop(), q.size(), q.getHead(), q.getTail())"),
    _p("queue.hole", "local q = u.queue() q.push(nil) q.push(5) return all(q.pop(), q.pop(), q.size())"),
    _p(
        "queue.reset",
        "local q = u.queue() q.push(1) q.push(2) q.pop() q.reset() return all(q.size(), q.getHead(), q.pop())",
    ),
    _p("queue.separate", "local a, b = u.queue(), u.queue() a.push(1) return b.size(), a.size()"),
]

S = "local s = u.stream "
STREAM_PROBES = [
    _p("stream.string", S + "return s.toString(s.fromString('hi\\0there'))"),
    _p("stream.string.array", S + "local t = s.toArray(s.fromString('abc')) return #t, t[1], t[3]"),
    _p("stream.string.empty", S + "local f = s.fromString('') return all(f(), f())"),
    _p("stream.string.number", S + "return refused(s.fromString(123))"),
    _p("stream.string.table", S + "return refused(s.fromString({}))"),
    _p("stream.tohex", S + "return s.toHex(s.fromString('\\0\\1\\171\\255'))"),
    _p("stream.fromhex", S + "return s.toString(s.fromHex('616263'))"),
    _p("stream.fromhex.upper", S + "return s.toArray(s.fromHex('ABff'))[1], s.toArray(s.fromHex('ABff'))[2]"),
    _p("stream.fromhex.bad", S + "return #s.toArray(s.fromHex('61zz62'))"),
    _p("stream.fromhex.odd", S + "return s.toString(s.fromHex('616'))"),
    _p("stream.fromhex.number", S + "return s.toString(s.fromHex(6162))"),
    _p("stream.fromhex.nil", S + "return refused(s.fromHex, nil)"),
    _p("stream.array", S + "return s.toString(s.fromArray({104, 105, nil, 106}))"),
    _p("stream.array.bad", S + "return refused(s.toString, s.fromArray({104, 300}))"),
    _p("stream.array.string", S + "return refused(s.toString, s.fromArray({'a'}))"),
    _p("stream.tohex.bad", S + "return refused(s.toHex, s.fromArray({1, 256}))"),
    _p("stream.tostring.nil", S + "return refused(s.toString, nil)"),
    _p("stream.toarray.number", S + "return refused(s.toArray, 5)"),
]

H = "local h = u.hex "
HEX_PROBES = [
    _p("hex.to", H + "return h.stringToHex('abc\\0\\255')"),
    _p("hex.to.empty", H + "return h.stringToHex('')"),
    _p("hex.to.lines", H + "return h.stringToHex('abcdefg', 3)"),
    _p("hex.to.sep", H + "return h.stringToHex('abcdefg', 3, ':')"),
    _p("hex.to.sep.only", H + "return h.stringToHex('abcd', 100, ' ')"),
    _p("hex.to.number", H + "return refused(h.stringToHex, 5)"),
    _p("hex.to.nil", H + "return refused(h.stringToHex, nil)"),
    _p("hex.from", H + "return h.hexToString('616263')"),
    _p("hex.from.spaces", H + "return h.hexToString(' 61 62\\n63 ')"),
    _p("hex.from.upper", H + "return h.hexToString('4A4b')"),
    _p("hex.from.odd", H + "return refused(h.hexToString, '616')"),
    _p("hex.from.punct", H + "return refused(h.hexToString, '61-2')"),
    _p("hex.from.letters", H + "return h.hexToString('zz61')"),
    _p("hex.from.unsafe", H + "return h.hexToString('6 1zz', true)"),
    _p("hex.from.unsafe.odd", H + "return h.hexToString('616', true)"),
    _p("hex.from.number", H + "return h.hexToString(6162)"),
    _p("hex.from.nil", H + "return refused(h.hexToString, nil)"),
    _p("hex.roundtrip", H + "return h.hexToString(h.stringToHex('\\1\\2\\254 xyz')) == '\\1\\2\\254 xyz'"),
]

A = "local a = u.array local function show(t) local o = {} for k, v in pairs(t) do o[#o + 1] = tostring(k) .. '=' .. tostring(v) end table.sort(o) return table.concat(o, ',') end "
ARRAY_PROBES = [
    _p("array.size", A + "return a.size({1, 2, 3}), a.size({})"),
    _p("array.size.string", A + "return a.size('abcd')"),
    _p("array.size.nil", A + "return refused(a.size, nil)"),
    _p("array.fromstring", A + "return show(a.fromString('ab\\0'))"),
    _p("array.fromstring.number", A + "return refused(a.fromString, 12)"),
    _p("array.fromstring.nil", A + "return refused(a.fromString, nil)"),
    _p("array.tostring", A + "return a.toString({104, 105, nil, 106})"),
    _p("array.tostring.bad", A + "return refused(a.toString, {104, -1})"),
    _p("array.tostring.string", A + "return refused(a.toString, {'x'})"),
    _p("array.fromstream", A + "return show(a.fromStream(u.stream.fromString('xyz')))"),
    _p("array.tostream", A + "return u.stream.toString(a.toStream({65, 66}))"),
    _p(
        "array.queue",
        A + "local q = u.queue() a.writeToQueue(q, {1, 2, 3}) return show(a.readFromQueue(q, 4)), q.size()",
    ),
    _p("array.queue.holes", A + "local q = u.queue() a.writeToQueue(q, {1, nil, 3}) return q.size()"),
    _p("array.fromhex", A + "return show(a.fromHex('00ff7F'))"),
    _p("array.fromhex.bad", A + "return show(a.fromHex('0g1011'))"),
    _p("array.fromhex.odd", A + "return show(a.fromHex('abc'))"),
    _p("array.tohex", A + "return a.toHex({0, 15, 16, 255})"),
    _p("array.tohex.bad", A + "return refused(a.toHex, {1, 256})"),
    _p("array.tohex.float", A + "return refused(a.toHex, {1.5})"),
    _p("array.concat", A + "return show(a.concat({1, 2}, {3, nil, 5}))"),
    _p("array.concat.holes", A + "return show(a.concat({1, nil, 2}, {3}))"),
    _p("array.concat.nil", A + "return refused(a.concat, {1}, nil)"),
    _p("array.truncate", A + "return show(a.truncate({1, 2, 3, 4}, 2)), show(a.truncate({1}, 3))"),
    _p("array.xor", A + "return show(a.XOR({1, 2, 255}, {3, 2, 1}))"),
    _p("array.xor.short", A + "return refused(a.XOR, {1, 2}, {1})"),
    _p("array.xor.keys", A + "return show(a.XOR({x = 5}, {x = 6}))"),
    _p("array.substitute", A + "return show(a.substitute({1, 2, 9}, {10, 20, 30}))"),
    _p("array.permute", A + "return show(a.permute({10, 20, 30}, {3, 1, 2, 7}))"),
    _p("array.copy", A + "local t = {1, 2, k = 'v'} local c2 = a.copy(t) return show(c2), c2 ~= t"),
    _p(
        "array.slice",
        A
        + "local t = {1, 2, 3, 4, 5} return all(show(a.slice(t, 2, 4)), show(a.slice(t, -2)), show(a.slice(t, nil, -4)))",
    ),
    _p("array.slice.empty", A + "return show(a.slice({1, 2}, 3, 1)), show(a.slice({}))"),
    _p("array.slice.holes", A + "return show(a.slice({1, 2, 3}, 2, 5))"),
    _p("array.slice.string", A + "return refused(a.slice, {1}, 'x')"),
]

ALL = STRUCTURE_PROBES + BIT_PROBES + QUEUE_PROBES + STREAM_PROBES + HEX_PROBES + ARRAY_PROBES

#: answered by a runtime error Lua words itself (rewritten from 5.1/5.2/LuaJIT's words)
LUA_WORDED = frozenset(
    {
        "crypto.stream.string.number",
        "crypto.stream.string.table",
        "crypto.stream.tostring.nil",
        "crypto.stream.toarray.number",
        "crypto.hex.to.number",
        "crypto.hex.to.nil",
        "crypto.array.size.nil",
        "crypto.array.fromstring.number",
        "crypto.array.fromstring.nil",
        "crypto.array.concat.nil",
        "crypto.array.slice.string",
        "crypto.stream.fromhex.nil",
    }
)


#: why a probe cannot compare on a harness Lua (the live binary is Lua 5.3)
_not_on = not_on(
    ALL,
    Skip(
        {"5.5", "jit"},
        {"crypto.array.queue.holes"},
        "the length of a table with a hole is any border: Lua {lua} picks another than 5.3",
    ),
    bit32_rounds({"crypto.bit.error.local.float", "crypto.bit.error.pcall", "crypto.bit.many.fraction"}),
    Skip(
        {"5.1", "jit"},
        {"crypto.stream.array.bad", "crypto.array.tostring.bad"},
        "Lua {lua}'s string.char says 'invalid value' where 5.3 says 'value out of range'",
    ),
    Skip(
        {"5.1", "jit"},
        {"crypto.bit.error.math.pcall"},
        "Lua {lua} names a library function called through pcall '?', 5.3 by its library name",
    ),
    Skip(
        {"jit"},
        {"crypto.hex.from.nil"},
        "LuaJIT names a library function called through a local '?', 5.3 by the local's name",
    ),
)

answers, test_crypto_util = probe_suite(ALL, worded=LUA_WORDED, not_on=_not_on)
