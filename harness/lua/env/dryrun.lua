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
local getupvalue, setupvalue, upvalueid = debug.getupvalue, debug.setupvalue, debug.upvalueid
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

-- (an upvalue that is nil, in the record's arrays)
local NIL = {}

-- Record everything reachable; false when a suspended coroutine makes a restore impossible.  The
-- record is a few flat arrays (the collector marks them quickly, a restore walks them in order):
-- per table its metatable (or false) and the span of its keys and values in K and V; per
-- upvalue its function, index and value (FF, FI, U).
local function walk()
  local TT, TM, TS, TN, K, V, nt, nk = {}, {}, {}, {}, {}, {}, 0, 0
  local FF, FI, U, nu, cells = {}, {}, {}, 0, {}
  local envs = {}
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
        local first = nk + 1
        for k, x in next, v do
          nk = nk + 1
          K[nk], V[nk] = k, x
          if not seen[k] then push(k) end
          if not seen[x] then push(x) end
        end
        local mt = getmetatable(v)
        nt = nt + 1
        TT[nt], TM[nt], TS[nt], TN[nt] = v, mt or false, first, nk - first + 1
        if mt ~= nil then push(mt) end
      end
    elseif tv == "function" then
      if not skipped[v] then
        -- each upvalue once: closures of one scope share its cells (5.2+ tells, by upvalueid)
        local i = 1
        while true do
          local name, x = getupvalue(v, i)
          if name == nil then break end
          local id = upvalueid and upvalueid(v, i)
          if not id or not cells[id] then
            if id then cells[id] = true end
            nu = nu + 1
            FF[nu], FI[nu], U[nu] = v, i, x == nil and NIL or x
            if x ~= nil and not seen[x] then push(x) end
          end
          i = i + 1
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
  return {
    TT = TT, TM = TM, TS = TS, TN = TN, K = K, V = V, FF = FF, FI = FI, U = U, envs = envs,
    typeMetas = typeMetas, registry = named,
  }
end

function D.save()
  record = nil
  record = walk()
  return record ~= false
end

-- Put back everything record *r* holds: per table its metatable first, so that a table without
-- one takes its contents by plain assignment (no metamethod can run; an assignment consults only
-- the table's own metatable), then its contents, keys added since dropped (a count tells whether
-- there are any); then upvalues.
local function put(r)
  local TT, TM, TS, TN, K, V = r.TT, r.TM, r.TS, r.TN, r.K, r.V
  for i = 1, #TT do
    local t, mt, s, c = TT[i], TM[i], TS[i], TN[i]
    local e = s + c - 1
    if mt then
      if not rawequal(getmetatable(t), mt) then setmetatable(t, mt) end
      for j = s, e do rawset(t, K[j], V[j]) end
    else
      if getmetatable(t) ~= nil then setmetatable(t, nil) end
      for j = s, e do t[K[j]] = V[j] end
    end
    local m = 0
    for _ in next, t do m = m + 1 end
    if m ~= c then
      local keep, dropped, d = {}, {}, 0
      for j = s, e do keep[K[j]] = true end
      for k in next, t do
        if not keep[k] then
          d = d + 1
          dropped[d] = k
        end
      end
      for j = 1, d do rawset(t, dropped[j], nil) end
    end
  end
  local FF, FI, U = r.FF, r.FI, r.U
  for i = 1, #FF do
    local x = U[i]
    if x == NIL then x = nil end
    setupvalue(FF[i], FI[i], x)
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
