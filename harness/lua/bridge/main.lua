-- The harness's private bridge into one process's Lua state (not part of aos): the entry chunk.
-- Python (harness/lua_state.py) runs it once per Lua state with (modules, config, fetch) and keeps
-- what it returns, the functions Python calls.  *modules* maps each runtime module's name to its
-- chunk name, fetch(name) gives its bytecode when it is first loaded (a state keeps no code it has
-- not loaded; .crypto's 53 modules are ~190 KiB).  Nothing of the bridge is a global or a loaded
-- module, so process code cannot see it.  One job a file (harness/lua/bridge/):
--   main.lua       this entry: the private table H, the loader, the sealed environment and the
--                  guards, the order of the other parts, and the sealing of everything private
--   hooks.lua      the guards' hooks: instruction budget, coverage lines, handler match counts
--   modules.lua    module loading: our aos layer as live's bundle searcher (with the
--                  project's modules), Eval's compile
--   iteration.lua  deterministic iteration: env/pairs.lua installed as the global `pairs`
--   message.lua    one message in (bridge.handle), its result out as a flat list
--   snapshot.lua   what Python reads between messages: canonical text of globals, handler names
-- (and from env/: the sandbox, the guards, and the dry-run recorder, each private)
local modules, config, fetch = ...

local is51 = _VERSION == "Lua 5.1"
local isJit = rawget(_G, "jit") ~= nil
local loadstring = rawget(_G, "loadstring")
local setfenv = rawget(_G, "setfenv")
local nativeLoad = load
local rawnext = next
-- the host's originals the other parts need (the sandbox replaces or removes them)
local host = { unpack = table.unpack or rawget(_G, "unpack") }

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

-- A string Python cannot be sure to take as text (a byte over 127: it may not be UTF-8) as hex
-- digits, for the bridge functions that hand such strings over; nil for any other value.  (Its
-- table of 256 digit pairs is made when first needed: most states never need it.)
local HEX
local find, gsub, char, format = string.find, string.gsub, string.char, string.format
function H.hex(v)
  if type(v) ~= "string" or not find(v, "[\128-\255]") then return nil end
  if not HEX then
    HEX = {}
    for b = 0, 255 do HEX[char(b)] = format("%02x", b) end
  end
  return (gsub(v, ".", HEX))
end

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

-- A private chunk (the environment, the guards, the bridge's parts): taken out of `modules`
-- before package.preload sees it, so process code can never require it.
local function privateChunk(name)
  local chunkname = modules[name]
  modules[name] = nil
  local code = chunkname and fetch(name)
  if not code then error("harness: the runtime module " .. name .. " is missing") end
  local fn, err = loadChunk(code, chunkname, "b")
  if not fn then error("harness: cannot load " .. name .. ": " .. tostring(err)) end
  return fn, chunkname
end

-- The sealed environment (env/sandbox.lua with env/compat.lua): live's global surface, nothing of
-- the host.  It runs before anything else and returns the originals the harness still needs.
local compat = privateChunk(".env.compat")()
local raw = privateChunk(".env.sandbox")(H, config, compat)
BINARY_REFUSED = raw.BINARY_REFUSED

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
local DR = privateChunk("env.dryrun")()

-- Guards (harness/lua/env/guard.lua): the per-message instruction budget, wall-clock deadline
-- and memory check, one master hook in every coroutine, and the debug-library wrappers that keep
-- process code away from private values (G.protect).
local guardChunk, guardName = privateChunk("env.guard")
compat.internal(guardName) -- (the guards' wrappers are part of the functions they wrap)
local G = guardChunk(H, config, compat.raiser, compat.argText, raw.time)

-- The sandbox's originals (host io, the native loader, ...), the loaders and the private tables
-- stay out of process code's reach through the debug library.
for _, t in ipairs({ raw, raw.file }) do
  G.protect(t)
  for _, v in pairs(t) do G.protect(v) end
end
for _, v in ipairs({ H, host, loadChunk, nativeLoad, modules, config, fetch, privateChunk }) do G.protect(v) end
for _, v in pairs(host) do G.protect(v) end
G.protect(DR)
for _, v in pairs(DR) do G.protect(v) end
DR.skip(H.matches) -- a dry-run's handler matches are counted, as they always were

-- The other parts, in the order they run.  Their chunk names count as the harness's own code
-- for coverage of the runtime (pytest --ao-cov-runtime), like our aos modules.
local hooksPart, hooksName = privateChunk("bridge.hooks")
local modulesPart, modulesName = privateChunk("bridge.modules")
local iterationPart, iterationName = privateChunk("bridge.iteration")
local messagePart, messageName = privateChunk("bridge.message")
local snapshotPart, snapshotName = privateChunk("bridge.snapshot")
local runtimeNames = { ["=harness"] = true }
for _, name in ipairs({ hooksName, modulesName, iterationName, messageName, snapshotName }) do
  runtimeNames[name] = true
end
for _, chunkname in pairs(modules) do runtimeNames[chunkname] = true end

local pairsModule = privateChunk("harness.pairs")(H)
local hooks = hooksPart(H, G, config, raw, runtimeNames)
local loading = modulesPart(H, G, config, raw, modules, fetch)
local sortKeys, pairsCache = iterationPart(G, config, pairsModule)
DR.skip(pairsCache) -- the order cache of `pairs` is the harness's, never put back

local process = require(".process")

local message = messagePart(H, G, host, process)
local snapshot, snapshotNames, snapshotTitled = snapshotPart(G, sortKeys, H.hex)
-- the snapshot's cache of global names and its count, never put back
DR.skip(snapshotNames)
DR.skip(snapshotTitled)

local bridge = {
  handle = message.handle,
  set_process = message.set_process,
  preload = loading.preload,
  snapshot = snapshot.snapshot,
  handler_names = snapshot.handler_names,
  entries = snapshot.entries,
  raw_global = snapshot.raw_global,
  last_result = message.last_result,
  set_counting = hooks.set_counting,
  matches = hooks.matches,
  coverage = hooks.coverage,
  -- before a dry-run: record the state (false when it cannot be put back; see env/dryrun.lua)
  dry_save = DR.save,
  -- after a dry-run: put the recorded state back
  dry_restore = DR.restore,
}

-- Reuse of a cloned state (LuaProcessState.release): take the reset record once, while the state
-- equals its source, and later put it back instead of booting and replaying a fresh state.  Only
-- on PUC Lua 5.2 and 5.3, where nothing process code can observe lives outside what the recorder
-- puts back (their math.random is the C library's, shared by every state; 5.4, 5.5 and LuaJIT
-- keep a generator in the state, 5.1 cannot tell whether the collector runs); never once process
-- code gave a __gc finalizer (one could run during the next use, or have run on an object the
-- reset brings back).
local resettable = (_VERSION == "Lua 5.2" or _VERSION == "Lua 5.3") and not isJit
local saved = false
function bridge.reset_save()
  if not resettable or G.finalizers_given() > 0 or not DR.save_reset() then return false end
  saved = true
  return true
end
function bridge.reset_restore()
  if not saved or G.finalizers_given() > 0 then return false end
  if not DR.restore_reset() then return false end
  local matches = H.matches -- counted anew in the next use (Python keeps the totals)
  for k in rawnext, matches do matches[k] = nil end
  return true
end
-- (their upvalue is not part of the state: never recorded, never put back)
DR.skip(bridge.reset_save)
DR.skip(bridge.reset_restore)

-- Process code may find these functions (debug.getregistry reaches what Python holds): none of
-- them runs during a message, and the debug library hides their upvalues.
local inMessage = message.in_message
for name, fn in pairs(bridge) do
  if name ~= "handle" then
    bridge[name] = function(...)
      if inMessage() then
        error("harness: bridge." .. name .. " cannot run inside a message", 2)
      end
      return fn(...)
    end
  end
end
G.protect(bridge)
for _, part in ipairs({ hooks, loading, message, snapshot }) do
  G.protect(part)
  for _, v in pairs(part) do G.protect(v) end
end
for _, v in pairs(bridge) do G.protect(v) end
DR.skip(bridge.reset_save)
DR.skip(bridge.reset_restore)
for _, v in pairs(H) do
  if type(v) == "function" or type(v) == "table" then G.protect(v) end
end
G.protect(process.handle)
-- (last: the library functions the harness writes in Lua, which string.dump refuses as live's C)
G.mark_stand_ins(_G)

return bridge
