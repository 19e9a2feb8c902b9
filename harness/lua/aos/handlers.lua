-- .handlers: aos's Handlers registry and dispatcher (docs/aos-semantics.md §4.1, §4.3, §4.5), clean-room.
local H = ...
local utils = require(".utils")

local handlers = { _version = "0.0.5" }
handlers.utils = require(".handlers-utils")
handlers.list = {}
handlers.coroutines = {}
handlers.onceNonce = 0

local function findIndexByName(name)
  for i, h in ipairs(handlers.list) do
    if h.name == name then return i end
  end
  return nil
end

-- Wrap a handle so it receives only `msg` (the env argument of evaluate is dropped, gotcha 4).
function handlers.generateResolver(resolveSpec)
  return function(msg)
    if type(resolveSpec) == "function" then
      return resolveSpec(msg)
    end
    for spec, fn in pairs(resolveSpec) do
      if utils.matchesSpec(msg, spec) then
        return fn(msg)
      end
    end
  end
end

-- What live checks when a handler is added, and its words: the name and the pattern only (a
-- handle or maxRuns of any type is taken as it is, and fails, if ever, when the handler runs).
local INVALID = "Invalid arguments given. Expected: \n"
  .. "\tname : string, \tpattern : Action : string | MsgMatch : table,\n"
  .. "\t\tfunction(msg: Message) : {-1 = break, 0 = skip, 1 = continue},\n"
  .. "\thandle(msg : Message) : void) | Resolver,\n"
  .. "\tMaxRuns? : number | \"inf\" | nil"
local function checkArgs(name, pattern)
  local pt = type(pattern)
  if type(name) ~= "string" or (pt ~= "function" and pt ~= "table" and pt ~= "string") then
    error(INVALID)
  end
end

-- Shared body of add/append/prepend: update in place by name, else insert at `where`.
local function register(atFront, n, name, pattern, handle, maxRuns)
  if n == 2 then
    handle = pattern
    pattern = name
  end
  checkArgs(name, pattern)
  local entry_handle = handlers.generateResolver(handle)
  local idx = findIndexByName(name)
  if idx then
    local h = handlers.list[idx]
    h.pattern = pattern
    h.handle = entry_handle
    h.maxRuns = maxRuns
  else
    local h = { name = name, pattern = pattern, handle = entry_handle, maxRuns = maxRuns }
    if atFront then
      table.insert(handlers.list, 1, h)
    else
      table.insert(handlers.list, h)
    end
  end
end

function handlers.add(...)
  register(false, select("#", ...), ...)
  return #handlers.list
end

function handlers.append(...)
  register(false, select("#", ...), ...)
end

function handlers.prepend(...)
  register(true, select("#", ...), ...)
end

function handlers.once(...)
  local n = select("#", ...)
  local name, pattern, handle = ...
  if n ~= 3 then
    pattern, handle = name, pattern
    name = "_once_" .. tostring(handlers.onceNonce)
    handlers.onceNonce = handlers.onceNonce + 1
  end
  handlers.prepend(name, pattern, handle, 1)
end

local function positional(offset, anchor)
  local idx = findIndexByName(anchor)
  return {
    add = function(name, pattern, handle, maxRuns)
      checkArgs(name, pattern)
      if not idx then return end
      table.insert(handlers.list, idx + offset,
        { name = name, pattern = pattern, handle = handlers.generateResolver(handle), maxRuns = maxRuns })
    end,
  }
end

function handlers.before(name)
  assert(type(name) == "string", "Handler name MUST be a string") -- (live's words)
  return positional(0, name)
end

function handlers.after(name)
  assert(type(name) == "string", "Handler name MUST be a string")
  return positional(1, name)
end

function handlers.remove(name)
  assert(type(name) == "string", "name MUST be string") -- (live's words)
  if #handlers.list == 1 and handlers.list[1].name == name then
    handlers.list = {}
    return
  end
  local idx = findIndexByName(name)
  if idx then table.remove(handlers.list, idx) end
end

-- Receive: wait for a later message matching `pattern`; the rest of the handler then runs inside
-- that later message's evaluation, and the awaited message is consumed (gotcha 25).
function handlers.receive(pattern)
  local self = coroutine.running()
  if not self or not H.can_yield() then
    error(H.receive_unsupported(), 2)
  end
  handlers.once(pattern, function(msg)
    H.arm(self)
    local ok, status, err = coroutine.resume(self, msg)
    if not ok then error(status, 0) end
    if status == false then error(err, 0) end
  end)
  return coroutine.yield(pattern)
end

local VALID = { number = true, string = true, boolean = true }
-- The functions evaluate's shortcuts stand in for, as they were when this module loaded: while
-- utils.matchesSpec and the global `type` are still these, evaluate does their work for the
-- common patterns itself (a function: its result; a string: msg.Action == pattern) and does not
-- ask `type` about a boolean result; while `ipairs` is still ours and the list a plain table, it
-- walks the list by index (none of these has side effects; a replaced one is called as always).
local ourMatchesSpec, ourType, ourIpairs, ourAssert = utils.matchesSpec, type, ipairs, assert
local getmeta = debug.getmetatable
-- (5.3+'s ipairs reads t[i] as indexing does, __index included; older ones read it raw)
local indexedIpairs = math.type ~= nil

-- Pattern values seen, by kind: pattern -> "string" or "function" (spares a `type` call per
-- handler and message).  Weak keys let functions go with their handlers; strings never go, so
-- the table starts afresh when it grows large.
local kinds, nKinds = setmetatable({}, { __mode = "k" }), 0
local function kindOf(pattern)
  local kind = ourType(pattern)
  if kind == "string" or kind == "function" then
    if nKinds >= 4096 then
      kinds, nKinds = setmetatable({}, { __mode = "k" }), 0
    end
    kinds[pattern] = kind
    nKinds = nKinds + 1
  end
  return kind
end

-- After a matching handler ran: its maxRuns counted down (at 0 it is removed).
local function spend(o)
  if o.maxRuns ~= nil and o.maxRuns ~= "inf" then
    o.maxRuns = o.maxRuns - 1
    if o.maxRuns == 0 then handlers.remove(o.name) end
  end
end

-- A pattern's result as a verdict: -1 run and stop, 1 run and go on, 0 skip.
local function verdict(o, match)
  local mt
  if (match == true or match == false) and type == ourType then
    mt = "boolean"
  else
    mt = type(match)
  end
  if not VALID[mt] then
    error("Pattern result is not valid, it MUST be string, number, or boolean (handler "
      .. tostring(o.name) .. " returned " .. mt .. ")")
  end
  if mt == "boolean" then
    return match and -1 or 0
  elseif mt == "string" then
    if match == "continue" then
      return 1
    elseif match == "break" then
      return -1
    end
    return 0
  end
  return match
end

-- One handler (not _default) considered for msg, given utils.matchesSpec and the handler's
-- pattern as evaluate read them: its verdict (evaluate runs the handler: live's evaluate calls it
-- from its own frame, which a traceback in the handler shows).
local function consider(o, matchesSpec, pattern, msg)
  local match
  if matchesSpec == ourMatchesSpec and type == ourType then
    local kind = kinds[pattern] or kindOf(pattern)
    if kind == "function" then
      match = pattern(msg)
    elseif kind == "string" then
      match = msg.Action == pattern
    else
      match = matchesSpec(msg, pattern)
    end
  else
    match = matchesSpec(msg, pattern)
  end
  return verdict(o, match)
end

function handlers.evaluate(msg, env)
  if assert == ourAssert and type == ourType then
    -- (an assert that holds does nothing)
    if ourType(msg) ~= "table" then ourAssert(false, "msg is not valid") end
    if ourType(env) ~= "table" then ourAssert(false, "env is not valid") end
  else
    assert(type(msg) == "table", "msg is not valid")
    assert(type(env) == "table", "env is not valid")
  end
  local list = handlers.list
  local iter = ipairs
  -- for _, o in ipairs(list): while ipairs is ours and the list a plain table, by index (a
  -- string pattern that does not match costs no call); else through the iterator it gives
  local byIndex = indexedIpairs and iter == ourIpairs and getmeta(list) == nil and ourType(list) == "table"
  local f, s, c
  if not byIndex then f, s, c = iter(list) end
  local i, o = 0, nil
  while true do
    if byIndex then
      i = i + 1
      o = list[i]
      if o == nil then break end
    else
      local k
      k, o = f(s, c)
      if k == nil then break end
      c = k
    end
    if o.name ~= "_default" then
      local matchesSpec = utils.matchesSpec
      local pattern = o.pattern
      local kind = byIndex and kinds[pattern]
      local v
      if kind and matchesSpec == ourMatchesSpec and type == ourType then
        -- (consider's work, written out for the kinds seen before)
        local match
        if kind == "string" then
          match = msg.Action == pattern
        else
          match = pattern(msg)
        end
        if (match == true or match == false) and type == ourType then
          v = match and -1 or 0
        else
          v = verdict(o, match)
        end
      else
        v = consider(o, matchesSpec, pattern, msg)
      end
      if v ~= 0 then
        H.count_match(o.name)
        local ok, err = pcall(o.handle, msg, env)
        if not ok then error(err) end
        spend(o)
      end
      -- (the handler that stopped the walk handled the message)
      if v < 0 then return true end
    end
  end
  -- no handler stopped the walk: _default takes the message
  local idx = findIndexByName("_default")
  if idx then
    H.count_match("_default")
    handlers.list[idx].handle(msg, env)
  end
  return false
end

return handlers
