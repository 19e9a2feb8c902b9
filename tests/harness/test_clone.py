"""``Network.clone``: a copy of a quiet network, every process rebuilt from its message log, that
cannot be told from the same history run again -- same snapshots, handlers, traces and mailboxes,
and the same results and trace for whatever comes next -- and that shares nothing mutable with its
original."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness import Network
from harness.lua_versions import LUA_MODULES

LUAS = [pytest.param(v, id=f"lua{v}") for v in sorted(LUA_MODULES)]
AOFORM = Path(__file__).resolve().parents[2] / "aoform.yaml"


def state_of(net: Network) -> list[object]:
    out: list[object] = [net.now, net.block_height, net.format_trace(limit=10_000)]
    for pid, p in sorted(net.processes.items()):
        out += [pid, p.name, p.snapshot(), p._state.snapshot((), cached=False), p.handlers, p.nonce]
        out += [p.handler_matches, [m.describe() for m in net.mailbox(p)]]
    return out


def drive(net: Network) -> list[str]:
    """The mint flow, a refused transfer, a clock jump with cron ticks: the trace it leaves."""
    usda = next(p for p in net.processes.values() if p.name == "mock-usda")
    lock = next(p for p in net.processes.values() if p.name == "lock-manager")
    alice = net.wallet("alice")
    start = len(net.trace)
    usda.send({"Action": "Mint", "Quantity": "5000000"}, sender=alice)
    net.run()
    usda.send({"Action": "Transfer", "Recipient": lock.id, "Quantity": "2000000", "X-Action": "Mint"}, sender=alice)
    net.run()
    usda.send({"Action": "Transfer", "Recipient": lock.id, "Quantity": "-1"}, sender=alice)
    net.advance(180_000)
    net.run()
    return [d.describe(net._names) + repr(d.result and (d.result.output, d.result.error)) for d in net.trace[start:]]


@pytest.mark.parametrize("lua", LUAS)
def test_a_clone_is_indistinguishable_from_a_fresh_spawn(lua: str) -> None:
    fresh = Network(lua=lua)
    fresh.spawn_system(AOFORM)
    template = Network(lua=lua)
    template.spawn_system(AOFORM)
    clone = template.clone()
    assert state_of(clone) == state_of(fresh)
    assert drive(clone) == drive(fresh)
    assert state_of(clone) == state_of(fresh)
    # the template is untouched by what the clone did, and a second clone starts where it started
    assert drive(template.clone()) == drive(template.clone())


def test_a_clone_shares_nothing_mutable_with_its_original() -> None:
    net = Network()
    p = net.spawn(source="N = 0\nHandlers.add('inc', 'Inc', function() N = N + 1 end)")
    twin = net.clone()
    q = twin.process(p.id)
    assert q is not p and q._state is not p._state and q._network is twin
    assert q.send(Action="Inc").ok
    assert q.globals["N"] == 1 and p.globals["N"] == 0
    assert len(twin.trace) == len(net.trace) + 1
    assert len(twin.mailbox(p.id)) == len(net.mailbox(p.id)) + 1
    assert p.send(Action="Inc").ok and p.send(Action="Inc").ok
    assert p.globals["N"] == 2 and q.globals["N"] == 1
    assert q.nonce != p.nonce


def test_cloning_a_network_with_pending_messages_is_refused() -> None:
    net = Network()
    p = net.spawn(source="Handlers.add('s', 'S', function(m) Send({ Target = m.From, Action = 'X' }) end)")
    p.send(Action="S")
    with pytest.raises(ValueError, match=r"clone\(\) needs a quiet network: 1 messages are pending"):
        net.clone()


def test_a_clone_has_its_originals_configuration() -> None:
    net = Network(lua="5.4", profile="legacy", seed="s", instruction_budget=123_456, memory_limit=None,
                  timeout=None, max_deliveries=77, pairs="shuffled:3", trace_limit=40)
    net.spawn(source="A = 1")
    twin = net.clone()
    for name in ("lua_version", "profile", "root", "instruction_budget", "memory_limit", "timeout",
                 "max_deliveries", "use_builds", "pairs", "trace_limit"):
        assert getattr(twin, name) == getattr(net, name), name
    assert twin.wallet("x") == net.wallet("x")
    assert twin.spawn(source="").id == net.spawn(source="").id  # the same ids to come
