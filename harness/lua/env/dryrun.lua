-- Dry-runs without a rebuild (not part of aos): before a dry-run the bridge records everything
-- process code could change -- the contents and metatable of every table reachable from the
-- registry, the globals and the type metatables, the upvalues (and, on 5.1/LuaJIT, the
-- environment) of every function, the registry's named entries (its numbered ones are lupa's
-- references, which Python holds) -- and afterwards puts every recorded value back.  Whatever the
-- dry-run created is then unreachable.  A suspended coroutine (a handler waiting in `Receive`)
-- keeps values on its stack that cannot be put back: `save` then declines and the caller falls
-- back to discarding the state and rebuilding it from the message log.
--
-- The same recorder resets a cloned state for reuse (`D.save_reset` / `D.restore_reset`, see
-- LuaProcessState.release): a second record, kept across restores, taken once when the state
-- equals the state it was cloned from; it also covers whether the collector runs and its settings.  The
-- recorder's own functions are never walked (their upvalues hold the records).
--
-- Run by runtime.lua with no arguments before the guards wrap the debug library (it keeps the
-- originals); `D.skip(t)` names tables never recorded (the harness's own: the guards' protected
-- values, the handler match counts).  Private: never in package.preload.
local next, type, rawget, rawset, rawequal, select = next, type, rawget, rawset, rawequal, select
local getmetatable, setmetatable = debug.getmetatable, debug.setmetatable
local getupvalue, setupvalue = debug.getupvalue, debug.setupvalue
local getregistry = debug.getregistry
local costatus, corunning = coroutine.status, coroutine.running
local getfenv, setfenv = rawget(_G, "getfenv"), rawget(_G, "setfenv")
local G_ = _G
local collect = collectgarbage
-- 5.2+ can tell whether the collector runs (5.1 and LuaJIT cannot)
local canTellGc = _VERSION ~= "Lua 5.1" and rawget(_G, "jit") == nil

local D = {}

-- tables never recorded nor entered: t -> true
local skipped = {}
setmetatable(skipped, { __mode = "k" }) -- (debug.setmetatable returns a boolean on 5.1)
function D.skip(t)
  if t ~= nil then skipped[t] = true end
end

-- The lupa reference tables and the registry itself are never restored (Python holds references
-- made during the dry-run), only walked through.
local registry = getregistry()
for _, name in ipairs({ "LUPA_PYTHON_REFERENCES_TABLE", "POBJECT" }) do
  if type(rawget(registry, name)) == "table" then skipped[rawget(registry, name)] = true end
end
-- (the registry is reached through the debug library's proxy too: its numbered entries are
-- lupa's references, which Python holds; only its named entries are recorded, see `walk`)
skipped[registry] = true

-- lupa's own named registry entries (never removed)
local function lupaKey(k)
  return k == "POBJECT" or k == "Py_None" or (type(k) == "string" and string.sub(k, 1, 5) == "LUPA_")
end

-- one sample value per type whose metatable is shared by the whole type
local TYPE_SAMPLES = { "", 0, true, print }

local record -- the last save: { tables = {t -> copy}, metas = {t -> mt|false}, funcs = ..., ... }
local resetRecord -- the reset record (D.save_reset), kept across restores

-- Record everything reachable; false when a suspended coroutine makes a restore impossible.
local function walk()
  local tables, metas, funcs, envs = {}, {}, {}, {}
  local stack, n = {}, 0
  local seen = {}
  local main = rawget(registry, 1)

  local function push(v)
    if v == nil or seen[v] then return end
    local tv = type(v)
    if tv == "table" or tv == "function" or tv == "userdata" or tv == "thread" then
      seen[v] = true
      n = n + 1
      stack[n] = v
    end
  end

  for _, v in next, registry do push(v) end
  push(G_)
  local typeMetas = {}
  for i, sample in ipairs(TYPE_SAMPLES) do
    local mt = getmetatable(sample)
    typeMetas[i] = mt or false
    push(mt)
  end

  while n > 0 do
    local v = stack[n]
    stack[n] = nil
    n = n - 1
    local tv = type(v)
    if tv == "table" then
      if not skipped[v] then
        local copy = {}
        for k, x in next, v do
          copy[k] = x
          if not seen[k] then push(k) end
          if not seen[x] then push(x) end
        end
        tables[v] = copy
        local mt = getmetatable(v)
        metas[v] = mt or false
        if mt ~= nil then push(mt) end
      end
    elseif tv == "function" then
      if not skipped[v] then
        local i, ups = 1, nil
        while true do
          local name, x = getupvalue(v, i)
          if name == nil then break end
          ups = ups or {}
          ups[i] = x
          if x ~= nil and not seen[x] then push(x) end
          i = i + 1
        end
        if ups then
          ups.n = i - 1
          funcs[v] = ups
        end
        if getfenv then
          local ok, env = pcall(getfenv, v)
          if ok and env ~= nil then
            envs[v] = env
            push(env)
          end
        end
      end
    elseif tv == "userdata" then
      push(getmetatable(v))
    elseif tv == "thread" then
      if v ~= main and v ~= corunning() and costatus(v) == "suspended" then
        return false
      end
    end
  end
  local named = {}
  for k, v in next, registry do
    if type(k) ~= "number" then named[k] = v end
  end
  return { tables = tables, metas = metas, funcs = funcs, envs = envs, typeMetas = typeMetas, registry = named }
end

function D.save()
  record = nil
  record = walk()
  return record ~= false
end

-- Put back everything record *r* holds.
local function put(r)
  for t, copy in next, r.tables do
    local dropped
    for k in next, t do
      if rawget(copy, k) == nil then
        dropped = dropped or {}
        dropped[#dropped + 1] = k
      end
    end
    if dropped then
      for i = 1, #dropped do rawset(t, dropped[i], nil) end
    end
    for k, x in next, copy do
      if not rawequal(rawget(t, k), x) then rawset(t, k, x) end
    end
  end
  for t, mt in next, r.metas do
    if mt == false then mt = nil end
    if not rawequal(getmetatable(t), mt) then setmetatable(t, mt) end
  end
  for f, ups in next, r.funcs do
    for i = 1, ups.n do
      local _, now = getupvalue(f, i)
      local x = ups[i]
      if not rawequal(now, x) then setupvalue(f, i, x) end
    end
  end
  if setfenv then
    for f, env in next, r.envs do
      local ok, now = pcall(getfenv, f)
      if ok and not rawequal(now, env) then pcall(setfenv, f, env) end
    end
  end
  for i, sample in ipairs(TYPE_SAMPLES) do
    local mt = r.typeMetas[i]
    if mt == false then mt = nil end
    if not rawequal(getmetatable(sample), mt) then setmetatable(sample, mt) end
  end
  local named = r.registry
  local extra
  for k in next, registry do
    if type(k) ~= "number" and named[k] == nil and not lupaKey(k) then
      extra = extra or {}
      extra[#extra + 1] = k
    end
  end
  if extra then
    for i = 1, #extra do rawset(registry, extra[i], nil) end
  end
  for k, v in next, named do
    if not rawequal(rawget(registry, k), v) then rawset(registry, k, v) end
  end
end

-- Put back everything the last `save` recorded (once).
function D.restore()
  local r = record
  record = nil
  if not r then return false end
  put(r)
  return true
end

-- Take the reset record (the state as it is now); false when it cannot be put back.
function D.save_reset()
  resetRecord = nil
  local r = walk()
  if not r then return false end
  if canTellGc then
    r.gcRunning = collect("isrunning")
    -- the collector's settings (setting one returns the one before: read, then put back)
    r.pause = collect("setpause", 200)
    collect("setpause", r.pause)
    r.stepmul = collect("setstepmul", 200)
    collect("setstepmul", r.stepmul)
  end
  resetRecord = r
  return true
end

-- Put the state back as the reset record has it (any number of times); false without one.
function D.restore_reset()
  local r = resetRecord
  if not r then return false end
  put(r)
  -- what the previous use left is garbage now: collected at once, not swept bit by bit during
  -- the next use (and no finalizer of it can run later: the bridge never resets a state that got one)
  collect("collect")
  if canTellGc then
    if collect("isrunning") ~= r.gcRunning then collect(r.gcRunning and "restart" or "stop") end
    collect("setpause", r.pause)
    collect("setstepmul", r.stepmul)
  end
  return true
end

-- Forget a save (the state is being discarded anyway).
function D.drop()
  record = nil
end

-- the recorder's own functions hold the records: never walked, never put back
for _, f in next, D do skipped[f] = true end

return D
