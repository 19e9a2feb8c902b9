"""Analysis and reports of Lua coverage: statements vs hits, the terminal tables, JSON, and the
coverage.py data file / html / xml / lcov written when coverage.py is not running."""

from __future__ import annotations

import html
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.coverage.collector import RUNTIME_HANDLERS, HandlerStats

_ONCE = re.compile(r"^_once_\d+$")


@dataclass
class FileAnalysis:
    path: str
    name: str  # shown name (relative to the root when inside it)
    statements: set[int]
    executed: set[int]
    excluded: set[int]

    @property
    def missing(self) -> list[int]:
        return sorted(self.statements - self.executed - self.excluded)

    @property
    def counted(self) -> set[int]:
        return self.statements - self.excluded

    @property
    def covered(self) -> set[int]:
        return self.counted & self.executed

    @property
    def percent(self) -> float:
        n = len(self.counted)
        return 100.0 if n == 0 else 100.0 * len(self.covered) / n


def format_ranges(statements: set[int], missing: list[int]) -> str:
    """``[9, 23, 24, 25, 26, 28]`` -> ``"9, 23-28"``: runs of missing statements, skipping
    non-statement lines the way coverage.py does."""
    stmts = sorted(statements)
    miss = set(missing)
    out: list[str] = []
    start = end = None
    for s in stmts:
        if s in miss:
            if start is None:
                start = s
            end = s
        elif start is not None:
            out.append(str(start) if start == end else f"{start}-{end}")
            start = None
    if start is not None:
        out.append(str(start) if start == end else f"{start}-{end}")
    return ", ".join(out)


def analyse(
    hits: dict[str, set[int]], files: list[str], root: Path, lua_version: str
) -> list[FileAnalysis]:
    from harness.coverage.lua_plugin import LuaFileReporter

    out = []
    for path in sorted(set(files) | set(hits)):
        rep = LuaFileReporter(path, lua_version)
        try:
            name = Path(path).resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            name = path
        try:
            statements, excluded = rep.lines(), rep.excluded_lines()
        except OSError:
            continue
        out.append(FileAnalysis(path, name, statements, set(hits.get(path, ())), excluded))
    return sorted(out, key=lambda a: a.name)


def total_percent(analyses: list[FileAnalysis]) -> float:
    """Covered statements over all statements of *analyses*, in percent (100 when there are none)."""
    statements = sum(len(a.counted) for a in analyses)
    missed = sum(len(a.missing) for a in analyses)
    return 100.0 if statements == 0 else 100.0 * (statements - missed) / statements


def line_table(analyses: list[FileAnalysis], *, missing: bool = True) -> str:
    if not analyses:
        return "no Lua files measured (check --ao-cov-include)"
    width = max(len("Name"), max(len(a.name) for a in analyses), len("TOTAL"))
    head = f"{'Name':<{width}}   Stmts   Miss  Cover" + ("   Missing" if missing else "")
    rule = "-" * len(head)
    rows = [head, rule]
    tot_s = tot_m = 0
    for a in analyses:
        n, m = len(a.counted), len(a.missing)
        tot_s += n
        tot_m += m
        row = f"{a.name:<{width}}   {n:>5}  {m:>5}  {a.percent:>4.0f}%"
        if missing and a.missing:
            row += "   " + format_ranges(a.counted, a.missing)
        rows.append(row)
    rows += [rule, f"{'TOTAL':<{width}}   {tot_s:>5}  {tot_m:>5}  {total_percent(analyses):>4.0f}%"]
    return "\n".join(rows)


def handler_summary(stats: HandlerStats) -> dict[str, Any]:
    """One process's handlers: own handlers with counts, never-matched names, runtime counts."""
    own: dict[str, int] = {}
    once = 0
    once_seen = False
    for name, count in stats.names.items():
        if name in RUNTIME_HANDLERS:
            continue
        if _ONCE.match(name):
            once += count
            once_seen = True
            continue
        own[name] = count
    if once_seen:
        own["_once_*"] = once
    return {
        "states": stats.states,
        "handlers": own,
        "never_matched": [n for n, c in own.items() if c == 0],
        "unhandled": stats.names.get("_default", 0),
    }


def handler_table(handlers: dict[str, HandlerStats]) -> str:
    blocks = []
    for label in sorted(handlers):
        s = handler_summary(handlers[label])
        if not s["handlers"]:
            continue
        width = max(len(n) for n in s["handlers"])
        lines = [f"{label}  ({s['states']} Lua states; {s['unhandled']} messages went to _default)"]
        for name, count in s["handlers"].items():
            mark = "   <- never matched" if count == 0 else ""
            lines.append(f"  {name:<{width}}  {count:>7}{mark}")
        never = s["never_matched"]
        lines.append(
            f"  never matched: {', '.join(never)}" if never else "  every handler matched at least once"
        )
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) if blocks else "no process registered a handler of its own"


def json_report(
    analyses: list[FileAnalysis], handlers: dict[str, HandlerStats], lua_version: str
) -> dict[str, Any]:
    files = {}
    tot_s = tot_c = 0
    for a in analyses:
        tot_s += len(a.counted)
        tot_c += len(a.covered)
        files[a.name] = {
            "path": a.path,
            "executed_lines": sorted(a.covered),
            "missing_lines": a.missing,
            "excluded_lines": sorted(a.excluded),
            "summary": {
                "num_statements": len(a.counted),
                "covered_lines": len(a.covered),
                "missing_lines": len(a.missing),
                "percent_covered": round(a.percent, 2),
            },
        }
    return {
        "meta": {"format": 1, "tool": "ao-harness --ao-cov", "lua_version": lua_version},
        "files": files,
        "totals": {
            "num_statements": tot_s,
            "covered_lines": tot_c,
            "missing_lines": tot_s - tot_c,
            "percent_covered": round(100.0 * tot_c / tot_s, 2) if tot_s else 100.0,
        },
        "handlers": {label: handler_summary(s) for label, s in sorted(handlers.items())},
    }


def write_json(path: Path, report: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


def write_data_file(
    path: Path, hits: dict[str, set[int]], files: list[str], *, branch: bool = False
) -> None:
    """A coverage.py data file holding only the Lua files (``coverage report`` reads it)."""
    from coverage import CoverageData

    from harness.coverage.lua_plugin import PLUGIN_NAME

    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in (path, Path(str(path) + "-journal")):
        if stale.exists():
            os.remove(stale)
    data = CoverageData(basename=str(path))
    add_to_data(data, hits, branch=branch)
    untouched = [f for f in files if f not in hits]
    if untouched:
        # coverage.py touches files only once the data knows lines from arcs: say which, even
        # when no Lua line ran at all
        if branch:
            data.add_arcs({})
        else:
            data.add_lines({})
        data.touch_files(untouched, PLUGIN_NAME)
    data.write()


def add_to_data(data: Any, hits: dict[str, set[int]], *, branch: bool) -> None:
    """Add Lua hits to a live ``CoverageData`` (arcs when it measures branches)."""
    from harness.coverage.lua_plugin import PLUGIN_NAME

    hits = {p: ls for p, ls in hits.items() if ls}
    if not hits:
        return
    if branch or data.has_arcs():
        data.add_arcs({p: {(-1, n) for n in ls} | {(n, -1) for n in ls} for p, ls in hits.items()})
    else:
        data.add_lines(hits)
    data.add_file_tracers(dict.fromkeys(hits, PLUGIN_NAME))


def handler_html(handlers: dict[str, HandlerStats]) -> str:
    """The handler table as an HTML section (for coverage.py's HTML index page)."""
    parts = ['<section id="ao-handlers">', "<h2>Handler coverage: messages matched per handler</h2>"]
    shown = False
    for label in sorted(handlers):
        s = handler_summary(handlers[label])
        if not s["handlers"]:
            continue
        shown = True
        parts.append(
            f"<h3>{html.escape(label)} <small>({s['states']} Lua states; "
            f"{s['unhandled']} messages went to _default)</small></h3>"
        )
        parts.append('<table class="index"><thead><tr><th>handler</th><th>matched</th></tr></thead><tbody>')
        for name, count in s["handlers"].items():
            style = ' style="background:#fdd"' if count == 0 else ""
            note = " (never matched)" if count == 0 else ""
            parts.append(f"<tr{style}><td>{html.escape(name)}{note}</td><td>{count}</td></tr>")
        parts.append("</tbody></table>")
    if not shown:
        parts.append("<p>no process registered a handler of its own</p>")
    parts.append("</section>")
    return "\n".join(parts)


def _add_handler_section(index: Path, handlers: dict[str, HandlerStats]) -> None:
    page = index.read_text(encoding="utf-8")
    section = handler_html(handlers)
    for anchor in ("</main>", "</body>"):
        if anchor in page:
            page = page.replace(anchor, section + "\n" + anchor, 1)
            break
    else:
        page += section
    index.write_text(page, encoding="utf-8")


def coverage_reports(
    data_file: Path,
    lua_version: str,
    reports: list[tuple[str, str]],
    handlers: dict[str, HandlerStats] | None = None,
) -> list[str]:
    """Run coverage.py's html/xml/lcov reports on *data_file*; returns the written paths.  The HTML
    index also gets the handler table when *handlers* are given."""
    import coverage

    from harness.coverage.lua_plugin import MODULE

    cov = coverage.Coverage(data_file=str(data_file), config_file=False)
    cov.set_option("run:plugins", [MODULE])
    cov.set_option(f"{MODULE}:lua_version", lua_version)
    cov.load()
    written = []
    for kind, dest in reports:
        if kind == "html":
            cov.html_report(directory=dest, title="Lua coverage (ao-harness)")
            if handlers is not None:
                _add_handler_section(Path(dest) / "index.html", handlers)
            written.append(os.path.join(dest, "index.html"))
        elif kind == "xml":
            cov.xml_report(outfile=dest)
            written.append(dest)
        elif kind == "lcov":
            cov.lcov_report(outfile=dest)
            written.append(dest)
    return written
