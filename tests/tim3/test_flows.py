"""TIM3 flows end to end across the five processes, with I1-I5 checked after each."""

from __future__ import annotations

import contextlib
from pathlib import Path

from harness import assert_error
from harness.errors import MessageStormError
from tests.tim3.conftest import TIMEOUT_MS, USDA, Tim3, data_of


def test_mint_flow(tim3: Tim3) -> None:
    alice = tim3.user("alice", 100 * USDA)
    base = tim3.holdings()
    tim3.deposit(alice, 40 * USDA)
    assert tim3.usda_balance(alice) == 60 * USDA
    assert tim3.tim3_balance(alice) == 40 * USDA
    assert tim3.usda_balance(tim3.lock.id) == 40 * USDA
    [resp] = tim3.received(alice, "Mint-Response")
    body = data_of(resp)
    assert body["tim3Minted"] == str(40 * USDA)
    tim3.check(baseline=base)
    print(tim3.ao.format_trace())


def test_redeem_flow(tim3: Tim3) -> None:
    alice = tim3.user("alice", 100 * USDA)
    base = tim3.holdings()
    tim3.deposit(alice, 40 * USDA)
    tim3.redeem(alice, 15 * USDA)
    assert tim3.tim3_balance(alice) == 25 * USDA
    assert tim3.usda_balance(alice) == 75 * USDA
    assert tim3.usda_balance(tim3.lock.id) == 25 * USDA
    [resp] = tim3.received(alice, "Redeem-Response")
    assert data_of(resp)["collateralReleased"] == str(15 * USDA)
    tim3.check(baseline=base)
    assert tim3.pending() == {}


def test_transfer_then_redeem_by_recipient(tim3: Tim3) -> None:
    alice = tim3.user("alice", 50 * USDA)
    bob = tim3.user("bob")
    base = tim3.holdings()
    tim3.deposit(alice, 30 * USDA)
    tim3.transfer(alice, bob, 10 * USDA)
    assert tim3.tim3_balance(bob) == 10 * USDA
    tim3.check()
    base[alice] -= 10 * USDA
    base[bob] += 10 * USDA
    tim3.redeem(bob, 10 * USDA)
    assert tim3.usda_balance(bob) == 10 * USDA
    assert tim3.tim3_balance(bob) == 0
    tim3.check(baseline=base)


def step_one(tim3: Tim3) -> None:
    """Deliver one queued message.  (Network.step() currently raises MessageStormError when more
    messages remain queued, after making its one delivery; that error is not a storm here.)"""
    with contextlib.suppress(MessageStormError):
        tim3.ao.step()


def _refunded(tim3: Tim3, user: str, reason: str) -> None:
    errors = tim3.received(user, "Mint-Error")
    assert errors, "no Mint-Error reached the user"
    assert reason in errors[-1].tags["Error"], errors[-1].tags["Error"]


def test_rejected_mint_when_paused_is_refunded(tim3: Tim3) -> None:
    alice = tim3.user("alice", 10 * USDA)
    base = tim3.holdings()
    r = tim3.coord.send({"Action": "EmergencyPause", "Pause": "true", "Reason": "drill"})
    assert r.reply.action == "EmergencyPause-Response"
    tim3.deposit(alice, 5 * USDA)
    _refunded(tim3, alice, "System is in emergency pause")
    assert tim3.usda_balance(alice) == 10 * USDA
    assert tim3.tim3_balance(alice) == 0
    tim3.check(baseline=base)
    tim3.coord.send({"Action": "EmergencyPause", "Pause": "false"})
    tim3.deposit(alice, 5 * USDA)
    assert tim3.tim3_balance(alice) == 5 * USDA
    tim3.check(baseline=base)


def test_rejected_mint_when_inactive_is_refunded(tim3: Tim3) -> None:
    alice = tim3.user("alice", 10 * USDA)
    base = tim3.holdings()
    tim3.configure(tim3.coord, "SystemActive", "false")
    tim3.deposit(alice, 5 * USDA)
    _refunded(tim3, alice, "System is currently inactive")
    tim3.check(baseline=base)


def test_mint_above_maximum_is_refunded(tim3: Tim3) -> None:
    alice = tim3.user("alice", 10_000 * USDA)
    base = tim3.holdings()
    tim3.configure(tim3.coord, "MaxMintAmount", str(100 * USDA))
    tim3.deposit(alice, 101 * USDA)
    _refunded(tim3, alice, "Amount above maximum")
    tim3.deposit(alice, 100 * USDA)
    assert tim3.tim3_balance(alice) == 100 * USDA
    tim3.check(baseline=base)


def test_mint_below_minimum_is_refunded(tim3: Tim3) -> None:
    alice = tim3.user("alice", 10 * USDA)
    base = tim3.holdings()
    tim3.configure(tim3.coord, "MinMintAmount", "1000")
    tim3.deposit(alice, 999)
    _refunded(tim3, alice, "Amount below minimum")
    tim3.deposit(alice, 1)  # the coordinator minimum applies; the dust default is 1 base unit
    _refunded(tim3, alice, "Amount below minimum")
    tim3.check(baseline=base)


def test_global_window_limit_reserved_at_acceptance(tim3: Tim3) -> None:
    """Two deposits in flight together cannot both pass the 10,000 TIM3 window (TOCTOU fix)."""
    alice = tim3.user("alice", 9_000 * USDA)
    bob = tim3.user("bob", 9_000 * USDA)
    base = tim3.holdings()
    tim3.configure(tim3.coord, "LargeMintThreshold", str(100_000 * USDA))
    tim3.deposit(alice, 6_000 * USDA, run=False)
    tim3.deposit(bob, 6_000 * USDA, run=False)
    tim3.ao.run()
    assert tim3.tim3_balance(alice) == 6_000 * USDA
    assert tim3.tim3_balance(bob) == 0
    _refunded(tim3, bob, "Block mint limit exceeded (max 10000 TIM3 per 1h)")
    tim3.check(baseline=base)
    tim3.ao.advance(3_600_000)
    tim3.deposit(bob, 6_000 * USDA)
    assert tim3.tim3_balance(bob) == 6_000 * USDA
    tim3.check(baseline=base)


def test_per_user_limit(tim3: Tim3) -> None:
    alice = tim3.user("alice", 10_000 * USDA)
    base = tim3.holdings()
    tim3.configure(tim3.coord, "MaxMintPerUser", str(1_500 * USDA))
    tim3.configure(tim3.coord, "LargeMintThreshold", str(100_000 * USDA))
    tim3.deposit(alice, 1_000 * USDA)
    tim3.deposit(alice, 600 * USDA)
    _refunded(tim3, alice, "User mint limit exceeded")
    tim3.deposit(alice, 500 * USDA)
    assert tim3.tim3_balance(alice) == 1_500 * USDA
    tim3.check(baseline=base)


def test_large_mint_cooldown(tim3: Tim3) -> None:
    alice = tim3.user("alice", 5_000 * USDA)
    base = tim3.holdings()
    tim3.deposit(alice, 1_000 * USDA)
    tim3.ao.advance(60_000)
    tim3.deposit(alice, 1_000 * USDA)
    _refunded(tim3, alice, "Large mint cooldown active (wait 240 seconds)")
    tim3.deposit(alice, 999 * USDA)  # below the large-mint threshold: no cooldown
    assert tim3.tim3_balance(alice) == 1_999 * USDA
    tim3.ao.advance(240_000)
    tim3.deposit(alice, 1_000 * USDA)
    assert tim3.tim3_balance(alice) == 2_999 * USDA
    tim3.check(baseline=base)


def test_rate_limit(tim3: Tim3) -> None:
    alice = tim3.user("alice", 100 * USDA)
    base = tim3.holdings()
    tim3.configure(tim3.coord, "RateLimitCount", "3")
    for _ in range(3):
        tim3.deposit(alice, USDA)
    tim3.deposit(alice, USDA)
    _refunded(tim3, alice, "Rate limit exceeded (max 3 operations per 60 seconds)")
    assert tim3.tim3_balance(alice) == 3 * USDA
    tim3.check(baseline=base)
    tim3.ao.advance(60_000)
    tim3.deposit(alice, USDA)
    assert tim3.tim3_balance(alice) == 4 * USDA
    tim3.check(baseline=base)


def test_token_manager_refusal_is_refunded(tim3: Tim3) -> None:
    alice = tim3.user("alice", 100 * USDA)
    base = tim3.holdings()
    tim3.configure(tim3.token, "MaxSupply", str(50 * USDA))
    tim3.deposit(alice, 60 * USDA)
    _refunded(tim3, alice, "Token manager refused: Minting would exceed max supply")
    tim3.configure(tim3.token, "MintingEnabled", "false")
    tim3.deposit(alice, 10 * USDA)
    _refunded(tim3, alice, "Minting is currently disabled")
    tim3.check(baseline=base)
    # refused mints give their reservation back
    assert tim3.coord.globals["Window"]["total"] == "0"


def test_redeem_when_paused_returns_tim3(tim3: Tim3) -> None:
    alice = tim3.user("alice", 100 * USDA)
    base = tim3.holdings()
    tim3.deposit(alice, 50 * USDA)
    tim3.coord.send({"Action": "EmergencyPause", "Pause": "true"})
    tim3.redeem(alice, 20 * USDA)
    [err] = tim3.received(alice, "Redeem-Error")
    assert err.tags["Error"] == "System is in emergency pause"
    assert tim3.tim3_balance(alice) == 50 * USDA
    tim3.check(baseline=base)


def test_burn_refused_returns_tim3(tim3: Tim3) -> None:
    alice = tim3.user("alice", 100 * USDA)
    base = tim3.holdings()
    tim3.deposit(alice, 50 * USDA)
    tim3.configure(tim3.token, "BurningEnabled", "false")
    tim3.redeem(alice, 20 * USDA)
    [err] = tim3.received(alice, "Redeem-Error")
    assert "Burning is currently disabled" in err.tags["Error"]
    assert tim3.tim3_balance(alice) == 50 * USDA
    tim3.check(baseline=base)


def test_mint_timeout_is_compensated_on_cron(tim3: Tim3) -> None:
    """The token manager loses the Mint (it errors); the coordinator's Cron tick (aoform.yaml's
    Cron-Interval) at the 5-minute deadline cancels it at the token manager and refunds the USDA."""
    alice = tim3.user("alice", 100 * USDA)
    base = tim3.holdings()
    sabotage = 'Handlers.add("Mint", "Mint", function() error("token manager crashed") end)'
    assert tim3.token.eval(sabotage).error is None
    tim3.deposit(alice, 30 * USDA)
    assert_error(tim3.ao, "token manager crashed")  # the sabotaged Mint errored, as planned
    assert len(tim3.pending()) == 1
    tim3.check(quiet=False)
    # the manifest's Cron-Interval: the coordinator ticks every minute; the four ticks before the
    # deadline find nothing expired
    ticks = tim3.ao.advance(TIMEOUT_MS - 1_000)
    assert [d.message.target for d in ticks].count(tim3.coord.id) == 4
    tim3.ao.run()
    assert len(tim3.pending()) == 1  # not yet expired
    assert not any(m.action == "Cancel" for m in tim3.ao.mailbox(tim3.token.id))
    # the tick at the deadline sweeps it
    ticks = tim3.ao.advance(2_000)
    assert [d.message.target for d in ticks].count(tim3.coord.id) == 1
    tim3.ao.run()
    _refunded(tim3, alice, "Operation cancelled: timed out at the coordinator")
    tim3.check(baseline=base)
    tim3.check_expired()
    # the cancelled id stays dead at the token manager
    assert tim3.token.globals["Cancelled"]


def test_timeout_enforced_by_next_message(tim3: Tim3) -> None:
    alice = tim3.user("alice", 100 * USDA)
    bob = tim3.user("bob", 100 * USDA)
    base = tim3.holdings()
    tim3.token.eval('Handlers.add("Mint", "Mint", function() error("down") end)')
    tim3.between_ticks()  # so that no cron tick falls between the deadline and the next message
    tim3.deposit(alice, 30 * USDA)
    assert_error(tim3.ao, ": down$")  # the token manager lost the Mint
    tim3.ao.advance(TIMEOUT_MS + 1)
    assert not tim3.ao.pending  # the ticks on the way found nothing expired
    tim3.token.eval('Handlers.remove("Mint")')
    assert tim3.token.eval(Path(tim3.token.path).read_text()).error is None  # fixed code reloaded
    tim3.deposit(bob, 10 * USDA)  # the next message sweeps
    _refunded(tim3, alice, "Operation cancelled")
    assert tim3.tim3_balance(bob) == 10 * USDA
    tim3.check(baseline=base)
    tim3.check_expired()


def test_late_mint_after_cancel_is_refused(tim3: Tim3) -> None:
    """Cancel reaches the token manager before a delayed Mint: the Mint is refused, no double value."""
    alice = tim3.user("alice", 100 * USDA)
    base = tim3.holdings()
    tim3.deposit(alice, 30 * USDA, run=False)
    # deliver up to the coordinator's Mint, hold it
    while not any(m.action == "Mint" and m.target == tim3.token.id for m in tim3.ao.pending):
        step_one(tim3)
    tim3.ao.advance(TIMEOUT_MS + 1)  # the coordinator's cron tick at the deadline queues Cancel after the Mint
    queued = [m.action for m in tim3.ao.pending if m.target == tim3.token.id]
    assert queued == ["Mint", "Cancel"]
    tim3.ao.run()
    # FIFO: the Mint ran first, the Cancel replays its response: the mint completes
    assert tim3.tim3_balance(alice) == 30 * USDA
    tim3.check(baseline=base)
    tim3.check_expired()


def test_lost_deposit_report_is_re_sent_and_the_saga_completes(tim3: Tim3) -> None:
    """Found by the state machine: a Collateral-Deposited lost on the way stranded the USDA at the
    lock manager forever (the coordinator never heard of it).  The coordinator now acknowledges
    each report and the lock manager re-reports unacknowledged deposits after the timeout."""
    alice = tim3.user("alice", 10 * USDA)
    tim3.deposit(alice, 2 * USDA, run=False)
    lost = []
    while tim3.ao.pending and not lost:
        lost = tim3.ao.drop(lambda m: m.action == "Collateral-Deposited")
        if not lost:
            tim3.ao.step()
    assert lost
    tim3.ao.run()
    assert tim3.tim3_balance(alice) == 0 and tim3.usda_balance(tim3.lock.id) == 2 * USDA
    # the lock manager's cron tick at the report timeout re-reports the deposit
    ticks = tim3.ao.advance(TIMEOUT_MS)
    assert tim3.lock.id in [d.message.target for d in ticks]
    tim3.ao.run()
    assert tim3.tim3_balance(alice) == 2 * USDA
    tim3.check()
    # a later duplicate report is acknowledged and ignored
    dep = next(iter(tim3.lock.globals["Deposits"].values()))
    assert dep["status"] == "acknowledged" and dep["reports"] == 2
