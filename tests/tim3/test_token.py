"""The token parts Mock USDA and the TIM3 token manager share (ao/lib/token.lua), and the rules in
which they differ on purpose: Mock USDA follows USDA (locked funds cannot move, holders at zero stay
in Balances), the TIM3 token its own (a transfer switch, holders at zero leave Balances)."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from harness.process import Process
from tests.tim3.conftest import USDA, Tim3


@dataclass(frozen=True)
class TokenCase:
    handle: str
    ticker: str
    invalid: str  # prefix of the error for a malformed Quantity
    insufficient: str
    keeps_zero: bool


CASES = [
    TokenCase("usda", "mUSDT", "Invalid amount: ", "Insufficient available balance", keeps_zero=True),
    TokenCase("token", "TIM3", "Invalid transfer amount: ", "Insufficient balance", keeps_zero=False),
]


def funded(tim3: Tim3, case: TokenCase) -> tuple[Process, str, str]:
    """The token, alice holding 10 units of it, and bob holding none."""
    alice, bob = tim3.user("alice", 10 * USDA), tim3.ao.wallet("bob")
    if case.handle == "token":
        tim3.deposit(alice, 10 * USDA)
    return getattr(tim3, case.handle), alice, bob


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.handle)
def test_transfer_notices_forward_x_tags_only(tim3: Tim3, case: TokenCase) -> None:
    token, alice, bob = funded(tim3, case)
    r = token.send({"Action": "Transfer", "Recipient": bob, "Quantity": "3", "X-Note": "rent", "Memo": "m"},
                   sender=alice)
    tim3.ao.run()
    [debit] = [m for m in r.messages if m.action == "Debit-Notice"]
    [credit] = [m for m in tim3.ao.mailbox(bob) if m.action == "Credit-Notice"]
    assert debit.tags["X-Note"] == credit.tags["X-Note"] == "rent"
    assert "Memo" not in debit.tags and "Memo" not in credit.tags
    assert (debit.tags["Recipient"], debit.tags["Quantity"]) == (bob, "3")
    assert (credit.tags["Sender"], credit.tags["Quantity"]) == (alice, "3")
    assert json.loads(credit.data) == {"from": alice, "amount": "3", "newBalance": "3"}
    assert json.loads(debit.data) == {"recipient": bob, "amount": "3", "newBalance": str(10 * USDA - 3)}


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.handle)
def test_cast_transfer_moves_balances_without_notices(tim3: Tim3, case: TokenCase) -> None:
    token, alice, bob = funded(tim3, case)
    r = token.send({"Action": "Transfer", "Recipient": bob, "Quantity": "5", "Cast": "true"}, sender=alice)
    tim3.ao.run()
    assert r.messages == [] and tim3.ao.mailbox(bob) == []
    assert token.globals["Balances"][bob] == "5"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.handle)
@pytest.mark.parametrize(
    ("tags", "error"),
    [
        ({"Quantity": "1"}, "Recipient required"),
        ({"Recipient": "bob", "Quantity": "01"}, "invalid"),
        ({"Recipient": "bob", "Quantity": str(11 * USDA)}, "insufficient"),
    ],
    ids=["no-recipient", "bad-quantity", "too-much"],
)
def test_refused_transfer_keeps_its_text(tim3: Tim3, case: TokenCase, tags: dict[str, str], error: str) -> None:
    token, alice, _ = funded(tim3, case)
    before = dict(token.globals["Balances"])
    r = token.send({"Action": "Transfer", **tags}, sender=alice)
    text = r.reply.tags["Error"]
    if error == "invalid":
        assert text.startswith(case.invalid) and text != case.invalid
    else:
        assert text == (case.insufficient if error == "insufficient" else error)
    assert r.reply.action == "Transfer-Error" and token.globals["Balances"] == before


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.handle)
def test_a_holder_at_zero(tim3: Tim3, case: TokenCase) -> None:
    token, alice, bob = funded(tim3, case)
    token.send({"Action": "Transfer", "Recipient": bob, "Quantity": str(10 * USDA)}, sender=alice)
    tim3.ao.run()
    assert (alice in token.globals["Balances"]) is case.keeps_zero
    assert token.globals["Balances"].get(alice, "0") == "0"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.handle)
def test_balances_and_total_supply_queries(tim3: Tim3, case: TokenCase) -> None:
    token, alice, _ = funded(tim3, case)
    r = token.send({"Action": "Balances"}, sender=alice)
    assert (r.reply.action, r.reply.tags["Ticker"]) == ("Balances-Response", case.ticker)
    assert json.loads(r.reply.data)[alice] == str(10 * USDA)
    r = token.send({"Action": "Total-Supply"}, sender=alice)
    assert (r.reply.action, r.reply.tags["Ticker"], r.reply.data) == (
        "Total-Supply", case.ticker, token.globals["TotalSupply"])


def test_mock_usda_moves_only_the_unlocked_part(tim3: Tim3) -> None:
    token, alice, bob = funded(tim3, CASES[0])
    assert tim3.usda.send({"Action": "Lock", "Quantity": str(8 * USDA)}, sender=alice).reply.action == "Lock-Response"
    r = token.send({"Action": "Transfer", "Recipient": bob, "Quantity": str(3 * USDA)}, sender=alice)
    assert r.reply.tags["Error"] == "Insufficient available balance"


def test_token_manager_transfer_switch_is_checked_first(tim3: Tim3) -> None:
    token, alice, _ = funded(tim3, CASES[1])
    tim3.configure(token, "TransfersEnabled", "false")
    r = token.send({"Action": "Transfer", "Quantity": "x"}, sender=alice)  # malformed too: the switch wins
    assert r.reply.tags["Error"] == "Transfers are currently disabled"
    transfers = token.globals["TokenStats"]["totalTransfers"]
    tim3.configure(token, "TransfersEnabled", "true")
    token.send({"Action": "Transfer", "Recipient": tim3.ao.wallet("bob"), "Quantity": "1"}, sender=alice)
    assert token.globals["TokenStats"]["totalTransfers"] == transfers + 1
