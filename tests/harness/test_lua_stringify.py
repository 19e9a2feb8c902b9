"""harness/lua/lib/stringify.lua: the coloured table printer behind aos's print (docs/aos-semantics.md §5.4).

The layout is ours (documented at the top of stringify.lua); ``reference`` below re-implements that
documentation in Python, and hypothesis checks the Lua output against it on every Lua.
"""

from __future__ import annotations

import random
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.harness.lualib_helpers import VERSION_PARAMS, cached_module, global_names, new_lua

GREEN, BLUE, RED, GRAY, RESET = "\x1b[32m", "\x1b[34m", "\x1b[31m", "\x1b[90m", "\x1b[0m"
COLOUR = re.compile("\x1b\\[\\d+m")


def plain(text: str) -> str:
    return COLOUR.sub("", text)


@pytest.fixture(params=VERSION_PARAMS)
def version(request: pytest.FixtureRequest) -> str:
    return request.param


def fmt(version: str, lua_expr: str) -> str:
    lua, _ = cached_module(version, ".stringify")
    return lua.eval(f"require('.stringify').format({lua_expr})")


# -- the documented format, in Python ---------------------------------------------------------------


def quote(s: str) -> str:
    out = []
    for b in s.encode():
        c = chr(b)
        if c in '\\"':
            out.append("\\" + c)
        elif c in "\n\r\t":
            out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t"}[c])
        elif b < 32 or b == 127:
            out.append(f"\\{b:03d}")
        else:
            out.append(chr(b))
    return '"' + "".join(out).encode("latin-1").decode() + '"'


def is_simple_array(d: dict[Any, Any]) -> bool:
    keys = list(d)
    return all(type(k) is int for k in keys) and sorted(keys) == list(range(1, len(keys) + 1))


def reference(v: Any, depth: int = 0) -> str:
    if isinstance(v, bool):
        return BLUE + ("true" if v else "false") + RESET
    if isinstance(v, int):
        return GREEN + str(v) + RESET
    if isinstance(v, str):
        return GREEN + quote(v) + RESET
    if v is None:
        return RED + "nil" + RESET
    items = dict(enumerate(v, 1)) if isinstance(v, list) else v
    if not items:
        return "{}"
    if is_simple_array(items):
        parts = [reference(items[i], depth + 1) for i in range(1, len(items) + 1)]
    else:
        keys = sorted(items, key=lambda k: (isinstance(k, str), k))
        parts = []
        for k in keys:
            if isinstance(k, str) and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", k):
                key = GREEN + k + RESET
            else:
                key = "[" + reference(k) + "]"
            parts.append(key + " = " + reference(items[k], depth + 1))
    line = "{ " + ", ".join(parts) + " }"
    if "\n" not in line and len(plain(line).encode()) + depth * 2 <= 80:
        return line
    inner = "  " * (depth + 1)
    return "{\n" + inner + (",\n" + inner).join(parts) + "\n" + "  " * depth + "}"


def to_lua(lua: Any, value: Any, order: random.Random) -> Any:
    """Build the Lua table for *value*, inserting keys in a shuffled order."""
    if isinstance(value, list):
        value = dict(enumerate(value, 1))
    if not isinstance(value, dict):
        return value
    t = lua.table()
    keys = list(value)
    order.shuffle(keys)
    for k in keys:
        t[k] = to_lua(lua, value[k], order)
    return t


# -- tests -------------------------------------------------------------------------------------------


def test_module_defines_no_globals(version: str) -> None:
    lua = new_lua(version)
    before = global_names(lua)
    mod = lua.eval("(require('.stringify'))")
    assert global_names(lua) == before
    assert mod.format(lua.eval("{}")) == "{}"


def test_scalars_are_coloured(version: str) -> None:
    assert fmt(version, "42") == GREEN + "42" + RESET
    assert fmt(version, "'hi'") == GREEN + '"hi"' + RESET
    assert fmt(version, "true") == BLUE + "true" + RESET
    assert fmt(version, "nil") == RED + "nil" + RESET
    assert fmt(version, "print") == GRAY + "<function>" + RESET
    assert (
        fmt(version, "'a\"b\\\\c\\n' .. string.char(1, 127)") == GREEN + '"a\\"b\\\\c\\n\\001\\127"' + RESET
    )


def test_arrays_and_objects(version: str) -> None:
    assert plain(fmt(version, "{1, 2, {3}}")) == "{ 1, 2, { 3 } }"
    assert plain(fmt(version, "{b = 2, a = 'x', [1] = true}")) == '{ [1] = true, a = "x", b = 2 }'
    assert plain(fmt(version, "{['a b'] = 1, [-1] = 0, [2] = 'two', z = {}}")) == (
        '{ [-1] = 0, [2] = "two", ["a b"] = 1, z = {} }'
    )
    coloured = fmt(version, "{x = 1}")
    assert coloured == "{ " + GREEN + "x" + RESET + " = " + GREEN + "1" + RESET + " }"


def test_long_tables_break_into_indented_lines(version: str) -> None:
    out = plain(
        fmt(version, "{name = string.rep('n', 50), list = {1, 2, 3}, more = {deep = string.rep('d', 70)}}")
    )
    assert out == (
        f'{{\n  list = {{ 1, 2, 3 }},\n  more = {{\n    deep = "{"d" * 70}"\n  }},\n  name = "{"n" * 50}"\n}}'
    )


def test_cycles_print_as_cycle(version: str) -> None:
    out = fmt(version, "(function() local t = {a = 1} t.self = t t.sub = {up = t} return t end)()")
    assert plain(out) == "{ a = 1, self = <cycle>, sub = { up = <cycle> } }"
    assert GRAY + "<cycle>" + RESET in out
    # a table reached twice without a cycle is printed both times
    assert plain(fmt(version, "(function() local s = {1} return {s, s} end)()")) == "{ { 1 }, { 1 } }"


def test_metamethods_are_not_called(version: str) -> None:
    expr = (
        "setmetatable({a = 1}, {__index = function() error('no') end, __pairs = function() error('no') end})"
    )
    assert plain(fmt(version, expr)) == "{ a = 1 }"


def test_is_simple_array(version: str) -> None:
    lua, mod = cached_module(version, ".stringify")
    cases = {
        "{}": True,
        "{1, 2}": True,
        "{[1] = 'a', [2] = 'b'}": True,
        "{1, nil, 3}": False,
        "{[2] = 1}": False,
        "{1, x = 2}": False,
        "{[1.5] = 1}": False,
        "{[0] = 1, 2}": False,
        "'s'": False,
    }
    for expr, expected in cases.items():
        assert mod.isSimpleArray(lua.eval(expr)) is expected, expr


KEYS = st.integers(-3, 12) | st.text(alphabet="abz_ 9é", min_size=1, max_size=6)
SCALAR = st.booleans() | st.integers(-(2**31), 2**31) | st.text(max_size=12)
VALUES = st.recursive(
    SCALAR,
    lambda inner: st.lists(inner, max_size=6) | st.dictionaries(KEYS, inner, max_size=6),
    max_leaves=25,
)


@pytest.mark.parametrize("version", VERSION_PARAMS)
@settings(max_examples=60, deadline=None)
@given(value=VALUES, seed=st.integers(0, 2**16))
def test_matches_the_documented_format_in_any_insertion_order(version: str, value: Any, seed: int) -> None:
    lua, mod = cached_module(version, ".stringify")
    expected = reference(value)
    assert mod.format(to_lua(lua, value, random.Random(seed))) == expected
    assert mod.format(to_lua(lua, value, random.Random(seed + 1))) == expected
