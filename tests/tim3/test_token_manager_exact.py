"""The token manager's Mint, Burn and Cancel from the coordinator, each refusal with its exact
text and no state change, idempotency per Operation-Id, and its Info at the shipped defaults."""

from __future__ import annotations

from typing import Any

import pytest

from tests.tim3.conftest import USDA, Tim3, data_of


def send(tim3: Tim3, **tags: str) -> Any:
    return tim3.token.send(tags, sender=tim3.coord).reply


@pytest.fixture
def funded(tim3: Tim3) -> str:
    """alice holds 3 TIM3, the coordinator 2 (handed in for a redeem that is not sent yet)."""
    alice = tim3.user("alice", 10 * USDA)
    tim3.deposit(alice, 5 * USDA)
    tim3.token.send({"Action": "Transfer", "Recipient": tim3.coord.id, "Quantity": str(2 * USDA), "Cast": "true"},
                    sender=alice)  # fmt: skip
    return alice


@pytest.mark.parametrize(
    ("action", "tags", "error"),
    [
        ("Mint", {"Recipient": "R" * 43, "Quantity": "5"}, "Operation-Id required"),
        ("Mint", {"Recipient": "R" * 43, "Quantity": "5", "Operation-Id": ""}, "Operation-Id required"),
        ("Mint", {"Quantity": "5", "Operation-Id": "m1"}, "Recipient required"),
        ("Mint", {"Recipient": "R" * 43, "Quantity": "5x", "Operation-Id": "m1"},
         "Invalid amount: Quantity has 'x' at position 2 (only digits 0-9 are allowed)"),
        ("Mint", {"Recipient": "R" * 43, "Quantity": "100000000001", "Operation-Id": "m1"},
         "Amount above maximum (100000000000)"),
        ("Burn", {"Quantity": "5"}, "Operation-Id required"),
        ("Burn", {"Quantity": "5", "Operation-Id": ""}, "Operation-Id required"),
        ("Burn", {"Quantity": "-5", "Operation-Id": "b1"},
         "Invalid burn amount: Quantity has '-' at position 1 (only digits 0-9 are allowed)"),
        ("Burn", {"Quantity": str(2 * USDA + 1), "Operation-Id": "b1"}, "Insufficient balance to burn"),
        ("Cancel", {"Operation-Id": "c1", "Operation-Type": "Transfer"}, "Operation-Type must be Mint or Burn"),
        ("Cancel", {"Operation-Id": "c1"}, "Operation-Type must be Mint or Burn"),
        ("Cancel", {"Operation-Type": "Mint"}, "Operation-Id required"),
        ("Cancel", {"Operation-Type": "Burn", "Operation-Id": ""}, "Operation-Id required"),
    ],
)  # fmt: skip
def test_refusals_are_exact_and_change_nothing(
    tim3: Tim3, funded: str, action: str, tags: dict[str, str], error: str
) -> None:
    before = tim3.token.snapshot()
    r = send(tim3, Action=action, **tags)
    assert (r.action, r.tags["Error"]) == (f"{action}-Error", error)
    tim3.ao.run()
    assert tim3.token.snapshot() == before


def test_mint_and_burn_are_idempotent_per_operation_id(tim3: Tim3, funded: str) -> None:
    first = send(tim3, Action="Mint", Recipient=funded, Quantity="7", **{"Operation-Id": "m-once"})
    supply = tim3.tim3_supply()
    again = send(tim3, Action="Mint", Recipient=funded, Quantity="7", **{"Operation-Id": "m-once"})
    assert first.action == again.action == "Mint-Response"
    assert data_of(again)["operationId"] == "m-once" and tim3.tim3_supply() == supply
    burn = send(tim3, Action="Burn", Quantity="3", **{"Operation-Id": "b-once"})
    supply = tim3.tim3_supply()
    burn_again = send(tim3, Action="Burn", Quantity="3", **{"Operation-Id": "b-once"})
    assert burn.action == burn_again.action == "Burn-Response"
    assert data_of(burn_again)["amount"] == "3" and tim3.tim3_supply() == supply
    # an Operation-Id names one operation: the other kind is refused
    cross = send(tim3, Action="Burn", Quantity="1", **{"Operation-Id": "m-once"})
    assert (cross.action, cross.tags["Error"]) == ("Burn-Error", "Operation-Id already used by a mint")
    cross = send(tim3, Action="Mint", Recipient=funded, Quantity="1", **{"Operation-Id": "b-once"})
    assert (cross.action, cross.tags["Error"]) == ("Mint-Error", "Operation-Id already used by a burn")
    tim3.ao.run()
    assert tim3.tim3_supply() == supply


def test_unwired_token_manager_refuses_mint_and_burn(tim3_unwired: Tim3) -> None:
    t = tim3_unwired
    for action in ("Mint", "Burn"):
        r = t.token.send({"Action": action, "Quantity": "1", "Recipient": "R" * 43, "Operation-Id": "x"},
                         sender=t.coord).reply  # fmt: skip
        assert (r.action, r.tags["Error"], r.tags["Operation-Id"]) == (
            f"{action}-Error",
            "Coordinator not configured",
            "x",
        )
    info = data_of(t.token.send({"Action": "Info"}).reply)
    assert info["config"]["coordinatorConfigured"] is False
    assert (info["tokenStats"]["uniqueHolders"], info["tokenStats"]["largestBalance"]) == (0, "0")


def test_info_and_balance_at_the_defaults(tim3: Tim3, funded: str) -> None:
    info = data_of(tim3.token.send({"Action": "Info"}).reply)
    cfg = info["config"]
    assert (cfg["maxSupply"], cfg["maxMintAmount"], cfg["minMintAmount"]) == (
        "1000000000000000",
        "100000000000",
        "1",
    )
    assert cfg["coordinatorConfigured"] is True
    assert info["tokenStats"]["uniqueHolders"] == 2 and info["tokenStats"]["largestBalance"] == str(3 * USDA)
    bob = tim3.ao.wallet("bob")
    tim3.transfer(funded, bob, 1)  # a holder of exactly one base unit counts
    stats = data_of(tim3.token.send({"Action": "Info"}).reply)["tokenStats"]
    assert stats["uniqueHolders"] == 3 and stats["largestBalance"] == str(3 * USDA - 1)
    r = tim3.token.send({"Action": "Balance", "Target": funded}).reply
    assert r.tags["Balance"] == str(3 * USDA - 1)
    r = tim3.token.send({"Action": "Balance"}, sender=funded).reply
    assert r.tags["Balance"] == str(3 * USDA - 1)
    carol = tim3.ao.wallet("carol")
    assert tim3.token.send({"Action": "Balance", "Recipient": carol}).reply.tags["Balance"] == "0"


def test_get_operation_filters(tim3: Tim3, funded: str) -> None:
    for opid in ("g1", "g2"):
        send(tim3, Action="Mint", Recipient=funded, Quantity="1", **{"Operation-Id": opid})
    one = data_of(
        tim3.token.send({"Action": "GetOperation", "Operation-Type": "mint", "Operation-Id": "g1"}).reply
    )
    assert list(one["operations"]) == ["g1"] and one["count"] == 1
    mine = data_of(
        tim3.token.send({"Action": "GetOperation", "Operation-Type": "mint", "User": funded}).reply
    )
    assert mine["count"] == 3  # the deposit's mint and g1, g2
    bad = tim3.token.send({"Action": "GetOperation", "Operation-Type": "Mint"}).reply
    assert bad.tags["Error"] == "OperationType must be 'mint' or 'burn'"


def test_token_manager_mint_range(tim3: Tim3, funded: str) -> None:
    tim3.configure(tim3.token, "MinMintAmount", "5")
    before = tim3.token.snapshot()
    r = send(tim3, Action="Mint", Recipient=funded, Quantity="4", **{"Operation-Id": "small"})
    assert (r.action, r.tags["Error"]) == ("Mint-Error", "Amount below minimum (5)")
    assert tim3.token.snapshot() == before
    r = send(tim3, Action="Mint", Recipient=funded, Quantity="5", **{"Operation-Id": "edge"})
    assert r.action == "Mint-Response"
