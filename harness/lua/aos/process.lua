-- .process: aos's process.handle(msg, env) and process globals (docs/aos-semantics.md §2, §5), clean-room.
-- Profiles (docs/aos-semantics.md §0) come in through the private harness table H.
local H = ...
local profile = H.profile

-- Loaded at boot, as live's process.lua does, so package.loaded holds them from the start.
-- print keeps the .stringify it found then; json is required again each time it is used (for
-- table Data sent, spawned or received): a process that puts its own module in
-- package.loaded.json changes what aos encodes and decodes, on live as here.
local pretty = require(".pretty") -- luacheck: ignore (loaded for package.loaded, as on live)
local base64 = require(".base64")
local bootJson = require("json")
local stringify = require(".stringify")
local function json() return require("json") end
local chance = require(".chance")
local seedFromSpawn = H.chance.seed_from_spawn -- (the harness's part of .chance)
local utils = require(".utils")
local ao = require(".ao")
require(".assignment").init(ao)
_G.ao = ao
package.loaded.ao = ao
Handlers = require(".handlers")

local process = { _version = profile.version }

-- coroutine.create as the guards left it: it arms every coroutine it makes (on LuaJIT one hook
-- serves all coroutines, and H.arm installs it again)
local guardCreate = not H.is_jit and coroutine.create or nil

Colors = { red = "\27[31m", green = "\27[32m", blue = "\27[34m", reset = "\27[0m", gray = "\27[90m" }
Bell = "\x07"
Utils = utils
Nonce = Nonce
Seeded = Seeded or false
Errors = Errors or {}
Inbox = Inbox or {}
Owner = Owner
Name = Name

Dump = require(".dump")

-- Before the first message math.random returns 0.5 (core/main.lua).
math.random = function() return 0.5 end

if profile.globals_json then
  _G.json = bootJson
  _G.base64 = base64
end

function Prompt()
  -- live's colours: green name, gray punctuation, blue version, red Inbox count
  return Colors.green .. tostring(Name or "aos") .. Colors.gray .. "@" .. Colors.blue .. "aos-"
    .. process._version .. Colors.gray .. "[Inbox:" .. Colors.red .. tostring(#Inbox) .. Colors.gray
    .. "]" .. Colors.reset .. "> "
end

function Version()
  print("version: " .. process._version)
end

-- print takes ONE argument; numbers green, booleans blue, nil red, tables pretty-printed.
function print(a)
  local s
  local t = type(a)
  if t == "table" then
    s = stringify.format(a)
  elseif t == "number" then
    s = Colors.green .. tostring(a) .. Colors.reset
  elseif t == "boolean" then
    s = Colors.blue .. tostring(a) .. Colors.reset
  elseif t == "nil" then
    s = Colors.red .. tostring(a) .. Colors.reset
  else
    s = a
  end
  if HANDLER_PRINT_LOGS then
    table.insert(HANDLER_PRINT_LOGS, s)
    ao.outbox.Output = { data = s, prompt = Prompt(), print = true }
    return nil
  end
  return s
end

-- `msg.Tags` array -> map; the FIRST duplicate wins (gotcha 10).
function Tab(msg)
  local inputs = {}
  for _, t in ipairs(msg.Tags) do
    if inputs[t.name] == nil then inputs[t.name] = t.value end
  end
  return inputs
end

local function tagOf(tags, name)
  for _, t in ipairs(tags) do
    if t.name == name then return t.value end
  end
  return nil
end

local function insertInbox(msg)
  table.insert(Inbox, msg)
  local over = #Inbox - H.inbox_cap
  while over > 0 do
    table.remove(Inbox, 1)
    over = over - 1
  end
end

-- Table Data is JSON-encoded with a Content-Type tag (gotcha 17); mutates the caller's table.
local function wrapJson(msg)
  if type(msg.Data) == "table" then
    msg["Content-Type"] = "application/json"
    msg.Data = json().encode(msg.Data)
  end
end

-- (as live's, these read msg.Data first: a message that is not indexable fails there)
local aoSend = ao.send
ao.send = function(msg)
  wrapJson(msg)
  return aoSend(msg)
end
local aoSpawn = ao.spawn
ao.spawn = function(module, msg)
  wrapJson(msg)
  return aoSpawn(module, msg)
end

function Send(msg)
  if msg.Target == nil then
    print("WARN: No target specified for message. Data will be stored, but no process will receive it.")
  end
  local result = ao.send(msg)
  return {
    output = "Message added to outbox",
    receive = result.receive,
    onReply = result.onReply,
  }
end

function Spawn(...)
  local module, spawnMsg
  if select("#", ...) == 1 then
    spawnMsg = ...
    module = ao._module
  else
    module, spawnMsg = ...
  end
  if not spawnMsg then spawnMsg = {} end
  local result = ao.spawn(module, spawnMsg)
  return {
    output = "Spawn process request added to outbox",
    after = result.after,
    receive = result.receive,
  }
end

function Assign(assignment)
  ao.assign(assignment)
  print("Assignment added to outbox.")
  return "Assignment added to outbox."
end

Receive = Handlers.receive

local function initializeState(msg, env)
  if not Seeded then
    chance.seed(seedFromSpawn(msg["Block-Height"], msg.Owner, msg.Module, msg.Id))
    -- as live's: the arguments counted by the length of their table (a nil ends them), one or
    -- two of them a chance.integer range (checked before a number is drawn), others a float
    math.random = function(...)
      local args = { ... }
      local n = #args
      if n == 1 then return chance.integer(1, args[1]) end
      if n == 2 then return chance.integer(args[1], args[2]) end
      return chance.random()
    end
    Seeded = true
  end
  Errors = Errors or {}
  Inbox = Inbox or {}
  if not Owner then
    if profile.owner_from_any_message then
      Owner = msg.From
    elseif msg.Id == env.Process.Id then
      local fromProcess = tagOf(msg.Tags, "From-Process")
      Owner = (fromProcess ~= nil and fromProcess ~= "") and fromProcess or msg.From
    end
  end
  if not Name then
    Name = tagOf(env.Process.Tags, "Name") or "aos"
  end
end

local evalHandle = require(".eval")(ao)
local bootHandle = require(".boot")(ao)
local defaultHandle = require(".default")(insertInbox)

if profile.apm_handlers then
  for _, action in ipairs({ "DownloadResponse", "SearchResponse", "InfoResponse", "UpdateResponse" }) do
    Handlers.add("APM." .. action, { Action = "APM." .. action }, function(msg)
      print("APM: " .. action .. " received (the local network has no package manager)")
    end)
  end
end

local function evalPattern(m)
  return m.Action == "Eval" and Owner == m.From
end

local function defaultPattern()
  return true
end

-- The handle of each built-in entry as we registered it (the resolver Handlers.add wrapped).
local builtinHandle = {}

-- Is the handler called `name` present exactly as we registered it (pattern, handle, no
-- maxRuns)?  aos re-adds the built-ins on every message, which undoes any change to them.
local function registered(name, pattern)
  for _, h in ipairs(Handlers.list) do
    if h.name == name then
      return h.pattern == pattern and h.maxRuns == nil and h.handle == builtinHandle[name]
    end
  end
  return false
end

local function remember(name)
  for _, h in ipairs(Handlers.list) do
    if h.name == name then
      builtinHandle[name] = h.handle
      return
    end
  end
end

local function attachReply(msg)
  msg.reply = function(replyMsg)
    replyMsg.Target = msg["Reply-To"] or replyMsg.Target or msg.From
    replyMsg["X-Reference"] = msg["X-Reference"] or msg.Reference
    replyMsg["X-Origin"] = msg["X-Origin"] or nil
    return ao.send(replyMsg)
  end
  msg.forward = function(target, extra)
    local skip = {}
    for _, k in ipairs(ao.nonForwardableTags) do skip[k] = true end
    local fwd = {}
    for k, v in pairs(msg) do
      if not skip[k] and type(v) ~= "function" then fwd[k] = v end
    end
    if extra then
      for k, v in pairs(extra) do fwd[k] = v end
    end
    fwd.Target = target
    fwd["Reply-To"] = msg["Reply-To"] or msg.From
    fwd["X-Reference"] = msg["X-Reference"] or msg.Reference
    fwd["X-Origin"] = msg["X-Origin"] or msg.From
    ao.send(fwd)
  end
end

-- Live's host calls process.handle straight from C, so a traceback taken in it ends with it; here
-- the harness's bridge called it: its frames are cut (a traceback that is not aos's own text, from
-- a debug.traceback the process replaced, is left as it is).
local handleShown -- (how 5.1 and LuaJIT name process.handle: by where it is defined)
local function mainTraceback(text)
  if type(text) ~= "string" then return text end
  local at = string.find(text, "in function '.process.handle'", 1, true)
    or string.find(text, handleShown, 1, true)
  local eol = at and string.find(text, "\n", at, true)
  if eol then return string.sub(text, 1, eol - 1) end
  return text
end

-- (as live's: the error value is concatenated as it is, so an error that is neither a string nor
-- a number, error({}) or error(nil), fails here, and the message fails with "attempt to
-- concatenate a table value (local 'result')" instead; a __concat metamethod is honoured)
local function errorText(result)
  return table.concat(HANDLER_PRINT_LOGS, "\n") .. "\n\n" .. Colors.red .. "error:\n" .. Colors.reset .. result
end

function process.handle(msg, env)
  -- the bridge's env for this message, when this handle is the one it called (see H.init_fresh)
  local fresh = env ~= nil and env == H.fresh_env
  H.fresh_env = nil
  if env and not env.Process and env.env then env = env.env end
  if fresh then H.init_fresh(env) else ao.init(env) end
  if profile.normalize then
    -- the harness's CU builds root keys in canonical form already; only tag names can differ
    if H.canonical_root then H.normalizeTags(msg) else H.normalizeMessage(msg) end
  end
  if type(msg.Tags) ~= "table" then
    error("message Tags must be an array of {name, value} (got " .. type(msg.Tags) .. ")")
  end
  ao.normalize(msg)
  ao.id = env.Process.Id
  initializeState(msg, env)
  HANDLER_PRINT_LOGS = {}
  os.time = function() return msg.Timestamp end

  msg.TagArray = msg.Tags
  msg.Tags = Tab(msg)
  ao.env.Process.TagArray = ao.env.Process.Tags
  ao.env.Process.Tags = Tab(ao.env.Process)

  if msg.Tags["Content-Type"] == "application/json" then
    msg.Data = json().decode(msg.Data or "{}")
  end

  Errors = Errors or {}
  ao.clearOutbox()

  if msg.From ~= msg.Owner and not ao.isTrusted(msg) then
    if profile.untrusted_reply and msg.From ~= ao.id then
      Send({ Target = msg.From, Data = "Message is not trusted by this process!" })
    end
    print("Message is not trusted! From: " .. tostring(msg.From) .. " - Owner: " .. tostring(msg.Owner))
    return ao.result({})
  end

  if ao.isAssignment(msg) and not ao.isAssignable(msg) then
    if msg.From ~= ao.id then
      Send({ Target = msg.From, Data = "Assignment is not trusted by this process!" })
    end
    print("Assignment is not trusted! From: " .. tostring(msg.From) .. " - Owner: " .. tostring(msg.Owner))
    return ao.result({})
  end

  -- aos re-registers _eval and _default on every message (in place, so positions are stable);
  -- re-adding the very same pattern is a no-op, so we only do it when the entry is not ours.
  if not registered("_eval", evalPattern) then
    Handlers.add("_eval", evalPattern, evalHandle)
    remember("_eval")
  end
  if msg.Id ~= nil and msg.Id == env.Process.Id then
    Handlers.once("_boot", function(m)
      return m.Tags.Type == "Process" and Owner == m.From
    end, bootHandle)
  end
  if not registered("_default", defaultPattern) then
    Handlers.append("_default", defaultPattern, defaultHandle)
    remember("_default")
  end

  attachReply(msg)

  local create = coroutine.create
  local co = create(function()
    return pcall(Handlers.evaluate, msg, env)
  end)
  -- (the guards' coroutine.create has armed it already)
  if create ~= guardCreate then H.arm(co) end
  local resumed, status, result = coroutine.resume(co)
  if not resumed then
    status, result = false, status
  end
  local live = {}
  for _, c in ipairs(Handlers.coroutines) do
    if coroutine.status(c) ~= "dead" then live[#live + 1] = c end
  end
  if coroutine.status(co) ~= "dead" then live[#live + 1] = co end
  Handlers.coroutines = live

  if not status then
    if msg.Action == "Eval" then
      table.insert(Errors, result)
      return { Error = errorText(result) }
    end
    if msg.Action then
      print(Colors.red .. "Error" .. Colors.gray .. " handling message with Action = " .. tostring(msg.Action) .. Colors.reset)
    else
      print(Colors.red .. "Error" .. Colors.gray .. " handling message " .. Colors.reset)
    end
    print(Colors.green .. result .. Colors.reset)
    print("\n" .. Colors.gray .. mainTraceback(debug.traceback()) .. Colors.reset)
    return ao.result({ Error = errorText(result) })
  end

  local output
  if msg.Action == "Eval" then
    output = { data = table.concat(HANDLER_PRINT_LOGS, "\n"), prompt = Prompt(), test = Dump(HANDLER_PRINT_LOGS) }
  else
    output = { data = table.concat(HANDLER_PRINT_LOGS, "\n"), prompt = Prompt(), print = true }
  end
  ao.Nonce = msg.Nonce
  return ao.result({ Output = output })
end

handleShown = "in function <[string \".process\"]:" .. debug.getinfo(process.handle, "S").linedefined .. ">"

return process
