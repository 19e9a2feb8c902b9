-- The bridge's entry and result (not part of aos): one message in (bridge.handle, which Python
-- calls with the message's fields), process.handle run inside the guards, the result out as a
-- flat list.  Run by bridge/main.lua with (H, G, host, process); returns bridge.handle,
-- bridge.set_process and in_message (the other bridge functions refuse to run inside a message).
local H, G, host, process = ...

local unpack = host.unpack
local hex = H.hex
local pcall, select, type, ipairs, error = pcall, select, type, ipairs, error
local getmeta = debug.getmetatable
-- (5.3+'s ipairs reads t[i] as indexing does, __index included; older ones read it raw)
local indexedIpairs = math.type ~= nil

-- A fresh env per message, tag entries included, as the CU hands the module a new one with every
-- message: what a handler does to ao.env is gone at the next message.
local function envFor(proc)
  local names, values, n = proc.tagNames, proc.tagValues, proc.tagCount
  local tags = {}
  for i = 1, n do tags[i] = { name = names[i], value = values[i] } end
  return {
    Process = { Id = proc.id, Owner = proc.owner, Tags = tags },
    Module = { Id = proc.module, Owner = proc.owner, Tags = {} },
  }
end

local processInfo

-- Flatten a result for Python: {status, output, nMsgs, nSpawns, nAssigns, ...items} or
-- {"error", text}, and its length; or, for a result with no messages, spawns or assignments,
-- false, status, output.  The status is "ok", or "only-default" when no handler but
-- _default matched the message.  Runs under the message's budget (user values may carry
-- metamethods).
-- An entry live's host would carry but the MU cannot (a list or entry that is not a table, which
-- cannot be indexed or counted) stops `flatten`, and `flattenCarefully` flattens the result again:
-- a text saying what the entry is stands where its count would be, and Python refuses it
-- (TagValueError), as the MU would.  (A string where an entry belongs indexes as an empty one.)
-- Lists are counted as ipairs walks them; one whose walk and `#` disagree is flattened carefully.

-- "is a number" (what a value is, for those texts)
local function is(v)
  return v == nil and "is nil" or ("is a " .. type(v))
end

-- Put an assignment's process list at position *n* of *out*: its length, then the ids; the new end.
local function pushProcesses(out, n, procs)
  local count = n
  out[count] = 0 -- (the count, set below: written now so that `out` grows without a hole)
  for _, p in ipairs(procs) do
    n = n + 1
    out[n] = p
  end
  out[count] = n - count
  return n
end

-- pushTags (below) for flattenCarefully: a Tags that is not a table leaves a text where its count
-- belongs, and an entry that is not a table stands as a name Python refuses.
local pushTags
local function carefulTags(out, n, tags)
  tags = tags or {}
  if type(tags) ~= "table" then
    out[n + 1] = "its Tags " .. is(tags) .. ", not a list of {name, value} tables"
    return n + 1
  end
  local entries = {}
  for i, t in ipairs(tags) do entries[i] = type(t) == "table" and t or { name = t } end
  return pushTags(out, n, entries)
end

-- The entries of an outbox list as ipairs walks them; a list that is not a table, as one entry.
local function entriesOf(list)
  if type(list) == "table" then return list end
  return { list }
end

-- (run only after `flatten` stopped on *res*: a table, whose outbox has something to list)
local function flattenCarefully(res)
  if res.Error then
    return { "error", G.text(res.Error) }, 2
  end
  local o = res.Output
  if type(o) == "table" then o = o.data end
  local msgs, spawns, assigns = res.Messages or {}, res.Spawns or {}, res.Assignments or {}
  local out = { H.matched_other and "ok" or "only-default", o, 0, 0, 0 }
  local n, k = 5, 0
  for _, m in ipairs(entriesOf(msgs)) do
    k = k + 1
    if type(m) == "table" then
      out[n + 1], out[n + 2], out[n + 3] = m.Target, m.Data, m.Anchor
      n = carefulTags(out, n + 3, m.Tags)
    else
      out[n + 1], out[n + 2], out[n + 3] = m, nil, nil
      out[n + 4] = (msgs == m and "the outbox's Messages " or "the outbox message ") .. is(m)
        .. ", not a table"
      n = n + 4
    end
  end
  out[3], k = k, 0
  for _, s in ipairs(entriesOf(spawns)) do
    k = k + 1
    if type(s) == "table" then
      out[n + 1], out[n + 2] = s.Data, s.Anchor
      n = carefulTags(out, n + 2, s.Tags)
    else
      out[n + 1], out[n + 2] = nil, nil
      out[n + 3] = (spawns == s and "the outbox's Spawns " or "the spawn request ") .. is(s) .. ", not a table"
      n = n + 3
    end
  end
  out[4], k = k, 0
  for _, a in ipairs(entriesOf(assigns)) do
    k = k + 1
    local procs = type(a) == "table" and (a.Processes or {}) or nil
    n = n + 1
    if type(procs) == "table" then
      n = pushProcesses(out, n, procs)
    elseif type(a) ~= "table" then
      out[n] = (assigns == a and "the outbox's Assignments " or "the assignment ") .. is(a) .. ", not a table"
    else
      out[n] = "its Processes " .. is(procs) .. ", not a list of process ids"
    end
    n = n + 1
    out[n] = type(a) == "table" and a.Message or nil
  end
  out[5] = k
  return out, n
end

-- Append a tag list to *out* after position *n*: its length, then name, value, ...; the new end.
function pushTags(out, n, tags)
  tags = tags or {}
  local count, j = n + 1, 0
  out[count] = 0 -- (the count, set below: written now so that `out` grows without a hole)
  n = count
  if indexedIpairs and getmeta(tags) == nil and type(tags) == "table" then
    -- a plain array (ipairs's walk, by index)
    local t = tags[1]
    while t ~= nil do
      out[n + 1], out[n + 2] = t.name, t.value
      n = n + 2
      j = j + 1
      t = tags[j + 1]
    end
  else
    for _, t in ipairs(tags) do
      out[n + 1], out[n + 2] = t.name, t.value
      n = n + 2
      j = j + 1
    end
  end
  out[count] = j
  return n
end

local NOT_A_TABLE = {} -- (raised by flatten: flattenCarefully says what)

local function flatten(res)
  if type(res) ~= "table" then
    return { "error", "process.handle returned " .. type(res) }, 2
  end
  if res.Error then
    return { "error", G.text(res.Error) }, 2
  end
  local o = res.Output
  if type(o) == "table" then o = o.data end
  local msgs, spawns, assigns = res.Messages or {}, res.Spawns or {}, res.Assignments or {}
  local status = H.matched_other and "ok" or "only-default"
  local nm, ns, na = #msgs, #spawns, #assigns
  if nm == 0 and ns == 0 and na == 0 and getmeta(msgs) == nil and getmeta(spawns) == nil
    and getmeta(assigns) == nil then
    -- nothing to list (three empty plain tables): status, output, 0, 0, 0
    return false, status, o
  end
  local out = { status, o, 0, 0, 0 }
  local n, k = 5, 0
  for _, m in ipairs(msgs) do
    out[n + 1], out[n + 2], out[n + 3] = m.Target, m.Data, m.Anchor
    n = pushTags(out, n + 3, m.Tags)
    k = k + 1
  end
  -- (a walk shorter than `#` says: a string, a list with holes or a `__len`: the careful way)
  if k ~= nm then error(NOT_A_TABLE) end
  out[3], k = k, 0
  for _, s in ipairs(spawns) do
    out[n + 1], out[n + 2] = s.Data, s.Anchor
    n = pushTags(out, n + 2, s.Tags)
    k = k + 1
  end
  if k ~= ns then error(NOT_A_TABLE) end
  out[4], k = k, 0
  for _, a in ipairs(assigns) do
    local procs = type(a) == "table" and (a.Processes or {}) or nil
    if type(procs) ~= "table" then error(NOT_A_TABLE) end
    n = pushProcesses(out, n + 1, procs) + 1
    out[n] = a.Message
    k = k + 1
  end
  if k ~= na then error(NOT_A_TABLE) end
  out[5] = k
  return out, n
end

-- One message, inside the budget: process.handle, then its result (or error) made flat.
local inMessage = false
local flattening = nil -- the result being flattened (for flattenCarefully when flatten stops)
local ourHandle = process.handle
local function runMessage(msg)
  -- looked up at every message, as live's loop does (a process may wrap its own handle)
  local handle, env = process.handle, envFor(processInfo)
  -- handed to our own handle only: no process code runs between here and its ao.init
  H.fresh_env = handle == ourHandle and env or nil
  local ok, res = pcall(handle, msg, env)
  if not ok then return { "error", G.text(res) }, 2 end
  flattening = res
  return flatten(res)
end

local bridge = {}

-- The last result bridge.handle gave Python, kept for bridge.last_result: its flat list and
-- length, or (false, status, output) for a result with nothing to list.
local lastOut, lastN, lastO = false, nil, nil

-- handle(Id, From, Owner, Target, Data, Timestamp, Block-Height, Nonce, Epoch, Anchor, Cron,
--        Read-Only, Forwarded-By, tagName1, tagValue1, ...): fields a message lacks are nil.
function bridge.handle(id, from, owner, target, data, timestamp, height, nonce, epoch, anchor, cron,
                       readOnly, forwardedBy, ...)
  if inMessage then
    error("harness: bridge.handle cannot run inside a message (re-entrant call refused)", 2)
  end
  local n = select("#", ...)
  local tags = {}
  if n > 0 then
    local a = { ... }
    local k = 0
    for i = 1, n, 2 do
      k = k + 1
      tags[k] = { name = a[i], value = a[i + 1] }
    end
  end
  local msg = {
    Id = id, From = from, Owner = owner, Target = target, Data = data, Timestamp = timestamp,
    ["Block-Height"] = height, Nonce = nonce, Epoch = epoch, Anchor = anchor, Cron = cron,
    ["Read-Only"] = readOnly, ["Forwarded-By"] = forwardedBy,
    Signature = (id and not readOnly) and ("sig-" .. id) or nil, -- dry-runs are unsigned
    Tags = tags,
  }
  H.matched_other = false
  inMessage = true
  G.begin()
  flattening = nil
  local ok, out, n, o = pcall(runMessage, msg)
  if not ok and flattening ~= nil then
    -- flatten stopped (an entry the MU cannot carry, or process code's metamethod): again, carefully
    ok, out, n, o = pcall(flattenCarefully, flattening)
  end
  flattening = nil
  local failure = G.finish()
  inMessage = false
  if not failure and not ok then
    failure = type(out) == "string" and out or ("harness: building the result failed (a "
      .. type(out) .. " was raised)")
  end
  if failure then
    lastOut, lastN = { "error", failure }, 2
    return "error", failure
  end
  lastOut, lastN, lastO = out, n, o
  if out == false then return n, o, 0, 0, 0 end
  return unpack(out, 1, n)
end
G.safe(bridge.handle)

-- The process's identity and tags, as every message's env shows them.
function bridge.set_process(id, owner, module, tags)
  processInfo = { id = id, owner = owner, module = module, tagNames = {}, tagValues = {}, tagCount = #tags }
  for i = 1, #tags do processInfo.tagNames[i], processInfo.tagValues[i] = tags[i][1], tags[i][2] end
end

-- The last result again, for Python when one of its strings is not UTF-8 (which Python cannot
-- take as text): the same flat list, each string with a byte over 127 given as hex, and the
-- list of their positions.  Python decodes those as live's host does (each invalid sequence
-- becomes U+FFFD: AO results travel as JSON text).
function bridge.last_result()
  local out, n = lastOut, lastN
  if out == false then out, n = { lastN, lastO, 0, 0, 0 }, 5 end
  local copy, hexed = {}, {}
  for i = 1, n do
    local v = out[i]
    local h = hex(v)
    if h then
      v = h
      hexed[#hexed + 1] = i
    end
    copy[i] = v
  end
  return copy, n, hexed
end

function bridge.in_message()
  return inMessage
end

-- Functions that a process's own frames may lead to (debug.getinfo on the main thread): opaque.
for _, v in ipairs({ envFor, flatten, flattenCarefully, runMessage }) do G.protect(v) end

return bridge
