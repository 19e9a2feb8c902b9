"""harness/lua/lib/json.lua: the aos dev-cli json quirks (docs/aos-semantics.md §6, gotchas 17/18) on every Lua."""

from __future__ import annotations

import json as pyjson
import math
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.harness.lualib_helpers import (
    INTEGER_PARAMS,
    VERSION_PARAMS,
    cached_module,
    global_names,
    new_lua,
    to_py,
)


@pytest.fixture(params=VERSION_PARAMS)
def version(request: pytest.FixtureRequest) -> str:
    return request.param


def enc(version: str, lua_expr: str) -> str:
    """json.encode(<lua_expr>) on *version*."""
    lua, _ = cached_module(version, "json")
    return lua.eval(f"require('json').encode({lua_expr})")


def enc_error(version: str, lua_expr: str) -> str:
    lua, _ = cached_module(version, "json")
    ok, err = lua.eval(f"pcall(require('json').encode, {lua_expr})")
    assert ok is False, f"encode({lua_expr}) should raise"
    return str(err)


def dec(version: str, text: str) -> Any:
    _, json = cached_module(version, "json")
    return to_py(json.decode(text))


def dec_error(version: str, text: str) -> str:
    lua, json = cached_module(version, "json")
    ok, err = lua.eval("pcall")(json.decode, text)
    assert ok is False, f"decode({text!r}) should raise"
    return str(err)


# -- loading ------------------------------------------------------------------------------------


def test_module_defines_no_globals(version: str) -> None:
    lua = new_lua(version)
    before = global_names(lua)
    json = lua.eval("(require('json'))")
    assert global_names(lua) == before
    assert json.encode is not None and json.decode is not None


# -- encode -------------------------------------------------------------------------------------


def test_empty_table_and_arrays(version: str) -> None:
    assert enc(version, "{}") == "[]"
    assert enc(version, "{1, 2, 3}") == "[1,2,3]"
    assert enc(version, "{{}, {{}}}") == "[[],[[]]]"
    assert enc(version, "{'a', true, false}") == '["a",true,false]'


def test_objects_have_string_keys_in_sorted_order(version: str) -> None:
    assert enc(version, "{b = 1, a = 'x', c = {d = true}}") == '{"a":"x","b":1,"c":{"d":true}}'
    assert enc(version, "{['with space'] = 1}") == '{"with space":1}'


def test_a_table_with_index_1_is_an_array_and_extra_keys_raise(version: str) -> None:
    assert "mixed or invalid key types" in enc_error(version, "{1, 2, x = 3}")
    assert "sparse array" in enc_error(version, "{[1] = 1, [2] = 2, [4] = 4}")
    assert "sparse array" in enc_error(version, "{[1] = 1, [1.5] = 2}")


def test_object_keys_must_be_strings(version: str) -> None:
    assert "mixed or invalid key types" in enc_error(version, "{[2] = 'two'}")
    assert "mixed or invalid key types" in enc_error(version, "{a = 1, [true] = 2}")
    assert "mixed or invalid key types" in enc_error(version, "{a = 1, [3] = 2}")


def test_function_fields_of_objects_are_skipped(version: str) -> None:
    assert enc(version, "{a = 1, f = function() end}") == '{"a":1}'
    assert enc(version, "{f = function() end}") == "{}"
    # ... but a function anywhere else is an error
    assert "unexpected type 'function'" in enc_error(version, "{1, function() end}")
    assert "unexpected type 'function'" in enc_error(version, "print")


def test_numbers_use_percent_14g(version: str) -> None:
    cases = [  # (Lua expression, the same number in Python, expected text)
        ("10", 10, "10"),
        ("-7", -7, "-7"),
        ("0", 0, "0"),
        ("1.5", 1.5, "1.5"),
        ("0.1", 0.1, "0.1"),
        ("1/3", 1 / 3, "0.33333333333333"),
        ("1e16", 1e16, "1e+16"),
        ("12345678901234567", 12345678901234567, "1.2345678901235e+16"),
        ("2^53", 2.0**53, "9.007199254741e+15"),
        ("1e-7", 1e-7, "1e-07"),
        ("100000000000000", 100000000000000, "1e+14"),
        ("99999999999999", 99999999999999, "99999999999999"),
    ]
    for lua_expr, number, expected in cases:
        assert enc(version, lua_expr) == expected, lua_expr
        assert format(number, ".14g") == expected  # C's %.14g, which Python's format follows


def test_integers_on_53_plus_are_formatted_like_floats() -> None:
    for v in ("5.3", "5.4", "5.5"):
        assert enc(v, "10") == "10"
        assert enc(v, "math.maxinteger") == "9.2233720368548e+18"
        assert enc(v, "10 // 1") == "10"
        assert enc(v, "3.0") == "3"


def test_nan_and_infinities_raise(version: str) -> None:
    for expr in ("0/0", "1/0", "-1/0", "{1, 1/0}", "{a = 0/0}"):
        assert "unexpected number value" in enc_error(version, expr), expr


def test_strings_are_escaped(version: str) -> None:
    lua, json = cached_module(version, "json")
    text = lua.eval("""'q"b\\\\s/n\\nt\\tr\\rb\\bf\\f' .. string.char(0, 1, 31, 127) .. 'é'""")
    out = json.encode(text)
    assert out == '"q\\"b\\\\s/n\\nt\\tr\\rb\\bf\\f\\u0000\\u0001\\u001f\x7fé"'
    assert pyjson.loads(out) == text


def test_nil_and_booleans(version: str) -> None:
    assert enc(version, "nil") == "null"
    assert enc(version, "true") == "true"
    assert enc(version, "{a = false}") == '{"a":false}'
    assert enc(version, "{a = nil, b = 1}") == '{"b":1}'


def test_cycles_raise(version: str) -> None:
    assert "circular reference" in enc_error(version, "(function() local t = {} t.me = t return t end)()")
    assert "circular reference" in enc_error(version, "(function() local t = {} t[1] = {t} return t end)()")
    # the same table twice (not a cycle) is fine
    assert enc(version, "(function() local s = {1} return {s, s} end)()") == "[[1],[1]]"


# -- decode -------------------------------------------------------------------------------------


def test_decode_values(version: str) -> None:
    assert dec(version, '{"a": [1, 2, {"b": "c"}], "d": true, "e": false}') == {
        "a": [1, 2, {"b": "c"}],
        "d": True,
        "e": False,
    }
    assert dec(version, ' \n\t"x" \r\n') == "x"
    assert dec(version, "-12.5e1") == -125.0
    assert dec(version, "[]") == []
    assert dec(version, "{}") == []  # an empty table either way


def test_null_makes_keys_disappear(version: str) -> None:
    lua, json = cached_module(version, "json")
    t = json.decode('{"a": null, "b": 1}')
    assert to_py(t) == {"b": 1}
    assert lua.eval("function(t) local n = 0 for _ in pairs(t) do n = n + 1 end return n end")(t) == 1
    assert dec(version, "null") is None
    holes = json.decode("[1, null, 3]")
    assert (holes[1], holes[2], holes[3]) == (1, None, 3)


@pytest.mark.parametrize("version", INTEGER_PARAMS)
def test_numbers_go_through_tonumber_integer_subtype(version: str) -> None:
    lua, _ = cached_module(version, "json")
    types = lua.eval("function(s) local v = require('json').decode(s) return math.type(v), tostring(v) end")
    assert tuple(types("10")) == ("integer", "10")
    assert tuple(types("-3")) == ("integer", "-3")
    assert tuple(types("1.0")) == ("float", "1.0")
    assert tuple(types("1e2")) == ("float", "100.0")
    assert lua.eval("math.type(require('json').decode('[7]')[1])") == "integer"


def test_unicode_escapes_become_utf8(version: str) -> None:
    assert dec(version, '"\\u0041\\u00e9\\u20ac"') == "Aé€"
    assert dec(version, '"\\ud83d\\ude00!"') == "😀!"  # surrogate pair -> one 4-byte character
    assert dec(version, '"\\/\\"\\\\\\b\\f\\n\\r\\t"') == '/"\\\b\f\n\r\t'
    assert dec(version, '"raw é 😀 \x7f"') == "raw é 😀 \x7f"


# the messages the live module's json.decode gives for these inputs (read from the aos 2.0.6 binary)
@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"a": tru}', "invalid literal 'tru' at line 1 col 7"),
        ('{\n  "a": 1,\n  "b" 2\n}', "expected ':' after key at line 3 col 7"),
        ("[1, 2", "expected ']' or ',' at line 1 col 7"),
        ('"abc', "expected closing quote for string at line 1 col 1"),
        ('"a\\qb"', "invalid escape char 'q' in string at line 1 col 3"),
        ('"a\\u12"', "invalid unicode escape in string at line 1 col 3"),
        ('"a\nb"', "control character in string at line 1 col 3"),
        ("[1 2]", "expected ']' or ',' at line 1 col 5"),
        ("{1: 2}", "expected string for key at line 1 col 2"),
        ('{"a": 1 "b": 2}', "expected '}' or ',' at line 1 col 10"),
        ("1 2", "trailing garbage at line 1 col 3"),
        ("", "unexpected character '' at line 1 col 1"),
        ("-", "invalid number '-' at line 1 col 1"),
        ("1e", "invalid number '1e' at line 1 col 1"),
        ("\n\n   @", "unexpected character '@' at line 3 col 4"),
    ],
)
def test_decode_errors_are_live_s(version: str, text: str, message: str) -> None:
    err = dec_error(version, text)
    # a chunk position in front, as live's error() adds one
    assert re.fullmatch(r".+:\d+: " + re.escape(message), err), err


def test_decode_accepts_what_live_accepts(version: str) -> None:
    assert dec(version, "[1,2,]") == [1, 2]  # a trailing comma
    assert dec(version, '{"a":[1,],}') == {"a": [1]}
    assert dec(version, "0x10") == 16  # a number is whatever tonumber reads up to a delimiter
    assert dec(version, " 01 ") == 1


def test_decode_rejects_non_strings(version: str) -> None:
    lua, _ = cached_module(version, "json")
    ok, err = lua.eval("pcall(require('json').decode, 42)")
    assert ok is False and "expected argument of type string, got number" in err


# -- round trips with Python's json ---------------------------------------------------------------

EXACT_FLOATS = st.floats(allow_nan=False, allow_infinity=False).filter(
    lambda x: float(format(x, ".14g")) == x
)
SCALARS = (
    st.none() | st.booleans() | st.integers(-(10**14) + 1, 10**14 - 1) | EXACT_FLOATS | st.text(max_size=20)
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner.filter(lambda v: v is not None), max_size=5)
        | st.dictionaries(st.text(max_size=8), inner, max_size=5)
    ),
    max_leaves=20,
)


def normalise(v: Any) -> Any:
    """What a value looks like after a trip through Lua: null keys vanish, {} becomes []."""
    if isinstance(v, dict):
        d = {k: normalise(x) for k, x in v.items() if x is not None}
        return d or []
    if isinstance(v, list):
        return [normalise(x) for x in v]
    return v


@pytest.mark.parametrize("version", VERSION_PARAMS)
@settings(max_examples=60, deadline=None)
@given(value=VALUES, ascii_only=st.booleans())
def test_round_trips_with_python_json(version: str, value: Any, ascii_only: bool) -> None:
    _, json = cached_module(version, "json")
    expected = normalise(value)
    # Python -> Lua
    assert dec(version, pyjson.dumps(value, ensure_ascii=ascii_only)) == expected
    # Lua -> Python (through a Lua value built by our own decoder)
    encoded = json.encode(json.decode(pyjson.dumps(value)))
    assert normalise(pyjson.loads(encoded)) == expected
    # Lua -> Lua keeps the value (not always the text: "-0" decodes to the integer 0 on 5.3+)
    assert pyjson.loads(json.encode(json.decode(encoded))) == pyjson.loads(encoded)


@pytest.mark.parametrize("version", VERSION_PARAMS)
@settings(max_examples=80, deadline=None)
@given(text=st.text())
def test_any_string_encodes_to_valid_json(version: str, text: str) -> None:
    _, json = cached_module(version, "json")
    out = json.encode(text)
    assert pyjson.loads(out) == text
    assert not any(ord(c) < 0x20 for c in out)
    assert json.decode(out) == text


# -- speed (measured, not asserted) ---------------------------------------------------------------

BODY = pyjson.dumps(
    {
        "Action": "Transfer",
        "Recipient": "Sg2jPoV9rbyHMTPeYBbp2MpmIOLEqVw47Xn8Lg7Xy6w",
        "Quantity": "1000000000000",
        "X-Note": "thanks for lunch \u00e9",
        "Items": [1, 2, 3, {"id": 4, "ok": True}],
        "Nested": {"a": {"b": {"c": None, "d": 1.5}}},
    }
)


def test_decode_speed_small_body_lua53(capsys: pytest.CaptureFixture[str]) -> None:
    lua, _ = cached_module("5.3", "json")
    bench = lua.eval(
        """function(body, n)
          local decode = require('json').decode
          local clock = os.clock
          local t0 = clock()
          for _ = 1, n do decode(body) end
          return clock() - t0
        end"""
    )
    n = 20000
    elapsed = bench(BODY, n)
    per = elapsed / n * 1e6
    with capsys.disabled():
        print(f"\njson.decode on Lua 5.3: {len(BODY)}-byte body, {per:.2f} us per decode ({n} runs)")
    assert elapsed > 0 and math.isfinite(per)
    # and the body decodes to what Python sees
    assert dec("5.3", BODY) == normalise(pyjson.loads(BODY))
