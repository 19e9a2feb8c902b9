"""The harness's private bridge (harness/lua/bridge/) stays out of process code's reach.

Process code gets the debug library, so it can walk globals, loaded modules, the registry (the
guard's proxy), metatables, upvalues, user values and the locals of every frame it can see.  The
walk below does all of that and reports every private value it finds: the raw registry, a table
or function of the bridge, the sandbox's captured originals, a host path of the search dirs.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from harness import Network
from harness.chunks import BRIDGE_PARTS
from harness.coverage import collector
from harness.coverage.collector import Collector
from tests.harness.lualib_helpers import VERSION_PARAMS

pytestmark = pytest.mark.parametrize("version", VERSION_PARAMS)

#: chunk names of the bridge: the entry chunk Python runs, and the parts it loads privately
BRIDGE_SOURCES = ("=harness", *BRIDGE_PARTS)

WALK = r"""
-- the sentinel comes reversed, so that the walk's own locals never hold the text it looks for
local reversedSentinel, bridgeSources = ...
local found, seen, byDesign = {}, {}, {}
-- reachable by design: the preload loaders and the project searcher (their upvalues are walked
-- like everything else)
for _, f in next, package.preload do byDesign[f] = true end
for _, f in next, package.searchers or package.loaders do byDesign[f] = true end
local getmt, getup, getinfo, getlocal = debug.getmetatable, debug.getupvalue, debug.getinfo, debug.getlocal
local getuv = debug.getuservalue
local function flag(path, what) found[#found + 1] = what .. " at " .. path end
local walk
local function walkFunction(f, path)
  local info = getinfo(f, "S")
  -- a function on a stack may be seen (debug.getinfo gives it), but then it must be opaque: its
  -- upvalues hidden (and its locals, which debug.getlocal hides for the same functions)
  local onStack = string.find(path, "<frame %d+>$") ~= nil
  if info and bridgeSources[info.source] and not byDesign[f] and not (onStack and getup(f, 1) == nil) then
    flag(path, "a bridge function (" .. info.source .. ":" .. tostring(info.linedefined) .. ")")
  end
  local i = 1
  while true do
    local name, x = getup(f, i)
    if name == nil then break end
    walk(x, path .. "^" .. name)
    i = i + 1
  end
end
function walk(v, path)
  local tv = type(v)
  if tv == "string" then
    if string.find(string.reverse(v), reversedSentinel, 1, true) then
      flag(path, "a host path of the search dirs")
    end
    return
  end
  if (tv ~= "table" and tv ~= "function" and tv ~= "userdata" and tv ~= "thread") or seen[v] then return end
  seen[v] = true
  local mt = getmt(v)
  if mt ~= nil then walk(mt, path .. "<mt>") end
  if tv == "table" then
    if rawget(v, "_LOADED") ~= nil then flag(path, "the raw registry") end
    if rawget(v, "arm") ~= nil or rawget(v, "compile_eval") ~= nil then flag(path, "the private table H") end
    if rawget(v, "set_process") ~= nil or rawget(v, "handle") ~= nil and rawget(v, "snapshot") ~= nil then
      flag(path, "the bridge table")
    end
    if rawget(v, "io_open") ~= nil then flag(path, "the sandbox's originals") end
    if rawget(v, "search_dirs") ~= nil then flag(path, "the bridge's config") end
    for k, x in next, v do
      walk(k, path .. "<key>")
      walk(x, path .. "." .. tostring(k))
    end
    -- what a proxy (the registry's) shows through __pairs, which Lua 5.1's pairs ignores
    local iter = mt ~= nil and rawget(mt, "__pairs")
    if type(iter) == "function" then
      local f, s, k = iter(v)
      local x
      while true do
        k, x = f(s, k)
        if k == nil then break end
        walk(k, path .. "<key>")
        walk(x, path .. "." .. tostring(k))
      end
    end
  elseif tv == "function" then
    walkFunction(v, path)
  elseif tv == "userdata" then
    -- lupa's wrapper of a Python object (the host functions the bridge keeps: callable, and
    -- never to be reached); no userdata of Lua's own (a file) has __call and __newindex
    if mt ~= nil and rawget(mt, "__call") ~= nil and rawget(mt, "__newindex") ~= nil then
      flag(path, "a host (Python) object")
    end
    if getuv then walk(getuv(v), path .. "<uv>") end
  elseif tv == "thread" then
    for level = 0, 60 do
      local info = getinfo(v, level, "f")
      if not info then break end
      walk(info.func, path .. "<frame " .. level .. ">")
      for i = 1, 250 do
        local name, x = getlocal(v, level, i)
        if name == nil then break end
        walk(x, path .. "<frame " .. level .. ">." .. name)
      end
    end
  end
end
walk(_G, "_G")
walk(package.loaded, "package.loaded")
walk(package.preload, "package.preload")
walk(package.searchers or package.loaders, "package.searchers")
walk(debug.getregistry(), "registry")
walk(getmetatable(""), "string<mt>")
-- the frames of this message, as far up as process code can see them
for level = 1, 60 do
  local info = getinfo(level, "f")
  if not info then break end
  walk(info.func, "<frame " .. level .. ">")
  for i = 1, 250 do
    local name, x = getlocal(level, i)
    if name == nil then break end
    walk(x, "<frame " .. level .. ">." .. name)
  end
end
walk(coroutine.running(), "<running>")
return table.concat(found, "\n")
"""


def _lua_list(items: tuple[str, ...]) -> str:
    return "{" + ", ".join(f'["{s}"] = true' for s in items) + "}"


def _walk(p, sentinel: str) -> str:  # type: ignore[no-untyped-def]
    code = f"return (function(...)\n{WALK}\nend)({sentinel[::-1]!r}, {_lua_list(BRIDGE_SOURCES)})"
    r = p.eval(code)
    assert r.error is None, r.error
    return str(r.output)


def _project(tmp_path: Path) -> Path:
    proc = tmp_path / "walked-project"
    (proc / "lib").mkdir(parents=True)
    (proc / "lib" / "helper.lua").write_text("return { answer = 42 }")
    (proc / "process.lua").write_text(
        "Helper = require('lib.helper')\n"
        "Handlers.add('x', 'X', function(m) m.reply({ Data = tostring(Helper.answer) }) end)\n"
    )
    return proc


@pytest.mark.parametrize("coverage", [False, True], ids=["plain", "coverage"])
def test_no_private_value_is_reachable_from_process_code(version: str, coverage: bool, tmp_path: Path) -> None:
    """With coverage of the runtime on, the bridge keeps more private values (the line recorder,
    the hit sets): none of those leaks either."""
    proc = _project(tmp_path)
    col = Collector(root=proc, runtime=True) if coverage else None
    with collector.installed(col):
        p = Network(lua=version, root=proc, instruction_budget=None).spawn(proc / "process.lua")
        assert p.send({"Action": "X"}).messages[0].data == "42"
        p.dryrun({"Action": "X"})  # a discarded state, rebuilt by replay
        found = _walk(p, str(proc.resolve()))
    assert found == "", "process code reaches the harness's private values:\n" + found


def test_the_walk_finds_what_it_looks_for(version: str, tmp_path: Path) -> None:
    """The walk is not blind: a process that keeps a host path and a table shaped like the
    bridge's private ones in its globals is reported, and so is a Python object put there from
    the host (through the raw runtime)."""
    proc = _project(tmp_path)
    p = Network(lua=version, root=proc, instruction_budget=None).spawn(proc / "process.lua")
    planted = str(proc.resolve())
    r = p.eval(f"Planted = {{ ({planted[::-1]!r}):reverse(), {{ arm = 1 }}, {{ _LOADED = 1 }}, {{ io_open = 1 }} }}")
    assert r.error is None, r.error
    p.lua.globals().PlantedHost = len
    found = set(_walk(p, planted).splitlines())
    assert {
        "a host path of the search dirs at _G.Planted.1",
        "the private table H at _G.Planted.2",
        "the raw registry at _G.Planted.3",
        "the sandbox's originals at _G.Planted.4",
        "a host (Python) object at _G.PlantedHost",
    } <= found


def test_the_registry_proxy_does_not_lead_to_the_budget_hook(version: str) -> None:
    """The registry's proxy keeps the raw registry in its metamethods' upvalues: hidden, so the
    hook table (and with it the instruction budget) cannot be removed through it."""
    p = Network(lua=version, instruction_budget=200_000, timeout=5).spawn(source="")
    r = p.eval(
        """
        local mt = debug.getmetatable(debug.getregistry())
        local reached = 0
        for _, f in pairs(mt) do
          if type(f) == "function" then
            for i = 1, 20 do
              local _, up = debug.getupvalue(f, i)
              if type(up) == "function" then
                for j = 1, 20 do
                  local _, reg = debug.getupvalue(up, j)
                  if type(reg) == "table" and rawget(reg, "_LOADED") then
                    reached = reached + 1
                    for _, v in next, reg do
                      if type(v) == "table" then
                        for k in next, v do
                          if type(k) == "thread" or type(k) == "userdata" then rawset(v, k, nil) end
                        end
                      end
                    end
                  end
                end
              end
            end
          end
        end
        local n = 0
        for i = 1, 1e8 do n = n + 1 end
        return "escaped the budget after reaching the raw registry " .. reached .. " times"
        """
    )
    assert r.error is not None, r.output
    assert "instruction budget exceeded" in r.error


def test_search_dirs_cannot_be_redirected(version: str, tmp_path: Path) -> None:
    """The project searcher's directories are private: process code cannot point it elsewhere
    to read host files."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.lua").write_text("return 'ESCAPED'")
    proc = _project(tmp_path)
    p = Network(lua=version, root=proc).spawn(proc / "process.lua")
    r = p.eval(
        f"""
        local searcher = package.searchers and package.searchers[2] or package.loaders[2]
        for i = 1, 30 do
          local name, v = debug.getupvalue(searcher, i)
          if name == nil then break end
          if type(v) == "table" then
            for _, d in pairs(v) do
              if type(d) == "table" then d[1] = {str(outside)!r} end
            end
          end
        end
        local ok, m = pcall(require, "secret")
        return tostring(ok) .. " " .. tostring(m)
        """
    )
    assert r.error is None, r.error
    assert "ESCAPED" not in str(r.output)
    assert str(r.output).startswith("false ")
