"""Live's Lua 5.2 compatibility functions (harness/lua/env/compat.lua) on every Lua.

The live aos module is Lua 5.3.4 built with LUA_COMPAT_5_2: it has ``bit32``, ``math.pow``,
``ldexp``, ``frexp``, ``cosh``, ``sinh``, ``tanh``, ``log10``, ``atan2`` and an ``ipairs`` that honours
``__ipairs``.  Every process state gets them, and so does any plain Lua that loads compat.lua.
The fixed cases below are values read from the live binary.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness import Network
from harness.lua_versions import new_runtime
from tests.harness.lualib_helpers import VERSION_PARAMS

COMPAT = Path(__file__).resolve().parents[2] / "harness" / "lua" / "env" / "compat.lua"
MASK = 0xFFFFFFFF


pytestmark = pytest.mark.parametrize("version", VERSION_PARAMS)


_states: dict[str, Any] = {}


def process_globals(version: str) -> Any:
    """The Lua globals of one sealed process state per Lua (shared: these tests only read)."""
    if version not in _states:
        net = Network(lua=version)
        p = net.spawn(source="Ready = true")
        _states[version] = p.lua.globals()
    return _states[version]


def call(version: str, code: str) -> Any:
    """Run *code* (a Lua function expression) in the process state's environment and return it."""
    return compile_in(process_globals(version), "return " + code)()


def compile_in(g: Any, code: str) -> Any:
    """``load(code)`` in the Lua state whose globals are *g*; fails the test with Lua's message."""
    res = g.load(code)
    fn, err = res if isinstance(res, tuple) else (res, None)
    assert fn is not None, err
    return fn


# -- bit32: a Python model of live's lbitlib (5.3 compat mode) --------------------------------


def _shift(x: int, disp: int) -> int:
    x &= MASK
    if disp < 0:
        return 0 if -disp >= 32 else x >> -disp
    return 0 if disp >= 32 else (x << disp) & MASK


def _arshift(x: int, disp: int) -> int:
    x &= MASK
    if disp < 0 or not (x & 0x80000000):
        return _shift(x, -disp)
    if disp >= 32:
        return MASK
    return ((x >> disp) | ~(MASK >> disp)) & MASK


def _rotate(x: int, disp: int) -> int:
    x &= MASK
    i = disp & 31
    return ((x << i) | (x >> (32 - i))) & MASK if i else x


def model(name: str, *args: int) -> int | bool:
    if name in ("band", "btest"):
        r = MASK
        for a in args:
            r &= a & MASK
        return r != 0 if name == "btest" else r
    if name == "bor":
        r = 0
        for a in args:
            r |= a & MASK
        return r
    if name == "bxor":
        r = 0
        for a in args:
            r ^= a & MASK
        return r
    x = args[0] & MASK
    if name == "bnot":
        return ~x & MASK
    if name == "lshift":
        return _shift(x, args[1])
    if name == "rshift":
        return _shift(x, -args[1])
    if name == "arshift":
        return _arshift(x, args[1])
    if name == "lrotate":
        return _rotate(x, args[1])
    if name == "rrotate":
        return _rotate(x, -args[1])
    if name == "extract":
        f, w = args[1], args[2] if len(args) > 2 else 1
        return (x >> f) & (MASK >> (32 - w))
    if name == "replace":
        v, f = args[1] & MASK, args[2]
        w = args[3] if len(args) > 3 else 1
        m = MASK >> (32 - w)
        return ((x & ~(m << f)) | ((v & m) << f)) & MASK
    raise AssertionError(name)


values = st.integers(min_value=-(2**40), max_value=2**40)
shifts = st.integers(min_value=-40, max_value=40)


@given(a=values, b=values, c=values)
@settings(max_examples=40, deadline=None)
def test_bitwise_folds_match_the_model(version: str, a: int, b: int, c: int) -> None:
    bit32 = process_globals(version).bit32
    for name in ("band", "bor", "bxor", "btest"):
        assert getattr(bit32, name)(a, b, c) == model(name, a, b, c), name
        assert getattr(bit32, name)(a) == model(name, a), name
    assert bit32.bnot(a) == model("bnot", a)


@given(x=values, disp=shifts)
@settings(max_examples=40, deadline=None)
def test_shifts_and_rotations_match_the_model(version: str, x: int, disp: int) -> None:
    bit32 = process_globals(version).bit32
    for name in ("lshift", "rshift", "arshift", "lrotate", "rrotate"):
        assert getattr(bit32, name)(x, disp) == model(name, x, disp), (name, x, disp)


fields = st.integers(min_value=0, max_value=31).flatmap(
    lambda f: st.tuples(st.just(f), st.integers(min_value=1, max_value=32 - f))
)


@given(x=values, v=values, fw=fields)
@settings(max_examples=40, deadline=None)
def test_extract_and_replace_match_the_model(version: str, x: int, v: int, fw: tuple[int, int]) -> None:
    bit32 = process_globals(version).bit32
    f, w = fw
    assert bit32.extract(x, f, w) == model("extract", x, f, w)
    assert bit32.replace(x, v, f, w) == model("replace", x, v, f, w)
    assert bit32.extract(x, f) == model("extract", x, f)


# (function, arguments, live's pcall result: the value, or "error: <message after 'to <name>'>")
LIVE_BIT32: list[tuple[str, tuple[Any, ...], Any]] = [
    ("band", (), 4294967295),
    ("bor", (), 0),
    ("bxor", (), 0),
    ("band", (0xF0F0, 0xFF00), 61440),
    ("bor", (1, 2, 4, 8), 15),
    ("bxor", (-1, 5), 4294967290),
    ("band", (-1,), 4294967295),
    ("band", (2**32 + 3, 7), 3),
    ("bnot", (0,), 4294967295),
    ("bnot", (-1,), 0),
    ("bnot", (5,), 4294967290),
    ("bnot", (2**40,), 4294967295),
    ("btest", (1, 2), False),
    ("btest", (3, 2), True),
    ("btest", (), True),
    ("lshift", (1, 31), 2147483648),
    ("lshift", (1, 32), 0),
    ("lshift", (1, -1), 0),
    ("lshift", (0xFFFFFFFF, 4), 4294967280),
    ("lshift", (5, -40), 0),
    ("lshift", (-1, 0), 4294967295),
    ("rshift", (0x80000000, 31), 1),
    ("rshift", (-1, 28), 15),
    ("rshift", (1, -31), 2147483648),
    ("rshift", (7, 32), 0),
    ("rshift", (7, -32), 0),
    ("arshift", (0x80000000, 4), 4160749568),
    ("arshift", (-256, 4), 4294967280),
    ("arshift", (0x7FFFFFFF, 4), 134217727),
    ("arshift", (-1, 40), 4294967295),
    ("arshift", (-8, -2), 4294967264),
    ("arshift", (0x80000000, 31), 4294967295),
    ("arshift", (0x80000000, 32), 4294967295),
    ("lrotate", (0x80000001, 1), 3),
    ("lrotate", (1, -1), 2147483648),
    ("lrotate", (0x12345678, 36), 591751041),
    ("rrotate", (1, 1), 2147483648),
    ("rrotate", (0x12345678, -4), 591751041),
    ("rrotate", (5, 0), 5),
    ("extract", (0xF0, 4, 4), 15),
    ("extract", (-1, 31), 1),
    ("extract", (0x12345678, 0, 32), 305419896),
    ("extract", (0x12345678, 8), 0),
    ("replace", (0, 0xF, 4, 4), 240),
    ("replace", (-1, 0, 0, 32), 0),
    ("replace", (0x12345678, 1, 31), 2452903544),
    ("replace", (0x12345678, 0xFFFF, 8, 8), 305463160),
    ("extract", (1, -1), "error: bad argument #2 to 'extract' (field cannot be negative)"),
    ("extract", (1, 0, 0), "error: bad argument #3 to 'extract' (width must be positive)"),
    ("extract", (1, 30, 3), "error: trying to access non-existent bits"),
    ("replace", (1, 1, 32), "error: trying to access non-existent bits"),
    ("band", (1.5,), "error: bad argument #1 to 'band' (number has no integer representation)"),
    ("band", ("3", "5"), 1),
    ("band", ("x",), "error: bad argument #1 to 'band' (number expected, got string)"),
    ("lshift", (1,), "error: bad argument #2 to 'lshift' (number expected, got no value)"),
    ("bnot", (), "error: bad argument #1 to 'bnot' (number expected, got no value)"),
    ("band", (1, None, 3), "error: bad argument #2 to 'band' (number expected, got nil)"),
]

# Lua 5.2's own bit32 is kept there (the brief's "native where the Lua has it"); it rounds a
# fractional argument instead of refusing it.
NATIVE_52_DIFFERS = {("band", (1.5,))}


@pytest.mark.parametrize(("name", "args", "expected"), LIVE_BIT32, ids=lambda v: str(v))
def test_bit32_matches_live_values(version: str, name: str, args: tuple[Any, ...], expected: Any) -> None:
    if version == "5.2" and (name, args) in NATIVE_52_DIFFERS:
        pytest.skip("Lua 5.2 keeps its native bit32, which rounds fractional arguments (README, Limits)")
    ok, value = _pcall(process_globals(version), name, args)
    if isinstance(expected, str):
        assert not ok
        assert str(value).endswith(expected.removeprefix("error: ").split(" to '", 1)[-1]), value
    else:
        assert ok, value
        assert value == expected
        if version in ("5.3", "5.4", "5.5"):
            assert type(value) is type(expected)


def _pcall(g: Any, name: str, args: tuple[Any, ...]) -> tuple[bool, Any]:
    runner = compile_in(
        g,
        "local name, n = ...; local args = {select(3, ...)}; "
        "return pcall(bit32[name], (table.unpack or unpack)(args, 1, n))",
    )
    res = runner(name, len(args), *args)
    return (res[0], res[1]) if isinstance(res, tuple) else (res, None)


def test_bit32_results_are_integers_on_integer_luas(version: str) -> None:
    if version not in ("5.3", "5.4", "5.5"):
        pytest.skip(f"Lua {version} has no integer subtype")
    assert call(version, "math.type(bit32.band(-1))") == "integer"
    assert call(version, "tostring(bit32.bnot(0))") == "4294967295"


# -- math ---------------------------------------------------------------------------------------

# x, cosh, sinh, tanh, frexp mantissa, frexp exponent, log10 (live's values, %.17g)
LIVE_MATH = [
    (0.5, 1.1276259652063807, 0.52109530549374738, 0.46211715726000974, 0.5, 0, -0.3010299956639812),
    (-0.5, 1.1276259652063807, -0.52109530549374738, -0.46211715726000974, -0.5, 0, None),
    (1.0, 1.5430806348152437, 1.1752011936438014, 0.76159415595576485, 0.5, 1, 0.0),
    (1e-10, 1.0, 1e-10, 1e-10, 0.85899345920000003, -33, -10.0),
    (3.25, 12.914557062512392, 12.87578285468067, 0.99699763548652598, 0.8125, 2, 0.51188336097887432),
    (-7.5, 904.02148377021661, -904.02093068584657, -0.99999938819554612, -0.9375, 3, None),
    (20.0, 242582597.70489514, 242582597.70489514, 1.0, 0.625, 5, 1.3010299956639813),
    (100.0, 1.3440585709080678e43, 1.3440585709080678e43, 1.0, 0.78125, 7, 2.0),
    (710.0, 1.1169973830808555e308, 1.1169973830808555e308, 1.0, 0.693359375, 10, 2.8512583487190755),
    (711.0, math.inf, math.inf, 1.0, 0.6943359375, 10, 2.8518696007297661),
    (-711.0, math.inf, -math.inf, -1.0, -0.6943359375, 10, None),
    (1e-300, 1.0, 1e-300, 1e-300, 0.66969287949141709, -996, -300.0),
    (5e-324, 1.0, 5e-324, 5e-324, 0.5, -1073, -323.30621534311581),
    (1.7976931348623157e308, math.inf, math.inf, 1.0, 0.99999999999999989, 1024, 308.25471555991675),
]


def _close(a: float, b: float) -> bool:
    """Equal, or within 2 ulp: off-live Lua computes the hyperbolic functions itself (README,
    Limits), and the host's C library may round the last bit differently from live's."""
    if a == b or (math.isnan(a) and math.isnan(b)):
        return True
    return math.isfinite(a) and math.isfinite(b) and abs(a - b) <= 2 * math.ulp(max(abs(a), abs(b)))


@pytest.mark.parametrize("row", LIVE_MATH, ids=lambda r: repr(r[0]))
def test_math_compat_matches_live(version: str, row: tuple[Any, ...]) -> None:
    x, cosh, sinh, tanh, mant, exp, log10 = row
    g = process_globals(version)
    assert _close(g.math.cosh(x), cosh)
    assert _close(g.math.sinh(x), sinh)
    assert _close(g.math.tanh(x), tanh)
    m, e = g.math.frexp(x)
    assert (m, e) == (mant, exp)
    if log10 is not None:
        assert _close(g.math.log10(x), log10)


@pytest.mark.parametrize(
    ("a", "b", "ldexp"),
    [(1, 0, 1.0), (0.5, 1024, 8.9884656743115795e307), (1, -1074, 5e-324), (1, -1075, 0.0), (3, 2, 12.0),
     (1.5, -1, 0.75), (0.75, 2000, math.inf), (4, -1076, 5e-324)],
)
def test_ldexp_matches_live(version: str, a: float, b: int, ldexp: float) -> None:
    assert process_globals(version).math.ldexp(a, b) == ldexp


def test_pow_atan2_and_errors_match_live(version: str) -> None:
    m = process_globals(version).math
    assert m.pow(2, 10) == 1024.0
    assert m.pow(2, 0.5) == 1.4142135623730951
    assert m.pow(10, -2) == 0.01
    assert math.isnan(m.pow(-8, 1 / 3))
    assert m.atan2(1, 1) == 0.78539816339744828
    assert m.atan2(-1, -1) == -2.3561944901923448
    assert m.atan2(0, -1) == 3.1415926535897931
    msg = call(version, "select(2, pcall(math.ldexp, 1, 1.5))")
    assert msg.endswith("(number has no integer representation)")
    if version in ("5.3", "5.4", "5.5"):
        assert call(version, "math.type(select(2, math.frexp(8)))") == "integer"
        assert call(version, "math.type(math.pow(2, 2))") == "float"


# -- ipairs -------------------------------------------------------------------------------------


def test_ipairs_honours_ipairs_metamethod_and_index(version: str) -> None:
    code = """function()
      local out = {}
      local t = setmetatable({}, {__ipairs = function(t)
        return function(_, i) if i < 3 then return i + 1, i * 10 end end, t, 0 end})
      for i, v in ipairs(t) do out[#out + 1] = i .. '=' .. v end
      local p = setmetatable({}, {__index = function(_, i) if i <= 4 then return i * i end end})
      for i, v in ipairs(p) do out[#out + 1] = i .. '=' .. v end
      out[#out + 1] = select('#', ipairs(setmetatable({}, {__ipairs = function() return 1, 2, 3, 4, 5 end})))
      out[#out + 1] = tostring(pcall(function() for _ in ipairs(nil) do end end))
      out[#out + 1] = tostring(pcall(ipairs, nil))
      return table.concat(out, ',')
    end"""
    # live: 1=0,2=10,3=20 / 1=1,2=4,3=9,4=16 / 3 results / iterating nil fails / ipairs(nil) itself does not
    assert call(version, code)() == "1=0,2=10,3=20,1=1,2=4,3=9,4=16,3,false,true"


# -- the module on its own -----------------------------------------------------------------------


def test_compat_loads_into_a_plain_lua(version: str) -> None:
    lua = new_runtime(version)
    loader = lua.eval("function(src) return (loadstring or load)(src, '@compat.lua') end")
    compat = loader(COMPAT.read_text(encoding="utf-8"))()
    opts = lua.table_from({"bit": lua.eval("rawget(_G, 'bit')")})
    compat.install(lua.globals(), opts)
    assert lua.eval("bit32.bxor(5, 3)") == 6
    assert lua.eval("bit32.arshift(-256, 4)") == 4294967280
    assert lua.eval("math.pow(2, 3)") == 8
    assert lua.eval("package.loaded.bit32 == bit32")
    impl = compat.build(opts)[1]
    expected = {"5.1": "arithmetic", "5.2": "arithmetic", "jit": "bit"}.get(version, "native")
    assert impl == expected


def test_argument_errors_point_at_the_calling_line(version: str) -> None:
    """Like a C library function's luaL_error: the position is the Lua line that called."""
    text = call(version, "select(2, pcall(function()\n local r = bit32.band('x')\n return r end))")
    assert re.fullmatch(r'\[string ".*"\]:2: bad argument #1 to \'band\' \(number expected, got string\)', text, re.S)
    text = call(version, "select(2, pcall(function()\n\n local r = math.ldexp(1, 0.5)\n return r end))")
    assert re.search(r'"\]:3: bad argument #2 to \'ldexp\'', text)
