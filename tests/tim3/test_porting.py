"""tests/PORTING.md accounts for every upstream test: the counts of docs/tim3-upstream.md §1, and
every node id it names exists and is collected."""

from __future__ import annotations

import collections
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PORTING = ROOT / "tests" / "PORTING.md"

#: docs/tim3-upstream.md §1: `it` count per original spec file.
UNIT = {
    "ao/mock-usda/test/process_spec.lua": 17,
    "ao/mock-usda/test/simple_spec.lua": 8,
    "ao/coordinator/test/coordinator_spec.lua": 18,
    "ao/lock-manager/test/lock_manager_spec.lua": 12,
    "ao/token-manager/test/token_manager_spec.lua": 17,
    "ao/state-manager/test/state_manager_spec.lua": 11,
}
INTEGRATION_SPECS = 10  # the four integration-tests/*_spec.lua files
DEBUG = 2  # integration-tests/debug_integration.lua (only runs when named)


def rows() -> list[tuple[str, str]]:
    out = []
    for line in PORTING.read_text(encoding="utf-8").splitlines():
        m = re.match(r"\| `([^`]+)` \|.*\| `(tests/[^`]+)` \|", line)
        if m:
            out.append((m.group(1), m.group(2)))
    return out


def test_every_upstream_test_has_a_row() -> None:
    counts = collections.Counter(original for original, _ in rows())
    for spec, expected in UNIT.items():
        assert counts[spec] == expected, f"{spec}: {counts[spec]} rows, upstream has {expected}"
    assert sum(UNIT.values()) == 83
    integration = sum(v for k, v in counts.items() if k.startswith("ao/integration-tests/") and k.endswith("_spec.lua"))
    assert integration == INTEGRATION_SPECS
    assert counts["ao/integration-tests/debug_integration.lua"] == DEBUG


def test_every_node_id_exists_and_is_distinct() -> None:
    ids = [node for _, node in rows()]
    assert len(ids) == len(set(ids)), "two upstream tests point at the same pytest test"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *ids],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    collected = {line.strip() for line in result.stdout.splitlines() if "::" in line}
    assert set(ids) <= collected
