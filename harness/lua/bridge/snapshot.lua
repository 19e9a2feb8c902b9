-- What the bridge shows Python between messages (not part of aos): the canonical text of
-- globals (sorted keys, exact numbers) for "nothing changed" checks, and the handler names.
-- Run by bridge/main.lua with (G, sortKeys); returns bridge.snapshot and bridge.handler_names.
local G, sortKeys = ...

local next, ipairs, type, tostring, rawget = next, ipairs, type, tostring, rawget
local format, match = string.format, string.match
local concat, sort = table.concat, table.sort

-- globals aos itself keeps: not part of a process's state as a snapshot shows it
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
    out[#out + 1] = format("%q", v)
  elseif t == "number" or t == "boolean" or t == "nil" then
    out[#out + 1] = tostring(v)
  else
    out[#out + 1] = "<" .. t .. ">"
  end
end

local bridge = {}

-- "Name = <canonical value>\n" for each of *names*, or for every Title-Case global that is data
-- (not a function, not one of aos's own).
function bridge.snapshot(names)
  local list = {}
  if names and #names > 0 then
    for i = 1, #names do list[i] = names[i] end
  else
    for k, v in next, _G do
      if type(k) == "string" and match(k, "^%u") and not RUNTIME_GLOBALS[k] and type(v) ~= "function" then
        list[#list + 1] = k
      end
    end
    sort(list)
  end
  local out = {}
  for _, name in ipairs(list) do
    out[#out + 1] = name .. " = "
    canon(rawget(_G, name), out, {})
    out[#out + 1] = "\n"
  end
  return concat(out)
end

function bridge.handler_names()
  local names = {}
  for i, h in ipairs(Handlers.list) do names[i] = h.name end
  return names
end

for _, v in ipairs({ canon, RUNTIME_GLOBALS, sortKeys }) do G.protect(v) end

return bridge
