-- The bridge's hooks (not part of aos): the guards' master hook in every coroutine (H.arm, for
-- the coroutines handlers.lua and process.lua create), coverage's line recording and the handler
-- match counts.  Run by bridge/main.lua with (H, G, config, raw, runtimeNames); returns the
-- bridge functions that read and reset the counts.
local H, G, config, raw, runtimeNames = ...

local next, ipairs, type, tostring, rawget = next, ipairs, type, tostring, rawget
local concat = table.concat

-- The guard's master hook (instruction budget, deadline, memory; coverage's line events) on a
-- coroutine, or on the main thread with nil.
H.arm = G.attach

if config.coverage then
  -- Line coverage (pytest --ao-cov): the master hook records line events (mask "l") while
  -- H.counting is on.  Hit lines are kept as sets {source -> {line -> true}}: a state rebuilt by
  -- replaying its log cannot double count, and during a replay (H.counting false) only the
  -- budget is counted.  Sources are file chunks ("@path"), and with config.coverage "runtime"
  -- the harness's own chunks too (runtimeNames).
  local getinfo, sub = debug.getinfo, string.sub
  local withRuntime = config.coverage == "runtime"
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
  local function recordLine(f, line)
    dirty = true
    local t = covFuncs[f]
    if t == nil then t = linesOf(f) end
    if t then t[line] = true end
  end
  G.set_line_recorder(recordLine)

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
      parts[n] = "F\t" .. src .. "\t" .. concat(ls, " ")
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
    return concat(parts, "\n")
  end

  for _, v in ipairs({ linesOf, recordLine, runtimeNames, weakKeys }) do G.protect(v) end
  -- our own runtime's module bodies run at boot, before any message arms a hook
  if withRuntime then H.arm(nil) end
end

-- handlers.lua counts every match (coverage's handler table, Process.handler_matches) and notes
-- whether a handler other than _default matched the current message (the "no handler matched"
-- hint of failure reports; bridge.handle clears the note)
function H.count_match(name)
  if name ~= "_default" then H.matched_other = true end
  if H.counting then H.matches[name] = (H.matches[name] or 0) + 1 end
end

if raw.jit_off then
  -- LuaJIT does not call hooks inside JIT-compiled code (the guards need them); AO is
  -- interpreted anyway.
  raw.jit_off()
end

local bridge = {}

-- Off while a rebuilt state replays its log: the replayed messages were counted when they ran.
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

return bridge
