"""harness/lua/lib/stringify.lua: the coloured table printer behind aos's print and Eval output.

It follows the live module's stringify (aos 2.0.6): the exact texts below were read from that
binary (tests/live_module compares more cases against it).  ``reference`` re-implements the
algorithm documented at the top of stringify.lua in Python, over the harness's sorted ``pairs``
order, and hypothesis checks the Lua output against it on every Lua.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.harness.lualib_helpers import VERSION_PARAMS, cached_module, global_names, new_lua

GREEN, BLUE, RED, RESET = "\x1b[32m", "\x1b[34m", "\x1b[31m", "\x1b[0m"


@pytest.fixture(params=VERSION_PARAMS)
def version(request: pytest.FixtureRequest) -> str:
    return request.param


def fmt(version: str, lua_expr: str) -> str:
    lua, _ = cached_module(version, ".stringify")
    return lua.eval(f"require('.stringify').format({lua_expr})")


# -- the documented algorithm, in Python (keys in the harness's pairs order) -------------------------


def pairs_order(d: dict[Any, Any]) -> list[Any]:
    numbers = sorted(k for k in d if isinstance(k, int) and not isinstance(k, bool))
    strings = sorted((k for k in d if isinstance(k, str)), key=lambda s: s.encode())
    return numbers + strings


def lua_tostring(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def scalar(v: Any) -> str:
    if isinstance(v, str):
        return f'{GREEN}"{v}"{RESET}'
    return f"{BLUE}{lua_tostring(v)}{RESET}"


def as_dict(v: Any) -> dict[Any, Any]:
    return dict(enumerate(v, 1)) if isinstance(v, list) else v


def reference(t: Any, indent: int = 0) -> str:
    t = as_dict(t)
    keys = pairs_order(t)
    if all(k == i for i, k in enumerate(keys, 1)) and all(
        isinstance(t[k], int | str) and not isinstance(t[k], bool) for k in keys
    ):
        return "{ " + ", ".join(scalar(t[k]) for k in keys) + " }"
    pad, child = " " * indent, " " * (indent + 2)
    parts: list[str] = []
    array_part, next_index = True, 1
    for k in keys:
        v = t[k]
        text = reference(v, indent + 2) if isinstance(v, dict | list) else scalar(v)
        if array_part and k == next_index:
            next_index += 1
            parts.append(child + text)
        else:
            if array_part:
                array_part, parts = False, []
            parts.append(f"{child}{RED}{lua_tostring(k)}{RESET} = {text}")
    if array_part:
        return "{\n" + ",\n".join(parts) + "\n" + pad + " }"
    return "{\n " + ",\n ".join(parts) + "\n" + pad + "}"


def to_lua(lua: Any, value: Any, order: random.Random) -> Any:
    """Build the Lua table for *value*, inserting keys in a shuffled order."""
    value = as_dict(value)
    if not isinstance(value, dict):
        return value
    t = lua.table()
    keys = list(value)
    order.shuffle(keys)
    for k in keys:
        t[k] = to_lua(lua, value[k], order)
    return t


# -- the live module's texts -------------------------------------------------------------------------


def test_texts_read_from_the_live_module(version: str) -> None:
    # format({1, 2, 3}), format({}), format({a = {b = {c = {d = {}}}}}) in aos 2.0.6
    assert fmt(version, "{1, 2, 3}") == f"{{ {BLUE}1{RESET}, {BLUE}2{RESET}, {BLUE}3{RESET} }}"
    assert fmt(version, "{}") == "{  }"
    nested = (
        f"{{\n   {RED}a{RESET} = {{\n     {RED}b{RESET} = {{\n       {RED}c{RESET} = {{\n"
        f"         {RED}d{RESET} = {{  }}\n      }}\n    }}\n  }}\n}}"
    )
    assert fmt(version, "{a = {b = {c = {d = {}}}}}") == nested
    # format({a = 1, b = {c = 2, d = "x"}}): live lists a before b too
    keyed = (
        f'{{\n   {RED}a{RESET} = {BLUE}1{RESET},\n   {RED}b{RESET} = {{\n     {RED}c{RESET} = {BLUE}2{RESET},\n'
        f'     {RED}d{RESET} = {GREEN}"x"{RESET}\n  }}\n}}'
    )
    assert fmt(version, "{a = 1, b = {c = 2, d = 'x'}}") == keyed


def test_module_defines_no_globals(version: str) -> None:
    lua = new_lua(version)
    before = global_names(lua)
    mod = lua.eval("(require('.stringify'))")
    assert global_names(lua) == before
    assert mod._version == "0.0.1"


def test_strings_are_not_escaped_and_booleans_are_blue(version: str) -> None:
    assert fmt(version, "{'a\"b'}") == f'{{ {GREEN}"a"b"{RESET} }}'
    assert fmt(version, "{x = true}") == f"{{\n   {RED}x{RESET} = {BLUE}true{RESET}\n}}"


def test_an_array_of_tables_uses_the_array_layout(version: str) -> None:
    assert fmt(version, "{{1}, {2}}") == f"{{\n  {{ {BLUE}1{RESET} }},\n  {{ {BLUE}2{RESET} }}\n }}"


def test_array_entries_before_the_first_other_key_are_dropped(version: str) -> None:
    # live's quirk: once a key breaks the 1, 2, ... run, what was written so far is discarded
    assert fmt(version, "{'p', true, z = 1}") == f"{{\n   {RED}z{RESET} = {BLUE}1{RESET}\n}}"


def test_a_repeated_keyed_table_is_a_circular_reference(version: str) -> None:
    lua, _ = cached_module(version, ".stringify")
    out = lua.eval("(function() local t = {} local s = {x = t, y = t} return require('.stringify').format(s) end)()")
    assert out == "<circular reference>"  # live: one visited set per keyed table, siblings included
    cyclic = lua.eval("(function() local t = {} t.self = {a = t} t.self.a = t.self return require('.stringify').format(t) end)()")
    assert "<circular reference>" in cyclic


def test_a_key_that_is_not_a_string_or_number_raises_as_live(version: str) -> None:
    lua, _ = cached_module(version, ".stringify")
    ok, err = lua.eval("pcall(require('.stringify').format, {[true] = 1})")
    assert ok is False and "concatenate" in str(err)


def test_is_simple_array(version: str) -> None:
    lua, mod = cached_module(version, ".stringify")
    assert mod.isSimpleArray(lua.eval("{}")) is True
    assert mod.isSimpleArray(lua.eval("{1, 'a', 3}")) is True
    assert mod.isSimpleArray(lua.eval("{1, true}")) is False
    assert mod.isSimpleArray(lua.eval("{{}}")) is False
    assert mod.isSimpleArray(lua.eval("{[2] = 1}")) is False
    assert mod.isSimpleArray(lua.eval("{a = 1}")) is False


KEYS = st.integers(1, 6) | st.text(alphabet="abz_9", min_size=1, max_size=4)
SCALAR = st.booleans() | st.integers(-(2**31), 2**31) | st.text(alphabet="abc xy\"", max_size=6)
VALUES = st.recursive(
    st.dictionaries(KEYS, SCALAR, max_size=5),
    lambda inner: st.lists(SCALAR | inner, max_size=4) | st.dictionaries(KEYS, SCALAR | inner, max_size=5),
    max_leaves=20,
)


@pytest.mark.parametrize("version", VERSION_PARAMS)
@settings(max_examples=60, deadline=None)
@given(value=VALUES, seed=st.integers(0, 2**16))
def test_matches_the_documented_algorithm_in_any_insertion_order(version: str, value: Any, seed: int) -> None:
    lua, mod = cached_module(version, ".stringify")
    expected = reference(value)
    assert mod.format(to_lua(lua, value, random.Random(seed))) == expected
    assert mod.format(to_lua(lua, value, random.Random(seed + 1))) == expected
