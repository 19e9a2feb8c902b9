-- The harness's private bridge into one process's Lua state (not part of aos).
-- Python runs this chunk once per Lua state with (modules, config); it registers our aos layer in
-- package.preload, loads `.process`, and returns the functions Python calls.  Nothing here is a
-- global, so process code cannot see it.
local modules, config = ...

local is51 = _VERSION == "Lua 5.1"
local isJit = rawget(_G, "jit") ~= nil
local loadstring = rawget(_G, "loadstring")
local setfenv = rawget(_G, "setfenv")
local unpack = table.unpack or rawget(_G, "unpack")
local nativeLoad = load

local H = {
  profile = {},
  inbox_cap = config.inbox_cap or 10000,
  budget = config.budget,
  preloaded = {},
  matches = {},
  counting = true,
  lua_version = _VERSION,
  is_jit = isJit,
  -- bridge.handle builds every root key of a message in Title-Case itself
  canonical_root = true,
}
for k, v in pairs(config.profile) do H.profile[k] = v end

-- load(text_or_bytecode, chunkname, mode, env) on every Lua version, with the original loaders
-- (process code gets the sandbox's text-only `load`).  Mode "t" refuses bytecode on 5.1 too.
local BINARY_REFUSED
local function loadChunk(code, chunkname, mode, env)
  if mode == "t" and string.byte(code, 1) == 27 then return nil, BINARY_REFUSED end
  if is51 and not isJit then
    local fn, err = loadstring(code, chunkname)
    if fn and env then setfenv(fn, env) end
    return fn, err
  end
  if env == nil then return nativeLoad(code, chunkname, mode) end
  return nativeLoad(code, chunkname, mode, env)
end
H.load = loadChunk

-- The sealed environment (env/sandbox.lua with env/compat.lua): live's global surface, nothing of
-- the host.  It runs before anything else and returns the originals the harness still needs.
local raw
do
  local function envChunk(name)
    local entry = modules[name]
    modules[name] = nil
    local fn, err = loadChunk(entry[1], entry[2], "b")
    if not fn then error("harness: cannot load " .. name .. ": " .. tostring(err)) end
    return fn
  end
  local compat = envChunk(".env.compat")()
  raw = envChunk(".env.sandbox")(H, config, compat)
  BINARY_REFUSED = raw.BINARY_REFUSED
end

function H.can_yield()
  -- Plain Lua 5.1 cannot yield across pcall (LuaJIT and 5.2+ can).
  return not (is51 and not isJit)
end

function H.receive_unsupported()
  return "Receive (and .receive() on a sent message) needs a Lua that can yield across pcall: "
    .. "AO runs Lua 5.3; this process runs " .. _VERSION .. ". Use --lua=5.3."
end

-- Dry-runs (harness/lua/env/dryrun.lua): record what process code could change, put it back
-- after the dry-run.  Loaded before the guards wrap the debug library; private like them.
local DR
do
  local entry = modules["env.dryrun"]
  modules["env.dryrun"] = nil
  local fn, err = loadChunk(entry[1], entry[2], "b")
  if not fn then error("harness: cannot load the dry-run module: " .. tostring(err)) end
  DR = fn()
end

-- Guards (harness/lua/env/guard.lua): the per-message instruction budget, wall-clock deadline
-- and memory check, one master hook in every coroutine, and the debug-library wrappers that keep
-- process code away from them.  The guard chunk is private: it is not left in package.preload.
local G
do
  local entry = modules["env.guard"]
  modules["env.guard"] = nil
  local fn, err = loadChunk(entry[1], entry[2], "b")
  if not fn then error("harness: cannot load the guard module: " .. tostring(err)) end
  G = fn(H, config)
end
H.arm = G.attach
-- The sandbox's originals (host io, the native loader, ...), the bridge's loaders and its private
-- tables stay out of process code's reach through the debug library.
for _, t in ipairs({ raw, raw.file }) do
  G.protect(t)
  for _, v in pairs(t) do G.protect(v) end
end
for _, v in ipairs({ H, loadChunk, nativeLoad, modules, config }) do G.protect(v) end
G.protect(DR)
for _, v in pairs(DR) do G.protect(v) end
DR.skip(H.matches) -- a dry-run's handler matches are counted, as they always were

if config.coverage then
  -- Line coverage (pytest --ao-cov): the master hook records line events (mask "l") while
  -- H.counting is on.  Hit lines are kept as sets {source -> {line -> true}}: a state rebuilt by
  -- replaying its log cannot double count, and during a replay (H.counting false) only the
  -- budget is counted.
  local getinfo, sub = debug.getinfo, string.sub
  local withRuntime = config.coverage == "runtime"
  local runtimeNames = { ["=harness"] = true }
  for _, entry in pairs(modules) do runtimeNames[entry[2]] = true end
  local weakKeys = { __mode = "k" }
  local covFiles, covFuncs = {}, setmetatable({}, weakKeys)

  local function linesOf(f)
    local src = getinfo(f, "S").source
    local t = false
    if sub(src, 1, 1) == "@" or (withRuntime and runtimeNames[src]) then
      t = covFiles[src]
      if not t then
        t = {}
        covFiles[src] = t
      end
    end
    covFuncs[f] = t
    return t
  end

  local dirty = false
  G.set_line_recorder(function(f, line)
    dirty = true
    local t = covFuncs[f]
    if t == nil then t = linesOf(f) end
    if t then t[line] = true end
  end)

  -- Read and reset the hit lines, with the handler match totals: one text, a record a line,
  -- "F\t<source>\t<line> <line> ..." and "H\t<handler name>\t<matches so far>"; "" when no
  -- message ran since the last call.
  function H.cov_take()
    if not dirty then return "" end
    dirty = false
    local parts, n = {}, 0
    for src, t in next, covFiles do
      local ls, k = {}, 0
      for l in next, t do
        k = k + 1
        ls[k] = l
      end
      n = n + 1
      parts[n] = "F\t" .. src .. "\t" .. table.concat(ls, " ")
    end
    covFiles, covFuncs = {}, setmetatable({}, weakKeys)
    local listed = {}
    local handlers = rawget(_G, "Handlers")
    local list = type(handlers) == "table" and rawget(handlers, "list")
    if type(list) == "table" then
      for _, h in ipairs(list) do
        local name = type(h) == "table" and h.name
        if type(name) == "string" and not listed[name] then
          listed[name] = true
          n = n + 1
          parts[n] = "H\t" .. name .. "\t" .. tostring(H.matches[name] or 0)
        end
      end
    end
    for name, count in next, H.matches do
      if not listed[name] then
        n = n + 1
        parts[n] = "H\t" .. tostring(name) .. "\t" .. tostring(count)
      end
    end
    return table.concat(parts, "\n")
  end

  -- our own runtime's module bodies run at boot, before any message arms a hook
  if withRuntime then H.arm(nil) end
end

function H.count_match(name)
  if H.counting then H.matches[name] = (H.matches[name] or 0) + 1 end
end

-- Eval compile: expression first, then chunk (aos eval.lua); a file the harness loads arrives
-- precompiled with its own chunk name.
function H.compile_eval(code)
  local pre = H.preloaded[code]
  if pre then
    return loadChunk(pre[1], pre[2], "b", _G)
  end
  local fn, err = loadChunk("return " .. code, "aos", "t", _G)
  if not fn then fn, err = loadChunk(code, "aos", "t", _G) end
  return fn, err
end

-- Our aos modules, each given H as its first chunk argument.
for name, entry in pairs(modules) do
  local code, chunkname = entry[1], entry[2]
  package.preload[name] = function(...)
    local fn, err = loadChunk(code, chunkname, "bt")
    if not fn then error("harness: cannot load runtime module " .. name .. ": " .. tostring(err)) end
    return fn(H, ...)
  end
end
package.preload["ao"] = function() return require(".ao") end
-- aos bundles these too; the harness does not (yet): say so instead of "module not found".
for _, missing in ipairs({ ".crypto", ".crypto.init", ".pretty", ".dump", ".apm" }) do
  package.preload[missing] = function()
    error("the ao-harness runtime does not provide aos's " .. missing .. " module; "
      .. "tests that need it cannot run locally (see README, Limits)", 2)
  end
end

-- Project modules beside the process file (and under ao/): `require("lib.amount")`.  The harness's
-- own feature: it reads the search dirs with the io.open captured before the sandbox sealed io,
-- and refuses names that could leave them.
local searchDirs = config.search_dirs or {}
local hostOpen, hostRead, hostClose = raw.io_open, raw.file.read, raw.file.close
local function projectSearcher(name)
  if type(name) ~= "string" or string.find(name, "..", 1, true) or string.find(name, "[%z/\\:]")
    or string.sub(name, 1, 1) == "." or name == "" then
    return "\n\tno project module named '" .. tostring(name) .. "' (names are dotted paths under the "
      .. "process's directories)"
  end
  local rel = string.gsub(name, "%.", "/")
  local tried = {}
  for _, dir in ipairs(searchDirs) do
    for _, pattern in ipairs({ "%s/%s.lua", "%s/%s/init.lua" }) do
      local path = string.format(pattern, dir[1], rel)
      local f = hostOpen(path, "rb")
      if f then
        local text = hostRead(f, "*a")
        hostClose(f)
        local shown = string.format(pattern, dir[2], rel)
        local fn, err = loadChunk(text, "@" .. shown, "t")
        if not fn then error("error loading module '" .. name .. "' from " .. shown .. ":\n\t" .. err, 0) end
        return fn, shown
      end
      tried[#tried + 1] = "\n\tno file '" .. string.format(pattern, dir[2], rel) .. "'"
    end
  end
  return table.concat(tried)
end
table.insert(package.searchers, 2, projectSearcher)

-- Deterministic `pairs` (harness/lua/env/pairs.lua): sorted keys, or a seeded shuffle of them
-- (config.pairs_seed, from --ao-pairs=shuffled:<seed>).  The module stays private: it is taken
-- out of package.preload once loaded.
local sortKeys -- sorts an array of keys in `pairs`'s sorted order (canon uses it)
do
  local name = "harness.pairs"
  local P = require(name)
  package.loaded[name], package.preload[name] = nil, nil
  sortKeys = P.sortKeys
  _G.pairs = P.make(config.pairs_seed)
  DR.skip(P.cache)
end

if raw.jit_off then
  -- LuaJIT does not call hooks inside JIT-compiled code (the guards need them); AO is
  -- interpreted anyway.
  raw.jit_off()
end

local process = require(".process")

local bridge = {}

-- A fresh env per message (process.handle rewrites env.Process.Tags), sharing the tag entries.
local function envFor(proc)
  return {
    Process = { Id = proc.id, Owner = proc.owner, Tags = proc.tagArray },
    Module = { Id = proc.module, Owner = proc.owner, Tags = {} },
  }
end

local processInfo

-- Flatten a result for Python: {"ok", output, nMsgs, nSpawns, nAssigns, ...items} or
-- {"error", text}, and its length.  Runs under the message's budget (user values may carry
-- metamethods).
local function flatten(res)
  if type(res) ~= "table" then
    return { "error", "process.handle returned " .. type(res) }, 2
  end
  if res.Error then
    return { "error", G.text(res.Error) }, 2
  end
  local out = { "ok" }
  local n = 1
  local function push(v)
    n = n + 1
    out[n] = v
  end
  local o = res.Output
  if type(o) == "table" then
    push(o.data)
  else
    push(o)
  end
  local msgs, spawns, assigns = res.Messages or {}, res.Spawns or {}, res.Assignments or {}
  push(#msgs)
  push(#spawns)
  push(#assigns)
  for _, m in ipairs(msgs) do
    push(m.Target)
    push(m.Data)
    push(m.Anchor)
    local tags = m.Tags or {}
    push(#tags)
    for _, t in ipairs(tags) do
      push(t.name)
      push(t.value)
    end
  end
  for _, s in ipairs(spawns) do
    push(s.Data)
    push(s.Anchor)
    local tags = s.Tags or {}
    push(#tags)
    for _, t in ipairs(tags) do
      push(t.name)
      push(t.value)
    end
  end
  for _, a in ipairs(assigns) do
    local procs = a.Processes or {}
    push(#procs)
    for _, p in ipairs(procs) do push(p) end
    push(a.Message)
  end
  return out, n
end

-- One message, inside the budget: process.handle, then its result (or error) made flat.
local inMessage = false
local function runMessage(msg)
  local ok, res = pcall(process.handle, msg, envFor(processInfo))
  if not ok then return { "error", G.text(res) }, 2 end
  return flatten(res)
end

-- handle(Id, From, Owner, Target, Data, Timestamp, Block-Height, Nonce, Epoch, Anchor, Cron,
--        Read-Only, Forwarded-By, tagName1, tagValue1, ...): fields a message lacks are nil.
function bridge.handle(id, from, owner, target, data, timestamp, height, nonce, epoch, anchor, cron,
                       readOnly, forwardedBy, ...)
  if inMessage then
    error("harness: bridge.handle cannot run inside a message (re-entrant call refused)", 2)
  end
  local msg = {
    Id = id, From = from, Owner = owner, Target = target, Data = data, Timestamp = timestamp,
    ["Block-Height"] = height, Nonce = nonce, Epoch = epoch, Anchor = anchor, Cron = cron,
    ["Read-Only"] = readOnly, ["Forwarded-By"] = forwardedBy,
    Signature = (id and not readOnly) and ("sig-" .. id) or nil, -- dry-runs are unsigned
  }
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
  msg.Tags = tags
  inMessage = true
  G.begin()
  local ok, out, n = pcall(runMessage, msg)
  local failure = G.finish()
  inMessage = false
  if failure then return "error", failure end
  if not ok then
    return "error", type(out) == "string" and out or ("harness: building the result failed (a "
      .. type(out) .. " was raised)")
  end
  return unpack(out, 1, n)
end
G.safe(bridge.handle)

function bridge.set_process(id, owner, module, tags)
  processInfo = { id = id, owner = owner, module = module, tagArray = {} }
  for i = 1, #tags do processInfo.tagArray[i] = { name = tags[i][1], value = tags[i][2] } end
end

function bridge.preload(source, bytecode, chunkname)
  H.preloaded[source] = { bytecode, chunkname }
end

-- Canonical text of globals (sorted keys, exact numbers), for "nothing changed" checks.
local RUNTIME_GLOBALS = {
  Inbox = true, Handlers = true, Colors = true, Utils = true, HANDLER_PRINT_LOGS = true, Bell = true,
  Dump = true, Errors = true, Seeded = true, Nonce = true,
}
local function canon(v, out, seen)
  local t = type(v)
  if t == "table" then
    if seen[v] then
      out[#out + 1] = "<cycle>"
      return
    end
    seen[v] = true
    local keys = {}
    for k in next, v do keys[#keys + 1] = k end
    sortKeys(keys)
    out[#out + 1] = "{"
    for _, k in ipairs(keys) do
      canon(k, out, seen)
      out[#out + 1] = "="
      canon(v[k], out, seen)
      out[#out + 1] = ","
    end
    out[#out + 1] = "}"
    seen[v] = nil
  elseif t == "string" then
    out[#out + 1] = string.format("%q", v)
  elseif t == "number" or t == "boolean" or t == "nil" then
    out[#out + 1] = tostring(v)
  else
    out[#out + 1] = "<" .. t .. ">"
  end
end

function bridge.snapshot(names)
  local list = {}
  if names and #names > 0 then
    for i = 1, #names do list[i] = names[i] end
  else
    for k, v in next, _G do
      if type(k) == "string" and string.match(k, "^%u") and not RUNTIME_GLOBALS[k] and type(v) ~= "function" then
        list[#list + 1] = k
      end
    end
    table.sort(list)
  end
  local out = {}
  for _, name in ipairs(list) do
    out[#out + 1] = name .. " = "
    canon(rawget(_G, name), out, {})
    out[#out + 1] = "\n"
  end
  return table.concat(out)
end

-- Before a dry-run: record the state (false when it cannot be put back; see env/dryrun.lua).
function bridge.dry_save()
  return DR.save()
end

-- After a dry-run: put the recorded state back.
function bridge.dry_restore()
  return DR.restore()
end

function bridge.set_counting(on)
  H.counting = on
end

function bridge.matches()
  return H.matches
end

-- Lines hit since the last call (coverage only), see H.cov_take.
function bridge.coverage()
  return H.cov_take and H.cov_take() or ""
end

function bridge.handler_names()
  local names = {}
  for i, h in ipairs(Handlers.list) do names[i] = h.name end
  return names
end

-- Process code may find these functions (debug.getregistry reaches what Python holds): none of
-- them runs during a message, and the debug library hides their upvalues.
for name, fn in pairs(bridge) do
  if name ~= "handle" then
    bridge[name] = function(...)
      if inMessage then
        error("harness: bridge." .. name .. " cannot run inside a message", 2)
      end
      return fn(...)
    end
  end
end
G.protect(bridge)
G.protect(H)
for _, v in pairs(bridge) do G.protect(v) end
for _, v in pairs(H) do
  if type(v) == "function" or type(v) == "table" then G.protect(v) end
end
G.protect(process.handle)

return bridge
