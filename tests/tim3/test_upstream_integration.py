"""Ports of the ao/integration-tests specs (10 tests, incl. debug_integration.lua's 2), run on the
real five-process network instead of one shared Lua state.  See tests/PORTING.md."""

from __future__ import annotations

from tests.tim3.conftest import Tim3, data_of


def actions(tim3: Tim3, start: int) -> list[str]:
    return [d.message.action for d in tim3.ao.trace[start:]]


def test_i01_complete_full_mint_flow(tim3: Tim3) -> None:
    user = tim3.user("user123", 1000)
    tim3.deposit(user, 100)
    [resp] = tim3.received(user, "Mint-Response")
    assert (data_of(resp)["tim3Minted"], data_of(resp)["collateralLocked"]) == ("100", "100")
    tim3.check()


def test_i02_message_tracing(tim3: Tim3) -> None:
    user = tim3.user("user456", 1000)
    start = len(tim3.ao.trace)
    tim3.deposit(user, 50)
    assert actions(tim3, start) == [
        "Transfer", "Debit-Notice", "Credit-Notice", "Collateral-Deposited", "Collateral-Deposited-Response", "Mint", "Mint-Response",
        "Credit-Notice", "Update-Position", "Mint-Response", "Update-Position-Response",
    ]


def test_i03_step_by_step_user_flow(tim3: Tim3) -> None:
    alice = tim3.user("alice", 1000)
    assert data_of(tim3.usda.send({"Action": "Balance"}, sender=alice).reply)["balance"] == "1000"
    tim3.deposit(alice, 100)
    assert tim3.received(alice, "Mint-Response")
    p = data_of(tim3.coord.send({"Action": "GetPosition"}, sender=alice).reply)["position"]
    assert (p["collateral"], p["tim3Minted"]) == ("100", "100")
    tim3.check()


def test_i04_process_communication(tim3: Tim3) -> None:
    bob = tim3.user("bob", 1000)
    r = tim3.deposit(bob, 200, run=False)
    assert [m.action for m in r.messages] == ["Debit-Notice", "Credit-Notice"]
    tim3.ao.run()
    sent = [m for m in tim3.ao.mailbox(tim3.coord) if m.action == "Collateral-Deposited"]
    assert len(sent) >= 1 and sent[0].tags["User"] == bob and sent[0].tags["Quantity"] == "200"


def test_i05_real_world_user_journey(tim3: Tim3) -> None:
    emma = tim3.user("emma", 10000)
    base = tim3.holdings()
    bal = data_of(tim3.usda.send({"Action": "Balance"}, sender=emma).reply)
    assert (bal["balance"], bal["locked"]) == ("10000", "0")
    tim3.deposit(emma, 500)
    p = data_of(tim3.coord.send({"Action": "GetPosition"}, sender=emma).reply)["position"]
    assert (p["collateral"], p["tim3Minted"]) == ("500", "500")
    h = data_of(tim3.coord.send({"Action": "SystemHealth"}).reply)
    assert (h["totalCollateral"], h["totalTIM3Minted"], h["globalCollateralRatio"]) == ("500", "500", "1")
    tim3.redeem(emma, 100)
    [resp] = tim3.received(emma, "Redeem-Response")
    body = data_of(resp)
    assert (body["tim3Burned"], body["collateralReleased"]) == ("100", "100")
    assert (body["newPosition"]["tim3Minted"], body["newPosition"]["collateral"]) == ("400", "400")
    tim3.check(baseline=base)


def test_i06_process_coordination_patterns(tim3: Tim3) -> None:
    user = tim3.user("user", 1000)
    tim3.deposit(user, 300)
    start = len(tim3.ao.trace)
    tim3.redeem(user, 300)
    assert actions(tim3, start) == [
        "Transfer", "Debit-Notice", "Credit-Notice", "Burn", "Burn-Response", "Release", "Transfer",
        "Release-Response", "Debit-Notice", "Credit-Notice", "Update-Position", "Redeem-Response",
        "Update-Position-Response",
    ]


def test_i07_multiple_users(tim3: Tim3) -> None:
    for name, q in (("alice", 50), ("bob", 200), ("charlie", 1000)):
        u = tim3.user(name, 1000)
        tim3.deposit(u, q)
        [resp] = tim3.received(u, "Mint-Response")
        assert data_of(resp)["collateralLocked"] == str(q)
    h = data_of(tim3.coord.send({"Action": "SystemHealth"}).reply)
    assert (h["totalCollateral"], h["totalTIM3Minted"]) == ("1250", "1250")
    tim3.check()


def test_i08_invalid_requests(tim3: Tim3) -> None:
    user = tim3.user("user", 500_000)
    base = tim3.holdings()
    for bad in ("0", "-50"):
        r = tim3.usda.send({"Action": "Transfer", "Recipient": tim3.lock.id, "Quantity": bad}, sender=user)
        assert len(r.messages) == 1 and "Invalid amount" in r.reply.tags["Error"]
    tim3.configure(tim3.coord, "MinMintAmount", "10")
    tim3.configure(tim3.coord, "MaxMintAmount", "100000")
    tim3.deposit(user, 5)
    tim3.deposit(user, 200000)
    errors = [m.tags["Error"] for m in tim3.received(user, "Mint-Error")]
    assert errors == ["Amount below minimum (10)", "Amount above maximum (100000)"]
    tim3.check(baseline=base)


def test_i09_system_inactive(tim3: Tim3) -> None:
    user = tim3.user("user", 1000)
    tim3.configure(tim3.coord, "SystemActive", "false")
    tim3.deposit(user, 100)
    [err] = tim3.received(user, "Mint-Error")
    assert err.tags["Error"] == "System is currently inactive"
    tim3.check()


def test_i10_cross_process_state_consistency(tim3: Tim3) -> None:
    user = tim3.user("user", 1000)
    tim3.deposit(user, 150)
    sp = data_of(tim3.state.send({"Action": "GetPosition", "User": user}).reply)["position"]
    cp = data_of(tim3.coord.send({"Action": "GetPosition", "User": user}).reply)["position"]
    assert (sp["collateral"], sp["tim3Balance"]) == ("150", "150")
    assert (cp["collateral"], cp["tim3Minted"]) == ("150", "150")
    tim3.check()


def test_debug1_handler_registration(tim3: Tim3) -> None:
    for proc, names in (
        (tim3.coord, {"Collateral-Deposited", "Mint-Response", "Mint-Error", "Release-Response", "Release-Error",
                      "Credit-Notice", "Burn-Response", "Burn-Error", "Cron", "EmergencyPause", "Configure"}),
        (tim3.lock, {"Credit-Notice", "Release", "Cancel", "Debit-Notice", "Transfer-Error", "Configure"}),
        (tim3.token, {"Info", "Balance", "Balances", "Total-Supply", "Transfer", "Mint", "Burn", "Cancel"}),
        (tim3.state, {"Update-Position", "SystemHealth", "CheckLiquidations"}),
        (tim3.usda, {"Info", "Balance", "Transfer", "Mint", "Lock", "Unlock"}),
    ):
        assert names <= set(proc.handlers), names - set(proc.handlers)
    assert tim3.coord.send({"Action": "Info"}).error is None


def test_debug2_minttim3_handler(tim3: Tim3) -> None:
    assert "MintTIM3" in tim3.coord.handlers
    r = tim3.coord.send({"Action": "MintTIM3", "Amount": "100"}, sender=tim3.ao.wallet("user"))
    assert r.reply.action == "MintTIM3-Error" and tim3.lock.id in r.reply.tags["Error"]
