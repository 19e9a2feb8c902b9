"""``Network(replay_log=False)``: processes keep no message log, so a long run's memory stays flat
past ``trace_limit``; whatever needs a rebuild from the log (rolling back an errored message, a
dry-run that cannot be undone in place, ``Network.clone()``) raises one clear ``StateLost`` line."""

from __future__ import annotations

import gc
import tracemalloc

import pytest

from harness import Network
from harness.errors import HarnessError, StateLost
from harness.lua_versions import LUA_MODULES

VERSIONS = sorted(LUA_MODULES)

SOURCE = """
N = 0
Handlers.add("add", "Add", function(msg) N = N + 1 end)
Handlers.add("bad", "Bad", function(msg) N = -1; error("boom") end)
Handlers.add("wait", "Wait", function(msg) Got = Receive({ Action = "Go" }).Action end)
"""


@pytest.mark.parametrize("lua", VERSIONS)
def test_messages_are_handled_as_with_the_log(lua: str) -> None:
    outcomes = []
    for keep in (True, False):
        net = Network(lua=lua, replay_log=keep)
        p = net.spawn(source=SOURCE)
        results = [p.send({"Action": "Add"}) for _ in range(20)]
        dry = p.dryrun({"Action": "Add"})
        outcomes.append(([r.ok for r in results], dry.ok, p.globals["N"], p.snapshot(), net.format_trace(100)))
    assert outcomes[0] == outcomes[1]
    assert outcomes[1][2] == 20  # the dry-run was undone in place


def test_memory_per_message_stays_flat() -> None:
    grown = {}
    for keep in (True, False):
        tracemalloc.start()  # from the start: deliveries let go during the measurement count as freed
        net = Network(replay_log=keep, trace_limit=200)
        p = net.spawn(source=SOURCE)
        for _ in range(600):
            p.send({"Action": "Add"})
        gc.collect()
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(2000):
            p.send({"Action": "Add"})
        gc.collect()
        grown[keep] = (tracemalloc.get_traced_memory()[0] - before) / 2000
        tracemalloc.stop()
        assert p.globals["N"] == 2600
    assert grown[True] > 100  # the log: a couple of hundred bytes per message
    assert grown[False] < 40, grown


def test_an_errored_message_loses_the_state_and_says_so() -> None:
    net = Network(replay_log=False)
    p = net.spawn(source=SOURCE, name="counter")
    p.send({"Action": "Add"})
    r = p.send({"Action": "Bad"})
    assert r.error is not None and "boom" in r.error  # the result itself is intact
    with pytest.raises(StateLost) as caught:
        p.globals["N"]
    text = str(caught.value)
    assert "\n" not in text and isinstance(caught.value, HarnessError)
    assert text.startswith(f"process counter ({p.id}) lost its Lua state to a message that errored")
    assert "Action Bad" in text and "replay_log=True" in text
    with pytest.raises(StateLost, match="lost its Lua state"):
        p.send({"Action": "Add"})


def test_a_dry_run_that_cannot_be_undone_in_place_loses_the_state() -> None:
    net = Network(replay_log=False)
    p = net.spawn(source=SOURCE, name="waiter")
    p.send({"Action": "Wait"})  # a handler suspended in Receive: a dry-run cannot be recorded
    assert p.dryrun({"Action": "Add"}).ok
    with pytest.raises(StateLost, match=r"lost its Lua state to a dry-run it could not undo in place"):
        p.snapshot()


def test_clone_is_refused_and_the_setting_is_carried() -> None:
    net = Network(replay_log=False)
    assert net.clone().replay_log is False  # nothing spawned yet: nothing to replay
    net.spawn(source=SOURCE, name="counter")
    with pytest.raises(StateLost) as caught:
        net.clone()
    text = str(caught.value)
    assert text.startswith("Network.clone(): process counter cannot be copied") and "\n" not in text
    assert "replay_log=True" in text
    assert Network().replay_log is True and Network().clone().replay_log is True


@pytest.mark.ao(replay_log=False)
def test_the_ao_marker_sets_it(ao: Network) -> None:
    assert ao.replay_log is False
    assert ao.spawn(source=SOURCE).send({"Action": "Add"}).ok


def test_close_keeps_an_unlogged_process_usable() -> None:
    """``Network.close()`` hands a logged process's runtime back and rebuilds it from its log on
    the next use; an unlogged process has no log, so it keeps its runtime and its state."""
    net = Network(replay_log=False)
    p = net.spawn(source=SOURCE)
    for _ in range(3):
        p.send({"Action": "Add"})
    net.close()
    assert p.globals["N"] == 3
    assert p.send({"Action": "Add"}).ok
    assert p.globals["N"] == 4
