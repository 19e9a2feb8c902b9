"""The libraries a process can require, probed on the harness and on the live aos module.

``.bint``, ``json`` (``require("json")``), ``.utils``, ``.base64``, ``.stringify``, ``.dump``,
``.pretty``, ``.handlers`` (``.crypto`` has test_crypto_*.py).  One Eval per side answers every probe; the
harness answers on every Lua it runs, against the live binary's Lua 5.3 answers (numbers are
compared by value on the Luas without an integer subtype).
"""

from __future__ import annotations

from tests.live_module.probes import LUA_REFUSED, NO_INTEGERS, Probe, in_53_words, probe_suite
from tests.live_module.twin import Twin

BINT = "local bint = require('.bint')(256) "
PAIRS_ORDER = "pairs order (live: fixed by its string hash seed; harness: sorted keys)"


def _bint(key: str, expr: str, **kw: object) -> Probe:
    return Probe(f"bint.{key}", BINT + expr, **kw)  # type: ignore[arg-type]


BINT_PROBES = [
    _bint("pow", "return tostring(bint(2) ^ bint(10))"),
    _bint("pow.number", "return tostring(bint(3) ^ 5)"),
    _bint("pow.big", "return tostring(bint(10) ^ 30)"),
    _bint("ipow", "return tostring(bint.ipow(bint(2), bint(100)))"),
    _bint("tobint.text", "return bint.tobint('abc')"),
    _bint("tobint.empty", "return bint.tobint('')"),
    _bint("tobint.float", "return select('#', bint.tobint(1.5)), bint.tobint(1.5)"),
    _bint("call.bad", "return tostring(bint('12x'))"),
    _bint("new.bad", "return tostring(bint.new('zz'))"),
    _bint("fromstring.bad", "return bint.fromstring('0x')"),
    _bint("decimal.text", "return tostring(bint('1e3'))"),
    _bint("add", "return tostring(bint('123456789012345678901234567890') + bint('987654321098765432109876543210'))"),
    _bint("sub.negative", "return tostring(bint(5) - bint(12))"),
    _bint("mul", "return tostring(bint('99999999999999999999') * bint('99999999999999999999'))"),
    _bint("idiv", "return tostring(bint(-7) // bint(2))"),
    _bint("mod", "return tostring(bint(-7) % bint(3))"),
    _bint("tdiv", "return tostring(bint.tdiv(bint(-7), bint(2)))"),
    _bint("div", "return bint(7) / bint(2)"),
    _bint("eq", "return bint(5) == bint(5), bint(5) == 5"),
    _bint("lt", "return bint(5) < bint(7), bint(-1) < bint(0)"),
    _bint("tobase", "return bint.tobase(bint(255), 16)"),
    _bint("tonumber", "return bint.tonumber(bint.ipow(bint(2), bint(70)))"),
    _bint("tointeger", "return bint.tointeger(bint(42))"),
    _bint("maxinteger", "return tostring(bint.maxinteger())"),
    _bint("overflow", "return tostring(bint.maxinteger() + 1)"),
    _bint("divide.by.zero", "return tostring(bint(1) // bint(0))"),
    _bint("concat", "return 'x' .. bint(5)"),
    _bint("isbint", "return bint.isbint(bint(1)), bint.isbint(1)"),
    _bint("abs", "return tostring(bint.abs(bint(-3)))"),
    _bint("shl", "return tostring(bint(1) << 100)"),
    _bint("band", "return tostring(bint(12) & bint(10))"),
    _bint("hex.text", "return tostring(bint('0xff'))"),
    _bint("unm", "return tostring(-bint(4))"),
]

J = "local json = require('json') "
JSON_PROBES = [
    Probe("json.global", "return type(json)"),
    Probe("json.empty", J + "return json.encode({})"),
    Probe("json.array", J + "return json.encode({1, 2, 'x', true})"),
    Probe(
        "json.object.order",
        J + "return json.encode({a = 1, b = {c = 'd'}})",
        deviation=('ok "{\\\\"a\\\\":1,\\\\"b\\\\":{\\\\"c\\\\":\\\\"d\\\\"}}"',
                   'ok "{\\\\"b\\\\":{\\\\"c\\\\":\\\\"d\\\\"},\\\\"a\\\\":1}"'),
    ),
    Probe("json.object.one", J + "return json.encode({a = {b = {c = 'd'}}})"),
    Probe("json.floats", J + "return json.encode({1.5, 0.1, 1e300, 3.0})"),
    Probe("json.maxinteger", J + "return json.encode(math.maxinteger)"),
    Probe("json.sparse", J + "return json.encode({[1] = 1, [3] = 3})"),
    Probe("json.mixed", J + "return json.encode({1, a = 2})"),
    Probe("json.nan", J + "return json.encode(0/0)"),
    Probe("json.inf", J + "return json.encode(math.huge)"),
    Probe("json.escapes", J + "return json.encode('a\\nb\\t\\1\"\\\\/')"),
    Probe("json.utf8", J + "return json.encode('é€')"),
    Probe("json.function", J + "return json.encode(print)"),
    Probe("json.nil", J + "return json.encode(nil)"),
    Probe("json.false", J + "return json.encode(false)"),
    Probe("json.decode.object", J + "local t = json.decode('{\"a\": [1, 2.5, \"x\", null, true]}') return t.a[1], t.a[2]"),
    Probe("json.decode.null", J + "local t = json.decode('[1, null, 3]') return #t, t[3]"),
    Probe("json.decode.unicode", J + "return json.decode('\"\\\\u00e9\\\\ud83d\\\\ude00\"')"),
    Probe("json.decode.bigint", J + "return json.decode('12345678901234567890')"),
    Probe("json.decode.exponent", J + "return json.decode('1e2')"),
    Probe("json.decode.minus0", J + "return json.decode('-0')"),
    Probe("json.decode.whitespace", J + "return json.decode('  [ ]  ')"),
    Probe("json.decode.nested.empty", J + "local t = json.decode('{\"a\":{}}') return type(t.a), next(t.a)"),
    Probe("json.decode.duplicate", J + "return json.decode('{\"a\":1,\"a\":2}').a"),
    Probe("json.roundtrip", J + "return json.encode(json.decode('{\"k\":[1,{\"z\":\"y\"}]}'))"),
    Probe("json.decode.huge", J + "return json.decode('1.7976931348623157e309')"),
    Probe("json.decode.bad.escape", J + "return json.decode('\"\\\\x\"')"),
    Probe(
        "json.decode.bad.key",
        J + "return json.decode('{bad}')",
    ),
    Probe(
        "json.decode.trailing.comma",
        J + "return json.decode('[1,2,]')",
    ),
    Probe(
        "json.decode.empty",
        J + "return json.decode('')",
    ),
    Probe(
        "json.decode.grammar",
        # 27 inputs: trailing commas, numbers and literals up to a delimiter, escapes, every message
        r"""
local json=require('json') local out={}
for _, s in ipairs({'[1,2,]', '{bad}', '', '{"a":1,}', '0x10', 'truex', '[1 2]', '"ab', '"a\\', '"\\u12"', '{"a" 1}', ' 5 x', '[,]', '{,}', '01', '-', '"\\uD800\\u0041"', '"\\uDBFF\\uDFFF"', '[1,,2]', '{"a":1 "b":2}', 'nul', '"\\x"', '[\n1\n,x]', '"a\tb"', '1.5.5', '{"a":[1,2,]}', '"\\ud800"'}) do
  local ok, e = pcall(json.decode, s)
  local v
  if type(e) == 'table' then v = '#' .. #e elseif type(e) == 'string' then v = (e:gsub('^%[string "json"%]:%d+: ', '')) else v = tostring(e) end
  if type(e) == 'string' and ok then v = (#e) .. ':' .. e:byte(1, -1) end
  out[#out+1] = s:gsub('\n','\\n') .. ' => ' .. tostring(ok) .. ' ' .. v
end
return table.concat(out, '\n')
""",
    ),
]

U = "local u = require('.utils') "
TAG_NAMES = "'x-y', 'action', 'X_ACTION', 'a--b', '', '-abc', 'ABC-DEF-GHI', 'x-1a', 'a b-c', 'x--', 'aBC', '1abc', 'x_y-z'"
UTILS_PROBES = [
    Probe("utils.map", U + "return table.concat(u.map(function(x) return x * 2 end, {1, 2, 3}), ',')"),
    # live's normalize Title-Cases one tag name, capitalize only the first character; anything
    # but a string comes back as it is
    *[
        Probe(f"utils.{fn}.strings", U + f"local t = {{}} for _, s in ipairs({{{TAG_NAMES}}}) do t[#t + 1] = u.{fn}(s) end"
              " return table.concat(t, '|')")
        for fn in ("normalize", "capitalize")
    ],
    Probe("utils.normalize.others", U + "return select('#', u.normalize()), u.normalize(12), u.normalize(true)"),
    Probe("utils.normalize.table", U + "local t = {['x-y'] = 1} return u.normalize(t) == t, t['x-y']"),
    Probe("utils.capitalize.others", U + "local t = {} return u.capitalize(5), u.capitalize(t) == t"),
    Probe("utils.filter", U + "return table.concat(u.filter(function(x) return x > 1 end, {1, 2, 3}), ',')"),
    Probe("utils.reduce", U + "return u.reduce(function(a, b) return a + b end, 0, {1, 2, 3})"),
    Probe("utils.find", U + "return u.find(function(x) return x.id == 2 end, {{id = 1}, {id = 2, n = 'b'}}).n"),
    Probe("utils.includes", U + "return u.includes(2, {1, 2}), u.includes(5, {1, 2})"),
    Probe("utils.keys", U + "local k = u.keys({a = 1, b = 2}) table.sort(k) return table.concat(k, ',')"),
    Probe("utils.values", U + "local v = u.values({a = 1, b = 2}) table.sort(v) return table.concat(v, ',')"),
    Probe("utils.concat", U + "return table.concat(u.concat({1, 2})({3}), ',')"),
    Probe("utils.reverse", U + "return table.concat(u.reverse({1, 2, 3}), ',')"),
    Probe("utils.compose", U + "return u.compose(function(x) return x + 1 end, function(x) return x * 10 end)(2)"),
    Probe("utils.prop", U + "return u.prop('a')({a = 9})"),
    Probe("utils.propEq", U + "return u.propEq('a')('x')({a = 'x'}), u.propEq('a')('x')({a = 'y'})"),
    Probe(
        "utils.propEq.two.arguments",
        U + "return u.propEq('a', 'x')({a = 'x'})",
    ),
    Probe(
        "utils.propEq.number",
        U + "return u.propEq('a')(9)({a = 9})",
    ),
    Probe("utils.matchesPattern", U + "return u.matchesPattern('Ab', 'ab', {}), u.matchesPattern('_', 'x', {})"),
    Probe("utils.matchesSpec.function", U + "return u.matchesSpec({Action = 'X'}, function(m) return m.Action == 'X' end)"),
    Probe("utils.curry", U + "return u.curry(function(a, b) return a - b end, 2)(10)(3)"),
    Probe(
        "utils.map.not.array",
        U + "return u.map(function(x) return x end, {a = 1})",
    ),
    Probe(
        "utils.names",
        U + "local t = {} for k in pairs(u) do t[#t + 1] = k end table.sort(t) return table.concat(t, ' ')",
    ),
]

#: .base64, hex() showing decoded bytes (a probe's answer travels as UTF-8 text)
B = (
    "local b = require('.base64') local function hex(s) if type(s) ~= 'string' then return s end"
    " return (s:gsub('.', function(c) return string.format('%02x', c:byte()) end)) end "
)
BASE64_PROBES = [
    Probe("base64.encode", B + "return b.encode('hello world!?')"),
    Probe("base64.decode", B + "return b.decode('aGVsbG8gd29ybGQhPw==')"),
    Probe("base64.binary", B + "return b.encode('\\0\\255\\128')"),
    Probe(
        "base64.names",
        B + "local t = {} for k, v in pairs(b) do t[#t + 1] = k .. ':' .. type(v) end table.sort(t)"
        " return table.concat(t, ' ')",
    ),
    Probe("base64.encode.empty", B + "return b.encode(''), b.decode('')"),
    Probe("base64.encode.number", B + "return b.encode(123)"),
    Probe("base64.encode.nil", B + "return b.encode(nil)"),
    Probe("base64.encode.empty.table", B + "return b.encode({})"),
    Probe("base64.encode.table", B + "return b.encode({1, 2, 3})"),
    Probe("base64.encode.bad.encoder", B + "return b.encode('hi', {})"),
    Probe("base64.encode.cached", B + "return b.encode('abcabcabcab', nil, true)"),
    Probe("base64.decode.number", B + "return b.decode(123)"),
    Probe("base64.decode.table", B + "return b.decode({})"),
    Probe("base64.decode.no.digits", B + "return b.decode('aa', {})"),
    Probe("base64.decode.cached", B + "return hex(b.decode('aGVsaGVsaGVs', nil, true))"),
    # lenient: what is not a digit or "=" is dropped; "=" inside is the digit 64
    Probe("base64.decode.junk", B + "return hex(b.decode('aGVs!bG8='))"),
    Probe("base64.decode.whitespace", B + "return hex(b.decode('aGVs bG8=')), hex(b.decode('aGVs\\nbG8='))"),
    Probe("base64.decode.control", B + "return hex(b.decode('aGVs\\0bG8=')), hex(b.decode('aGVs\\200bG8='))"),
    Probe("base64.decode.inner.pad", B + "return hex(b.decode('aG=sbG8=')), hex(b.decode('aG=sbG8=', nil, true))"),
    Probe("base64.decode.after.pad", B + "return hex(b.decode('aGVsbG8=aGVs'))"),
    Probe("base64.decode.pads", B + "return hex(b.decode('====')), hex(b.decode('x===')), hex(b.decode('Zm9vY==='))"),
    Probe("base64.decode.long.pad", B + "return hex(b.decode('Zm9v=')), hex(b.decode('Zm9v=='))"),
    Probe("base64.decode.short.pad", B + "return hex(b.decode('ab==')), hex(b.decode('abc='))"),
    Probe("base64.decode.url.digits", B + "return hex(b.decode('-_-_'))"),
    # unpadded or cut short: Lua's own arithmetic error, as live
    Probe("base64.decode.unpadded", B + "return b.decode('aGVsbG8')"),
    Probe("base64.decode.unpadded.two", B + "return b.decode('Zg')"),
    Probe("base64.decode.one", B + "return b.decode('a')"),
    Probe("base64.decode.cut.pad", B + "return b.decode('Zg=')"),
    Probe("base64.decode.only.pad", B + "return b.decode('=')"),
    Probe("base64.decode.only.pads", B + "return b.decode('==')"),
    Probe("base64.decode.one.pad", B + "return b.decode('a=')"),
    Probe(
        "base64.makeencoder",
        B + "local e = b.makeencoder() local t = {} for i = 0, 64 do t[#t + 1] = tostring(e[i]) end"
        " local n = 0 for _ in pairs(e) do n = n + 1 end return table.concat(t, ','), n",
    ),
    Probe(
        "base64.makedecoder",
        B + "local d = b.makedecoder() local t = {} for c = 0, 255 do if d[c] then t[#t + 1] = c .. '=' .. d[c] end end"
        " local n = 0 for _ in pairs(d) do n = n + 1 end return table.concat(t, ','), n",
    ),
    Probe("base64.makeencoder.url", B + "local e = b.makeencoder('-', '_', '.') return e[62], e[63], e[64]"),
    Probe("base64.makeencoder.first.byte", B + "local e = b.makeencoder('ab', '') return e[62], e[63], e[64]"),
    Probe("base64.makeencoder.number", B + "return b.makeencoder(1, 2, 3)"),
    Probe("base64.makedecoder.defaults", B + "local d = b.makedecoder(nil, '_') return d[43], d[95], d[47], d[61]"),
    Probe("base64.makedecoder.clash", B + "local d = b.makedecoder('A', '/') return d[65], d[43]"),
    Probe("base64.url", B + "return b.encode('\\255\\254\\253\\252', b.makeencoder('-', '_', '.'))"),
    Probe("base64.url.cached", B + "return b.encode('abcabc', b.makeencoder('-', '_'), true)"),
    Probe("base64.url.decode", B + "return hex(b.decode('_-8=', b.makedecoder('-', '_')))"),
    Probe("base64.url.decode.custom.pad", B + "return b.decode('__79_A..', b.makedecoder('-', '_', '.'))"),
    Probe("base64.url.decode.pad", B + "return hex(b.decode('Zg==', b.makedecoder(nil, nil, '.')))"),
    Probe("base64.url.decode.standard.digits", B + "return hex(b.decode('+/+/', b.makedecoder('-', '_')))"),
    Probe("base64.decoder.string.digit", B + "local d = b.makedecoder() d[65] = '0' return hex(b.decode('AAAA', d))"),
]

#: probes answered by a runtime error Lua itself words: 5.3, 5.4 and 5.5 word it as live's 5.3
#: does; 5.1, 5.2 and LuaJIT put the variable first ("attempt to index local 'b64' (a number
#: value)"), which ``in_53_words`` rewrites before comparing
LUA_WORDED = frozenset(
    {
        "base64.decode.cut.pad", "base64.decode.number", "base64.decode.one", "base64.decode.one.pad",
        "base64.decode.only.pad", "base64.decode.only.pads", "base64.decode.table", "base64.decode.unpadded",
        "base64.decode.unpadded.two", "base64.encode.nil", "base64.encode.number", "base64.encode.table",
        "base64.makeencoder.number", "base64.url.decode.custom.pad", "pretty.function", "pretty.boolean.key",
        *(f"{fn}.{label}" for fn in ("Send", "ao.send") for label in ("nil", "number", "boolean")),
        *(f"ao.spawn.{label}" for label in ("nil", "number", "boolean", "number.bad.module")), "Spawn.number",
    }
)

D = "local dump = require('.dump') local function bare(s) return (s:gsub('0x%x+', 'ADDR')) end "
#: .dump (= Dump); tables of one key, or arrays, where pairs order cannot differ from live's
DUMP_PROBES = [
    Probe("dump.is.Dump", D + "return dump == Dump, type(dump)"),
    Probe("dump.scalars", D + "return dump(1) .. dump('x') .. dump(nil) .. dump(true) .. dump(1.5)"),
    Probe("dump.function", D + "return bare(dump(print)), bare(dump({print}))"),
    Probe("dump.empty", D + "return dump({}), dump({a = {}}), dump(setmetatable({}, {__index = {a = 1}}))"),
    Probe("dump.table", D + "return dump({a = 1})"),
    Probe("dump.nested", D + "return dump({a = {b = {1, 2}}})"),
    Probe("dump.array", D + "return dump({1, 'two', true, -1, {3}})"),
    Probe("dump.mixed", D + "return dump({10, 20, x = 1})"),
    Probe("dump.strings", D + "return dump({'q\"t\\n', 'é'})"),
    Probe("dump.control", D + "return dump({'\\0\\r\\t'})"),
    Probe("dump.numbers", D + "return dump({1e100, math.huge, 2 ^ 53})"),
    Probe("dump.float.zero", D + "return dump({-0.0, 2.0})"),
    Probe("dump.integers", D + "return dump({math.mininteger})"),
    Probe("dump.name.keys", D + "return dump({_a1 = 1}) .. dump({['a b'] = 1}) .. dump({['1a'] = 1}) .. dump({['1'] = 1})"),
    Probe("dump.keyword.keys", D + "return dump({['end'] = 1}) .. dump({['nil'] = 1}) .. dump({['goto'] = 1})"),
    Probe("dump.quoted.keys", D + "return dump({['a\"b'] = 1}) .. dump({['a\\nb'] = 1})"),
    Probe("dump.number.keys", D + "return dump({[-3] = 1}) .. dump({[2.5] = 1}) .. dump({[1e100] = 1}) .. dump({[1.0] = 1})"),
    Probe("dump.other.keys", D + "return bare(dump({[true] = 1}) .. dump({[{}] = 1}) .. dump({[{1}] = 1}) .. dump({[print] = 1}))"),
    Probe("dump.deep", D + "local t = {} local c = t for i = 1, 12 do c.n = {} c = c.n end return dump(t)"),
    Probe("dump.circular", D + "local t = {b = {}} t.b.c = t return bare(dump(t))"),
    Probe("dump.circular.key", D + "local t = {} t[t] = 1 return bare(dump(t))"),
    Probe(
        "dump.circular.tostring",
        D + "local t = setmetatable({}, {__tostring = function() return 'T' end}) t.a = t return dump(t)",
    ),
    Probe("dump.shared", D + "local s = {1} return dump({s, s})"),
    Probe("dump.metatable", D + "return dump(setmetatable({a = 1}, {__tostring = function() return 'T' end}))"),
    Probe(
        "dump.pairs",
        D + "return dump(setmetatable({}, {__pairs = function(t)"
        " return function(_, k) if not k then return 'z', 9 end end, t, nil end}))",
    ),
    Probe("dump.indent", D + "return dump({a = {'x'}}, 1) .. dump({a = 1}, 2.0) .. dump({a = 1}, nil)"),
    Probe("dump.indent.zero", D + "return dump({a = {b = 1}}, 0) .. dump({}, 0) .. dump({1, 2}, 0)"),
    Probe("dump.indent.negative", D + "return dump({a = 1}, -1)"),
    Probe("dump.indent.string", D + "return dump({a = 1}, '2')"),
    Probe("dump.indent.false", D + "return dump({a = 1}, false)"),
    Probe("dump.indent.fraction", D + "return dump({a = 1}, 1.5)"),
    Probe("dump.indent.scalar", D + "return dump(5, 'x')"),
]

P = "local pretty = require('.pretty') "
PRETTY_PROBES = [
    Probe("pretty.version", P + "return pretty._version"),
    Probe(
        "pretty.names",
        P + "local t = {} for k, v in pairs(pretty) do t[#t + 1] = k .. ':' .. type(v) end table.sort(t)"
        " return table.concat(t, ' ')",
    ),
    Probe("pretty.tprint", P + "return pretty.tprint({a = 1})"),
    Probe("pretty.nested", P + "return pretty.tprint({a = {b = {c = 'x'}}}), pretty.tprint({a = {}})"),
    Probe("pretty.array", P + "return pretty.tprint({10, 20}), pretty.tprint({[5] = 'x'})"),
    Probe("pretty.values", P + "return pretty.tprint({a = true}) .. pretty.tprint({a = 1.5}) .. pretty.tprint({a = 'q\"t'})"),
    Probe("pretty.indent", P + "return pretty.tprint({a = {b = 1}}, 2), pretty.tprint({a = 1}, 3)"),
    Probe("pretty.empty", P + "return pretty.tprint({})"),
    Probe("pretty.metatable", P + "return pretty.tprint(setmetatable({a = 1}, {__tostring = function() return 'T' end}))"),
    Probe("pretty.function", P + "return pretty.tprint({a = print})"),
    Probe("pretty.boolean.key", P + "return pretty.tprint({[true] = 1})"),
    Probe("pretty.string", P + "return pretty.tprint('abc')"),
    Probe("pretty.nil", P + "return pretty.tprint(nil)"),
    Probe(
        "pretty.prints.nothing",
        P + "local p, n = print, 0 print = function() n = n + 1 end local r = {pretty.tprint({a = 1})}"
        " print = p return n, #r",
    ),
]

#: the handler list as "name:maxRuns:pattern type" (one process runs every probe, in order)
HL = (
    "local function list() local t = {} for i, h in ipairs(Handlers.list) do"
    " t[i] = h.name .. ':' .. tostring(h.maxRuns) .. ':' .. type(h.pattern) end return table.concat(t, ' ') end "
    + LUA_REFUSED
)
#: what Handlers' functions take and refuse (live checks a name and a pattern, nothing else)
HANDLERS_PROBES = [
    Probe("handlers.add.two", HL + "Handlers.add('two', function() end) return list()"),
    Probe("handlers.add.four", HL + "Handlers.add('four', 'Four', function() end, 3) return list()"),
    Probe("handlers.add.handle.string", HL + "Handlers.add('b1', 'B', 'str') return list(), type(Handlers.list[#Handlers.list].handle)"),
    Probe("handlers.add.handle.nil", HL + "Handlers.add('b2', 'B', nil) return list()"),
    Probe("handlers.handle.string.runs", HL + "return refused(Handlers.list[#Handlers.list - 1].handle, {})"),
    Probe("handlers.handle.nil.runs", HL + "return refused(Handlers.list[#Handlers.list].handle, {})"),
    Probe("handlers.add.maxruns.string", HL + "Handlers.add('b4', 'B', function() end, 'x') return list()"),
    Probe("handlers.add.update", HL + "Handlers.add('b4', 'D', nil) return list()"),
    Probe("handlers.append.handle.nil", HL + "Handlers.append('c1', 'C', nil) return list()"),
    Probe("handlers.prepend.maxruns", HL + "Handlers.prepend('c2', 'C', function() end, 'y') return list()"),
    Probe("handlers.add.name.number", HL + "return refused(Handlers.add, 5, 'B', function() end)"),
    Probe("handlers.add.pattern.number", HL + "return refused(Handlers.add, 'b3', 5, function() end)"),
    Probe("handlers.add.pattern.boolean", HL + "return refused(Handlers.add, 'b3', true, function() end)"),
    Probe("handlers.add.pattern.nil", HL + "return refused(Handlers.add, 'b3', nil, function() end)"),
    Probe("handlers.add.one", HL + "return refused(Handlers.add, 'b5')"),
    Probe("handlers.append.name.number", HL + "return refused(Handlers.append, 5, 'B', function() end)"),
    Probe("handlers.prepend.name.number", HL + "return refused(Handlers.prepend, 5, 'B', function() end)"),
    Probe("handlers.once.function", HL + "Handlers.once(function() end) return list(), Handlers.onceNonce"),
    Probe("handlers.once.pattern", HL + "Handlers.once('P', 'notfn') return list(), Handlers.onceNonce"),
    Probe("handlers.once.named", HL + "Handlers.once('oname', 'P', function() end) return list()"),
    Probe("handlers.once.four", HL + "Handlers.once('n4', 'P', function() end, 7) return list()"),
    Probe("handlers.once.name.number", HL + "return refused(Handlers.once, 5, 'B', function() end)"),
    Probe("handlers.once.none", HL + "return refused(Handlers.once)"),
    Probe("handlers.before.add.name", HL + "return refused(Handlers.before('_default').add, 5, 'x', function() end)"),
    Probe("handlers.after.add.pattern", HL + "return refused(Handlers.after('_default').add, 'n', nil, function() end)"),
    Probe("handlers.before.missing.add", HL + "return refused(Handlers.before('nope').add, 5)"),
    Probe("handlers.after.add.anything", HL + "Handlers.after('_eval').add('n', 'P', nil, 'zz') return list()"),
    Probe("handlers.before.later", HL + "local b = Handlers.before('late') Handlers.add('late', 'L', function() end)"
          " b.add('early', 'E', function() end) return list()"),
    Probe("handlers.before.number", HL + "return refused(Handlers.before, 5)"),
    Probe("handlers.after.number", HL + "return refused(Handlers.after, 5)"),
    Probe("handlers.remove.number", HL + "return refused(Handlers.remove, 5)"),
    Probe("handlers.remove.missing", HL + "return Handlers.remove('nope'), list()"),
]

OTHER_PROBES = [
    *BASE64_PROBES,
    *HANDLERS_PROBES,
    *DUMP_PROBES,
    *PRETTY_PROBES,
    Probe(
        "stringify.format",
        # one key per table: live's hash order cannot differ from ours here
        "local s = require('.stringify') return s.format({a = {c = 2}}) .. s.format({{1}, {x = 'y'}, 'z'})",
    ),
    Probe("chance", "return type(require('.chance'))"),
    *[
        # each module's names: process code sees what live has, nothing of the harness's own
        Probe(
            f"{name}.names",
            f"local t = {{}} for k, v in pairs(require('{name}')) do t[#t + 1] = k .. ':' .. type(v) end"
            " table.sort(t) return table.concat(t, ' ')",
        )
        for name in (".chance", ".process", ".stringify", ".assignment", ".handlers-utils", "json")
    ],
    # Send and ao.send read msg.Data / msg.Target first, as live's: what is not indexable fails there
    *[
        Probe(f"{fn}.{label}", f"return {fn}({arg})")
        for fn in ("Send", "ao.send")
        for label, arg in (("nil", "nil"), ("number", "5"), ("boolean", "true"), ("string", "'x'"))
    ],
    # so does ao.spawn (and Spawn), before its own checks of the module and the message
    *[
        Probe(f"ao.spawn.{label}", f"return ao.spawn({args})")
        for label, args in (
            ("nil", "'m'"), ("number", "'m', 5"), ("boolean", "'m', true"), ("string", "'m', 'x'"),
            ("number.bad.module", "5, 5"), ("bad.module", "5, {}"),
        )
    ],
    Probe("Spawn.number", "return Spawn('m', 5)"),
    # json's errors carry their position, '[string "json"]:<line>: ', as live's do (the line is
    # the harness's own: README Limits); shown with the line replaced, which the comparison keeps
    *[
        Probe(
            f"json.error.position.{label}",
            f"local ok, e = pcall(require('json').{fn}, {arg}) return ok, (tostring(e):gsub(':%d+: ', ':N: ', 1))",
        )
        for label, fn, arg in (
            ("circular", "encode", "(function() local t = {} t.x = t return t end)()"),
            ("mixed", "encode", "{1, 2, x = 3}"),
            ("key", "encode", "{[true] = 1}"),
            ("sparse", "encode", "{[1] = 1, [3] = 3}"),
            ("number", "encode", "math.huge"),
            ("type", "encode", "print"),
            ("decode", "decode", "'{\"a\":'"),
            ("decode.type", "decode", "5"),
        )
    ],
    # math.random as live's process.lua makes it (.chance): arguments counted by `#{...}`, a range
    # checked before a number is drawn, live's words (the stream seeded from the spawn message)
    *[
        Probe(f"math.random.{label}", code)
        for label, code in (
            ("empty", "return math.random(0)"),
            ("reversed", "return math.random(5, 1)"),
            ("string", "return math.random(1, 'x')"),
            # (a float: a fraction in [0, 1), not an integer of a range)
            ("nil", "local x = math.random(nil) return x >= 0 and x < 1 and x ~= math.floor(x)"),
            ("three", "local x = math.random(1, 10, 5) return x >= 0 and x < 1 and x ~= math.floor(x)"),
            ("after.error", "pcall(math.random, 0) return math.random(100)"),
            ("floats", "return math.random(2.5), math.random(1.5, 3.5)"),
            ("values", "local t = {} for i = 1, 5 do t[i] = math.random(100) end return table.concat(t, ',')"),
            ("big", "return math.random(2^40)"),
        )
    ],
    Probe("chance.integer.reversed", "return require('.chance').integer(5, 1)"),
    Probe("crypto", "return type(require('.crypto'))"),
    Probe("pretty", "return type(require('.pretty'))"),
    # live 2.0.6 has no .apm either (the words of require's refusal are a listed deviation)
    Probe("apm", "return (pcall(require, '.apm'))"),
]

ALL = BINT_PROBES + JSON_PROBES + UTILS_PROBES + OTHER_PROBES


def _not_on(lua: str, probe: Probe) -> str | None:
    """Why *probe* cannot compare on the harness's Lua *lua* (the live binary is Lua 5.3)."""
    if probe.key == "dump.numbers" and lua == "5.5":
        return "Lua 5.5 writes 2^53 as 9007199254740992.0, 5.3 as 9.007199254741e+15"
    if lua not in NO_INTEGERS:
        return None
    if probe.key.startswith("bint."):
        return f"Lua {lua} has no integer subtype, which .bint needs"
    if probe.key == "json.maxinteger":
        return f"Lua {lua} has no math.maxinteger"
    if probe.key == "json.decode.minus0":
        return f"Lua {lua} has no integer subtype: '-0' decodes to the float -0.0, not the integer 0"
    if probe.key in ("dump.float.zero", "dump.integers"):
        return f"Lua {lua} has no integer subtype: its floats print without '.0' and it has no math.mininteger"
    if probe.key == "dump.pairs" and lua in ("5.1", "jit"):
        return f"Lua {lua}'s pairs does not call __pairs"
    if probe.key in ("pretty.string", "pretty.nil", "handlers.handle.string.runs", "handlers.handle.nil.runs"):
        return f"Lua {lua}'s pairs refuses a non-table itself ('bad argument #1 to 'pairs''), 5.3's for loop does"
    if probe.key == "json.nan" and lua == "jit":
        return "LuaJIT formats NaN as 'nan' where Lua 5.3 says '-nan'"
    return None


def test_old_wordings_are_rewritten_as_53_words_them() -> None:
    assert in_53_words("error attempt to get length of local 'str' (a number value)") == (
        "error attempt to get length of a number value (local 'str')"
    )
    assert in_53_words("error attempt to perform arithmetic on field '?' (a nil value)") == (
        "error attempt to perform arithmetic on a nil value (field '?')"
    )
    assert in_53_words("error attempt to call method 'byte' (a nil value)") == (
        "error attempt to call a nil value (method 'byte')"
    )
    assert in_53_words('ok "attempt to index local"') == 'ok "attempt to index local"'


answers, test_library = probe_suite(ALL, worded=LUA_WORDED, not_on=_not_on)


def test_eval_prints_tables_like_live(twin: Twin) -> None:
    """Eval's value goes through stringify as on live (one key per table: hash order cannot differ)."""
    proc, _ = twin.spawn(None)
    step = twin.eval(proc, "return {a = {b = {1, 2}, c = {{x = 'y'}}}}")
    assert step.live.output.count("\n") >= 3, "live prints the table over lines"
    assert step.harness.output == step.live.output
