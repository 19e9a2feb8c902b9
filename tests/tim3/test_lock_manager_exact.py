"""The lock manager's books, exactly: LockStats, Users, Deposits and Releases after a deposit,
a refund, a release, a bounced release and unattributable collateral; Release and Cancel refusals
with their text; re-reports on any message once due; the GetLockInfo and Info queries."""

from __future__ import annotations

from typing import Any

import pytest

from tests.tim3.conftest import USDA, Tim3, data_of
from tests.tim3.test_authorization import stall

REPORT_TIMEOUT = 300_000


def stats(tim3: Tim3) -> dict[str, Any]:
    return tim3.lock.globals["LockStats"]


def test_books_after_a_deposit_and_a_refund(tim3: Tim3) -> None:
    alice = tim3.user("alice", 20 * USDA)
    tim3.deposit(alice, 3 * USDA)
    assert stats(tim3) == {"totalLocked": str(3 * USDA), "totalDeposited": str(3 * USDA), "totalUnlocked": "0",
                           "totalLocks": 1, "totalReleases": 0, "pendingReleases": 0}  # fmt: skip
    assert tim3.lock.globals["Users"][alice] == {"deposited": str(3 * USDA), "released": "0"}
    (dep,) = tim3.lock.globals["Deposits"].values()
    assert (dep["status"], dep["reports"], dep["amount"], dep["action"]) == (
        "acknowledged",
        1,
        str(3 * USDA),
        "Mint",
    )
    tim3.configure(tim3.lock, "MaxLockAmount", str(5 * USDA))
    tim3.deposit(alice, 6 * USDA)  # above the lock manager's range: straight back
    refunded = [d for d in tim3.lock.globals["Deposits"].values() if d["amount"] == str(6 * USDA)]
    assert [d["status"] for d in refunded] == ["refunded"]
    assert stats(tim3) == {"totalLocked": str(3 * USDA), "totalDeposited": str(9 * USDA),
                           "totalUnlocked": str(6 * USDA), "totalLocks": 2, "totalReleases": 1, "pendingReleases": 0}  # fmt: skip
    assert tim3.lock.globals["Users"][alice] == {"deposited": str(9 * USDA), "released": str(6 * USDA)}
    (release,) = tim3.lock.globals["Releases"].values()
    assert release["status"] == "completed" and release["requestor"] == tim3.lock.id
    tim3.check()


def test_release_reason_is_recorded(tim3: Tim3) -> None:
    alice = tim3.user("alice", 5 * USDA)
    tim3.deposit(alice, 3 * USDA)
    for opid, reason in (("with", "Redeem"), ("without", None)):
        tags = {"Action": "Release", "User": alice, "Quantity": "5", "Operation-Id": opid}
        tim3.lock.send(tags | ({"Reason": reason} if reason else {}), sender=tim3.coord)
        assert tim3.lock.globals["Releases"][opid]["reason"] == (reason or "release")
        (transfer,) = [m for m in tim3.ao.pending if m.tags.get("X-Operation-Id") == opid]
        assert transfer.tags["X-Release-Reason"] == (reason or "release")


def test_release_of_a_deposit_marks_it_refunded(tim3: Tim3) -> None:
    alice = tim3.user("alice", 5 * USDA)
    tim3.deposit(alice, 3 * USDA)
    (dep_id,) = tim3.lock.globals["Deposits"]
    r = tim3.lock.send({"Action": "Release", "User": alice, "Quantity": "5", "Operation-Id": dep_id},
                       sender=tim3.coord).reply  # fmt: skip
    assert r.action == "Release-Response"
    assert tim3.lock.globals["Deposits"][dep_id]["status"] == "refunded"
    tim3.ao.run()
    assert tim3.lock.globals["Releases"][dep_id]["status"] == "completed"
    assert stats(tim3)["pendingReleases"] == 0


def test_unattributable_collateral_stays_on_the_books(tim3: Tim3) -> None:
    before = dict(stats(tim3))
    r = tim3.lock.send({"Action": "Credit-Notice", "Sender": "short", "Quantity": "5"}, sender=tim3.usda)
    assert r.error is None and r.messages == []
    assert stats(tim3)["totalLocked"] == "5" and stats(tim3)["totalDeposited"] == "5"
    assert stats(tim3)["totalLocks"] == before["totalLocks"] and tim3.lock.globals["Deposits"] == {}
    tim3.lock.send({"Action": "Credit-Notice", "Sender": "A" * 43, "Quantity": "x"}, sender=tim3.usda)
    assert stats(tim3)["totalLocked"] == "5" and tim3.lock.globals["Deposits"] == {}


@pytest.mark.parametrize(
    ("tags", "error"),
    [({"User": "U" * 43, "Quantity": "1"}, "Operation-Id required"),
     ({"User": "U" * 43, "Quantity": "1", "Operation-Id": ""}, "Operation-Id required"),
     ({"User": "short", "Quantity": "1", "Operation-Id": "r"}, "User required"),
     ({"User": "U" * 43, "Quantity": "1.5", "Operation-Id": "r"},
      "Invalid amount: Quantity has '.' at position 2 (only digits 0-9 are allowed)"),
     ({"User": "U" * 43, "Quantity": str(3 * USDA + 1), "Operation-Id": "r"}, "Insufficient collateral held")],
)  # fmt: skip
def test_release_refusals(tim3: Tim3, tags: dict[str, str], error: str) -> None:
    alice = tim3.user("alice", 5 * USDA)
    tim3.deposit(alice, 3 * USDA)
    before = tim3.lock.snapshot()
    r = tim3.lock.send({"Action": "Release", **tags}, sender=tim3.coord).reply
    assert (r.action, r.tags["Error"]) == ("Release-Error", error)
    tim3.ao.run()
    assert tim3.lock.snapshot() == before


@pytest.mark.parametrize("opid", [None, ""])
def test_cancel_needs_an_operation_id(tim3: Tim3, opid: str | None) -> None:
    before = tim3.lock.snapshot()
    tags = {"Action": "Cancel"} | ({} if opid is None else {"Operation-Id": opid})
    r = tim3.lock.send(tags, sender=tim3.coord).reply
    assert (r.action, r.tags["Error"]) == ("Cancel-Error", "Operation-Id required")
    assert tim3.lock.snapshot() == before


def test_bounced_release_restores_the_books(tim3: Tim3) -> None:
    alice = tim3.user("alice", 5 * USDA)
    tim3.deposit(alice, 3 * USDA)
    before = dict(stats(tim3))
    users = dict(tim3.lock.globals["Users"][alice])
    assert tim3.usda.eval(f"Balances['{tim3.lock.id}'] = '0'").error is None  # an outside fault
    tim3.lock.send({"Action": "Release", "User": alice, "Quantity": str(USDA), "Operation-Id": "bounce"},
                   sender=tim3.coord)  # fmt: skip
    tim3.ao.run()
    rec = tim3.lock.globals["Releases"]["bounce"]
    assert rec["status"] == "failed"
    assert stats(tim3) == before | {"totalReleases": 1}
    assert tim3.lock.globals["Users"][alice] == users
    # a second Transfer-Error for the same transfer changes nothing more
    snap = tim3.lock.snapshot()
    r = tim3.lock.send(
        {"Action": "Transfer-Error", "X-Reference": rec["reference"], "Error": "again"}, sender=tim3.usda
    )
    assert r.error is None and r.messages == []
    r = tim3.lock.send({"Action": "Transfer-Error", "X-Reference": "no-such", "Error": "x"}, sender=tim3.usda)
    assert r.error is None and r.messages == []
    assert tim3.lock.snapshot() == snap


def test_debit_notice_completes_a_release_once(tim3: Tim3) -> None:
    alice = tim3.user("alice", 5 * USDA)
    tim3.deposit(alice, 3 * USDA)
    tim3.lock.send(
        {"Action": "Release", "User": alice, "Quantity": "5", "Operation-Id": "rel"}, sender=tim3.coord
    )
    lost = stall(tim3, "Debit-Notice")  # the token's notice to the lock manager is lost...
    assert tim3.lock.globals["Releases"]["rel"]["status"] == "sent" and stats(tim3)["pendingReleases"] == 1
    ref = tim3.lock.globals["Releases"]["rel"]["reference"]
    # ...and arrives again without X-Operation-Id: found by the transfer's reference
    tim3.lock.send({"Action": "Debit-Notice", "X-Reference": ref, "Quantity": "5"}, sender=tim3.usda)
    assert (
        tim3.lock.globals["Releases"]["rel"]["status"] == "completed" and stats(tim3)["pendingReleases"] == 0
    )
    tim3.lock.send(
        {k: v for k, v in lost.tags.items() if k in ("Action", "X-Operation-Id", "Quantity")},
        sender=tim3.usda,
    )
    assert stats(tim3)["pendingReleases"] == 0


def test_unknown_acknowledgement_is_harmless(tim3: Tim3) -> None:
    before = tim3.lock.snapshot()
    r = tim3.lock.send(
        {"Action": "Collateral-Deposited-Response", "Operation-Id": "unknown"}, sender=tim3.coord
    )
    assert r.error is None and r.messages == []
    assert tim3.lock.snapshot() == before


def test_due_report_is_re_sent_by_any_message(tim3: Tim3) -> None:
    alice = tim3.user("alice", 5 * USDA)
    tim3.between_ticks()
    tim3.deposit(alice, 3 * USDA, run=False)
    stall(tim3, "Collateral-Deposited")
    tim3.ao.advance(REPORT_TIMEOUT + 10_000)  # due, and 20 s before the next tick
    tim3.ao.run()
    assert [m for m in tim3.ao.pending if m.action == "Collateral-Deposited"] == []
    r = tim3.lock.send({"Action": "LockStats"}, sender=alice)
    resent = [m for m in r.messages if m.action == "Collateral-Deposited"]
    assert len(resent) == 1
    tim3.ao.run()
    (dep,) = tim3.lock.globals["Deposits"].values()
    assert (dep["status"], dep["reports"]) == ("acknowledged", 2)
    assert tim3.tim3_balance(alice) == 3 * USDA
    tim3.check()


def test_cron_ticks_end_at_the_rereport_handler(tim3: Tim3) -> None:
    """A tick re-reports what is due and goes no further: nothing lands in Inbox (``_default``
    would keep every minute's tick there), nothing is printed, no other handler sees it."""
    alice = tim3.user("alice", 5 * USDA)
    tim3.between_ticks()
    tim3.deposit(alice, 3 * USDA, run=False)
    stall(tim3, "Collateral-Deposited")
    inbox = tim3.lock.eval("return #Inbox").output
    ticks = tim3.ao.advance(REPORT_TIMEOUT + 60_000)
    lock_ticks = [d for d in ticks if d.message.target == tim3.lock.id]
    assert len(lock_ticks) >= 5
    assert all(d.result.output in (None, "") for d in lock_ticks)
    assert tim3.lock.eval("return #Inbox").output == inbox
    assert tim3.lock.handler_matches.get("_default", 0) == 0
    resent = [m for d in lock_ticks for m in d.result.messages if m.action == "Collateral-Deposited"]
    assert len(resent) == 1  # the tick that found the report due
    tim3.ao.run()
    (dep,) = tim3.lock.globals["Deposits"].values()
    assert (dep["status"], dep["reports"]) == ("acknowledged", 2)
    tim3.check()


def test_lock_info_queries(tim3: Tim3) -> None:
    alice, bob = tim3.user("alice", 5 * USDA), tim3.user("bob", 5 * USDA)
    tim3.deposit(alice, 2 * USDA)
    tim3.deposit(bob, 1 * USDA)
    r = tim3.lock.send({"Action": "GetLockInfo"}).reply
    assert (r.action, r.tags["Error"]) == ("GetLockInfo-Error", "LockId or User required")
    mine = data_of(tim3.lock.send({"Action": "GetLockInfo", "User": alice}).reply)
    assert mine["count"] == 1 and mine["user"] == {"deposited": str(2 * USDA), "released": "0"}
    (lock_id,) = mine["locks"]
    one = data_of(tim3.lock.send({"Action": "GetLockInfo", "Lock-Id": lock_id}).reply)
    assert list(one["locks"]) == [lock_id] and one["count"] == 1 and "user" not in one
    none = data_of(tim3.lock.send({"Action": "GetLockInfo", "Lock-Id": lock_id, "User": bob}).reply)
    assert none["count"] == 0
    s = data_of(tim3.lock.send({"Action": "LockStats"}).reply)
    assert (s["totalLocked"], s["activeLocks"], s["pendingOperations"]) == (str(3 * USDA), 2, 0)
    info = data_of(tim3.lock.send({"Action": "Info"}).reply)
    assert info["config"] == {"minLockAmount": "1", "maxLockAmount": "1000000000000",
                              "coordinatorConfigured": True, "mockUsdaConfigured": True}  # fmt: skip


def test_unwired_lock_manager_info(tim3_unwired: Tim3) -> None:
    t = tim3_unwired
    info = data_of(t.lock.send({"Action": "Info"}).reply)
    assert info["config"]["coordinatorConfigured"] is False and info["config"]["mockUsdaConfigured"] is False
    assert info["lockStats"]["totalLocked"] == "0"
