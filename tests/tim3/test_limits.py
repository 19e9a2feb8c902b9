"""Every limit at its boundary, with the values TIM3 ships (so a changed default is noticed):
the last accepted value and the first refused one, with the exact refusal, and the refund."""

from __future__ import annotations

from tests.tim3.conftest import CRON_MS, USDA, Tim3

FAUCET = 10_000 * USDA  # Mock USDA's FaucetMax
MAX_MINT = 10_000 * USDA  # the coordinator's maxMintAmount and maxMintPerBlock
LARGE = 1_000 * USDA  # largeMintThreshold
HOUR = 3_600_000


def rich(tim3: Tim3, name: str, usda: int) -> str:
    """A wallet with *usda* base units (several faucet mints when needed)."""
    who = tim3.user(name)
    left = usda
    while left > 0:
        q = min(left, FAUCET)
        r = tim3.usda.send({"Action": "Mint", "Quantity": str(q)}, sender=who)
        assert r.reply.action == "Mint-Response"
        left -= q
    return who


def minted(tim3: Tim3, user: str) -> list[str]:
    return [m.tags["Quantity"] for m in tim3.received(user, "Mint-Response")]


def refusals(tim3: Tim3, user: str) -> list[str]:
    return [m.tags["Error"] for m in tim3.ao.mailbox(user) if m.action == "Mint-Error"]


def test_faucet_maximum(tim3: Tim3) -> None:
    who = tim3.user("alice")
    ok = tim3.usda.send({"Action": "Mint", "Quantity": str(FAUCET)}, sender=who).reply
    assert ok.action == "Mint-Response" and ok.tags["Quantity"] == str(FAUCET)
    no = tim3.usda.send({"Action": "Mint", "Quantity": str(FAUCET + 1)}, sender=who).reply
    assert (no.action, no.tags["Error"]) == ("Mint-Error", f"Mint amount above faucet maximum ({FAUCET})")
    assert tim3.usda_balance(who) == FAUCET


def test_minimum_mint_is_one_base_unit(tim3: Tim3) -> None:
    alice = tim3.user("alice", 5)
    tim3.deposit(alice, 1)
    assert minted(tim3, alice) == ["1"] and refusals(tim3, alice) == []
    tim3.check()


def test_largest_single_mint_and_the_block_cap(tim3: Tim3) -> None:
    alice = rich(tim3, "alice", MAX_MINT + 1)
    bob = rich(tim3, "bob", MAX_MINT + 1)
    tim3.deposit(alice, MAX_MINT + 1)
    assert refusals(tim3, alice) == [f"Amount above maximum ({MAX_MINT})"]
    assert tim3.usda_balance(alice) == MAX_MINT + 1  # refunded
    tim3.deposit(alice, MAX_MINT)
    assert minted(tim3, alice) == [str(MAX_MINT)]
    # the global window is full: one more base unit is refused
    tim3.deposit(bob, 1)
    assert refusals(tim3, bob) == ["Block mint limit exceeded (max 10000 TIM3 per 1h)"]
    window = tim3.coord.globals["Window"]
    assert window["total"] == str(MAX_MINT)
    tim3.check()


def test_block_window_reopens_exactly_after_an_hour(tim3: Tim3) -> None:
    alice = rich(tim3, "alice", MAX_MINT + 2)
    tim3.deposit(alice, MAX_MINT)
    start = tim3.coord.globals["Window"]["start"]
    tim3.ao.advance(start + HOUR - 1 - tim3.ao.now)
    tim3.ao.run()
    tim3.deposit(alice, 1)
    assert len(refusals(tim3, alice)) == 1
    tim3.ao.advance(start + HOUR - tim3.ao.now)
    tim3.ao.run()
    tim3.deposit(alice, 1)
    assert minted(tim3, alice) == [str(MAX_MINT), "1"]
    assert tim3.coord.globals["Window"] == {"start": start + HOUR, "total": "1"}
    # the stored history keeps only the new window's mints
    assert [h["amount"] for h in tim3.coord.globals["UserMintHistory"][alice]] == ["1"]
    tim3.check()


def test_per_user_limit_at_its_boundary(tim3: Tim3) -> None:
    tim3.configure(tim3.coord, "MaxMintPerBlock", str(10**15))
    tim3.configure(tim3.coord, "LargeMintThreshold", str(10**15))  # no cooldown in the way
    alice = rich(tim3, "alice", 50_000 * USDA + 1)
    for _ in range(5):
        tim3.deposit(alice, MAX_MINT)
    assert len(minted(tim3, alice)) == 5
    tim3.deposit(alice, 1)
    assert refusals(tim3, alice) == ["User mint limit exceeded (max 50000 TIM3 per user per 1h)"]
    tim3.check()


def test_refused_mint_gives_its_reservation_back(tim3: Tim3) -> None:
    """A mint the token manager refuses releases its place in the global window and in the
    user's history, and only its own: the other mints stay counted."""
    tim3.configure(tim3.coord, "MaxMintPerBlock", str(5 * USDA))
    tim3.configure(tim3.coord, "MaxMintPerUser", str(5 * USDA))
    alice = tim3.user("alice", 20 * USDA)
    tim3.deposit(alice, 3 * USDA)
    # the token manager refuses the next mint (over its supply cap): refund, reservation returned
    tim3.configure(tim3.token, "MaxSupply", str(4 * USDA))
    tim3.deposit(alice, 2 * USDA)
    assert refusals(tim3, alice)[-1].startswith("Token manager refused: ")
    assert tim3.coord.globals["Window"]["total"] == str(3 * USDA)
    history = tim3.coord.globals["UserMintHistory"][alice]
    assert [h["amount"] for h in history] == [str(3 * USDA)]
    tim3.configure(tim3.token, "MaxSupply", str(10**15))
    # 3 + 2 fits exactly; 3 + 2 + 1 does not
    tim3.deposit(alice, 2 * USDA)
    assert minted(tim3, alice) == [str(3 * USDA), str(2 * USDA)]
    tim3.deposit(alice, 1)
    assert refusals(tim3, alice)[-1] == "Block mint limit exceeded (max 5 TIM3 per 1h)"
    tim3.check()


def test_window_text_for_a_window_that_is_not_an_hour(tim3: Tim3) -> None:
    tim3.configure(tim3.coord, "BlockTimeWindow", "120000")
    tim3.configure(tim3.coord, "MaxMintPerBlock", str(USDA))
    alice = tim3.user("alice", 5 * USDA)
    tim3.deposit(alice, 2 * USDA)
    assert refusals(tim3, alice) == ["Block mint limit exceeded (max 1 TIM3 per 2min)"]


def test_rate_limit_boundary_and_window(tim3: Tim3) -> None:
    alice = tim3.user("alice", 20 * USDA)
    for _ in range(10):
        tim3.deposit(alice, 1)
    assert len(minted(tim3, alice)) == 10
    tim3.deposit(alice, 1)
    assert refusals(tim3, alice) == ["Rate limit exceeded (max 10 operations per 60 seconds)"]
    history = tim3.coord.globals["UserOpHistory"][alice]
    assert len(history) == 10
    # a minute after the first operation its slot is free again, and the stored history is pruned
    first = history[0]
    tim3.ao.advance(first + CRON_MS - tim3.ao.now)
    tim3.ao.run()
    tim3.deposit(alice, 1)
    assert len(minted(tim3, alice)) == 11
    assert first not in tim3.coord.globals["UserOpHistory"][alice]
    tim3.check()


def test_large_mint_cooldown_boundary(tim3: Tim3) -> None:
    alice = rich(tim3, "alice", 3 * LARGE)
    tim3.deposit(alice, LARGE - 1)  # not large: no cooldown
    tim3.deposit(alice, LARGE)
    assert len(minted(tim3, alice)) == 2
    last = tim3.coord.globals["LastLargeMint"][alice]
    tim3.ao.advance(last + 300_000 - 1 - tim3.ao.now)
    tim3.ao.run()
    tim3.deposit(alice, LARGE)
    assert refusals(tim3, alice) == ["Large mint cooldown active (wait 1 seconds)"]
    tim3.ao.advance(1)
    tim3.deposit(alice, LARGE)
    assert len(minted(tim3, alice)) == 3
    tim3.check()


def test_lock_manager_range(tim3: Tim3) -> None:
    top = 1_000_000 * USDA  # maxLockAmount
    tim3.configure(tim3.usda, "FaucetMax", str(top + 1))
    alice = tim3.user("alice", top + 1)
    tim3.configure(tim3.lock, "MinLockAmount", "2")
    tim3.deposit(alice, 1)
    assert refusals(tim3, alice) == ["Amount below minimum (2)"]
    tim3.deposit(alice, top + 1)
    assert refusals(tim3, alice)[-1] == f"Amount above maximum ({top})"
    assert tim3.usda_balance(alice) == top + 1
    assert tim3.lock.globals["LockStats"]["totalLocked"] == "0"
    tim3.check()


def test_token_manager_supply_cap_boundary(tim3: Tim3) -> None:
    tim3.configure(tim3.token, "MaxSupply", str(3 * USDA))
    alice = tim3.user("alice", 10 * USDA)
    tim3.deposit(alice, 3 * USDA)
    assert minted(tim3, alice) == [str(3 * USDA)]
    tim3.deposit(alice, 1)
    assert len(refusals(tim3, alice)) == 1
    assert tim3.tim3_supply() == 3 * USDA
    tim3.check()
