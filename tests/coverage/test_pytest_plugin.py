"""pytest --ao-cov end to end: terminal tables, the data file read by `coverage report/html/xml/
lcov/json`, our JSON report, ini options, pytest-cov with per-test contexts, and xdist."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import coverage
import pytest

TESTS = """
def test_add(ao):
    p = ao.spawn("demo")
    assert p.send({"Action": "Add", "N": "4"}).messages[0].data == "4"

def test_spin(ao):
    p = ao.spawn("demo")
    assert p.send({"Action": "Spin"}).messages[0].data == "42"
"""

RC = "[run]\nplugins = harness.coverage.lua_plugin\n"

needs_pytest_cov = pytest.mark.skipif(
    importlib.util.find_spec("pytest_cov") is None, reason="pytest-cov is not installed"
)
needs_xdist = pytest.mark.skipif(importlib.util.find_spec("xdist") is None, reason="pytest-xdist is not installed")


def _setup(pytester: pytest.Pytester, project: Path) -> None:
    import shutil

    shutil.copytree(project / "ao", pytester.path / "ao")
    pytester.makepyfile(test_demo=TESTS)


def _coverage(pytester: pytest.Pytester, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "coverage", *args],
        cwd=pytester.path,
        capture_output=True,
        text=True,
        check=False,
    )


def test_standalone_tables_and_data_file(pytester: pytest.Pytester, project: Path, cov_args: list[str]) -> None:
    _setup(pytester, project)
    result = pytester.runpytest_subprocess(*cov_args, "--ao-cov")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(
        [
            "*Lua coverage (ao-harness, Lua 5.3)*",
            "ao/demo/src/process.lua * 13-14",
            "ao/lib/util.lua * 6",
            "ao/unused/src/process.lua * 0%*",
            "*Handler coverage*",
            "demo  (2 Lua states*",
            "  Never  * 0   <- never matched",
            "  never matched: Never",
            "Lua coverage data: *.coverage*",
        ]
    )
    (pytester.path / ".coveragerc").write_text(RC)
    rep = _coverage(pytester, "report", "-m")
    assert rep.returncode == 0, rep.stderr
    lines = {line.split()[0]: line for line in rep.stdout.splitlines() if ".lua" in line}
    assert lines["ao/demo/src/process.lua"].rstrip().endswith("13-14")
    assert lines["ao/unused/src/process.lua"].split()[3] == "0%"
    assert "ao/demo/build" not in rep.stdout


def test_coverage_html_xml_lcov_json(pytester: pytest.Pytester, project: Path, cov_args: list[str]) -> None:
    _setup(pytester, project)
    pytester.runpytest_subprocess(*cov_args, "--ao-cov", "--ao-cov-report=none").assert_outcomes(passed=2)
    (pytester.path / ".coveragerc").write_text(RC)
    for args in (["html", "-d", "h"], ["xml", "-o", "c.xml"], ["lcov", "-o", "c.lcov"], ["json", "-o", "c.json"]):
        out = _coverage(pytester, *args)
        assert out.returncode == 0, (args, out.stderr)
    page = next((pytester.path / "h").glob("*util_lua.html")).read_text()
    assert '<span class="key">local</span>' in page and '<span class="key">function</span>' in page
    assert 'class="text mis' in page or "mis show_mis" in page
    xml = (pytester.path / "c.xml").read_text()
    assert 'filename="ao/lib/util.lua"' in xml and '<line number="6" hits="0"/>' in xml
    lcov = (pytester.path / "c.lcov").read_text()
    # the function M.parse is lines 3-9 (its region); coverage.py 7.18+ starts an lcov FN record at
    # the region's first line with code (line 4), as lcov 2.4 wants it, earlier ones at its start
    first = 3 if coverage.version_info < (7, 18) else 4
    assert "SF:ao/lib/util.lua" in lcov and "DA:6,0" in lcov and f"FN:{first},9,M.parse" in lcov
    data = json.loads((pytester.path / "c.json").read_text())
    assert data["files"]["ao/lib/util.lua"]["missing_lines"] == [6]


def test_own_reports(pytester: pytest.Pytester, project: Path, cov_args: list[str]) -> None:
    _setup(pytester, project)
    result = pytester.runpytest_subprocess(
        *cov_args, "--ao-cov", "--ao-cov-report=json:out/cov.json", "--ao-cov-report=xml:out/cov.xml",
        "--ao-cov-report=lcov:out/cov.lcov", "--ao-cov-report=html:out/html",
    )
    result.assert_outcomes(passed=2)
    report = json.loads((pytester.path / "out/cov.json").read_text())
    demo = report["files"]["ao/demo/src/process.lua"]
    assert demo["missing_lines"] == [13, 14]
    assert report["files"]["ao/unused/src/process.lua"]["summary"]["covered_lines"] == 0
    assert report["handlers"]["demo"]["handlers"] == {"Add": 1, "Never": 0, "Spin": 1}
    assert report["handlers"]["demo"]["never_matched"] == ["Never"]
    assert '<line number="13" hits="0"/>' in (pytester.path / "out/cov.xml").read_text()
    assert "DA:13,0" in (pytester.path / "out/cov.lcov").read_text()
    index = (pytester.path / "out/html/index.html").read_text()
    assert '<section id="ao-handlers">' in index and index.index("ao-handlers") < index.index("</body>")
    assert '<tr style="background:#fdd"><td>Never (never matched)</td><td>0</td></tr>' in index
    assert "<tr><td>Add</td><td>1</td></tr>" in index
    assert "Lua coverage (ao-harness" not in result.stdout.str()  # no term report asked: no table
    result.stdout.fnmatch_lines(["Lua coverage report: *out/cov.json"])


def test_ini_options(pytester: pytest.Pytester, project: Path, cov_args: list[str]) -> None:
    _setup(pytester, project)
    pytester.makeini("[pytest]\nao_cov = true\nao_cov_include =\n    ao/lib/*.lua\nao_cov_report = term\n")
    result = pytester.runpytest_subprocess(*cov_args)
    result.assert_outcomes(passed=2)
    out = result.stdout.str()
    assert "ao/lib/util.lua" in out and "ao/demo/src/process.lua" not in out
    assert "Missing" not in out  # term, not term-missing


def test_bad_report_type(pytester: pytest.Pytester, project: Path, cov_args: list[str]) -> None:
    _setup(pytester, project)
    result = pytester.runpytest_subprocess(*cov_args, "--ao-cov", "--ao-cov-report=pdf")
    assert result.ret != 0
    result.stderr.fnmatch_lines(["*--ao-cov-report 'pdf': unknown report type 'pdf'*"])


@needs_pytest_cov
def test_pytest_cov_without_plugin_configured_fails_early(
    pytester: pytest.Pytester, project: Path, cov_args: list[str]
) -> None:
    _setup(pytester, project)
    result = pytester.runpytest_subprocess(*cov_args, "--ao-cov", "--cov=ao")
    assert result.ret != 0
    result.stderr.fnmatch_lines(["*does not load the Lua reporter*", "*plugins = harness.coverage.lua_plugin*"])


@needs_pytest_cov
@pytest.mark.parametrize("branch", [False, True])
def test_pytest_cov_with_contexts(
    pytester: pytest.Pytester, project: Path, cov_args: list[str], branch: bool
) -> None:
    _setup(pytester, project)
    (pytester.path / ".coveragerc").write_text(RC)
    extra = ["--cov-branch"] if branch else []
    result = pytester.runpytest_subprocess(
        *cov_args, "--ao-cov", "--ao-cov-report=none", "--cov=ao", "--cov-context=test",
        "--cov-report=term-missing", *extra,
    )
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["ao/demo/src/process.lua * 13-14", "ao/unused/src/process.lua * 0%*"])
    from coverage import CoverageData

    data = CoverageData(basename=str(pytester.path / ".coverage"))
    data.read()
    demo = str((pytester.path / "ao/demo/src/process.lua").resolve())
    data.set_query_contexts(None)
    by_line = data.contexts_by_lineno(demo)
    assert by_line[19] == ["test_demo.py::test_spin|run"]  # inside the Spin handler's coroutine
    assert by_line[7] == ["test_demo.py::test_add|run"]  # the Add handler
    assert sorted(by_line[6]) == ["test_demo.py::test_add|run", "test_demo.py::test_spin|run"]  # top level


@needs_xdist
def test_xdist_standalone_merges_workers(pytester: pytest.Pytester, project: Path, cov_args: list[str]) -> None:
    _setup(pytester, project)
    result = pytester.runpytest_subprocess(*cov_args, "--ao-cov", "-n", "2", "--ao-cov-report=json:c.json")
    result.assert_outcomes(passed=2)
    report = json.loads((pytester.path / "c.json").read_text())
    assert report["files"]["ao/demo/src/process.lua"]["missing_lines"] == [13, 14]
    assert report["handlers"]["demo"]["states"] == 2


@needs_xdist
@needs_pytest_cov
def test_xdist_with_pytest_cov(pytester: pytest.Pytester, project: Path, cov_args: list[str]) -> None:
    _setup(pytester, project)
    (pytester.path / ".coveragerc").write_text(RC)
    result = pytester.runpytest_subprocess(
        *cov_args, "--ao-cov", "-n", "2", "--cov=ao", "--cov-report=term-missing", "--ao-cov-report=none"
    )
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["ao/demo/src/process.lua * 13-14"])


@pytest.mark.parametrize("reports", [[], ["--ao-cov-report=html", "--ao-cov-report=xml"]])
def test_no_lua_line_ran_is_a_clean_report(
    pytester: pytest.Pytester, project: Path, cov_args: list[str], reports: list[str]
) -> None:
    """Lua files exist but no test spawned a process: every file is reported at 0%, exit 0."""
    import shutil

    shutil.copytree(project / "ao", pytester.path / "ao")
    pytester.makepyfile(test_plain="def test_python_only():\n    assert 1 + 1 == 2\n")
    (pytester.path / ".coveragerc").write_text(RC)
    result = pytester.runpytest_subprocess(*cov_args, "--ao-cov", *reports)
    result.assert_outcomes(passed=1)
    assert result.ret == 0, result.stderr.str()
    if reports:
        assert "ao/demo/src/process.lua" in (pytester.path / "coverage-lua.xml").read_text()
        assert (pytester.path / "htmlcov-lua" / "index.html").exists()
    else:
        result.stdout.fnmatch_lines(["ao/demo/src/process.lua * 0%*"])
    report = _coverage(pytester, "report")
    assert report.returncode == 0, report.stderr
    assert "ao/unused/src/process.lua" in report.stdout


@pytest.mark.parametrize(("threshold", "passes"), [("10", True), ("99.5", False)])
def test_fail_under(
    pytester: pytest.Pytester, project: Path, cov_args: list[str], threshold: str, passes: bool
) -> None:
    _setup(pytester, project)
    result = pytester.runpytest_subprocess(*cov_args, "--ao-cov", f"--ao-cov-fail-under={threshold}")
    result.assert_outcomes(passed=2)
    if passes:
        assert result.ret == 0
        result.stdout.fnmatch_lines([f"Required Lua line coverage of {threshold}% reached."])
    else:
        assert result.ret == pytest.ExitCode.TESTS_FAILED
        result.stdout.fnmatch_lines([f"FAIL Required Lua line coverage of {threshold}% not reached. Total*"])


def test_fail_under_rejects_a_bad_value(pytester: pytest.Pytester, project: Path, cov_args: list[str]) -> None:
    _setup(pytester, project)
    result = pytester.runpytest_subprocess(*cov_args, "--ao-cov", "--ao-cov-fail-under=lots")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--ao-cov-fail-under 'lots': give a percentage from 0 to 100"])
