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

local function checkArgs(fname, name, pattern, handle, maxRuns)
  assert(type(name) == "string", "Handlers." .. fname .. ": name MUST be a string")
  local pt = type(pattern)
  assert(pt == "function" or pt == "table" or pt == "string",
    "Handlers." .. fname .. ": pattern MUST be a string, table or function")
  local ht = type(handle)
  assert(ht == "function" or ht == "table", "Handlers." .. fname .. ": handle MUST be a function or a table")
  assert(maxRuns == nil or type(maxRuns) == "number" or maxRuns == "inf",
    "Handlers." .. fname .. ": maxRuns MUST be a number or \"inf\"")
end

-- Shared body of add/append/prepend: update in place by name, else insert at `where`.
local function register(fname, atFront, n, name, pattern, handle, maxRuns)
  if n == 2 then
    handle = pattern
    pattern = name
  end
  checkArgs(fname, name, pattern, handle, maxRuns)
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
  register("add", false, select("#", ...), ...)
  return #handlers.list
end

function handlers.append(...)
  register("append", false, select("#", ...), ...)
end

function handlers.prepend(...)
  register("prepend", true, select("#", ...), ...)
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
      if not idx then return end
      checkArgs(offset == 0 and "before" or "after", name, pattern, handle, maxRuns)
      table.insert(handlers.list, idx + offset,
        { name = name, pattern = pattern, handle = handlers.generateResolver(handle), maxRuns = maxRuns })
    end,
  }
end

function handlers.before(name)
  assert(type(name) == "string", "Handlers.before: name MUST be a string")
  return positional(0, name)
end

function handlers.after(name)
  assert(type(name) == "string", "Handlers.after: name MUST be a string")
  return positional(1, name)
end

function handlers.remove(name)
  assert(type(name) == "string", "Handlers.remove: name MUST be a string")
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
-- The functions evaluate's shortcut stands in for, as they were when this module loaded: while
-- utils.matchesSpec and the global `type` are still these, evaluate does their work for the
-- common patterns itself (a function: its result; a string: msg.Action == pattern) and skips
-- `type` on a boolean result (neither has side effects; a replaced one is called as always).
local ourMatchesSpec, ourType = utils.matchesSpec, type

function handlers.evaluate(msg, env)
  local handled = false
  assert(type(msg) == "table", "msg is not valid")
  assert(type(env) == "table", "env is not valid")
  local list = handlers.list
  for _, o in ipairs(list) do
    if o.name ~= "_default" then
      local matchesSpec = utils.matchesSpec
      local pattern = o.pattern
      local match
      if matchesSpec == ourMatchesSpec and type == ourType then
        local pt = ourType(pattern)
        if pt == "function" then
          match = pattern(msg)
        elseif pt == "string" then
          match = msg.Action == pattern
        else
          match = matchesSpec(msg, pattern)
        end
      else
        match = matchesSpec(msg, pattern)
      end
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
        match = match and -1 or 0
      elseif mt == "string" then
        if match == "continue" then
          match = 1
        elseif match == "break" then
          match = -1
        else
          match = 0
        end
      end
      if match ~= 0 then
        if match < 0 then handled = true end
        H.count_match(o.name)
        local ok, err = pcall(o.handle, msg, env)
        if not ok then error(err) end
        if o.maxRuns ~= nil and o.maxRuns ~= "inf" then
          o.maxRuns = o.maxRuns - 1
          if o.maxRuns == 0 then handlers.remove(o.name) end
        end
      end
      if match < 0 then return handled end
    end
  end
  if not handled then
    local idx = findIndexByName("_default")
    if idx then
      H.count_match("_default")
      handlers.list[idx].handle(msg, env)
    end
  end
  return handled
end

return handlers
