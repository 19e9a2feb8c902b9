"""Saga bookkeeping the flows leave behind, exactly: positions after redeeming more than one
minted (TIM3 is fungible), cumulative redeemed amounts, step times, queries that never sweep, a
coordinator without a state manager, and the shared lib/ checks (whole numbers, Quantity, maps)."""

from __future__ import annotations

from typing import Any

import pytest

from harness import Network
from tests.tim3.conftest import TIMEOUT_MS, USDA, Tim3, data_of
from tests.tim3.test_authorization import stall


def position(tim3: Tim3, user: str) -> dict[str, Any]:
    return data_of(tim3.coord.send({"Action": "GetPosition", "User": user}).reply)["position"]


def test_positions_floor_at_zero_and_redeemed_accumulates(tim3: Tim3) -> None:
    alice, bob = tim3.user("alice", 10 * USDA), tim3.user("bob", 10 * USDA)
    tim3.deposit(alice, 3 * USDA)
    tim3.deposit(bob, 4 * USDA)
    tim3.transfer(bob, alice, 2 * USDA)
    tim3.redeem(alice, USDA)
    assert position(tim3, alice) == {"collateral": str(2 * USDA), "tim3Minted": str(2 * USDA),
                                     "redeemed": str(USDA), "collateralRatio": "1", "healthFactor": "1"}  # fmt: skip
    tim3.redeem(alice, 4 * USDA)  # more than alice ever minted: her position floors at zero
    assert position(tim3, alice) == {"collateral": "0", "tim3Minted": "0", "redeemed": str(5 * USDA),
                                     "collateralRatio": "0", "healthFactor": "0"}  # fmt: skip
    totals = tim3.coord.globals["Totals"]
    assert totals == {"collateral": str(2 * USDA), "tim3": str(2 * USDA)}
    tim3.check()


def test_step_times_are_recorded(tim3: Tim3) -> None:
    alice = tim3.user("alice", 5 * USDA)
    tim3.deposit(alice, 3 * USDA)
    tim3.redeem(alice, USDA, run=False)
    burn = stall(tim3, "Burn")
    opid = burn.tags["Operation-Id"]
    created = tim3.pending()[opid]["created"]
    tim3.ao.advance(1_000)
    tim3.coord.send({"Action": "Burn-Response", "Operation-Id": opid}, sender=tim3.token)
    stall(tim3, "Release")
    op = data_of(tim3.coord.send({"Action": "GetOperation", "Operation-Id": opid}).reply)["operation"]
    assert op["status"] == "releasing" and op["updated"] == created + 1_000
    assert op["deadline"] == created + 1_000 + TIMEOUT_MS


@pytest.mark.parametrize("query", ["Info", "GetPosition", "SystemHealth", "GetConfig", "GetOperation"])
def test_queries_never_sweep(tim3: Tim3, query: str) -> None:
    alice = tim3.user("alice", 5 * USDA)
    tim3.between_ticks()
    tim3.deposit(alice, 3 * USDA, run=False)
    (opid,) = [stall(tim3, "Mint").tags["Operation-Id"]]
    tim3.ao.advance(TIMEOUT_MS + 10_000)  # expired, 20 s before the next tick
    r = tim3.coord.send({"Action": query, "Operation-Id": opid}, sender=alice)
    assert [m.action for m in r.messages] == [r.reply.action]
    assert "timeouts" not in tim3.pending()[opid]
    # any other message sweeps first
    r = tim3.coord.send({"Action": "Risk-Alert"}, sender=tim3.state)
    assert tim3.pending()[opid]["timeouts"] == 1
    assert [m.action for m in r.messages] == ["Cancel"]


def test_notices_of_the_coordinators_own_transfers_get_no_answer(tim3: Tim3) -> None:
    for sender in (tim3.token, tim3.usda):
        r = tim3.coord.send({"Action": "Debit-Notice", "Quantity": "1"}, sender=sender)
        assert r.error is None and r.messages == []
    r = tim3.coord.send({"Action": "Credit-Notice", "Sender": "short", "Quantity": "5"}, sender=tim3.usda)
    assert r.error is None and r.messages == []


def test_coordinator_without_a_state_manager_still_books(ao: Network, tim3_unwired: Tim3) -> None:
    t = tim3_unwired
    admin = t.admin
    for proc, ctype, value in [
        (t.coord, "LockManagerProcess", t.lock.id), (t.coord, "TokenManagerProcess", t.token.id),
        (t.coord, "MockUsdaProcess", t.usda.id), (t.lock, "CoordinatorProcess", t.coord.id),
        (t.lock, "MockUsdaProcess", t.usda.id), (t.token, "CoordinatorProcess", t.coord.id),
    ]:  # fmt: skip
        t.configure(proc, ctype, value, sender=admin)
    ao.run()
    alice = t.user("alice", 5 * USDA)
    t.deposit(alice, 3 * USDA)
    assert t.tim3_balance(alice) == 3 * USDA
    assert t.coord.globals["Totals"] == {"collateral": str(3 * USDA), "tim3": str(3 * USDA)}
    assert [d for d in ao.trace if d.message.action == "Update-Position"] == []
    assert t.pending() == {}


def test_first_forged_timestamp_reads_zero(tim3_unwired: Tim3) -> None:
    t = tim3_unwired
    r = t.coord.send({"Action": "EmergencyPause", "Pause": "false", "Timestamp": "5"}, sender=t.admin).reply
    assert data_of(r)["timestamp"] == 0


def test_whole_number_settings_up_to_twelve_digits(tim3: Tim3) -> None:
    tim3.configure(tim3.coord, "PendingTimeout", "999999999999")
    assert tim3.coord.globals["Config"]["pendingTimeout"] == 999_999_999_999
    for bad in ("1000000000000", "0", "01", "1.5", ""):
        r = tim3.coord.send(
            {"Action": "Configure", "Config-Type": "PendingTimeout", "Value": bad}, sender=tim3.admin
        )
        assert r.reply.tags["Error"] == "Invalid value for PendingTimeout: need a positive whole number"
    assert tim3.coord.globals["Config"]["pendingTimeout"] == 999_999_999_999


def test_quantity_required_and_empty_maps(ao: Network, tim3_unwired: Tim3) -> None:
    t = tim3_unwired
    alice = ao.wallet("alice")
    r = t.usda.send({"Action": "Transfer", "Recipient": "R" * 43}, sender=alice).reply
    assert r.tags["Error"] == "Invalid amount: Quantity is required"
    r = t.usda.send(
        {"Action": "Burn", "Amount": "2"}, sender=alice
    ).reply  # Amount is read when Quantity is absent
    assert r.tags["Error"] == "Insufficient available balance"
    for token in (t.usda, t.token):
        assert token.send({"Action": "Balances"}).reply.data == "{}"
