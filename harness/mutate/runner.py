"""Run a plan's mutants: per-test coverage first, then each mutant against the tests that run its
line, in long-lived worker processes, each in its own temp copy of the project.

The working tree is never written: mutated files exist only in the copies, which are removed at
the end, on an error and on Ctrl-C.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.mutate.operators import Mutant
from harness.mutate.plan import MutateError, Plan

IGNORE = shutil.ignore_patterns(
    ".git", "__pycache__", ".hypothesis", ".tox", "*.egg-info", ".ao-harness", "htmlcov*", "node_modules",
    ".venv", "venv", ".pytest_cache", ".ruff_cache", "mutate-report*", ".coverage*",
)  # fmt: skip
START_TIMEOUT = 120.0


@dataclass
class MutantResult:
    mutant: Mutant
    status: str  # killed, timeout, survived, uncovered
    killed_by: str | None = None
    tests: int = 0  # tests selected
    ran: int = 0  # tests run
    seconds: float = 0.0

    @property
    def detected(self) -> bool:
        return self.status in ("killed", "timeout")


@dataclass
class RunResult:
    plan: Plan
    results: list[MutantResult] = field(default_factory=list)
    tests: int = 0
    seconds: float = 0.0
    cover_seconds: float = 0.0


class _Worker:
    def __init__(self, index: int, copy: Path, test_args: list[str], log: Path) -> None:
        self.index = index
        self.copy = copy
        self.test_args = test_args
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None
        self.buf = b""
        self.nodeids: list[str] = []
        self.job: tuple[Any, float] | None = None  # (what, deadline)

    def start(self) -> None:
        to_r, to_w = os.pipe()
        from_r, from_w = os.pipe()
        env = dict(os.environ)
        env.update(
            AO_MUTATE_IN=str(to_r),
            AO_MUTATE_OUT=str(from_w),
            AO_MUTATE_ARGS=json.dumps(self.test_args),
            PYTHONDONTWRITEBYTECODE="1",
        )
        # the copy's own harness first (a project that is this repo), else the one running now
        here = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join([str(self.copy), here, *filter(None, [env.get("PYTHONPATH")])])
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "harness.mutate.worker"],
                cwd=self.copy,
                env=env,
                pass_fds=(to_r, from_w),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        os.close(to_r)
        os.close(from_w)
        self.wfd = to_w
        self.rfd = from_r
        os.set_blocking(self.rfd, False)
        self.buf = b""
        ready = self.wait(time.monotonic() + START_TIMEOUT)
        if ready is None or "ready" not in ready:
            tail = self.log.read_text(errors="replace").strip().splitlines()[-1:] if self.log.exists() else []
            self.stop()
            raise MutateError(
                f"the test worker did not start ({' '.join(tail) or 'no output'}); see {self.log}"
            )
        self.nodeids = ready["ready"]

    def send(self, obj: dict[str, Any]) -> None:
        data = (json.dumps(obj) + "\n").encode()
        view = memoryview(data)
        while view:
            n = os.write(self.wfd, view)
            view = view[n:]

    def read_line(self) -> dict[str, Any] | bool | None:
        """A complete answer if one is buffered; False at end of file; None if not yet."""
        while b"\n" not in self.buf:
            try:
                chunk = os.read(self.rfd, 1 << 16)
            except BlockingIOError:
                return None
            if not chunk:
                return False
            self.buf += chunk
        line, _, self.buf = self.buf.partition(b"\n")
        return json.loads(line)

    def wait(self, deadline: float) -> dict[str, Any] | None:
        sel = selectors.DefaultSelector()
        sel.register(self.rfd, selectors.EVENT_READ)
        try:
            while True:
                got = self.read_line()
                if got is False:
                    return None
                if got is not None:
                    return got  # type: ignore[return-value]
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                sel.select(left)
        finally:
            sel.close()

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        for fd in (getattr(self, "wfd", None), getattr(self, "rfd", None)):
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self.wfd = self.rfd = None  # type: ignore[assignment]
        if proc is not None and proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _make_copy(root: Path, dest: Path) -> Path:
    shutil.copytree(root, dest, ignore=IGNORE, symlinks=True)
    return dest


def _split(items: list[str], n: int) -> list[list[str]]:
    return [items[i::n] for i in range(n)]


def run_plan(
    plan: Plan,
    root: Path,
    test_args: list[str],
    *,
    workers: int = 2,
    timeout: float | None = None,
    timeout_factor: float = 3.0,
    progress: Callable[[MutantResult, int, int], None] | None = None,
) -> RunResult:
    """Run every mutant of *plan*; see the module docstring."""
    started = time.monotonic()
    out = RunResult(plan=plan)
    tmp = Path(tempfile.mkdtemp(prefix="ao-mutate-"))
    pool: list[_Worker] = []
    try:
        for i in range(max(1, workers)):
            copy = _make_copy(root, tmp / f"w{i}")
            pool.append(_Worker(i, copy, test_args, tmp / f"w{i}.log"))
        for w in pool:
            w.start()
        nodeids = pool[0].nodeids
        out.tests = len(nodeids)
        if not nodeids:
            raise MutateError(f"pytest collected no tests from {' '.join(test_args) or 'the default paths'}")
        cover = _cover(pool, nodeids)
        out.cover_seconds = time.monotonic() - started
        failing = [n for n, r in cover.items() if r["outcome"] == "failed"]
        if failing:
            raise MutateError(
                f"{len(failing)} test(s) fail without any mutant (first: {failing[0]}); "
                "fix them before mutating"
            )
        by_line: dict[tuple[str, int], set[str]] = {}
        for nodeid, rec in cover.items():
            for f, lines in rec["lines"].items():
                for ln in lines:
                    by_line.setdefault((f, ln), set()).add(nodeid)
        duration = {n: r["duration"] for n, r in cover.items()}
        jobs: list[tuple[Mutant, list[str]]] = []
        for m in plan.mutants:
            sel: set[str] = set()
            for ln in range(m.line, m.end_line + 1):
                sel |= by_line.get((m.file, ln), set())
            jobs.append((m, sorted(sel, key=lambda n: (duration.get(n, 0.0), n))))
        out.results = _mutate(pool, plan, jobs, duration, timeout, timeout_factor, progress)
    finally:
        for w in pool:
            w.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    out.seconds = time.monotonic() - started
    return out


def _cover(pool: list[_Worker], nodeids: list[str]) -> dict[str, Any]:
    parts = _split(nodeids, len(pool))
    for w, part in zip(pool, parts, strict=True):
        w.send({"cmd": "cover", "tests": part})
    merged: dict[str, Any] = {}
    for w in pool:
        got = w.wait(time.monotonic() + 3600)
        if got is None or "cover" not in got:
            raise MutateError(f"the coverage run of worker {w.index} stopped; see {w.log}")
        merged.update(got["cover"])
    return merged


def _mutate(
    pool: list[_Worker],
    plan: Plan,
    jobs: list[tuple[Mutant, list[str]]],
    duration: dict[str, float],
    timeout: float | None,
    factor: float,
    progress: Callable[[MutantResult, int, int], None] | None,
) -> list[MutantResult]:
    results: dict[int, MutantResult] = {}
    # mutants in file / line order: neighbours are often killed by the same test, which then runs first
    queue = list(enumerate(jobs))
    line_killers: dict[tuple[str, int], list[str]] = {}
    file_kills: dict[str, dict[str, int]] = {}

    def order(m: Mutant, tests: list[str]) -> list[str]:
        near = line_killers.get((m.file, m.line), [])
        kills = file_kills.get(m.file, {})
        first = [n for n in near if n in set(tests)]
        rest = sorted(
            (n for n in tests if n not in set(first)),
            key=lambda n: (-kills.get(n, 0), duration.get(n, 0.0), n),
        )
        return first + rest

    total = len(jobs)
    sel = selectors.DefaultSelector()

    def finish(res: MutantResult, idx: int) -> None:
        results[idx] = res
        if progress is not None:
            progress(res, len(results), total)

    def restart(w: _Worker, mutant: Mutant) -> None:
        with contextlib.suppress(KeyError, ValueError):
            sel.unregister(w.rfd)
        w.stop()
        # the copy may hold the mutated file: put the original back before the next start
        (w.copy / mutant.file).write_text(plan.texts[mutant.file], encoding="utf-8")
        w.start()
        sel.register(w.rfd, selectors.EVENT_READ, w)

    for w in pool:
        sel.register(w.rfd, selectors.EVENT_READ, w)
    try:
        while queue or any(w.job for w in pool):
            for w in pool:
                while w.job is None and queue:
                    idx, (m, tests) = queue.pop(0)
                    if not tests:
                        finish(MutantResult(m, "uncovered"), idx)
                        continue
                    limit = timeout or (factor * sum(duration.get(n, 0.0) for n in tests) + 10.0)
                    tests = order(m, tests)
                    text = m.apply(plan.texts[m.file])
                    w.send({"cmd": "mutant", "id": idx, "file": m.file, "text": text, "tests": tests})
                    w.job = ((idx, m, tests, time.monotonic()), time.monotonic() + limit)
            busy = [w for w in pool if w.job]
            if not busy:
                continue
            nearest = min(w.job[1] for w in busy)  # type: ignore[index]
            sel.select(max(0.0, nearest - time.monotonic()))
            now = time.monotonic()
            for w in busy:
                (idx, m, tests, t0), deadline = w.job  # type: ignore[misc]
                got = w.read_line()
                if isinstance(got, dict):
                    w.job = None
                    killer = got["killed_by"]
                    status = "killed" if killer else "survived"
                    if killer:
                        near = line_killers.setdefault((m.file, m.line), [])
                        if killer in near:
                            near.remove(killer)
                        near.insert(0, killer)
                        counts = file_kills.setdefault(m.file, {})
                        counts[killer] = counts.get(killer, 0) + 1
                    finish(MutantResult(m, status, got["killed_by"], len(tests), got["ran"], now - t0), idx)
                elif got is False or now >= deadline:
                    # a loop the tests never leave, or a crash: the mutant is detected
                    w.job = None
                    finish(MutantResult(m, "timeout", None, len(tests), 0, now - t0), idx)
                    restart(w, m)
    finally:
        sel.close()
    return [results[i] for i in range(total)]
