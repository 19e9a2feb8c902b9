"""I6 and the upstream defects of docs/tim3-upstream.md §2, one regression test each (every one of these
fails on upstream behaviour)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from harness import assert_error
from tests.tim3.conftest import CRON_MS, TIMEOUT_MS, USDA, Tim3, data_of

AO = Path(__file__).resolve().parents[2] / "ao"
PROCESSES = ["mock-usda", "lock-manager", "token-manager", "coordinator", "state-manager"]


def _unchanged(tim3: Tim3, proc_name: str, tags: dict[str, str], sender: str | object) -> None:
    before = tim3.snapshot()
    proc = getattr(tim3, proc_name)
    r = proc.send(tags, sender=sender)  # type: ignore[arg-type]
    assert r.error is None, r.error
    assert r.reply.action.endswith("-Error"), r.reply.action
    assert r.reply.tags["Error"]
    tim3.ao.run()
    assert tim3.snapshot() == before


# -- I6: forged senders, wrong processes, non-admins ----------------------------------------------

@pytest.mark.parametrize(
    ("proc", "tags"),
    [
        ("lock", {"Action": "Credit-Notice", "Sender": "M" * 43, "Quantity": "1000000"}),
        ("lock", {"Action": "Release", "User": "M" * 43, "Quantity": "1", "Operation-Id": "x"}),
        ("lock", {"Action": "Cancel", "Operation-Id": "x"}),
        ("coord", {"Action": "Collateral-Deposited", "User": "M" * 43, "Quantity": "5", "Operation-Id": "x"}),
        ("coord", {"Action": "Mint-Response", "Operation-Id": "x"}),
        ("coord", {"Action": "Release-Response", "Operation-Id": "x"}),
        ("coord", {"Action": "Credit-Notice", "Sender": "M" * 43, "Quantity": "5"}),
        ("token", {"Action": "Mint", "Recipient": "M" * 43, "Quantity": "5", "Operation-Id": "x"}),
        ("token", {"Action": "Burn", "Quantity": "5", "Operation-Id": "x"}),
        ("token", {"Action": "Cancel", "Operation-Id": "x", "Operation-Type": "Mint"}),
        ("state", {"Action": "Update-Position", "User": "M" * 43, "Collateral": "5", "Tim3-Balance": "5"}),
    ],
)
@pytest.mark.parametrize("who", ["wallet", "wrong-process"])
def test_i6_cross_process_messages_only_from_configured_ids(tim3: Tim3, proc: str, tags: dict[str, str], who: str) -> None:
    alice = tim3.user("alice", 50 * USDA)
    tim3.deposit(alice, 20 * USDA)
    sender: object = tim3.ao.wallet("mallory") if who == "wallet" else tim3.state if proc != "state" else tim3.lock
    _unchanged(tim3, proc, tags, sender)
    tim3.check()


@pytest.mark.parametrize("proc", ["usda", "lock", "token", "coord", "state"])
def test_i6_configuration_is_admin_only(tim3: Tim3, proc: str) -> None:
    mallory = tim3.ao.wallet("mallory")
    for ctype in ("AdminProcess", "CoordinatorProcess", "MockUsdaProcess", "MaxSupply", "FaucetMax"):
        _unchanged(tim3, proc, {"Action": "Configure", "Config-Type": ctype, "Value": mallory}, mallory)


@pytest.mark.parametrize(
    "tags",
    [
        {"Action": "EmergencyPause", "Pause": "true"},
        {"Action": "CleanupExpired"},
        {"Action": "SetProcessConfig", "Token-Manager-Process": "M" * 43},
        {"Action": "SetTokenManagerProcess", "Process-Id": "M" * 43},
        {"Action": "SetLockManagerProcess", "Process-Id": "M" * 43},
        {"Action": "SetMockUsdaProcess", "Process-Id": "M" * 43},
        {"Action": "SetStateManagerProcess", "Process-Id": "M" * 43},
    ],
)
def test_defect1_coordinator_controls_are_admin_only(tim3: Tim3, tags: dict[str, str]) -> None:
    _unchanged(tim3, "coord", tags, tim3.ao.wallet("mallory"))


def test_defect1_admin_hand_over(tim3: Tim3) -> None:
    new_admin = tim3.ao.wallet("new-admin")
    tim3.configure(tim3.coord, "AdminProcess", new_admin)
    # the old admin is out, the new one is in
    r = tim3.coord.send({"Action": "EmergencyPause", "Pause": "true"}, sender=tim3.admin)
    assert r.reply.tags["Error"] == "Unauthorized - only admin can pause system"
    r = tim3.coord.send({"Action": "EmergencyPause", "Pause": "true"}, sender=new_admin)
    assert r.reply.action == "EmergencyPause-Response"
    assert tim3.coord.globals["Config"]["emergencyPaused"] is True


def test_defect1_nobody_can_take_over_minting(tim3: Tim3) -> None:
    mallory = tim3.ao.wallet("mallory")
    _unchanged(tim3, "token", {"Action": "Configure", "Config-Type": "CoordinatorProcess", "Value": mallory}, mallory)
    _unchanged(tim3, "token", {"Action": "Mint", "Recipient": mallory, "Quantity": "1000000", "Operation-Id": "m"}, mallory)
    assert tim3.tim3_balance(mallory) == 0


def test_defect2_mint_saga_completes_with_one_operation_id(tim3: Tim3) -> None:
    alice = tim3.user("alice", 10 * USDA)
    r = tim3.deposit(alice, 3 * USDA)
    notice = next(d.message for d in tim3.ao.trace if d.message.action == "Credit-Notice" and d.message.target == tim3.lock.id)
    opid = notice.id
    saga = [d.message for d in tim3.ao.trace if d.message.tags.get("Operation-Id") == opid]
    assert [m.action for m in saga] == [
        "Collateral-Deposited", "Collateral-Deposited-Response", "Mint", "Mint-Response", "Update-Position",
        "Mint-Response", "Update-Position-Response",
    ]
    assert tim3.coord.globals["Completed"][opid] == "minted"
    assert tim3.coord.globals["Totals"] == {"collateral": str(3 * USDA), "tim3": str(3 * USDA)}
    assert r.error is None


def test_defect3_redeem_saga_completes_exact_strings(tim3: Tim3) -> None:
    alice = tim3.user("alice", 1000)
    tim3.deposit(alice, 300)
    tim3.redeem(alice, 100)
    [resp] = tim3.received(alice, "Redeem-Response")
    body = data_of(resp)
    assert body["tim3Burned"] == "100" and body["collateralReleased"] == "100"  # never "100.0"
    assert tim3.coord.globals["Totals"] == {"collateral": "200", "tim3": "200"}
    tim3.check()


def test_defect4_mock_usda_locks_belong_to_holder_and_locker(tim3: Tim3) -> None:
    victim = tim3.user("victim", 1000 * USDA)
    mallory = tim3.user("mallory", 10 * USDA)
    locker = tim3.ao.wallet("escrow")
    # nobody can lock someone else's balance
    r = tim3.usda.send({"Action": "Lock", "User": victim, "Quantity": "5", "Locker": mallory}, sender=mallory)
    assert r.reply.tags["Error"] == "Only the holder can lock its own balance"
    r = tim3.usda.send({"Action": "Lock", "Quantity": str(900 * USDA), "Locker": locker}, sender=victim)
    assert r.reply.action == "Lock-Response"
    tim3.ao.run()
    # only the named locker can unlock it
    r = tim3.usda.send({"Action": "Unlock", "User": victim, "Quantity": str(900 * USDA)}, sender=mallory)
    assert r.reply.tags["Error"] == "Insufficient locked balance"
    # the confirmation names the holder's own lock id (the Lock message id), not a caller-chosen one
    [conf] = [m for m in tim3.ao.mailbox(locker) if m.action == "Lock-Confirmed"]
    assert conf.tags["User"] == victim and conf.tags["Lock-Id"] != ""
    r = tim3.usda.send({"Action": "Unlock", "User": victim, "Quantity": str(900 * USDA)}, sender=locker)
    assert r.reply.action == "Unlock-Response"


def test_defect5_deposit_path_works_with_mock_usda_and_realistic_amounts(tim3: Tim3) -> None:
    alice = tim3.user("alice", 5_000 * USDA)
    tim3.deposit(alice, 999 * USDA)  # 999,000,000 base units: upstream's maxSupply 300 refused it
    assert tim3.tim3_balance(alice) == 999 * USDA
    notice = next(m for m in tim3.ao.mailbox(tim3.lock) if m.action == "Credit-Notice")
    assert notice.tags["Sender"] == alice and notice.tags["Quantity"] == str(999 * USDA)
    tim3.check()


def test_defect5_rejected_deposit_is_refunded_and_redeem_exists(tim3: Tim3) -> None:
    alice = tim3.user("alice", 100 * USDA)
    base = tim3.holdings()
    tim3.configure(tim3.token, "MintingEnabled", "false")
    tim3.deposit(alice, 10 * USDA)
    assert tim3.usda_balance(alice) == 100 * USDA
    tim3.configure(tim3.token, "MintingEnabled", "true")
    tim3.deposit(alice, 10 * USDA)
    tim3.redeem(alice, 10 * USDA)
    assert tim3.usda_balance(alice) == 100 * USDA
    tim3.check(baseline=base)


def test_defect6_state_manager_accumulates_and_is_authenticated(tim3: Tim3) -> None:
    alice = tim3.user("alice", 100 * USDA)
    tim3.deposit(alice, 10 * USDA)
    tim3.deposit(alice, 5 * USDA)  # upstream's "mint" operation overwrote the position
    pos = data_of(tim3.state.send({"Action": "GetPosition", "User": alice}).reply)["position"]
    assert pos["collateral"] == str(15 * USDA) and pos["tim3Balance"] == str(15 * USDA)
    _unchanged(tim3, "state", {"Action": "Update-Position", "User": alice, "Operation": "set", "Collateral": "0"},
               tim3.ao.wallet("mallory"))
    r = tim3.state.send({"Action": "CheckLiquidations"})  # upstream crashed on the nil threshold
    assert r.error is None and data_of(r.reply)["liquidatableCount"] == 0


@pytest.mark.parametrize("bad", ["1e3", "0x10", " 5", "5 ", "1.5", "-5", "+5", "007", "", "9" * 31])
def test_defect7_loose_amounts_rejected_without_state_change(tim3: Tim3, bad: str) -> None:
    alice = tim3.user("alice", 100 * USDA)
    tim3.deposit(alice, 10 * USDA)
    for proc, action in (("usda", "Transfer"), ("token", "Transfer")):
        tags = {"Action": action, "Recipient": tim3.lock.id if proc == "usda" else tim3.coord.id, "Quantity": bad}
        _unchanged(tim3, proc, tags, alice)
    _unchanged(tim3, "usda", {"Action": "Mint", "Quantity": bad}, alice)
    tim3.check()


def test_defect7_amounts_beyond_2_pow_53_are_exact(tim3: Tim3) -> None:
    alice = tim3.user("alice")
    for proc, ctype in ((tim3.usda, "FaucetMax"), (tim3.coord, "MaxMintAmount"), (tim3.coord, "MaxMintPerUser"),
                        (tim3.coord, "MaxMintPerBlock"), (tim3.coord, "LargeMintThreshold")):
        tim3.configure(proc, ctype, "9" * 20)
    tim3.configure(tim3.token, "MaxMintAmount", "9" * 20)
    tim3.configure(tim3.token, "MaxSupply", "9" * 20)
    tim3.configure(tim3.lock, "MaxLockAmount", "9" * 20)
    big = 2**53 + 1
    tim3.usda.send({"Action": "Mint", "Quantity": str(big)}, sender=alice)
    tim3.ao.run()
    tim3.deposit(alice, big)
    assert tim3.token.globals["Balances"][alice] == str(big)
    tim3.check()


def test_defect8_millisecond_clock_and_side_effect_free_queries(tim3: Tim3) -> None:
    alice = tim3.user("alice", 100 * USDA)
    tim3.token.eval('Handlers.add("Mint", "Mint", function() error("down") end)')
    tim3.between_ticks()  # the deadline then falls half a minute after a cron tick
    tim3.deposit(alice, 10 * USDA)
    assert_error(tim3.ao, ": down$")  # the token manager lost the Mint
    deadline = tim3.ao.now + TIMEOUT_MS
    tim3.ao.advance(1_000)  # upstream's 300 "seconds" were 0.3 s of AO time
    tim3.ao.cron(tim3.coord)
    tim3.ao.run()
    assert len(tim3.pending()) == 1
    # just past the deadline, before the next cron tick: the operation is overdue, nothing swept it
    tim3.ao.advance(deadline + 1 - tim3.ao.now)
    tim3.ao.run()
    [op] = tim3.pending().values()
    assert op["deadline"] < tim3.ao.now and "timeouts" not in op
    before = tim3.snapshot()
    for action in ("SystemHealth", "Info", "GetPosition", "GetConfig"):
        assert tim3.coord.send({"Action": action}, sender=alice).error is None
    tim3.ao.run()
    assert tim3.snapshot() == before  # upstream's SystemHealth expired (and deleted) operations
    # the coordinator's next cron tick does expire it, and the deposit is refunded
    ticks = tim3.ao.advance(CRON_MS)
    assert sorted(d.message.target for d in ticks) == sorted([tim3.lock.id, tim3.coord.id])
    tim3.ao.run()
    assert tim3.pending() == {} and tim3.usda_balance(alice) == 100 * USDA


def test_defect9_no_global_json() -> None:
    """Every Lua file of a process (process.lua, the modules beside it) and of ao/lib that uses
    json requires it into a local; none reads or sets a global json."""
    files = {name: sorted((AO / name / "src").glob("*.lua")) for name in PROCESSES}
    files["lib"] = sorted((AO / "lib").glob("*.lua"))
    for name, paths in files.items():
        users = 0
        for path in paths:
            code = path.read_text()
            assert "_G.json" not in code and not re.search(r"^json\s*=", code, re.M), path
            if re.findall(r"(?<![\w.])json\.", code):
                users += 1
                assert 'local json = require("json")' in code, path
        assert users, name


def test_defect9_processes_load_where_json_is_not_global(tim3: Tim3) -> None:
    for proc in (tim3.usda, tim3.lock, tim3.token, tim3.coord, tim3.state):
        assert proc.globals.get("json") is None
        assert proc.send({"Action": "Info"}).error is None


def test_defect10_token_manager_is_a_standard_token(tim3: Tim3) -> None:
    alice = tim3.user("alice", 100 * USDA)
    bob = tim3.user("bob")
    tim3.deposit(alice, 10 * USDA)
    info = tim3.token.send({"Action": "Info"}).reply
    assert info.tags["Ticker"] == "TIM3" and info.tags["Denomination"] == "6" and info.tags["Name"] == "TIM3 Token"
    r = tim3.token.send({"Action": "Transfer", "Recipient": bob, "Quantity": "5", "X-Memo": "hi"}, sender=alice)
    debit = r.reply
    assert debit.action == "Debit-Notice" and debit.tags["Quantity"] == "5" and debit.tags["X-Memo"] == "hi"
    [credit] = [m for m in r.messages if m.target == bob]
    assert credit.action == "Credit-Notice" and credit.tags["Sender"] == alice and credit.tags["X-Memo"] == "hi"
    # users cannot burn directly (that stranded collateral upstream)
    _unchanged(tim3, "token", {"Action": "Burn", "Quantity": "5", "Operation-Id": "b"}, alice)
    assert int(tim3.token.globals["Config"]["maxSupply"]) >= 10**15
    tim3.ao.run()
    tim3.check()


def test_operation_ids_derive_from_message_ids(tim3: Tim3) -> None:
    alice = tim3.user("alice", 10 * USDA)
    tim3.deposit(alice, USDA)
    tim3.redeem(alice, USDA)
    notices = [d.message for d in tim3.ao.trace if d.message.action == "Credit-Notice"
               and d.message.target in (tim3.lock.id, tim3.coord.id)]
    assert set(tim3.coord.globals["Completed"]) == {m.id for m in notices}
