"""A long-lived pytest process that runs tests against mutants (``python -m harness.mutate.worker``).

It runs in its own temp copy of the project (its cwd), collects the tests once, then serves
requests read as JSON lines from the fd in ``AO_MUTATE_IN`` and answers on ``AO_MUTATE_OUT``:

* ``{"cmd": "cover", "tests": [nodeid, ...]}``: run those tests with the harness's Lua coverage
  collector; answer each test's outcome, duration and the Lua lines it ran (per file);
* ``{"cmd": "mutant", "id": ..., "file": rel, "text": mutated source, "tests": [...]}``: write the
  mutated file into the copy, run the tests in order up to the first failure, put the file back;
* ``{"cmd": "quit"}``.

Test state between runs goes through pytest's own setup / teardown (``runtestprotocol``), so a
mutant costs its tests' run time, not a new interpreter, import and collection.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import time
from pathlib import Path
from typing import IO, Any

import pytest


class _Server:
    def __init__(self, inp: IO[str], out: IO[str], root: Path) -> None:
        self.inp = inp
        self.out = out
        self.root = root

    def send(self, obj: dict[str, Any]) -> None:
        self.out.write(json.dumps(obj) + "\n")
        self.out.flush()

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session: pytest.Session) -> bool:
        from _pytest.runner import runtestprotocol

        self._quiet_hypothesis()
        items = {item.nodeid: item for item in session.items}
        self.send({"ready": list(items)})
        for raw in self.inp:
            req = json.loads(raw)
            cmd = req.get("cmd")
            if cmd == "quit":
                break
            if cmd == "cover":
                self.send(
                    {"cover": self._cover([items[n] for n in req["tests"] if n in items], runtestprotocol)}
                )
            elif cmd == "mutant":
                self.send(self._mutant(req, items, runtestprotocol))
        return True

    def _quiet_hypothesis(self) -> None:
        """No shrinking and no example database: a mutant needs one failure, not the smallest."""
        try:
            from hypothesis import Phase, settings
        except ImportError:
            return
        settings.register_profile(
            "ao-mutate",
            parent=settings.default,
            phases=[Phase.explicit, Phase.reuse, Phase.generate],
            database=None,
        )
        settings.load_profile("ao-mutate")

    def _run(self, item: pytest.Item, nextitem: pytest.Item | None, protocol: Any) -> str:
        reports = protocol(item, nextitem=nextitem, log=False)
        if any(r.failed for r in reports):
            return "failed"
        if any(r.skipped for r in reports):
            return "skipped"
        return "passed"

    def _cover(self, run: list[pytest.Item], protocol: Any) -> dict[str, Any]:
        from harness.coverage import collector as col

        collector = col.Collector(root=self.root)
        results: dict[str, Any] = {}
        with col.installed(collector):
            for i, item in enumerate(run):
                t0 = time.perf_counter()
                outcome = self._run(item, run[i + 1] if i + 1 < len(run) else None, protocol)
                duration = time.perf_counter() - t0
                gc.collect()
                collector.drain()
                lines = collector.take_pending()
                results[item.nodeid] = {
                    "outcome": outcome,
                    "duration": duration,
                    "lines": {self._rel(p): sorted(ls) for p, ls in lines.items() if self._rel(p)},
                }
        return results

    def _rel(self, path: str) -> str:
        try:
            return Path(path).resolve().relative_to(self.root).as_posix()
        except ValueError:
            return ""

    def _mutant(self, req: dict[str, Any], items: dict[str, pytest.Item], protocol: Any) -> dict[str, Any]:
        target = self.root / req["file"]
        original = target.read_bytes()
        run = [items[n] for n in req["tests"] if n in items]
        killer = None
        ran = 0
        try:
            target.write_text(req["text"], encoding="utf-8")
            for i, item in enumerate(run):
                ran += 1
                outcome = self._run(item, run[i + 1] if i + 1 < len(run) else None, protocol)
                if outcome == "failed":
                    killer = item.nodeid
                    break
        finally:
            if killer is not None:
                # stopped early: tear down what the next test would have reused
                item.session._setupstate.teardown_exact(None)  # type: ignore[attr-defined]
            target.write_bytes(original)
        return {"id": req["id"], "killed_by": killer, "ran": ran}


def main() -> int:
    inp = os.fdopen(int(os.environ["AO_MUTATE_IN"]), "r", encoding="utf-8")
    out = os.fdopen(int(os.environ["AO_MUTATE_OUT"]), "w", encoding="utf-8")
    root = Path.cwd().resolve()
    args = json.loads(os.environ["AO_MUTATE_ARGS"])
    server = _Server(inp, out, root)
    # stdout / stderr of the tests are pytest's (captured); anything else goes to the log file
    code = pytest.main(
        [
            *args,
            "-q",
            "-p", "no:randomly",
            "-p", "no:cacheprovider",
            "-p", "no:xdist",
            "-o", "addopts=",
            "--rootdir", str(root),
        ],
        plugins=[server],
    )  # fmt: skip
    return int(code)


if __name__ == "__main__":
    sys.exit(main())
