"""``ao-harness run aoform.yaml``: spawn a manifest's system on a local network, play its
scenario, print the message flow and the final balances, and check the expectations."""

from __future__ import annotations

import os
from typing import Any, TextIO

from harness.errors import HarnessError
from harness.manifest import Step, System
from harness.messages import Delivery
from harness.network import Network
from harness.process import Process

_NOISE = {"Data-Protocol", "Variant", "Type", "Reference", "From-Process", "From-Module", "X-Reference"}


def _line(d: Delivery, net: Network) -> str:
    m = d.message
    tags = " ".join(f"{k}={_value(v, net)}" for k, v in m.tag_list if k not in _NOISE and isinstance(v, str))
    who = f"{net.name_of(m.sender):>14} -> {net.name_of(m.target):<14}"
    if m.cron:
        tags = ("[cron tick] " + tags).rstrip()
    status = ""
    if d.result is not None and d.result.error is not None:
        status = "  !! ERROR " + d.result.error.strip().splitlines()[-1][:100]
    return f"    {who} {tags}{status}"


def _value(v: str, net: Network) -> str:
    """Addresses shown by name, other 43-character ids shortened."""
    name = net.name_of(v)
    if len(v) == 43 and " " not in v:
        return name if name != v and "…" not in name else v[:6] + "…"
    return v


def _format_amount(value: str, decimals: int | None) -> str:
    """Base units shown with the token's *decimals* (``None``: unknown, shown as base units)."""
    if not value.isdigit() or decimals is None:
        return value
    if decimals == 0:
        return f"{int(value):,}"
    whole, frac = value[:-decimals] or "0", value[-decimals:].rjust(decimals, "0")
    return f"{int(whole):,}.{frac}"


def token_info(proc: Process) -> tuple[str | None, int | None]:
    """(ticker, decimals) as the token itself says: the ``Ticker``/``Denomination`` tags of its
    reply to an ``Info`` dry-run, else its ``Ticker``/``Denomination`` globals (``None`` when
    neither says)."""
    tags: dict[str, Any] = {}
    try:
        reply = proc.dryrun({"Action": "Info"})
    except HarnessError:
        reply = None
    if reply is not None and reply.error is None:
        for m in reply.messages:
            if "Denomination" in m.tags or "Ticker" in m.tags:
                tags = m.tags
                break
    ticker = tags.get("Ticker") or proc.globals.get("Ticker")
    denomination = tags.get("Denomination") or proc.globals.get("Denomination")
    text = str(denomination).strip() if denomination is not None else ""
    decimals = int(text) if text.isdigit() and int(text) <= 30 else None
    return (ticker if isinstance(ticker, str) else None), decimals


def _check(system: System, step: Step, mailbox_start: dict[str, int]) -> list[str]:
    """The expectation failures of *step* (empty when all hold)."""
    net = system.network
    failures = []
    for token, holders in (step.expect.get("balances") or {}).items():
        balances = system[token].globals.get("Balances") or {}
        for who, want in holders.items():
            got = balances.get(system.address(who), "0")
            if got != str(want):
                failures.append(f"{token} balance of {who}: expected {want}, got {got}")
    for wallet, actions in (step.expect.get("received") or {}).items():
        start = mailbox_start.get(wallet, 0)
        got = [m.action for m in net.mailbox(net.wallet(wallet))[start:]]
        if got != list(actions):
            failures.append(f"{wallet} received {got}, expected {list(actions)}")
    return failures


def play(system: System, out: TextIO) -> int:
    """Play the scenario of *system*'s manifest; return the number of failed expectations."""
    net = system.network
    failed = 0
    for i, step in enumerate(system.manifest.scenario, 1):
        title = step.title or f"{step.sender or 'owner'} -> {step.to}"
        print(f"\n== {i}. {title}", file=out)
        if step.advance:
            start = len(net.trace)
            ticks = net.advance(step.advance)
            net.run()
            plural = "" if len(ticks) == 1 else "s"
            print(f"  advance {step.advance:,} ms: {len(ticks)} cron tick{plural}", file=out)
            for d in net.trace[start:]:
                print(_line(d, net), file=out)
        start = len(net.trace)
        starts = {w: len(net.mailbox(net.wallet(w))) for w in (step.expect.get("received") or {})}
        result = system.send(step)
        net.run()
        for d in net.trace[start:]:
            print(_line(d, net), file=out)
        if result.error is not None:
            failed += 1
            print(f"  FAILED: the message errored: {result.error.strip().splitlines()[-1]}", file=out)
        problems = _check(system, step, starts)
        for p in problems:
            print(f"  FAILED: {p}", file=out)
        failed += len(problems)
        if step.expect and not problems:
            print("  ok: " + ", ".join(step.expect), file=out)
    return failed


def balances_table(system: System) -> list[str]:
    lines = []
    for name, proc in system.items():
        balances: dict[str, Any] = proc.globals.get("Balances") or {}
        if not isinstance(balances, dict) or not balances:
            continue
        ticker, decimals = token_info(proc)
        unit = "" if decimals is not None else ", base units: no Denomination"
        parts = [
            f"{system.network.name_of(addr)} {_format_amount(str(v), decimals)}"
            for addr, v in sorted(balances.items(), key=lambda kv: system.network.name_of(kv[0]))
        ]
        lines.append(f"  {name} ({ticker or name}{unit}): " + " | ".join(parts))
    return lines


def run_manifest(
    manifest: str | os.PathLike[str],
    *,
    lua: str = "5.3",
    profile: str = "default",
    use_builds: bool = False,
    pairs: str | None = None,
    out: TextIO,
    limits: dict[str, Any] | None = None,
) -> int:
    """Spawn, wire and play *manifest*; print everything to *out*; exit status 0 if every
    expectation held."""
    root = os.path.dirname(os.path.abspath(manifest))
    net = Network(
        lua=lua, profile=profile, root=root, use_builds=use_builds, pairs=pairs, **(limits or {})
    )
    system = net.spawn_system(manifest)
    print(
        f"{len(system)} processes on a local AO network "
        f"(Lua {net.lua_version}, aos profile {net.profile.name}, pairs {net.pairs}):",
        file=out,
    )
    for name, proc in system.items():
        print(f"  {name:<14} {proc.id}", file=out)
    print(f"wired with {len(system.manifest.wiring)} configuration messages from the owner", file=out)
    failed = play(system, out)
    print("\n== Final balances", file=out)
    for line in balances_table(system):
        print(line, file=out)
    errors = [d for d in net.trace if d.result is not None and d.result.error is not None]
    ticks = sum(1 for d in net.trace if d.message.cron)
    print(
        f"\n{len(net.trace)} deliveries ({ticks} cron ticks), {len(errors)} errored, "
        f"{failed} failed expectations",
        file=out,
    )
    return 1 if failed else 0
