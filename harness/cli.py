"""The ``ao-harness`` command: ``build`` bundles processes, ``run`` plays a manifest's scenario."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import NoReturn

from harness.bundle import BundleError, build_all
from harness.errors import HarnessError

#: exit status of a command the user got wrong (bad option, unknown file, bad manifest, ...)
USAGE = 2


class _Parser(argparse.ArgumentParser):
    """argparse with a one-line error: ``ao-harness run: <what>; see ao-harness run --help``."""

    def error(self, message: str) -> NoReturn:
        self.exit(USAGE, f"{self.prog}: {message}; see {self.prog} --help\n")


def _fail(command: str, exc: BaseException | str) -> int:
    """Print *exc* as one line on stderr; return the usage-error status."""
    text = " ".join(part.strip() for part in str(exc).splitlines() if part.strip())
    print(f"ao-harness {command}: {text}", file=sys.stderr)
    return USAGE


def _cmd_build(args: argparse.Namespace) -> int:
    root = Path(args.root)
    if not (root / "ao").is_dir():
        return _fail("build", f"--root {args.root}: no ao/ directory there; give the project's root")
    try:
        written = build_all(root, args.names or None)
    except BundleError as exc:
        return _fail("build", f"{exc}; nothing was written")
    if not written:
        return _fail("build", f"no ao/*/src/process.lua under {root.resolve()}; nothing to build")
    for path in written:
        print(f"built {path.relative_to(root) if path.is_relative_to(root) else path}")
    return 0


def _limits(args: argparse.Namespace) -> dict[str, int | float | None]:
    from harness.run_settings import parse_limit

    out: dict[str, int | float | None] = {}
    for name in ("instruction_budget", "memory_limit", "timeout"):
        text = getattr(args, name)
        if text is not None:
            try:
                out[name] = parse_limit(name, text)
            except ValueError as exc:
                flag = "--" + name.replace("_", "-")
                raise ValueError(f"{flag}: {exc}") from None
    return out


def _options(args: argparse.Namespace) -> None:
    """Check --lua, --profile and --pairs before anything runs (errors name the flag)."""
    from harness.lua_versions import normalise
    from harness.pairs import parse_pairs
    from harness.profiles import get_profile

    for flag, check, value in (
        ("--lua", normalise, args.lua),
        ("--profile", get_profile, args.profile),
        ("--pairs", parse_pairs, args.pairs),
    ):
        try:
            check(value)
        except ValueError as exc:
            raise ValueError(f"{flag}: {exc}") from None


def _cmd_run(args: argparse.Namespace) -> int:
    from harness.scenario import run_manifest

    try:
        _options(args)
        return run_manifest(
            Path(args.manifest),
            lua=args.lua,
            profile=args.profile,
            use_builds=args.builds,
            pairs=args.pairs,
            out=sys.stdout,
            limits=_limits(args),
        )
    except (HarnessError, OSError, ValueError) as exc:
        return _fail("run", exc)


def _cmd_serve(args: argparse.Namespace) -> int:
    from harness.devnet.server import ServeError, serve_forever, start
    from harness.devnet.store import DataDirBusy

    mapping: dict[str, str] = {}
    for pair in args.module_profile:
        module, sep, profile = pair.partition("=")
        if not sep or not module or not profile:
            return _fail("serve", f"--module-profile wants ID=PROFILE, got {pair!r}")
        mapping[module] = profile
    manifest = Path(args.manifest) if args.manifest else None
    try:
        running = start(
            data=Path(args.data),
            host=args.host,
            port=args.port,
            lua=args.lua,
            profile=args.profile,
            root=manifest.resolve().parent if manifest else Path.cwd(),
            module_profiles=mapping,
            clock=args.clock,
            manifest=manifest,
            use_builds=args.builds,
        )
    except (DataDirBusy, ServeError) as exc:  # the machine's state (a busy data dir or port), not the input
        _fail("serve", exc)
        return 1
    except (HarnessError, OSError, ValueError) as exc:
        return _fail("serve", exc)
    return serve_forever(running)


def _cmd_mutate(args: argparse.Namespace) -> int:
    from harness.mutate.cli import run_mutate

    return run_mutate(args)


#: options whose value starts with an AO id (43 base64url characters, so it may start with "-")
_ID_OPTIONS = {
    "--process": re.compile(r"[A-Za-z0-9_-]{43}"),
    "--module-profile": re.compile(r"[A-Za-z0-9_-]{43}=.*"),
}


def _attach_ids(argv: list[str]) -> list[str]:
    """``--process -abc…`` as ``--process=-abc…`` (and ``--module-profile -abc…=legacy``):
    argparse takes a separate value that starts with "-" for an option and answers "expected one
    argument"."""
    out: list[str] = []
    i = 0
    while i < len(argv):
        value = _ID_OPTIONS.get(argv[i])
        if value is not None and i + 1 < len(argv) and value.fullmatch(argv[i + 1]):
            out.append(f"{argv[i]}={argv[i + 1]}")
            i += 2
        else:
            out.append(argv[i])
            i += 1
    return out


def main(argv: list[str] | None = None) -> int:
    parser = _Parser(prog="ao-harness", description="AO processes on a local network")
    sub = parser.add_subparsers(dest="command", required=True)

    build = sub.add_parser("build", help="bundle ao/<name>/src/process.lua into ao/<name>/build/process.lua")
    build.add_argument("names", nargs="*", help="process names (default: all under ao/)")
    build.add_argument("--root", default=".", help="project root holding ao/ (default: .)")
    build.set_defaults(func=_cmd_build)

    run = sub.add_parser("run", help="spawn a manifest's processes locally and play its scenario")
    run.add_argument("manifest", help="the aoform.yaml manifest")
    run.add_argument("--lua", default="5.3", help="Lua version (default 5.3, AO's)")
    run.add_argument("--profile", default="default", help="aos profile (default, legacy, head)")
    run.add_argument("--builds", action="store_true", help="load the bundled build/ files instead of src/")
    run.add_argument(
        "--pairs",
        default="sorted",
        metavar="sorted|shuffled[:seed]",
        help="order of `pairs` in processes: sorted (default) or shuffled from a seed (random if none)",
    )
    run.add_argument("--timeout", help="wall-clock seconds one message may run (default 30; 'none')")
    run.add_argument(
        "--instruction-budget", help="Lua instructions one message may run (default 20000000; 'none')"
    )
    run.add_argument("--memory-limit", help="bytes one process's Lua state may use (default 512 MiB; 'none')")
    run.set_defaults(func=_cmd_run)

    serve = sub.add_parser("serve", help="a local AO devnet: MU, CU, SU and gateway over HTTP for aoconnect")
    serve.add_argument("manifest", nargs="?", help="an aoform.yaml: its system is spawned and wired at start")
    serve.add_argument("--port", type=int, default=4000, help="gateway port (4000); MU +2, SU +3, CU +4")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--data", default=".ao-harness", help="data directory (default .ao-harness/)")
    serve.add_argument("--lua", default="5.3", help="Lua version (default 5.3, AO's)")
    serve.add_argument("--profile", default="default", help="aos profile of the manifest's processes")
    serve.add_argument(
        "--module-profile", action="append", default=[], metavar="ID=PROFILE",
        help="spawn processes of module ID with a harness profile (repeatable)",
    )  # fmt: skip
    serve.add_argument("--clock", choices=["wall", "manual"], default="wall",
                       help="wall: time and cron follow the wall clock; manual: only POST /~harness/advance")
    serve.add_argument("--builds", action="store_true", help="load the bundled build/ files instead of src/")
    serve.set_defaults(func=_cmd_serve)

    repl = sub.add_parser("repl", help="an aos-like prompt on a local network, or on a running `serve`")
    from harness.repl import add_arguments as add_repl_arguments
    from harness.repl import main as run_repl

    add_repl_arguments(repl)
    repl.set_defaults(func=run_repl)

    mutate = sub.add_parser("mutate", help="mutation testing: single-point Lua mutants against the tests")
    from harness.mutate.cli import add_arguments

    add_arguments(mutate)
    mutate.set_defaults(func=_cmd_mutate)

    argv = _attach_ids(list(sys.argv[1:] if argv is None else argv))
    extra: list[str] = []
    if argv[:1] == ["mutate"] and "--" in argv:  # `mutate [paths] -- pytest args`
        cut = argv.index("--")
        argv, extra = argv[:cut], argv[cut + 1 :]
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help (0) or a one-line usage error (2)
        return exc.code if isinstance(exc.code, int) else USAGE
    args.pytest_args = extra
    return int(args.func(args))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
