-- What the bridge shows Python between messages (not part of aos): the canonical text of
-- globals (sorted keys, exact numbers) for "nothing changed" checks, and the handler names.
-- Run by bridge/main.lua with (G, sortKeys, hex); returns bridge.snapshot, bridge.handler_names,
-- bridge.entries and bridge.raw_global, and the cache of global names with its function (see isTitled).
local G, sortKeys, hex = ...

local next, ipairs, type, tostring, rawget, select = next, ipairs, type, tostring, rawget, select
local format, byte = string.format, string.byte
local concat, sort = table.concat, table.sort

-- globals aos itself keeps: not part of a process's state as a snapshot shows it
local RUNTIME_GLOBALS = {
  Inbox = true, Handlers = true, Colors = true, Utils = true, HANDLER_PRINT_LOGS = true, Bell = true,
  Dump = true, Errors = true, Seeded = true, Nonce = true,
}

-- Append the canonical text of v to out after position n; the new end.  A table's entries take
-- as few pieces and calls as their types allow (one `format` for a string key with a string
-- value: "%q" writes a string as it would alone); every call that may run process code (a key's
-- or a value's __tostring) runs in the order of the plain recursion: key, lookup, value.
local function canon(v, out, n, seen)
  local t = type(v)
  if t == "string" then
    n = n + 1
    out[n] = format("%q", v)
  elseif t == "table" then
    if seen[v] then
      n = n + 1
      out[n] = "<cycle>"
      return n
    end
    if next(v) == nil then
      n = n + 1
      out[n] = "{}"
      return n
    end
    seen[v] = true
    local keys, k = {}, 0
    for key in next, v do
      k = k + 1
      keys[k] = key
    end
    if k > 1 then sortKeys(keys) end
    n = n + 1
    out[n] = "{"
    for i = 1, k do
      local key = keys[i]
      local tk = type(key)
      if tk == "string" then
        local x = v[key]
        local tx = type(x)
        if tx == "string" then
          n = n + 1
          out[n] = format("%q=%q,", key, x)
        elseif tx == "number" or tx == "boolean" then
          out[n + 1], out[n + 2], out[n + 3] = format("%q=", key), tostring(x), ","
          n = n + 3
        else
          n = n + 1
          out[n] = format("%q=", key)
          n = canon(x, out, n, seen) + 1
          out[n] = ","
        end
      else
        if tk == "number" or tk == "boolean" then
          out[n + 1], out[n + 2] = tostring(key), "="
          n = n + 2
        else
          n = canon(key, out, n, seen) + 1
          out[n] = "="
        end
        local x = v[key]
        local tx = type(x)
        if tx == "string" then
          n = n + 1
          out[n] = format("%q,", x)
        elseif tx == "number" or tx == "boolean" then
          out[n + 1], out[n + 2] = tostring(x), ","
          n = n + 2
        else
          n = canon(x, out, n, seen) + 1
          out[n] = ","
        end
      end
    end
    n = n + 1
    out[n] = "}"
    seen[v] = nil
  elseif t == "number" or t == "boolean" or t == "nil" then
    n = n + 1
    out[n] = tostring(v)
  else
    n = n + 1
    out[n] = "<" .. t .. ">"
  end
  return n
end

local bridge = {}

-- Whether a global is part of the snapshot by its name (a Title-Case string, not one of aos's
-- own): a pure function of the name, remembered for string names (at most MEMO of them, then
-- forgotten), so the scan of _G makes no call for a name it has seen.  Both returned to
-- main.lua, which keeps the dry-run recorder out of them (a cache and its count: nothing to put
-- back, and a count put back without its cache would no longer bound it).
local MEMO = 512
local titled, memoized = {}, 0
local function isTitled(k)
  if type(k) ~= "string" then return false end
  local b = byte(k, 1) -- an upper-case letter (%u in the C locale)
  local yes = b ~= nil and b >= 65 and b <= 90 and not RUNTIME_GLOBALS[k]
  if memoized >= MEMO then
    for name in next, titled do titled[name] = nil end
    memoized = 0
  end
  titled[k] = yes
  memoized = memoized + 1
  return yes
end

-- "Name = <canonical value>\n" for each of the names given, or (none given) for every
-- Title-Case global that is data (not a function, not one of aos's own).
function bridge.snapshot(...)
  local list, count = { ... }, select("#", ...)
  if count == 0 then
    for k, v in next, _G do
      local yes = titled[k]
      if yes == nil then yes = isTitled(k) end
      if yes and type(v) ~= "function" then
        count = count + 1
        list[count] = k
      end
    end
    sort(list)
  end
  local out, n, seen = {}, 0, {}
  for i = 1, count do
    local name = list[i]
    n = n + 1
    out[n] = name .. " = "
    n = canon(rawget(_G, name), out, n, seen)
    n = n + 1
    out[n] = "\n"
  end
  return concat(out, "", 1, n)
end

function bridge.handler_names()
  local names = {}
  for i, h in ipairs(Handlers.list) do names[i] = h.name end
  return names
end

-- For Python when a value it reads holds a string that is not UTF-8 (Python cannot take it as
-- text): a table's entries read raw, keys and values in two lists, each string with a byte over
-- 127 given as hex and its position marked (hk, hv); a global read raw, and whether it is hex.
function bridge.entries(t)
  local ks, vs, hk, hv, n = {}, {}, {}, {}, 0
  for key, value in next, t do
    n = n + 1
    local k, v = hex(key), hex(value)
    if k then hk[n] = true else k = key end
    if v then hv[n] = true else v = value end
    ks[n], vs[n] = k, v
  end
  return ks, vs, hk, hv, n
end

function bridge.raw_global(name)
  local v = rawget(_G, name)
  local h = hex(v)
  if h then return h, true end
  return v, false
end

for _, v in ipairs({ canon, RUNTIME_GLOBALS, sortKeys, isTitled, titled }) do G.protect(v) end

return bridge, titled, isTitled
