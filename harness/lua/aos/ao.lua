-- .ao: the `ao` object: outbox, references, authorities, send/spawn/assign (docs/aos-semantics.md §5.1-5.3).
-- Its assignables come from .assignment (process.lua calls assignment.init(ao), as aos does).
local H = ...
local profile = H.profile

local ao = {
  _version = "0.0.6",
  id = "",
  _module = "",
  authorities = {},
  reference = 0,
  outbox = { Output = {}, Messages = {}, Spawns = {}, Assignments = {} },
  nonExtractableTags = {
    "Data-Protocol", "Variant", "From-Process", "From-Module", "Type",
    "From", "Owner", "Anchor", "Target", "Data", "Tags", "Read-Only",
  },
  nonForwardableTags = {
    "Data-Protocol", "Variant", "From-Process", "From-Module", "Type", "From", "Owner",
    "Anchor", "Target", "Tags", "TagArray", "Hash-Chain", "Timestamp", "Nonce", "Epoch",
    "Signature", "Forwarded-By", "Pushed-For", "Read-Only", "Cron", "Block-Height",
    "Reference", "Id", "Reply-To",
  },
}

local function set(list)
  local s = {}
  for _, v in ipairs(list) do s[v] = true end
  return s
end

local function includes(list, value)
  for _, v in ipairs(list) do
    if v == value then return true end
  end
  return false
end

function ao.clone(obj, seen)
  if type(obj) ~= "table" then return obj end
  seen = seen or {}
  if seen[obj] then return seen[obj] end
  local out = {}
  seen[obj] = out
  for k, v in pairs(obj) do out[ao.clone(k, seen)] = ao.clone(v, seen) end
  return setmetatable(out, getmetatable(obj))
end

function ao.clearOutbox()
  ao.outbox = { Output = {}, Messages = {}, Spawns = {}, Assignments = {} }
end

local function tagValue(tags, name)
  if type(tags) ~= "table" then return nil end
  for _, t in ipairs(tags) do
    if t.name == name then return t.value end
  end
  return nil
end

-- Authorities are re-read from the Process tags on every message (so a process cannot drop
-- them by assigning or editing ao.authorities).  The re-read is skipped when it could add
-- nothing: the tags are a fresh copy of the spawn's (the bridge built them for this message
-- and no process code ran since: `fromSpawn`, see H.init_fresh), the last re-read was of such
-- a copy too, and the list is the same table with the same contents since.
local lastFromSpawn, authorityList, authorityCopy

local function authoritiesUnchanged(fromSpawn)
  local list = ao.authorities
  if not (fromSpawn and lastFromSpawn) or list ~= authorityList or #list ~= #authorityCopy then
    return false
  end
  for i = 1, #authorityCopy do
    if list[i] ~= authorityCopy[i] then return false end
  end
  return true
end

local function init(env, fromSpawn)
  if ao.id == "" then ao.id = env.Process.Id end
  if ao._module == "" then
    ao._module = tagValue(env.Process.Tags, "Module") or ""
  end
  local tags = env.Process.Tags
  if authoritiesUnchanged(fromSpawn) then
    ao.outbox = { Output = {}, Messages = {}, Spawns = {}, Assignments = {} }
    ao.env = env
    return
  end
  for _, t in ipairs(tags) do
    if t.name == "Authority" and type(t.value) == "string" then
      for part in string.gmatch(t.value, "[^,]+") do
        local a = string.match(part, "^%s*(.-)%s*$")
        if a ~= "" and not includes(ao.authorities, a) then
          table.insert(ao.authorities, a)
        end
      end
    end
  end
  authorityCopy = {}
  for i, a in ipairs(ao.authorities) do authorityCopy[i] = a end
  lastFromSpawn, authorityList = fromSpawn, ao.authorities
  ao.outbox = { Output = {}, Messages = {}, Spawns = {}, Assignments = {} }
  ao.env = env
end

function ao.init(env)
  return init(env, false)
end

-- process.handle's own call when it and ao.init are the originals and *env* is the one the
-- bridge built for this message (private: H is never reachable from process code).
local ourInit = ao.init
function H.init_fresh(env)
  if ao.init ~= ourInit then return ao.init(env) end
  return init(env, true)
end

-- Copy every extractable tag to a root field (the LAST duplicate wins, gotcha 9/10).
local nonExtractable = set(ao.nonExtractableTags)
function ao.normalize(msg)
  for _, tag in ipairs(msg.Tags) do
    if not nonExtractable[tag.name] then
      msg[tag.name] = tag.value
    end
  end
  return msg
end

function ao.sanitize(msg)
  local out = {}
  for k, v in pairs(msg) do
    if type(v) ~= "function" then out[k] = v end
  end
  return out
end

function ao.log(txt)
  if type(ao.outbox.Output) == "string" then ao.outbox.Output = { ao.outbox.Output } end
  table.insert(ao.outbox.Output, txt)
end

local function padReference(n)
  return string.format("%032d", n)
end

local sendSkip = { Target = true, Data = true, Anchor = true, Tags = true, From = true }

-- The keys of t not in skip, in `pairs` order, as aos adds tags.  The harness's `pairs` makes that
-- order reproducible: sorted by default, shuffled from a seed with --ao-pairs=shuffled.
local function sortedKeys(t, skip)
  local keys, n = {}, 0
  for k in pairs(t) do
    if not skip[k] then
      n = n + 1
      keys[n] = k
    end
  end
  return keys, n
end

local function appendTags(into, msg, skip)
  local keys, n = sortedKeys(msg, skip)
  local m = #into
  for i = 1, n do
    local k = keys[i]
    local v = msg[k]
    if type(v) ~= "function" then
      m = m + 1
      into[m] = { name = k, value = v }
    end
  end
  local extra = msg.Tags
  if type(extra) == "table" then
    if extra[1] ~= nil or next(extra) == nil then
      for _, t in ipairs(extra) do
        m = m + 1
        into[m] = t
      end
    else
      local ekeys, en = sortedKeys(extra, {})
      for i = 1, en do
        m = m + 1
        into[m] = { name = ekeys[i], value = extra[ekeys[i]] }
      end
    end
  end
end

-- The outbox keeps the message itself; the caller gets a shallow copy of it (same Tags array)
-- with onReply/receive added, like aos: `pairs`, `next` and json.encode see every field.
local function withContinuations(message, onReply, receive)
  local out = {}
  for k, v in next, message do out[k] = v end
  out.onReply = onReply
  out.receive = receive
  return out
end

function ao.send(msg)
  assert(type(msg) == "table", "msg should be a table")
  ao.reference = ao.reference + 1
  local ref = tostring(ao.reference)
  local message = {
    Target = msg.Target,
    Data = msg.Data,
    Anchor = padReference(ao.reference),
    Tags = {
      { name = "Data-Protocol", value = "ao" },
      { name = "Variant", value = "ao.TN.1" },
      { name = "Type", value = "Message" },
      { name = "Reference", value = ref },
    },
  }
  appendTags(message.Tags, msg, sendSkip)
  local outbox = ao.outbox.Messages
  outbox[#outbox + 1] = message
  return withContinuations(message, function(...)
    local from, resolver
    if select("#", ...) == 2 then
      from, resolver = ...
    else
      from, resolver = msg.Target, ...
    end
    Handlers.once({ From = from, ["X-Reference"] = ref }, resolver)
  end, function(...)
    local from = msg.Target
    if select("#", ...) >= 1 and (...) ~= nil then from = ... end
    return Handlers.receive({ From = from, ["X-Reference"] = ref })
  end)
end

local spawnSkip = { Target = true, Data = true, Anchor = true, Tags = true, From = true }

function ao.spawn(module, msg)
  assert(type(module) == "string", "Module source id is required!")
  assert(type(msg) == "table", "Message must be a table")
  ao.reference = ao.reference + 1
  local ref = tostring(ao.reference)
  local spawn = {
    Data = msg.Data or "NODATA",
    Anchor = padReference(ao.reference),
    Tags = {
      { name = "Data-Protocol", value = "ao" },
      { name = "Variant", value = "ao.TN.1" },
      { name = "Type", value = "Process" },
      { name = "From-Process", value = ao.id },
      { name = "From-Module", value = ao._module },
      { name = "Module", value = module },
      { name = "Reference", value = ref },
    },
  }
  appendTags(spawn.Tags, msg, spawnSkip)
  table.insert(ao.outbox.Spawns, spawn)
  return withContinuations(spawn, function(resolver)
    Handlers.once({ Action = "Spawned", From = ao.id, Reference = ref }, resolver)
  end, function()
    return Handlers.receive({ Action = "Spawned", From = ao.id, Reference = ref })
  end)
end

function ao.assign(assignment)
  assert(type(assignment) == "table", "assignment should be a table")
  assert(type(assignment.Processes) == "table", "Processes should be a table")
  assert(type(assignment.Message) == "string", "Message should be a string")
  table.insert(ao.outbox.Assignments, assignment)
end

function ao.isTrusted(msg)
  for _, a in ipairs(ao.authorities) do
    if msg.From == a or msg.Owner == a then return true end
  end
  return false
end

function ao.result(result)
  if ao.outbox.Error or result.Error then
    return { Error = result.Error or ao.outbox.Error }
  end
  return {
    Output = result.Output or ao.outbox.Output,
    Messages = ao.outbox.Messages,
    Spawns = ao.outbox.Spawns,
    Assignments = ao.outbox.Assignments,
  }
end

function ao.registerHint() end

if profile.legacy then ao._version = "0.0.5" end

return ao
