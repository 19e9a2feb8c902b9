"""aoform.yaml plays on the local network: the system every TIM3 test uses (``build_system``, i.e.
``Network.spawn_system("aoform.yaml")``) is spawned and wired as the file says, and every scenario
expectation holds; the templates the TIM3 tests clone cannot be told from spawning in place."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from harness import Network
from harness.process import Process
from tests.tim3.conftest import Tim3, _spawn_unwired, build_system


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


def test_unwired_system_from_the_template_is_the_one_spawned(ao_factory: Callable[..., Network]) -> None:
    """``build_system(wire=False)`` clones a template; the clone (booted, then a reused runtime
    after ``close``) cannot be told from the five processes spawned on the network itself."""
    for _ in range(3):
        direct = ao_factory()
        spawned = _spawn_unwired(direct)
        net = ao_factory()
        t = build_system(net, wire=False)
        assert t.cloned and t.system is None
        procs = {"mock-usda": t.usda, "lock-manager": t.lock, "token-manager": t.token,
                 "coordinator": t.coord, "state-manager": t.state}  # fmt: skip
        assert list(procs) == list(spawned)
        assert (net.now, len(net.trace), net.processes.keys()) == (direct.now, len(direct.trace), direct.processes.keys())
        for name, proc in procs.items():
            twin = spawned[name]
            assert (proc.id, proc.name, proc.spawn_tags) == (twin.id, twin.name, twin.spawn_tags)
            assert proc.snapshot() == twin.snapshot(), name
            ours, theirs = proc.send({"Action": "Info"}), twin.send({"Action": "Info"})
            assert [(m.target, m.tags, m.data) for m in ours.messages] == [
                (m.target, m.tags, m.data) for m in theirs.messages
            ], name
        assert [m.id for m in net.mailbox(t.admin)] == [m.id for m in direct.mailbox(t.admin)]
        net.close()


@pytest.mark.parametrize("name", ["mock-usda", "mock-usda", "token-manager"])
def test_fresh_spawn_is_the_one_spawned(
    ao: Network, fresh: Callable[..., Process], ao_factory: Callable[..., Network], name: str
) -> None:
    """``fresh(name, tags=...)`` clones a process spawned once (the second test of a name gets a
    runtime the first gave back): it cannot be told from ``ao.spawn`` on a fresh network."""
    direct = ao_factory()
    tags = {"Name": "Mock", "X-Extra": "1"}
    twin = direct.spawn(name, tags=tags)
    proc = fresh(name, tags=tags)
    assert (proc.id, proc.name, proc.spawn_tags) == (twin.id, twin.name, twin.spawn_tags)
    assert (ao.now, len(ao.trace)) == (direct.now, len(direct.trace))
    assert proc.snapshot() == twin.snapshot()
    ours, theirs = proc.send({"Action": "Info"}), twin.send({"Action": "Info"})
    assert [(m.target, m.tags, m.data) for m in ours.messages] == [(m.target, m.tags, m.data) for m in theirs.messages]
    # on a network that is no longer empty, fresh is ao.spawn itself
    second, twin2 = fresh(name, tags=tags), direct.spawn(name, tags=tags)
    assert second.id == twin2.id and second.snapshot() == twin2.snapshot()
