"""Handler fuzzing: every action of every TIM3 process, with arbitrary tags, from a sender who is
neither admin nor a configured process.  No message may end in an unhandled Lua error where a
clear error reply is due, and a rejected message (an ``-Error`` reply) changes no state."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness import Network
from harness import strategies as aos
from tests.tim3.conftest import build_system

PROCESSES = ["usda", "lock", "token", "coord", "state"]
BUILTIN = {"_eval", "_default", "_boot", "sweep-expired", "Cron", "rereport-deposits"}


#: capitalised globals that belong to the aos runtime, not to the process's own state
RUNTIME_GLOBALS = {
    "Inbox",
    "Handlers",
    "Colors",
    "Utils",
    "HANDLER_PRINT_LOGS",
    "Bell",
    "Dump",
    "Errors",
    "Seeded",
    "Nonce",
}
#: the coordinator's monotonic clock: every message may move it forward (it is not a balance,
#: ledger or configuration, which is what I6 protects)
CLOCKS = {"LastTimestamp"}


def _state(proc: Any) -> dict[str, Any]:
    """Every capitalised global (the process's persistent state), without the runtime's own."""
    return {k: proc.globals[k] for k in proc.globals if k[:1].isupper() and k not in RUNTIME_GLOBALS | CLOCKS}


_system: dict[str, Any] = {}


def system() -> Any:
    """One wired system reused by all examples (state changes are what we look for)."""
    if "t" not in _system:
        _system["t"] = build_system(Network())
    return _system["t"]


def actions_of(name: str) -> list[str]:
    proc = getattr(system(), name)
    return [h for h in proc.handlers if h not in BUILTIN]


@pytest.mark.parametrize("name", PROCESSES)
def test_every_process_has_handlers_to_fuzz(name: str) -> None:
    assert len(actions_of(name)) >= 4


def _tag_values() -> st.SearchStrategy[str]:
    t = system()
    ids = [t.usda.id, t.lock.id, t.token.id, t.coord.id, t.state.id, t.admin]
    return st.one_of(aos.tag_values(), aos.amounts(), aos.malformed_amounts(), st.sampled_from(ids))


FUZZ_NAMES = (
    st.sampled_from(
        [
            "Quantity",
            "Amount",
            "Recipient",
            "Sender",
            "User",
            "Operation-Id",
            "Config-Type",
            "Value",
            "X-Action",
            "Pause",
            "Target",
            "Lock-Id",
            "Locker",
            "Operation",
        ]
    )
    | aos.tag_names()
)


@pytest.mark.parametrize("name", PROCESSES)
@given(data=st.data())
def test_fuzzed_messages_never_crash_and_rejections_change_nothing(name: str, data: st.DataObject) -> None:
    t = system()
    proc = getattr(t, name)
    action = data.draw(st.sampled_from(actions_of(name)), label="action")
    extra = data.draw(st.dictionaries(FUZZ_NAMES, _tag_values(), max_size=5), label="tags")
    tags = {**extra, "Action": action}
    sender = data.draw(st.sampled_from([t.ao.wallet("fuzzer"), t.ao.wallet("mallory")]), label="sender")
    before = _state(proc)
    r = proc.send(tags, sender=sender)
    assert r.error is None, f"{name} {action} {tags}: unhandled Lua error\n{r.error}"
    replies = [m for m in r.messages if m.target == sender]
    if any(str(m.action).endswith("-Error") for m in replies):
        after = _state(proc)
        changed = sorted(k for k in before if before[k] != after.get(k))
        assert not changed, f"{name} {action} {tags}: rejected, yet changed {changed}"
        assert all(m.get("Error") for m in replies if str(m.action).endswith("-Error")), (
            "an -Error reply without an Error tag"
        )
    t.ao.run()
