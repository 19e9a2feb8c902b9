"""The coordinator's less travelled paths, each with its exact outcome: malformed and repeated
reports, USDA sent to the wrong process, bounced refunds, a restore the token manager refuses,
forged timestamps, and the queries' exact answers (bookkeeping after completion and failure)."""

from __future__ import annotations

import pytest

from tests.tim3.conftest import CRON_MS, TIMEOUT_MS, USDA, Tim3, data_of
from tests.tim3.test_authorization import stall

REQUIRED = "User, Quantity and Operation-Id required"


def report(tim3: Tim3, **tags: str) -> object:
    return tim3.coord.send({"Action": "Collateral-Deposited", **tags}, sender=tim3.lock)


@pytest.mark.parametrize(
    "tags",
    [
        {"User": "", "Quantity": "5", "Operation-Id": "op"},
        {"User": "A" * 42, "Quantity": "5", "Operation-Id": "op"},
        {"User": "A" * 43, "Quantity": "0", "Operation-Id": "op"},
        {"User": "A" * 43, "Quantity": "5"},
    ],
)
def test_malformed_deposit_report_is_refused_and_changes_nothing(tim3: Tim3, tags: dict[str, str]) -> None:
    before = tim3.coord.snapshot()
    r = report(tim3, **{k: v for k, v in tags.items() if v != ""})
    assert (r.reply.action, r.reply.tags["Error"]) == ("Collateral-Deposited-Error", REQUIRED)  # type: ignore[attr-defined]
    tim3.ao.run()
    assert tim3.coord.snapshot() == before


def test_report_with_only_a_deposit_id_is_accepted(tim3: Tim3) -> None:
    alice = tim3.user("alice")
    r = report(tim3, User=alice, Quantity="5", **{"Deposit-Id": "dep-1"})
    assert r.reply.action == "Collateral-Deposited-Response"  # type: ignore[attr-defined]
    assert r.reply.tags["Operation-Id"] == "dep-1"  # type: ignore[attr-defined]
    assert tim3.pending()["dep-1"]["status"] == "minting"


def test_repeated_report_is_acknowledged_and_ignored(tim3: Tim3) -> None:
    alice = tim3.user("alice", 5 * USDA)
    tim3.deposit(alice, 2 * USDA)  # completed
    (done,) = tim3.coord.globals["Completed"]
    tim3.deposit(alice, USDA, run=False)
    lost = stall(tim3, "Mint")  # pending
    pending = lost.tags["Operation-Id"]
    for opid in (done, pending):
        before = tim3.coord.snapshot()
        r = report(tim3, User=alice, Quantity=str(USDA), **{"Operation-Id": opid})
        assert r.reply.action == "Collateral-Deposited-Response"  # type: ignore[attr-defined]
        assert [m for m in tim3.ao.pending if m.action == "Mint"] == []
        tim3.ao.run()
        assert tim3.coord.snapshot() == before


def test_token_manager_refusal_reason_comes_from_the_error_tag(tim3: Tim3) -> None:
    alice = tim3.user("alice", 5 * USDA)
    tim3.deposit(alice, 2 * USDA, run=False)
    lost = stall(tim3, "Mint")
    opid = lost.tags["Operation-Id"]
    tim3.coord.send(
        {"Action": "Mint-Error", "Operation-Id": opid, "Error": "supply cap"}, sender=tim3.token, data="other"
    )
    lost_refund = stall(tim3, "Release")
    op = tim3.pending()[opid]
    assert op["status"] == "refunding" and op["reason"] == "Token manager refused: supply cap"
    assert op["reserved"] is False  # its place in the window and the user's history was given back
    assert lost_refund.tags["Reason"] == "Refund: Token manager refused: supply cap"


def test_burn_refusal_reason_comes_from_the_error_tag(tim3: Tim3) -> None:
    alice = tim3.user("alice", 5 * USDA)
    tim3.deposit(alice, 3 * USDA)
    tim3.redeem(alice, USDA, run=False)
    lost = stall(tim3, "Burn")
    tim3.coord.send({"Action": "Burn-Error", "Operation-Id": lost.tags["Operation-Id"], "Error": "no"},
                    sender=tim3.token, data="other")  # fmt: skip
    tim3.ao.run()
    errors = tim3.received(alice, "Redeem-Error")
    assert [e.tags["Error"] for e in errors] == ["Token manager refused the burn: no"]
    assert tim3.tim3_balance(alice) == 3 * USDA
    assert tim3.coord.globals["Completed"][lost.tags["Operation-Id"]] == "returned"
    tim3.check()


def test_release_error_reason_comes_from_the_error_tag(tim3: Tim3) -> None:
    alice = tim3.user("alice", 5 * USDA)
    tim3.deposit(alice, 3 * USDA)
    tim3.redeem(alice, USDA, run=False)
    lost = stall(tim3, "Release")
    opid = lost.tags["Operation-Id"]
    tim3.coord.send(
        {"Action": "Release-Error", "Operation-Id": opid, "Error": "nope"}, sender=tim3.lock, data="x"
    )
    restore = tim3.pending()[opid + ":restore"]
    assert restore["reason"] == "Collateral release failed: nope" and restore["status"] == "restoring"
    assert opid not in tim3.pending()


def test_usda_sent_to_the_coordinator_goes_back(tim3: Tim3) -> None:
    alice = tim3.user("alice", 5 * USDA)
    r = tim3.usda.send(
        {"Action": "Transfer", "Recipient": tim3.coord.id, "Quantity": str(2 * USDA)}, sender=alice
    )
    assert r.error is None
    tim3.ao.run()
    assert tim3.usda_balance(alice) == 5 * USDA and tim3.usda_balance(tim3.coord.id) == 0
    errors = [m for m in tim3.ao.mailbox(alice) if m.action == "Mint-Error" and m.sender == tim3.coord.id]
    assert [(e.tags["Error"], e.tags["Refunded"]) for e in errors] == [
        ("Deposit to the lock manager, not the coordinator", str(2 * USDA))
    ]
    assert tim3.pending() == {} and tim3.coord.globals["Completed"] == {}
    tim3.check()


@pytest.mark.parametrize(
    "tags", [{"Sender": "short", "Quantity": "5"}, {"Sender": "A" * 43, "Quantity": "x"}]
)
def test_unusable_credit_notice_from_the_token_is_ignored(tim3: Tim3, tags: dict[str, str]) -> None:
    books = ("Pending", "Completed", "Failed", "Totals", "UserPositions", "UserOpHistory", "Window")
    before = tim3.coord.snapshot(*books)
    r = tim3.coord.send({"Action": "Credit-Notice", **tags}, sender=tim3.token)
    assert r.error is None and r.messages == []
    tim3.ao.run()
    assert tim3.coord.snapshot(*books) == before


def test_bounced_refund_transfer_is_recorded_as_failed(tim3: Tim3) -> None:
    alice = tim3.user("alice", 5 * USDA)
    tim3.coord.send({"Action": "EmergencyPause", "Pause": "true"}, sender=tim3.admin)
    tim3.ao.run()
    tim3.deposit(alice, 3 * USDA, run=False)
    refund = stall(tim3, "Release")
    opid = refund.tags["Operation-Id"]
    assert tim3.usda.eval(f"Balances['{tim3.lock.id}'] = '0'").error is None  # an outside fault
    tim3.lock.send({k: refund.tags[k] for k in ("Action", "User", "Quantity", "Operation-Id", "Reason")},
                   sender=tim3.coord)  # fmt: skip
    tim3.ao.run()
    assert tim3.coord.globals["Completed"][opid] == "refunded"
    failed = tim3.coord.globals["Failed"][opid]
    assert failed["reason"].startswith("refund transfer failed: ")


def test_restore_refused_by_the_token_manager_needs_the_admin(tim3: Tim3) -> None:
    alice = tim3.user("alice", 5 * USDA)
    tim3.deposit(alice, 3 * USDA)
    tim3.redeem(alice, USDA, run=False)
    release = stall(tim3, "Release")
    redeem_id = release.tags["Operation-Id"]
    tim3.configure(tim3.token, "MaxSupply", str(2 * USDA))  # the restoring mint will not fit
    tim3.ao.advance(TIMEOUT_MS + CRON_MS)
    tim3.ao.run()
    failed = tim3.coord.globals["Failed"]
    assert list(failed) == [redeem_id + ":restore"]
    assert failed[redeem_id + ":restore"]["reason"].startswith(
        "could not restore TIM3 after a failed release: "
    )
    assert tim3.pending() == {}
    op = data_of(tim3.coord.send({"Action": "GetOperation", "Operation-Id": redeem_id + ":restore"}).reply)
    assert op["pending"] is False and op["operation"]["reason"] == failed[redeem_id + ":restore"]["reason"]
    health = data_of(tim3.coord.send({"Action": "SystemHealth"}).reply)
    assert health["failedOperations"] == 1 and health["pendingOperations"] == 0


def test_forged_timestamp_tag_is_ignored(tim3: Tim3) -> None:
    tim3.coord.send({"Action": "EmergencyPause", "Pause": "false"}, sender=tim3.admin)
    last = tim3.coord.globals["LastTimestamp"]
    tim3.ao.advance(1000)
    r = tim3.coord.send(
        {"Action": "EmergencyPause", "Pause": "false", "Timestamp": "1"}, sender=tim3.admin
    ).reply
    assert r.action == "EmergencyPause-Response"
    assert data_of(r)["timestamp"] == last
    assert tim3.coord.globals["LastTimestamp"] == last


def test_queries_answer_exactly(tim3: Tim3) -> None:
    alice = tim3.user("alice", 5 * USDA)
    stranger = tim3.ao.wallet("stranger")
    tim3.deposit(alice, 3 * USDA)
    tim3.deposit(alice, USDA, run=False)
    lost = stall(tim3, "Mint")
    info = data_of(tim3.coord.send({"Action": "Info"}, sender=stranger).reply)
    assert info["pendingOperations"] == 1
    assert (info["totalCollateral"], info["totalTIM3Minted"], info["collateralRatio"]) == (
        str(3 * USDA),
    ) * 2 + ("1",)
    pos = data_of(tim3.coord.send({"Action": "GetPosition", "User": alice}, sender=stranger).reply)
    assert pos == {"user": alice, "position": {"collateral": str(3 * USDA), "tim3Minted": str(3 * USDA),
                   "redeemed": "0", "collateralRatio": "1", "healthFactor": "1"}}  # fmt: skip
    none = data_of(tim3.coord.send({"Action": "GetPosition"}, sender=stranger).reply)
    assert none == {"user": stranger, "position": {"collateral": "0", "tim3Minted": "0", "redeemed": "0",
                    "collateralRatio": "0", "healthFactor": "0"}}  # fmt: skip
    op = data_of(tim3.coord.send({"Action": "GetOperation", "Operation-Id": lost.tags["Operation-Id"]}).reply)
    assert op["pending"] is True and op["operation"]["status"] == "minting" and "outcome" not in op
    blank = data_of(tim3.coord.send({"Action": "GetOperation"}).reply)
    assert blank == {"pending": False}
    cfg = data_of(tim3.coord.send({"Action": "GetConfig"}, sender=stranger).reply)
    assert cfg["systemConfig"] == {
        "collateralRatio": "1", "minMintAmount": "1", "maxMintAmount": "10000000000",
        "maxMintPerUser": "50000000000", "maxMintPerBlock": "10000000000", "blockTimeWindow": 3600000,
        "largeMintThreshold": "1000000000", "mintCooldownPeriod": 300000, "rateLimitCount": 10,
        "rateLimitWindow": 60000, "pendingTimeout": 300000, "systemActive": True, "emergencyPaused": False,
    }  # fmt: skip
    assert cfg["admin"] == tim3.admin and cfg["timestamp"] == tim3.ao.now
    assert cfg["processes"]["tokenManagerProcess"] == tim3.token.id
    # a user who redeemed everything no longer counts as an active position
    tim3.ao.run()
    tim3.ao.advance(TIMEOUT_MS + CRON_MS)
    tim3.ao.run()
    tim3.redeem(alice, tim3.tim3_balance(alice))
    health = data_of(tim3.coord.send({"Action": "SystemHealth"}).reply)
    assert (
        health["userPositions"] == 0 and health["pendingOperations"] == 0 and health["failedOperations"] == 0
    )
    tim3.check()
