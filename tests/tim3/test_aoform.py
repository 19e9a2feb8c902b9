"""aoform.yaml plays on the local network: the system every TIM3 test uses (``build_system``, i.e.
``Network.spawn_system("aoform.yaml")``) is spawned and wired as the file says, and every scenario
expectation holds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.tim3.conftest import Tim3


def test_tim3_fixture_is_the_manifest_system(tim3: Tim3) -> None:
    assert tim3.system is not None
    manifest = tim3.system.manifest
    assert all(Path(p.source).name == "process.lua" for p in manifest.processes)
    procs = {tim3.usda, tim3.lock, tim3.token, tim3.coord, tim3.state}
    assert procs == {tim3.system[p.name] for p in manifest.processes}
    for entry in manifest.processes:
        for tag, value in entry.tags.items():  # Cron-Interval included
            assert (tag, value) in tim3.system[entry.name].spawn_tags, (entry.name, tag)
    # every wiring message was accepted
    responses = [m for m in tim3.ao.mailbox(tim3.admin) if m.action == "Configure-Response"]
    assert len(responses) == len(manifest.wiring)


def test_aoform_scenario(tim3: Tim3) -> None:
    ao, system = tim3.ao, tim3.system
    assert system is not None
    for step in system.manifest.scenario:
        title = step.title
        if step.advance:
            ao.advance(step.advance)
        expect: dict[str, Any] = step.expect
        start = {w: len(ao.mailbox(ao.wallet(w))) for w in expect.get("received", {})}
        r = system.send(step)
        assert r.error is None, (title, r.error)
        ao.run()
        for token, holders in expect.get("balances", {}).items():
            for who, amount in holders.items():
                assert system[token].globals["Balances"].get(system.address(who), "0") == amount, (title, who)
        for wallet, actions in expect.get("received", {}).items():
            got = [m.action for m in ao.mailbox(ao.wallet(wallet))[start[wallet]:]]
            assert got == actions, (title, got)
        tim3.check()
