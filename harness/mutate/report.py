"""Mutation reports: the terminal table, JSON, and one HTML page."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

from harness.mutate.runner import MutantResult, RunResult


def score(results: list[MutantResult]) -> float:
    """Percent of the mutants the tests detect (100 when there are none)."""
    if not results:
        return 100.0
    return 100.0 * sum(r.detected for r in results) / len(results)


def _groups(results: list[MutantResult], key: str) -> dict[str, list[MutantResult]]:
    out: dict[str, list[MutantResult]] = {}
    for r in results:
        out.setdefault(getattr(r.mutant, key), []).append(r)
    return dict(sorted(out.items()))


def diff(result: MutantResult, text: str) -> str:
    """The mutant as a small unified diff with its file:line."""
    m = result.mutant
    lines = text.splitlines()
    old = lines[m.line - 1 : m.end_line]
    new_text = m.apply(text)
    delta = len(new_text.splitlines()) - len(lines)
    new = new_text.splitlines()[m.line - 1 : m.end_line + delta]
    head = f"{m.file}:{m.line}:{m.col}: {m.operator}: {m.describe()}"
    body = [f"@@ -{m.line},{len(old)} +{m.line},{len(new)} @@"]
    body += ["-" + ln for ln in old] + ["+" + ln for ln in new]
    return "\n".join([head, *body])


def _table(rows: list[tuple[str, list[MutantResult]]], title: str) -> list[str]:
    width = max([len(title), *(len(name) for name, _ in rows)])
    out = [f"{title:<{width}}  mutants  killed  timeout  survived  uncovered   score"]
    for name, rs in rows:
        c = {s: sum(r.status == s for r in rs) for s in ("killed", "timeout", "survived", "uncovered")}
        out.append(
            f"{name:<{width}}  {len(rs):>7}  {c['killed']:>6}  {c['timeout']:>7}  {c['survived']:>8}  "
            f"{c['uncovered']:>9}  {score(rs):>5.1f}%"
        )
    return out


def terminal(run: RunResult) -> str:
    rs = run.results
    out = _table(list(_groups(rs, "file").items()), "file")
    width = max([4, *(len(r.mutant.file) for r in rs)])
    out.append(_table([("TOTAL", rs), ("." * width, [])], "file")[1])
    out.append("")
    out += _table(list(_groups(rs, "operator").items()), "operator")
    survivors = [r for r in rs if not r.detected]
    if survivors:
        out += ["", f"{len(survivors)} mutant(s) not detected:"]
        for r in survivors:
            out += ["", diff(r, run.plan.texts[r.mutant.file])]
            out.append(
                "  (no test runs this line)" if r.status == "uncovered" else f"  ({r.tests} tests passed)"
            )
    if run.plan.skipped:
        out += ["", f"{len(run.plan.skipped)} mutant(s) skipped by '-- ao-mutate: skip' pragmas"]
    out.append("")
    out.append(
        f"mutation score {score(rs):.1f}% ({sum(r.detected for r in rs)}/{len(rs)} detected) in "
        f"{run.seconds:.0f} s ({run.cover_seconds:.0f} s coverage, {run.tests} tests)"
    )
    return "\n".join(out)


def to_json(run: RunResult) -> dict[str, Any]:
    def entry(r: MutantResult) -> dict[str, Any]:
        m = r.mutant
        return {
            "file": m.file, "line": m.line, "end_line": m.end_line, "col": m.col, "operator": m.operator,
            "original": m.original, "replacement": m.replacement, "status": r.status,
            "killed_by": r.killed_by, "tests": r.tests, "ran": r.ran, "seconds": round(r.seconds, 3),
            "diff": None if r.detected else diff(r, run.plan.texts[m.file]),
        }  # fmt: skip

    return {
        "score": round(score(run.results), 2),
        "mutants": len(run.results),
        "detected": sum(r.detected for r in run.results),
        "seconds": round(run.seconds, 1),
        "files": {f: round(score(rs), 2) for f, rs in _groups(run.results, "file").items()},
        "operators": {o: round(score(rs), 2) for o, rs in _groups(run.results, "operator").items()},
        "results": [entry(r) for r in run.results],
        "skipped": [
            {"file": m.file, "line": m.line, "operator": m.operator, "reason": why}
            for m, why in run.plan.skipped
        ],
    }


def write_json(run: RunResult, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(to_json(run), indent=2) + "\n", encoding="utf-8")


_CSS = """
body{font-family:sans-serif;margin:2em} table{border-collapse:collapse} td,th{padding:2px 10px;
border-bottom:1px solid #ddd;text-align:right} td:first-child,th:first-child{text-align:left}
pre{background:#f6f6f6;padding:8px} .del{color:#a00} .add{color:#070} .low{color:#a00}
"""


def write_html(run: RunResult, dest: Path) -> Path:
    """One page: scores per file and operator, then every survivor as a diff."""
    dest.mkdir(parents=True, exist_ok=True)
    esc = html.escape

    def table(groups: dict[str, list[MutantResult]], title: str) -> str:
        rows = "".join(
            f"<tr><td>{esc(name)}</td><td>{len(rs)}</td><td>{sum(r.detected for r in rs)}</td>"
            f"<td class='{'low' if score(rs) < 100 else ''}'>{score(rs):.1f}%</td></tr>"
            for name, rs in groups.items()
        )
        return (
            f"<table><tr><th>{title}</th><th>mutants</th><th>detected</th><th>score</th></tr>{rows}</table>"
        )

    parts = [f"<!doctype html><meta charset='utf-8'><title>Lua mutation report</title><style>{_CSS}</style>"]
    parts.append(f"<h1>Lua mutation score {score(run.results):.1f}%</h1>")
    parts.append(table(_groups(run.results, "file"), "file"))
    parts.append("<h2>By operator</h2>" + table(_groups(run.results, "operator"), "operator"))
    survivors = [r for r in run.results if not r.detected]
    parts.append(f"<h2>Survivors ({len(survivors)})</h2>")
    for r in survivors:
        lines = diff(r, run.plan.texts[r.mutant.file]).splitlines()
        css = {"-": "del", "+": "add"}
        body = "\n".join(f"<span class='{css.get(ln[:1], '')}'>{esc(ln)}</span>" for ln in lines[1:])
        parts.append(f"<h3 id='{esc(r.mutant.key)}'>{esc(lines[0])}</h3><pre>{body}</pre><p>{r.status}</p>")
    if run.plan.skipped:
        items = "".join(
            f"<li>{esc(m.file)}:{m.line} {esc(m.operator)}: {esc(why)}</li>" for m, why in run.plan.skipped
        )
        parts.append(f"<h2>Skipped by pragma</h2><ul>{items}</ul>")
    page = dest / "index.html"
    page.write_text("\n".join(parts), encoding="utf-8")
    return page
