"""I6, exactly: an unauthorised sender of every cross-process action of every process gets that
action's own error text, and no capitalised global of any process changes, while a real
operation of that kind is in flight (so a missing check would have something to change)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from harness.messages import Message
from tests.tim3.conftest import USDA, Tim3


def stall(tim3: Tim3, action: str) -> Message:
    """Deliver queued messages until one with *action* is queued; drop it (lost) and run the rest."""
    lost: list[Message] = []
    while tim3.ao.pending and not lost:
        lost = tim3.ao.drop(lambda m: m.action == action)
        if not lost:
            tim3.ao.step()
    assert lost, f"no {action} message was sent"
    tim3.ao.run()
    return lost[0]


@dataclass
class InFlight:
    alice: str
    mint: Message  # the coordinator's Mint to the token manager, lost
    burn: Message  # the coordinator's Burn, lost
    release: Message  # the coordinator's Release to the lock manager, lost
    token_op: str  # an Operation-Id the token manager has executed


@pytest.fixture
def inflight(tim3: Tim3) -> InFlight:
    alice = tim3.user("alice", 50 * USDA)
    tim3.deposit(alice, 20 * USDA)
    token_op = next(iter(tim3.token.globals["Operations"]))
    tim3.deposit(alice, 2 * USDA, run=False)
    mint = stall(tim3, "Mint")
    tim3.redeem(alice, USDA, run=False)
    burn = stall(tim3, "Burn")
    tim3.redeem(alice, 2 * USDA, run=False)
    release = stall(tim3, "Release")
    assert len(tim3.pending()) == 3
    return InFlight(alice, mint, burn, release, token_op)


def everything(tim3: Tim3) -> dict[str, str]:
    """Every capitalised global of every process (aos's own excluded), as canonical text."""
    return {p.name: p.snapshot() for p in (tim3.usda, tim3.lock, tim3.token, tim3.coord, tim3.state)}


# (process, tags builder, error action, exact error)
CASES = {
    "lock Credit-Notice": ("lock", lambda t, f: {"Action": "Credit-Notice", "Sender": f.alice, "Quantity": str(USDA)},
                           "Credit-Notice", "Unauthorized: Credit-Notice is accepted only from the collateral token"),
    "lock Collateral-Deposited-Response": ("lock", lambda t, f: {"Action": "Collateral-Deposited-Response",
                                           "Operation-Id": f.mint.tags["Operation-Id"]},
                                           "Collateral-Deposited-Response", "Unauthorized caller"),
    "lock Release": ("lock", lambda t, f: {"Action": "Release", "User": f.alice, "Quantity": str(USDA),
                     "Operation-Id": f.release.tags["Operation-Id"]}, "Release", "Unauthorized caller"),
    "lock Cancel": ("lock", lambda t, f: {"Action": "Cancel", "Operation-Id": f.release.tags["Operation-Id"]},
                    "Cancel", "Unauthorized caller"),
    "lock Debit-Notice": ("lock", lambda t, f: {"Action": "Debit-Notice", "X-Operation-Id": "x", "Quantity": "1"},
                          "Debit-Notice", "Unauthorized: Debit-Notice is accepted only from the collateral token"),
    "lock Transfer-Error": ("lock", lambda t, f: {"Action": "Transfer-Error", "X-Reference": "1", "Error": "x"},
                            "Transfer-Error", "Unauthorized: accepted only from the collateral token"),
    "coord Collateral-Deposited": ("coord", lambda t, f: {"Action": "Collateral-Deposited", "User": f.alice,
                                   "Quantity": str(USDA), "Operation-Id": "forged-deposit"},
                                   "Collateral-Deposited", "Unauthorized: only the lock manager reports deposits"),
    "coord Credit-Notice": ("coord", lambda t, f: {"Action": "Credit-Notice", "Sender": f.alice,
                            "Quantity": str(USDA), "X-Action": "Redeem"},
                            "Credit-Notice", "Unauthorized: Credit-Notice accepted only from the TIM3 token"),
    "coord Debit-Notice": ("coord", lambda t, f: {"Action": "Debit-Notice", "Quantity": "1"},
                           "Debit-Notice", "Unauthorized sender"),
    "coord Update-Position-Response": ("coord", lambda t, f: {"Action": "Update-Position-Response"},
                                       "Update-Position-Response", "Unauthorized sender"),
    "coord Update-Position-Error": ("coord", lambda t, f: {"Action": "Update-Position-Error", "Error": "x"},
                                    "Update-Position-Error", "Unauthorized sender"),
    "coord Risk-Alert": ("coord", lambda t, f: {"Action": "Risk-Alert"}, "Risk-Alert", "Unauthorized sender"),
    "coord Mint-Response": ("coord", lambda t, f: {"Action": "Mint-Response", "Operation-Id": f.mint.tags["Operation-Id"]},
                            "Mint-Response", "Unauthorized sender"),
    "coord Mint-Error": ("coord", lambda t, f: {"Action": "Mint-Error", "Operation-Id": f.mint.tags["Operation-Id"],
                         "Error": "x"}, "Mint-Error", "Unauthorized sender"),
    "coord Burn-Response": ("coord", lambda t, f: {"Action": "Burn-Response", "Operation-Id": f.burn.tags["Operation-Id"]},
                            "Burn-Response", "Unauthorized sender"),
    "coord Burn-Error": ("coord", lambda t, f: {"Action": "Burn-Error", "Operation-Id": f.burn.tags["Operation-Id"],
                         "Error": "x"}, "Burn-Error", "Unauthorized sender"),
    "coord Release-Response": ("coord", lambda t, f: {"Action": "Release-Response",
                               "Operation-Id": f.release.tags["Operation-Id"]}, "Release-Response", "Unauthorized sender"),
    "coord Release-Error": ("coord", lambda t, f: {"Action": "Release-Error", "Operation-Id": f.release.tags["Operation-Id"],
                            "Error": "x"}, "Release-Error", "Unauthorized sender"),
    "coord Release-Failed": ("coord", lambda t, f: {"Action": "Release-Failed",
                             "Operation-Id": f.release.tags["Operation-Id"], "Error": "x"},
                             "Release-Failed", "Unauthorized sender"),
    "token Mint": ("token", lambda t, f: {"Action": "Mint", "Recipient": f.alice, "Quantity": str(USDA),
                   "Operation-Id": f.mint.tags["Operation-Id"]}, "Mint", "Unauthorized minter - must be coordinator process"),
    "token Burn": ("token", lambda t, f: {"Action": "Burn", "Quantity": str(USDA),
                   "Operation-Id": f.burn.tags["Operation-Id"]}, "Burn", "Unauthorized burner - redeem through the coordinator"),
    "token Cancel": ("token", lambda t, f: {"Action": "Cancel", "Operation-Id": f.token_op, "Operation-Type": "Mint"},
                     "Cancel", "Unauthorized - only the coordinator can cancel"),
    "state Update-Position": ("state", lambda t, f: {"Action": "Update-Position", "User": f.alice, "Collateral": "5",
                              "Tim3-Balance": "5", "Operation": "add"},
                              "Update-Position", "Unauthorized - only the coordinator can update positions"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("who", ["wallet", "other process"])
def test_unauthorised_sender_gets_the_exact_error_and_changes_nothing(
    tim3: Tim3, inflight: InFlight, case: str, who: str
) -> None:
    proc_name, tags_of, action, error = CASES[case]
    proc = getattr(tim3, proc_name)
    # the other process: one that is configured somewhere, but not for this action
    from_state = proc_name == "state" or action in (
        "Update-Position-Response",
        "Update-Position-Error",
        "Risk-Alert",
    )
    sender = tim3.ao.wallet("mallory") if who == "wallet" else (tim3.lock if from_state else tim3.state)
    if who == "wallet" and proc_name == "lock" and action == "Credit-Notice":
        sender = inflight.alice  # even the depositor cannot forge the token's notice
    before = everything(tim3)
    r = proc.send(tags_of(tim3, inflight), sender=sender)
    assert r.error is None, r.error
    assert r.reply.action == f"{action}-Error"
    assert r.reply.tags["Error"] == error
    tim3.ao.run()
    assert everything(tim3) == before


def test_the_forged_messages_would_change_state_from_the_right_sender(tim3: Tim3, inflight: InFlight) -> None:
    """The fixture's operations are live: the same Release from the coordinator does pay out."""
    before = tim3.usda_balance(inflight.alice)
    tag = inflight.release.tags
    r = tim3.lock.send(
        {
            "Action": "Release",
            "User": tag["User"],
            "Quantity": tag["Quantity"],
            "Operation-Id": tag["Operation-Id"],
        },
        sender=tim3.coord,
    )
    assert r.reply.action == "Release-Response"
    tim3.ao.run()
    assert tim3.usda_balance(inflight.alice) == before + int(tag["Quantity"])
