"""``Process.snapshot`` is cached per process; nothing reachable through the public API can make a
cached snapshot stale.  Hypothesis drives sequences of sends (state-changing, failing after a
change, refused), Evals, dry-runs, clock advances with cron ticks and network runs, and after each
step compares every process's cached snapshot with one taken afresh and with one of a state rebuilt
from the process's log."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness import Network
from harness.lua_state import LuaProcessState
from harness.lua_versions import LUA_MODULES
from harness.process import Process

LUAS = [pytest.param(v, id=f"lua{v}") for v in sorted(LUA_MODULES)]

SOURCE = """
Count = Count or 0
Seen = Seen or {}
Handlers.add("bump", "Bump", function(msg)
  Count = Count + tonumber(msg.Tags.N)
  Seen[#Seen + 1] = msg.Tags.N
end)
Handlers.add("half", "Half", function(msg)
  Count = Count + 1000      -- changed, then the message fails: rolled back
  error("half-way")
end)
Handlers.add("forward", "Forward", function(msg)
  Send({ Target = msg.Tags.To, Action = "Bump", N = msg.Tags.N })
end)
Handlers.add("peek", "Peek", function(msg)
  Count = Count + 1         -- a dry-run changes this, and nothing of it may persist
  Seen = {}
  msg.reply({ Data = tostring(Count) })
end)
Handlers.add("tick", function(msg) return msg.Cron end, function(msg)
  Ticks = (Ticks or 0) + 1
end)
"""

steps = st.lists(
    st.one_of(
        st.tuples(st.just("bump"), st.integers(0, 1), st.integers(1, 9)),
        st.tuples(st.just("half"), st.integers(0, 1), st.just(0)),
        st.tuples(st.just("forward"), st.integers(0, 1), st.integers(1, 9)),
        st.tuples(st.just("eval"), st.integers(0, 1), st.integers(0, 3)),
        st.tuples(st.just("bad-eval"), st.integers(0, 1), st.just(0)),
        st.tuples(st.just("dryrun"), st.integers(0, 1), st.just(0)),
        st.tuples(st.just("advance"), st.just(0), st.integers(1, 3)),
        st.tuples(st.just("run"), st.just(0), st.just(0)),
    ),
    max_size=12,
)


def rebuilt_snapshot(p: Process) -> str:
    """The snapshot of a state rebuilt from *p*'s log (what rollback would give)."""
    state = p._state
    fresh = LuaProcessState(state.spec, lua=state.lua_version, profile=state.profile)
    fresh._log = list(state._log)
    fresh._discard()
    return fresh.snapshot((), cached=False)


def check(procs: list[Process]) -> None:
    for p in procs:
        cached = p.snapshot()
        assert cached == p._state.snapshot((), cached=False), f"stale snapshot of {p.name}"
        named = p.snapshot("Count", "Ticks")
        assert named == p._state.snapshot(("Count", "Ticks"), cached=False)


@pytest.mark.parametrize("lua", LUAS)
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(plan=steps)
def test_cached_snapshot_is_never_stale(lua: str, plan: list[tuple[str, int, int]]) -> None:
    net = Network(lua=lua)
    procs = [
        net.spawn(source=SOURCE, name=f"p{i}", tags={"Cron-Interval": "1-minute"}) for i in range(2)
    ]
    check(procs)
    for kind, who, n in plan:
        p, other = procs[who], procs[1 - who]
        if kind == "bump":
            assert p.send(Action="Bump", N=str(n)).ok
        elif kind == "half":
            assert not p.send(Action="Half").ok
        elif kind == "forward":
            assert p.send(Action="Forward", To=other.id, N=str(n)).ok
        elif kind == "eval":
            assert p.eval(f"Count = Count * 2 + {n}").ok
        elif kind == "bad-eval":
            assert not p.eval("Count = 7; error('no')").ok
        elif kind == "dryrun":
            before = p.snapshot()
            r = p.dryrun(Action="Peek")
            assert r.ok and r.messages
            assert p.snapshot() == before
        elif kind == "advance":
            net.advance(n * 60_000)
        else:
            net.run()
        check(procs)
    for p in procs:
        assert p.snapshot() == rebuilt_snapshot(p)


def test_named_and_default_snapshots_are_cached_separately() -> None:
    net = Network()
    p = net.spawn(source="A = 1; B = 2")
    assert p.snapshot("A") == "A = 1\n"
    assert "B = 2" in p.snapshot()
    p.eval("A = 3")
    assert p.snapshot("A") == "A = 3\n"
    assert "A = 3" in p.snapshot()


def test_taking_the_raw_runtime_turns_caching_off() -> None:
    """Direct Lua access is unsupported for caching: once taken, snapshots are always fresh."""
    net = Network()
    p = net.spawn(source="A = 1")
    assert p.snapshot("A") == "A = 1\n"
    p.lua.execute("A = 2")
    assert p.snapshot("A") == "A = 2\n"
    p.lua.execute("A = 5")
    assert p.snapshot("A") == "A = 5\n"
