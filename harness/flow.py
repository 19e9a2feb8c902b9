"""Message flows as sequence diagrams: one lifeline per process or wallet, one arrow per delivery.

``steps()`` turns a network's deliveries (``Network.trace``) into ``Step`` records and links each
one to the delivery that caused it (an outbox message to the delivery whose result sent it, a
spawned process's first message to the spawn request, an assignment to the delivery that
assigned it).  ``causal_flow()`` keeps the steps one message started; ``render_svg()`` draws a
diagram (errors in red, every tag in the arrow's tooltip) and ``render_html()`` writes a
self-contained page (no external scripts, styles or fonts).  The devnet's browser view and the
pytest option ``--ao-flow-html`` both draw with this module.
"""

from __future__ import annotations

import html
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from harness.ids import short
from harness.messages import Delivery, Message

#: colours of the diagram (inline attributes, so the SVG is complete on its own)
ARROW = "#1f6feb"
ERROR = "#d1242f"
WALLET_ARROW = "#6e7781"
#: at most this many arrows in one diagram (the last ones are kept: errors tend to be there)
MAX_STEPS = 400

NameOf = Callable[[str | None], str]


@dataclass
class Step:
    """One delivery as an arrow: *source* sent a message that *target* handled (or received,
    for a wallet).  *parent* is the ``seq`` of the delivery that caused it (``None``: it came
    from outside the network, e.g. a wallet's signed message or a test's ``send``)."""

    seq: int
    parent: int | None
    source: str
    target: str
    kind: str  # message | spawn | cron | assignment | wallet
    message_id: str | None
    tags: list[tuple[str, str]]
    data: str
    error: str | None = None
    output: str = ""
    timestamp: int | None = None
    children: list[int] = field(default_factory=list)

    @property
    def action(self) -> str | None:
        return next((v for k, v in self.tags if k == "Action"), None)

    @property
    def label(self) -> str:
        action = self.action
        if self.kind == "spawn":
            return f"spawn {action}" if action else "spawn"
        if self.kind == "cron":
            return "cron tick"
        text = action or "(no Action)"
        return f"assign {text}" if self.kind == "assignment" else text

    def to_json(self, name_of: NameOf) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "parent": self.parent,
            "children": list(self.children),
            "from": self.source,
            "from_name": name_of(self.source),
            "to": self.target,
            "to_name": name_of(self.target),
            "kind": self.kind,
            "id": self.message_id,
            "action": self.action,
            "label": self.label,
            "tags": [{"name": k, "value": v} for k, v in self.tags],
            "data": self.data,
            "error": self.error,
            "output": self.output,
            "timestamp": self.timestamp,
        }


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else repr(value)


class Linker:
    """Links deliveries to their causes, one at a time and in delivery order (``steps()`` runs
    one over a whole trace; the devnet view keeps one and feeds it each new delivery).

    A process's outbox message is matched to the delivery it came from by (sender, recipient,
    anchor) — aos gives every outbox message its own anchor (the padded ``Reference``) — and
    first-in first-out per (sender, recipient) where there is no anchor, as the MU pushes them."""

    def __init__(self) -> None:
        self.steps: list[Step] = []
        self._by_seq: dict[int, Step] = {}
        # (sender, recipient) -> [(cause seq, anchor)], in the order the network queued them;
        # recipient "" = a spawn request
        self._queued: dict[tuple[str, str], list[tuple[int, str | None]]] = {}
        # parent process -> spawn steps whose ``Action = Spawned`` notice is still to come
        self._notices: dict[str, list[int]] = {}
        # (message id, recipient) -> seqs of the deliveries that assigned it there
        self._assigned: dict[tuple[str, str], list[int]] = {}

    def extend(self, deliveries: Iterable[Delivery]) -> None:
        for d in deliveries:
            self.add(d)

    def _is_notice(self, m: Message, source: str, target: str) -> bool:
        """An ``Action = Spawned`` notice the network sends a parent after a spawn."""
        return bool(self._notices.get(source)) and source == target and m.anchor is None and (
            m.get("Action") == "Spawned"
        )

    def add(self, d: Delivery) -> Step:
        m = d.message
        result = d.result
        target = result.process if result is not None else (m.target or "")
        source = m.sender or m.owner or ""
        spawn = m.id is not None and m.id == m.target
        parent: int | None = None
        kind = "wallet" if d.to_wallet else ("spawn" if spawn else "message")
        if m.cron:
            kind = "cron"
        elif m.id is not None and self._assigned.get((m.id, target)):
            parent = self._assigned[(m.id, target)].pop(0)
            kind = "assignment"
        elif spawn:
            parent = _take(self._queued, (source, ""), None)
        elif self._is_notice(m, source, target):
            parent = self._notices[source].pop(0)
        else:
            parent = _take(self._queued, (source, target), m.anchor)
        step = Step(
            seq=d.seq,
            parent=parent,
            source=source,
            target=target,
            kind=kind,
            message_id=m.id,
            tags=[(str(k), _text(v)) for k, v in m.tag_list],
            data=_text(m.data),
            error=result.error if result is not None else None,
            output=result.output if result is not None else "",
            timestamp=m.timestamp,
        )
        self.steps.append(step)
        self._by_seq[step.seq] = step
        if parent is not None and parent in self._by_seq:
            self._by_seq[parent].children.append(step.seq)
        if spawn and parent is not None:
            # a process spawned by another: its parent gets an ``Action = Spawned`` notice
            # (even when the spawn message failed)
            self._notices.setdefault(source, []).append(step.seq)
        if result is None or result.error is not None:
            return step
        for msg in result.messages:
            self._queued.setdefault((target, msg.target or ""), []).append((step.seq, msg.anchor))
        for _ in result.spawns:
            self._queued.setdefault((target, ""), []).append((step.seq, None))
        for procs, message_id in result.assignments:
            for p in procs:
                self._assigned.setdefault((message_id, p), []).append(step.seq)
        return step


def steps(deliveries: Iterable[Delivery]) -> list[Step]:
    """The deliveries as steps, in delivery order, each linked to its cause (see ``Linker``)."""
    linker = Linker()
    linker.extend(deliveries)
    return linker.steps


def _take(queued: dict[tuple[str, str], list[tuple[int, str | None]]], key: tuple[str, str],
          anchor: str | None) -> int | None:  # fmt: skip
    """The cause of a message from key[0] to key[1] with *anchor*: the queued entry with that
    anchor, else (no anchor on either side) the oldest one; ``None`` if nothing was queued (the
    message came from outside the network)."""
    entries = queued.get(key)
    if not entries:
        return None
    for i, (seq, a) in enumerate(entries):
        if a == anchor or a is None or anchor is None:
            del entries[i]
            return seq
    return None


def causal_flow(all_steps: Sequence[Step], root: int) -> list[Step]:
    """The step *root* (a delivery ``seq``) and every step it caused, transitively, in delivery
    order."""
    by_seq = {s.seq: s for s in all_steps}
    if root not in by_seq:
        return []
    keep: set[int] = set()
    todo = [root]
    while todo:
        seq = todo.pop()
        if seq in keep or seq not in by_seq:
            continue
        keep.add(seq)
        todo.extend(by_seq[seq].children)
    return [s for s in all_steps if s.seq in keep]


def lifelines(flow: Sequence[Step]) -> list[str]:
    """Addresses in order of first appearance (each step's sender before its recipient)."""
    seen: dict[str, None] = {}
    for s in flow:
        seen.setdefault(s.source, None)
        seen.setdefault(s.target, None)
    return list(seen)


# -- drawing -----------------------------------------------------------------------------------

COL = 170
LEFT = 56
HEAD = 46
ROW = 32


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def tooltip(step: Step, name_of: NameOf) -> str:
    """The arrow's hover text: who to whom, every tag, the data and the error."""
    lines = [f"#{step.seq} {name_of(step.source)} → {name_of(step.target)} ({step.kind})"]
    if step.message_id:
        lines.append(f"Id: {step.message_id}")
    lines.extend(f"{k} = {_clip(v, 200)}" for k, v in step.tags)
    if step.data:
        lines.append(f"Data: {_clip(step.data, 300)}")
    if step.error:
        lines.append(f"ERROR: {_clip(step.error.strip(), 600)}")
    return "\n".join(lines)


def render_svg(
    flow: Sequence[Step],
    name_of: NameOf,
    *,
    is_process: Callable[[str], bool] = lambda a: True,
    link_details: bool = False,
    max_steps: int = MAX_STEPS,
) -> str:
    """A sequence diagram of *flow* as one ``<svg>`` element.

    Each arrow is ``<g class="step [error]" data-seq data-mid data-pid>`` with a ``<title>``
    (tooltip) listing its tags; an error arrow is red and ends in a ✗.  With *link_details*
    each arrow links to ``#detail-<seq>`` (the details table of ``render_html``)."""
    skipped = max(0, len(flow) - max_steps)
    shown = list(flow[skipped:])
    lanes = lifelines(shown)
    x_of = {a: LEFT + COL // 2 + i * COL for i, a in enumerate(lanes)}
    note = 20 if skipped else 0
    width = LEFT + max(1, len(lanes)) * COL + 40
    height = HEAD + note + len(shown) * ROW + 24
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="ao-flow" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="ui-monospace, Menlo, Consolas, monospace" '
        f'font-size="12" role="img" aria-label="message flow: {len(shown)} deliveries">',
        "<defs>",
        f'<marker id="ah" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{ARROW}"/></marker>',
        f'<marker id="ah-err" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{ERROR}"/></marker>',
        f'<marker id="ah-wallet" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{WALLET_ARROW}"/></marker>',
        "</defs>",
    ]
    bottom = height - 10
    for a in lanes:
        x = x_of[a]
        kind = "process" if is_process(a) else "wallet"
        fill = "#ddf4ff" if kind == "process" else "#f6f8fa"
        name = name_of(a)
        rx = 4 if kind == "process" else 14
        out.append(
            f'<g class="lifeline {kind}" data-address="{_e(a)}"><title>{_e(name)} ({kind})\n{_e(a)}</title>'
        )
        out.append(
            f'<rect x="{x - COL // 2 + 6}" y="6" width="{COL - 12}" height="28" rx="{rx}" '
            f'fill="{fill}" stroke="#57606a"/>'
        )
        out.append(
            f'<text x="{x}" y="24" text-anchor="middle" font-weight="bold">{_e(_clip(name, 20))}</text>'
        )
        out.append(
            f'<line x1="{x}" y1="34" x2="{x}" y2="{bottom}" stroke="#8c959f" stroke-dasharray="4 4"/></g>'
        )
    if skipped:
        out.append(
            f'<text class="skipped" x="8" y="{HEAD + 8}" fill="#57606a">… {skipped} earlier deliveries '
            "not shown</text>"
        )
    for i, s in enumerate(shown):
        y = HEAD + note + i * ROW + 18
        x1, x2 = x_of[s.source], x_of[s.target]
        err = s.error is not None
        colour = ERROR if err else (WALLET_ARROW if s.kind == "wallet" else ARROW)
        marker = "ah-err" if err else ("ah-wallet" if s.kind == "wallet" else "ah")
        classes = f"step {s.kind}" + (" error" if err else "")
        attrs = (
            f'class="{classes}" id="step-{s.seq}" data-seq="{s.seq}" data-mid="{_e(s.message_id or "")}" '
            f'data-pid="{_e(s.target)}" data-from="{_e(s.source)}"'
        )
        if link_details:
            out.append(f'<a href="#detail-{s.seq}">')
        out.append(f"<g {attrs}><title>{_e(tooltip(s, name_of))}</title>")
        dash = ' stroke-dasharray="6 3"' if s.kind in ("wallet", "cron") else ""
        width_attr = 2.5 if err else 1.5
        out.append(f'<text x="6" y="{y + 4}" fill="#57606a">#{s.seq}</text>')
        label = ("✗ " if err else "") + _clip(s.label, 22)
        if x1 == x2:
            d = f"M{x1},{y - 6} h34 v14 h-34"
            out.append(
                f'<path d="{d}" fill="none" stroke="{colour}" stroke-width="{width_attr}"{dash} '
                f'marker-end="url(#{marker})"/>'
            )
            out.append(f'<text x="{x1 + 40}" y="{y + 4}" fill="{colour}">{_e(label)}</text>')
        else:
            out.append(
                f'<line x1="{x1}" y1="{y}" x2="{x2}" y2="{y}" stroke="{colour}" stroke-width="{width_attr}"'
                f'{dash} marker-end="url(#{marker})"/>'
            )
            mid = (x1 + x2) // 2
            out.append(
                f'<text x="{mid}" y="{y - 5}" text-anchor="middle" fill="{colour}">{_e(label)}</text>'
            )
        if err:
            out.append(
                f'<circle class="error-mark" cx="{x2}" cy="{y}" r="7" fill="{ERROR}"/>'
                f'<text x="{x2}" y="{y + 4}" text-anchor="middle" fill="#fff" font-weight="bold">!</text>'
            )
        out.append("</g>")
        if link_details:
            out.append("</a>")
    out.append("</svg>")
    return "\n".join(out)


_PAGE_CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:16px;color:#1f2328}
h1{font-size:18px} .err{color:#d1242f;white-space:pre-wrap}
table{border-collapse:collapse;margin-top:12px} td,th{border:1px solid #d0d7de;padding:3px 6px;
vertical-align:top;text-align:left;font-size:12px} tr.error td{background:#ffebe9}
tr:target td{outline:2px solid #1f6feb} .ao-flow .step{cursor:pointer} pre{margin:0;white-space:pre-wrap}
.diagram{overflow:auto;border:1px solid #d0d7de;padding:4px}
"""


def render_details(flow: Sequence[Step], name_of: NameOf) -> str:
    """A table with one row per step: every tag, the data, output and error (``id=detail-<seq>``)."""
    rows = ["<table class=\"details\"><tr><th>#</th><th>from → to</th><th>tags</th><th>data</th>"
            "<th>result</th></tr>"]  # fmt: skip
    for s in flow:
        cls = ' class="error"' if s.error is not None else ""
        tags = "<br>".join(f"{_e(k)} = {_e(_clip(v, 300))}" for k, v in s.tags)
        result = ""
        if s.error is not None:
            result = f'<pre class="err">ERROR: {_e(_clip(s.error.strip(), 2000))}</pre>'
        elif s.output:
            result = f"<pre>{_e(_clip(s.output, 1000))}</pre>"
        ident = " " + _e(short(s.message_id)) if s.message_id else ""
        rows.append(
            f'<tr id="detail-{s.seq}"{cls}><td>{s.seq}</td><td>{_e(name_of(s.source))} → '
            f"{_e(name_of(s.target))}<br><small>{_e(s.kind)}{ident}"
            f"</small></td><td>{tags}</td><td><pre>{_e(_clip(s.data, 500))}</pre></td><td>{result}</td></tr>"
        )
    rows.append("</table>")
    return "\n".join(rows)


def render_html(
    title: str,
    flow: Sequence[Step],
    name_of: NameOf,
    *,
    is_process: Callable[[str], bool] = lambda a: True,
    summary: str = "",
) -> str:
    """A self-contained HTML page: the diagram (tooltips on hover, click an arrow for its row),
    the processes and wallets named, and the details table.  Nothing is loaded from anywhere."""
    lanes = lifelines(flow)
    errors = [s for s in flow if s.error is not None]
    names = ", ".join(f"{_e(name_of(a))} ({'process' if is_process(a) else 'wallet'} {_e(a)})" for a in lanes)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{_e(title)}</title>",
        f"<style>{_PAGE_CSS}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
    ]
    if summary:
        parts.append(f'<pre class="err">{_e(summary)}</pre>')
    parts.append(f"<p>{len(flow)} deliveries, {len(errors)} with errors. Lifelines: {names or 'none'}.</p>")
    for s in errors[:5]:
        first = (s.error or "").strip().splitlines()[-1:] or [""]
        parts.append(
            f'<p class="err">✗ #{s.seq} {_e(name_of(s.source))} → {_e(name_of(s.target))} '
            f"{_e(s.label)}: {_e(first[0][:300])}</p>"
        )
    parts.append('<div class="diagram">')
    parts.append(render_svg(flow, name_of, is_process=is_process, link_details=True))
    parts.append("</div><details open><summary>every delivery (tags, data, result)</summary>")
    parts.append(render_details(flow, name_of))
    parts.append("</details></body></html>")
    return "\n".join(parts)


def network_html(net: Any, title: str, *, summary: str = "") -> str:
    """``render_html`` of a whole ``harness.Network``'s trace."""
    return render_html(
        title,
        steps(net.trace),
        net.name_of,
        is_process=lambda a: a in net.processes,
        summary=summary,
    )


# -- pytest: --ao-flow-html=DIR -----------------------------------------------------------------


def _file_name(nodeid: str) -> str:
    """A file name for a test id: path separators and brackets become ``_``; long ids keep
    their end (the test name and parameters) and a short hash to stay unique."""
    import hashlib
    import re

    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid).strip("_.") or "test"
    if len(name) > 150:
        digest = hashlib.sha256(nodeid.encode()).hexdigest()[:10]
        name = f"{name[-138:]}-{digest}"
    return name + ".html"


class FlowHtmlPlugin:
    """Writes ``DIR/<test id>.html`` (``network_html`` of its ``ao`` network) for every failing
    test that used the ``ao`` fixture, and names the file in the failure report."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)
        self.written: dict[str, Path] = {}

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
        outcome = yield
        report: pytest.TestReport = outcome.get_result()
        if not report.failed or item.nodeid in self.written:
            return
        net = getattr(item, "funcargs", {}).get("ao")
        if net is None or not hasattr(net, "trace") or not hasattr(net, "name_of"):
            return
        crash = getattr(report.longrepr, "reprcrash", None)
        summary = getattr(crash, "message", None)
        if not isinstance(summary, str):
            lines = str(report.longrepr).strip().splitlines()
            summary = lines[-1] if lines else ""
        title = f"{item.nodeid} ({report.when} failed)"
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            path = self.directory / _file_name(item.nodeid)
            path.write_text(network_html(net, title, summary=summary), encoding="utf-8")
        except OSError as exc:
            report.sections.append(("ao-harness flow", f"could not write the flow diagram: {exc}"))
            return
        self.written[item.nodeid] = path
        report.sections.append(("ao-harness flow", f"message flow diagram: {path}"))
