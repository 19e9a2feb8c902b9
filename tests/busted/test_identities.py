"""Tests generated in a pairs() loop keep the same identities at collection and run time and from
one run to the next (the spec runtime's pairs does not depend on the string-hash seed)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from busted_compare import busted_or_skip, differences, run_busted, run_pytest

HERE = Path(__file__).parent
GENERATED = HERE / "generated"


@pytest.fixture
def project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    shutil.copytree(GENERATED, pytester.path, dirs_exist_ok=True)
    pytester.makeini("[pytest]\n")
    return pytester.path


def _args() -> list[str]:
    # only the busted plugin (plugin autoload is off in the fixture): ten sessions stay cheap
    return ["-p", "no:cacheprovider", "-p", "harness.busted.plugin"]


def _run(pytester: pytest.Pytester) -> list[tuple[str, str]]:
    reprec = pytester.inline_run(*_args())
    out = []
    for rep in reprec.getreports("pytest_runtest_logreport"):
        if rep.when == "call":
            out.append((rep.nodeid, rep.outcome))
    return out


def test_generated_describes_are_stable_over_ten_runs(pytester: pytest.Pytester, project: Path) -> None:
    first = _run(pytester)
    assert len(first) == 20
    assert len({nodeid for nodeid, _ in first}) == 20  # duplicates got unique, stable names
    assert [o for _, o in first].count("failed") == 2
    for _ in range(9):  # every run builds new Lua states, with new string-hash seeds
        assert _run(pytester) == first


def test_generated_describes_match_busted(pytester: pytest.Pytester, project: Path) -> None:
    busted_or_skip()
    theirs, _ = run_busted(project)
    ours, _ = run_pytest(pytester, *_args())
    assert len(theirs) == 20
    assert not differences(theirs, ours)
