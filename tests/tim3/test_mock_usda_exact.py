"""Mock USDA's escrow (Lock / Unlock), Burn and queries, exactly: the refusals with their text,
the ledgers after each step (a lock that reaches zero disappears), and the shipped Logo."""

from __future__ import annotations

import pytest

from tests.tim3.conftest import USDA, Tim3, data_of


def test_lock_and_unlock_ledgers(tim3: Tim3) -> None:
    alice = tim3.user("alice", 10 * USDA)
    escrow = tim3.ao.wallet("escrow")
    r = tim3.usda.send({"Action": "Lock", "Quantity": str(4 * USDA), "Locker": escrow}, sender=alice).reply
    assert r.action == "Lock-Response"
    assert data_of(r) == {"user": alice, "amount": str(4 * USDA), "locker": escrow, "totalLocked": str(4 * USDA),
                          "availableBalance": str(6 * USDA)}  # fmt: skip
    tim3.usda.send({"Action": "Lock", "Quantity": str(USDA)}, sender=alice)  # alice as her own locker
    assert tim3.usda.globals["Locks"][alice] == {escrow: str(4 * USDA), alice: str(USDA)}
    assert tim3.usda.globals["LockedTotals"][alice] == str(5 * USDA)
    # partial unlock by the locker, then the rest: the entry and the total disappear at zero
    r = tim3.usda.send({"Action": "Unlock", "User": alice, "Quantity": str(3 * USDA)}, sender=escrow).reply
    assert data_of(r)["remainingLocked"] == str(2 * USDA) and data_of(r)["availableBalance"] == str(8 * USDA)
    assert tim3.usda.globals["Locks"][alice][escrow] == str(USDA)
    tim3.usda.send({"Action": "Unlock", "User": alice, "Quantity": str(USDA)}, sender=escrow)
    assert tim3.usda.globals["Locks"][alice] == {alice: str(USDA)}
    tim3.usda.send({"Action": "Unlock", "Quantity": str(USDA)}, sender=alice)
    assert tim3.usda.globals["Locks"][alice] == {}
    assert alice not in tim3.usda.globals["LockedTotals"]
    tim3.ao.run()
    # the two unlocks by the escrow are notified to alice, her own unlock is not
    assert len([m for m in tim3.ao.mailbox(alice) if m.action == "Unlock-Notice"]) == 2


@pytest.mark.parametrize(
    ("action", "tags", "error"),
    [
        (
            "Lock",
            {"Quantity": "x"},
            "Invalid amount: Quantity has 'x' at position 1 (only digits 0-9 are allowed)",
        ),
        ("Lock", {"Quantity": str(11 * USDA)}, "Insufficient available balance for lock"),
        ("Lock", {"Quantity": "1", "User": "O" * 43}, "Only the holder can lock its own balance"),
        ("Unlock", {"Quantity": ""}, "Invalid amount: Quantity is empty"),
        ("Unlock", {"Quantity": "1"}, "Insufficient locked balance"),
        (
            "Burn",
            {"Quantity": "0x1"},
            "Invalid amount: Quantity has 'x' at position 2 (only digits 0-9 are allowed)",
        ),
        ("Burn", {"Quantity": str(10 * USDA + 1)}, "Insufficient available balance"),
    ],
)
def test_refusals(tim3: Tim3, action: str, tags: dict[str, str], error: str) -> None:
    alice = tim3.user("alice", 10 * USDA)
    before = tim3.usda.snapshot()
    r = tim3.usda.send({"Action": action, **tags}, sender=alice).reply
    assert (r.action, r.tags["Error"]) == (f"{action}-Error", error)
    tim3.ao.run()
    assert tim3.usda.snapshot() == before


def test_burn_leaves_the_locked_part(tim3: Tim3) -> None:
    alice = tim3.user("alice", 10 * USDA)
    tim3.usda.send({"Action": "Lock", "Quantity": str(4 * USDA)}, sender=alice)
    r = tim3.usda.send({"Action": "Burn", "Quantity": str(6 * USDA + 1)}, sender=alice).reply
    assert r.tags["Error"] == "Insufficient available balance"
    r = tim3.usda.send({"Action": "Burn", "Quantity": str(6 * USDA)}, sender=alice).reply
    assert data_of(r) == {"user": alice, "amount": str(6 * USDA), "newBalance": str(4 * USDA)}
    assert tim3.usda_supply() == 4 * USDA


def test_info_and_balance(tim3: Tim3) -> None:
    alice = tim3.user("alice", 7)
    r = tim3.usda.send({"Action": "Info"}, sender=alice).reply
    assert (r.tags["Ticker"], r.tags["Logo"], r.tags["Denomination"]) == ("mUSDT", "development-token", "6")
    name = r.tags["Name"]
    assert r.data == f'{{"ticker":"mUSDT","totalSupply":7,"denomination":6,"name":"{name}"}}'
    assert tim3.usda.send({"Action": "Balance", "Target": alice}).reply.tags["Balance"] == "7"
    assert tim3.usda.send({"Action": "Balance", "Recipient": alice}).reply.tags["Balance"] == "7"
    assert tim3.usda.send({"Action": "Balance"}, sender=alice).reply.tags["Balance"] == "7"
