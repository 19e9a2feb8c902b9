"""Fixtures for the Lua coverage tests: a small process project, and plugin arguments."""

from __future__ import annotations

import importlib.metadata
import shutil
from pathlib import Path

import pytest

from harness.coverage import collector

PROJECT = Path(__file__).parent / "project"


def _installed(value: str) -> bool:
    return any(ep.value == value for ep in importlib.metadata.entry_points(group="pytest11"))


@pytest.fixture
def cov_args() -> list[str]:
    """Arguments that load the harness and coverage plugins in a pytester run."""
    args = []
    if not _installed("harness.plugin"):
        args += ["-p", "harness.plugin"]
    if not _installed("harness.coverage.plugin"):
        args += ["-p", "harness.coverage.plugin"]
    return args


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of tests/coverage/project (ao/demo, ao/lib/util.lua, ao/unused) in a temp dir."""
    dest = tmp_path / "proj"
    shutil.copytree(PROJECT, dest)
    return dest


@pytest.fixture
def cov(project: Path):
    """A collector installed for this test only; the session's own (``pytest --ao-cov``) comes back
    afterwards."""
    with collector.installed(collector.Collector(root=project)) as col:
        yield col
