"""Another git revision of this repository, checked out for a benchmark to measure beside this one.

``checkout(rev)`` makes a temporary git worktree of *rev* (detached, in the system's temporary
directory) and removes it afterwards; the benchmark then runs its own measuring code on that
tree's harness and tests (bench_stateful.py ``--against REV``, through ``AO_BENCH_TREE``), so
the two versions are measured by the same code, in the same sitting, on the same seeds.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class RevisionError(Exception):
    """A revision that cannot be checked out here (one line: what, and why)."""


@dataclass(frozen=True)
class Checkout:
    path: Path
    #: "<short hash> <date> <subject>"
    description: str

    @property
    def short(self) -> str:
        return self.description.split(" ", 1)[0]


def _git(*args: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True)
    except FileNotFoundError:
        raise RevisionError("git is not installed: another revision cannot be checked out") from None


def describe(rev: str) -> str:
    """'<short hash> <date> <subject>' of *rev*; RevisionError when it names no commit here."""
    found = _git("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    if found.returncode != 0:
        why = found.stderr.strip().splitlines()[-1] if found.stderr.strip() else "no such commit"
        raise RevisionError(f"--against {rev!r}: not a commit of the repository at {ROOT} ({why})")
    log = _git("log", "-1", "--date=short", "--format=%h %ad %s", found.stdout.strip())
    return log.stdout.strip()


@contextmanager
def checkout(rev: str) -> Iterator[Checkout]:
    """A temporary worktree of *rev*, removed (and pruned from git's list) on the way out."""
    description = describe(rev)
    sha = description.split(" ", 1)[0]
    tmp = Path(tempfile.mkdtemp(prefix="ao-bench-rev-"))
    tree = tmp / "tree"
    made = _git("worktree", "add", "--detach", "--quiet", str(tree), sha)
    try:
        if made.returncode != 0:
            raise RevisionError(f"--against {rev!r}: git worktree add failed: {made.stderr.strip()}")
        yield Checkout(tree, description)
    finally:
        if tree.exists():
            _git("worktree", "remove", "--force", str(tree))
        shutil.rmtree(tmp, ignore_errors=True)
        _git("worktree", "prune")
