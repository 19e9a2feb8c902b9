"""Admin hand-over on all five processes, what the Admin role grants, and the coordinator's admin
actions (SetProcessConfig, Set<Process>Process, EmergencyPause, CleanupExpired) with their errors."""

from __future__ import annotations

import pytest

from tests.tim3.conftest import TIMEOUT_MS, USDA, Tim3, data_of
from tests.tim3.test_authorization import stall

# process -> (a Config-Type only the Admin may set, a valid value, where it is stored)
SETTING = {
    "usda": ("FaucetMax", "123", lambda p: p.globals["FaucetMax"]),
    "lock": ("MinLockAmount", "7", lambda p: p.globals["Config"]["minLockAmount"]),
    "token": ("MaxSupply", "999", lambda p: p.globals["Config"]["maxSupply"]),
    "coord": ("MinMintAmount", "7", lambda p: p.globals["Config"]["minMintAmount"]),
    "state": ("CoordinatorProcess", "C" * 43, lambda p: p.globals["Config"]["coordinatorProcess"]),
}


@pytest.mark.parametrize("name", list(SETTING))
def test_admin_hand_over_moves_every_right(tim3: Tim3, name: str) -> None:
    proc = getattr(tim3, name)
    ctype, value, stored = SETTING[name]
    old, new = tim3.admin, tim3.ao.wallet("new-admin")
    r = proc.send({"Action": "Configure", "Config-Type": "AdminProcess", "Value": new}, sender=old).reply
    assert r.action == "Configure-Response"
    assert data_of(r) == {"configType": "AdminProcess", "value": new, "success": True}
    assert proc.globals["Admin"] == new
    # the old admin lost the role: refused with the exact error, nothing changes
    before = proc.snapshot()
    r = proc.send({"Action": "Configure", "Config-Type": ctype, "Value": value}, sender=old).reply
    assert (r.action, r.tags["Error"]) == ("Configure-Error", "Unauthorized - only admin can configure")
    tim3.ao.run()
    assert proc.snapshot() == before
    # the new admin has it: settings, and handing the role on
    r = proc.send({"Action": "Configure", "Config-Type": ctype, "Value": value}, sender=new).reply
    assert r.action == "Configure-Response"
    assert stored(proc) == value
    r = proc.send({"Action": "Configure", "Config-Type": "AdminProcess", "Value": old}, sender=new).reply
    assert r.action == "Configure-Response" and proc.globals["Admin"] == old


@pytest.mark.parametrize("name", list(SETTING))
def test_bad_admin_value_changes_nothing(tim3: Tim3, name: str) -> None:
    proc = getattr(tim3, name)
    before = proc.snapshot()
    r = proc.send(
        {"Action": "Configure", "Config-Type": "AdminProcess", "Value": "short"}, sender=tim3.admin
    ).reply
    need = "need a 43-character address" if name == "usda" else "need a 43-character process id"
    assert (r.action, r.tags["Error"]) == ("Configure-Error", f"Invalid value for AdminProcess: {need}")
    unknown = proc.send({"Action": "Configure", "Config-Type": "Nope", "Value": "1"}, sender=tim3.admin).reply
    assert unknown.tags["Error"] == "Unknown configuration type: Nope"
    tim3.ao.run()
    assert proc.snapshot() == before


def test_coordinator_admin_actions_follow_the_hand_over(tim3: Tim3) -> None:
    old, new = tim3.admin, tim3.ao.wallet("new-admin")
    tim3.configure(tim3.coord, "AdminProcess", new)
    refusals = {
        "EmergencyPause": ({"Pause": "true"}, "Unauthorized - only admin can pause system"),
        "CleanupExpired": ({}, "Unauthorized - only admin can clean up"),
        "SetProcessConfig": ({"Token-Manager-Process": "T" * 43}, "Unauthorized - only admin can configure"),
        "SetTokenManagerProcess": ({"Process-Id": "T" * 43}, "Unauthorized - only admin can configure"),
    }
    for action, (tags, error) in refusals.items():
        before = tim3.coord.snapshot()
        r = tim3.coord.send({"Action": action, **tags}, sender=old).reply
        assert (r.action, r.tags["Error"]) == (f"{action}-Error", error)
        tim3.ao.run()
        assert tim3.coord.snapshot() == before
    r = tim3.coord.send({"Action": "EmergencyPause", "Pause": "true"}, sender=new).reply
    assert r.action == "EmergencyPause-Response"
    body = data_of(r)
    assert body["emergencyPaused"] is True and body["by"] == new and body["reason"] == "No reason provided"
    assert tim3.coord.globals["Config"]["emergencyPaused"] is True


def test_emergency_pause_values(tim3: Tim3) -> None:
    r = tim3.coord.send({"Action": "EmergencyPause", "Pause": "yes"}, sender=tim3.admin).reply
    assert (r.action, r.tags["Error"]) == ("EmergencyPause-Error", "Pause must be 'true' or 'false'")
    assert tim3.coord.globals["Config"]["emergencyPaused"] is False
    r = tim3.coord.send(
        {"Action": "EmergencyPause", "Pause": "true", "Reason": "drill"}, sender=tim3.admin
    ).reply
    assert data_of(r)["emergencyPaused"] is True and data_of(r)["reason"] == "drill"
    assert data_of(r)["systemActive"] is True
    r = tim3.coord.send({"Action": "EmergencyPause", "Pause": "false"}, sender=tim3.admin).reply
    assert data_of(r)["emergencyPaused"] is False
    assert tim3.coord.globals["Config"]["emergencyPaused"] is False


def test_set_process_config_validates_everything_first(tim3: Tim3) -> None:
    config = tim3.coord.globals["Config"]
    new_token, new_state = "T" * 43, "S" * 43
    before = tim3.coord.snapshot()
    r = tim3.coord.send(
        {"Action": "SetProcessConfig", "Token-Manager-Process": new_token, "State-Manager-Process": "bad"},
        sender=tim3.admin,
    ).reply
    assert r.action == "SetProcessConfig-Error"
    assert r.tags["Error"] == "Invalid value for StateManagerProcess: need a 43-character process id"
    tim3.ao.run()
    assert tim3.coord.snapshot() == before
    r = tim3.coord.send(
        {
            "Action": "SetProcessConfig",
            "Token-Manager-Process": new_token,
            "State-Manager-Process": new_state,
        },
        sender=tim3.admin,
    ).reply
    assert r.action == "SetProcessConfig-Response"
    body = data_of(r)
    assert body["tokenManagerProcess"] == new_token and body["stateManagerProcess"] == new_state
    assert body["lockManagerProcess"] == config["lockManagerProcess"]
    assert body["mockUsdaProcess"] == body["allowedUsdaProcess"] == config["collateralToken"]
    assert body["timestamp"] == tim3.ao.now
    now = tim3.coord.globals["Config"]
    assert now["tokenManagerProcess"] == new_token and now["stateManagerProcess"] == new_state
    assert now["lockManagerProcess"] == config["lockManagerProcess"]


@pytest.mark.parametrize(
    ("action", "field", "key"),
    [
        ("SetMockUsdaProcess", "mockUsdaProcess", "collateralToken"),
        ("SetStateManagerProcess", "stateManagerProcess", "stateManagerProcess"),
        ("SetLockManagerProcess", "lockManagerProcess", "lockManagerProcess"),
        ("SetTokenManagerProcess", "tokenManagerProcess", "tokenManagerProcess"),
    ],
)
def test_set_one_process(tim3: Tim3, action: str, field: str, key: str) -> None:
    ctype = action[3:]
    before = tim3.coord.snapshot()
    bad = tim3.coord.send({"Action": action, "Process-Id": "x"}, sender=tim3.admin).reply
    assert (bad.action, bad.tags["Error"]) == (
        f"{action}-Error",
        f"Invalid value for {ctype}: need a 43-character process id",
    )
    tim3.ao.run()
    assert tim3.coord.snapshot() == before
    r = tim3.coord.send({"Action": action, "Process-Id": "P" * 43}, sender=tim3.admin).reply
    assert r.action == f"{action}-Response"
    assert data_of(r) == {field: "P" * 43, "status": "configured"}
    assert tim3.coord.globals["Config"][key] == "P" * 43
    # the id can also come as the message's Data
    r = tim3.coord.send({"Action": action}, sender=tim3.admin, data="Q" * 43).reply
    assert tim3.coord.globals["Config"][key] == "Q" * 43


def test_cleanup_expired_sweeps_now(tim3: Tim3) -> None:
    alice = tim3.user("alice", 5 * USDA)
    tim3.between_ticks()  # the deadline falls half a minute from any cron tick
    tim3.deposit(alice, 3 * USDA, run=False)
    stall(tim3, "Mint")
    r = tim3.coord.send({"Action": "CleanupExpired"}, sender=tim3.admin).reply
    assert data_of(r) == {"cleanedOperations": 0, "timestamp": tim3.ao.now}
    tim3.ao.advance(TIMEOUT_MS + 10_000)  # 10 s past the deadline, 20 s before the next tick
    (opid,) = tim3.pending()
    r = tim3.coord.send({"Action": "CleanupExpired"}, sender=tim3.admin).reply
    assert r.action == "CleanupExpired-Response"
    # CleanupExpired is the one state-changing message the sweep-expired handler leaves alone, so
    # the reply counts the step it swept (once)
    assert data_of(r)["cleanedOperations"] == 1
    assert tim3.pending()[opid]["timeouts"] == 1
    assert [m.tags["Operation-Type"] for m in tim3.ao.pending if m.action == "Cancel"] == ["Mint"]
    tim3.ao.run()
    tim3.check()
