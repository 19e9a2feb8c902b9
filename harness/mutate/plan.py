"""Which mutants to run: the Lua files, their mutants, ``--since`` (changed lines) and pragmas."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from harness.errors import MutateError  # defined in harness.errors; importable from here too
from harness.mutate.lexer import LuaSyntaxError, lex
from harness.mutate.operators import OPERATORS, Mutant, mutants_of

DEFAULT_PATHS = ("ao/*/src/*.lua", "ao/lib/*.lua")
PRAGMA = re.compile(r"ao-mutate:\s*(\S+)(.*)")
_SKIP = re.compile(r"skip(?:\(([^)]*)\))?\Z")


@dataclass(frozen=True)
class Pragma:
    line: int  # the code line it applies to
    operators: frozenset[str] | None  # None: every operator; "op" or "op:original text"
    reason: str

    def matches(self, m: Mutant) -> bool:
        if self.operators is None:
            return True
        return bool({m.operator, f"{m.operator}:{m.original}", f"{m.operator}@{m.col}"} & self.operators)


@dataclass
class Plan:
    files: list[str]  # relative posix paths
    texts: dict[str, str]
    mutants: list[Mutant]
    skipped: list[tuple[Mutant, str]] = field(default_factory=list)  # (mutant, pragma reason)
    invalid: list[Mutant] = field(default_factory=list)  # do not compile


def _rel(root: Path, path: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        raise MutateError(f"{path}: outside the project root {root}") from None


def discover(root: Path, paths: list[str]) -> list[str]:
    """Lua files named by *paths* (files, directories or globs relative to *root*)."""
    found: set[str] = set()
    for spec in paths or list(DEFAULT_PATHS):
        p = Path(spec)
        full = p if p.is_absolute() else root / p
        if any(c in spec for c in "*?["):
            hits = [h for h in root.glob(spec) if h.is_file()]
            found.update(_rel(root, h) for h in hits)
            if not hits and paths:
                raise MutateError(f"{spec}: no Lua file matches under {root}")
        elif full.is_dir():
            found.update(
                _rel(root, h) for h in full.rglob("*.lua") if "build" not in h.relative_to(full).parts
            )
        elif full.is_file():
            if full.suffix != ".lua":
                raise MutateError(f"{spec}: not a .lua file")
            found.add(_rel(root, full))
        else:
            raise MutateError(f"{spec}: no such file or directory under {root}")
    return sorted(found)


def pragmas(text: str, file: str) -> dict[int, list[Pragma]]:
    """``-- ao-mutate: skip[(op,...)] <reason>`` comments: on a code line they apply to it, on a
    line of their own to the next code line.  An operator may name the text it replaces
    (``skip(logical:or)``: only the ``or`` of that line, not its ``and``) or its column
    (``skip(constant@33)``)."""
    tokens, spans = lex(text)
    code_lines = sorted({t.line for t in tokens})
    out: dict[int, list[Pragma]] = {}
    for span in spans:
        if span.kind != "comment":
            continue
        m = PRAGMA.search(span.text)
        if m is None:
            continue
        verb, reason = m.group(1), m.group(2).strip()
        sk = _SKIP.match(verb)
        if sk is None:
            raise MutateError(
                f"{file}:{span.line}: unknown ao-mutate pragma {verb!r}; write "
                "'-- ao-mutate: skip <reason>' or 'skip(operator,...) <reason>'"
            )
        ops = None
        if sk.group(1) is not None:
            ops = frozenset(o.strip() for o in sk.group(1).split(",") if o.strip())
            unknown = {re.split(r"[:@]", o, maxsplit=1)[0] for o in ops} - set(OPERATORS)
            if unknown or not ops:
                raise MutateError(
                    f"{file}:{span.line}: ao-mutate pragma names unknown operator(s) "
                    f"{', '.join(sorted(unknown)) or '(none)'}; known: {', '.join(OPERATORS)}"
                )
        if not reason:
            raise MutateError(
                f"{file}:{span.line}: the ao-mutate pragma needs a reason: "
                "'-- ao-mutate: skip <why the mutant is equivalent>'"
            )
        target = (
            span.line if span.line in code_lines else next((ln for ln in code_lines if ln > span.line), None)
        )
        if target is not None:
            out.setdefault(target, []).append(Pragma(target, ops, reason))
    return out


def since_lines(root: Path, rev: str, files: list[str]) -> dict[str, set[int] | None]:
    """Lines changed since *rev* per file (``None``: the whole file is new)."""

    def git(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=False)

    check = git("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    if check.returncode != 0:
        raise MutateError(f"--since {rev!r}: not a git revision in {root}")
    out: dict[str, set[int] | None] = {}
    for f in files:
        if git("cat-file", "-e", f"{rev}:{f}").returncode != 0:
            out[f] = None
            continue
        diff = git("diff", "-U0", rev, "--", f)
        lines: set[int] = set()
        for m in re.finditer(r"^@@ -\S+ \+(\d+)(?:,(\d+))? @@", diff.stdout, re.M):
            start, count = int(m.group(1)), int(m.group(2) or "1")
            lines.update(range(start, start + max(count, 1)))
        out[f] = lines
    return out


def make_plan(
    root: Path,
    paths: list[str],
    *,
    since: str | None = None,
    operators: list[str] | None = None,
    lua: str = "5.3",
) -> Plan:
    from harness import chunks

    files = discover(root, paths)
    if not files:
        raise MutateError(f"no Lua files to mutate under {root}")
    unknown = set(operators or ()) - set(OPERATORS)
    if unknown:
        raise MutateError(f"--operator {', '.join(sorted(unknown))}: unknown; known: {', '.join(OPERATORS)}")
    changed = since_lines(root, since, files) if since else None
    compiler = chunks.compiler(lua)
    plan = Plan(files=files, texts={}, mutants=[])
    for f in files:
        text = (root / f).read_text(encoding="utf-8")
        plan.texts[f] = text
        try:
            found = mutants_of(text, f)
            marks = pragmas(text, f)
        except (LuaSyntaxError, ValueError) as exc:
            raise MutateError(f"{f}: {exc}") from None
        for m in found:
            if operators and m.operator not in operators:
                continue
            if changed is not None:
                lines = changed.get(f)
                if lines is not None and not (set(range(m.line, m.end_line + 1)) & lines):
                    continue
            why = next(
                (p.reason for p in marks.get(m.line, []) if p.matches(m)),
                None,
            )
            if why is not None:
                plan.skipped.append((m, why))
                continue
            if compiler.compile_eval(m.apply(text), "@" + f).bytecode is None:
                plan.invalid.append(m)
                continue
            plan.mutants.append(m)
    return plan
