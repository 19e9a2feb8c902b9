"""harness/lua/lib/dump.lua (``.dump``, the ``Dump`` global) and pretty.lua (``.pretty``): the texts
the live module writes, on every Lua (tests/live_module/test_libraries.py asks the binary itself;
the expected texts here are its answers)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.harness.lualib_helpers import VERSION_PARAMS, global_names, new_lua


@pytest.fixture(params=VERSION_PARAMS, scope="module")
def lua(request: pytest.FixtureRequest) -> Any:
    return new_lua(request.param)


def run(lua: Any, code: str) -> Any:
    return lua.execute("local dump, pretty = require('.dump'), require('.pretty') " + code)


def failure(lua: Any, code: str) -> str:
    ok, err = run(lua, f"return pcall(function() {code} end)")
    assert ok is False, f"{code} should raise"
    return str(err)


def test_the_modules_define_no_globals(lua: Any) -> None:
    before = global_names(lua)
    assert run(lua, "return type(dump), type(pretty), pretty._version") == ("function", "table", "0.0.1")
    assert global_names(lua) == before


def test_a_table_is_written_one_entry_a_line(lua: Any) -> None:
    assert run(lua, "return dump({a = {b = {1, 2}}})") == (
        "{\n    a = {\n        b = {\n            [1] = 1,\n            [2] = 2\n        }\n    }\n}"
    )
    assert run(lua, "return dump({10, 'two', true, {}})") == (
        '{\n    [1] = 10,\n    [2] = "two",\n    [3] = true,\n    [4] = {}\n}'
    )
    assert run(lua, "return dump({})") == "{}"


def test_indent_is_spaces_per_level_and_zero_is_one_line(lua: Any) -> None:
    assert run(lua, "return dump({a = {'x'}}, 1)") == '{\n a = {\n  [1] = "x"\n }\n}'
    assert run(lua, "return dump({a = {b = 1}}, 0)") == "{ a = { b = 1 } }"
    assert run(lua, "return dump({1, 2}, 0)") == "{ [1] = 1, [2] = 2 }"
    for bad in ("-1", "'2'", "1.5", "false"):
        assert failure(lua, f"dump({{a = 1}}, {bad})") == "indent must be unsigned integer"
    assert failure(lua, "dump(5, 'x')") == "indent must be unsigned integer"


def test_keys_are_bare_only_when_they_are_names(lua: Any) -> None:
    assert run(lua, "return dump({_a1 = 1}, 0)") == "{ _a1 = 1 }"
    for key, shown in [("'a b'", '["a b"]'), ("'1a'", '["1a"]'), ("'end'", '["end"]'), ("'goto'", '["goto"]'),
                       ("-3", "[-3]"), ("true", "[true]")]:
        assert run(lua, f"return dump({{[{key}] = 1}}, 0)") == "{ " + shown + " = 1 }"
    assert run(lua, "return dump({[{1}] = 1})") == "{\n    [{\n        [1] = 1\n    }] = 1\n}"
    assert re.fullmatch(r'\{ \["function: (0x)?[0-9a-fA-F]+"\] = 1 \}', run(lua, "return dump({[function() end] = 1}, 0)"))


def test_what_is_not_a_table_is_quoted_text(lua: Any) -> None:
    assert run(lua, "return dump(1) .. dump('x') .. dump(nil) .. dump(true)") == '"1""x""nil""true"'
    assert run(lua, "return dump({'q\"t'}, 0)") == '{ [1] = "q\\"t" }'


def test_a_table_inside_itself_is_circular_and_a_shared_one_is_written_twice(lua: Any) -> None:
    text = run(lua, "local t = {b = {}} t.b.c = t return dump(t, 0)")
    assert re.fullmatch(r'\{ b = \{ c = "<Circular table: (0x)?[0-9a-fA-F]+>" \} \}', text), text
    named = "local t = setmetatable({}, {__tostring = function() return 'T' end}) t.a = t return dump(t, 0)"
    assert run(lua, named) == '{ a = "<Circular T>" }'
    assert run(lua, "local s = {1} return dump({s, s}, 0)") == "{ [1] = { [1] = 1 }, [2] = { [1] = 1 } }"


def test_tprint_writes_a_line_per_entry(lua: Any) -> None:
    assert run(lua, "return pretty.tprint({a = {b = {c = 'x'}}})") == "a: \n b: \n  c: x\n"
    assert run(lua, "return pretty.tprint({10, 20})") == "1: 10\n2: 20\n"
    assert run(lua, "return pretty.tprint({a = true}) .. pretty.tprint({a = {}}) .. pretty.tprint({})") == (
        "a: true\na: \n"
    )
    assert run(lua, "return pretty.tprint({a = {b = 1}}, 2)") == "  a: \n   b: 1\n"
    assert "concatenate" in failure(lua, "pretty.tprint({a = print})")
    printed = "local p, n = print, 0 print = function() n = n + 1 end pretty.tprint({a = 1}) print = p return n"
    assert run(lua, printed) == 0
