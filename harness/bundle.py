"""Bundle a process file and the project modules it ``require``s into one Lua file that loads in
aos with a single ``.load`` (what ``ao-harness build`` writes to ``ao/<name>/build/process.lua``).

Each inlined module becomes a ``package.preload`` entry.  Marker comments map bundle lines back
to their source files (coverage uses them)::

    -- @ao-harness source <path relative to the project root> <first source line>

The lines after a marker are that file's lines, starting at the given line, until the next
marker or the bundle's ``-- @ao-harness end`` line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from harness.errors import HarnessError

#: ``require("x")``, ``require 'x'``, ``require("x.y")`` with a literal name.
_REQUIRE = re.compile(r"""\brequire\s*\(?\s*(["'])([A-Za-z0-9_.\-/]+)\1""")
MARKER = "-- @ao-harness source"
END_MARKER = "-- @ao-harness end"


class BundleError(HarnessError):
    """A process could not be bundled (a required module is missing, or a cycle)."""


@dataclass(frozen=True)
class Bundle:
    """The bundled text and the modules it inlined (name -> source path)."""

    text: str
    modules: dict[str, Path]


def search_dirs(process_file: Path, root: Path) -> list[Path]:
    """Where ``require`` looks for project modules: beside the file, then ``<root>/ao``."""
    return [process_file.parent, root / "ao"]


def resolve(name: str, dirs: list[Path]) -> Path | None:
    rel = name.replace(".", "/")
    for d in dirs:
        for candidate in (d / f"{rel}.lua", d / rel / "init.lua"):
            if candidate.is_file():
                return candidate
    return None


def _display(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def bundle(process_file: str | Path, root: str | Path) -> Bundle:
    """Bundle *process_file* with every project module it requires (recursively)."""
    process_file = Path(process_file)
    root = Path(root)
    dirs = search_dirs(process_file, root)
    order: list[tuple[str, Path]] = []
    seen: dict[str, Path] = {}

    def visit(path: Path, stack: tuple[str, ...]) -> None:
        text = path.read_text(encoding="utf-8")
        for lineno, line in enumerate(text.splitlines(), 1):
            code = line.split("--", 1)[0]
            for match in _REQUIRE.finditer(code):
                name = match.group(2)
                found = resolve(name, dirs)
                if found is None:
                    continue  # a runtime module (json, .bint, ...) that aos itself provides
                if name in stack:
                    chain = " -> ".join((*stack, name))
                    raise BundleError(f"{_display(path, root)}:{lineno}: require cycle {chain}")
                if name not in seen:
                    seen[name] = found
                    visit(found, (*stack, name))
                    order.append((name, found))

    visit(process_file, ())
    out = [
        f"-- Bundled by `ao-harness build` from {_display(process_file, root)}; do not edit.",
        "-- Load with a single `.load` in aos: project modules are package.preload entries.",
    ]
    for name, path in order:
        body = path.read_text(encoding="utf-8").rstrip("\n")
        out.append(f'package.loaded["{name}"] = nil')
        out.append(f'package.preload["{name}"] = function(...)')
        out.append(f"{MARKER} {_display(path, root)} 1")
        out.extend(body.splitlines())
        out.append(END_MARKER)
        out.append("end")
    main = process_file.read_text(encoding="utf-8").rstrip("\n")
    out.append(f"{MARKER} {_display(process_file, root)} 1")
    out.extend(main.splitlines())
    out.append(END_MARKER)
    return Bundle(text="\n".join(out) + "\n", modules=dict(order))


def source_map(bundle_text: str) -> dict[int, tuple[str, int]]:
    """Bundle line number -> (source path, source line) for every line that came from a file."""
    mapping: dict[int, tuple[str, int]] = {}
    current: tuple[str, int] | None = None
    for lineno, line in enumerate(bundle_text.splitlines(), 1):
        if line.startswith(MARKER):
            path, first = line[len(MARKER) :].strip().rsplit(" ", 1)
            current = (path, int(first))
            continue
        if line.startswith(END_MARKER):
            current = None
            continue
        if current is not None:
            mapping[lineno] = current
            current = (current[0], current[1] + 1)
    return mapping


def build_all(root: str | Path, names: list[str] | None = None) -> list[Path]:
    """Bundle every ``ao/<name>/src/process.lua`` (or the *names* given) into
    ``ao/<name>/build/process.lua``; return the files written."""
    root = Path(root)
    sources = sorted((root / "ao").glob("*/src/process.lua"))
    if names:
        wanted = set(names)
        known = ", ".join(s.parent.parent.name for s in sources) or "none"
        sources = [s for s in sources if s.parent.parent.name in wanted]
        missing = ", ".join(sorted(wanted - {s.parent.parent.name for s in sources}))
        if missing:
            raise BundleError(f"no ao/<name>/src/process.lua for {missing}; the processes are {known}")
    # every bundle is made in memory first: one that fails leaves every build file as it was
    texts = []
    for src in sources:
        try:
            texts.append((src.parent.parent / "build" / "process.lua", bundle(src, root).text))
        except (OSError, UnicodeDecodeError) as exc:
            why = exc.strerror if isinstance(exc, OSError) else f"not UTF-8 text (byte {exc.start})"
            raise BundleError(f"{_display(src, root)}: cannot be bundled: {why}") from None
    temps: list[tuple[Path, Path]] = []
    try:
        for out, text in texts:
            out.parent.mkdir(exist_ok=True)
            tmp = out.with_name(f".{out.name}.tmp")
            tmp.write_text(text, encoding="utf-8")
            temps.append((tmp, out))
    except OSError as exc:
        for tmp, _ in temps:
            tmp.unlink(missing_ok=True)
        raise BundleError(f"{exc.filename}: cannot be written: {exc.strerror}") from None
    for tmp, out in temps:
        tmp.replace(out)
    return [out for _, out in temps]
