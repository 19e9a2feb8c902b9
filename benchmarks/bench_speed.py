"""Speed figures beside their anchors, in one run (CPU time of this process unless it says wall).

Run: ``python benchmarks/bench_speed.py [--lua 5.3] [--no-live] [--no-suite]``.  Prints a Markdown
table: the harness figure, the anchor it is compared with, and the ratio.  Anchors: the lupa floor
(a bare Python->Lua call), the live aos 2.0.6 binary through ao-loader (tests/live_module, skipped
with a reason when node or the binary is missing), the harness before a change where the old path
still exists (a dry-run by discard and replay, a TIM3 system by ``spawn_system``), and Debian's
busted on the original TIM3 specs.  Nothing here is asserted: speed is reported, not tested.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harness import Network  # noqa: E402
from harness.lua_versions import new_runtime  # noqa: E402
from harness.network import DEFAULT_TRACE_LIMIT  # noqa: E402

PING = 'Handlers.add("ping", "Ping", function(msg) msg.reply({ Action = "Pong" }) end)'
AOFORM = ROOT / "aoform.yaml"
Row = tuple[str, str, str, str]


def cpu_us(fn: Callable[[], object], n: int) -> float:
    """CPU µs per call of *fn* (median of 5 batches of *n*)."""
    out = []
    for _ in range(5):
        t = time.process_time()
        for _ in range(n):
            fn()
        out.append((time.process_time() - t) / n * 1e6)
    return statistics.median(out)


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}×" if b else "—"


# -- the harness ----------------------------------------------------------------------------------


def floor_row(lua: str) -> tuple[Row, float]:
    rt = new_runtime(lua)
    f = rt.eval("function(t) return t.Action end")
    tbl = {"Action": "Ping", "Target": "x" * 43, "Data": ""}
    us = cpu_us(lambda: f(rt.table_from(tbl)), 2000)
    return ("lupa floor: bare Python→Lua call with a 3-key table", f"{us:.1f} µs", "—", "—"), us


def send_rows(lua: str, floor: float) -> tuple[list[Row], dict[str, float]]:
    net = Network(lua=lua)
    p = net.spawn(source=PING)
    alice = net.wallet("alice")
    send = cpu_us(lambda: p.send({"Action": "Ping"}, sender=alice), 300)
    spawn = cpu_us(lambda: net.spawn(source=PING), 20)
    rows = [
        ("`Process.send`, one-handler reply", f"{send:.0f} µs", "lupa floor", f"{ratio(send, floor)} floor"),
        ("spawn a process with its code", f"{spawn / 1000:.2f} ms", "—", "—"),
    ]
    return rows, {"send": send, "spawn": spawn}


def dryrun_rows(lua: str) -> list[Row]:
    net = Network(lua=lua)
    usda = net.spawn_system(AOFORM)["mock-usda"]
    for _ in range(200):
        usda.send({"Action": "Balance"})
    fast = cpu_us(lambda: usda.dryrun({"Action": "Info"}), 50)
    state = usda._state
    state._dry_save = lambda: False  # type: ignore[method-assign]  # the old path: discard + replay

    def old() -> None:
        usda.dryrun({"Action": "Info"})
        usda.globals.get("Name")  # the rebuild the old path leaves to the next use

    slow = cpu_us(old, 3)
    return [
        (
            "dry-run (mock-usda Info, 200 messages in its log): record and restore",
            f"{fast / 1000:.2f} ms",
            f"before: discard + replay {slow / 1000:.1f} ms",
            f"{ratio(slow, fast)} faster; target ≤ 3 ms",
        )
    ]


def system_rows(lua: str) -> list[Row]:
    t = time.process_time()
    for _ in range(5):
        Network(lua=lua).spawn_system(AOFORM)
    spawn = (time.process_time() - t) / 5 * 1000
    template = Network(lua=lua)
    template.spawn_system(AOFORM)
    t = time.process_time()
    for _ in range(5):
        template.clone()
    clone = (time.process_time() - t) / 5 * 1000
    return [
        (
            "a fresh wired TIM3 system (5 processes): `Network.clone()` of a built one",
            f"{clone:.0f} ms",
            f"`spawn_system(aoform.yaml)` {spawn:.0f} ms",
            f"{ratio(spawn, clone)} faster",
        )
    ]


PAIRS = """
local tables = {}
return function(n)
  local t = tables[n]
  if not t then
    t = {}
    for i = 1, n do t["key" .. i] = i end
    tables[n] = t
  end
  return t
end, function(t, use_next)
  local m = 0
  if use_next then
    for k, v in next, t do m = m + 1 end
  else
    for k, v in pairs(t) do m = m + 1 end
  end
  return m
end
"""

JSON = """
local json = require("json")
return function(t) return #json.encode(t) end, function(t)
  local out, n = {}, 0
  for k, v in next, t do n = n + 1; out[n] = string.format("%q:%s", k, tostring(v)) end
  return #("{" .. table.concat(out, ",") .. "}")
end
"""


def lua_rows(lua: str) -> list[Row]:
    net = Network(lua=lua)
    p = net.spawn(source="")
    rt = p.lua
    make, loop = rt.execute(PAIRS)
    enc, naive = rt.execute(JSON)
    rows = []
    for n in (10_000, 100_000):
        t = make(n)
        ours = cpu_us(lambda t=t: loop(t, False), 3)
        native = cpu_us(lambda t=t: loop(t, True), 3)
        rows.append(
            (
                f"`pairs` loop over {n:,} string keys (sorted order)",
                f"{ours / 1000:.1f} ms",
                f"native `next`: {native / 1000:.1f} ms",
                f"{ratio(ours, native)}; target ≤ 3×",
            )
        )
    t = make(10_000)
    ours = cpu_us(lambda: enc(t), 5)
    plain = cpu_us(lambda: naive(t), 5)
    rows.append(
        (
            "`json.encode` of a 10,000-key map (ours)",
            f"{ours / 1000:.1f} ms",
            f"a bare `next` + `%q` encoder: {plain / 1000:.1f} ms",
            f"{ratio(ours, plain)}; aos's json not measurable here (see live rows)",
        )
    )
    return rows


def stateful_row() -> Row:
    from hypothesis import HealthCheck, settings
    from hypothesis.stateful import run_state_machine_as_test

    from tests.stateful.test_tim3_rules import Tim3Machine

    counts = {"steps": 0, "machines": 0}

    class Counted(Tim3Machine):
        def __init__(self) -> None:
            super().__init__()
            counts["machines"] += 1

        def check_invariants(self, settings, output, runtimes):  # type: ignore[no-untyped-def]
            counts["steps"] += 1
            return super().check_invariants(settings, output, runtimes)

    t = time.process_time()
    run_state_machine_as_test(
        Counted,
        settings=settings(
            max_examples=40,
            stateful_step_count=50,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
    cpu = time.process_time() - t
    steps = counts["steps"] - counts["machines"]
    return (
        "TIM3 stateful machine: rule steps (each with I1–I6 checked after it)",
        f"{steps / cpu:,.0f} steps per CPU second",
        "issue 13: 320–380 steps/s before; target ≥ 2,000/s on a quiet 2-core machine",
        f"{steps} steps, {counts['machines']} machines",
    )


def _grown(fn: Callable[[], object]) -> int:
    """Bytes of Python memory *fn* leaves allocated."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    fn()
    gc.collect()
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    return sum(s.size_diff for s in after.compare_to(before, "filename"))


def _slope(lua: str, pings: int, **options: object) -> tuple[list[int], float]:
    """Python memory (traced from the start) at each quarter of *pings* pings, each with its reply
    delivered, and the growth per ping over the second half."""
    alice = "alice-wallet"
    tracemalloc.start()
    net = Network(lua=lua, **options)  # type: ignore[arg-type]
    p = net.spawn(source=PING)
    marks = []
    step = pings // 4
    for _ in range(4):
        for _ in range(step):
            p.send({"Action": "Ping"}, sender=alice)
            net.run()
        gc.collect()
        marks.append(tracemalloc.get_traced_memory()[0])
    tracemalloc.stop()
    return marks, (marks[-1] - marks[1]) / (2 * step)


def memory_rows(lua: str, soak: int) -> list[Row]:
    alice = "alice-wallet"
    rows: list[Row] = []

    def pings(net: Network, p: object, n: int) -> None:
        for _ in range(n):
            p.send({"Action": "Ping"}, sender=alice)  # type: ignore[attr-defined]
            net.run()

    # everything kept (trace_limit=None): a delivery with its result, message, mailbox entry
    net = Network(lua=lua, trace_limit=None)
    p = net.spawn(source=PING)
    pings(net, p, 500)
    n = 5000
    kept = _grown(lambda: pings(net, p, n))
    # past the retention: only the replay log grows (one logged message per ping); traced from
    # the start, so that deliveries let go during the measurement count as freed
    tracemalloc.start()
    net = Network(lua=lua, trace_limit=1000)
    p = net.spawn(source=PING)
    pings(net, p, 2000)  # the trace is cut at 1,250 deliveries: past it from here on
    gc.collect()
    before = tracemalloc.get_traced_memory()[0]
    pings(net, p, 2 * n)
    gc.collect()
    logged = (tracemalloc.get_traced_memory()[0] - before) / 2
    tracemalloc.stop()
    rows.append(
        (
            "Python memory per message past the retention (the replay log rollback needs)",
            f"{logged / n:,.0f} B",
            "target ≤ 300 B",
            "one logged ping (its reply goes to a wallet and is not logged)",
        )
    )
    rows.append(
        (
            "Python memory per retained delivery (trace, result, message, mailbox)",
            f"{(kept - logged) / (2 * n):,.0f} B",
            "issue 13: 1.1–3 KB per message, kept forever; target ≤ 300 B",
            f"kept for the last `trace_limit` deliveries only (default {DEFAULT_TRACE_LIMIT:,})",
        )
    )
    # no replay log at all: past the default retention nothing grows
    count = max(soak, 100_000)
    marks, growth = _slope(lua, count, replay_log=False)
    rows.append(
        (
            f"soak: {count:,} pings with `Network(replay_log=False)`, Python memory at each quarter",
            " → ".join(f"{m / 2**20:.1f} MiB" for m in marks),
            "flat past the retention (default `trace_limit`)",
            f"{growth:,.1f} B per ping over the second half",
        )
    )
    if soak:
        marks, growth = _slope(lua, soak)
        rows.append(
            (
                f"soak: {soak:,} pings at the default retention, Python memory at each quarter",
                " → ".join(f"{m / 2**20:.0f} MiB" for m in marks),
                "flat except the replay log",
                f"{growth:,.0f} B per ping over the second half",
            )
        )
    procs = []
    per_proc_py = _grown(lambda: procs.extend(net.spawn(source=PING) for _ in range(20))) / 20
    lua_bytes = statistics.median(q._state._lua.get_memory_used() for q in procs)
    rows.append(
        (
            "memory per process (Python side + its Lua state)",
            f"{per_proc_py / 1024:,.0f} KiB + {lua_bytes / 1024:,.0f} KiB",
            "—",
            "—",
        )
    )
    return rows


# -- the live binary ----------------------------------------------------------------------------


def live_rows(lua: str, ours: dict[str, float]) -> list[Row]:
    from tests.live_module.live import LiveModule, unavailable_reason
    from tests.live_module.twin import Twin

    reason = unavailable_reason()
    if reason:
        return [("live aos 2.0.6 binary through ao-loader", "skipped", reason, "—")]
    live = LiveModule()
    try:
        twin = Twin(live, Network(lua=lua))
        t = time.perf_counter()
        proc, _ = twin.spawn(PING)
        spawn_wall = (time.perf_counter() - t) * 1000
        steps = [twin.send(proc, {"Action": "Ping"}) for _ in range(30)]
        live_ms = statistics.median(s.live.ms for s in steps)
        pairs = twin.eval(proc, "local t = {} for i = 1, 10000 do t['key' .. i] = i end local m = 0 "
                          "for k in pairs(t) do m = m + 1 end return m")
        enc = twin.eval(proc, "local t = {} for i = 1, 10000 do t['key' .. i] = i end "
                        "return #require('json').encode(t)")
        return [
            ("live: spawn + load (ao-loader, wall incl. harness)", f"{spawn_wall:.0f} ms", "—", "—"),
            (
                "live: one message's compute in ao-loader (median)",
                f"{live_ms:.1f} ms",
                f"harness send {ours['send']:.0f} µs CPU",
                f"harness {live_ms * 1000 / ours['send']:,.0f}× faster",
            ),
            ("live: Eval of a 10k-key `pairs` loop (table built too)", f"{pairs.live.ms:.1f} ms", "—", "—"),
            ("live: Eval of `json.encode` of a 10k-key map (aos's json)", f"{enc.live.ms:.1f} ms", "—", "—"),
        ]
    finally:
        live.close()


# -- the ported suite vs busted ------------------------------------------------------------------


def suite_rows() -> list[Row]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    t = time.perf_counter()
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    r = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "tests/tim3", "-k", "upstream"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )
    ours = time.perf_counter() - t
    done = resource.getrusage(resource.RUSAGE_CHILDREN)
    used = done.ru_utime + done.ru_stime - cpu.ru_utime - cpu.ru_stime
    last = (r.stdout.strip().splitlines() or ["?"])[-1] + f"; {used:.1f} s CPU"
    busted = shutil.which("busted")
    specs = sorted(str(f) for f in ROOT.glob("ao/*/test/*_spec.lua"))
    name = "ported TIM3 upstream tests (pytest, whole process, wall)"
    if busted is None:
        return [(name, f"{ours:.1f} s ({last})", "busted: skipped, not installed", "—")]
    if not specs:
        why = "busted: skipped, the original specs (ao/*/test) are not in this checkout"
        return [(name, f"{ours:.1f} s ({last})", why, "—")]
    t = time.perf_counter()
    b = subprocess.run([busted, *specs], cwd=ROOT, capture_output=True, text=True, check=False)
    theirs = time.perf_counter() - t
    blast = (b.stdout.strip().splitlines() or ["?"])[-1][:80]
    return [
        (
            "ported TIM3 upstream tests (pytest, whole process, wall)",
            f"{ours:.1f} s ({last})",
            f"Debian busted on the original specs: {theirs:.1f} s ({blast})",
            f"{ratio(ours, theirs)}; target ≤ 2×",
        )
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lua", default="5.3")
    parser.add_argument("--no-live", action="store_true")
    parser.add_argument("--no-suite", action="store_true")
    parser.add_argument("--soak", type=int, default=0, help="also send this many pings and watch memory")
    args = parser.parse_args()
    row, floor = floor_row(args.lua)
    rows = [row]
    sends, ours = send_rows(args.lua, floor)
    rows += sends
    rows += dryrun_rows(args.lua)
    rows += system_rows(args.lua)
    rows += lua_rows(args.lua)
    rows += memory_rows(args.lua, args.soak)
    rows.append(stateful_row())
    if not args.no_live:
        rows += live_rows(args.lua, ours)
    if not args.no_suite:
        rows += suite_rows()
    load = os.getloadavg()[0]
    print(
        f"Measured {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()} "
        f"({os.cpu_count()} CPUs, load {load:.1f}; "
        f"{platform.python_implementation()} {platform.python_version()}), "
        f"Lua {args.lua}, `python benchmarks/bench_speed.py`.\n"
    )
    print("| what | measured | anchor | ratio / note |\n|---|---|---|---|")
    for a, b, c, d in rows:
        print(f"| {a} | {b} | {c} | {d} |")


if __name__ == "__main__":
    main()
