"""Dry-runs put the state back instead of rebuilding it (harness/lua/env/dryrun.lua): whatever a
dry-run changes -- globals, nested tables, metatables, module upvalues, the string library,
``package.loaded``, handlers, the seeded ``math.random`` -- nothing persists.  Each test runs the
same messages on two networks, one of them with dry-runs in between, and expects the same
snapshots and the same results afterwards; it also checks the state was not rebuilt."""

from __future__ import annotations

import pytest

from harness import Network
from harness.lua_versions import LUA_MODULES
from harness.process import Process

LUAS = [pytest.param(v, id=f"lua{v}") for v in sorted(LUA_MODULES)]

SOURCE = """
Count = 0
Book = { items = { "a" }, meta = {} }
local hidden = 0                       -- a module-level local (an upvalue of the handlers)
local function bump() hidden = hidden + 1; return hidden end
Handlers.add("mess", "Mess", function(msg)
  Count = Count + 100
  Book.items[#Book.items + 1] = "dry"
  Book.items[1] = nil
  Book.extra = { deep = { 1, 2, 3 } }
  setmetatable(Book.meta, { __index = function() return "leaked" end })
  NewGlobal = "leaked"
  Gone = nil
  bump()
  string.leak = function() return "leaked" end
  package.loaded["leak"] = { "leaked" }
  Handlers.add("extra", "Extra", function(m) m.reply({ Data = "leaked handler" }) end)
  local r = math.random(1, 1000000)
  msg.reply({ Data = tostring(r) })
end)
Handlers.add("fail", "Fail", function(msg)
  Count = Count + 1
  Book.items = {}
  error("dry-run fails half-way")
end)
Handlers.add("probe", "Probe", function(msg)
  msg.reply({ Data = table.concat({
    tostring(Count), tostring(#Book.items), tostring(Book.items[1]), tostring(Book.extra),
    tostring(Book.meta.x), tostring(NewGlobal), tostring(Gone), tostring(bump()),
    tostring(string.leak), tostring(package.loaded["leak"]), tostring(math.random(1, 1000000)),
  }, " ") })
end)
Gone = "here"
"""


def probe(p: Process) -> list[str]:
    r = p.send(Action="Probe")
    assert r.ok, r.error
    out = [m.data for m in r.messages]
    r2 = p.send(Action="Extra")
    out.append(str([m.data for m in r2.messages]))
    return out


def pair(lua: str) -> tuple[Process, Process]:
    a = Network(lua=lua).spawn(source=SOURCE, name="p")
    b = Network(lua=lua).spawn(source=SOURCE, name="p")
    return a, b


@pytest.mark.parametrize("lua", LUAS)
def test_nothing_a_dry_run_changes_persists(lua: str) -> None:
    dry, plain = pair(lua)
    before = dry.snapshot()
    rebuilds = dry.rebuilds
    r = dry.dryrun(Action="Mess")
    assert r.ok and r.messages, r.error
    assert dry.dryrun(Action="Extra").messages == []  # the handler the first dry-run added is gone
    assert not dry.dryrun(Action="Fail").ok
    assert dry.rebuilds == rebuilds, "the dry-run fell back to a rebuild"
    assert dry.snapshot() == before == plain.snapshot()
    assert dry._state.snapshot((), cached=False) == before
    assert probe(dry) == probe(plain)
    assert dry.snapshot() == plain.snapshot()


@pytest.mark.parametrize("lua", LUAS)
def test_dry_runs_between_messages_leave_the_same_trace(lua: str) -> None:
    dry, plain = pair(lua)
    for i in range(4):
        dry.dryrun(Action="Mess")
        for p in (dry, plain):
            assert p.eval(f"Count = Count + {i}").ok
        assert probe(dry) == probe(plain)
    assert dry.snapshot() == plain.snapshot()
    assert [d.result.output for d in dry._network.trace] == [d.result.output for d in plain._network.trace]


@pytest.mark.parametrize("lua", LUAS)
def test_a_waiting_coroutine_falls_back_to_a_rebuild(lua: str) -> None:
    """A handler suspended in ``Receive`` keeps values a restore cannot reach: the dry-run then
    discards the state, which is rebuilt from the log, and still nothing persists."""
    code = """
    Got = nil
    Handlers.add("wait", "Wait", function(msg)
      local m = Receive({ Action = "Wake" })
      Got = m.Data
    end)
    """
    net = Network(lua=lua)
    p = net.spawn(source=code)
    if lua == "5.1":
        pytest.skip("plain Lua 5.1 cannot yield across pcall: Receive is refused there")
    assert p.send(Action="Wait").ok
    rebuilds = p.rebuilds
    r = p.dryrun(Action="Wake", data="dry")
    assert r.ok, r.error
    assert p.rebuilds == rebuilds  # discarded, not yet rebuilt
    assert p.globals.get("Got") is None
    assert p.rebuilds == rebuilds + 1
    assert p.send(Action="Wake", data="real").ok
    assert p.globals["Got"] == "real"


@pytest.mark.parametrize("lua", LUAS)
def test_a_dry_run_that_runs_out_of_budget_is_rolled_back(lua: str) -> None:
    net = Network(lua=lua, instruction_budget=200_000)
    p = net.spawn(source='X = 1\nHandlers.add("spin", "Spin", function() X = 2; while true do end end)')
    r = p.dryrun(Action="Spin")
    assert r.error is not None and "instruction budget" in r.error
    assert p.globals["X"] == 1
    assert p.send(Action="Nothing").ok


@pytest.mark.parametrize("lua", LUAS)
def test_a_metatable_a_dry_run_replaced_or_removed_is_put_back(lua: str) -> None:
    net = Network(lua=lua)
    p = net.spawn(
        source="""
Kept = setmetatable({}, { __index = function() return "orig" end })
Dropped = setmetatable({}, { __index = function() return "orig" end })
Handlers.add("swap", "Swap", function(msg)
  setmetatable(Kept, { __index = function() return "leaked" end })
  setmetatable(Dropped, nil)
  msg.reply({ Data = tostring(Kept.x) .. " " .. tostring(Dropped.x) })
end)
Handlers.add("look", "Look", function(msg)
  msg.reply({ Data = tostring(Kept.x) .. " " .. tostring(Dropped.x) })
end)
"""
    )
    dry = p.dryrun({"Action": "Swap"})
    assert dry.ok and dry.messages[0].data == "leaked nil"
    assert p.rebuilds == 0  # put back, not rebuilt
    assert p.send(Action="Look").messages[0].data == "orig orig"
