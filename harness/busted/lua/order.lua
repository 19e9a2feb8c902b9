-- A `pairs` whose order does not depend on the string-hash seed, for the spec runtime.
-- Lua seeds string hashes from the clock and from addresses, so plain `pairs` visits string keys
-- in a different order in every Lua state: a spec that generates `describe`s in a `pairs` loop
-- would name (and run) its duplicates differently at collection and at run time, and from one
-- pytest run to the next.  Here `pairs` visits keys sorted: numbers (by value), then strings
-- (bytewise), then booleans (false first), then other keys in the order this state first saw them.
-- `__pairs` is honoured on the versions whose own `pairs` honours it (5.2+); `next` is untouched.
local honour_meta = ...
local rawnext, rawget_, sort, type_, getmetatable_ = next, rawget, table.sort, type, getmetatable
local rawpairs = pairs

local rank = { number = 1, string = 2, boolean = 3 }
local seen = setmetatable({}, { __mode = "k" })
local counter = 0
local function serial(v)
  local n = seen[v]
  if not n then
    counter = counter + 1
    n = counter
    seen[v] = n
  end
  return n
end

local function key_less(a, b)
  local ta, tb = type_(a), type_(b)
  if ta ~= tb then
    local ra, rb = rank[ta] or 4, rank[tb] or 4
    if ra ~= rb then return ra < rb end
    return ta < tb
  end
  if ta == "number" or ta == "string" then return a < b end
  if ta == "boolean" then return (not a) and b end
  return serial(a) < serial(b)
end

local function ordered_pairs(t)
  if honour_meta then
    local mt = getmetatable_(t)
    if type_(mt) == "table" and mt.__pairs then return mt.__pairs(t) end
  end
  if type_(t) ~= "table" then return rawpairs(t) end -- the usual error message
  local keys, n = {}, 0
  local kind, mixed = nil, false
  for k in rawnext, t do
    n = n + 1
    keys[n] = k
    local tk = type_(k)
    if kind ~= tk then
      if kind then mixed = true end
      kind = tk
    end
  end
  if n > 1 then
    if not mixed and (kind == "string" or kind == "number") then
      sort(keys) -- one comparable type: the builtin order, much faster
    else
      sort(keys, key_less)
    end
  end
  local i = 0
  return function(tbl)
    while true do
      i = i + 1
      local k = keys[i]
      if k == nil then return nil end
      local v = rawget_(tbl, k)
      if v ~= nil then return k, v end
    end
  end, t, nil
end

return ordered_pairs
