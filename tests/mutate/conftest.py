"""A tiny AO project for the mutation tool's own tests: one process, a few tests, one planted
surviving mutant (the tests never send a Quantity above the cap, so the cap's guard is untested)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

WORKTREE = Path(__file__).resolve().parents[2]

PROCESS = """\
-- a counter with a cap
Count = Count or 0
local CAP = 100

Handlers.add("Add", "Add", function(msg)
  local q = tonumber(msg.Quantity)
  if q == nil then
    msg.reply({ Action = "Add-Error", Error = "Quantity required" })
    return
  end
  if q > CAP then -- planted: no test sends more than the cap
    msg.reply({ Action = "Add-Error", Error = "too much" })
    return
  end
  Count = Count + q
  msg.reply({ Action = "Add-Response", Data = tostring(Count) }) -- "not a mutant: a + inside a string"
end)
"""

TESTS = """\
def test_add(ao):
    p = ao.spawn("counter")
    assert p.send({"Action": "Add", "Quantity": "2"}).reply.data == "2"
    assert p.send({"Action": "Add", "Quantity": "3"}).reply.data == "5"


def test_missing_quantity(ao):
    p = ao.spawn("counter")
    r = p.send({"Action": "Add"})
    assert r.reply.action == "Add-Error"
    assert p.globals["Count"] == 0
"""

PYPROJECT = """\
[tool.pytest.ini_options]
testpaths = ["tests"]
addopts = "-p no:cacheprovider"

[tool.ao-harness.mutate]
paths = ["ao"]
tests = ["tests"]
"""


def make_project(root: Path, *, slow: bool = False) -> Path:
    (root / "ao" / "counter" / "src").mkdir(parents=True)
    (root / "ao" / "counter" / "src" / "process.lua").write_text(PROCESS)
    (root / "tests").mkdir()
    tests = TESTS
    if slow:  # every test takes a while: time to interrupt a run
        tests = "import time\n\n" + tests.replace(
            '    p = ao.spawn("counter")', '    time.sleep(2)\n    p = ao.spawn("counter")'
        )
    (root / "tests" / "test_counter.py").write_text(tests)
    (root / "pyproject.toml").write_text(PYPROJECT)
    return root


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "proj")


def tree_digest(root: Path) -> dict[str, str]:
    """Every file under *root* (relative path -> sha256), caches excluded."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts and ".hypothesis" not in p.parts
    }


def cli(root: Path, *args: str, tmp: Path | None = None, **kw: object) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(WORKTREE)
    if tmp is not None:
        env["TMPDIR"] = str(tmp)
    return subprocess.run(
        [sys.executable, "-m", "harness.cli", "mutate", "--root", str(root), *args],
        capture_output=True, text=True, env=env, cwd=root, timeout=300, check=False, **kw,  # type: ignore[arg-type]
    )  # fmt: skip
