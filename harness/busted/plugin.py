"""pytest plugin: collect busted ``*_spec.lua`` files, one pytest item per ``it``.

Each spec file is discovered in a fresh Lua state (its ``describe`` bodies run to find the tests)
and run in another fresh Lua state, the way busted runs it (hook order, lazy/strict setup,
insulate/expose).  The run is a Lua coroutine that each item resumes up to the end of its own test,
so prints, timings and ``-x`` belong to the right item.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.busted.runtime import LuaBytes, Settings, SpecState, chdir, display_path, to_py
from harness.errors import (  # defined in harness.errors; importable from here too
    BustedConfigError,
    BustedFailure,
)
from harness.lua_versions import normalise

SEP = "\0"
_TAG = re.compile(r"#([A-Za-z0-9_\-]+)")
_FRAME = re.compile(r"^\s*([^\s:\[][^:]*\.lua):(\d+):")


# ---------------------------------------------------------------------------------------------
# options and configuration
# ---------------------------------------------------------------------------------------------


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("ao_busted", "busted spec files (ao-harness)")
    group.addoption(
        "--busted-pattern",
        dest="busted_pattern",
        action="append",
        default=None,
        help="Lua pattern a spec file's name must match (default _spec, or .busted's pattern)",
    )
    group.addoption(
        "--busted-run",
        dest="busted_run",
        default=None,
        help="task of the .busted config file to use (like busted -r; default: 'default')",
    )
    group.addoption(
        "--no-busted",
        dest="busted_disabled",
        action="store_true",
        default=False,
        help="do not collect busted spec files",
    )
    parser.addini(
        "busted_pattern", "Lua pattern(s) for busted spec file names (default _spec)", type="linelist"
    )
    parser.addini("busted_config", "path of the .busted config file (default: <rootdir>/.busted)", default="")
    parser.addini(
        "busted_lpath", "extra Lua module path prefixed to package.path (like busted --lpath)", default=""
    )
    parser.addini(
        "busted_helper", "helper script run before every spec file (like busted --helper)", default=""
    )


def _lua_version(config: pytest.Config) -> str:
    value = config.getoption("ao_lua", default=None)
    if not value:
        try:
            value = config.getini("ao_lua")
        except ValueError:  # the main harness plugin is not loaded
            value = None
    return normalise(value or "5.3")


def _read_busted_file(path: Path, task: str | None) -> dict[str, Any]:
    from harness.lua_versions import new_runtime

    lua = new_runtime("5.3")
    loader = lua.eval(
        "function(p) local f, e = loadfile(p); if not f then return nil, e end; "
        "local ok, r = pcall(f); if not ok then return nil, tostring(r) end; return r, nil end"
    )
    result, err = loader(str(path))
    if result is None:
        raise BustedConfigError(f"{path}: cannot load the .busted config: {err}")
    data = to_py(result)
    if not isinstance(data, dict):
        raise BustedConfigError(f"{path}: must return a table of tasks, got {type(data).__name__}")
    merged: dict[str, Any] = {}
    merged.update(data.get("_all") or {})
    name = task or "default"
    if task and task not in data:
        raise BustedConfigError(f"{path}: no task {task!r} (tasks: {', '.join(sorted(data))})")
    merged.update(data.get(name) or {})
    return merged


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    if isinstance(value, dict):
        return [str(v) for v in value.values()]
    return [str(value)]


def _as_words(value: Any) -> list[str]:
    """A busted list option: a Lua list, or a string of comma-separated words."""
    return [w.strip() for item in _as_list(value) for w in item.split(",") if w.strip()]


def _flag(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() in {"1", "true", "yes", "on"})


#: ``.busted`` options and what they do under pytest (anything else gets a warning naming it)
HANDLED_OPTIONS = frozenset(
    {
        "ROOT", "pattern", "exclude-pattern", "recursive", "lpath", "cpath", "helper", "Xhelper", "e",
        "tags", "exclude-tags", "filter", "filter-out", "lazy", "coverage", "verbose", "keep-going",
        "output", "Xoutput", "suppress-pending", "defer-print", "enable-sound", "lang",
        "coverage-config-file", "auto-insulate",
    }
)  # fmt: skip
#: options that only shape busted's own terminal output: pytest's report replaces it
PRESENTATION_OPTIONS = frozenset({"Xoutput", "suppress-pending", "defer-print", "enable-sound"})
#: options pytest has its own way for (named in the warning)
INSTEAD = {
    "shuffle": "pytest-randomly", "shuffle-files": "pytest-randomly", "shuffle-tests": "pytest-randomly",
    "sort": "-p no:randomly: tests run in definition order",
    "sort-files": "-p no:randomly: tests run in definition order",
    "sort-tests": "-p no:randomly: tests run in definition order",
    "seed": "pytest-randomly's -p randomly --randomly-seed=N", "repeat": "pytest-repeat's --count",
    "list": "pytest --collect-only -q", "directory": "running pytest from that directory",
    "run": "--busted-run=TASK", "config-file": "the busted_config ini option",
    "lua": "--lua / the ao_lua ini option", "loaders": "Lua spec files (the only loader)",
    "ignore-lua": "--lua / the ao_lua ini option",
}  # fmt: skip
_TERMINAL_OUTPUTS = {"utfTerminal", "plainTerminal", "gtest", "TAP", "json", "junit", "sound"}


class BustedSettings:
    """Collection settings of one busted project: the directory of a ``.busted`` file, or rootdir."""

    def __init__(self, config: pytest.Config, project_dir: Path, cfg_path: Path | None) -> None:
        self.config = config
        self.busted: dict[str, Any] = {}
        self.config_path = cfg_path
        if cfg_path is not None:
            self.busted = _read_busted_file(cfg_path, config.getoption("busted_run", default=None))
        b = self.busted
        self.project_dir = project_dir
        self.patterns = (
            config.getoption("busted_pattern", default=None)
            or _as_list(b.get("pattern"))
            or list(config.getini("busted_pattern"))
            or ["_spec"]
        )
        self.exclude_patterns = _as_list(b.get("exclude-pattern"))
        self.roots = [(self.project_dir / r).resolve() for r in _as_list(b.get("ROOT"))]
        self.recursive = not ("recursive" in b and not _flag(b.get("recursive")))
        self.tags = _as_words(b.get("tags"))
        self.exclude_tags = _as_words(b.get("exclude-tags"))
        self.filters = _as_list(b.get("filter"))
        self.filters_out = _as_list(b.get("filter-out"))
        lpath = config.getini("busted_lpath") or ";".join(_as_list(b.get("lpath")))
        helper = config.getini("busted_helper") or (b.get("helper") or "")
        self.settings = Settings(
            lua=_lua_version(config),
            project_dir=self.project_dir,
            # like busted: an lpath option replaces the default ./src one
            lpath=lpath or "./src/?.lua;./src/?/?.lua;./src/?/init.lua",
            cpath=";".join(_as_list(b.get("cpath"))),
            helper=(self.project_dir / str(helper)).resolve() if helper else None,
            helper_args=_as_words(b.get("Xhelper")),
            statements=_as_list(b.get("e")),
            lazy=_flag(b.get("lazy")),
        )
        if self.settings.helper is not None and not self.settings.helper.is_file():
            raise BustedConfigError(f"{cfg_path or 'busted_helper'}: helper {helper!r}: no such file")
        self._warn_unsupported()

    def _warn_unsupported(self) -> None:
        where = str(self.config_path) if self.config_path else ".busted"
        unknown = sorted(k for k in self.busted if k not in HANDLED_OPTIONS and k not in INSTEAD)
        if unknown:
            _warn(f"{where}: unknown busted option(s) ignored: {', '.join(unknown)}")
        for key in sorted(k for k in self.busted if k in INSTEAD):
            _warn(f"{where}: busted option {key!r} is not used under pytest (use {INSTEAD[key]})")
        output = self.busted.get("output")
        if output is not None and str(output) not in _TERMINAL_OUTPUTS - {"junit", "json", "TAP"}:
            hint = " (use --junitxml=FILE)" if str(output) == "junit" else ""
            _warn(f"{where}: output = {output!r} is busted's output handler; pytest reports instead{hint}")
        lang = self.busted.get("lang")
        if lang is not None and str(lang) != "en":
            _warn(f"{where}: lang = {lang!r}: messages are in English only")
        if "auto-insulate" in self.busted and not _flag(self.busted.get("auto-insulate")):
            _warn(f"{where}: auto-insulate = false: each spec file still runs in its own Lua state")

    def wants(self, path: Path) -> bool:
        if path.suffix != ".lua":
            return False
        name = path.name
        if any(p and _lua_find(name, p) for p in self.exclude_patterns):
            return False
        if not any(_lua_find(name, p) for p in self.patterns):
            return False
        if self.roots:
            resolved = path.resolve()
            if self.recursive:
                return any(resolved == r or r in resolved.parents for r in self.roots)
            return any(resolved == r or resolved.parent == r for r in self.roots)
        return True

    def selects(self, full_name: str, own_names: list[str]) -> bool:
        """busted's tag and name filters (``tags``, ``exclude-tags``, ``filter``, ``filter-out``)."""
        for tag in self.exclude_tags:
            if any(_lua_find(n, "#" + tag) for n in own_names):
                return False
        if self.tags and not any(_lua_find(full_name, "#" + t) for t in self.tags):
            return False
        if any(_lua_find(full_name, f) for f in self.filters_out):
            return False
        return not self.filters or any(_lua_find(full_name, f) for f in self.filters)


def _warn(text: str) -> None:
    import warnings

    warnings.warn(pytest.PytestConfigWarning(text), stacklevel=2)


_MATCHER: list[Any] = []


def _lua_find(name: str, pattern: str) -> bool:
    """``string.find(name, pattern)`` in Lua: busted's file patterns are Lua patterns."""
    if not _MATCHER:
        from harness.lua_versions import new_runtime

        _MATCHER.append(
            new_runtime("5.3").eval(
                "function(s, p) local ok, r = pcall(string.find, s, p); if not ok then error(r, 0) end; "
                "return r ~= nil end"
            )
        )
    try:
        return bool(_MATCHER[0](name, pattern))
    except Exception as exc:
        raise BustedConfigError(f"bad busted file pattern {pattern!r}: {exc}") from exc


_SETTINGS_KEY = pytest.StashKey[dict[Path, BustedSettings]]()
_FOLDER_SETTINGS_KEY = pytest.StashKey[dict[Path, BustedSettings]]()


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "busted: an `it` of a busted spec file")
    if config.getoption("busted_disabled", default=False):
        return
    _apply_session_options(config)


def _session_config(config: pytest.Config) -> Path | None:
    root = Path(str(config.rootpath)).resolve()
    ini_cfg = config.getini("busted_config")
    if ini_cfg:
        return (root / ini_cfg).resolve()
    cfg = root / ".busted"
    return cfg if cfg.is_file() else None


def _apply_session_options(config: pytest.Config) -> None:
    """``.busted`` options that act on the whole pytest run: coverage, verbose, keep-going."""
    cfg = _session_config(config)
    if cfg is None or not cfg.is_file():
        return
    try:
        b = _read_busted_file(cfg, config.getoption("busted_run", default=None))
    except BustedConfigError as exc:
        raise pytest.UsageError(str(exc)) from None
    helper = config.getini("busted_helper") or b.get("helper")
    if helper and not (cfg.parent / str(helper)).is_file():
        raise pytest.UsageError(f"{cfg}: helper {str(helper)!r}: no such file")
    if _flag(b.get("coverage")) and getattr(config.option, "ao_cov", False) is None:
        config.option.ao_cov = True  # coverage = true is --ao-cov
    if _flag(b.get("verbose")) and config.option.verbose == 0:
        config.option.verbose = 1
    if "keep-going" in b and not _flag(b.get("keep-going")) and not config.option.maxfail:
        config.option.maxfail = 1  # keep-going = false stops at the first failure, like -x


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[Any]) -> None:
    keep: list[Any] = []
    dropped: list[Any] = []
    for item in items:
        if isinstance(item, BustedItem):
            bs = _settings(config, item.path)
            if not bs.selects(item.busted_name, item.busted_names):
                dropped.append(item)
                continue
        keep.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


def _settings(config: pytest.Config, spec: Path) -> BustedSettings:
    """The settings of the project *spec* belongs to (nearest ``.busted`` up to rootdir), looked
    up once per folder (collection and every test of a file ask again)."""
    by_folder = config.stash.setdefault(_FOLDER_SETTINGS_KEY, {})
    found = by_folder.get(spec.parent)
    if found is None:
        found = by_folder[spec.parent] = _find_settings(config, spec)
    return found


def _find_settings(config: pytest.Config, spec: Path) -> BustedSettings:
    cache = config.stash.setdefault(_SETTINGS_KEY, {})
    root = Path(str(config.rootpath)).resolve()
    ini_cfg = config.getini("busted_config")
    project, cfg = root, None
    if ini_cfg:
        cfg = (root / ini_cfg).resolve()
        if not cfg.is_file():
            raise BustedConfigError(f"busted_config = {ini_cfg!r}: no such file {cfg}")
        project = cfg.parent
    else:
        for d in spec.resolve().parents:
            if (d / ".busted").is_file():
                project, cfg = d, d / ".busted"
                break
            if d == root:
                break
    if project not in cache:
        cache[project] = BustedSettings(config, project, cfg)
    return cache[project]


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    config = parent.config
    if config.getoption("busted_disabled", default=False) or file_path.suffix != ".lua":
        return None
    try:
        settings = _settings(config, file_path)
    except BustedConfigError as exc:
        # reported once, as a collection error of the first Lua file (one clear line)
        reported = config.stash.setdefault(_REPORTED_KEY, set())
        if str(exc) in reported:
            return None
        reported.add(str(exc))
        return BustedConfigProblem.from_parent(parent, path=file_path, problem=str(exc))
    if not settings.wants(file_path):
        return None
    return BustedFile.from_parent(parent, path=file_path)


_REPORTED_KEY = pytest.StashKey[set[str]]()


class BustedConfigProblem(pytest.File):
    """Stands for a busted configuration that cannot be used: its collection fails with the reason."""

    def __init__(self, *, problem: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.problem = problem

    def collect(self) -> Iterable[pytest.Node]:
        raise self.CollectError(self.problem)


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    if isinstance(item, BustedItem):
        item.busted_teardown(nextitem)


# ---------------------------------------------------------------------------------------------
# errors
# ---------------------------------------------------------------------------------------------


def _source_line(project_dir: Path, file: str, line: int, cache: dict[str, list[str]]) -> str | None:
    if file not in cache:
        p = Path(file) if Path(file).is_absolute() else project_dir / file
        try:
            cache[file] = p.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            cache[file] = []
    lines = cache[file]
    return lines[line - 1].strip() if 0 < line <= len(lines) else None


def format_traceback(tb: str | None, project_dir: Path) -> str:
    """The Lua traceback without the runner's frames, each spec frame with its source line."""
    if not tb:
        return ""
    out: list[str] = []
    cache: dict[str, list[str]] = {}
    for raw in tb.splitlines():
        line = raw.strip()
        if not line or line == "stack traceback:" or "[busted " in line or line.startswith("[C]:"):
            continue
        out.append("  " + line)
        m = _FRAME.match(line)
        if m:
            src = _source_line(project_dir, m.group(1), int(m.group(2)), cache)
            if src:
                out.append("      > " + src)
    return "\n".join(out)


def format_record(record: dict[str, Any], project_dir: Path, title: str = "") -> str:
    parts: list[str] = []
    if title:
        parts.append(title)
    parts.append(str(record.get("message", "")))
    expected, actual = record.get("expected"), record.get("actual")
    if isinstance(expected, str) and isinstance(actual, str) and expected != actual:
        diff = difflib.unified_diff(
            expected.splitlines(), actual.splitlines(), "expected", "actual", lineterm="", n=3
        )
        parts.append("Diff (- expected, + actual):\n" + "\n".join(list(diff)[2:]))
    tb = format_traceback(record.get("traceback"), project_dir)
    if tb:
        parts.append("Lua traceback:\n" + tb)
    return "\n\n".join(parts)


# ---------------------------------------------------------------------------------------------
# a spec file's run: the coroutine and what it reported so far
# ---------------------------------------------------------------------------------------------


class FileRun:
    def __init__(self, spec: Path, settings: Settings, selected: set[str]) -> None:
        self.settings = settings
        self.state = SpecState(spec, settings)
        self.records: dict[str, dict[str, Any]] = {}
        self.blockfails: list[dict[str, Any]] = []
        self.hook_errors: list[dict[str, Any]] = []
        self.started: set[str] = set()
        self.done = False
        self.load_error: str | None = None
        with chdir(settings.project_dir):
            try:
                self.co = self.state.start_run(selected)
            except RuntimeError as exc:
                self.load_error = str(exc)
                self.done = True

    def _step(self) -> tuple[str, Any] | None:
        if self.done:
            return None
        with chdir(self.settings.project_dir):
            try:
                event = self.co.send(None)
            except StopIteration:
                event = None
        ev = to_py(event)
        if not isinstance(ev, list):
            self.done = True
            self.state.report_coverage()
            self.state = None  # type: ignore[assignment]  # free the Lua state
            return None
        kind, payload = ev[0], ev[1]
        if kind == "start":
            self.started.add(payload)
        elif kind == "end":
            self.records[payload["key"]] = payload
        elif kind == "blockfail":
            self.blockfails.append(payload)
        elif kind == "error":
            self.hook_errors.append(payload)
        return kind, payload

    def _blockfail_for(self, path: list[str]) -> dict[str, Any] | None:
        for rec in self.blockfails:
            block = rec.get("block") or []
            if isinstance(block, dict):
                block = []
            if path[: len(block)] == block:
                return rec
        return None

    def result(self, key: str, path: list[str]) -> dict[str, Any] | None:
        while key not in self.records:
            if self._blockfail_for(path) and key not in self.started:
                return None
            if self._step() is None:
                return None
        return self.records[key]

    def until_next_start(self, next_path: list[str]) -> None:
        """Run up to the next test's start, or to the failure of a block the next test is in
        (its tests never start: going further would run later tests' code now)."""
        if self._blockfail_for(next_path):
            return
        while True:
            step = self._step()
            if step is None or step[0] == "start":
                return
            if step[0] == "blockfail" and self._blockfail_for(next_path):
                return

    def finish(self) -> None:
        while self._step() is not None:
            pass

    def take_hook_errors(self) -> list[dict[str, Any]]:
        errors, self.hook_errors = self.hook_errors, []
        return errors


# ---------------------------------------------------------------------------------------------
# collection nodes
# ---------------------------------------------------------------------------------------------


def _node_name(name: str) -> str:
    return name.replace("::", ": :") or "(unnamed)"


def _register_tags(config: pytest.Config, tags: Iterable[str]) -> None:
    known = {line.split(":")[0].split("(")[0].strip() for line in config.getini("markers")}
    for tag in tags:
        if tag not in known:
            config.addinivalue_line("markers", f"{tag}: busted tag #{tag}")
            known.add(tag)


class _Container:
    """Shared by the file and describe collectors: build children from discovered tests."""

    def _children(self: Any, tests: list[dict[str, Any]], depth: int) -> Iterator[pytest.Node]:
        groups: dict[str, list[dict[str, Any]]] = {}
        order: list[tuple[str, str]] = []
        for t in tests:
            path = t["path"]
            if len(path) == depth + 1:
                order.append(("item", path[depth]))
                groups.setdefault("\0item\0" + path[depth], []).append(t)
            else:
                name = path[depth]
                if name not in groups:
                    order.append(("block", name))
                    groups[name] = []
                groups[name].append(t)
        for kind, name in order:
            if kind == "block":
                yield BustedBlock.from_parent(
                    self, name=_node_name(name), tests=groups[name], depth=depth + 1
                )
            else:
                t = groups["\0item\0" + name][0]
                item = BustedItem.from_parent(self, name=_node_name(name), test=t)
                yield item


class BustedFile(_Container, pytest.File):
    def collect(self) -> Iterable[pytest.Node]:
        bs = _settings(self.config, self.path)
        state = SpecState(self.path, bs.settings)
        try:
            found = state.discover()
        except Exception as exc:  # a Lua error raised from lupa itself
            raise self.CollectError(f"busted spec {state.name}: {exc}") from exc
        err = found.get("error")
        if err:
            where = err.get("where") or ""
            msg = str(err.get("message"))
            block = " > ".join(err.get("block") or []) if isinstance(err.get("block"), list) else ""
            head = f"busted spec {state.name} failed to load"
            if err.get("phase") == "load":
                head = f"busted spec {state.name} does not compile"
            elif block:
                head += f" (in describe {block!r})"
            if where and where not in msg:
                head += f" at {where}"
            raise self.CollectError(head + ":\n" + format_record({**err, "message": msg}, bs.project_dir))
        tests = found.get("tests") or []
        if isinstance(tests, dict):
            tests = []
        _register_tags(self.config, {tag for t in tests for tag in (t.get("tags") or [])})
        self._run: FileRun | None = None
        yield from self._children(tests, 0)

    def file_run(self, session: pytest.Session) -> FileRun:
        run = getattr(self, "_run", None)
        if run is None:
            selected = {
                i.key for i in session.items if isinstance(i, BustedItem) and i.getparent(BustedFile) is self
            }
            run = FileRun(self.path, _settings(self.config, self.path).settings, selected)
            self._run = run
        return run

    def close_run(self) -> None:
        self._run = None


class BustedBlock(_Container, pytest.Collector):
    def __init__(self, *, tests: list[dict[str, Any]], depth: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.tests = tests
        self.depth = depth

    def collect(self) -> Iterable[pytest.Node]:
        return list(self._children(self.tests, self.depth))


class BustedItem(pytest.Item):
    def __init__(self, *, test: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.test = test
        path = test["path"]
        self.busted_path: list[str] = list(path) if isinstance(path, list) else []
        self.key = LuaBytes.join(SEP, self.busted_path)
        names = test.get("names")
        #: busted's full name of the test (describe names and the it name, space-separated)
        self.busted_names: list[str] = list(names) if isinstance(names, list) else list(self.busted_path)
        self.busted_name = " ".join(self.busted_names)
        self.user_properties.append(("busted_name", self.busted_name))
        self.lua_line = test.get("line")
        self.add_marker("busted")
        tags = test.get("tags") or []
        for tag in tags if isinstance(tags, list) else []:
            self.add_marker(tag)
        self._after: list[dict[str, Any]] = []

    def runtest(self) -> None:
        bfile = self.getparent(BustedFile)
        assert bfile is not None
        run = bfile.file_run(self.session)
        project_dir = run.settings.project_dir
        if run.load_error:
            raise BustedFailure(
                {"message": run.load_error, "status": "error"},
                project_dir,
                "the spec file failed to load for the run",
            )
        if self.test.get("kind") == "pending":
            rec = run.result(self.key, self.busted_path)
            raise pytest.skip.Exception("pending", _use_item_location=True)
        rec = run.result(self.key, self.busted_path)
        if rec is None:
            failed = run._blockfail_for(self.busted_path)
            if failed and self.test.get("kind") == "blockerror":
                message = str(failed.get("message") or "")
                self.user_properties.append(("busted_message", message.split("\n", 1)[0]))
                raise BustedFailure(failed, project_dir, "the describe body failed (busted: an error):")
            if failed:
                block = " > ".join(failed.get("block") or []) or "the file"
                what = failed.get("hook") or "describe body"
                raise BustedFailure(
                    failed, project_dir, f"{what} of {block!r} failed, so this test did not run:"
                )
            raise BustedFailure(
                {
                    "message": "the test was not run: no test of this name was registered when the file ran "
                    "(is the name built from `next` order, tostring() of a table, math.random or the time?)",
                    "status": "error",
                },
                project_dir,
            )
        after = rec.get("after_errors") or []
        self._after = after if isinstance(after, list) else []
        status = rec.get("status")
        if status == "success":
            return
        if status == "pending":
            raise pytest.skip.Exception(str(rec.get("message") or "pending"), _use_item_location=True)
        message = str(rec.get("message") or "")
        self.user_properties.append(("busted_message", message.split("\n", 1)[0]))
        phase = rec.get("phase")
        title = ""
        if phase in {"before_each", "lazy_setup"}:
            title = f"{phase} failed, so the test did not run:"
        elif phase == "finally":
            title = "finally failed:"
        raise BustedFailure(rec, project_dir, title)

    def busted_teardown(self, nextitem: pytest.Item | None) -> None:
        bfile = self.getparent(BustedFile)
        assert bfile is not None
        run = getattr(bfile, "_run", None)
        errors = list(self._after)
        self._after = []
        if run is not None:
            same_file = isinstance(nextitem, BustedItem) and nextitem.getparent(BustedFile) is bfile
            if same_file:
                assert isinstance(nextitem, BustedItem)
                run.until_next_start(nextitem.busted_path)
            else:
                run.finish()
                bfile.close_run()
            errors += run.take_hook_errors()
        if errors:
            project_dir = _settings(self.config, self.path).project_dir
            texts = []
            for e in errors:
                hook = e.get("hook") or e.get("phase") or "hook"
                texts.append(format_record(e, project_dir, f"{hook} failed:"))
            raise BustedFailure({"message": "\n\n".join(texts)}, project_dir)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        exc = excinfo.value
        if isinstance(exc, BustedFailure):
            return format_record(exc.record, exc.project_dir, exc.title)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        line = self.lua_line if isinstance(self.lua_line, int) else None
        return self.path, (line - 1 if line else None), " > ".join(self.busted_path)


def spec_display(path: Path, project_dir: Path) -> str:
    return display_path(path, project_dir)
