"""pytest plugin: ``--ao-cov`` measures Lua line coverage and handler coverage.

* Every Lua state booted while coverage is on gets a line hook (merged with the instruction
  budget hook).  After each test phase the hits of every live state are drained; states that are
  thrown away (rollback, dry-run) are drained first.
* When coverage.py is running (pytest-cov, ``coverage run``), the hits go into its data after
  each phase, so ``--cov-context=test`` labels them, and xdist / ``coverage combine`` work as for
  Python files.  Otherwise ``--ao-cov`` writes its own data file (``.coverage`` by default).
* At the end: a terminal table of Lua files and the handler table (per process, messages matched
  per ``Handlers.add`` name, and those that never matched), plus the reports asked for with
  ``--ao-cov-report``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from harness.coverage import collector as _collector
from harness.coverage.collector import DEFAULT_INCLUDE, Collector, glob_regex

REPORT_KINDS = ("term", "term-missing", "json", "html", "xml", "lcov", "none")
DEFAULT_DEST = {
    "json": "ao-coverage.json",
    "html": "htmlcov-lua",
    "xml": "coverage-lua.xml",
    "lcov": "coverage-lua.lcov",
}
CONFIG_HELP = (
    "coverage.py is running (pytest-cov or `coverage run`) but does not load the Lua reporter, so "
    "its report would fail on the .lua files --ao-cov adds.  Add to .coveragerc:\n"
    "    [run]\n    plugins = harness.coverage.lua_plugin\n"
    "or to pyproject.toml:\n"
    '    [tool.coverage.run]\n    plugins = ["harness.coverage.lua_plugin"]'
)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("ao-cov", "Lua coverage of AO processes (ao-harness)")
    group.addoption(
        "--ao-cov",
        dest="ao_cov",
        action="store_true",
        default=None,
        help="measure which Lua lines of the process code ran, and which handlers matched",
    )
    group.addoption(
        "--ao-cov-include",
        dest="ao_cov_include",
        action="append",
        default=None,
        metavar="GLOB",
        help="Lua files to measure, relative to the ao root (repeatable; default ao/**/*.lua)",
    )
    group.addoption(
        "--ao-cov-runtime",
        dest="ao_cov_runtime",
        action="store_true",
        default=None,
        help="also measure the harness's own aos runtime (harness/lua)",
    )
    group.addoption(
        "--ao-cov-report",
        dest="ao_cov_report",
        action="append",
        default=None,
        metavar="TYPE[:DEST]",
        help="term, term-missing (default), json, html, xml, lcov, none (repeatable); "
        "files default to ao-coverage.json, htmlcov-lua/, coverage-lua.xml, coverage-lua.lcov",
    )
    group.addoption(
        "--ao-cov-data",
        dest="ao_cov_data",
        default=None,
        metavar="PATH",
        help="data file written when coverage.py is not running (default .coverage)",
    )
    group.addoption(
        "--ao-cov-fail-under",
        dest="ao_cov_fail_under",
        default=None,
        metavar="PERCENT",
        help="fail the run when the total Lua line coverage is below PERCENT (0-100)",
    )
    parser.addini("ao_cov", "measure Lua coverage (like --ao-cov)", type="bool", default=False)
    parser.addini("ao_cov_fail_under", "fail when total Lua line coverage is below this percent", default="")
    parser.addini("ao_cov_include", "Lua files to measure (globs, relative to the ao root)", type="linelist")
    parser.addini("ao_cov_runtime", "also measure the harness's own Lua runtime", type="bool", default=False)
    parser.addini("ao_cov_report", "Lua coverage reports (TYPE[:DEST] per line)", type="linelist")
    parser.addini("ao_cov_data", "data file written when coverage.py is not running", default="")


def _parse_fail_under(value: str | None) -> float | None:
    if value in (None, ""):
        return None
    try:
        percent = float(value)
    except ValueError:
        percent = -1.0
    if not 0 <= percent <= 100:
        raise pytest.UsageError(f"--ao-cov-fail-under {value!r}: give a percentage from 0 to 100")
    return percent


def _parse_reports(values: list[str]) -> list[tuple[str, str]]:
    out = []
    for value in values:
        kind, _, dest = value.partition(":")
        if kind not in REPORT_KINDS:
            raise pytest.UsageError(
                f"--ao-cov-report {value!r}: unknown report type {kind!r}; "
                f"choose from {', '.join(REPORT_KINDS)}"
            )
        out.append((kind, dest or DEFAULT_DEST.get(kind, "")))
    return out


class AoCoverage:
    """The per-run state of ``--ao-cov`` (registered as a plugin object when enabled)."""

    def __init__(self, config: pytest.Config) -> None:
        from harness.lua_versions import normalise
        from harness.plugin import _root, _setting

        self.config = config
        self.root = _root(config)
        self.lua_version = normalise(_setting(config, "lua"))
        include = config.getoption("ao_cov_include") or config.getini("ao_cov_include")
        self.include = list(include or DEFAULT_INCLUDE)
        runtime = config.getoption("ao_cov_runtime")
        self.runtime = bool(runtime if runtime is not None else config.getini("ao_cov_runtime"))
        reports = config.getoption("ao_cov_report") or config.getini("ao_cov_report") or ["term-missing"]
        self.reports = _parse_reports(list(reports))
        self.fail_under = _parse_fail_under(
            config.getoption("ao_cov_fail_under") or config.getini("ao_cov_fail_under")
        )
        data = config.getoption("ao_cov_data") or config.getini("ao_cov_data") or ".coverage"
        self.data_path = Path(data) if Path(data).is_absolute() else Path(str(config.rootpath)) / data
        self.collector = Collector(root=self.root, include=self.include, runtime=self.runtime)
        self.is_worker = hasattr(config, "workerinput")
        self.cov: Any = None
        self.branch = False
        self.injected = False
        self.summary: dict[str, Any] | None = None
        self.written: list[str] = []
        os.environ.setdefault("AO_HARNESS_LUA", self.lua_version)

    # -- coverage.py ---------------------------------------------------------------------------

    def _find_cov(self) -> None:
        try:
            import coverage
        except ImportError:
            return
        cov = coverage.Coverage.current()
        if cov is None:
            return
        from harness.coverage.lua_plugin import MODULE

        plugins = cov.get_option("run:plugins") or []
        if MODULE not in plugins:
            raise pytest.UsageError(CONFIG_HELP)
        self.cov = cov
        self.branch = bool(cov.get_option("run:branch"))
        self.injected = True

    def _cov_data(self) -> Any:
        data = getattr(self.cov, "_data", None)
        return data if data is not None else self.cov.get_data()

    def flush(self) -> None:
        if self.cov is not None:
            self.collector.drain()
        pending = self.collector.take_pending()
        if self.cov is not None and pending:
            from harness.coverage.report import add_to_data

            add_to_data(self._cov_data(), pending, branch=self.branch)

    def included_files(self) -> list[str]:
        """Every file the include globs select (bundles excluded: they map to their sources)."""
        from harness.coverage.lua_plugin import is_bundle

        root = self.root.resolve()
        found: set[Path] = set()
        for pattern in self.include:
            # walk only below the pattern's fixed leading directories ("ao" for ao/**/*.lua)
            fixed: list[str] = []
            for part in Path(pattern).parts:
                if any(c in part for c in "*?["):
                    break
                fixed.append(part)
            base = Path(*fixed) if fixed else Path(".")
            base = base if base.is_absolute() else root / base
            if base.is_file():
                found.add(base)
                continue
            if not base.is_dir():
                continue
            rx = glob_regex(pattern)
            for path in base.rglob("*.lua"):
                rel = path.relative_to(root).as_posix() if path.is_relative_to(root) else None
                if rx.match(path.as_posix()) or (rel is not None and rx.match(rel)):
                    found.add(path)
        return sorted(str(p) for p in found if not is_bundle(p))

    # -- hooks ---------------------------------------------------------------------------------

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        self._find_cov()
        _collector.install(self.collector)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_setup(self, item: pytest.Item):
        try:
            return (yield)
        finally:
            if self.cov is not None:
                self.flush()

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item):
        try:
            return (yield)
        finally:
            if self.cov is not None:
                self.flush()

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_teardown(self, item: pytest.Item, nextitem: pytest.Item | None):
        try:
            return (yield)
        finally:
            if self.cov is not None:
                self.flush()

    @pytest.hookimpl(wrapper=True, trylast=True)
    def pytest_runtestloop(self, session: pytest.Session):
        # runs inside pytest-cov's wrapper: everything is in its data before it saves
        try:
            return (yield)
        finally:
            self.collector.close()
            self.flush()
            if self.cov is not None:
                from harness.coverage.lua_plugin import PLUGIN_NAME

                untouched = [f for f in self.included_files() if f not in self.collector.total]
                data = self._cov_data()
                # a worker that measured nothing at all cannot touch files (coverage.py refuses)
                if untouched and (data.has_arcs() or data.measured_files()):
                    data.touch_files(untouched, PLUGIN_NAME)
            if self.is_worker:
                payload = self.collector.to_json()
                payload["injected"] = self.injected
                self.config.workeroutput["ao_cov"] = json.dumps(payload)  # type: ignore[attr-defined]

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        raw = getattr(node, "workeroutput", {}).get("ao_cov")
        if not raw:
            return
        payload = json.loads(raw)
        lines = self.collector.merge_json(payload)
        if self.cov is not None and not payload.get("injected"):
            from harness.coverage.report import add_to_data

            add_to_data(self._cov_data(), lines, branch=self.branch)

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        _collector.install(None)
        if self.is_worker:
            return
        from harness.coverage import report

        files = self.included_files()
        hits = self.collector.total
        analyses = report.analyse(hits, files, self.root, self.lua_version)
        kinds = {k for k, _ in self.reports}
        file_reports = [(k, d) for k, d in self.reports if k in ("html", "xml", "lcov")]
        data_written = None
        if self.cov is None:
            try:
                report.write_data_file(self.data_path, hits, files)
                data_written = self.data_path
            except ImportError:
                data_written = None
        if file_reports:
            data_file = data_written
            if data_file is None:
                data_file = Path(str(self.config.rootpath)) / ".ao-cov-report.tmp"
                report.write_data_file(data_file, hits, files)
            try:
                self.written += report.coverage_reports(
                    data_file, self.lua_version, file_reports, self.collector.handlers
                )
            finally:
                if data_written is None:
                    data_file.unlink(missing_ok=True)
        for kind, dest in self.reports:
            if kind == "json":
                path = Path(dest) if Path(dest).is_absolute() else Path(str(self.config.rootpath)) / dest
                report.write_json(
                    path, report.json_report(analyses, self.collector.handlers, self.lua_version)
                )
                self.written.append(str(path))
        self.summary = {
            "analyses": analyses,
            "kinds": kinds,
            "data": data_written,
        }
        total = report.total_percent(analyses)
        if self.fail_under is not None and total < self.fail_under and session.exitstatus == 0:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
            self.summary["failed_under"] = total

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.is_worker or self.summary is None:
            return
        from harness.coverage import report

        tr = terminalreporter
        kinds = self.summary["kinds"]
        if kinds & {"term", "term-missing"}:
            tr.write_sep("-", f"Lua coverage (ao-harness, Lua {self.lua_version})")
            tr.write_line(report.line_table(self.summary["analyses"], missing="term-missing" in kinds))
            tr.write_sep("-", "Handler coverage: messages matched per handler, whole run")
            tr.write_line(report.handler_table(self.collector.handlers))
        if self.summary["data"] is not None:
            tr.write_line(f"Lua coverage data: {self.summary['data']} (`coverage report` etc. read it)")
        for path in self.written:
            tr.write_line(f"Lua coverage report: {path}")
        if "failed_under" in self.summary:
            tr.write_line(
                f"FAIL Required Lua line coverage of {self.fail_under:g}% not reached. "
                f"Total Lua coverage: {self.summary['failed_under']:.2f}%",
                red=True,
                bold=True,
            )
        elif self.fail_under is not None:
            tr.write_line(f"Required Lua line coverage of {self.fail_under:g}% reached.")


def pytest_configure(config: pytest.Config) -> None:
    enabled = config.getoption("ao_cov", default=None)
    if enabled is None:
        enabled = config.getini("ao_cov")
    if enabled:
        config.pluginmanager.register(AoCoverage(config), "ao-coverage-session")
