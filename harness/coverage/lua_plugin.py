"""coverage.py plugin that reports ``.lua`` files measured by ``pytest --ao-cov``.

Enable it wherever coverage.py *reports* (and, for never-loaded files at 0%, where it measures)::

    # .coveragerc                          # pyproject.toml
    [run]                                  [tool.coverage.run]
    plugins = harness.coverage.lua_plugin  plugins = ["harness.coverage.lua_plugin"]

    [harness.coverage.lua_plugin]          [tool.coverage."harness.coverage.lua_plugin"]
    lua_version = 5.3                      lua_version = "5.3"

Options: ``lua_version`` - the Lua whose bytecode defines the statements (default: the
``AO_HARNESS_LUA`` environment variable, which ``pytest --ao-cov --lua=X`` sets, else 5.3);
``runtime`` - also list the harness's own Lua under ``--source`` dirs (default false);
``register`` - ``file_tracer`` (default) or ``noop`` (for coverage's ``sysmon`` core, which warns
about file-tracer plugins; unexecuted files are then added by the pytest plugin only).

The line data never goes through coverage.py's tracer: the pytest plugin adds it with
``CoverageData.add_lines`` and tags the files with this plugin's name, ``PLUGIN_NAME``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import coverage
import coverage.plugin

from harness import bundle
from harness.coverage import lines as _lines
from harness.coverage.syntax import token_lines

MODULE = "harness.coverage.lua_plugin"
#: the file-tracer name stored in the data for every Lua file (coverage.py: f"{module}.{Class}")
PLUGIN_NAME = f"{MODULE}.LuaCoveragePlugin"

_NO_COVER = re.compile(r"--.*\bpragma:?\s*no\s*cover\b", re.IGNORECASE)
_LUACOV_OFF = re.compile(r"--\s*luacov:\s*disable\b")
_LUACOV_ON = re.compile(r"--\s*luacov:\s*enable\b")
_FUNC_NAME = [
    re.compile(r"\bfunction\s+([A-Za-z_][\w.:]*)\s*\("),
    re.compile(r"([A-Za-z_][\w.\[\]\"']*)\s*=\s*function\b"),
    re.compile(r"Handlers\.\w+\(\s*([\"'])(.+?)\1"),
]


def default_lua_version() -> str:
    return os.environ.get("AO_HARNESS_LUA") or "5.3"


def is_bundle(path: str | Path) -> bool:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return bundle.is_bundle(f.read())
    except OSError:
        return False


def function_name(source_line: str, linedefined: int) -> str:
    for rx in _FUNC_NAME:
        m = rx.search(source_line)
        if m:
            return m.group(m.lastindex or 1)
    return f"<function at line {linedefined}>"


class LuaFileReporter(coverage.plugin.FileReporter):
    """Statements, exclusions, source and syntax colouring of one Lua file."""

    def __init__(self, filename: str, lua_version: str | None = None) -> None:
        super().__init__(filename)
        self.lua_version = lua_version or default_lua_version()
        self._text: str | None = None
        self._proto: _lines.Proto | None = None
        self._proto_done = False

    def source(self) -> str:
        if self._text is None:
            self._text = Path(self.filename).read_text(encoding="utf-8", errors="replace")
        return self._text

    def _protos(self) -> _lines.Proto | None:
        if not self._proto_done:
            self._proto = _lines.file_prototypes(self.filename, self.lua_version)
            self._proto_done = True
        return self._proto

    def lines(self) -> set[int]:
        proto = self._protos()
        return proto.all_lines() if proto is not None else set()

    def excluded_lines(self) -> set[int]:
        out: set[int] = set()
        text_lines = self.source().splitlines()
        ranges = {}
        proto = self._protos()
        if proto is not None:
            for p in proto.walk():
                if p.linedefined:
                    ranges.setdefault(p.linedefined, p.lastlinedefined)
        off = False
        for i, line in enumerate(text_lines, 1):
            if _LUACOV_OFF.search(line):
                off = True
            if off:
                out.add(i)
            if _LUACOV_ON.search(line):
                off = False
            if _NO_COVER.search(line):
                out.update(range(i, ranges.get(i, i) + 1))
        return out

    def source_token_lines(self) -> Iterable[list[tuple[str, str]]]:
        return token_lines(self.source())

    def code_regions(self) -> Iterable[coverage.plugin.CodeRegion]:
        proto = self._protos()
        if proto is None:
            return []
        text_lines = self.source().splitlines()
        out = []
        for p in proto.walk():
            if not p.linedefined or not p.lines:
                continue
            src = text_lines[p.linedefined - 1] if p.linedefined <= len(text_lines) else ""
            out.append(
                coverage.plugin.CodeRegion(
                    kind="function",
                    name=function_name(src, p.linedefined),
                    start=p.linedefined,
                    lines=set(p.lines),
                )
            )
        return out

    def code_region_kinds(self) -> Iterable[tuple[str, str]]:
        return [("function", "functions")]


class LuaCoveragePlugin(coverage.CoveragePlugin):
    """Never traces Python; reports the ``.lua`` files the pytest plugin added to the data."""

    def __init__(self, options: dict[str, Any] | None = None) -> None:
        self.options = dict(options or {})
        self.runtime = str(self.options.get("runtime", "")).lower() in ("1", "true", "yes", "on")

    @property
    def lua_version(self) -> str:
        return str(self.options.get("lua_version") or default_lua_version())

    def file_tracer(self, filename: str) -> None:
        return None

    def file_reporter(self, filename: str) -> LuaFileReporter:
        return LuaFileReporter(filename, self.lua_version)

    def find_executable_files(self, src_dir: str) -> Iterable[str]:
        from harness.chunks import LUA_DIR

        runtime_dir = str(LUA_DIR.resolve())
        for root, dirs, files in os.walk(src_dir):
            dirs[:] = [d for d in dirs if not d.startswith(".") and d != "__pycache__"]
            for name in files:
                if not name.endswith(".lua"):
                    continue
                path = os.path.join(root, name)
                if not self.runtime and os.path.realpath(path).startswith(runtime_dir + os.sep):
                    continue
                if is_bundle(path):
                    continue  # its lines are reported on the files it was built from
                yield path

    def sys_info(self) -> Iterable[tuple[str, Any]]:
        return [("lua_version", self.lua_version)]


def coverage_init(reg: Any, options: dict[str, Any]) -> None:
    plugin = LuaCoveragePlugin(options)
    if str(options.get("register", "file_tracer")).lower() == "noop":
        reg.add_noop(plugin)
    else:
        reg.add_file_tracer(plugin)
