"""Deterministic cost of a command: valgrind's cachegrind, with one fixed cache geometry.

Wall and CPU time on a shared machine drift by up to 2x from hour to hour, more than most changes
to the harness are worth.  Under cachegrind the same command with the same hypothesis seed makes
the same instructions and the same simulated cache misses on every run, so two versions of the
harness compare exactly.  The caches simulated are fixed (not the host's), so figures compare
across machines too: a 32 KiB 8-way L1i, a 48 KiB 12-way L1d and a 2 MiB 16-way last level (the
per-core L2 of the development machine; its L3 is shared with other tenants).

``cost`` folds the counts into one estimate: an instruction is a cycle, an L1 miss 12 more, a
last-level miss 100 more.  It is a model, not a measurement: use it to compare versions, and
the wall-clock benchmarks for what a user waits.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

#: the simulated caches: (size in bytes, associativity, line size)
I1 = (32 * 1024, 8, 64)
D1 = (48 * 1024, 12, 64)
LL = (2 * 1024 * 1024, 16, 64)
#: extra cycles of the cost model per L1 miss and per last-level miss
L1_MISS = 12
LL_MISS = 100


@dataclass(frozen=True)
class Counts:
    """cachegrind's totals for one run."""

    instructions: int
    l1_misses: int  # instruction and data, reads and writes
    ll_misses: int

    @property
    def cost(self) -> int:
        """Estimated cycles (see the module's docstring)."""
        return self.instructions + L1_MISS * self.l1_misses + LL_MISS * self.ll_misses

    def __sub__(self, other: Counts) -> Counts:
        return Counts(
            self.instructions - other.instructions,
            self.l1_misses - other.l1_misses,
            self.ll_misses - other.ll_misses,
        )


def missing() -> str | None:
    """Why cachegrind cannot run here, or None."""
    if shutil.which("valgrind") is None:
        return "valgrind is not installed (Debian/Ubuntu: apt install valgrind)"
    return None


def _number(label: str, text: str) -> int:
    match = re.search(rf"^==\d+== {label}:\s+([\d,]+)", text, re.MULTILINE)
    if match is None:
        raise ValueError(f"cachegrind printed no '{label}' total; its output ended with:\n{text[-2000:]}")
    return int(match.group(1).replace(",", ""))


def parse(stderr: str) -> Counts:
    """The totals cachegrind prints on standard error at the end of a run."""
    return Counts(
        instructions=_number(r"I\s+refs", stderr),
        l1_misses=_number(r"I1\s+misses", stderr) + _number(r"D1\s+misses", stderr),
        ll_misses=_number(r"LL misses", stderr),
    )


def run(
    argv: Sequence[str], *, cwd: str | None = None, env: Mapping[str, str] | None = None
) -> tuple[Counts, str]:
    """Run *argv* under cachegrind (Python's string hashes fixed; *env* added to the
    environment): its counts and its stdout.  Raises RuntimeError, with the command's last
    output, when it fails."""

    def geometry(cache: tuple[int, int, int]) -> str:
        return ",".join(map(str, cache))

    env = dict(os.environ, **(env or {}), PYTHONHASHSEED="0")
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.run(
            [
                "valgrind",
                "--tool=cachegrind",
                "--cache-sim=yes",
                f"--I1={geometry(I1)}",
                f"--D1={geometry(D1)}",
                f"--LL={geometry(LL)}",
                f"--cachegrind-out-file={os.path.join(tmp, 'out')}",
                *argv,
            ],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
        )
    if proc.returncode != 0:
        tail = (proc.stdout + proc.stderr)[-2000:]
        raise RuntimeError(f"{' '.join(argv)} failed under cachegrind (exit {proc.returncode}):\n{tail}")
    return parse(proc.stderr), proc.stdout
