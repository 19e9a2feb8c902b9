"""Lost answers and late messages: every saga step whose answer is lost is recovered by the
coordinator's timeout sweep exactly once (idempotent participants), and a message delivered after
its operation was cancelled is refused.  Each test ends with the saga bookkeeping and I1-I5."""

from __future__ import annotations

from harness.messages import Message
from tests.tim3.conftest import CRON_MS, TIMEOUT_MS, USDA, Tim3, data_of
from tests.tim3.test_authorization import stall

CANCELLED = "Operation cancelled: timed out at the coordinator"


def expire(tim3: Tim3) -> None:
    """Past the pending timeout: the coordinator's cron tick sweeps, and what it sends is delivered."""
    tim3.ao.advance(TIMEOUT_MS + CRON_MS)
    tim3.ao.run()


def resend(tim3: Tim3, lost: Message, sender: object) -> object:
    """Deliver a lost message late, as its original sender sent it."""
    target = tim3.ao.process(lost.target)
    tags = {k: v for k, v in lost.tags.items() if k in (
        "Action", "Operation-Id", "Operation-Type", "User", "Quantity", "Recipient", "Reason")}  # fmt: skip
    return target.send(tags, sender=sender)  # type: ignore[arg-type]


# -- the lock manager ----------------------------------------------------------------------------


def test_lost_release_response_completes_the_redeem_once(tim3: Tim3) -> None:
    alice = tim3.user("alice", 5 * USDA)
    tim3.deposit(alice, 3 * USDA)
    tim3.redeem(alice, USDA, run=False)
    lost = stall(tim3, "Release-Response")
    opid = lost.tags["Operation-Id"]
    assert tim3.pending()[opid]["status"] == "releasing"
    expire(tim3)  # the sweep cancels at the lock manager, which answers with the executed release
    assert tim3.usda_balance(alice) == 3 * USDA and tim3.tim3_balance(alice) == 2 * USDA
    assert tim3.pending() == {}
    assert tim3.coord.globals["Completed"][opid] == "redeemed"
    assert tim3.lock.globals.get("Cancelled", {}) == {}
    assert tim3.lock.globals["LockStats"]["totalReleases"] == 1
    assert len(tim3.received(alice, "Redeem-Response")) == 1
    assert tim3.received(alice, "Redeem-Error") == []
    tim3.check()


def test_a_repeated_release_pays_once_and_answers_the_same(tim3: Tim3) -> None:
    alice = tim3.user("alice", 5 * USDA)
    tim3.deposit(alice, 3 * USDA)
    tags = {"Action": "Release", "User": alice, "Quantity": str(USDA), "Operation-Id": "retried-release"}
    first = tim3.lock.send(tags, sender=tim3.coord).reply
    tim3.ao.run()
    stats = dict(tim3.lock.globals["LockStats"])
    second = tim3.lock.send(tags, sender=tim3.coord).reply
    tim3.ao.run()
    assert first.action == second.action == "Release-Response"
    assert data_of(first)["operationId"] == data_of(second)["operationId"] == "retried-release"
    assert data_of(second)["amount"] == str(USDA)
    assert tim3.usda_balance(alice) == 3 * USDA
    assert tim3.lock.globals["LockStats"] == stats
    assert stats["totalReleases"] == 1 and stats["totalLocked"] == str(2 * USDA)


def test_cancel_of_an_executed_release_answers_the_release(tim3: Tim3) -> None:
    alice = tim3.user("alice", 5 * USDA)
    tim3.deposit(alice, 3 * USDA)
    tim3.lock.send(
        {"Action": "Release", "User": alice, "Quantity": str(USDA), "Operation-Id": "done"}, sender=tim3.coord
    )
    tim3.ao.run()
    r = tim3.lock.send({"Action": "Cancel", "Operation-Id": "done"}, sender=tim3.coord).reply
    assert r.action == "Release-Response"
    assert r.tags["Operation-Id"] == "done" and data_of(r)["status"] in ("sent", "completed")
    assert tim3.lock.globals.get("Cancelled", {}) == {}


def test_release_after_its_cancel_is_refused(tim3: Tim3) -> None:
    alice = tim3.user("alice", 5 * USDA)
    tim3.deposit(alice, 3 * USDA)
    r = tim3.lock.send({"Action": "Cancel", "Operation-Id": "late"}, sender=tim3.coord).reply
    assert r.action == "Release-Error"
    assert r.tags["Error"] == CANCELLED and r.tags["Operation-Id"] == "late"
    assert tim3.lock.globals["Cancelled"] == {"late": True}
    before = tim3.lock.snapshot()
    r = tim3.lock.send(
        {"Action": "Release", "User": alice, "Quantity": str(USDA), "Operation-Id": "late"}, sender=tim3.coord
    ).reply
    assert r.action == "Release-Error" and r.tags["Error"] == CANCELLED
    tim3.ao.run()
    assert tim3.lock.snapshot() == before
    assert tim3.usda_balance(alice) == 2 * USDA


def test_lost_release_delivered_after_the_cancel_pays_nothing(tim3: Tim3) -> None:
    """The Release is late, not lost: the sweep cancels it and the TIM3 is minted back; when the
    Release finally arrives it must not pay out as well (that would leave TIM3 unbacked)."""
    alice = tim3.user("alice", 5 * USDA)
    tim3.deposit(alice, 3 * USDA)
    tim3.redeem(alice, USDA, run=False)
    late = stall(tim3, "Release")
    expire(tim3)
    assert tim3.tim3_balance(alice) == 3 * USDA and tim3.usda_balance(alice) == 2 * USDA
    assert tim3.coord.globals["Completed"][late.tags["Operation-Id"]] == "restored"
    r = resend(tim3, late, tim3.coord)
    assert r.reply.action == "Release-Error" and r.reply.tags["Error"] == CANCELLED  # type: ignore[attr-defined]
    tim3.ao.run()
    assert tim3.usda_balance(alice) == 2 * USDA
    assert tim3.pending() == {}
    tim3.check()


# -- the token manager ---------------------------------------------------------------------------


def test_lost_burn_response_completes_the_redeem(tim3: Tim3) -> None:
    alice = tim3.user("alice", 5 * USDA)
    tim3.deposit(alice, 3 * USDA)
    tim3.redeem(alice, USDA, run=False)
    lost = stall(tim3, "Burn-Response")
    opid = lost.tags["Operation-Id"]
    assert tim3.pending()[opid]["status"] == "burning"
    expire(tim3)  # Cancel(Burn) at the token manager answers the executed burn: Burn-Response
    assert tim3.pending() == {}
    assert tim3.coord.globals["Completed"][opid] == "redeemed"
    assert tim3.usda_balance(alice) == 3 * USDA and tim3.tim3_balance(alice) == 2 * USDA
    assert len(tim3.received(alice, "Redeem-Response")) == 1
    tim3.check()


def test_lost_mint_response_completes_the_mint(tim3: Tim3) -> None:
    alice = tim3.user("alice", 5 * USDA)
    tim3.deposit(alice, 3 * USDA, run=False)
    lost = stall(tim3, "Mint-Response")
    opid = lost.tags["Operation-Id"]
    assert tim3.pending()[opid]["status"] == "minting"
    expire(tim3)
    assert tim3.pending() == {}
    assert tim3.coord.globals["Completed"][opid] == "minted"
    assert tim3.tim3_balance(alice) == 3 * USDA and tim3.usda_balance(alice) == 2 * USDA
    assert len(tim3.received(alice, "Mint-Response")) == 1
    assert tim3.received(alice, "Mint-Error") == []
    tim3.check()


def test_token_cancel_answers_each_operation_with_its_own_response(tim3: Tim3) -> None:
    alice = tim3.user("alice", 5 * USDA)
    tim3.deposit(alice, 3 * USDA)
    tim3.redeem(alice, USDA)
    ops = tim3.token.globals["Operations"]
    kinds = {op["type"]: opid for opid, op in ops.items()}
    for kind, otype, action in (("mint", "Mint", "Mint-Response"), ("burn", "Burn", "Burn-Response")):
        r = tim3.token.send({"Action": "Cancel", "Operation-Id": kinds[kind], "Operation-Type": otype},
                            sender=tim3.coord).reply  # fmt: skip
        assert r.action == action
        assert r.tags["Operation-Id"] == kinds[kind]
    assert tim3.token.globals.get("Cancelled", {}) == {}


def test_token_cancel_of_an_unknown_operation_is_remembered(tim3: Tim3) -> None:
    alice = tim3.user("alice", 5 * USDA)
    tim3.deposit(alice, 3 * USDA)
    for otype in ("Mint", "Burn"):
        opid = f"never-{otype}"
        r = tim3.token.send(
            {"Action": "Cancel", "Operation-Id": opid, "Operation-Type": otype}, sender=tim3.coord
        )
        assert r.reply.action == f"{otype}-Error"
        assert r.reply.tags["Error"] == CANCELLED and r.reply.tags["Operation-Id"] == opid
        assert tim3.token.globals["Cancelled"][opid] == otype
    before = tim3.token.snapshot()
    late_mint = tim3.token.send(
        {"Action": "Mint", "Recipient": alice, "Quantity": str(USDA), "Operation-Id": "never-Mint"},
        sender=tim3.coord,
    ).reply
    late_burn = tim3.token.send(
        {"Action": "Burn", "Quantity": "1", "Operation-Id": "never-Burn"}, sender=tim3.coord
    ).reply
    assert (late_mint.action, late_mint.tags["Error"]) == ("Mint-Error", CANCELLED)
    assert (late_burn.action, late_burn.tags["Error"]) == ("Burn-Error", CANCELLED)
    tim3.ao.run()
    assert tim3.token.snapshot() == before


def test_lost_mint_delivered_after_the_cancel_mints_nothing(tim3: Tim3) -> None:
    alice = tim3.user("alice", 5 * USDA)
    tim3.deposit(alice, 3 * USDA, run=False)
    late = stall(tim3, "Mint")
    expire(tim3)  # Cancel(Mint) -> Mint-Error -> the deposit is refunded
    assert tim3.usda_balance(alice) == 5 * USDA and tim3.tim3_balance(alice) == 0
    refund = tim3.received(alice, "Mint-Error")
    assert len(refund) == 1 and refund[0].tags["Refunded"] == str(3 * USDA)
    r = resend(tim3, late, tim3.coord)
    assert r.reply.action == "Mint-Error" and r.reply.tags["Error"] == CANCELLED  # type: ignore[attr-defined]
    tim3.ao.run()
    assert tim3.tim3_balance(alice) == 0 and tim3.tim3_supply() == 0
    assert tim3.pending() == {}
    assert tim3.coord.globals["Completed"][late.tags["Operation-Id"]] == "refunded"
    tim3.check()


# -- the coordinator's compensation steps ---------------------------------------------------------


def test_lost_refund_is_retried_until_paid(tim3: Tim3) -> None:
    alice = tim3.user("alice", 5 * USDA)
    tim3.coord.send({"Action": "EmergencyPause", "Pause": "true"}, sender=tim3.admin)
    tim3.ao.run()
    tim3.deposit(alice, 3 * USDA, run=False)
    lost = stall(tim3, "Release")  # the refund's Release
    opid = lost.tags["Operation-Id"]
    assert tim3.pending()[opid]["status"] == "refunding"
    assert tim3.usda_balance(alice) == 2 * USDA
    expire(tim3)
    assert tim3.usda_balance(alice) == 5 * USDA
    assert tim3.pending() == {}
    assert tim3.coord.globals["Completed"][opid] == "refunded"
    refund = tim3.received(alice, "Mint-Error")
    assert len(refund) == 1 and refund[0].tags["Error"] == "System is in emergency pause"
    tim3.check()


def test_lost_refund_response_pays_once(tim3: Tim3) -> None:
    alice = tim3.user("alice", 5 * USDA)
    tim3.coord.send({"Action": "EmergencyPause", "Pause": "true"}, sender=tim3.admin)
    tim3.ao.run()
    tim3.deposit(alice, 3 * USDA, run=False)
    lost = stall(tim3, "Release-Response")
    expire(tim3)  # the refund's Release is sent again; the lock manager answers the first one
    assert tim3.usda_balance(alice) == 5 * USDA
    assert tim3.lock.globals["LockStats"]["totalReleases"] == 1
    assert tim3.coord.globals["Completed"][lost.tags["Operation-Id"]] == "refunded"
    assert len(tim3.received(alice, "Mint-Error")) == 1
    tim3.check()


def test_lost_restoring_mint_is_retried(tim3: Tim3) -> None:
    """Redeem: the Release is lost and cancelled, so the burned TIM3 is minted back; that Mint is
    lost too and the sweep sends it again."""
    alice = tim3.user("alice", 5 * USDA)
    tim3.deposit(alice, 3 * USDA)
    tim3.redeem(alice, USDA, run=False)
    release = stall(tim3, "Release")
    redeem_id = release.tags["Operation-Id"]
    tim3.ao.advance(TIMEOUT_MS + CRON_MS)
    lost = stall(tim3, "Mint")  # the restoring Mint
    assert lost.tags["Operation-Id"] == redeem_id + ":restore"
    assert tim3.pending()[redeem_id + ":restore"]["status"] == "restoring"
    expire(tim3)
    assert tim3.tim3_balance(alice) == 3 * USDA and tim3.usda_balance(alice) == 2 * USDA
    assert tim3.pending() == {}
    assert tim3.coord.globals["Completed"][redeem_id] == "restored"
    errors = tim3.received(alice, "Redeem-Error")
    assert len(errors) == 1 and errors[0].tags["Returned"] == str(USDA)
    tim3.check()
