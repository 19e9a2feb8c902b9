"""Rule steps per second of the TIM3 state machine (tests/stateful/test_tim3_rules.py).

Run: ``python benchmarks/bench_stateful.py [--examples 200] [--steps 50] [--seed N]``.  Counts every
rule step (and the invariant checks after it) across the five processes; reports steps/s.  Runs
differ in their mix of rules (deliveries per step vary by up to 1.5x from run to run): ``--seed``
fixes hypothesis's draws, so two versions of the harness can be compared on the same steps.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hypothesis import HealthCheck, seed, settings  # noqa: E402
from hypothesis.stateful import run_state_machine_as_test  # noqa: E402

from tests.stateful.test_tim3_rules import Tim3Machine  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--examples", type=int, default=100)
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--seed", type=int, default=None, help="hypothesis's seed (default: random)")
    args = parser.parse_args()
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

    machine = Counted if args.seed is None else seed(args.seed)(Counted)
    start = time.perf_counter()
    cpu = time.process_time()
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=args.examples,
            stateful_step_count=args.steps,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu
    steps = counts["steps"] - counts["machines"]  # one invariant check runs after initialisation
    print(
        f"{steps} rule steps in {counts['machines']} machines, {counts['deliveries']} deliveries, "
        f"{elapsed:.1f} s wall, {cpu:.1f} s CPU: {steps / elapsed:,.0f} steps/s wall, {steps / cpu:,.0f} "
        f"steps per CPU second, {counts['deliveries'] / cpu:,.0f} deliveries per CPU second"
    )


if __name__ == "__main__":
    main()
