"""Load the runtime libraries of harness/lua/lib into a bare Lua the way the runtime does.

Each file is registered in ``package.preload`` under its aos name (``json``, ``.bint``, ``.chance``,
``.base64``, ``.stringify``, ``.dump``, ``.pretty``) by loading its text with ``load(text, "@<path>")`` (``loadstring`` on
Lua 5.1), so the tests exercise exactly the contract the runtime relies on: a chunk that defines no
globals and returns its module table.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from harness.lua_versions import INTEGER_VERSIONS, new_runtime

LIB = Path(__file__).resolve().parents[2] / "harness" / "lua" / "lib"

#: aos module name -> file under harness/lua/lib
MODULES: dict[str, str] = {
    "json": "json.lua",
    ".bint": "bint.lua",
    ".chance": "chance.lua",
    ".base64": "base64.lua",
    ".stringify": "stringify.lua",
    ".dump": "dump.lua",
    ".pretty": "pretty.lua",
}

#: every Lua the harness can run, as ``pytest.param``s with readable ids
ALL_VERSIONS = ["5.1", "5.2", "5.3", "5.4", "5.5", "jit"]
VERSION_PARAMS = [pytest.param(v, id=f"lua{v}") for v in ALL_VERSIONS]
#: every Lua again, but those without an integer subtype are skipped with the reason
INTEGER_PARAMS = [
    pytest.param(v, id=f"lua{v}")
    if v in INTEGER_VERSIONS
    else pytest.param(
        v,
        id=f"lua{v}",
        marks=pytest.mark.skip(
            reason=f"Lua {v} has no integer subtype (math.type, //, &, <<, 64-bit wrapping need 5.3+)"
        ),
    )
    for v in ALL_VERSIONS
]
NO_INTEGER_PARAMS = [pytest.param(v, id=f"lua{v}") for v in ALL_VERSIONS if v not in INTEGER_VERSIONS]

#: the registry key of the private table the runtime passes every module as its first argument
PRIVATE = "harness.tests.H"

_REGISTER = """
function(name, text, chunkname)
  local loader = (loadstring or load)
  local fn, err = loader(text, chunkname)
  if not fn then error("cannot load " .. name .. ": " .. tostring(err), 0) end
  local registry = debug.getregistry()
  local H = registry["harness.tests.H"] or {}
  registry["harness.tests.H"] = H
  package.preload[name] = function(...) return fn(H, ...) end
end
"""

PAIRS = LIB.parent / "env" / "pairs.lua"

_INSTALL_PAIRS = """
function(text)
  local fn = assert((loadstring or load)(text, "=harness.pairs"))
  pairs = fn({}).make(nil)
end
"""

_GLOBALS = (
    "function() local names = {} for k in pairs(_G) do names[#names + 1] = tostring(k) end return names end"
)


def new_lua(version: str, *, encoding: str | None = "utf-8") -> Any:
    """A fresh runtime of *version* with every runtime library registered in ``package.preload``
    and the harness's sorted ``pairs`` (harness/lua/env/pairs.lua) installed, as in a process."""
    lua = new_runtime(version, encoding=encoding)
    install = lua.eval(_INSTALL_PAIRS)
    text = PAIRS.read_text(encoding="utf-8")
    install(text if encoding is not None else text.encode())
    register = lua.eval(_REGISTER)
    for name, file in MODULES.items():
        path = LIB / file
        text: str | bytes = path.read_text(encoding="utf-8")
        chunkname: str | bytes = f"@{path}"
        if encoding is None:
            text, chunkname = text.encode(), chunkname.encode()
            name_arg: str | bytes = name.encode()
        else:
            name_arg = name
        register(name_arg, text, chunkname)
    return lua


def private(lua: Any) -> Any:
    """The private table the modules of *lua* were given (what a module keeps for the harness:
    ``.chance`` puts its ``int32`` and ``seed_from_spawn`` there, as ``chance``)."""
    return lua.eval(f"debug.getregistry()[{PRIVATE!r}]")


def global_names(lua: Any) -> set[str]:
    """The names currently defined in ``_G`` of *lua*."""
    return set(lua.eval(_GLOBALS)().values())


_cache: dict[tuple[str, str], tuple[Any, Any]] = {}


def cached_module(version: str, name: str) -> tuple[Any, Any]:
    """``(lua, module)`` for *name* on *version*, shared between tests (only for stateless modules)."""
    key = (version, name)
    if key not in _cache:
        lua = new_lua(version)
        _cache[key] = (lua, lua.eval(f"(require({name!r}))"))
    return _cache[key]


def lua_list(table: Any) -> list[Any]:
    """A Lua array as a Python list (1..#t)."""
    return [table[i] for i in range(1, len(table) + 1)]


def to_py(value: Any) -> Any:
    """A decoded Lua value as plain Python: a table with keys exactly 1..n (or no keys) becomes a list,
    any other table a dict (keys converted too)."""
    if type(value).__name__ != "_LuaTable":  # each lupa module has its own table class
        return value
    items = list(value.items())
    keys = [k for k, _ in items]
    if all(isinstance(k, int) and not isinstance(k, bool) for k in keys) and sorted(keys) == list(
        range(1, len(keys) + 1)
    ):
        return [to_py(value[i]) for i in range(1, len(keys) + 1)]
    return {k: to_py(v) for k, v in items}
