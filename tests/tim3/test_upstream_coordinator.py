"""Ports of ao/coordinator/test/coordinator_spec.lua (18): "TIM3 Coordinator Process".

The synchronous MintTIM3/BurnTIM3 of the spec became the deposit mint and the redeem saga, so the
mint/burn tests run those flows end to end.  See tests/PORTING.md for every deviation."""

from __future__ import annotations

from tests.tim3.conftest import Tim3, data_of


def pos(tim3: Tim3, user: str) -> dict[str, str]:
    return data_of(tim3.coord.send({"Action": "GetPosition", "User": user}).reply)["position"]


def test_c01_info(tim3: Tim3) -> None:
    user1 = tim3.ao.wallet("user1")
    r = tim3.coord.send({"Action": "Info"}, sender=user1)
    assert len(r.messages) == 1 and r.reply.target == user1 and r.reply.action == "Info-Response"
    body = data_of(r.reply)
    assert (body["name"], body["ticker"], body["version"]) == ("TIM3 Coordinator", "TIM3", "2.0.0")
    assert body["systemActive"] is True and body["collateralRatio"] == "1"


def test_c02_configuration_update(tim3: Tim3) -> None:
    r = tim3.configure(tim3.coord, "CollateralRatio", "1.0")
    assert r.reply.action == "Configure-Response"
    assert data_of(r.reply) == {"configType": "CollateralRatio", "value": "1.0", "success": True}
    r = tim3.configure(tim3.coord, "CollateralRatio", "1.8")  # 1:1 backing is not configurable
    assert r.reply.action == "Configure-Error" and "only '1' is accepted" in r.reply.tags["Error"]
    assert tim3.coord.globals["Config"]["collateralRatio"] == "1"


def test_c03_process_configuration(tim3_unwired: Tim3) -> None:
    t = tim3_unwired
    r = t.configure(t.coord, "MockUsdaProcess", t.usda.id)
    assert r.reply.action == "Configure-Response"
    assert t.coord.globals["Config"]["collateralToken"] == t.usda.id


def test_c04_unknown_configuration(tim3: Tim3) -> None:
    r = tim3.configure(tim3.coord, "InvalidConfig", "x")
    assert r.reply.action == "Configure-Error" and "Unknown configuration type" in r.reply.data


def test_c05_empty_position(tim3: Tim3) -> None:
    user1 = tim3.ao.wallet("user1")
    body = data_of(tim3.coord.send({"Action": "GetPosition"}, sender=user1).reply)
    assert body["user"] == user1
    assert (body["position"]["collateral"], body["position"]["tim3Minted"], body["position"]["collateralRatio"]) == ("0", "0", "0")


def test_c06_position_for_specific_user(tim3: Tim3) -> None:
    user2 = tim3.user("user2", 1000)
    tim3.deposit(user2, 1000)
    p = pos(tim3, user2)  # asked by the admin for User=user2
    assert (p["collateral"], p["tim3Minted"], p["collateralRatio"], p["healthFactor"]) == ("1000", "1000", "1", "1")


def test_c07_mint_successfully(tim3: Tim3) -> None:
    user1 = tim3.user("user1", 1000)
    tim3.deposit(user1, 100)
    [resp] = tim3.received(user1, "Mint-Response")
    body = data_of(resp)
    assert (body["tim3Minted"], body["collateralLocked"]) == ("100", "100")
    np = body["newPosition"]
    assert (np["collateral"], np["tim3Minted"], np["collateralRatio"], np["healthFactor"]) == ("100", "100", "1", "1")
    tim3.check()


def test_c08_reject_when_inactive(tim3: Tim3) -> None:
    user1 = tim3.user("user1", 1000)
    tim3.configure(tim3.coord, "SystemActive", "false")
    tim3.deposit(user1, 100)
    [err] = tim3.received(user1, "Mint-Error")
    assert err.tags["Error"] == "System is currently inactive"
    assert tim3.usda_balance(user1) == 1000
    tim3.check()


def test_c09_invalid_mint_amounts(tim3: Tim3) -> None:
    user1 = tim3.user("user1", 1000)
    tim3.deposit(user1, 5)  # the minimum is 1 base unit, so 5 mints
    assert tim3.tim3_balance(user1) == 5
    tim3.configure(tim3.coord, "MinMintAmount", "10")
    tim3.deposit(user1, 5)
    [err] = tim3.received(user1, "Mint-Error")
    assert "below minimum" in err.tags["Error"]
    tim3.check()


def test_c10_reject_without_configuration(tim3_unwired: Tim3) -> None:
    t = tim3_unwired
    t.configure(t.lock, "MockUsdaProcess", t.usda.id)
    t.configure(t.lock, "CoordinatorProcess", t.coord.id)
    t.configure(t.coord, "LockManagerProcess", t.lock.id)  # no token manager configured
    user1 = t.user("user1", 1000)
    t.deposit(user1, 100)
    [err] = t.received(user1, "Mint-Error")
    assert err.tags["Error"] == "Token manager not configured"
    assert t.usda_balance(user1) == 1000


def test_c11_global_statistics_on_minting(tim3: Tim3) -> None:
    user1 = tim3.user("user1", 1000)
    tim3.deposit(user1, 200, run=False)
    while not any(m.action == "Mint" for m in tim3.ao.pending):
        _step(tim3)
    # accepted: the window is reserved, the totals wait for completion
    assert tim3.coord.globals["Window"]["total"] == "200"
    assert tim3.coord.globals["Totals"] == {"collateral": "0", "tim3": "0"}
    tim3.ao.run()
    assert tim3.coord.globals["Totals"] == {"collateral": "200", "tim3": "200"}


def _step(tim3: Tim3) -> None:
    import contextlib

    from harness.errors import MessageStormError

    with contextlib.suppress(MessageStormError):  # see test_flows.step_one
        tim3.ao.step()


def _user_with_200(tim3: Tim3) -> str:
    user1 = tim3.user("user1", 1000)
    tim3.deposit(user1, 200)
    return user1


def test_c12_burn_successfully(tim3: Tim3) -> None:
    user1 = _user_with_200(tim3)
    tim3.redeem(user1, 100)
    [resp] = tim3.received(user1, "Redeem-Response")
    body = data_of(resp)
    assert (body["tim3Burned"], body["collateralReleased"]) == ("100", "100")
    np = body["newPosition"]
    assert (np["collateral"], np["tim3Minted"], np["collateralRatio"]) == ("100", "100", "1")
    tim3.check()


def test_c13_reject_burn_when_inactive(tim3: Tim3) -> None:
    user1 = _user_with_200(tim3)
    tim3.configure(tim3.coord, "SystemActive", "false")
    tim3.redeem(user1, 100)
    [err] = tim3.received(user1, "Redeem-Error")
    assert err.tags["Error"] == "System is currently inactive"
    assert tim3.tim3_balance(user1) == 200
    tim3.check()


def test_c14_burn_more_than_held(tim3: Tim3) -> None:
    user1 = _user_with_200(tim3)
    r = tim3.token.send({"Action": "Transfer", "Recipient": tim3.coord.id, "Quantity": "300"}, sender=user1)
    assert r.reply.tags["Error"] == "Insufficient balance"
    tim3.ao.run()
    assert tim3.tim3_balance(user1) == 200
    tim3.check()


def test_c15_burn_without_position(tim3: Tim3) -> None:
    _user_with_200(tim3)
    user2 = tim3.ao.wallet("user2")
    r = tim3.token.send({"Action": "Transfer", "Recipient": tim3.coord.id, "Quantity": "100"}, sender=user2)
    assert r.reply.tags["Error"] == "Insufficient balance"


def test_c16_burn_all_clears_position(tim3: Tim3) -> None:
    user1 = _user_with_200(tim3)
    tim3.redeem(user1, 200)
    [resp] = tim3.received(user1, "Redeem-Response")
    np = data_of(resp)["newPosition"]
    assert (np["collateral"], np["tim3Minted"], np["collateralRatio"], np["healthFactor"]) == ("0", "0", "0", "0")
    tim3.check()


def test_c17_health_no_positions(tim3: Tim3) -> None:
    body = data_of(tim3.coord.send({"Action": "SystemHealth"}).reply)
    assert body["systemActive"] is True
    assert (body["totalCollateral"], body["totalTIM3Minted"], body["globalCollateralRatio"]) == ("0", "0", "0")
    assert body["targetCollateralRatio"] == "1" and body["userPositions"] == 0


def test_c18_health_with_positions(tim3: Tim3) -> None:
    for name, q in (("user1", 300), ("user2", 450)):
        u = tim3.user(name, 1000)
        tim3.deposit(u, q)
    body = data_of(tim3.coord.send({"Action": "SystemHealth"}).reply)
    assert (body["totalCollateral"], body["totalTIM3Minted"], body["globalCollateralRatio"]) == ("750", "750", "1")
    assert body["userPositions"] == 2
