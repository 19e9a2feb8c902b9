"""Executable lines: the dump/jit.util walk equals debug.getinfo(f, "L").activelines for every
function, on every Lua; and what the hook reports never falls outside them."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.coverage.lines import LuaCompileError, executable_lines, prototypes
from harness.lua_versions import new_runtime

VERSIONS = ["5.1", "5.2", "5.3", "5.4", "5.5", "jit"]


def _torture_source() -> str:
    """Every function is reachable after running the chunk (they are collected in `fs`)."""
    parts = [
        "local fs = {}",
        "local big, neg, fl = 123456789012, -5, 3.25",
        "local s = 'short' .. [[long",
        "string]]",
        "local long = '" + "x" * 300 + "'",
        "local t = {",
        "  a = 1,",
        "  b = true, c = false,",
        "  d = s",
        "}",
        "local n = nil",
        "local function a(x, ...)",
        "  local y = x +",
        "    1",
        "  return y, ...",
        "end",
        "fs[#fs + 1] = a",
        "fs[#fs + 1] = function()",
        "  local function inner()",
        "    return 'inner' .. big",
        "  end",
        "  return inner",
        "end",
        "fs[#fs + 1] = fs[#fs]()",
        "fs[#fs + 1] = function()",
        "  local v = 0",
        *[f"  v = v + {i}" for i in range(300)],  # > 128 instructions: absolute line anchors
        *[""] * 200,  # a jump of more than 127 lines
        "  return v",
        "end",
        "for i = 1, 3 do",
        "  fs[#fs + 1] = function() return i end",
        "end",
        "fs[#fs + 1] = function(...) local k = select('#', ...) return k end",
        "return fs",
    ]
    return "\n".join(parts) + "\n"


@pytest.mark.parametrize("version", VERSIONS)
def test_each_function_matches_activelines(version: str) -> None:
    src = _torture_source()
    tree = prototypes(src, version)
    by_line: dict[int, list[frozenset[int]]] = {}
    for p in tree.walk():
        by_line.setdefault(p.linedefined, []).append(p.lines)
    lua = new_runtime(version)
    main = lua.eval("loadstring or load")(src, "@t.lua")
    info = lua.eval(
        "function(f) local t = {} for k in pairs(debug.getinfo(f, 'L').activelines) do t[#t + 1] = k end "
        "return t, debug.getinfo(f, 'S').linedefined end"
    )
    fs = main()
    funcs = [main] + [fs[i] for i in range(1, len(fs) + 1)]
    assert len(funcs) >= 8
    for f in funcs:
        active, linedefined = info(f)
        assert set(active.values()) in by_line[linedefined], (version, linedefined)
    assert sum(1 for _ in tree.walk()) == 7


def test_versions_differ_where_bytecode_differs() -> None:
    # a leading `local n = nil` emits nothing in 5.1 (registers start nil), an instruction in 5.3
    src = "local n = nil\nlocal a = 1\nreturn a, n\n"
    assert prototypes(src, "5.3").all_lines() == {1, 2, 3}
    assert prototypes(src, "5.1").all_lines() == {2, 3}


def test_syntax_error_is_reported() -> None:
    with pytest.raises(LuaCompileError, match="near"):
        prototypes("local = 1", "5.3")


def test_file_that_does_not_compile_has_no_statements(tmp_path: Path) -> None:
    bad = tmp_path / "bad.lua"
    bad.write_text("function (\n")
    assert executable_lines(bad, "5.3") == set()
    good = tmp_path / "good.lua"
    good.write_text("local x = 1\n\nreturn x\n")
    assert executable_lines(good, "5.3") == {1, 3}


@pytest.mark.parametrize("version", VERSIONS)
def test_exhaustive_run_hits_every_statement(version: str, project: Path, cov) -> None:
    from harness.network import Network

    path = project / "ao" / "full.lua"
    path.write_text(
        "local t = {\n  1,\n  2,\n}\n"
        "local function f(x)\n  local y = x +\n    1\n  return y\nend\n"
        "Total = f(#t)\n"
        "for i = 1, 2 do\n  Total = Total + i\nend\n"
    )
    net = Network(lua=version, root=project)
    net.spawn("ao/full.lua")
    cov.drain()
    hit = cov.total[str(path.resolve())]
    assert hit == executable_lines(path, version)
