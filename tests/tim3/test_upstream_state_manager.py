"""Ports of ao/state-manager/test/state_manager_spec.lua (11): "TIM3 State Manager Process".

Positions are set through Update-Position from the configured coordinator (a wallet here), not by
writing globals.  See tests/PORTING.md."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from harness import Network
from harness.process import Process
from tests.tim3.conftest import data_of


@pytest.fixture
def sm(ao: Network, fresh: Callable[..., Process]) -> Process:
    p = fresh("state-manager")  # ao.spawn("state-manager"), a clone of a spawned one
    p.send({"Action": "Configure", "Config-Type": "CoordinatorProcess", "Value": ao.wallet("coordinator")})
    return p


def update(ao: Network, sm: Process, user: str, collateral: int, tim3: int, op: str = "update"):
    return sm.send({"Action": "Update-Position", "User": user, "Operation": op, "Collateral": str(collateral),
                    "Tim3-Balance": str(tim3)}, sender=ao.wallet("coordinator"))


def health(sm: Process) -> dict:
    return data_of(sm.send({"Action": "SystemHealth"}).reply)


def test_s01_info(sm: Process) -> None:
    body = data_of(sm.send({"Action": "Info"}).reply)
    assert (body["name"], body["ticker"], body["version"]) == ("TIM3 State Manager", "TIM3-STATE", "2.0.0")


def test_s02_configuration(sm: Process) -> None:
    r = sm.send({"Action": "Configure", "Config-Type": "TargetCollateralRatio", "Value": "2.0"})
    assert r.reply.action == "Configure-Response"
    assert sm.globals["SystemState"]["targetCollateralRatio"] == "2000000"
    assert health(sm)["systemState"]["targetCollateralRatio"] == "2"


def test_s03_empty_position(ao: Network, sm: Process) -> None:
    user1 = ao.wallet("user1")
    body = data_of(sm.send({"Action": "GetPosition"}, sender=user1).reply)
    p = body["position"]
    assert (body["user"], p["collateral"], p["tim3Balance"], p["riskLevel"]) == (user1, "0", "0", "healthy")


def test_s04_update_position(ao: Network, sm: Process) -> None:
    r = update(ao, sm, ao.wallet("user1"), 1000, 1000)
    assert len(r.messages) == 1 and r.reply.action == "Update-Position-Response"
    p = data_of(r.reply)["position"]
    assert (p["collateral"], p["tim3Balance"], p["healthFactor"], p["riskLevel"]) == ("1000", "1000", "1", "healthy")


def test_s05_add_to_position(ao: Network, sm: Process) -> None:
    user1 = ao.wallet("user1")
    update(ao, sm, user1, 1000, 500)
    r = update(ao, sm, user1, 500, 250, op="add")
    body = data_of(r.reply)
    assert (body["position"]["collateral"], body["position"]["tim3Balance"]) == ("1500", "750")
    assert (body["systemState"]["totalCollateral"], body["systemState"]["totalTIM3Supply"]) == ("1500", "750")


def test_s06_health_no_positions(sm: Process) -> None:
    s = health(sm)["systemState"]
    assert (s["totalCollateral"], s["totalTIM3Supply"], s["globalCollateralRatio"]) == ("0", "0", "0")
    assert (s["activePositions"], s["systemHealthScore"]) == (0, 85)


def test_s07_risk_metrics(ao: Network, sm: Process) -> None:
    for i, c in enumerate((1000, 950, 900, 800)):
        update(ao, sm, ao.wallet(f"user{i}"), c, 1000)
    body = health(sm)
    s, m = body["systemState"], body["riskMetrics"]
    assert (s["totalCollateral"], s["totalTIM3Supply"], s["globalCollateralRatio"], s["activePositions"]) == ("3650", "4000", "0.9125", 4)
    assert (m["underCollateralizedPositions"], m["atRiskPositions"], m["healthyPositions"]) == (1, 2, 1)
    assert s["systemHealthScore"] == 100 - 20 - 20 - 15


def test_s08_liquidatable_positions(ao: Network, sm: Process) -> None:
    sm.send({"Action": "Configure", "Config-Type": "LiquidationThreshold", "Value": "1.2"})
    user1 = ao.wallet("user1")
    update(ao, sm, user1, 1100, 1000)
    update(ao, sm, ao.wallet("user2"), 1500, 1000)
    body = data_of(sm.send({"Action": "CheckLiquidations"}).reply)
    assert body["liquidatableCount"] == 1
    [p] = body["positions"]
    assert (p["user"], p["healthFactor"], p["liquidationValue"]) == (user1, "1.1", "900")


def test_s09_risk_alerts_to_coordinator(ao: Network, sm: Process) -> None:
    user1 = ao.wallet("user1")
    update(ao, sm, user1, 800, 1000)
    r = sm.send({"Action": "CheckRiskAlerts"})
    assert [m.action for m in r.messages] == ["RiskAlerts-Response", "Risk-Alert"]
    alert = r.messages[1]
    assert alert.target == ao.wallet("coordinator")
    body = data_of(alert)
    assert body["alertCount"] == 1 and body["criticalAlerts"][0]["user"] == user1


def test_s10_update_without_user(ao: Network, sm: Process) -> None:
    r = sm.send({"Action": "Update-Position", "Collateral": "5"}, sender=ao.wallet("coordinator"))
    assert r.reply.action == "Update-Position-Error" and r.reply.tags["Error"] == "User required"


def test_s11_unknown_configuration(sm: Process) -> None:
    r = sm.send({"Action": "Configure", "Config-Type": "Bogus", "Value": "1"})
    assert r.reply.action == "Configure-Error" and "Unknown configuration type" in r.reply.data
