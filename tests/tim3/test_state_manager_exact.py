"""The state manager's read model, exactly: every risk band at its boundary, the health score,
the averages, alerts and liquidations, and each Update-Position operation and refusal."""

from __future__ import annotations

from typing import Any

import pytest

from tests.tim3.conftest import Tim3, data_of

M = 1_000_000


def update(tim3: Tim3, user: str, **tags: str) -> Any:
    r = tim3.state.send({"Action": "Update-Position", "User": user, **tags}, sender=tim3.coord).reply
    tim3.ao.run()
    return r


def position(tim3: Tim3, user: str) -> dict[str, Any]:
    return data_of(tim3.state.send({"Action": "GetPosition", "User": user}).reply)["position"]


@pytest.mark.parametrize(
    ("collateral", "level", "health"),
    [(M, "healthy", "1"), (M - 1, "warning", "0.999999"), (950_000, "warning", "0.95"),
     (949_999, "danger", "0.949999"), (900_000, "danger", "0.9"), (899_999, "critical", "0.899999")],
)  # fmt: skip
def test_risk_bands_at_their_boundaries(tim3: Tim3, collateral: int, level: str, health: str) -> None:
    user = "U" * 43
    r = update(tim3, user, Operation="set", Collateral=str(collateral), **{"Tim3-Balance": str(M)})
    assert r.action == "Update-Position-Response"
    p = position(tim3, user)
    assert (p["riskLevel"], p["healthFactor"]) == (level, health)
    health_data = data_of(tim3.state.send({"Action": "SystemHealth"}).reply)
    metrics = health_data["riskMetrics"]
    at_risk = level in ("warning", "danger")
    assert metrics == {
        "underCollateralizedPositions": int(level == "critical"), "atRiskPositions": int(at_risk),
        "healthyPositions": int(level == "healthy"), "averageHealthFactor": health,
    }  # fmt: skip
    below_target = collateral < M
    assert (
        health_data["systemState"]["systemHealthScore"]
        == 100 - 20 * (level == "critical") - 10 * at_risk - 15 * below_target
    )
    alerts = data_of(tim3.state.send({"Action": "CheckRiskAlerts"}).reply)
    assert alerts["alertCount"] == int(level == "critical")
    sent = [m for m in tim3.ao.pending if m.action == "Risk-Alert" and m.target == tim3.coord.id]
    assert len(sent) == int(level == "critical")
    liq = data_of(tim3.state.send({"Action": "CheckLiquidations"}).reply)
    assert liq["liquidatableCount"] == int(collateral < M)
    if collateral < M:
        assert liq["positions"][0] == {"user": user, "healthFactor": health, "collateral": str(collateral),
                                       "tim3Balance": str(M), "liquidationValue": "900000"}  # fmt: skip


def test_health_score_floor_and_average(tim3: Tim3) -> None:
    for i in range(6):  # six critical positions: 100 - 120 - 15 floors at 0
        update(tim3, chr(ord("A") + i) * 43, Operation="set", Collateral="1", **{"Tim3-Balance": "2"})
    update(tim3, "Z" * 43, Operation="set", Collateral="3", **{"Tim3-Balance": "1"})
    info = data_of(tim3.state.send({"Action": "Info"}).reply)
    assert info["systemState"]["systemHealthScore"] == 0
    assert info["systemState"]["activePositions"] == 7
    # (6 * 0.5 + 3) / 7 = 0.857142
    assert info["riskMetrics"]["averageHealthFactor"] == "0.857142"
    assert info["coordinatorConfigured"] is True


def test_update_operations(tim3: Tim3) -> None:
    u = "U" * 43
    update(tim3, u, Collateral="10", **{"Tim3-Balance": "8", "Operation-Id": "op-1"})  # add is the default
    assert (position(tim3, u)["collateral"], position(tim3, u)["tim3Balance"]) == ("10", "8")
    update(tim3, u, Operation="add", Collateral="5", **{"Tim3-Balance": "2"})
    update(tim3, u, Operation="subtract", Collateral="20", **{"Tim3-Balance": "3"})  # floors at zero
    assert (position(tim3, u)["collateral"], position(tim3, u)["tim3Balance"]) == ("0", "7")
    update(tim3, u, Operation="update", Collateral="4")  # upstream's name for set; Tim3 kept
    assert (position(tim3, u)["collateral"], position(tim3, u)["tim3Balance"]) == ("4", "7")
    ss = tim3.state.globals["SystemState"]
    assert (ss["totalCollateral"], ss["totalTIM3Supply"], ss["updates"]) == ("4", "7", 4)
    assert "lastOperationId" not in ss  # the last update carried no Operation-Id
    r = update(tim3, u, Operation="set", **{"Tim3-Balance": "1", "Total-Collateral": "100", "Total-Supply": "90",
                                           "Operation-Id": "op-5"})  # fmt: skip
    assert r.tags["Operation-Id"] == "op-5"
    assert data_of(r)["systemState"] == {"totalCollateral": "100", "totalTIM3Supply": "90",
                                         "globalCollateralRatio": "1.111111"}  # fmt: skip
    assert tim3.state.globals["SystemState"]["lastOperationId"] == "op-5"
    assert position(tim3, u)["lastUpdate"] == tim3.ao.now


@pytest.mark.parametrize(
    ("tags", "error"),
    [({"User": ""}, "User required"), ({}, "User required"),
     ({"User": "U" * 43, "Operation": "mul"}, "Operation must be add, subtract, set or update"),
     ({"User": "U" * 43, "Collateral": "01"}, "Invalid Collateral: has a leading zero"),
     ({"User": "U" * 43, "Tim3-Balance": "x"}, "Invalid Tim3-Balance: has 'x' at position 1 (only digits 0-9 are allowed)"),
     ({"User": "U" * 43, "Total-Supply": ""}, "Invalid Total-Supply: is empty")],
)  # fmt: skip
def test_update_refusals_change_nothing(tim3: Tim3, tags: dict[str, str], error: str) -> None:
    before = tim3.state.snapshot()
    r = tim3.state.send({"Action": "Update-Position", **tags}, sender=tim3.coord).reply
    assert (r.action, r.tags["Error"]) == ("Update-Position-Error", error)
    tim3.ao.run()
    assert tim3.state.snapshot() == before


def test_ratio_settings(tim3: Tim3) -> None:
    tim3.configure(tim3.state, "LiquidationThreshold", "0.9")
    tim3.configure(tim3.state, "TargetCollateralRatio", "1.5")
    ss = tim3.state.globals["SystemState"]
    assert (ss["liquidationThreshold"], ss["targetCollateralRatio"]) == ("900000", "1500000")
    for bad, why in (
        ("0", "must be above zero"),
        ("0.0", "must be above zero"),
        ("-1", "has '-' at position 1 (only digits 0-9 are allowed)"),
    ):
        r = tim3.state.send(
            {"Action": "Configure", "Config-Type": "LiquidationThreshold", "Value": bad}, sender=tim3.admin
        ).reply
        assert r.tags["Error"] == f"Invalid value for LiquidationThreshold: {why}"
    view = data_of(tim3.state.send({"Action": "Info"}).reply)["systemState"]
    assert (view["liquidationThreshold"], view["targetCollateralRatio"]) == ("0.9", "1.5")


def test_missing_values_and_floors(tim3: Tim3) -> None:
    u = "U" * 43
    update(tim3, u, Collateral="10", **{"Tim3-Balance": "8"})
    update(tim3, u, **{"Tim3-Balance": "2"})  # no Collateral: it does not move
    update(tim3, u, Collateral="3")  # no Tim3-Balance: it does not move
    assert (position(tim3, u)["collateral"], position(tim3, u)["tim3Balance"]) == ("13", "10")
    update(tim3, u, Operation="subtract", **{"Tim3-Balance": "11"})  # floors at zero
    assert (position(tim3, u)["collateral"], position(tim3, u)["tim3Balance"]) == ("13", "0")
    # totals given absolutely, then a decrease larger than the total: the total floors at zero
    update(tim3, u, Operation="set", **{"Total-Collateral": "1"})
    update(tim3, u, Operation="subtract", Collateral="5")
    assert tim3.state.globals["SystemState"]["totalCollateral"] == "0"
    # a position owing one base unit with no collateral is critical and alerted
    update(tim3, "C" * 43, Operation="set", Collateral="0", **{"Tim3-Balance": "1"})
    alerts = data_of(tim3.state.send({"Action": "CheckRiskAlerts"}).reply)
    assert [a["user"] for a in alerts["alerts"]] == ["C" * 43]


def test_unknown_user_position(tim3: Tim3) -> None:
    assert position(tim3, "N" * 43) == {"collateral": "0", "tim3Balance": "0", "healthFactor": "999",
                                        "riskLevel": "healthy", "lastUpdate": 0}  # fmt: skip
    update(tim3, "N" * 43, Operation="set", Collateral="5", **{"Tim3-Balance": "0"})
    p = position(tim3, "N" * 43)
    assert (p["healthFactor"], p["riskLevel"]) == ("999", "healthy")
    info = data_of(tim3.state.send({"Action": "Info"}).reply)
    assert info["systemState"]["activePositions"] == 0 and info["riskMetrics"]["averageHealthFactor"] == "0"
