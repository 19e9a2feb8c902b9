"""One Lua state per busted spec file: the DSL, our luassert, ``require`` paths, JSON modules."""

from __future__ import annotations

import contextlib
import functools
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.lua_versions import new_runtime, normalise

LUA_DIR = Path(__file__).parent / "lua"
JSON_LIB = Path(__file__).resolve().parents[1] / "lua" / "lib" / "json.lua"
ENV_COMPAT = Path(__file__).resolve().parents[1] / "lua" / "env" / "compat.lua"

_BOOT = r"""
local luassert_src, runner_src, json_src, compat_src, path_prefix, order_src, honour_pairs,
  env_compat_src = ...
local load_ = loadstring or load
local function chunk(src, name)
  local fn, err = load_(src, name)
  if not fn then error(err, 0) end
  return fn
end
-- The shared standard-library compat module (harness/lua/env/compat.lua, the one the process
-- runtime uses: bit32, math.pow/ldexp/frexp/cosh/sinh/tanh/log10, __ipairs) runs first, so spec
-- code, helpers and required modules all see Debian's lua5.3 library (built with LUA_COMPAT_5_2).
if env_compat_src then chunk(env_compat_src, "=[env compat]")().install(_G) end
pairs = chunk(order_src, "=[busted order]")(honour_pairs)
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


_RUN_GLOBAL = r"""
return function(src, name, args)
  local fn, err = (loadstring or load)(src, name)
  if not fn then return false, tostring(err) end
  local old_arg = rawget(_G, "arg")
  if args then rawset(_G, "arg", args) end
  local ok, e = pcall(fn)
  if args then rawset(_G, "arg", old_arg) end
  if not ok then return false, tostring(e) end
  return true, nil
end
"""


@dataclass
class Settings:
    """What every spec file's Lua state needs (from the ini options and ``.busted``)."""

    lua: str = "5.3"
    project_dir: Path = field(default_factory=Path.cwd)
    lpath: str = "./src/?.lua;./src/?/?.lua;./src/?/init.lua"
    cpath: str = ""
    helper: Path | None = None
    #: ``Xhelper`` options: the global ``arg`` while the helper runs
    helper_args: list[str] = field(default_factory=list)
    #: ``e`` statements, run before the helper (in the global environment)
    statements: list[str] = field(default_factory=list)
    #: ``lazy = true``: ``setup``/``teardown`` mean ``lazy_setup``/``lazy_teardown``
    lazy: bool = False


def shared_compat_source(lua: str) -> str | None:
    """The source of the compat module the process runtime also uses
    (``harness/lua/env/compat.lua``) when spec files run on Lua 5.3, whose Debian build (what real
    busted runs on) has the Lua 5.2 compatibility functions; ``None`` for the other Luas, whose
    builds keep their own library."""
    if normalise(lua) != "5.3":
        return None
    return _read(ENV_COMPAT)


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def json_source() -> str:
    return _read(JSON_LIB)


@functools.cache
def boot_chunks(lua: str) -> dict[str, bytes]:
    """The fixed chunks every spec state boots with, compiled once per Lua version (bytecode keeps
    the chunk names ``_BOOT`` gives them): key -> bytecode (``env compat`` only on Lua 5.3)."""
    from harness.chunks import compiler

    sources = {
        "luassert": _read(LUA_DIR / "luassert.lua"),
        "runner": _read(LUA_DIR / "runner.lua"),
        "json": json_source(),
        "compat": _read(LUA_DIR / "compat.lua"),
        "order": _read(LUA_DIR / "order.lua"),
    }
    env_compat = shared_compat_source(lua)
    if env_compat is not None:
        sources["env compat"] = env_compat
    comp = compiler(lua)
    out: dict[str, bytes] = {}
    for key, text in sources.items():
        compiled = comp.compile(text, f"=[busted {key}]" if key != "env compat" else "=[env compat]")
        if compiled.bytecode is None:
            raise RuntimeError(f"busted runtime chunk {key!r} does not compile: {compiled.error}")
        out[key] = compiled.bytecode
    return out


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
    """Lua tables -> dict/list (recursively); other values unchanged.  A string that is not
    UTF-8 (a spec comparing raw bytes, an error carrying them) comes back with those bytes as
    ``\\xNN`` escapes, as text a report can show."""
    if type(value).__name__ != "_LuaTable":
        return value
    try:
        keys = list(value.keys())
    except UnicodeDecodeError:
        return "<a table with keys that are not UTF-8 text>"
    if keys and all(isinstance(k, int) for k in keys) and sorted(keys) == list(range(1, len(keys) + 1)):
        return [to_py(_item(value, i)) for i in range(1, len(keys) + 1)]
    if not keys:
        return {}
    return {k: to_py(_item(value, k)) for k in keys}


def _item(table: Any, key: Any) -> Any:
    try:
        return table[key]
    except UnicodeDecodeError as exc:
        return LuaBytes(bytes(exc.object))


class LuaBytes(str):
    """A Lua string that is not UTF-8, as text: its invalid bytes as ``\\xNN`` escapes (what a
    report shows); ``raw`` keeps the bytes, to hand the string back to Lua (a test's name)."""

    raw: bytes

    def __new__(cls, raw: bytes) -> LuaBytes:
        text = super().__new__(cls, raw.decode("utf-8", "backslashreplace"))
        text.raw = raw
        return text

    @staticmethod
    def join(sep: str, parts: list[str]) -> str:
        """``sep.join(parts)``, a ``LuaBytes`` when a part is one (*sep* is ASCII, so the text is
        the parts' texts joined)."""
        if not any(isinstance(p, LuaBytes) for p in parts):
            return sep.join(parts)
        return LuaBytes(sep.encode().join(p.raw if isinstance(p, LuaBytes) else p.encode() for p in parts))


def _coverage_target() -> Any:
    """The --ao-cov collector of this run, if one is on.  Only the coverage plugin starts one, and
    it imports the collector module first: a run without it does not import the module here."""
    collector = sys.modules.get("harness.coverage.collector")
    return None if collector is None else collector.current()


class SpecState:
    """A fresh Lua state with the DSL loaded, ready to discover or run one spec file."""

    def __init__(self, spec: Path, settings: Settings) -> None:
        self.spec = spec
        self.settings = settings
        self.name = display_path(spec, settings.project_dir)
        self.hits: Any = None  # line hits of the run, when --ao-cov is on
        # specs keep the real io (they read files on purpose) but get no `python` module
        self.lua = new_runtime(settings.lua, register_eval=False, register_builtins=False)
        self.lua.execute("python = nil; package.loaded.python = nil")
        spec_dir = display_path(spec.parent, settings.project_dir)
        parts = [p for p in settings.lpath.split(";") if p]
        parts += ["./?.lua", "./?/init.lua", f"./{spec_dir}/?.lua", f"./{spec_dir}/?/init.lua"]
        prefix = ";".join(parts) + ";"
        if settings.cpath:
            cprefix = ";".join(p for p in settings.cpath.split(";") if p) + ";"
            self.lua.execute("return function(p) package.cpath = p .. package.cpath end")(cprefix)
        boot = self.lua.execute("return function(...) " + _BOOT + " end")
        chunks = boot_chunks(settings.lua)
        self.runner = boot(
            chunks["luassert"],
            chunks["runner"],
            chunks["json"],
            chunks["compat"],
            prefix,
            chunks["order"],
            settings.lua not in ("5.1", "jit"),
            chunks.get("env compat"),
        )
        from harness.busted.network import install

        install(self.lua, self.runner, settings)
        if settings.lazy:
            self.lua.execute("return function(R) R.env.setup = R.env.lazy_setup; "
                             "R.env.teardown = R.env.lazy_teardown end")(self.runner)

    def load(self) -> tuple[Any, str | None]:
        """Run the ``e`` statements and the helper, compile the spec; returns (chunk, error message).

        Like busted, both run in the global environment (a helper's ``x = 1`` is ``_G.x``, seen
        by required modules), the helper with its ``Xhelper`` options as the global ``arg``."""
        s = self.settings
        run_global = self.lua.execute(_RUN_GLOBAL)
        for i, statement in enumerate(s.statements, 1):
            ok, err = run_global(statement, f"=(.busted e #{i})", None)
            if not ok:
                return None, f"statement e #{i} ({statement!r}) failed: {err}"
        if s.helper is not None:
            helper_name = display_path(s.helper, s.project_dir)
            args = self.lua.table_from(s.helper_args)
            ok, err = run_global(_read(s.helper), "@" + helper_name, args)
            if not ok:
                return None, f"helper {helper_name} failed: {err}"
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
            sel = self.lua.table_from({getattr(k, "raw", k): True for k in selected})
        if _coverage_target() is not None:
            self.hits = self.lua.table()
            self.runner.hits = self.hits
        return self.runner.run.coroutine(chunk, self.name, sel)

    def report_coverage(self) -> None:
        """Hand the run's line hits of project files to the --ao-cov collector (if it is on)."""
        target = _coverage_target()
        hits = self.hits
        if target is None or hits is None:
            return
        for source in list(hits.keys()):
            if not isinstance(source, str) or not source.startswith("@"):
                continue
            path = Path(source[1:])
            if not path.is_absolute():
                path = self.settings.project_dir / path
            target.add_lines(str(path.resolve()), [int(n) for n in hits[source]])
        self.hits = None
