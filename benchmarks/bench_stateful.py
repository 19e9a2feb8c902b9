"""Rule steps per second of the TIM3 state machine (tests/stateful/test_tim3_rules.py).

Run: ``python benchmarks/bench_stateful.py [--examples 100] [--steps 50] [--seeds 1,2,3,4,5]``.
Counts every rule step (and the invariant checks after it) across the five processes; reports
steps per CPU second for each seed, then their median and range.  Runs differ in their mix of
rules (deliveries per step vary by up to 1.5x from seed to seed), so one seed is not a figure:
the same seeds on two versions of the harness compare them on the same draws (for one version
of hypothesis: its draws change between versions).  Hypothesis (6.131+) also draws the literals
it finds in the code under test, any module outside site-packages, so two versions that differ
in a number draw differently; ``--pin-draws`` keeps that pool empty (fewer deliveries a step
than an unpinned run: compare pinned with pinned only).  ``--cachegrind`` always pins.

Its anchor, measured after it with the same seeds: hypothesis alone, the same rules drawing the
same strategies with empty bodies and no preconditions (``--no-floor`` leaves it out).  What a
step costs beyond that is the harness's and TIM3's.

``--cachegrind`` measures the same runs under valgrind's cachegrind instead (benchmarks/
cachegrind.py): instructions and estimated cycles per rule step, the same on every run whatever
the machine is doing, so that two versions of the harness compare exactly (about a minute per
seed at ``--examples 60``; runs go in parallel on every CPU).  A run of one example is taken off
each figure, so start-up and the template's build are not counted.

``--against REV`` measures another git revision of this repository beside this one, seed by seed
in the same sitting (its worktree made and removed by benchmarks/revision.py; this script runs
there with ``AO_BENCH_TREE`` naming it, so the same code measures both), and gives the ratio: how
much faster per CPU second, or with ``--cachegrind`` how many fewer estimated cycles a step, this
version is than REV.  The rules of the two machines may differ: compare the deliveries too.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import dataclasses
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
#: the checkout whose harness and machine are measured: this one, or (``--against``'s runs) the
#: worktree of another revision, named by AO_BENCH_TREE
TREE = Path(os.environ.get("AO_BENCH_TREE") or ROOT).resolve()
sys.path.insert(0, str(TREE))
sys.path.insert(1, str(ROOT / "benchmarks"))

import hypothesis  # noqa: E402
from hypothesis import HealthCheck, seed, settings  # noqa: E402
from hypothesis.stateful import RuleBasedStateMachine, run_state_machine_as_test  # noqa: E402

try:
    from tests.stateful.test_tim3_rules import Tim3Machine
except ImportError as exc:
    sys.exit(f"bench_stateful.py: {TREE} has no TIM3 state machine to measure ({exc})")
for _module in ("harness", Tim3Machine.__module__):
    _file = Path(sys.modules[_module].__file__ or "").resolve()
    if not _file.is_relative_to(TREE):
        sys.exit(f"bench_stateful.py: {_module} came from {_file}, not from the tree measured ({TREE})")

import revision  # noqa: E402

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


def pin_draws() -> str:
    """Keep hypothesis's pool of literals from the code under test empty, so that two versions
    of the harness draw alike; '' or why not (hypothesis's internals moved: draws may then
    differ between versions whose code differs in a literal)."""
    try:
        from hypothesis.internal.conjecture import providers

        if not callable(getattr(providers, "is_local_module_file", None)):
            raise AttributeError("providers.is_local_module_file")
        if providers._local_constants:  # (collected already: too late to pin)
            raise RuntimeError("the pool is filled already")
    except (ImportError, AttributeError, RuntimeError) as exc:
        why = f"{type(exc).__name__}: {exc}"
        return f"draws not pinned ({why}): versions differing in a literal draw differently"
    providers.is_local_module_file = lambda path: False
    return ""



def measure(seed_: int | None, examples: int = 100, steps: int = 50) -> Run:
    """One run of the machine: *examples* examples of up to *steps* rule steps each."""
    counts = {"steps": 0, "machines": 0, "deliveries": 0}

    class Counted(Tim3Machine):
        def __init__(self) -> None:
            super().__init__()
            counts["machines"] += 1

        def teardown(self) -> None:
            # (an older revision's machine may keep no network)
            counts["deliveries"] += len(getattr(getattr(self, "net", None), "trace", ()))
            super().teardown()

        def check_invariants(self, settings, output, runtimes):  # type: ignore[no-untyped-def]
            counts["steps"] += 1
            return super().check_invariants(settings, output, runtimes)

    machine = Counted if seed_ is None else seed(seed_)(Counted)
    if getattr(Tim3Machine, "_template", False) is None:
        Tim3Machine().teardown()  # the template every example clones: built once, not measured
    start = time.perf_counter()
    cpu = time.process_time()
    run_state_machine_as_test(machine, settings=_settings(examples, steps))
    wall = time.perf_counter() - start
    cpu = time.process_time() - cpu
    # one invariant check runs after initialisation, before any rule
    steps_run = counts["steps"] - counts["machines"]
    return Run(seed_, steps_run, counts["machines"], counts["deliveries"], wall, cpu)


def _settings(examples: int, steps: int) -> settings:
    return settings(
        max_examples=examples,
        stateful_step_count=steps,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )


def _empty(self: Any, **kwargs: Any) -> None:
    """A rule or invariant that does nothing."""


def measure_floor(seed_: int | None, examples: int = 100, steps: int = 50) -> Run:
    """Hypothesis alone: the machine's rules with their strategies, empty bodies, no
    preconditions; its invariants empty.  Reads hypothesis's record of a machine's rules
    (``setup_state``, not public API): a hypothesis without it raises AttributeError."""
    state = Tim3Machine.setup_state()
    counts = {"steps": 0, "machines": 0}

    class Floor(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            counts["machines"] += 1

        def check_invariants(self, settings, output, runtimes):  # type: ignore[no-untyped-def]
            counts["steps"] += 1
            return super().check_invariants(settings, output, runtimes)

    def hollow(rules: Any) -> list[Any]:
        return [dataclasses.replace(r, function=_empty, preconditions=()) for r in rules]

    Floor._setup_state_per_class[Floor] = dataclasses.replace(
        state,
        rules=hollow(state.rules),
        initializers=hollow(state.initializers),
        invariants=hollow(state.invariants),
    )
    machine = Floor if seed_ is None else seed(seed_)(Floor)
    start = time.perf_counter()
    cpu = time.process_time()
    run_state_machine_as_test(machine, settings=_settings(examples, steps))
    wall = time.perf_counter() - start
    cpu = time.process_time() - cpu
    return Run(seed_, counts["steps"] - counts["machines"], counts["machines"], 0, wall, cpu)


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
    parser.add_argument(
        "--json", action="store_true", help='print {"runs": [...], "floor": [...]} as JSON instead'
    )
    parser.add_argument(
        "--no-floor", action="store_true", help="leave out the anchor (hypothesis alone, empty rule bodies)"
    )
    parser.add_argument("--only-floor", action="store_true", help=argparse.SUPPRESS)  # (--cachegrind's runs)
    parser.add_argument(
        "--pin-draws",
        action="store_true",
        help="keep hypothesis's pool of literals from the code under test empty: versions draw alike",
    )
    parser.add_argument(
        "--cachegrind",
        action="store_true",
        help="instructions and estimated cycles per step under valgrind's cachegrind, the same on every run",
    )
    parser.add_argument(
        "--against",
        metavar="REV",
        help="also measure git revision REV of this repository, seed by seed, and give the ratio",
    )
    args = parser.parse_args()
    pinned = pin_draws() if args.pin_draws or args.cachegrind else "draws not pinned"
    if args.seed is not None:
        seeds: list[int | None] = [args.seed]
    elif args.seeds == "random":
        seeds = [None]
    else:
        try:
            seeds = [int(s) for s in args.seeds.split(",")]
        except ValueError:
            parser.error(f"--seeds {args.seeds!r}: give comma-separated integers, e.g. 1,2,3, or 'random'")
    try:
        with revision.checkout(args.against) if args.against else contextlib.nullcontext() as other:
            report(args, seeds, pinned, other)
    except revision.RevisionError as exc:
        parser.exit(2, f"bench_stateful.py: {exc}\n")


def report(
    args: argparse.Namespace, seeds: list[int | None], pinned: str, other: revision.Checkout | None
) -> None:
    """What main() prints, with *other* (``--against``'s worktree) measured beside this version."""
    if args.cachegrind:
        if None in seeds:
            raise SystemExit("bench_stateful.py: --cachegrind needs seeds (the same draws on every run)")
        seeds_ = [s for s in seeds if s is not None]
        cachegrind_report(seeds_, args.examples, args.steps, not args.no_floor, pinned, other)
        return
    if other is not None and None in seeds:
        raise SystemExit("bench_stateful.py: --against needs seeds (the same draws for both versions)")
    pin = ["--pin-draws"] if args.pin_draws else []
    if args.json:
        runs: list[Run] = []
        theirs: list[Run] = []
        if not args.only_floor:
            for s in seeds:
                runs.append(measure(s, args.examples, args.steps))
                if other is not None:
                    theirs.append(measure_at(other, s, args.examples, args.steps, pin))
        if args.no_floor:
            floor, why = [], "left out (--no-floor)"
        else:
            floor, why = floors(seeds, args.examples, args.steps)
        out: dict[str, Any] = {"runs": [asdict(r) for r in runs], "floor": [asdict(r) for r in floor]}
        out["why"] = why
        if other is not None:
            out["against"] = {"revision": other.description, "runs": [asdict(r) for r in theirs]}
        print(json.dumps(out))
        return
    print(
        f"hypothesis {hypothesis.__version__}, load {os.getloadavg()[0]:.1f} at the start "
        f"({os.cpu_count()} CPUs); {pinned or 'draws pinned'}"
        + (f"; against {other.description}" if other is not None else "")
    )
    runs, theirs = [], []
    for s in seeds:
        r = measure(s, args.examples, args.steps)
        runs.append(r)
        print(f"seed {s}: {describe_run(r)}", flush=True)
        if other is not None:
            theirs.append(measure_at(other, s, args.examples, args.steps, pin))
            print(f"  at {other.short}: {describe_run(theirs[-1])}", flush=True)
    print(summary(runs))
    if other is not None:
        print(f"at {other.short}: {summary(theirs)}")
        print(compare(runs, theirs, other))
    if not args.no_floor:
        floor, why = floors(seeds, args.examples, args.steps)
        if floor:
            print(f"hypothesis alone (the same seeds and rule strategies, empty bodies): {summary(floor)}")
            print(split(runs, floor))
        else:
            print(f"hypothesis alone: {why}")


def describe_run(r: Run) -> str:
    return (
        f"{r.steps} rule steps in {r.machines} machines, {r.deliveries} deliveries, "
        f"{r.wall:.1f} s wall, {r.cpu:.1f} s CPU: {r.steps / r.wall:,.0f} steps/s wall, "
        f"{r.per_cpu_second:,.0f} steps per CPU second, "
        f"{r.deliveries / r.cpu:,.0f} deliveries per CPU second"
    )


def child_run(seed_: int | None, examples: int, steps: int, *flags: str) -> list[str]:
    """The command line of one run of this script in a process of its own (``--json``)."""
    here = str(Path(__file__).resolve())
    return [sys.executable, here, "--json", *flags, "--seeds", str(seed_), "--examples", str(examples),
            "--steps", str(steps)]


def measure_at(other: revision.Checkout, seed_: int | None, examples: int, steps: int, pin: list[str]) -> Run:
    """One seed's run of *other*'s machine: this script run in its worktree (AO_BENCH_TREE)."""
    argv = child_run(seed_, examples, steps, "--no-floor", *pin)
    env = dict(os.environ, AO_BENCH_TREE=str(other.path))
    proc = subprocess.run(argv, cwd=other.path, env=env, capture_output=True, text=True)
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise revision.RevisionError(
            f"--against {other.short}: its machine did not run (exit {proc.returncode}): {last}"
        )
    return Run(**json.loads(lines[-1])["runs"][0])


def speedup(ours: list[Run], theirs: list[Run]) -> float:
    """The ratio of the median steps per CPU second: this version's over another's."""
    mine = statistics.median(r.per_cpu_second for r in ours)
    return mine / statistics.median(r.per_cpu_second for r in theirs)


def compare(ours: list[Run], theirs: list[Run], other: revision.Checkout) -> str:
    """This version against *other*: the ratio of the medians, and the range of the per-seed ratios."""
    pairs = [a.per_cpu_second / b.per_cpu_second for a, b in zip(ours, theirs, strict=True)]
    deliveries = sum(r.deliveries for r in ours) / sum(r.steps for r in ours)
    deliveries_then = sum(r.deliveries for r in theirs) / sum(r.steps for r in theirs)
    return (
        f"this version against {other.short}: {speedup(ours, theirs):.2f}x the steps per CPU second "
        f"(per seed {min(pairs):.2f}–{max(pairs):.2f}x); deliveries a step {deliveries:.1f} "
        f"against {deliveries_then:.1f}"
    )


def cachegrind_report(
    seeds: list[int],
    examples: int,
    steps: int,
    with_floor: bool,
    pinned: str,
    other: revision.Checkout | None,
) -> None:
    """Per seed: a step's instructions and estimated cycles under cachegrind, for the machine,
    (with *with_floor*) for hypothesis alone and (with *other*) for another revision's machine;
    start-up and one example taken off.  The runs pin their draws (*pinned* says why they could
    not, or is empty)."""
    import cachegrind

    why = cachegrind.missing()
    if why:
        print(f"--cachegrind: not measured: {why}")
        return
    kinds = ["machine"] + (["floor"] if with_floor else []) + (["against"] if other is not None else [])

    def child(kind: str, seed_: int, n: int) -> tuple[cachegrind.Counts, int]:
        argv = child_run(seed_, n, steps, "--pin-draws", "--only-floor" if kind == "floor" else "--no-floor")
        tree = other.path if kind == "against" and other is not None else ROOT
        counts, out = cachegrind.run(argv, cwd=str(tree), env={"AO_BENCH_TREE": str(tree)})
        data = json.loads(out.strip().splitlines()[-1])
        runs = data["floor"] if kind == "floor" else data["runs"]
        if not runs:
            raise RuntimeError(f"{kind} not measured: {data.get('why')}")
        return counts, runs[0]["steps"]

    # the first run in a checkout costs billions of instructions more than the next (measured: 16.3
    # against 2.1 G for one example in a fresh worktree of the same commit): one uncounted run of
    # each kind first, so that neither counted run carries it
    with concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 1) as pool:
        try:
            for warm in [pool.submit(child, kind, seeds[0], 1) for kind in kinds]:
                warm.result()
        except RuntimeError as exc:
            print(f"--cachegrind: {exc}")
            return
    jobs = {(kind, s, examples): None for kind in kinds for s in seeds}
    jobs.update({(kind, seeds[0], 1): None for kind in kinds})
    print(
        f"cachegrind: {len(jobs)} runs, {min(len(jobs), os.cpu_count() or 1)} at a time "
        f"(hypothesis {hypothesis.__version__}; {examples} examples of up to {steps} steps per seed)"
        + (f"; {pinned}" if pinned else "")
        + (f"; against {other.description}" if other is not None else ""),
        flush=True,
    )
    with concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 1) as pool:
        futures = {key: pool.submit(child, *key) for key in jobs}
        try:
            done = {key: f.result() for key, f in futures.items()}
        except RuntimeError as exc:
            print(f"--cachegrind: {exc}")
            return
    labels = {"machine": "the machine", "floor": "hypothesis alone"}
    if other is not None:
        labels["against"] = f"at {other.short}"
    per_step: dict[str, list[float]] = {kind: [] for kind in kinds}
    for s in seeds:
        parts = []
        for kind in kinds:
            (counts, n), (base, n1) = done[(kind, s, examples)], done[(kind, seeds[0], 1)]
            diff, steps_run = counts - base, n - n1
            per_step[kind].append(diff.cost / steps_run)
            parts.append(
                f"{labels[kind]}: {steps_run:,} steps, {diff.cost / steps_run / 1e6:.2f} M estimated cycles "
                f"({diff.instructions / steps_run / 1e6:.2f} M instructions) a step"
            )
        print(f"seed {s}: " + "; ".join(parts))
    machine = statistics.median(per_step["machine"])
    line = f"median a step: {machine / 1e6:.2f} M estimated cycles"
    if with_floor:
        alone = statistics.median(per_step["floor"])
        line += (
            f", of which hypothesis alone {alone / 1e6:.2f} M and the harness with TIM3's processes "
            f"{(machine - alone) / 1e6:.2f} M ({machine / alone:.2f}x hypothesis alone)"
        )
    print(line)
    if other is not None:
        then = statistics.median(per_step["against"])
        print(
            f"at {other.short}: {then / 1e6:.2f} M estimated cycles a step; this version takes "
            f"{then / machine:.2f}x fewer"
        )


def floors(seeds: list[int | None], examples: int, steps: int) -> tuple[list[Run], str]:
    """The anchor's runs, or none and why."""
    try:
        return [measure_floor(s, examples, steps) for s in seeds], ""
    except (AttributeError, TypeError) as exc:  # (hypothesis's internals moved)
        return [], (
            f"not measured: hypothesis {hypothesis.__version__} does not keep a machine's rules "
            f"as this benchmark reads them ({type(exc).__name__}: {exc})"
        )


def split(runs: list[Run], floor: list[Run]) -> str:
    """A step's CPU (medians): hypothesis's, and what the harness and TIM3 add to it."""
    step = statistics.median(r.cpu / r.steps for r in runs) * 1e6
    alone = statistics.median(r.cpu / r.steps for r in floor) * 1e6
    return (
        f"a rule step: {step:,.0f} µs of CPU, of which hypothesis {alone:,.0f} µs and the "
        f"harness with TIM3's processes {step - alone:,.0f} µs"
    )


if __name__ == "__main__":
    main()
