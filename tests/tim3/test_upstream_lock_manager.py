"""Ports of ao/lock-manager/test/lock_manager_spec.lua (12): "TIM3 Lock Manager Process".

Soft locks became custody: a lock is a deposit (Credit-Notice from the collateral token), an
unlock is a Release by the coordinator.  The coordinator is played by a wallet so the test can
send its messages.  See tests/PORTING.md."""

from __future__ import annotations

import pytest

from harness import Network
from tests.tim3.conftest import Tim3, data_of


@pytest.fixture
def lm(ao: Network, tim3_unwired: Tim3) -> Tim3:
    t = tim3_unwired
    t.configure(t.lock, "MockUsdaProcess", t.usda.id)
    t.configure(t.lock, "CoordinatorProcess", ao.wallet("coordinator"))
    return t


def coordinator(t: Tim3) -> str:
    return t.ao.wallet("coordinator")


def lock(t: Tim3, user: str, qty: int) -> None:
    t.usda.send({"Action": "Mint", "Quantity": str(qty)}, sender=user)
    t.deposit(user, qty)


def release(t: Tim3, user: str, qty: int, opid: str = "op-1", sender: str | None = None):
    return t.lock.send({"Action": "Release", "User": user, "Quantity": str(qty), "Operation-Id": opid},
                       sender=sender or coordinator(t))


def test_l01_info(lm: Tim3) -> None:
    body = data_of(lm.lock.send({"Action": "Info"}).reply)
    assert (body["name"], body["ticker"], body["version"]) == ("TIM3 Lock Manager", "TIM3-LOCK", "2.0.0")
    assert body["config"]["mockUsdaConfigured"] is True


def test_l02_configuration_update(lm: Tim3) -> None:
    r = lm.configure(lm.lock, "MinLockAmount", "50")
    assert data_of(r.reply) == {"configType": "MinLockAmount", "value": "50", "success": True}
    assert lm.lock.globals["Config"]["minLockAmount"] == "50"


def test_l03_initiate_lock(lm: Tim3) -> None:
    user1 = lm.ao.wallet("user1")
    lock(lm, user1, 1500)
    [dep] = [m for m in lm.ao.mailbox(coordinator(lm)) if m.action == "Collateral-Deposited"]
    assert (dep.sender, dep.tags["User"], dep.tags["Quantity"]) == (lm.lock.id, user1, "1500")
    assert dep.tags["Operation-Id"] == dep.tags["Deposit-Id"] != ""


def test_l04_invalid_amount(lm: Tim3) -> None:
    user1 = lm.ao.wallet("user1")
    lock(lm, user1, 5)  # the minimum is 1: accepted
    assert lm.lock.globals["LockStats"]["totalLocked"] == "5"
    lm.configure(lm.lock, "MinLockAmount", "10")
    lock(lm, user1, 5)
    [err] = [m for m in lm.ao.mailbox(user1) if m.action == "Mint-Error"]
    assert "below minimum" in err.tags["Error"]
    assert lm.usda_balance(user1) == 5 and lm.lock.globals["LockStats"]["totalLocked"] == "5"


def test_l05_without_mock_usda(ao: Network, tim3_unwired: Tim3) -> None:
    t = tim3_unwired
    t.configure(t.lock, "CoordinatorProcess", ao.wallet("coordinator"))
    user1 = ao.wallet("user1")
    r = t.lock.send({"Action": "Credit-Notice", "Sender": user1, "Quantity": "1500"}, sender=t.usda)
    assert "only from the collateral token" in r.reply.tags["Error"]
    r = release(t, user1, 1)
    assert r.reply.tags["Error"] == "Mock USDA process not configured"


def test_l06_lock_confirmation(lm: Tim3) -> None:
    user1 = lm.ao.wallet("user1")
    lock(lm, user1, 1500)
    [rec] = lm.lock.globals["Deposits"].values()
    assert (rec["user"], rec["amount"], rec["status"]) == (user1, "1500", "reported")
    stats = lm.lock.globals["LockStats"]
    assert (stats["totalLocked"], stats["totalLocks"]) == ("1500", 1)
    assert lm.usda_balance(lm.lock.id) == 1500  # custody is real


def test_l07_unlock(lm: Tim3) -> None:
    user1 = lm.ao.wallet("user1")
    lock(lm, user1, 1500)
    r = release(lm, user1, 750)
    transfer, resp = r.messages
    assert (transfer.target, transfer.action, transfer.tags["Recipient"], transfer.tags["Quantity"]) == (
        lm.usda.id, "Transfer", user1, "750")
    assert resp.action == "Release-Response"
    assert (data_of(resp)["operationId"], data_of(resp)["amount"]) == ("op-1", "750")
    lm.ao.run()
    assert lm.usda_balance(user1) == 750 and lm.usda_balance(lm.lock.id) == 750


def test_l08_unlock_nonexistent(lm: Tim3) -> None:
    r = release(lm, lm.ao.wallet("user1"), 100)
    assert r.reply.tags["Error"] == "Insufficient collateral held"


def test_l09_lock_info_for_user(lm: Tim3) -> None:
    user1, user2 = lm.ao.wallet("user1"), lm.ao.wallet("user2")
    lock(lm, user1, 100)
    lock(lm, user1, 200)
    lock(lm, user2, 300)
    body = data_of(lm.lock.send({"Action": "GetLockInfo", "User": user1}).reply)
    assert body["count"] == 2
    assert {d["user"] for d in body["locks"].values()} == {user1}


def test_l10_lock_statistics(lm: Tim3) -> None:
    user1 = lm.ao.wallet("user1")
    lock(lm, user1, 5000)
    release(lm, user1, 1500)
    lm.ao.run()
    body = data_of(lm.lock.send({"Action": "LockStats"}).reply)
    assert (body["totalLocked"], body["totalUnlocked"], body["totalLocks"], body["pendingOperations"]) == ("3500", "1500", 1, 0)


def test_l11_coordinator_allowed(lm: Tim3) -> None:
    user1 = lm.ao.wallet("user1")
    lock(lm, user1, 1000)
    r = release(lm, user1, 1000)
    assert len(r.messages) == 2 and r.messages[1].action == "Release-Response"


def test_l12_unauthorized_rejected(lm: Tim3) -> None:
    user1 = lm.ao.wallet("user1")
    lock(lm, user1, 1000)
    r = release(lm, user1, 1000, sender=lm.ao.wallet("unauthorized-process"))
    assert r.reply.action == "Release-Error" and r.reply.tags["Error"] == "Unauthorized caller"
    assert lm.lock.globals["LockStats"]["totalLocked"] == "1000"
