"""Ports of ao/mock-usda/test/process_spec.lua (17) and simple_spec.lua (8).  See tests/PORTING.md."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from harness import Network
from harness.process import Process
from tests.tim3.conftest import data_of


@pytest.fixture
def usda(fresh: Callable[..., Process]) -> Process:
    return fresh("mock-usda", tags={"Name": "Mock USDA"})  # ao.spawn(...), a clone of a spawned one


def fund(usda: Process, who: str, qty: int, locked: int = 0, locker: str | None = None) -> None:
    assert usda.send({"Action": "Mint", "Quantity": str(qty)}, sender=who).reply.action == "Mint-Response"
    if locked:
        tags = {"Action": "Lock", "Quantity": str(locked)}
        if locker:
            tags["Locker"] = locker
        assert usda.send(tags, sender=who).reply.action == "Lock-Response"


def locked(usda: Process, who: str) -> str:
    return usda.globals["LockedTotals"].get(who, "0")


# -- process_spec.lua: "Mock USDA Process" ----------------------------------------------------------

def test_ps01_info(ao: Network, usda: Process) -> None:
    r = usda.send({"Action": "Info"}, sender=ao.wallet("user1"))
    assert len(r.messages) == 1 and r.reply.action == "Info-Response"
    body = data_of(r.reply)
    assert body == {"name": "Mock USDA", "ticker": "mUSDT", "denomination": 6, "totalSupply": 0}


def test_ps02_zero_balance(ao: Network, usda: Process) -> None:
    user1 = ao.wallet("user1")
    r = usda.send({"Action": "Balance"}, sender=user1)
    assert len(r.messages) == 1 and r.reply.action == "Balance-Response"
    assert data_of(r.reply) == {"target": user1, "balance": "0", "locked": "0", "available": "0"}


def test_ps03_balance_with_tokens(ao: Network, usda: Process) -> None:
    user1 = ao.wallet("user1")
    fund(usda, user1, 1000)
    body = data_of(usda.send({"Action": "Balance"}, sender=user1).reply)
    assert (body["balance"], body["locked"], body["available"]) == ("1000", "0", "1000")


def test_ps04_available_with_locked(ao: Network, usda: Process) -> None:
    user1 = ao.wallet("user1")
    fund(usda, user1, 1000, locked=300, locker=ao.wallet("tim3-lock-manager"))
    body = data_of(usda.send({"Action": "Balance"}, sender=user1).reply)
    assert (body["balance"], body["locked"], body["available"]) == ("1000", "300", "700")


def test_ps05_mint_to_sender(ao: Network, usda: Process) -> None:
    user1 = ao.wallet("user1")
    r = usda.send({"Action": "Mint", "Amount": "500"}, sender=user1)
    assert len(r.messages) == 1 and r.reply.action == "Mint-Response"
    assert data_of(r.reply) == {"recipient": user1, "amount": "500", "newBalance": "500"}
    assert usda.globals["Balances"][user1] == "500" and usda.globals["TotalSupply"] == "500"


def test_ps06_mint_to_recipient(ao: Network, usda: Process) -> None:
    user1, user2 = ao.wallet("user1"), ao.wallet("user2")
    r = usda.send({"Action": "Mint", "Amount": "1000", "Recipient": user2}, sender=user1)
    assert [m.action for m in r.messages] == ["Mint-Response", "Credit-Notice"]
    assert r.messages[1].target == user2
    assert usda.globals["Balances"].get(user2) == "1000" and user1 not in usda.globals["Balances"]


def test_ps07_reject_invalid_mint_amount(ao: Network, usda: Process) -> None:
    r = usda.send({"Action": "Mint", "Amount": "0"}, sender=ao.wallet("user1"))
    assert len(r.messages) == 1 and r.reply.action == "Mint-Error"
    assert "Invalid mint amount" in r.reply.data


@pytest.fixture
def user1_1000(ao: Network, usda: Process) -> str:
    user1 = ao.wallet("user1")
    fund(usda, user1, 1000)
    return user1


def test_ps08_transfer(ao: Network, usda: Process, user1_1000: str) -> None:
    user2 = ao.wallet("user2")
    r = usda.send({"Action": "Transfer", "Recipient": user2, "Quantity": "300"}, sender=user1_1000)
    assert [m.action for m in r.messages] == ["Debit-Notice", "Credit-Notice"]
    assert data_of(r.messages[0]) == {"recipient": user2, "amount": "300", "newBalance": "700"}
    assert r.messages[1].target == user2
    assert usda.globals["Balances"][user1_1000] == "700" and usda.globals["Balances"][user2] == "300"


def test_ps09_transfer_without_recipient(usda: Process, user1_1000: str) -> None:
    r = usda.send({"Action": "Transfer", "Quantity": "300"}, sender=user1_1000)
    assert r.reply.action == "Transfer-Error" and r.reply.tags["Error"] == "Recipient required"


def test_ps10_transfer_insufficient(ao: Network, usda: Process, user1_1000: str) -> None:
    r = usda.send({"Action": "Transfer", "Recipient": ao.wallet("user2"), "Quantity": "1500"}, sender=user1_1000)
    assert r.reply.tags["Error"] == "Insufficient available balance"


def test_ps11_transfer_respects_locked(ao: Network, usda: Process, user1_1000: str) -> None:
    usda.send({"Action": "Lock", "Quantity": "400", "Locker": ao.wallet("locker")}, sender=user1_1000)
    r = usda.send({"Action": "Transfer", "Recipient": ao.wallet("user2"), "Quantity": "700"}, sender=user1_1000)
    assert r.reply.tags["Error"] == "Insufficient available balance"


def test_ps12_lock(ao: Network, usda: Process, user1_1000: str) -> None:
    locker = ao.wallet("tim3-lock-manager")
    r = usda.send({"Action": "Lock", "Quantity": "300", "Locker": locker}, sender=user1_1000)
    assert [m.action for m in r.messages] == ["Lock-Response", "Lock-Confirmed"]
    body = data_of(r.messages[0])
    assert (body["user"], body["amount"], body["totalLocked"], body["availableBalance"]) == (user1_1000, "300", "300", "700")
    assert r.messages[1].target == locker
    assert locked(usda, user1_1000) == "300"


def test_ps13_lock_insufficient(usda: Process, user1_1000: str) -> None:
    r = usda.send({"Action": "Lock", "Quantity": "1500"}, sender=user1_1000)
    assert len(r.messages) == 1 and r.reply.tags["Error"] == "Insufficient available balance for lock"


def test_ps14_locks_accumulate(ao: Network, usda: Process, user1_1000: str) -> None:
    locker = ao.wallet("locker")
    usda.send({"Action": "Lock", "Quantity": "200", "Locker": locker}, sender=user1_1000)
    r = usda.send({"Action": "Lock", "Quantity": "300", "Locker": locker}, sender=user1_1000)
    body = data_of(r.messages[0])
    assert (body["totalLocked"], body["availableBalance"]) == ("500", "500")
    assert locked(usda, user1_1000) == "500"


@pytest.fixture
def locker_400(ao: Network, usda: Process, user1_1000: str) -> str:
    locker = ao.wallet("tim3-lock-manager")
    usda.send({"Action": "Lock", "Quantity": "400", "Locker": locker}, sender=user1_1000)
    return locker


def test_ps15_unlock(usda: Process, user1_1000: str, locker_400: str) -> None:
    r = usda.send({"Action": "Unlock", "User": user1_1000, "Quantity": "200"}, sender=locker_400)
    assert [m.action for m in r.messages] == ["Unlock-Response", "Unlock-Notice"]
    body = data_of(r.messages[0])
    assert (body["user"], body["amount"], body["remainingLocked"], body["availableBalance"]) == (user1_1000, "200", "200", "800")
    assert r.messages[1].target == user1_1000
    assert locked(usda, user1_1000) == "200"


def test_ps16_unlock_insufficient(usda: Process, user1_1000: str, locker_400: str) -> None:
    r = usda.send({"Action": "Unlock", "User": user1_1000, "Quantity": "500"}, sender=locker_400)
    assert r.reply.tags["Error"] == "Insufficient locked balance"


def test_ps17_unlock_for_sender_by_default(ao: Network, usda: Process) -> None:
    sender = ao.wallet("sender")
    fund(usda, sender, 500, locked=300)  # self-locked: the holder is its own Locker
    r = usda.send({"Action": "Unlock", "Quantity": "100"}, sender=sender)
    assert data_of(r.reply)["user"] == sender
    assert locked(usda, sender) == "200"


# -- simple_spec.lua: "Mock USDA Core Functions" › "Basic Operations" ---------------------------------

def test_simple1_info(ao: Network, usda: Process) -> None:
    user1 = ao.wallet("user1")
    r = usda.send({"Action": "Info"}, sender=user1)
    assert len(r.messages) == 1 and r.reply.target == user1 and r.reply.action == "Info-Response"
    body = data_of(r.reply)
    assert (body["name"], body["ticker"]) == ("Mock USDA", "mUSDT")


def test_simple2_balance(ao: Network, usda: Process) -> None:
    user1 = ao.wallet("user1")
    r = usda.send({"Action": "Balance"}, sender=user1)
    assert r.reply.action == "Balance-Response"
    assert (data_of(r.reply)["target"], data_of(r.reply)["balance"]) == (user1, "0")


def test_simple3_mint(ao: Network, usda: Process) -> None:
    user1 = ao.wallet("user1")
    r = usda.send({"Action": "Mint", "Amount": "500"}, sender=user1)
    assert r.reply.action == "Mint-Response" and data_of(r.reply)["amount"] == "500"
    assert usda.globals["Balances"][user1] == "500" and usda.globals["TotalSupply"] == "500"


def test_simple4_transfer(ao: Network, usda: Process, user1_1000: str) -> None:
    user2 = ao.wallet("user2")
    r = usda.send({"Action": "Transfer", "Recipient": user2, "Quantity": "300"}, sender=user1_1000)
    assert len(r.messages) == 2
    assert (usda.globals["Balances"][user1_1000], usda.globals["Balances"][user2]) == ("700", "300")


def test_simple5_lock_without_locker(usda: Process, user1_1000: str) -> None:
    r = usda.send({"Action": "Lock", "Quantity": "400"}, sender=user1_1000)
    assert len(r.messages) == 1 and r.reply.action == "Lock-Response"
    assert (data_of(r.reply)["user"], data_of(r.reply)["amount"]) == (user1_1000, "400")
    assert locked(usda, user1_1000) == "400"


def test_simple6_unlock(ao: Network, usda: Process, user1_1000: str) -> None:
    manager = ao.wallet("tim3-manager")
    usda.send({"Action": "Lock", "Quantity": "400", "Locker": manager}, sender=user1_1000)
    r = usda.send({"Action": "Unlock", "User": user1_1000, "Quantity": "200"}, sender=manager)
    assert [m.action for m in r.messages] == ["Unlock-Response", "Unlock-Notice"]
    assert locked(usda, user1_1000) == "200"


def test_simple7_insufficient_balance(ao: Network, usda: Process) -> None:
    user1 = ao.wallet("user1")
    fund(usda, user1, 100)
    r = usda.send({"Action": "Transfer", "Recipient": ao.wallet("user2"), "Quantity": "500"}, sender=user1)
    assert r.reply.tags["Error"] == "Insufficient available balance"


def test_simple8_locked_tokens_not_transferable(ao: Network, usda: Process) -> None:
    user1 = ao.wallet("user1")
    fund(usda, user1, 1000, locked=600, locker=ao.wallet("locker"))
    r = usda.send({"Action": "Transfer", "Recipient": ao.wallet("user2"), "Quantity": "500"}, sender=user1)
    assert r.reply.tags["Error"] == "Insufficient available balance"


# -- the seed's live session (docs/tim3.md §2, Mock USDA) ------------------------------------------------------

def test_seed_live_session_replays(ao: Network) -> None:
    p = ao.spawn("mock-usda", tags={"Name": "mock-usda-test"})
    pid = p.id
    expected = [
        ('Send({ Target = ao.id, Action = "Info" })',
         '{"ticker":"mUSDT","totalSupply":0,"denomination":6,"name":"mock-usda-test"}'),
        ('Send({ Target = ao.id, Action = "Balance" })',
         '{"locked":"0","balance":"0","available":"0","target":"' + pid + '"}'),
        ('Send({ Target = ao.id, Action = "Mint", Amount = "1000" })', None),
        ('Send({ Target = ao.id, Action = "Balance" })',
         '{"locked":"0","balance":"1000","available":"1000","target":"' + pid + '"}'),
    ]
    for code, data in expected:
        assert p.eval(code).error is None
        ao.run()
        last = p.eval("return Inbox[#Inbox].Data").output
        if data is not None:
            assert last == data
    assert p.globals["Balances"] == {pid: "1000"}
