"""Which Lua runs a process: the mapping from ``--lua`` names to lupa runtimes."""

from __future__ import annotations

import importlib
import sys
from types import ModuleType

from harness.errors import UnknownLuaVersion  # defined in harness.errors; importable from here too

#: ``--lua`` value -> lupa module name.  AO itself runs Lua 5.3, hence the default.
LUA_MODULES: dict[str, str] = {
    "5.1": "lupa.lua51",
    "5.2": "lupa.lua52",
    "5.3": "lupa.lua53",
    "5.4": "lupa.lua54",
    "5.5": "lupa.lua55",
    "jit": "lupa.luajit21",
}

DEFAULT_LUA = "5.3"

#: Versions whose numbers have an integer subtype (what ``.bint`` and AO's ``//`` need).
INTEGER_VERSIONS = frozenset({"5.3", "5.4", "5.5"})


def normalise(version: str | float | None) -> str:
    """Return the canonical ``--lua`` name for *version* (``"5.3"``, ``"jit"``, ...)."""
    if version is None:
        return DEFAULT_LUA
    text = str(version).strip().lower()
    if text in {"luajit", "luajit21", "luajit2.1", "jit21"}:
        text = "jit"
    if text not in LUA_MODULES:
        known = ", ".join(LUA_MODULES)
        raise UnknownLuaVersion(f"unknown Lua version {version!r}; choose one of {known}")
    return text


def lupa_module(version: str | float | None) -> ModuleType:
    """Import and return the lupa module that embeds *version*."""
    name = LUA_MODULES[normalise(version)]
    try:
        return importlib.import_module(name)
    except ImportError as exc:  # pragma: no cover - depends on the lupa build
        raise UnknownLuaVersion(
            f"Lua {version} needs {name}, which this lupa build does not provide: {exc}"
        ) from exc


def new_runtime(version: str | float | None = None, **kwargs: object):
    """A fresh ``LuaRuntime`` of *version* (keyword arguments go to lupa)."""
    return lupa_module(version).LuaRuntime(**kwargs)


def lua_errors() -> tuple[type[Exception], ...]:
    """``LuaError`` of every embedded Lua loaded so far, for ``except lua_errors():``.  Each lupa
    module has its own class and none derives from another (``lupa.LuaError`` is Lua 5.5's only),
    so an ``except lupa.LuaError`` misses what a Lua 5.3 state raises.  ``LuaMemoryError`` is
    one of them (a subclass)."""
    return _of_loaded("LuaError")


def lua_memory_errors() -> tuple[type[Exception], ...]:
    """``LuaMemoryError`` of every embedded Lua loaded so far (see ``lua_errors``)."""
    return _of_loaded("LuaMemoryError")


def _of_loaded(name: str) -> tuple[type[Exception], ...]:
    loaded = (sys.modules.get(module) for module in LUA_MODULES.values())
    return tuple(getattr(m, name) for m in loaded if m is not None)
