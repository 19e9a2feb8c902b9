"""``Network(trace_limit=...)``: a network keeps its last deliveries only (trace, mailboxes,
messages by id), so a long run's Python memory stays bounded; ``len(net.trace)`` still counts
every delivery and indexes stay those of the whole trace."""

from __future__ import annotations

import pytest

from harness import Network
from harness.network import DEFAULT_TRACE_LIMIT

PING = 'Handlers.add("ping", "Ping", function(msg) msg.reply({ Action = "Pong" }) end)'


def test_the_last_deliveries_are_kept_and_counted() -> None:
    net = Network(trace_limit=10)
    p = net.spawn(source=PING)
    alice = net.wallet("alice")
    for _ in range(40):
        p.send({"Action": "Ping"}, sender=alice)
        net.run()
    trace = net.trace
    total = 2 + 2 * 40  # spawn + load, then each ping and its reply to alice
    assert len(trace) == total
    kept = list(trace)
    assert 10 <= len(kept) <= 12
    assert [d.seq for d in kept] == list(range(total - len(kept) + 1, total + 1))
    assert trace[-1].seq == total and trace[total - 1] is trace[-1]
    with pytest.raises(IndexError, match=r"delivery #1 is no longer kept.*trace_limit"):
        trace[0]
    assert 10 <= len(net.mailbox(alice)) <= 12 and 10 <= len(net.mailbox(p)) <= 12
    assert all(m.action == "Pong" for m in net.mailbox(alice))


def test_indexes_are_those_of_the_whole_trace() -> None:
    net = Network(trace_limit=5)
    p = net.spawn(source=PING)
    for _ in range(20):
        p.send({"Action": "Ping"})
    start = len(net.trace)
    p.send({"Action": "Ping"})
    p.send({"Action": "Nothing"})
    new = net.trace[start:]
    assert [d.message.action for d in new] == ["Ping", "Nothing"]
    assert [d.seq for d in new] == [start + 1, start + 2]
    # a view is a snapshot: later deliveries do not appear in it
    view = net.trace
    p.send({"Action": "Ping"})
    assert len(view) == start + 2 and len(net.trace) == start + 3


def test_an_old_result_still_describes_its_history() -> None:
    net = Network(trace_limit=4)
    p = net.spawn(source=PING + "\nHandlers.add('bad', 'Bad', function() error('boom') end)")
    bad = p.send({"Action": "Bad"})
    for _ in range(30):
        p.send({"Action": "Ping"})
    text = bad.describe()
    assert "boom" in text and "the deliveries that led here" in text


def test_none_keeps_everything_and_the_default_is_documented() -> None:
    net = Network(trace_limit=None)
    p = net.spawn(source=PING)
    for _ in range(30):
        p.send({"Action": "Ping"})
    assert len(list(net.trace)) == len(net.trace) == 32
    assert net.trace[0].seq == 1
    assert Network().trace_limit == DEFAULT_TRACE_LIMIT >= 10_000


@pytest.mark.parametrize("bad", [0, -1, 2.5, True, "10"])
def test_a_bad_limit_is_refused_with_one_line(bad: object) -> None:
    with pytest.raises(ValueError, match=r"^trace_limit=.* is not valid: give a positive whole number"):
        Network(trace_limit=bad)  # type: ignore[arg-type]


def test_a_long_packed_log_still_replays_exactly() -> None:
    """Past ``PACK_EVERY`` messages the replay log is kept packed; a rollback replays it all."""
    from harness.lua_state import PACK_EVERY

    net = Network(trace_limit=50)
    p = net.spawn(source="N = 0\nHandlers.add('add', 'Add', function(m) N = N + tonumber(m.Tags.K) end)\n"
                  "Handlers.add('bad', 'Bad', function() N = -1; error('boom') end)")
    for k in range(PACK_EVERY + 40):
        assert p.send({"Action": "Add", "K": str(k % 7)}).ok
    assert any(entry.__class__ is bytes for entry in p._state._log)
    before = p.snapshot()
    rebuilds = p.rebuilds
    assert not p.send({"Action": "Bad"}).ok
    assert p._state.snapshot((), cached=False) == before
    assert p.rebuilds == rebuilds + 1
    assert p._state.log_length == 2 + PACK_EVERY + 40  # spawn, the load Eval, then every Add
    assert p.globals["N"] == sum(k % 7 for k in range(PACK_EVERY + 40))
