"""harness.strategies and hypothesis-controlled delivery order."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as st

from harness import Message, Network
from harness import strategies as aos

CANONICAL = re.compile(r"(0|[1-9][0-9]*)\Z")


@given(aos.addresses())
def test_addresses_look_like_ao_ids(address: str) -> None:
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", address)


@given(aos.amounts())
def test_amounts_are_canonical(amount: str) -> None:
    assert CANONICAL.match(amount)


@given(aos.malformed_amounts())
def test_malformed_amounts_are_never_canonical_or_are_absurdly_long(bad: str) -> None:
    assert not CANONICAL.match(bad) or len(bad) >= 80


def test_every_malformed_kind_is_reachable() -> None:
    for kind in aos.MALFORMED_AMOUNTS:
        example = find(aos.malformed_amounts([kind]), lambda _: True)
        assert isinstance(example, str)
    with pytest.raises(ValueError, match="unknown malformed-amount kinds"):
        aos.malformed_amounts(["nope"])


@given(st.from_type(aos.Address), st.from_type(aos.Amount), st.from_type(Message))
def test_from_type_is_registered(address: str, amount: str, message: Message) -> None:
    assert len(address) == 43
    assert CANONICAL.match(amount)
    assert isinstance(message, Message) and len(message.target or "") == 43


def test_tag_names_reach_case_variants_and_reserved_names() -> None:
    assert find(aos.tag_names(), lambda n: n == "action") == "action"
    assert find(aos.tag_names(), lambda n: n == "From-Process") == "From-Process"
    assert find(aos.tag_names(), lambda n: any(ord(c) > 127 for c in n))


@given(aos.messages({"Transfer": {"Quantity": aos.amounts(), "Recipient": aos.addresses()}}))
def test_messages_carry_their_action_and_tags(tags: dict[str, str]) -> None:
    assert tags["Action"] == "Transfer"
    assert CANONICAL.match(tags["Quantity"])
    assert all(isinstance(v, str) for v in tags.values())


RACE = """
Handlers.add("go", "Go", function(msg)
  Send({ Target = msg.Tags.Sink, Action = "Set", Value = msg.Tags.Value })
end)
"""
SINK = "Handlers.add('set', 'Set', function(msg) Value = msg.Tags.Value end)"


def race(order: aos.DeliveryOrder | None) -> str:
    net = Network()
    a = net.spawn(source=RACE, name="a")
    b = net.spawn(source=RACE, name="b")
    sink = net.spawn(source=SINK, name="sink")
    net.set_delivery_order(order)
    a.send({"Action": "Go", "Sink": sink.id, "Value": "from-a"})
    b.send({"Action": "Go", "Sink": sink.id, "Value": "from-b"})
    net.run()
    return sink.globals["Value"]


def test_default_order_is_first_come_first_served() -> None:
    assert race(None) == "from-b"
    assert race(None) == "from-b"


def test_hypothesis_explores_other_interleavings() -> None:
    seen: set[str] = set()

    @settings(max_examples=50, suppress_health_check=list(HealthCheck), database=None)
    @given(st.data())
    def explore(data: st.DataObject) -> None:
        seen.add(race(aos.delivery_order(data)))

    explore()
    assert seen == {"from-a", "from-b"}


def test_one_senders_messages_to_one_process_stay_in_order() -> None:
    src = "Handlers.add('go', 'Go', function(msg) for i = 1, 3 do Send({ Target = msg.Tags.Sink, Action = 'Set', Value = tostring(i) }) end end)"
    seen: set[str] = set()

    @settings(max_examples=30, suppress_health_check=list(HealthCheck), database=None)
    @given(st.data())
    def explore(data: st.DataObject) -> None:
        net = Network()
        a = net.spawn(source=src)
        sink = net.spawn(source="Seen = {}\nHandlers.add('set', 'Set', function(m) table.insert(Seen, m.Tags.Value) end)")
        net.set_delivery_order(aos.delivery_order(data))
        a.send({"Action": "Go", "Sink": sink.id})
        net.run()
        seen.add(",".join(sink.globals["Seen"]))

    explore()
    assert seen == {"1,2,3"}
