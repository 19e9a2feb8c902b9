"""``Network.close`` gives a clone's Lua runtimes back to the network it was cloned from; its next
clone resets one (env/dryrun.lua's reset record) instead of booting a fresh state and replaying
the log.  A reused runtime cannot be told from a fresh clone, whatever the previous user did to
it; runtimes that cannot be reset exactly are never reused (Luas that keep state the recorder
cannot put back, a __gc finalizer, a taken raw runtime, a source that changed since)."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness import Network
from harness.lua_versions import LUA_MODULES
from tests.harness.test_clone import drive, state_of

LUAS = [pytest.param(v, id=f"lua{v}") for v in sorted(LUA_MODULES)]
AOFORM = Path(__file__).resolve().parents[2] / "aoform.yaml"
#: where a runtime is reset for reuse (harness/lua/bridge/main.lua says why only there)
REUSED_ON = ("5.2", "5.3")

#: what a previous user of a runtime leaves behind: globals, a handler, the string library and
#: its metatable, a loaded module, a named registry entry, a stopped collector (5.2+) and its
#: settings (5.2, 5.3)
POLLUTE = """
Polluted = { deep = { 1, 2, 3 } }
Balances = Balances or {}
Balances.mallory = "999"
Handlers.add("sneaky", "Sneaky", function() end)
string.sneaky = function() return "sneaky" end
getmetatable("").__index = setmetatable({ extra = 1 }, { __index = string })
package.loaded.sneaky = { 1 }
debug.getregistry().Sneaky = { 1 }
if pcall(collectgarbage, "isrunning") then collectgarbage("stop") end
if _VERSION == "Lua 5.2" or _VERSION == "Lua 5.3" then
  collectgarbage("setpause", 123)
  collectgarbage("setstepmul", 456)
end
"""

#: what a process can see of the above (and its own state)
LOOK = """
local mt = getmetatable("")
local _, running = pcall(collectgarbage, "isrunning")
local settings = "-"
if _VERSION == "Lua 5.2" or _VERSION == "Lua 5.3" then
  local pause, stepmul = collectgarbage("setpause", 200), collectgarbage("setstepmul", 200)
  collectgarbage("setpause", pause)
  collectgarbage("setstepmul", stepmul)
  settings = pause .. "/" .. stepmul
end
return table.concat({
  tostring(Polluted), tostring(Balances and Balances.mallory), tostring(string.sneaky),
  tostring(rawget(mt.__index, "extra")), tostring(package.loaded.sneaky),
  tostring(rawget(debug.getregistry(), "Sneaky")), tostring(running),
  tostring(#Handlers.list), tostring(("x"):upper()), settings,
}, " ")
"""


def runtime(net: Network) -> dict[str, object]:
    """Each process's Lua runtime (the objects: kept alive, compared by identity); a clone's is
    made on its first use."""
    for p in net.processes.values():
        p._state._ensure()
    return {pid: p._state._lua for pid, p in net.processes.items()}


def same(a: dict[str, object], b: dict[str, object]) -> list[bool]:
    return [a[pid] is b.get(pid) for pid in a]


def used_and_closed(template: Network) -> dict[str, object]:
    """A clone that ran the flows and left POLLUTE behind in every process, closed; its runtimes."""
    net = template.clone()
    drive(net)
    for p in net.processes.values():
        assert p.eval(POLLUTE).error is None
    ids = runtime(net)
    net.close()
    return ids


@pytest.mark.parametrize("lua", LUAS)
def test_a_reused_runtime_cannot_be_told_from_a_fresh_clone(lua: str) -> None:
    template = Network(lua=lua)
    template.spawn_system(AOFORM)
    fresh = template.clone()
    expected_state = state_of(fresh)
    expected_look = {pid: p.eval(LOOK).output for pid, p in fresh.processes.items()}
    fresh_drive = drive(fresh)
    used_and_closed(template)  # the first release: later clones take a reset record
    given_back = used_and_closed(template)
    reused = template.clone()
    if lua in REUSED_ON:
        assert all(same(runtime(reused), given_back))
    else:
        assert not any(same(runtime(reused), given_back))
    assert state_of(reused) == expected_state
    assert {pid: p.eval(LOOK).output for pid, p in reused.processes.items()} == expected_look
    assert "nil nil nil nil nil nil" in next(iter(expected_look.values()))
    assert drive(reused) == fresh_drive


@pytest.mark.parametrize("lua", LUAS)
def test_a_closed_network_stays_usable(lua: str) -> None:
    template = Network(lua=lua)
    template.spawn_system(AOFORM)
    net = template.clone()
    net.close()
    usda = next(p for p in net.processes.values() if p.name == "mock-usda")
    r = usda.send({"Action": "Mint", "Quantity": "7"}, sender=net.wallet("bob"))
    assert r.error is None and r.reply.action == "Mint-Response"
    assert usda.globals["Balances"][net.wallet("bob")] == "7"
    assert usda.rebuilds == 1  # rebuilt from its log on first use after close
    # and a clone of the template is unaffected by what the closed network did
    assert net.wallet("bob") not in template.clone().process(usda.id).globals["Balances"]


@pytest.mark.parametrize("lua", REUSED_ON)
def test_spare_runtimes_are_dropped_when_their_source_changes(lua: str) -> None:
    template = Network(lua=lua)
    p = template.spawn(source="N = 0\nHandlers.add('inc', 'Inc', function() N = N + 1 end)")
    for _ in range(2):
        net = template.clone()
        assert net.process(p.id).send(Action="Inc").ok
        net.close()
    assert p._state._spares  # one runtime is waiting for the next clone
    assert p.send(Action="Inc").ok and p.globals["N"] == 1
    assert not p._state._spares
    twin = template.clone().process(p.id)
    assert twin.globals["N"] == 1
    assert twin.send(Action="Inc").ok and twin.globals["N"] == 2


@pytest.mark.parametrize("lua", REUSED_ON)
def test_a_runtime_that_got_a_finalizer_or_gave_its_raw_runtime_away_is_not_reused(lua: str) -> None:
    template = Network(lua=lua, timeout=None)  # (with a timeout, a __gc moves the process to the watchdog)
    p = template.spawn(source="N = 0")
    template.clone().close()
    net = template.clone()
    assert net.process(p.id).eval("setmetatable({}, { __gc = function() N = 99 end })").error is None
    ids = runtime(net)
    net.close()
    twin = template.clone()
    assert not any(same(runtime(twin), ids))
    twin.process(p.id).lua  # noqa: B018 - taking the raw runtime
    ids = runtime(twin)
    twin.close()
    again = template.clone()
    assert not any(same(runtime(again), ids))
    assert again.process(p.id).globals["N"] == 0


@pytest.mark.parametrize("lua", REUSED_ON)
def test_a_runtime_only_read_or_dry_run_is_reused_as_it_should_be(lua: str) -> None:
    template = Network(lua=lua)
    p = template.spawn(source="N = 0\nHandlers.add('inc', 'Inc', function() N = N + 1 end)")
    expected = (p.snapshot(), p.handler_matches)
    template.clone().close()
    for use in ("read", "dry-run", "read"):
        net = template.clone()
        q = net.process(p.id)
        assert q.globals["N"] == 0
        if use == "dry-run":
            assert q.dryrun({"Action": "Inc"}).ok
            assert q.handler_matches["inc"] == p.handler_matches.get("inc", 0) + 1
        net.close()
        net = template.clone()
        again = net.process(p.id)
        assert again.globals["N"] == 0  # (made now: the reused runtime)
        assert (again.snapshot(), again.handler_matches) == expected
        assert again.send(Action="Inc").ok and again.globals["N"] == 1
        net.close()


def test_a_source_keeps_a_few_spare_runtimes_only() -> None:
    from harness.lua_state import MAX_SPARES

    template = Network(lua="5.3")
    p = template.spawn(source="N = 0")
    template.clone().close()
    nets = [template.clone() for _ in range(MAX_SPARES + 3)]
    for net in nets:
        assert net.process(p.id).globals["N"] == 0
    for net in nets:
        net.close()
    assert len(p._state._spares) == MAX_SPARES


@pytest.mark.parametrize("lua", REUSED_ON)
def test_a_process_that_ever_gave_a_finalizer_is_never_reset(lua: str) -> None:
    template = Network(lua=lua, timeout=None)
    p = template.spawn(source="Keep = setmetatable({}, { __gc = function() end })\nN = 0")
    for _ in range(3):
        net = template.clone()
        assert net.process(p.id).globals["N"] == 0
        net.close()
    assert p._state._spares == []


#: a process whose handler changes what a reset must put back besides plain table contents: an
#: upvalue, a metatable given to a table that had none, one replaced, one removed, and the
#: contents of a table with a metatable (set raw, a key added)
METAS = """
local hidden = 0
Plain = { a = 1 }
Metaed = setmetatable({ b = 2 }, { __index = function() return "orig" end })
Removed = setmetatable({}, { __index = function() return "orig" end })
Handlers.add("mess", "Mess", function(msg)
  hidden = hidden + 1
  setmetatable(Plain, { __index = function() return "leaked" end })
  setmetatable(Metaed, { __index = function() return "leaked" end, __newindex = function() end })
  rawset(Metaed, "b", 3)
  rawset(Metaed, "extra", 4)
  setmetatable(Removed, nil)
end)
Handlers.add("look", "Look", function(msg)
  msg.reply({ Data = table.concat({
    tostring(hidden), tostring(getmetatable(Plain) == nil), tostring(Plain.zzz), tostring(Metaed.zzz),
    tostring(rawget(Metaed, "b")), tostring(rawget(Metaed, "extra")), tostring(Removed.zzz),
  }, " ") })
end)
"""


@pytest.mark.parametrize("lua", LUAS)
def test_a_reused_runtime_gets_back_upvalues_and_metatables(lua: str) -> None:
    template = Network(lua=lua)
    p = template.spawn(source=METAS)

    def look(net: Network) -> str:
        r = net.process(p.id).send(Action="Look")
        assert r.ok, r.error
        return r.messages[0].data

    expected = look(template.clone())
    assert expected == "0 true nil orig 2 nil orig"
    for _ in range(2):  # the first release: later clones take a reset record
        net = template.clone()
        assert net.process(p.id).send(Action="Mess").ok
        assert look(net) == "1 false leaked leaked 3 4 nil"
        given_back = runtime(net)
        net.close()
    reused = template.clone()
    assert all(same(runtime(reused), given_back)) == (lua in REUSED_ON)
    assert look(reused) == expected
