"""Rule steps per second of the TIM3 state machine (tests/stateful/test_tim3_rules.py).

Run: ``python benchmarks/bench_stateful.py [--examples 100] [--steps 50] [--seeds 1,2,3,4,5]``.
Counts every rule step (and the invariant checks after it) across the five processes; reports
steps per CPU second for each seed, then their median and range.  Runs differ in their mix of
rules (deliveries per step vary by up to 1.5x from seed to seed), so one seed is not a figure:
the same seeds on two versions of the harness compare them on the same draws (for one version
of hypothesis: its engine is about half of the time, and its draws change between versions).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import hypothesis  # noqa: E402
from hypothesis import HealthCheck, seed, settings  # noqa: E402
from hypothesis.stateful import run_state_machine_as_test  # noqa: E402

from tests.stateful.test_tim3_rules import Tim3Machine  # noqa: E402

#: the seeds every report uses unless told otherwise
SEEDS = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class Run:
    seed: int | None
    steps: int
    machines: int
    deliveries: int
    wall: float
    cpu: float

    @property
    def per_cpu_second(self) -> float:
        return self.steps / self.cpu


def measure(seed_: int | None, examples: int = 100, steps: int = 50) -> Run:
    """One run of the machine: *examples* examples of up to *steps* rule steps each."""
    counts = {"steps": 0, "machines": 0, "deliveries": 0}

    class Counted(Tim3Machine):
        def __init__(self) -> None:
            super().__init__()
            counts["machines"] += 1

        def teardown(self) -> None:
            counts["deliveries"] += len(self.net.trace)
            super().teardown()

        def check_invariants(self, settings, output, runtimes):  # type: ignore[no-untyped-def]
            counts["steps"] += 1
            return super().check_invariants(settings, output, runtimes)

    machine = Counted if seed_ is None else seed(seed_)(Counted)
    if Tim3Machine._template is None:
        Tim3Machine().teardown()  # the template every example clones: built once, not measured
    start = time.perf_counter()
    cpu = time.process_time()
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=examples,
            stateful_step_count=steps,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
    wall = time.perf_counter() - start
    cpu = time.process_time() - cpu
    # one invariant check runs after initialisation, before any rule
    steps_run = counts["steps"] - counts["machines"]
    return Run(seed_, steps_run, counts["machines"], counts["deliveries"], wall, cpu)


def summary(runs: list[Run]) -> str:
    """'median N steps per CPU second (range A–B over K seeds)'."""
    rates = [r.per_cpu_second for r in runs]
    if len(rates) == 1:
        return f"{rates[0]:,.0f} steps per CPU second"
    return (
        f"median {statistics.median(rates):,.0f} steps per CPU second "
        f"(range {min(rates):,.0f}–{max(rates):,.0f} over {len(rates)} seeds)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--examples", type=int, default=100)
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument(
        "--seeds",
        default=",".join(map(str, SEEDS)),
        help="hypothesis seeds, comma-separated, or 'random' for one unseeded run (default: %(default)s)",
    )
    parser.add_argument("--seed", type=int, default=None, help="one seed (the same as --seeds N)")
    parser.add_argument("--json", action="store_true", help="print the runs as one JSON list instead")
    args = parser.parse_args()
    if args.seed is not None:
        seeds: list[int | None] = [args.seed]
    elif args.seeds == "random":
        seeds = [None]
    else:
        try:
            seeds = [int(s) for s in args.seeds.split(",")]
        except ValueError:
            parser.error(f"--seeds {args.seeds!r}: give comma-separated integers, e.g. 1,2,3, or 'random'")
    if args.json:
        print(json.dumps([asdict(measure(s, args.examples, args.steps)) for s in seeds]))
        return
    print(
        f"hypothesis {hypothesis.__version__}, load {os.getloadavg()[0]:.1f} at the start "
        f"({os.cpu_count()} CPUs)"
    )
    runs = []
    for s in seeds:
        r = measure(s, args.examples, args.steps)
        runs.append(r)
        print(
            f"seed {s}: {r.steps} rule steps in {r.machines} machines, {r.deliveries} deliveries, "
            f"{r.wall:.1f} s wall, {r.cpu:.1f} s CPU: {r.steps / r.wall:,.0f} steps/s wall, "
            f"{r.per_cpu_second:,.0f} steps per CPU second, "
            f"{r.deliveries / r.cpu:,.0f} deliveries per CPU second"
        )
    print(summary(runs))


if __name__ == "__main__":
    main()
