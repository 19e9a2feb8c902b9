"""Every document the code cites is in the repository: the ``*.md`` files named in harness/, ao/,
tests/, benchmarks/, docs/ and README.md exist, every ``docs/<page>.md §N`` names a heading of that document, every
"gotcha N" is one of the 32 of docs/aos-semantics.md §8, and the docs' test names exist."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

THIS = Path(__file__).resolve()
ROOT = THIS.parent.parent
DOCS = ROOT / "docs"
SEMANTICS = DOCS / "aos-semantics.md"
SCANNED_DIRS = ("harness", "ao", "tests", "benchmarks", "docs")
SCANNED_FILES = ("README.md",)
SUFFIXES = {".py", ".lua", ".md", ".sh", ".yaml", ".yml", ".toml", ".ini", ".cfg", ".txt"}
GOTCHAS = range(1, 33)

#: Citations in files that other work has open; each (file, text) must still be there, so an
#: entry is removed as soon as its citation is rewritten (the test fails on a stale entry).
PENDING: set[tuple[str, str]] = set()

MD_NAME = re.compile(r"((?:[\w.-]+/)*[\w-][\w.-]*\.md)\b(?:#([\w-]+))?")
SECTION_NUMBER = r"\d+(?:\.\d+)*"
SECTION_RUN = re.compile(rf"§\s?{SECTION_NUMBER}(?:\s*(?:-|–|,|and)\s*§?\s?{SECTION_NUMBER})*")
GOTCHA = re.compile(r"\bgotchas?\s+(\d+(?:\s*(?:/|,|-|–|and)\s*\d+)*)")
HEADING = re.compile(rf"^#+\s+({SECTION_NUMBER})\.?\s", re.M)
FORBIDDEN = (re.compile(r"/work/shared"), re.compile(r"\bspec §"))


@dataclass(frozen=True)
class Problem:
    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


def scanned_files() -> list[Path]:
    files = [ROOT / name for name in SCANNED_FILES]
    for name in SCANNED_DIRS:
        for path in sorted((ROOT / name).rglob("*")):
            parts = set(path.relative_to(ROOT).parts)
            if path == THIS:  # its examples of bad citations are on purpose
                continue
            if path.is_file() and path.suffix in SUFFIXES and not parts & {"node_modules", "__pycache__"}:
                files.append(path)
    return files


@cache
def sections(doc: Path) -> frozenset[str]:
    """The numbers of the headings of *doc* (``## 4. Handlers`` -> "4", ``### 4.2 ...`` -> "4.2")."""
    return frozenset(HEADING.findall(doc.read_text(encoding="utf-8")))


@cache
def anchors(doc: Path) -> frozenset[str]:
    """GitHub's anchors of the headings of *doc*."""
    out = set()
    for line in doc.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            text = line.lstrip("#").strip().lower()
            out.add(re.sub(r"[^\w\- ]", "", text).replace(" ", "-"))
    return frozenset(out)


def resolve(name: str, citing: Path) -> Path | None:
    """The file *name* refers to: relative to the citing file's folder or one above it (up to the
    repository root), or to the root."""
    folder = citing.parent
    while True:
        candidate = (folder / name).resolve()
        if candidate.is_file() and candidate.is_relative_to(ROOT):
            return candidate
        if folder == ROOT or ROOT not in folder.parents:
            return None
        folder = folder.parent


def line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def gotcha_numbers(spec: str) -> list[int]:
    numbers = [int(n) for n in re.findall(r"\d+", spec)]
    if re.search(r"\d\s*[-–]\s*\d", spec) and len(numbers) == 2:
        return list(range(numbers[0], numbers[1] + 1))
    return numbers


def check_file(path: Path, text: str | None = None) -> list[Problem]:
    """The bad citations in *path* (whose content is *text* when given)."""
    rel = path.relative_to(ROOT).as_posix()
    if text is None:
        text = path.read_text(encoding="utf-8", errors="replace")
    problems: list[Problem] = []
    is_doc = path.parent == DOCS
    pending = [(i, i + len(t)) for f, t in PENDING if f == rel and (i := text.find(t)) >= 0]

    def problem(pos: int, what: str) -> None:
        if not any(start <= pos < end for start, end in pending):
            problems.append(Problem(f"{rel}:{line_of(text, pos)}", what))

    for pattern in FORBIDDEN:
        for m in pattern.finditer(text):
            problem(m.start(), f"cites {m.group(0)!r}, which a clone of the repository does not have")

    # documents, in order: every *.md name must exist; § runs refer to the document just before
    # them, else (in code) to the last one cited, else (in docs/) to the page itself
    cited: list[tuple[int, int, Path]] = []
    for m in MD_NAME.finditer(text):
        target = resolve(m.group(1), path)
        if target is None:
            problem(m.start(), f"names {m.group(1)!r}, which is not in the repository")
            continue
        cited.append((m.start(), m.end(), target))
        if m.group(2) and target.suffix == ".md" and m.group(2) not in anchors(target):
            problem(m.start(), f"links #{m.group(2)} of {m.group(1)}, which has no such heading")

    for m in SECTION_RUN.finditer(text):
        before = [c for c in cited if c[1] <= m.start()]
        doc: Path | None = None
        if before and re.fullmatch(r"[`)\]\s]*", text[before[-1][1] : m.start()]):
            doc = before[-1][2]
        elif is_doc:
            doc = path
        elif before:
            doc = before[-1][2]
        if doc is None:
            problem(m.start(), f"cites {m.group(0)!r} without naming a document")
            continue
        for number in re.findall(SECTION_NUMBER, m.group(0)):
            if number not in sections(doc):
                problem(m.start(), f"cites §{number} of {doc.relative_to(ROOT).as_posix()}, which has no such section")

    for m in GOTCHA.finditer(text):
        if path != SEMANTICS and not any(c[2] == SEMANTICS for c in cited):
            problem(m.start(), f"cites {m.group(0)!r} but never names docs/aos-semantics.md")
        for n in gotcha_numbers(m.group(1)):
            if n not in GOTCHAS:
                problem(m.start(), f"cites gotcha {n}; docs/aos-semantics.md §8 lists 1-32")
    return problems


def test_every_citation_points_into_the_repository() -> None:
    problems = [str(p) for path in scanned_files() for p in check_file(path)]
    assert not problems, "citations of documents or sections that do not exist:\n" + "\n".join(problems)


def test_pending_citations_are_still_there() -> None:
    stale = [f"{f}: {t!r}" for f, t in sorted(PENDING) if t not in (ROOT / f).read_text(encoding="utf-8")]
    assert not stale, "rewritten citations: remove them from PENDING in tests/test_docs.py:\n" + "\n".join(stale)


def test_the_gotcha_list_is_1_to_32_and_each_has_a_test() -> None:
    text = SEMANTICS.read_text(encoding="utf-8")
    section8 = text[text.index("\n## 8.") :]
    listed = [int(n) for n in re.findall(r"^(\d+)\. \*\*", section8, re.M)]
    assert listed == list(GOTCHAS)
    tests = (ROOT / "tests" / "harness" / "test_gotchas.py").read_text(encoding="utf-8")
    tested = {int(n) for n in re.findall(r"^def test_gotcha_(\d\d)_", tests, re.M)}
    assert tested == set(GOTCHAS), f"gotchas without a test: {sorted(set(GOTCHAS) - tested)}"


@pytest.mark.parametrize("doc", sorted(p.name for p in DOCS.glob("*.md")))
def test_test_names_in_the_docs_exist(doc: str) -> None:
    defined = set()
    modules = set()
    for path in (ROOT / "tests").rglob("*.py"):
        modules.add(path.stem)
        defined.update(re.findall(r"^def (test_\w+)", path.read_text(encoding="utf-8"), re.M))
    text = (DOCS / doc).read_text(encoding="utf-8")
    named = {n for n in re.findall(r"\b(test_[a-z0-9_]*[a-z0-9])\b", text)}
    missing = sorted(n for n in named if n not in defined and n not in modules)
    assert not missing, f"docs/{doc} names tests that do not exist: {missing}"


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        ("see docs/aos-semantics.md §4.2", []),
        ("see docs/aos-semantics.md §4.9", ["no such section"]),
        ("see docs/aos-semantics.md §4.1-§4.6 and gotcha 23", []),
        ("see spec §4.2", ["does not have", "without naming a document"]),
        ("see aos-semantics.md §4.2", ["not in the repository", "without naming a document"]),
        ("docs/aos-semantics.md §1, gotcha 33", ["gotcha 33"]),
        ("gotcha 3 alone", ["never names"]),
        ("[x](docs/tim3.md#5-security-model)", []),
        ("[x](docs/tim3.md#nowhere)", ["no such heading"]),
    ],
)
def test_the_checker_catches_bad_citations(snippet: str, expected: list[str]) -> None:
    # the checker itself, on a comment as if it were in a file of tests/ (no file is written)
    found = [p.what for p in check_file(ROOT / "tests" / "probe.py", f"# {snippet}\n")]
    assert len(found) == len(expected), found
    for what, needle in zip(found, expected, strict=True):
        assert needle in what, found


def test_the_profile_table_matches_harness_profiles() -> None:
    """docs/aos-semantics.md §0 has one row per switch of ``harness.profiles.Profile``, with the
    values of ``PROFILES`` (yes/no per profile, columns in the table's order)."""
    from dataclasses import fields

    from harness.profiles import PROFILES

    text = SEMANTICS.read_text(encoding="utf-8")
    table = text[text.index("\n## 0.") : text.index("\n## 1.")]
    header = next(line for line in table.splitlines() if line.startswith("| switch"))
    columns = [c.strip(" `") for c in header.strip("|").split("|")][1:]
    assert columns == list(PROFILES), f"§0 table columns {columns} != profiles {list(PROFILES)}"
    switches = [f.name for f in fields(next(iter(PROFILES.values()))) if f.type in (bool, "bool")]
    assert len(switches) >= 7, switches
    for switch in switches:
        row = next((line for line in table.splitlines() if line.startswith(f"| `{switch}`")), None)
        assert row is not None, f"docs/aos-semantics.md §0 has no row for the switch {switch!r}"
        cells = [c.strip() for c in row.strip("|").split("|")][1:]
        expected = ["yes" if getattr(PROFILES[p], switch) else "no" for p in columns]
        assert cells == expected, f"§0 row {switch}: {cells}, but harness/profiles.py says {expected}"
