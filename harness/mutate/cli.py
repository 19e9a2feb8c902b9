"""``ao-harness mutate [paths...] [options] [-- pytest args]``."""

from __future__ import annotations

import argparse
import sys
import tomllib
from pathlib import Path
from typing import Any

from harness.mutate.operators import OPERATORS
from harness.mutate.plan import DEFAULT_PATHS, MutateError, make_plan

DEFAULT_TESTS = ["tests"]


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "paths", nargs="*",
        help=f"Lua files, directories or globs to mutate (default: [tool.ao-harness.mutate] paths, "
        f"else {' '.join(DEFAULT_PATHS)}); pytest arguments go after `--`",
    )  # fmt: skip
    p.add_argument("--root", default=".", help="project root (default: .)")
    p.add_argument("--workers", "-j", type=int, default=2, help="parallel test processes (default 2)")
    p.add_argument(
        "--timeout",
        type=float,
        default=None,
        metavar="SECONDS",
        help="per-mutant time limit (default: 3x its tests' run time + 10 s)",
    )
    p.add_argument("--since", metavar="REV", help="only mutants on lines changed since the git revision REV")
    p.add_argument("--operator", action="append", choices=OPERATORS, help="only these operators (repeatable)")
    p.add_argument(
        "--fail-under",
        type=float,
        default=None,
        metavar="PERCENT",
        help="exit 1 when the mutation score is below PERCENT",
    )
    p.add_argument("--json", metavar="PATH", help="write the JSON report to PATH")
    p.add_argument("--html", metavar="DIR", help="write the HTML report to DIR/index.html")
    p.add_argument(
        "--lua", default="5.3", help="Lua version used to check that mutants compile (default 5.3)"
    )
    p.add_argument("--list", action="store_true", help="list the mutants and exit without running tests")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress line per mutant")


def _config(root: Path) -> dict[str, Any]:
    py = root / "pyproject.toml"
    if not py.is_file():
        return {}
    try:
        data = tomllib.loads(py.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise MutateError(f"{py}: {exc}") from None
    return dict(data.get("tool", {}).get("ao-harness", {}).get("mutate", {}))


def run_mutate(args: argparse.Namespace) -> int:
    from harness.mutate import report
    from harness.mutate.runner import run_plan

    def fail(msg: str, code: int = 2) -> int:
        print(f"ao-harness mutate: {msg}", file=sys.stderr)
        return code

    root = Path(args.root).resolve()
    if not root.is_dir():
        return fail(f"--root {args.root}: no such directory")
    if args.workers < 1:
        return fail(f"--workers {args.workers}: give at least 1")
    if args.fail_under is not None and not 0 <= args.fail_under <= 100:
        return fail(f"--fail-under {args.fail_under:g}: give a percentage from 0 to 100")
    if args.timeout is not None and args.timeout <= 0:
        return fail(f"--timeout {args.timeout:g}: give a positive number of seconds")
    try:
        conf = _config(root)
        paths = args.paths or list(conf.get("paths", []))
        tests = list(getattr(args, "pytest_args", []) or conf.get("tests", DEFAULT_TESTS))
        plan = make_plan(root, paths, since=args.since, operators=args.operator, lua=args.lua)
        if args.list:
            for m in plan.mutants:
                print(f"{m.file}:{m.line}:{m.col}: {m.operator}: {m.describe()}")
            for m, why in plan.skipped:
                print(f"{m.file}:{m.line}:{m.col}: {m.operator}: {m.describe()} [skipped: {why}]")
            return 0
        if not plan.mutants:
            what = f"changed since {args.since}" if args.since else "in " + ", ".join(plan.files)
            print(f"ao-harness mutate: no mutants {what}")
            return 0

        def progress(res: Any, done: int, total: int) -> None:
            if not args.quiet:
                m = res.mutant
                print(
                    f"[{done}/{total}] {res.status:<9} {m.file}:{m.line} {m.operator}: {m.describe()}",
                    flush=True,
                )

        print(
            f"ao-harness mutate: {len(plan.mutants)} mutants in {len(plan.files)} files, "
            f"tests: {' '.join(tests)}",
            flush=True,
        )
        run = run_plan(plan, root, tests, workers=args.workers, timeout=args.timeout, progress=progress)
    except MutateError as exc:
        return fail(str(exc))
    except KeyboardInterrupt:
        return fail("interrupted; the working tree is unchanged", 130)
    print(report.terminal(run))
    if args.json:
        report.write_json(run, Path(args.json))
        print(f"JSON report: {args.json}")
    if args.html:
        page = report.write_html(run, Path(args.html))
        print(f"HTML report: {page}")
    total = report.score(run.results)
    if args.fail_under is not None and total < args.fail_under:
        print(f"FAIL mutation score {total:.1f}% is below --fail-under {args.fail_under:g}%", file=sys.stderr)
        return 1
    return 0
