"""The paths of TIM3 that the flows rarely take: queries, compensation after a cancelled or bounced
release, refused state updates, risk alerts.  (Each handler of every process is exercised by some
test; `pytest --ao-cov` prints the handler table.)"""

from __future__ import annotations

from tests.tim3.conftest import TIMEOUT_MS, USDA, Tim3, data_of


def test_mock_usda_queries_and_burn(tim3: Tim3) -> None:
    alice = tim3.user("alice", 5 * USDA)
    assert data_of(tim3.usda.send({"Action": "Balances"}, sender=alice).reply) == {alice: str(5 * USDA)}
    supply = tim3.usda.send({"Action": "Total-Supply"}, sender=alice).reply
    assert supply.data == str(5 * USDA) or data_of(supply) in (
        str(5 * USDA),
        5 * USDA,
        {"totalSupply": str(5 * USDA)},
    )
    r = tim3.usda.send({"Action": "Burn", "Quantity": str(2 * USDA)}, sender=alice)
    assert r.reply.action == "Burn-Response"
    assert tim3.usda_balance(alice) == 3 * USDA and tim3.usda_supply() == 3 * USDA
    assert (
        tim3.usda.send({"Action": "Burn", "Quantity": str(9 * USDA)}, sender=alice).reply.action
        == "Burn-Error"
    )


def test_token_total_supply_and_operation_lookup(tim3: Tim3) -> None:
    alice = tim3.user("alice", 5 * USDA)
    tim3.deposit(alice, 2 * USDA)
    supply = tim3.token.send({"Action": "Total-Supply"}, sender=alice).reply
    assert str(2 * USDA) in (supply.data or "") or supply.tags.get("Total-Supply") == str(2 * USDA)
    opid = next(iter(tim3.coord.globals["Completed"]))
    op = data_of(tim3.coord.send({"Action": "GetOperation", "Operation-Id": opid}, sender=alice).reply)
    assert op["operationId"] == opid and op["pending"] is False and op["outcome"] == "minted"


def test_v1_burn_action_points_to_the_redeem_flow(tim3: Tim3) -> None:
    alice = tim3.user("alice")
    r = tim3.coord.send({"Action": "BurnTIM3", "Amount": "1"}, sender=alice)
    assert r.reply.action == "BurnTIM3-Error" and "Redeem" in r.reply["Error"]


def test_cancelled_release_restores_the_burned_tim3(tim3: Tim3) -> None:
    """The coordinator's Release is lost; after the timeout it cancels it at the lock manager,
    which answers Release-Error, and the TIM3 already burned is minted back."""
    alice = tim3.user("alice", 5 * USDA)
    tim3.deposit(alice, 3 * USDA)
    tim3.redeem(alice, USDA, run=False)
    lost = []
    while tim3.ao.pending and not lost:
        lost = tim3.ao.drop(lambda m: m.action == "Release")
        if not lost:
            tim3.ao.step()
    assert lost
    tim3.ao.run()
    ticks = tim3.ao.advance(TIMEOUT_MS)  # the coordinator's cron tick at the deadline cancels it
    assert tim3.coord.id in [d.message.target for d in ticks]
    tim3.ao.run()
    assert any(d.message.action == "Release-Error" for d in tim3.ao.trace)
    assert tim3.tim3_balance(alice) == 3 * USDA and tim3.usda_balance(alice) == 2 * USDA
    assert tim3.pending() == {}
    tim3.check()


def test_bounced_release_transfer_is_reported_and_recorded(tim3: Tim3) -> None:
    """The lock manager's USDA Transfer bounces (its balance at the token was tampered with):
    the lock manager restores its ledger (Transfer-Error) and tells the coordinator
    (Release-Failed), which records the failed operation for the admin."""
    alice = tim3.user("alice", 5 * USDA)
    tim3.deposit(alice, 3 * USDA)
    r = tim3.usda.eval(f"Balances['{tim3.lock.id}'] = '0'")  # an outside fault, by the token's owner
    assert r.error is None
    tim3.redeem(alice, USDA)
    assert any(
        d.message.action == "Transfer-Error" and d.message.target == tim3.lock.id for d in tim3.ao.trace
    )
    assert any(d.message.action == "Release-Failed" for d in tim3.ao.trace)
    failed = tim3.coord.globals["Failed"]
    assert any("transfer failed" in str(op.get("reason")) for op in failed.values())
    assert tim3.lock.globals["LockStats"]["totalLocked"] == str(3 * USDA)  # the ledger kept it


def test_refused_state_update_is_logged(tim3: Tim3) -> None:
    tim3.configure(tim3.state, "CoordinatorProcess", tim3.ao.wallet("someone-else"))
    alice = tim3.user("alice", 5 * USDA)
    tim3.deposit(alice, USDA)
    errors = [d for d in tim3.ao.trace if d.message.action == "Update-Position-Error"]
    assert errors and "State manager refused an update" in (
        errors[-1].result.output if errors[-1].result else ""
    )
    assert tim3.tim3_balance(alice) == USDA  # the mint itself completed


def test_risk_alert_reaches_the_coordinator(tim3: Tim3) -> None:
    """A position below the critical band (as the coordinator reports it) raises an alert."""
    alice = tim3.user("alice")
    update = {
        "Action": "Update-Position",
        "User": alice,
        "Operation": "update",
        "Operation-Id": "risk-test",
        "Collateral": "80",
        "Tim3-Balance": "100",
        "Total-Collateral": "80",
        "Total-Supply": "100",
    }
    assert tim3.state.send(update, sender=tim3.coord).reply.action == "Update-Position-Response"
    r = tim3.state.send({"Action": "CheckRiskAlerts"}, sender=alice)
    assert data_of(r.reply)["alertCount"] >= 1
    tim3.ao.run()
    alert = [d for d in tim3.ao.trace if d.message.action == "Risk-Alert"]
    assert alert and "Risk alert from the state manager" in alert[-1].result.output
