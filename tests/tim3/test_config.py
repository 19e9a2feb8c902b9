"""The shared Admin check and ``Configure`` handler (ao/lib/config.lua): every process answers with
the same texts it always has, and the Admin comparison is written once."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.tim3.conftest import Tim3

AO = Path(__file__).resolve().parents[2] / "ao"
HANDLES = {"mock-usda": "usda", "lock-manager": "lock", "token-manager": "token", "coordinator": "coord",
           "state-manager": "state"}

#: (process, Config-Type, Value, the Error of the Configure-Error reply)
REFUSED = [
    *[(p, "Nope", "1", "Unknown configuration type: Nope") for p in HANDLES],
    *[(p, None, "1", "Unknown configuration type: nil") for p in HANDLES],
    ("mock-usda", "AdminProcess", "x", "Invalid value for AdminProcess: need a 43-character address"),
    *[(p, "AdminProcess", "x", "Invalid value for AdminProcess: need a 43-character process id")
      for p in HANDLES if p != "mock-usda"],
    ("mock-usda", "FaucetMax", "0", "Invalid value for FaucetMax: must be greater than zero"),
    ("lock-manager", "CoordinatorProcess", "short", "Invalid value for CoordinatorProcess: need a 43-character process id"),
    ("lock-manager", "MaxLockAmount", "1.5",
     "Invalid value for MaxLockAmount: has '.' at position 2 (only digits 0-9 are allowed)"),
    ("token-manager", "MintingEnabled", "yes", "Invalid value for MintingEnabled: need 'true' or 'false'"),
    ("token-manager", "MaxSupply", "-1", "Invalid value for MaxSupply: has '-' at position 1 (only digits 0-9 are allowed)"),
    ("coordinator", "PendingTimeout", "0", "Invalid value for PendingTimeout: need a positive whole number"),
    ("coordinator", "SystemActive", "1", "Invalid value for SystemActive: need 'true' or 'false'"),
    ("coordinator", "CollateralRatio", "2", "Invalid value for CollateralRatio: TIM3 is backed 1:1, only '1' is accepted"),
    ("state-manager", "TargetCollateralRatio", "0", "Invalid value for TargetCollateralRatio: must be above zero"),
]


@pytest.mark.parametrize(("name", "ctype", "value", "error"), REFUSED)
def test_refused_configuration_keeps_its_text_and_changes_nothing(
    tim3: Tim3, name: str, ctype: str | None, value: str, error: str
) -> None:
    proc = getattr(tim3, HANDLES[name])
    before = tim3.snapshot()
    tags = {"Action": "Configure", "Value": value} | ({"Config-Type": ctype} if ctype else {})
    r = proc.send(tags, sender=tim3.admin)
    assert (r.reply.action, r.reply.tags["Error"], r.reply.data) == ("Configure-Error", error, error)
    tim3.ao.run()
    assert tim3.snapshot() == before


@pytest.mark.parametrize("name", list(HANDLES))
def test_only_the_admin_configures_and_admin_can_be_handed_over(tim3: Tim3, name: str) -> None:
    proc = getattr(tim3, HANDLES[name])
    mallory, heir = tim3.ao.wallet("mallory"), tim3.ao.wallet("heir")
    r = proc.send({"Action": "Configure", "Config-Type": "AdminProcess", "Value": mallory}, sender=mallory)
    assert (r.reply.action, r.reply.tags["Error"]) == ("Configure-Error", "Unauthorized - only admin can configure")
    r = proc.send({"Action": "Configure", "Config-Type": "AdminProcess", "Value": heir}, sender=tim3.admin)
    assert r.reply.action == "Configure-Response"
    assert json.loads(r.reply.data) == {"configType": "AdminProcess", "value": heir, "success": True}
    assert proc.globals["Admin"] == heir
    r = proc.send({"Action": "Configure", "Config-Type": "AdminProcess", "Value": tim3.admin}, sender=tim3.admin)
    assert r.reply.tags["Error"] == "Unauthorized - only admin can configure"


@pytest.mark.parametrize(
    ("action", "error"),
    [
        ("SetProcessConfig", "Unauthorized - only admin can configure"),
        ("SetLockManagerProcess", "Unauthorized - only admin can configure"),
        ("EmergencyPause", "Unauthorized - only admin can pause system"),
        ("CleanupExpired", "Unauthorized - only admin can clean up"),
    ],
)
def test_coordinator_admin_actions_share_the_check(tim3: Tim3, action: str, error: str) -> None:
    before = tim3.snapshot()
    r = tim3.coord.send({"Action": action, "Pause": "true", "Process-Id": tim3.ao.wallet("mallory")},
                        sender=tim3.ao.wallet("mallory"))
    assert (r.reply.action, r.reply.tags["Error"]) == (action + "-Error", error)
    assert tim3.snapshot() == before


def test_the_admin_comparison_is_written_once() -> None:
    """Security code exists once: only ao/lib/config.lua compares a sender with Admin."""
    compare = re.compile(r"(==|~=)\s*Admin\b|\bAdmin\s*(==|~=)")
    sources = sorted([*AO.glob("*/src/*.lua"), *AO.glob("lib/*.lua")])  # not the generated builds
    found = [p.relative_to(AO).as_posix() for p in sources if compare.search(p.read_text())]
    assert found == ["lib/config.lua"]
