"""What a pytest run imports at start-up: our plugins leave PyYAML, hypothesis and coverage.py to
the runs that use them, and none of them (nor ``harness.errors``) imports lupa or the network; ``harness``'s public names are imported on first use and are the defining modules' own."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

import harness

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("yaml", "hypothesis", "coverage", "lupa", "harness.network")


def _imported_after(*modules: str) -> list[str]:
    """Which of HEAVY a fresh interpreter has imported after importing pytest and *modules*."""
    code = (
        "import json, sys, pytest\n"
        f"for m in {list(modules)!r}: __import__(m)\n"
        f"print(json.dumps([m for m in {list(HEAVY)!r} if m in sys.modules]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    return json.loads(out)


@pytest.mark.parametrize(
    ("modules", "expected"),
    [
        (["harness", "harness.errors", "harness.busted.plugin"], []),
        # PyYAML only when a manifest is read; lupa only when the first Lua state is made
        (["harness.manifest"], ["harness.network"]),
        # the network (and lupa) only when a test first asks for one
        (["harness.plugin", "harness.busted.plugin", "harness.coverage.plugin"], []),
    ],
)
def test_start_up_imports(modules: list[str], expected: list[str]) -> None:
    assert _imported_after(*modules) == expected


def test_public_names_are_their_modules_objects() -> None:
    for name in harness.__all__:
        module = importlib.import_module(harness._PUBLIC[name])
        assert getattr(harness, name) is getattr(module, name), name
    assert set(harness.__all__) <= set(dir(harness))
    assert sorted(harness._PUBLIC) == sorted(harness.__all__)


def test_submodules_and_unknown_names() -> None:
    assert harness.network is importlib.import_module("harness.network")
    with pytest.raises(AttributeError, match="module 'harness' has no attribute 'no_such_thing'"):
        _ = harness.no_such_thing
    with pytest.raises(ImportError, match="cannot import name 'no_such_thing' from 'harness'"):
        from harness import no_such_thing  # noqa: F401


def test_a_module_taken_out_of_sys_modules_is_not_served(monkeypatch: pytest.MonkeyPatch) -> None:
    """pytester's in-process runs take the modules they imported back out of ``sys.modules``: a
    public name then comes from the module imported anew, never from the one that is gone."""
    first = importlib.import_module("harness.network")
    assert harness.Network is first.Network
    monkeypatch.delitem(sys.modules, "harness.network")
    monkeypatch.setattr(harness, "network", first)  # (the package attribute, put back after the test)
    second = importlib.import_module("harness.network")
    assert second is not first
    assert harness.Network is second.Network


CONFTEST_REPORTS_HYPOTHESIS = """
import sys

def pytest_unconfigure(config):
    print("hypothesis imported:", "hypothesis" in sys.modules)
"""


def test_a_run_without_hypothesis_tests_never_imports_hypothesis(pytester: pytest.Pytester) -> None:
    # hypothesis's own plugin (every run has it: the harness depends on hypothesis) imports all of
    # hypothesis at the end of the session; the harness unregisters it when nothing collected
    # imported hypothesis
    pytester.makeconftest(CONFTEST_REPORTS_HYPOTHESIS)
    pytester.makepyfile("def test_plain():\n    assert True\n")
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-s")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*hypothesis imported: False*"])


def test_hypothesis_tests_keep_hypothesis_s_plugin(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(CONFTEST_REPORTS_HYPOTHESIS)
    pytester.makepyfile(
        "from hypothesis import given, strategies as st\n\n"
        "@given(st.integers())\n"
        "def test_int(x):\n    assert isinstance(x, int)\n"
    )
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-s", "--hypothesis-show-statistics")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*Hypothesis Statistics*", "*test_int*", "*hypothesis imported: True*"])
