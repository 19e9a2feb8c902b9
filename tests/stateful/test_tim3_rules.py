"""A rule-based state machine for TIM3 across its five processes.

Rules drive the real flows (faucet, deposit-mint, transfer, redeem, pause/resume, limit changes,
time jumps, cron ticks, lost messages, other delivery orders) and adversarial messages (forged
senders, spoofed notices and confirmations, malformed amounts, non-admin configuration).  After
every step the invariants I1–I6 (``Tim3.check`` in tests/tim3/conftest.py) are checked against a
Python model of what every user must hold.  A failure prints the shrunk rule sequence and the
message trace of the failing step.

The system is the one ``aoform.yaml`` deploys (``build_system`` = ``Network.spawn_system``), Cron
tags included: ``time_passes`` delivers the lock manager's and the coordinator's minute ticks that
fall due on the way, as AO would; ``cron_tick`` adds an extra tick at an arbitrary moment.

Run longer with ``HYPOTHESIS_PROFILE=deep`` (see conftest.py).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from harness import Network
from harness.process import Process
from harness.strategies import delivery_order, malformed_amounts
from tests.tim3.conftest import CRON_MS, TIMEOUT_MS, USDA, Tim3, build_system

USERS = ("alice", "bob", "carol")
amounts = st.integers(min_value=1, max_value=20_000 * USDA)
small = st.integers(min_value=1, max_value=2_000 * USDA)


class Tim3Machine(RuleBasedStateMachine):
    """Every rule leaves the network quiet; invariants then hold exactly."""

    #: the wired system with the rogue process, built once; every example runs on a clone of it
    _template: tuple[Tim3, Process] | None = None

    def __init__(self) -> None:
        super().__init__()
        if Tim3Machine._template is None:
            t = build_system(Network())
            #: a process nobody configured, for messages that arrive pushed by the MU from it
            rogue = t.ao.spawn(source="", name="rogue")
            # what the invariants and I6 read, made once for every clone: the converted globals and
            # the snapshots (a clone starts with its template's cached snapshots)
            t.check(quiet=True)
            for proc in (t.usda, t.lock, t.token, t.coord, t.state):
                proc.snapshot()
            Tim3Machine._template = (t, rogue)
        template, rogue = Tim3Machine._template
        self.net = template.ao.clone()
        procs = {pid: self.net.process(pid) for pid in template.ao.processes}
        self.t: Tim3 = replace(
            template,
            ao=self.net,
            usda=procs[template.usda.id],
            lock=procs[template.lock.id],
            token=procs[template.token.id],
            coord=procs[template.coord.id],
            state=procs[template.state.id],
            users=list(template.users),
            system=None,
            # a clone's states start at its template's versions: the template's converted reads
            # hold for them until they change (a process the example never touches is never
            # made: see LuaProcessState.clone)
            _reads={key: (version, procs[p.id], value) for key, (version, p, value) in template._reads.items()},
        )
        self.rogue = self.net.process(rogue.id)
        self.addr = {name: self.t.user(name) for name in USERS}
        self.attacker = self.net.wallet("mallory")
        #: what each user must hold in USDA + TIM3: changes only by faucet mints and TIM3 transfers
        self.holdings = {a: 0 for a in self.addr.values()}
        self.step_start = 0

    def teardown(self) -> None:
        # the clone's Lua runtimes go back to the template for the next example's clone
        self.net.close()

    # -- helpers ----------------------------------------------------------------------------

    def settle(self) -> None:
        self.net.run()

    def note_trace(self) -> None:
        """Keep the trace of the current step for the failure report."""
        self.step_start = len(self.net.trace)

    def step_trace(self) -> str:
        from harness.messages import format_trace

        return format_trace(self.net.trace[self.step_start :], self.net.names, limit=30)

    # -- flows ------------------------------------------------------------------------------

    @initialize()
    def start(self) -> None:
        self.note_trace()

    @rule(user=st.sampled_from(USERS), amount=amounts)
    def faucet(self, user: str, amount: int) -> None:
        self.note_trace()
        who = self.addr[user]
        r = self.t.usda.send({"Action": "Mint", "Quantity": str(amount)}, sender=who)
        self.settle()
        assert r.error is None, r.error
        if r.reply.action == "Mint-Response":
            self.holdings[who] += amount
        else:
            assert r.reply.action == "Mint-Error", self.step_trace()

    @rule(user=st.sampled_from(USERS), amount=small)
    def deposit(self, user: str, amount: int) -> None:
        self.note_trace()
        who = self.addr[user]
        before_tim3 = self.t.tim3_balance(who)
        before_usda = self.t.usda_balance(who)
        self.t.deposit(who, amount)
        if before_usda < amount:
            assert self.t.usda_balance(who) == before_usda, self.step_trace()
            return
        minted = self.t.tim3_balance(who) - before_tim3
        assert minted in (0, amount), f"minted {minted} of {amount}\n{self.step_trace()}"
        if minted == 0:
            # refused: refunded, with a Mint-Error carrying the reason
            assert self.t.usda_balance(who) == before_usda, self.step_trace()

    @rule(sender=st.sampled_from(USERS), recipient=st.sampled_from(USERS), amount=small)
    def transfer(self, sender: str, recipient: str, amount: int) -> None:
        self.note_trace()
        src, dst = self.addr[sender], self.addr[recipient]
        had = self.t.tim3_balance(src)
        r = self.t.token.send({"Action": "Transfer", "Recipient": dst, "Quantity": str(amount)}, sender=src)
        self.settle()
        assert r.error is None, r.error
        if had >= amount and src != dst:
            self.holdings[src] -= amount
            self.holdings[dst] += amount

    @rule(user=st.sampled_from(USERS), amount=small)
    def redeem(self, user: str, amount: int) -> None:
        self.note_trace()
        who = self.addr[user]
        before = (self.t.usda_balance(who), self.t.tim3_balance(who))
        self.t.redeem(who, amount)
        after = (self.t.usda_balance(who), self.t.tim3_balance(who))
        if before[1] < amount:
            assert after == before, self.step_trace()
        else:
            assert after in (before, (before[0] + amount, before[1] - amount)), self.step_trace()

    @rule(pause=st.booleans())
    def pause_or_resume(self, pause: bool) -> None:
        self.note_trace()
        r = self.t.coord.send(
            {"Action": "EmergencyPause", "Pause": "true" if pause else "false", "Reason": "test"}
        )
        self.settle()
        assert r.reply.action == "EmergencyPause-Response", self.step_trace()

    @rule(
        ctype=st.sampled_from(
            ["MaxMintPerUser", "MaxMintPerBlock", "LargeMintThreshold", "MaxMintAmount", "MinMintAmount"]
        ),
        whole=st.integers(min_value=1, max_value=60_000),
    )
    def change_limit(self, ctype: str, whole: int) -> None:
        self.note_trace()
        r = self.t.coord.send({"Action": "Configure", "Config-Type": ctype, "Value": str(whole * USDA)})
        self.settle()
        assert r.reply.action in ("Configure-Response", "Configure-Error"), self.step_trace()

    @rule(ms=st.sampled_from([1_000, 60_000, TIMEOUT_MS + 1, 3_600_000 + 1]))
    def time_passes(self, ms: int) -> None:
        self.note_trace()
        self.net.advance(ms)
        self.settle()

    @rule()
    def cron_tick(self) -> None:
        self.note_trace()
        self.t.coord.cron()
        self.settle()

    @rule(
        user=st.sampled_from(USERS),
        amount=small,
        lose=st.sampled_from(["Mint", "Mint-Response", "Collateral-Deposited"]),
    )
    def lost_message_then_timeout(self, user: str, amount: int, lose: str) -> None:
        """A deposit whose saga loses one message: the timeout must compensate, never strand."""
        self.note_trace()
        who = self.addr[user]
        if self.t.usda_balance(who) < amount:
            return
        self.t.deposit(who, amount, run=False)
        lost = []
        while self.net.pending and not lost:
            lost = self.net.drop(lambda m: m.action == lose)
            if not lost:
                self.net.step()
        self.settle()
        for _ in range(2):  # a re-report may itself start a saga that needs its own sweep
            # every deadline set so far is at most TIMEOUT_MS away, so within this jump both the lock
            # manager and the coordinator get a cron tick (aoform.yaml's Cron-Interval) past it
            ticks = self.net.advance(TIMEOUT_MS + CRON_MS)
            assert {self.t.lock.id, self.t.coord.id} <= {d.message.target for d in ticks}
            self.settle()
        assert self.t.pending() == {}, f"pending after timeout: {list(self.t.pending())}\n{self.step_trace()}"

    @rule(data=st.data(), a=st.sampled_from(USERS), b=st.sampled_from(USERS), amount=small)
    def concurrent_deposit_and_redeem(self, data: st.DataObject, a: str, b: str, amount: int) -> None:
        """Two sagas in flight at once, delivered in an order hypothesis chooses."""
        self.note_trace()
        wa, wb = self.addr[a], self.addr[b]
        if self.t.usda_balance(wa) >= amount:
            self.t.deposit(wa, amount, run=False)
        if self.t.tim3_balance(wb) >= amount:
            self.t.redeem(wb, amount, run=False)
        self.net.set_delivery_order(delivery_order(data))
        try:
            self.settle()
        finally:
            self.net.set_delivery_order(None)

    # -- adversarial rules: I6, nothing may change -----------------------------------------

    def processes(self) -> list[Any]:
        return [self.t.usda, self.t.lock, self.t.token, self.t.coord, self.t.state]

    def unchanged_after(self, *actions: Any) -> None:
        before = [p.snapshot() for p in self.processes()]
        for action in actions:
            action()
            self.settle()
        after = [p.snapshot() for p in self.processes()]
        changed = [p.name for p, b, a in zip(self.processes(), before, after, strict=True) if b != a]
        assert not changed, f"I6: an unauthorised message changed the state of {changed}\n{self.step_trace()}"

    @rule(amount=amounts, user=st.sampled_from(USERS))
    def forged_credit_notice(self, amount: int, user: str) -> None:
        """A wallet sends the lock manager a Credit-Notice as if USDA had arrived."""
        self.note_trace()
        self.unchanged_after(
            lambda: self.t.lock.send(
                {
                    "Action": "Credit-Notice",
                    "Sender": self.addr[user],
                    "Quantity": str(amount),
                    "X-Action": "Mint",
                },
                sender=self.attacker,
            )
        )

    @rule(
        amount=amounts,
        user=st.sampled_from(USERS),
        action=st.sampled_from(
            ["Mint-Response", "Burn-Response", "Release-Response", "Collateral-Deposited"]
        ),
    )
    def spoofed_confirmation(self, amount: int, user: str, action: str) -> None:
        """Confirmations the coordinator trusts, sent by a wallet or by a process nobody configured."""
        self.note_trace()
        rogue = self.rogue
        tags = {
            "Action": action,
            "Operation-Id": "x" * 43,
            "Quantity": str(amount),
            "User": self.addr[user],
            "Recipient": self.addr[user],
        }
        self.unchanged_after(
            lambda: self.t.coord.send(tags, sender=self.attacker),
            lambda: self.t.coord.send(tags, sender=rogue),
        )

    @rule(
        proc_name=st.sampled_from(["usda", "lock", "token", "coord", "state"]),
        value=st.sampled_from(["1", "999999999999", "mallory"]),
    )
    def non_admin_configure(self, proc_name: str, value: str) -> None:
        self.note_trace()
        proc = getattr(self.t, proc_name)
        for ctype in ("AdminProcess", "CoordinatorProcess", "MaxMintAmount", "FaucetMax"):
            self.unchanged_after(
                lambda ctype=ctype: proc.send(
                    {"Action": "Configure", "Config-Type": ctype, "Value": value}, sender=self.attacker
                )
            )
        self.unchanged_after(
            lambda: self.t.coord.send({"Action": "EmergencyPause", "Pause": "true"}, sender=self.attacker)
        )

    @rule(bad=malformed_amounts(), user=st.sampled_from(USERS))
    def malformed_amount(self, bad: str, user: str) -> None:
        self.note_trace()
        who = self.addr[user]
        self.unchanged_after(
            lambda: self.t.usda.send(
                {"Action": "Transfer", "Recipient": self.t.lock.id, "Quantity": bad, "X-Action": "Mint"},
                sender=who,
            )
        )
        self.unchanged_after(
            lambda: self.t.token.send(
                {"Action": "Transfer", "Recipient": self.t.coord.id, "Quantity": bad, "X-Action": "Redeem"},
                sender=who,
            )
        )

    @precondition(lambda self: any(self.t.tim3_balance(a) > 0 for a in self.addr.values()))
    @rule(user=st.sampled_from(USERS))
    def direct_burn_or_mint_by_user(self, user: str) -> None:
        """Users cannot mint or burn TIM3 at the token manager directly."""
        self.note_trace()
        who = self.addr[user]
        self.unchanged_after(
            lambda: self.t.token.send(
                {"Action": "Mint", "Recipient": who, "Quantity": "1000", "Operation-Id": "y" * 43}, sender=who
            )
        )
        self.unchanged_after(
            lambda: self.t.token.send(
                {"Action": "Burn", "Quantity": "1", "Operation-Id": "z" * 43}, sender=who
            )
        )

    # -- invariants -------------------------------------------------------------------------

    @invariant()
    def invariants_hold(self) -> None:
        try:
            self.t.check(quiet=True, baseline=self.holdings)
        except AssertionError as exc:
            raise AssertionError(f"{exc}\nmessages of the failing step:\n{self.step_trace()}") from None

    @invariant()
    def nothing_pending_past_the_timeout(self) -> None:
        """I5, checked when the clock allows it: jump past the timeout, tick, and expect no pending."""
        if self.t.pending():
            oldest = min(int(op["created"]) for op in self.t.pending().values())
            if self.net.now - oldest > TIMEOUT_MS:
                self.t.coord.cron()
                self.settle()
                self.t.check_expired()


TestTim3 = Tim3Machine.TestCase
