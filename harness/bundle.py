"""Bundle a process file and the project modules it ``require``s into one Lua file that loads in
aos with a single ``.load`` (what ``ao-harness build`` writes to ``ao/<name>/build/process.lua``).

Each inlined module becomes a ``package.preload`` entry.  Marker comments map bundle lines back
to their source files (coverage uses them)::

    -- @ao-harness source <path relative to the project root> <first source line>

The lines after a marker are that file's lines, starting at the given line, until the next
marker or the bundle's ``-- @ao-harness end`` line.  This module owns the format: ``marker``
writes a marker line and ``parse_markers`` reads them back (``source_map`` here and coverage's
``bundle_map`` are built on it), ``is_bundle`` tells a bundle from a plain file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from harness.errors import BundleError  # BundleError is defined in harness.errors

#: ``require("x")``, ``require 'x'``, ``require("x.y")`` with a literal name.
_REQUIRE = re.compile(r"""\brequire\s*\(?\s*(["'])([A-Za-z0-9_.\-/]+)\1""")

MARKER = "-- @ao-harness source"
END_MARKER = "-- @ao-harness end"


@dataclass(frozen=True)
class Segment:
    """The lines of one source file inside a bundle: bundle lines ``start .. start + count - 1``
    are the file's lines ``first .. first + count - 1``."""

    path: str
    first: int
    start: int
    count: int


def marker(path: str, first: int = 1) -> str:
    """The marker line that starts a segment of *path* (as the bundle names it) at line *first*."""
    return f"{MARKER} {path} {first}"


def is_bundle(text: str) -> bool:
    """Does *text* carry bundle markers (a line that starts with one)?"""
    return MARKER in text and any(line.startswith(MARKER) for line in text.splitlines())


def parse_markers(text: str, where: str = "<bundle>") -> list[Segment]:
    """The segments of a bundle's *text*, in order (``[]`` if it has no marker).  A malformed
    marker raises :class:`BundleError` naming ``<where>:<line>``."""
    segments: list[Segment] = []
    if MARKER not in text:
        return segments
    open_: tuple[str, int, int] | None = None  # (path, first, start) of the segment being read
    lineno = 0

    def close(end: int) -> None:
        if open_ is not None and end > open_[2]:
            segments.append(Segment(open_[0], open_[1], open_[2], end - open_[2]))

    for lineno, line in enumerate(text.splitlines(), 1):
        if line.startswith(MARKER):
            close(lineno)
            path, _, first = line[len(MARKER) :].strip().rpartition(" ")
            if not path or not (first.isascii() and first.isdigit()):
                raise BundleError(
                    f"{where}:{lineno}: bad bundle marker {line!r}: expected '{MARKER} <path> <first line>'"
                )
            open_ = (path, int(first), lineno + 1)
        elif line.startswith(END_MARKER):
            close(lineno)
            open_ = None
    close(lineno + 1)
    return segments


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
        out.append(marker(_display(path, root)))
        out.extend(body.splitlines())
        out.append(END_MARKER)
        out.append("end")
    main = process_file.read_text(encoding="utf-8").rstrip("\n")
    out.append(marker(_display(process_file, root)))
    out.extend(main.splitlines())
    out.append(END_MARKER)
    return Bundle(text="\n".join(out) + "\n", modules=dict(order))


def source_map(bundle_text: str) -> dict[int, tuple[str, int]]:
    """Bundle line number -> (source path as the marker names it, source line) for every line
    that came from a file."""
    mapping: dict[int, tuple[str, int]] = {}
    for seg in parse_markers(bundle_text):
        for i in range(seg.count):
            mapping[seg.start + i] = (seg.path, seg.first + i)
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
