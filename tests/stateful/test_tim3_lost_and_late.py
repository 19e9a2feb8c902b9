"""The TIM3 state machine with more ways to lose a message: any step of a redeem (Burn,
Burn-Response, Release, Release-Response) or of a refund, each lost message possibly delivered late
after the timeout compensated for it.  Every other rule and the invariants are
``Tim3Machine``'s; here, after each loss, nothing may stay pending past the timeout and the
late copy must change nothing that I1-I5 would notice."""

from __future__ import annotations

from hypothesis import strategies as st
from hypothesis.stateful import rule

from harness.messages import Message
from tests.stateful.test_tim3_rules import USERS, Tim3Machine, small
from tests.tim3.conftest import CRON_MS, TIMEOUT_MS

#: tags a participant reads from each message kind (a late copy carries the same)
KEEP = ("Action", "Operation-Id", "Operation-Type", "User", "Quantity", "Recipient", "Reason", "Error")


class LostAndLateMachine(Tim3Machine):
    def lose(self, action: str) -> Message | None:
        lost: list[Message] = []
        while self.net.pending and not lost:
            lost = self.net.drop(lambda m: m.action == action)
            if not lost:
                self.net.step()
        self.settle()
        return lost[0] if lost else None

    def expire(self) -> None:
        for _ in range(2):  # a compensation step may itself need one more sweep
            self.net.advance(TIMEOUT_MS + CRON_MS)
            self.settle()
        assert self.t.pending() == {}, f"pending after timeout: {list(self.t.pending())}\n{self.step_trace()}"

    def deliver_late(self, lost: Message) -> None:
        target = self.net.process(lost.target)
        sender = self.net.process(lost.sender)
        target.send({k: v for k, v in lost.tags.items() if k in KEEP}, sender=sender)
        self.settle()

    @rule(
        user=st.sampled_from(USERS),
        amount=small,
        lose=st.sampled_from(["Burn", "Burn-Response", "Release", "Release-Response"]),
        late=st.booleans(),
    )
    def redeem_loses_a_message(self, user: str, amount: int, lose: str, late: bool) -> None:
        self.note_trace()
        who = self.addr[user]
        if self.t.tim3_balance(who) < amount:
            return
        self.t.redeem(who, amount, run=False)
        lost = self.lose(lose)
        self.expire()
        if lost is not None and late:
            self.deliver_late(lost)

    @rule(user=st.sampled_from(USERS), amount=small, lose=st.sampled_from(["Release", "Release-Response"]),
          late=st.booleans())  # fmt: skip
    def refund_loses_a_message(self, user: str, amount: int, lose: str, late: bool) -> None:
        self.note_trace()
        who = self.addr[user]
        if self.t.usda_balance(who) < amount:
            return
        self.t.coord.send({"Action": "EmergencyPause", "Pause": "true"})
        self.settle()
        self.t.deposit(who, amount, run=False)
        lost = self.lose(lose)
        self.expire()
        if lost is not None and late:
            self.deliver_late(lost)
        self.t.coord.send({"Action": "EmergencyPause", "Pause": "false"})
        self.settle()


TestLostAndLate = LostAndLateMachine.TestCase
