"""`ao-harness serve` beside its peer, the wao npm package's local server (`npx wao`), in one run.

Run: ``python benchmarks/bench_devnet.py [-n 30] [--lua 5.3] [--no-wao] [--json FILE]``.  Starts our
server, then the wao server (AR/MU/SU/CU on base+0/+2/+3/+4, the real aos 2.0.6 WASM), both on free
ports with fresh data directories, and runs one aoconnect script (``benchmarks/wao/workload.mjs``:
spawn, an Eval that loads a Ping handler, N message -> result round trips, N dry-runs back to back
and N dry-runs at least 50 ms apart) against both, interleaved round by round so a change in the
machine's load hits both alike.  Prints a Markdown table: figure, ours, wao's, ratio.

The node side (wao, aoconnect, arweave) is pinned in ``benchmarks/wao/package-lock.json`` and
installed there with ``npm ci`` on first use (node >= 20).  wao is started the way ``npx wao`` starts
it (its ``run.js`` under ``node --experimental-wasm-memory64``, persisting to an lmdb file as ``npx wao``
does), without the pm2 supervisor ``npx wao`` wraps it in (whose daemon outlives Ctrl-C).  Ours persists
to SQLite under ``--data``.  When the wao server cannot run, its column is skipped with a one-line
reason and ours is still reported.  ``--json FILE`` keeps every sample.  The machine's load is printed:
the ratios move with it.  Nothing here is asserted: speed is reported, not tested.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the devnet tests' port finder (tests/devnet/devnet_helpers.py)
NODE_DIR = ROOT / "benchmarks" / "wao"
WORKLOAD = NODE_DIR / "workload.mjs"
WAO_RUN = NODE_DIR / "node_modules" / "wao" / "cjs" / "run.js"
OFFSETS = {"gateway": 0, "MU": 2, "SU": 3, "CU": 4}  # both servers: wao also puts its bundler on +1
START_TIMEOUT = 120.0


class BenchError(Exception):
    """One line saying what could not be measured and why."""


def free_base_port() -> int:
    """A base port whose +0..+4 ports are all free right now (wao listens on all five)."""
    from tests.devnet.devnet_helpers import free_base_port as free_ports

    try:
        return free_ports(range(5))
    except RuntimeError:
        raise BenchError("no free block of 5 ports found") from None


def listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


def peak_rss_mb(pid: int) -> float | None:
    """The process's peak resident set (VmHWM) in MB, where /proc has it."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


@dataclass
class Server:
    """A server child process on base port ``port``; ``started_ms`` is launch -> every port open."""

    name: str
    args: list[str]
    cwd: Path
    ready_line: str
    port: int = field(default_factory=free_base_port)
    proc: subprocess.Popen[str] | None = None
    started_ms: float = 0.0
    lines: list[str] = field(default_factory=list)

    def url(self, unit: str) -> str:
        return f"http://127.0.0.1:{self.port + OFFSETS[unit]}"

    def start(self) -> None:
        t = time.perf_counter()
        self.proc = subprocess.Popen(
            self.args, cwd=self.cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)}, start_new_session=True,
        )  # fmt: skip
        seen = threading.Event()

        def drain() -> None:  # keep reading so the child never blocks on a full pipe
            assert self.proc is not None and self.proc.stdout is not None
            for line in self.proc.stdout:
                self.lines.append(line.rstrip())
                if line.strip().startswith(self.ready_line):
                    seen.set()

        threading.Thread(target=drain, daemon=True).start()
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                time.sleep(0.2)  # let the drain thread read the last words
                raise BenchError(f"{self.name} server exited ({self.proc.returncode}): {self.last_words()}")
            if seen.is_set() and all(listening(self.port + off) for off in OFFSETS.values()):
                self.started_ms = (time.perf_counter() - t) * 1000
                return
            time.sleep(0.02)
        raise BenchError(f"{self.name} server did not open its ports within {START_TIMEOUT:.0f} s: "
                         f"{self.last_words()}")  # fmt: skip

    def last_words(self) -> str:
        tail = [ln for ln in self.lines if ln.strip()][-3:]
        return " / ".join(tail) or "no output"

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=20)


@dataclass
class Figures:
    started_ms: float
    spawn: float
    eval: float
    message: list[float]
    post: list[float]
    result: list[float]
    dryrun: list[float]
    spaced: list[float]
    rss_mb: float | None


def run_workload(servers: list[Server], n: int) -> dict[str, Figures]:
    """Run the aoconnect workload against the started *servers* at once, round by round."""
    cmd = ["node", str(WORKLOAD), str(n)]
    for server in servers:
        cmd += [server.name, server.url("gateway"), server.url("MU"), server.url("CU")]
    names = " and ".join(server.name for server in servers)
    try:
        out = subprocess.run(cmd, cwd=NODE_DIR, capture_output=True, text=True,
                             timeout=120 + n * 15 * len(servers))  # fmt: skip
    except subprocess.TimeoutExpired as exc:
        raise BenchError(f"the workload against {names} did not finish in {exc.timeout:.0f} s") from None
    if out.returncode != 0:
        raise BenchError((out.stderr.strip().splitlines() or [f"the workload against {names} failed"])[-1])
    data = json.loads(out.stdout.strip().splitlines()[-1])
    figures = {}
    for server in servers:
        d = data[server.name]
        rss = peak_rss_mb(server.proc.pid) if server.proc else None
        figures[server.name] = Figures(server.started_ms, d["spawn"], d["eval"], d["message"], d["post"],
                                       d["result"], d["dryrun"], d["spaced"], rss)  # fmt: skip
    return figures


def ours(data: Path, lua: str) -> Server:
    server = Server("ours", [], ROOT, "ready")
    server.args = [sys.executable, "-m", "harness.cli", "serve", "--port", str(server.port),
                   "--data", str(data), "--lua", lua]  # fmt: skip
    return server


def wao(data: Path) -> Server:
    server = Server("wao", [], data, "CU on port")
    server.args = ["node", "--experimental-wasm-memory64", str(WAO_RUN), "--port", str(server.port),
                   "--db", str(data / "db")]  # fmt: skip
    return server


def node_ready() -> None:
    """node >= 20 and the pinned node_modules (npm ci on first use); BenchError otherwise."""
    if shutil.which("node") is None:
        raise BenchError("node is not installed (node >= 20 runs the aoconnect workload)")
    major = int(subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
                .lstrip("v").split(".")[0])  # fmt: skip
    if major < 20:
        raise BenchError(f"node {major} is too old (node >= 20 runs the aoconnect workload)")
    if not (NODE_DIR / "node_modules" / "@permaweb" / "aoconnect").is_dir():
        if shutil.which("npm") is None:
            raise BenchError(f"npm is not installed and {NODE_DIR}/node_modules is missing")
        where = NODE_DIR.relative_to(ROOT)
        print(f"bench_devnet: npm ci in {where} (wao, aoconnect, arweave)", file=sys.stderr)
        res = subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=NODE_DIR,
                             capture_output=True, text=True)  # fmt: skip
        if res.returncode != 0:
            raise BenchError(f"npm ci failed in {NODE_DIR}: {(res.stderr.strip().splitlines() or ['?'])[-1]}")


def version_of(package: str) -> str:
    try:
        return json.loads((NODE_DIR / "node_modules" / package / "package.json").read_text())["version"]
    except (OSError, ValueError, KeyError):
        return "?"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "cpu"


# -- the table ------------------------------------------------------------------------------------


def median(xs: list[float]) -> float:
    return statistics.median(xs)


def p90(xs: list[float]) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, int(len(s) * 0.9))]


def rows(mine: Figures, theirs: Figures | None, n: int) -> list[tuple[str, str, str, str]]:
    def ms(v: float | None) -> str:
        return "—" if v is None else (f"{v:.1f} ms" if v < 100 else f"{v:,.0f} ms")

    figures: list[tuple[str, Callable[[Figures], float]]] = [
        ("server start → ports open (wall)", lambda f: f.started_ms),
        ("`spawn` (sign + POST to MU)", lambda f: f.spawn),
        ("Eval load (message + result)", lambda f: f.eval),
        (f"message → result, median of {n}", lambda f: median(f.message)),
        (f"message → result, p90 of {n}", lambda f: p90(f.message)),
        (f"message → result, total of {n}", lambda f: sum(f.message)),
        ("… of which `message` (sign + POST to MU), median", lambda f: median(f.post)),
        ("… of which `result` (GET from CU), median", lambda f: median(f.result)),
        (f"dry-run back to back, median of {n}", lambda f: median(f.dryrun)),
        (f"dry-run 50 ms apart, median of {n}", lambda f: median(f.spaced)),
    ]
    out = []
    for label, get in figures:
        a = get(mine)
        b = get(theirs) if theirs else None
        out.append((label, ms(a), ms(b), f"{b / a:.1f}× faster" if b and a else "—"))
    a_rss, b_rss = mine.rss_mb, theirs.rss_mb if theirs else None
    out.append((
        "server peak RSS (VmHWM) after the run",
        f"{a_rss:.0f} MB" if a_rss else "—",
        f"{b_rss:.0f} MB" if b_rss else "—",
        f"{b_rss / a_rss:.1f}× less memory" if a_rss and b_rss else "—",
    ))  # fmt: skip
    return out


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-n", type=int, default=30, help="round trips and dry-runs per server (30)")
    parser.add_argument("--lua", default="5.3", help="Lua version of our server (5.3, AO's)")
    parser.add_argument("--no-wao", action="store_true", help="measure ours only")
    parser.add_argument("--json", type=Path, help="also write every sample (ms) to this JSON file")
    args = parser.parse_args()
    try:
        node_ready()
    except BenchError as exc:
        print(f"bench_devnet: {exc}", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="bench-devnet-") as tmp:
        base = Path(tmp)
        (base / "ours").mkdir()
        (base / "wao").mkdir()
        mine_server = ours(base / "ours", args.lua)
        wao_server = wao(base / "wao")
        servers = [mine_server]
        skipped = "--no-wao" if args.no_wao else ""
        try:
            mine_server.start()
            if not args.no_wao:
                if not WAO_RUN.is_file():
                    skipped = f"{WAO_RUN.relative_to(ROOT)} is missing (npm ci in benchmarks/wao)"
                else:
                    try:
                        wao_server.start()
                        servers.append(wao_server)
                    except BenchError as exc:
                        skipped = str(exc)
                        wao_server.stop()
            try:
                figures = run_workload(servers, args.n)
            except BenchError as exc:
                if len(servers) == 1 or not str(exc).startswith("workload: wao:"):
                    raise
                skipped = str(exc)  # the peer failed: measure ours alone
                wao_server.stop()
                servers = [mine_server]
                figures = run_workload(servers, args.n)
        except BenchError as exc:
            print(f"bench_devnet: {exc}", file=sys.stderr)
            return 1
        finally:
            for server in servers:
                server.stop()
    mine, theirs = figures["ours"], figures.get("wao")
    if args.json:
        args.json.write_text(json.dumps({"ours": asdict(mine), "wao": asdict(theirs) if theirs else skipped}))
    how = "both servers at once, interleaved round by round" if theirs else "ours alone"
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    node_v = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    print(
        f"Measured {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()} "
        f"({cpu_model()}, {os.cpu_count()} CPUs, load {load:.1f}; Python {platform.python_version()}, "
        f"node {node_v}), `python benchmarks/bench_devnet.py -n {args.n}`: ours = `ao-harness serve` "
        f"(Lua {args.lua}), wao's = wao {version_of('wao')} (aos 2.0.6 WASM); the same aoconnect "
        f"{version_of('@permaweb/aoconnect')} script against {how}, wall times.\n"
    )
    print("| figure | ours | wao's | ratio (wao ÷ ours) |\n|---|---|---|---|")
    for a, b, c, d in rows(mine, theirs, args.n):
        print(f"| {a} | {b} | {c} | {d} |")
    if skipped:
        print(f"\nwao column skipped: {skipped}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
