"""The live-module differential suite: the harness and the real aos binary, same inputs.

Every test here is marked ``live_module``.  When node or the fetched binary is missing, the tests
that need it are deselected and one sentinel test skips with the reason (which names the command
that fetches it), so the reason is reported once; with ``AO_LIVE_REQUIRED=1`` (CI, where node is
present) that is an error instead.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness import Network
from tests.live_module.live import LiveModule, unavailable_reason
from tests.live_module.twin import Twin

#: the test that stays selected to report why the live module cannot run
SENTINEL = "test_live_module_runs"
_REASON: list[str | None] = []
_STATS: list[str] = []


def _reason() -> str | None:
    if not _REASON:
        _REASON.append(unavailable_reason())
    return _REASON[0]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "live_module: differential tests against the live aos module binary (node + the fetched wasm)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).resolve().parent
    mine = [item for item in items if here in Path(item.path).resolve().parents]
    if not mine:
        return
    reason = _reason()
    if reason is not None and os.environ.get("AO_LIVE_REQUIRED"):
        raise pytest.UsageError(f"AO_LIVE_REQUIRED is set, but {reason}")
    for item in mine:
        item.add_marker(pytest.mark.live_module)
    if reason is None:
        return
    # one skip line, not hundreds: the tests that need the binary are deselected and the
    # sentinel test reports the reason (its skip comes from the live_module fixture)
    need = [i for i in mine if "live_module" in getattr(i, "fixturenames", ()) and i.name != SENTINEL]
    if need:
        drop = set(need)
        items[:] = [i for i in items if i not in drop]
        config.hook.pytest_deselected(items=need)
        _STATS.append(f"live module: {len(need)} tests deselected: {reason}")


@pytest.fixture(scope="session")
def live_module() -> Iterator[LiveModule]:
    reason = _reason()
    if reason is not None:
        pytest.skip(reason)
    module = LiveModule()
    started = time.perf_counter()
    try:
        yield module
    finally:
        module.close()
        wall = time.perf_counter() - started
        _STATS.append(
            f"live module: {module.calls} evaluations, {module.seconds:.1f} s in handle(), "
            f"{wall:.1f} s with the node helper up (node {module.info.get('node')}, "
            f"ao-loader {module.info.get('loader')}, {module.wasm.name})"
        )


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for line in _STATS:
        terminalreporter.write_line(line)


@pytest.fixture
def twin(live_module: LiveModule) -> Iterator[Twin]:
    """A fresh harness network on Lua 5.3 (the live module's Lua) paired with the live module."""
    pair = Twin(live_module, Network(lua="5.3"))
    try:
        yield pair
    finally:
        pair.close()
