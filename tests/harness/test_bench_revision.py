"""benchmarks/revision.py and bench_stateful.py --against: another git revision measured beside
this one by the same code (its worktree made for the run and removed after it)."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "benchmarks" / "bench_stateful.py"

_spec = importlib.util.spec_from_file_location("bench_revision", ROOT / "benchmarks" / "revision.py")
assert _spec is not None and _spec.loader is not None
revision = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = revision  # (dataclasses look their module up)
_spec.loader.exec_module(revision)


def _git_checkout() -> str | None:
    """Why these tests cannot run here, or None."""
    if shutil.which("git") is None:
        return "git is not installed"
    inside = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True)
    if inside.returncode != 0:
        return f"{ROOT} is not a git checkout (a source archive has no revisions to compare)"
    return None


pytestmark = pytest.mark.skipif(_git_checkout() is not None, reason=str(_git_checkout()))


def _worktrees() -> str:
    return subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "list"], capture_output=True, text=True, check=True
    ).stdout


def test_describe_names_the_commit_by_short_hash_date_and_subject() -> None:
    expected = subprocess.run(
        ["git", "-C", str(ROOT), "log", "-1", "--date=short", "--format=%h %ad %s", "HEAD"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()
    assert revision.describe("HEAD") == expected


def test_a_revision_that_names_no_commit_is_one_line_naming_it() -> None:
    with pytest.raises(revision.RevisionError) as info:
        revision.describe("no-such-revision-here")
    text = str(info.value)
    assert "\n" not in text
    assert text.startswith("--against 'no-such-revision-here': not a commit of the repository at ")


def test_checkout_gives_the_revision_s_files_and_leaves_nothing_behind() -> None:
    with revision.checkout("HEAD") as co:
        path = co.path
        assert (path / "tests" / "stateful" / "test_tim3_rules.py").is_file()
        assert str(path) in _worktrees()
        assert co.short == revision.describe("HEAD").split(" ", 1)[0]
    assert not path.exists()
    assert str(path) not in _worktrees()


def _bench(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(BENCH), *args],
        cwd=ROOT, capture_output=True, text=True, env=dict(os.environ, **(env or {})), timeout=600,
    )


def test_against_measures_the_other_revision_seed_by_seed_with_the_same_draws() -> None:
    before = _worktrees()
    proc = _bench("--against", "HEAD", "--json", "--no-floor", "--pin-draws", "--seeds", "3",
                  "--examples", "3", "--steps", "4")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["against"]["revision"] == revision.describe("HEAD")
    (ours,), (theirs,) = out["runs"], out["against"]["runs"]
    assert ours["seed"] == theirs["seed"] == 3
    assert ours["steps"] > 0 and ours["cpu"] > 0
    # the same code at the same revision, the same seed and pinned draws: the same run
    assert (theirs["steps"], theirs["machines"], theirs["deliveries"]) == (
        ours["steps"], ours["machines"], ours["deliveries"]
    )
    assert _worktrees() == before


def test_against_a_revision_that_is_not_there_exits_with_one_line() -> None:
    proc = _bench("--against", "no-such-revision-here", "--seeds", "1", "--examples", "1")
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        f"bench_stateful.py: --against 'no-such-revision-here': not a commit of the repository at {ROOT} "
        "(no such commit)"
    ]
    assert proc.stdout == ""


def test_a_tree_without_the_machine_is_refused_by_name(tmp_path: Path) -> None:
    proc = _bench("--json", "--no-floor", "--seeds", "1", "--examples", "1", env={"AO_BENCH_TREE": str(tmp_path)})
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines()[-1].startswith(
        f"bench_stateful.py: {tmp_path.resolve()} has no TIM3 state machine to measure ("
    )
