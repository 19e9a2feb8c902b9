"""``.busted`` options real suites use: the same tests run (and give the same outcomes) as under
real busted, session options map to pytest's, unknown options are named in one warning line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from busted_compare import BUSTED_ONLY, busted_or_skip, copy_project, differences, run_busted, run_pytest

HERE = Path(__file__).parent
OPTIONS = HERE / "options"
ARGS = BUSTED_ONLY


@pytest.fixture
def project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> Path:
    return copy_project(OPTIONS, pytester, monkeypatch)


def test_default_task(pytester: pytest.Pytester, project: Path) -> None:
    result = pytester.runpytest(*ARGS)
    # tags / exclude-tags / filter-out deselect; the rest: helper + Xhelper + e, lazy setup
    result.assert_outcomes(passed=6, failed=1, deselected=4)
    # verbose = true is -v; the unknown option is named in one line
    result.stdout.fnmatch_lines(
        [
            "*spec/options_spec.lua::options::helper arguments PASSED*",
            "*PytestConfigWarning: *.busted: unknown busted option(s) ignored: mystery",
        ]
    )
    result.stdout.fnmatch_lines(
        ["*.busted: output = 'junit' is busted's output handler; pytest reports instead (use --junitxml=FILE)"]
    )


def test_task_with_tags_and_pattern(pytester: pytest.Pytester, project: Path) -> None:
    result = pytester.runpytest(*ARGS, "--busted-run=tagged")
    result.assert_outcomes(passed=1, deselected=1)


@pytest.mark.parametrize("task", [None, "tagged"])
def test_same_tests_and_outcomes_as_busted(pytester: pytest.Pytester, project: Path, task: str | None) -> None:
    busted_or_skip()
    extra = ["-r", task] if task else []
    theirs, _ = run_busted(project, *extra)
    ours, _ = run_pytest(pytester, *ARGS, *([f"--busted-run={task}"] if task else []))
    assert theirs
    assert not differences(theirs, ours)


def test_coverage_true_is_ao_cov(pytester: pytest.Pytester, project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD")
    busted_file = project / ".busted"
    busted_file.write_text(busted_file.read_text().replace("lazy = true,", "lazy = true, coverage = true,"))
    pytester.makeini("[pytest]\nao_cov_include = lib/*.lua\n")
    result = pytester.runpytest("-p", "no:randomly", "-p", "no:cacheprovider")
    result.stdout.fnmatch_lines(["*Lua coverage (ao-harness*", "*lib/reader.lua*"])


def test_bad_helper_is_a_clear_error(pytester: pytest.Pytester, project: Path) -> None:
    busted_file = project / ".busted"
    busted_file.write_text(busted_file.read_text().replace('"spec/helper.lua"', '"spec/nope.lua"'))
    result = pytester.runpytest(*ARGS)
    result.stderr.fnmatch_lines(["ERROR: *.busted: helper 'spec/nope.lua': no such file"])
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    # a project below rootdir: one collection error with the same line
    sub = project / "sub"
    shutil.copytree(OPTIONS, sub)
    (sub / ".busted").write_text((project / ".busted").read_text())
    (project / ".busted").unlink()
    result = pytester.runpytest(*ARGS)
    result.stdout.fnmatch_lines(["*sub/.busted: helper 'spec/nope.lua': no such file"])
    result.assert_outcomes(errors=1)
