"""Shared test configuration: pytester, and how a pytester run loads our plugin."""

from __future__ import annotations

import importlib.metadata

import pytest

pytest_plugins = ["pytester"]


def _installed() -> bool:
    return any(ep.value == "harness.plugin" for ep in importlib.metadata.entry_points(group="pytest11"))


@pytest.fixture
def plugin_args() -> list[str]:
    """Arguments that load the harness plugin in a pytester run (none when it is installed)."""
    return [] if _installed() else ["-p", "harness.plugin"]
