"""The trace kept as compact records: past the newest deliveries, a delivery is packed and made
again when read.  What a test holds comes back as the very same object; what nobody holds comes
back equal in every field; failure texts, mailboxes, assignments, strictness and clones are as if
every delivery had stayed an object."""

from __future__ import annotations

import gc
import weakref
from typing import Any

import pytest

from harness import Delivery, Message, Network, Result
from harness.lua_versions import LUA_MODULES
from harness.messages import MESSAGE_FIELDS, PACK_BATCH

VERSIONS = sorted(LUA_MODULES)

SOURCE = r"""
Handlers.add("ping", "Ping", function(msg) msg.reply({ Action = "Pong", Data = msg.Data }) end)
Handlers.add("shout", "Shout", function(msg) print("\27[31mloud\27[0m " .. msg.Data) end)
Handlers.add("make", "Make", function(msg) Spawn(ao._module, { Data = "child", ["Child-Tag"] = "yes" }) end)
Handlers.add("fwd", "Fwd", function(msg) Assign({ Processes = { msg.Tags.To }, Message = msg.Id }) end)
Handlers.add("bad", "Bad", function(msg) error("boom " .. msg.Data) end)
"""


def message_fields(m: Message) -> tuple[Any, ...]:
    return tuple(getattr(m, name) for name in MESSAGE_FIELDS)


def result_fields(r: Result | None) -> tuple[Any, ...] | None:
    if r is None:
        return None
    return (
        r.process,
        message_fields(r.message),
        [message_fields(m) for m in r.messages],
        [message_fields(m) for m in r.spawns],
        r.assignments,
        r.output,
        r.raw_output,
        r.error,  # (the network allows errors: reading it changes nothing here)
        r.raw_error,
        r.explain(),
        r.describe(),
        r.history_end,
        repr(r),
    )


def delivery_fields(d: Delivery) -> tuple[Any, ...]:
    return (d.seq, d.to_wallet, message_fields(d.message), result_fields(d.result), d.describe(), repr(d))


def busy(net: Network, p: Any, n: int) -> None:
    """*n* pings from alice, each with its reply delivered: 2 * n deliveries."""
    alice = net.wallet("alice")
    for i in range(n):
        p.send({"Action": "Ping"}, sender=alice, data=str(i))
        net.run()


def varied(net: Network, p: Any, other: Any) -> None:
    """One of each kind of delivery: a reply, coloured output, a spawn, an assignment, a message no
    handler but _default matched, an error (read), a cron-less wallet delivery."""
    p.send({"Action": "Ping"}, data="hello")
    p.send({"Action": "Shout"}, data="x")
    p.send({"Action": "Make"})
    p.send({"Action": "Fwd", "To": other.id})
    p.send({"Action": "Nobody-Handles-This"})
    assert p.send({"Action": "Bad"}, data="read").error is not None
    net.run()


@pytest.mark.parametrize("lua", VERSIONS)
def test_a_rebuilt_delivery_equals_the_original_in_every_field(lua: str) -> None:
    net = Network(lua=lua, allow_errors=True)
    p = net.spawn(source=SOURCE, name="p")
    other = net.spawn(source="ao.addAssignable('fwd', { Action = 'Fwd' })", name="other")
    start = len(net.trace)
    varied(net, p, other)
    end = len(net.trace)
    before = [delivery_fields(d) for d in net.trace[start:end]]
    refs = [weakref.ref(d) for d in net.trace[start:end]]
    busy(net, p, 2 * PACK_BATCH)  # the varied deliveries are packed by now
    gc.collect()
    # nobody held them: they are made again below (an errored delivery stays an object, for strictness)
    alive = [d for d in (r() for r in refs) if d is not None]
    assert len(alive) == 1 and alive[0].result is not None and not alive[0].result.ok
    after = [delivery_fields(d) for d in net.trace[start:end]]
    assert after == before
    assert [d.seq for d in net.trace[start:end]] == list(range(start + 1, end + 1))


def test_what_a_test_holds_comes_back_as_the_same_object() -> None:
    net = Network()
    p = net.spawn(source=SOURCE)
    held_result = p.send({"Action": "Ping"}, data="kept")
    i = len(net.trace) - 1
    [held_delivery] = net.run()  # the reply, delivered to the owner's wallet
    held_message = held_result.message
    reply = held_result.messages[0]
    busy(net, p, 2 * PACK_BATCH)
    gc.collect()
    assert net.trace[i].result is held_result
    assert net.trace[i].message is held_message is held_result.message
    assert net.trace[i + 1] is held_delivery
    assert held_result.messages[0] is reply
    # a delivery made again stays the same object while it is held
    again = net.trace[i]
    assert net.trace[i] is again and again.result is held_result
    # a message held from a mailbox is the trace's message
    box = net.mailbox(p)
    assert any(m is held_message for m in box)


def test_a_message_held_alone_comes_back_as_the_same_object() -> None:
    net = Network()
    p = net.spawn(source=SOURCE)
    alice = net.wallet("alice")
    i = len(net.trace)
    only_message = p.send({"Action": "Ping"}, sender=alice, data="mine").message  # the result is let go
    net.run()
    box = net.mailbox(alice)
    busy(net, p, 2 * PACK_BATCH)
    gc.collect()
    assert net.trace[i].message is only_message
    assert net.trace[i].result is not None and net.trace[i].result.message is only_message
    assert [m is b for m, b in zip(net.mailbox(alice), box, strict=False)] == [True] * len(box)


def test_an_unheld_object_is_made_again_not_kept() -> None:
    net = Network()
    p = net.spawn(source=SOURCE)
    i = len(net.trace)
    ref = weakref.ref(p.send({"Action": "Ping"}, data="dropped"))
    busy(net, p, 2 * PACK_BATCH)
    gc.collect()
    assert ref() is None
    rebuilt = net.trace[i].result
    assert rebuilt is not None and rebuilt.message.data == "dropped" and rebuilt.reply.action == "Pong"


def test_format_trace_and_failure_texts_read_as_before() -> None:
    net = Network(allow_errors=True)
    p = net.spawn(source=SOURCE)
    other = net.spawn(source="", name="other")
    lines = []
    first = len(net.trace)
    for k in range(PACK_BATCH):
        r = p.send({"Action": "Ping" if k % 5 else "Nothing"}, data=str(k))
        at = len(net.trace) - 1
        lines.append(net.trace[-1].describe(net.names))
        if k == 7:
            p.send({"Action": "Fwd", "To": other.id})
            lines.append(net.trace[-1].describe(net.names))
        lines.extend(d.describe(net.names) for d in net.run())
    text, why = r.describe(), r.explain()
    del r
    busy(net, p, 2 * PACK_BATCH)
    gc.collect()
    trace_text = net.format_trace(limit=100_000).splitlines()
    assert [ln.strip() for ln in trace_text[first : first + len(lines)]] == lines
    assert why is not None and why.startswith("no handler of") and "the deliveries that led here" in text
    again = net.trace[at].result
    assert again is not None and (again.describe(), again.explain()) == (text, why)


def test_strictness_is_kept_for_packed_errors() -> None:
    net = Network()
    p = net.spawn(source=SOURCE)
    p.send({"Action": "Bad"}, data="unread")
    bad_seq = len(net.trace)
    busy(net, p, 2 * PACK_BATCH)
    gc.collect()
    [unread] = net.unexpected_errors()
    assert unread.seq == bad_seq and net.trace[bad_seq - 1] is unread
    with pytest.raises(Exception, match=r"1 delivery errored and the test never read its error"):
        net.check_errors()
    assert net.trace[bad_seq - 1].result.error is not None  # type: ignore[union-attr]
    assert net.unexpected_errors() == []


def test_an_assignment_finds_a_packed_message() -> None:
    net = Network()
    p = net.spawn(source=SOURCE, name="p")
    other = net.spawn(
        source="ao.addAssignable('ping', { Action = 'Ping' })\n"
        "Handlers.add('ping', 'Ping', function(msg) Got = msg.Id .. ' ' .. msg.Data end)",
        name="other",
    )
    old_id = p.send({"Action": "Ping"}, data="old").message.id  # nothing holds that message
    net.run()
    busy(net, p, 2 * PACK_BATCH)
    # a process assigns the old message (by its id) to another
    p.eval(f"Assign({{ Processes = {{ '{other.id}' }}, Message = '{old_id}' }})")
    net.run()
    assert other.globals["Got"] == f"{old_id} old"


def test_a_mailbox_keeps_messages_the_trace_let_go() -> None:
    net = Network(trace_limit=3 * PACK_BATCH)
    p = net.spawn(source=SOURCE)
    carol = net.wallet("carol")
    p.send({"Action": "Ping"}, sender=carol, data="for carol")
    net.run()
    [before] = [message_fields(m) for m in net.mailbox(carol)]
    busy(net, p, 3 * PACK_BATCH)
    gc.collect()
    with pytest.raises(IndexError, match="no longer kept"):
        net.trace[4]
    [after] = net.mailbox(carol)
    assert message_fields(after) == before and after.data == "for carol"


def test_a_clone_reads_the_packed_trace_as_its_original() -> None:
    net = Network()
    p = net.spawn(source=SOURCE)
    busy(net, p, 2 * PACK_BATCH)
    twin = net.clone()
    assert twin.format_trace(limit=100_000) == net.format_trace(limit=100_000)
    assert [delivery_fields(d) for d in twin.trace[:40]] == [delivery_fields(d) for d in net.trace[:40]]
    busy(twin, twin.processes[p.id], 5)
    assert len(twin.trace) == len(net.trace) + 10


@pytest.mark.parametrize("limit", [1, 2, 5])
def test_a_failed_spawn_is_forgotten_even_past_a_tiny_limit(limit: int) -> None:
    net = Network(trace_limit=limit)
    p = net.spawn(source="")
    with pytest.raises(Exception, match="boot failed"):
        net.spawn(source="error('boot failed')")
    p.send({"Action": "After"})
    last = net.trace[-1]
    assert last.seq == len(net.trace) and last.message.action == "After"
    assert [d.seq for d in net.trace] == list(range(len(net.trace) - len(list(net.trace)) + 1, len(net.trace) + 1))
    assert net.mailbox(p)[-1] is last.message


@pytest.mark.parametrize(("limit", "sends"), [(2 * PACK_BATCH + 50, 4 * PACK_BATCH + 100), (8, 300)])
def test_mailboxes_across_many_cuts_hold_what_an_unlimited_network_holds(limit: int, sends: int) -> None:
    """Messages the trace let go that a mailbox still lists, carried from one cut of the trace to
    the next (a wallet written to rarely keeps its messages across many cuts, one written to often
    loses them), are those of the same run kept whole: past packed batches and within the newest
    deliveries."""
    nets = [Network(trace_limit=limit), Network(trace_limit=None)]
    for net in nets:
        p = net.spawn(source=SOURCE)
        often, sometimes, rarely = (net.wallet(name) for name in ("often", "sometimes", "rarely"))
        for i in range(sends):
            sender = rarely if i % 97 == 0 else sometimes if i % 5 == 0 else often
            p.send({"Action": "Ping"}, sender=sender, data=str(i))
            net.run()
    limited, whole = nets
    assert next(iter(limited.trace)).seq > 2 * limit  # (cut several times)
    [p_limited], [p_whole] = limited.processes.values(), whole.processes.values()
    names = ("often", "sometimes", "rarely")
    for box, full in [*((limited.wallet(n), whole.wallet(n)) for n in names), (p_limited, p_whole)]:
        kept = [message_fields(m) for m in limited.mailbox(box)]
        every = [message_fields(m) for m in whole.mailbox(full)]
        # (a mailbox is cut back to the last trace_limit messages along with the trace)
        assert min(limit, len(every)) <= len(kept) and kept == every[-len(kept) :]
