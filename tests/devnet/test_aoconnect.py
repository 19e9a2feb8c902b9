"""The real `@permaweb/aoconnect` client (pinned in tests/devnet/package-lock.json) against
`ao-harness serve`: runs the node tests (`node --test`) of this directory."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from devnet_helpers import REPO
from devnet_proc import ServeProcess

from harness.bundle import build_all

HERE = Path(__file__).resolve().parent

pytestmark = [
    pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed: the aoconnect tests need it"),
    pytest.mark.skipif(
        not (HERE / "node_modules" / "@permaweb" / "aoconnect").is_dir(),
        reason="tests/devnet/node_modules is missing: run `npm ci` in tests/devnet",
    ),
]


def run_node(test_file: str, server: ServeProcess, extra: dict[str, str]) -> None:
    env = {
        **os.environ,
        "DEVNET_GATEWAY": server.urls["gateway"],
        "DEVNET_MU": server.urls["MU"],
        "DEVNET_SU": server.urls["SU"],
        "DEVNET_CU": server.urls["CU"],
        **extra,
    }
    proc = subprocess.run(
        ["node", "--test", "--test-reporter=spec", test_file],
        cwd=HERE, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"node --test {test_file} failed:\n{out[-6000:]}"
    assert "# fail 0" in out or "ℹ fail 0" in out, out[-3000:]
    assert "skipped 0" in out or "ℹ skipped 0" in out, f"a node test skipped:\n{out[-3000:]}"


@pytest.fixture
def plain_server(tmp_path: Path) -> Iterator[ServeProcess]:
    server = ServeProcess(tmp_path / "data")
    yield server
    assert server.stop() == 0


def test_aoconnect_basics(plain_server: ServeProcess) -> None:
    run_node("basic.test.mjs", plain_server, {})


def test_aoconnect_tim3(tmp_path: Path) -> None:
    (bundle,) = build_all(REPO, ["mock-usda"])
    server = ServeProcess(tmp_path / "data", "aoform.yaml")
    try:
        assert set(server.system) == {"mock-usda", "lock-manager", "token-manager", "coordinator", "state-manager"}
        run_node(
            "tim3.test.mjs",
            server,
            {"DEVNET_SYSTEM": json.dumps(server.system), "DEVNET_MOCK_USDA_BUNDLE": str(bundle)},
        )
    finally:
        assert server.stop() == 0
