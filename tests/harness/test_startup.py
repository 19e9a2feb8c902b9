"""What a pytest run imports at start-up: our plugins leave PyYAML, hypothesis and coverage.py to
the runs that use them, and the busted plugin (with ``harness.errors``) does not import lupa or the
network; ``harness``'s public names are imported on first use and are the defining modules' own."""

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
        (["harness.manifest"], ["lupa", "harness.network"]),  # PyYAML only when a manifest is read
        (["harness.plugin", "harness.busted.plugin", "harness.coverage.plugin"], ["lupa", "harness.network"]),
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
