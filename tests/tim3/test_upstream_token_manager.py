"""Ports of ao/token-manager/test/token_manager_spec.lua (17): "TIM3 Token Manager Process".

The coordinator is played by a wallet.  Balances and statistics are made by real messages, not
by writing globals.  See tests/PORTING.md."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest

from harness import Network
from harness.process import Process
from tests.tim3.conftest import data_of

_ids = itertools.count(1)


@pytest.fixture
def tm(ao: Network, fresh: Callable[..., Process]) -> Process:
    p = fresh("token-manager")  # ao.spawn("token-manager"), a clone of a spawned one
    r = p.send({"Action": "Configure", "Config-Type": "CoordinatorProcess", "Value": ao.wallet("coordinator")})
    assert r.reply.action == "Configure-Response"
    return p


def mint(ao: Network, tm: Process, who: str, qty: int):
    return tm.send({"Action": "Mint", "Recipient": who, "Quantity": str(qty), "Operation-Id": f"op-{next(_ids)}"},
                   sender=ao.wallet("coordinator"))


def configure(tm: Process, ctype: str, value: str) -> None:
    assert tm.send({"Action": "Configure", "Config-Type": ctype, "Value": value}).reply.action == "Configure-Response"


def test_t01_info(tm: Process) -> None:
    body = data_of(tm.send({"Action": "Info"}).reply)
    assert (body["processInfo"]["name"], body["processInfo"]["ticker"]) == ("TIM3 Token Manager", "TIM3-TOKEN")
    assert (body["tokenInfo"]["name"], body["tokenInfo"]["ticker"], body["tokenInfo"]["denomination"]) == ("TIM3 Token", "TIM3", 6)


def test_t02_balance(ao: Network, tm: Process) -> None:
    user1 = ao.wallet("user1")
    mint(ao, tm, user1, 1500)
    assert data_of(tm.send({"Action": "Balance"}, sender=user1).reply) == {"target": user1, "balance": "1500", "ticker": "TIM3"}


def test_t03_balances_omit_zero(ao: Network, tm: Process) -> None:
    u1, u2, u3 = (ao.wallet(n) for n in ("user1", "user2", "user3"))
    mint(ao, tm, u1, 1000)
    mint(ao, tm, u2, 500)
    mint(ao, tm, u3, 10)
    tm.send({"Action": "Transfer", "Recipient": u1, "Quantity": "10"}, sender=u3)
    assert data_of(tm.send({"Action": "Balances"}).reply) == {u1: "1010", u2: "500"}


def test_t04_mint(ao: Network, tm: Process) -> None:
    user1 = ao.wallet("user1")
    r = mint(ao, tm, user1, 1000)
    assert [m.action for m in r.messages] == ["Mint-Response", "Credit-Notice"]
    assert r.messages[0].target == ao.wallet("coordinator") and r.messages[1].target == user1
    body = data_of(r.messages[0])
    assert (body["recipient"], body["amount"], body["newBalance"], body["totalSupply"]) == (user1, "1000", "1000", "1000")
    assert tm.globals["Balances"][user1] == "1000"
    assert tm.globals["TokenStats"]["totalMinted"] == "1000" and tm.globals["TokenStats"]["mintOperations"] == 1


def test_t05_minting_disabled(ao: Network, tm: Process) -> None:
    configure(tm, "MintingEnabled", "false")
    assert mint(ao, tm, ao.wallet("user1"), 10).reply.tags["Error"] == "Minting is currently disabled"


def test_t06_mint_without_recipient(ao: Network, tm: Process) -> None:
    r = tm.send({"Action": "Mint", "Quantity": "10", "Operation-Id": "x"}, sender=ao.wallet("coordinator"))
    assert r.reply.tags["Error"] == "Recipient required"


def test_t07_mint_above_max_supply(ao: Network, tm: Process) -> None:
    configure(tm, "MaxSupply", "1000")
    mint(ao, tm, ao.wallet("user1"), 500)
    r = mint(ao, tm, ao.wallet("user1"), 600)
    assert r.messages[0].action == "Mint-Error" and r.messages[0].tags["Error"] == "Minting would exceed max supply"


def burn(ao: Network, tm: Process, qty: int, user: str | None = None):
    tags = {"Action": "Burn", "Quantity": str(qty), "Operation-Id": f"op-{next(_ids)}"}
    if user:
        tags["User"] = user
    return tm.send(tags, sender=ao.wallet("coordinator"))


@pytest.fixture
def coord_1000(ao: Network, tm: Process) -> str:
    """The coordinator holds 1000 TIM3 handed in for redemption."""
    c = ao.wallet("coordinator")
    mint(ao, tm, c, 1000)
    return c


def test_t08_burn(ao: Network, tm: Process, coord_1000: str) -> None:
    r = burn(ao, tm, 400)
    assert len(r.messages) == 1 and r.reply.action == "Burn-Response"
    body = data_of(r.reply)
    assert (body["user"], body["amount"], body["newBalance"], body["totalSupply"]) == (coord_1000, "400", "600", "600")
    assert tm.globals["Balances"][coord_1000] == "600"
    assert tm.globals["TokenStats"]["totalBurned"] == "400" and tm.globals["TokenStats"]["burnOperations"] == 1


def test_t09_burning_disabled(ao: Network, tm: Process, coord_1000: str) -> None:
    configure(tm, "BurningEnabled", "false")
    assert burn(ao, tm, 100).reply.tags["Error"] == "Burning is currently disabled"


def test_t10_burn_more_than_balance(ao: Network, tm: Process, coord_1000: str) -> None:
    assert burn(ao, tm, 1500).reply.tags["Error"] == "Insufficient balance to burn"


def test_t11_nobody_burns_another_users_tokens(ao: Network, tm: Process) -> None:
    user1 = ao.wallet("user1")
    mint(ao, tm, user1, 1000)
    r = burn(ao, tm, 300, user=user1)
    assert r.reply.tags["Error"] == "Unauthorized to burn tokens for this user"
    assert tm.globals["Balances"][user1] == "1000"


@pytest.fixture
def users(ao: Network, tm: Process) -> tuple[str, str]:
    u1, u2 = ao.wallet("user1"), ao.wallet("user2")
    mint(ao, tm, u1, 1000)
    mint(ao, tm, u2, 500)
    return u1, u2


def test_t12_transfer(ao: Network, tm: Process, users: tuple[str, str]) -> None:
    u1, u2 = users
    r = tm.send({"Action": "Transfer", "Recipient": u2, "Quantity": "300"}, sender=u1)
    assert [(m.action, m.target) for m in r.messages] == [("Debit-Notice", u1), ("Credit-Notice", u2)]
    assert data_of(r.messages[0]) == {"recipient": u2, "amount": "300", "newBalance": "700"}
    assert (tm.globals["Balances"][u1], tm.globals["Balances"][u2]) == ("700", "800")
    assert tm.globals["TokenStats"]["totalTransfers"] == 1


def test_t13_transfer_disabled(tm: Process, users: tuple[str, str]) -> None:
    configure(tm, "TransfersEnabled", "false")
    r = tm.send({"Action": "Transfer", "Recipient": users[1], "Quantity": "300"}, sender=users[0])
    assert r.reply.tags["Error"] == "Transfers are currently disabled"


def test_t14_transfer_insufficient(tm: Process, users: tuple[str, str]) -> None:
    r = tm.send({"Action": "Transfer", "Recipient": users[1], "Quantity": "1500"}, sender=users[0])
    assert r.reply.tags["Error"] == "Insufficient balance"


def test_t15_statistics(ao: Network, tm: Process, users: tuple[str, str]) -> None:
    c = ao.wallet("coordinator")
    mint(ao, tm, c, 500)
    burn(ao, tm, 500)
    body = data_of(tm.send({"Action": "TokenStats"}).reply)
    assert (body["tokenInfo"]["name"], body["tokenInfo"]["totalSupply"]) == ("TIM3 Token", "1500")
    s = body["statistics"]
    assert (s["totalMinted"], s["totalBurned"], s["totalTransfers"]) == ("2000", "500", 0)
    assert (s["uniqueHolders"], s["largestBalance"], s["mintOperations"], s["burnOperations"]) == (2, "1000", 3, 1)


def test_t16_mint_operations_for_user(ao: Network, tm: Process) -> None:
    u1, u2 = ao.wallet("user1"), ao.wallet("user2")
    a = data_of(mint(ao, tm, u1, 10).reply)["operationId"]
    mint(ao, tm, u2, 20)
    b = data_of(mint(ao, tm, u1, 30).reply)["operationId"]
    body = data_of(tm.send({"Action": "GetOperation", "Operation-Type": "mint", "User": u1}).reply)
    assert body["operationType"] == "mint" and body["count"] == 2
    assert set(body["operations"]) == {a, b}


def test_t17_invalid_operation_type(tm: Process) -> None:
    r = tm.send({"Action": "GetOperation", "Operation-Type": "swap"})
    assert r.reply.action == "GetOperation-Error" and r.reply.tags["Error"] == "OperationType must be 'mint' or 'burn'"
