"""lua-bint's byte-string conversions (tole, tobe, fromle, frombe), rotations (brol, bror, bwrap)
and in-place methods (_add, _inc, _shlwords ...) in the harness's .bint, asked of the live module
on Lua 5.3: values, what each returns, and the errors of a bad operand (error positions dropped:
the harness's .bint is its own file).  Left out: live's numbers are 8 words of 32 bits, the
harness's 16 limbs of 16 (#x and x[i] differ), and what live's _shlwords leaves past the width
(a ninth word that its tostring then trips on)."""

from __future__ import annotations

from tests.live_module.probes import Probe, probe_suite_53

#: each probe's prelude: the class, J (every value as text, '|'-joined, positions dropped) and hex
PRELUDE = (
    "local bint = require('.bint')(256) "
    "local function J(...) local t = {} for i = 1, select('#', ...) do"
    " t[i] = (tostring((select(i, ...))):gsub('^%[string \"[^\"]*\"%]:%d+: ', ''):gsub('^probe:%d+: ', '')) end"
    " return table.concat(t, '|') end "
    "local function hex(s) return (s:gsub('.', function(c) return string.format('%02x', c:byte()) end)) end "
)


def _probe(key: str, code: str) -> Probe:
    return Probe(f"bint.{key}", PRELUDE + code)


PROBES = [
    _probe('tobez', 'local s = bint.tobe(bint(0), true) return J(#s)'),
    _probe('fromle', 'return J(tostring(bint.fromle("\\2\\1")))'),
    _probe('frombe', 'return J(tostring(bint.frombe("\\1\\2")))'),
    _probe('fromle2', 'return J(pcall(bint.fromle, 5))'),
    _probe('frombe3', 'return J(tostring(bint.frombe(string.rep("\\255", 32))), tostring(bint.frombe(string.rep("\\1", 40))))'),
    _probe('fromle4', 'return J(tostring(bint.fromle("")))'),
    _probe('brol', 'return J(tostring(bint.brol(bint(1), 1)), tostring(bint.brol(bint(1), 256)), tostring(bint.brol(bint(1), -1)))'),
    _probe('bror', 'return J(tostring(bint.bror(bint(2), 1)), tostring(bint.bror(bint(1), 1)), tostring(bint.bror(3, 1)))'),
    _probe('bwrap', 'return J(tostring(bint.bwrap(bint(-1), 8)), tostring(bint.bwrap(bint(300), 8)), tostring(bint.bwrap(5, 0)), tostring(bint.bwrap(bint(-1), 300)))'),
    _probe('brol2', 'return J(tostring(bint.brol(5, 2)), pcall(bint.brol, bint(1), 1.5))'),
    _probe('inc', 'local x = bint(5) local r = x:_inc() return J(tostring(x), r == x, tostring(bint(-1):_inc()))'),
    _probe('dec', 'local x = bint(5) local r = x:_dec() return J(tostring(x), r == x, rawequal(r, x))'),
    _probe('add', 'local x = bint(5) local r = x:_add(bint(7)) return J(tostring(x), rawequal(r, x), tostring(bint(1):_add(2)))'),
    _probe('sub', 'local x = bint(5) local r = x:_sub(7) return J(tostring(x), rawequal(r, x))'),
    _probe('abs', 'local x = bint(-5) x:_abs() local y = bint(5) y:_unm() return J(tostring(x), tostring(y), tostring(bint.mininteger():_abs()))'),
    _probe('bitops', 'local x = bint(12) x:_band(10) local y = bint(12) y:_bor(3) local z = bint(12) z:_bxor(5) local w = bint(0) w:_bnot() return J(tostring(x), tostring(y), tostring(z), tostring(w))'),
    _probe('shl', 'local x = bint(3) x:_shlone() local y = bint(3) y:_shrone() local z = bint(-2) z:_shrone() return J(tostring(x), tostring(y), tostring(z))'),
    _probe('words', 'local x = bint(3) x:_shlwords(1) local y = bint(3) y:_shlwords(1) y:_shrwords(1) local z = bint(1) z:_shlwords(8) return J(tostring(x), tostring(y), tostring(z))'),
    _probe('ret', 'local x = bint(3) return J(rawequal(x:_shlone(), x), rawequal(x:_shlwords(1), x), rawequal(x:_band(1), x), rawequal(x:_bnot(), x), rawequal(x:_abs(), x), rawequal(x:_unm(), x))'),
    _probe('frombe5', "local s = string.rep('\\0', 31) .. '\\1' .. string.rep('\\2', 8) return J(tostring(bint.frombe(s)), tostring(bint.fromle(s)))"),
    _probe('brol3', 'return J(tostring(bint.brol(bint(1), -1)), tostring(bint.brol(bint(3), 255)), tostring(bint.bror(bint(1), -1)), tostring(bint.brol(bint(1), bint(2))))'),
    _probe('bwrap2', 'return J(tostring(bint.bwrap(5, 0)), tostring(bint.bwrap(bint(-1), 300)), tostring(bint.bwrap(bint(-1), 256)), tostring(bint.bwrap(bint(7), -1)), pcall(bint.bwrap, 1, 1.5))'),
    _probe('bitops2', 'local z = bint(12) z:_bxor(5) local w = bint(0) w:_bnot() return J(tostring(z), tostring(w), pcall(function() return bint(1):_band(1.5) end))'),
    _probe('shl2', 'local z = bint(-2) z:_shrone() local m = bint.mininteger() m:_shlone() return J(tostring(z), tostring(m))'),
    _probe('assign2', 'local x = bint(1) return J(pcall(function() return tostring(x:_assign(3)) end))'),
    _probe('words4', 'return J(pcall(function() return tostring(bint(1):_shlwords(1.5)) end))'),
    _probe('tole2', "return J(pcall(bint.tole, 5), pcall(bint.tobe, '5'))"),
    _probe('static', 'local x = bint(5) return J(tostring(bint._inc(x)), tostring(x), pcall(bint._inc, 5))'),
    _probe('addsign', "local x = bint.maxinteger() x:_add(1) local y = bint(3) y:_sub(bint(5)) return J(tostring(x), tostring(y), pcall(function() return bint(1):_add('2') end))"),
    _probe('addstr', "return J(pcall(function() return tostring(bint(1):_add('0x10')) end))"),
    _probe('decmin', 'local x = bint.mininteger() x:_dec() local y = bint.maxinteger() y:_inc() return J(tostring(x), tostring(y))'),
    _probe('unmmin', 'local x = bint.mininteger() x:_unm() return J(tostring(x))'),
    _probe('fromle5', 'return J(pcall(bint.frombe, nil), pcall(bint.fromle, {}))'),
    _probe('w1', 'local z = bint(1) return J(pcall(function() return tostring(z:_shlwords(-1)) end))'),
    _probe('w2', 'local z = bint(5) return J(pcall(function() return tostring(z:_shrwords(8)) end))'),
    _probe('w3', 'local z = bint(5) return J(pcall(function() return tostring(z:_shrwords(9)) end))'),
    _probe('w4', 'local z = bint(5) return J(pcall(function() return tostring(z:_shlwords(2.0)) end))'),
    _probe('w5', 'local z = bint(5) return J(pcall(function() return tostring(z:_shlwords("1")) end))'),
    _probe('w6', 'local z = bint(5) return J(pcall(function() return tostring(z:_shrwords(-1)) end))'),
    _probe('w7', 'local z = bint(-5) return J(pcall(function() return tostring(z:_shlwords(8)) end))'),
    _probe('w8', 'local z = bint(-5) return J(pcall(function() return tostring(z:_shrwords(7)) end))'),
    _probe('w9', 'local z = bint(5) return J(pcall(function() return tostring(z:_shlwords()) end))'),
    _probe('a1', 'local z = bint(5) return J(pcall(function() return tostring(z:_assign(1.5)) end))'),
    _probe('a2', 'local z = bint(5) return J(pcall(function() return tostring(z:_assign("x")) end))'),
    _probe('a3', 'local z = bint(5) return J(pcall(function() return tostring(z:_add("x")) end))'),
    _probe('a4', 'local z = bint(5) return J(pcall(function() return tostring(z:_add(nil)) end))'),
    _probe('t1', 'return J(pcall(bint.tole, "x"))'),
    _probe('t2', 'return J(pcall(bint.tobe, 1.5))'),
    _probe('r1', 'return J(pcall(bint.brol, "x", 1))'),
    _probe('r2', 'return J(pcall(bint.bwrap, 1.5, 1))'),
    _probe('r3', 'return J(pcall(bint.brol, 1))'),
    _probe('x1', 'local z = bint(5) return J(pcall(function() return tostring(z:_shlwords(9)) end))'),
    _probe('x2', 'local z = bint(5) return J(pcall(function() return tostring(z:_shlwords(100)) end))'),
    _probe('x3', 'local z = bint(5) return J(pcall(function() return tostring(z:_shrwords(100)) end))'),
    _probe('x5', 'local z = bint(5) return J(pcall(function() return tostring(z:_shlwords(8)) end))'),
    _probe('x6', 'local z = bint(5) return J(pcall(function() z:_shlwords(9) return tostring(z + 1) end))'),
    _probe('x7', 'local z = bint(5) return J(pcall(function() return tostring(z:_shrwords(0)) end))'),
    _probe('x8', 'local z = bint(5) return J(pcall(function() return tostring(z:_shlwords(1.0)) end))'),
    _probe('x9', 'local z = bint(5) return J(pcall(function() return tostring(z:_shlwords(bint(1))) end))'),
    _probe('tole', 'return J(hex(bint.tole(bint(258))), hex(bint.tole(bint(258), true)), hex(bint.tole(bint(0), true)))'),
    _probe('tobe', 'return J(hex(bint.tobe(bint(258))), hex(bint.tobe(bint(258), true)), hex(bint.tobe(bint(-2), true)))'),
    _probe('assign', 'local x = bint(5) local r = x:_assign(bint(9)) return J(tostring(x), rawequal(r, x))'),
]


answers, test_bint_extras = probe_suite_53(PROBES)
