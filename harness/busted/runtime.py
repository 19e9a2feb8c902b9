"""One Lua state per busted spec file: the DSL, our luassert, ``require`` paths, JSON modules."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.lua_versions import new_runtime

LUA_DIR = Path(__file__).parent / "lua"
JSON_LIB = Path(__file__).resolve().parents[1] / "lua" / "lib" / "json.lua"

_BOOT = r"""
local luassert_src, runner_src, json_src, compat_src, path_prefix = ...
local load_ = loadstring or load
local function chunk(src, name)
  local fn, err = load_(src, name)
  if not fn then error(err, 0) end
  return fn
end
local luassert = chunk(luassert_src, "=[busted luassert]")()
local R = chunk(runner_src, "=[busted runner]")(luassert)
package.path = path_prefix .. package.path
local json = chunk(json_src, "=[busted json]")()
local compat = chunk(compat_src, "=[busted compat]")(json, luassert, R)
for name, mod in pairs(compat) do
  package.preload[name] = function() return mod end
end
return R
"""


@dataclass
class Settings:
    """What every spec file's Lua state needs (from the ini options and ``.busted``)."""

    lua: str = "5.3"
    project_dir: Path = field(default_factory=Path.cwd)
    lpath: str = "./src/?.lua;./src/?/?.lua;./src/?/init.lua"
    helper: Path | None = None


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def json_source() -> str:
    return _read(JSON_LIB)


@contextlib.contextmanager
def chdir(path: Path) -> Iterator[None]:
    old = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def display_path(path: Path, project_dir: Path) -> str:
    """How the spec file is named in Lua chunk names and messages (relative, like busted)."""
    try:
        return os.path.relpath(path, project_dir).replace(os.sep, "/")
    except ValueError:  # pragma: no cover - other drive on Windows
        return str(path)


def to_py(value: Any) -> Any:
    """Lua tables -> dict/list (recursively); other values unchanged."""
    if type(value).__name__ != "_LuaTable":
        return value
    keys = list(value.keys())
    if keys and all(isinstance(k, int) for k in keys) and sorted(keys) == list(range(1, len(keys) + 1)):
        return [to_py(value[i]) for i in range(1, len(keys) + 1)]
    if not keys:
        return {}
    return {k: to_py(value[k]) for k in keys}


class SpecState:
    """A fresh Lua state with the DSL loaded, ready to discover or run one spec file."""

    def __init__(self, spec: Path, settings: Settings) -> None:
        self.spec = spec
        self.settings = settings
        self.name = display_path(spec, settings.project_dir)
        # specs keep the real io (they read files on purpose) but get no `python` module
        self.lua = new_runtime(settings.lua, register_eval=False, register_builtins=False)
        self.lua.execute("python = nil; package.loaded.python = nil")
        spec_dir = display_path(spec.parent, settings.project_dir)
        parts = [p for p in settings.lpath.split(";") if p]
        parts += ["./?.lua", "./?/init.lua", f"./{spec_dir}/?.lua", f"./{spec_dir}/?/init.lua"]
        prefix = ";".join(parts) + ";"
        boot = self.lua.execute("return function(...) " + _BOOT + " end")
        self.runner = boot(
            _read(LUA_DIR / "luassert.lua"),
            _read(LUA_DIR / "runner.lua"),
            json_source(),
            _read(LUA_DIR / "compat.lua"),
            prefix,
        )
        from harness.busted.network import install

        install(self.lua, self.runner, settings)

    def load(self) -> tuple[Any, str | None]:
        """Run the helper (if any) and compile the spec; returns (chunk, error message)."""
        if self.settings.helper is not None:
            helper_name = display_path(self.settings.helper, self.settings.project_dir)
            fn, err = self.runner.load(_read(self.settings.helper), "@" + helper_name)
            if fn is None:
                return None, f"helper {helper_name}: {err}"
            ok, herr = self.lua.execute(
                "return function(f) local ok, e = pcall(f); return ok, tostring(e) end"
            )(fn)
            if not ok:
                return None, f"helper {helper_name} failed: {herr}"
        fn, err = self.runner.load(_read(self.spec), "@" + self.name)
        if fn is None:
            return None, str(err)
        return fn, None

    def discover(self) -> dict[str, Any]:
        with chdir(self.settings.project_dir):
            chunk, err = self.load()
            if chunk is None:
                return {"error": {"message": err, "phase": "load"}}
            return to_py(self.runner.discover(chunk, self.name))

    def start_run(self, selected: set[str] | None) -> Any:
        """A lupa coroutine that yields the run's events; resume it with ``send(None)``."""
        chunk, err = self.load()
        if chunk is None:
            raise RuntimeError(err)
        sel = None
        if selected is not None:
            sel = self.lua.table_from({k: True for k in selected})
        return self.runner.run.coroutine(chunk, self.name, sel)
