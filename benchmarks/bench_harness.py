"""Speed of the harness core, measured beside the anchors of the harness-core issue.

Run: ``python benchmarks/bench_harness.py [--lua 5.3]``.  Prints a Markdown table: spawn, send,
deliveries per second through ``run()``, and the cost of a rollback by replay (the README's speed
table comes from ``bench_speed.py``).  Nothing here is asserted: speed is reported, not tested.
"""

from __future__ import annotations

import argparse
import datetime
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harness import Network  # noqa: E402
from harness.lua_versions import new_runtime  # noqa: E402

PING = 'Handlers.add("ping", "Ping", function(msg) msg.reply({ Action = "Pong" }) end)'
PINGPONG = """
Handlers.add("ball", "Ball", function(msg)
  local n = tonumber(msg.Tags.N)
  if n > 0 then Send({ Target = msg.From, Action = "Ball", N = tostring(n - 1) }) end
end)
"""


def median_us(fn: Callable[[], object], *, repeat: int, inner: int = 1) -> float:
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        for _ in range(inner):
            fn()
        samples.append((time.perf_counter() - t) / inner * 1e6)
    return statistics.median(samples)


def bench(lua: str) -> list[tuple[str, str, str, str]]:
    rows: list[tuple[str, str, str, str]] = []

    # 1. spawn with code (warm chunk cache)
    net = Network(lua=lua)
    net.spawn(source=PING)
    spawn_us = median_us(lambda: net.spawn(source=PING), repeat=300)
    rows.append(
        (
            "spawn a process with its code (median)",
            f"{spawn_us / 1000:.2f} ms",
            "≤ 1 ms",
            "real aos booted in lupa: ~8 ms",
        )
    )

    # 2. send round trip
    net = Network(lua=lua)
    p = net.spawn(source=PING)
    alice = net.wallet("alice")
    send_us = median_us(lambda: p.send({"Action": "Ping"}, sender=alice), repeat=50, inner=200)
    rows.append(
        (
            "`Process.send` round trip, one-handler reply (median)",
            f"{send_us:.1f} µs",
            "≤ 15 µs",
            "real aos in lupa: 33–49 µs/msg; aos WASM via ao-loader: 43–52 ms/msg",
        )
    )

    # 3. deliveries/s through run()
    net = Network(lua=lua)
    a = net.spawn(source=PINGPONG, name="a")
    b = net.spawn(source=PINGPONG, name="b")
    n = 20_000
    a.send({"Action": "Ball", "N": str(n)}, sender=b)
    t = time.perf_counter()
    made = net.run(max_deliveries=n + 10)
    rate = len(made) / (time.perf_counter() - t)
    rows.append(
        ("deliveries/s through `Network.run()` (two-process ping-pong)", f"{rate:,.0f}/s", "≥ 30,000/s", "—")
    )

    # 4. rollback: replay cost per logged message
    net = Network(lua=lua)
    p = net.spawn(source=PING + "\nHandlers.add('bad', 'Bad', function() error('x') end)")
    for _ in range(1000):
        p.send({"Action": "Ping"})
    t = time.perf_counter()
    p.send({"Action": "Bad"})
    p.globals.get("Owner")  # forces the lazy rebuild
    rebuild_ms = (time.perf_counter() - t) * 1000
    rows.append(
        (
            "rollback after an error, 1,000 messages in the log (replay)",
            f"{rebuild_ms:.1f} ms",
            "—",
            "AO CU: drops the erroring message's memory",
        )
    )

    # 5. deterministic pairs: a full loop over a table of string keys, beside native `next`
    rows.extend(pairs_rows(lua))

    # anchor: bare Python -> Lua call with table marshalling, same machine
    rt = new_runtime(lua)
    f = rt.eval("function(t) return t.Action end")
    tbl = {"Action": "Ping", "Target": "x" * 43, "Data": ""}
    call_us = median_us(lambda: f(rt.table_from(tbl)), repeat=50, inner=2000)
    rows.append(
        ("anchor: bare Python→Lua call with table marshalling", f"{call_us:.1f} µs", "—", "issue: 4–6 µs")
    )
    return rows


PAIRS_LOOP = """
function(n, use_next, count_instructions)
  local t = {}
  for i = 1, n do t["key" .. i] = i end
  local iterate = pairs
  if use_next then iterate = function(x) return next, x, nil end end
  local steps = 0
  if count_instructions then debug.sethook(function() steps = steps + 1 end, "", 1) end
  local t0 = os.clock()
  local m = 0
  for k, v in iterate(t) do m = m + 1 end
  local seconds = os.clock() - t0
  debug.sethook()
  assert(m == n)
  return seconds * 1000, steps
end
"""


def pairs_rows(lua: str) -> list[tuple[str, str, str, str]]:
    """``for k, v in pairs(t) do n = n + 1 end`` in a process's Lua state (the harness's sorted
    ``pairs``), against the same loop with the native ``next``: median wall time of 5 runs, and
    the VM instructions a count hook sees (what the per-message instruction budget counts)."""
    net = Network(lua=lua)
    loop = net.spawn(source="").lua.eval(PAIRS_LOOP)
    rows = []
    for n in (10_000, 100_000):
        figures = {}
        for use_next in (False, True):
            ms = statistics.median(loop(n, use_next, False)[0] for _ in range(5))
            figures[use_next] = (ms, loop(n, use_next, True)[1])
        (ms, steps), (next_ms, next_steps) = figures[False], figures[True]
        rows.append(
            (
                f"`pairs` loop over {n:,} string keys (sorted order)",
                f"{ms:.1f} ms, {steps:,} instructions",
                "≤ 4,000,000 instructions (100k keys)" if n == 100_000 else "—",
                f"native `next`, same run: {next_ms:.1f} ms, {next_steps:,} instructions",
            )
        )
    return rows


def table(lua: str, rows: list[tuple[str, str, str, str]]) -> str:
    head = (
        f"Measured {datetime.date.today().isoformat()} on {platform.machine()} "
        f"({platform.processor() or 'cpu'}, {platform.python_implementation()} {platform.python_version()}), "
        f"Lua {lua}, `python benchmarks/bench_harness.py`.\n\n"
        "| what | measured | target | anchor |\n|---|---|---|---|\n"
    )
    return head + "\n".join(f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lua", default="5.3")
    args = parser.parse_args()
    text = table(args.lua, bench(args.lua))
    print(text)


if __name__ == "__main__":
    main()
