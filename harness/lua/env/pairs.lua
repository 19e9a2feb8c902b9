-- The harness's `pairs` (not part of aos; bridge/iteration.lua installs it as the global `pairs`).
--
-- Lua seeds its string hashes from the clock and from addresses, so the order of a plain `pairs`
-- changes from run to run (live aos has one fixed, arbitrary order).  A process that sends messages
-- while iterating a table would then give a different trace each run, and hypothesis could not
-- replay a failure.  So `pairs` iterates in an order that depends only on the keys:
--   sorted    numbers ascending, then strings, then booleans, then other keys (the default);
--   shuffled  a pseudo-random permutation of that order, derived from a seed, the number of keys
--             and a few of the keys themselves, so the same seed and the same table give the same
--             order in every run (and in every replay), while code that silently depends on
--             iteration order meets a different order under another seed.
-- `next` is left alone.  Tables with a `__pairs` metamethod keep it.
--
-- Cost: the keys are collected with `next` and sorted by the C `table.sort` without a comparator
-- when they are all numbers or all strings (the Lua comparator runs only for mixed keys), so a full
-- loop costs about two dozen VM instructions per key (see benchmarks/bench_harness.py).
local H = ...

local rawpairs, rawnext, rawget_, sort, type_, tostring_ = pairs, next, rawget, table.sort, type, tostring
local getmetatable_, pcall_, error_, find, byte = getmetatable, pcall, error, string.find, string.byte
local setmetatable = setmetatable

local rank = { number = 1, string = 2, boolean = 3 }

-- The order of mixed keys: numbers, strings, booleans, then anything else by its text.
local function keyLess(a, b)
  local ta, tb = type_(a), type_(b)
  if ta ~= tb then return (rank[ta] or 4) < (rank[tb] or 4) end
  if ta == "number" or ta == "string" then return a < b end
  if ta == "boolean" then return (not a) and b end
  return tostring_(a) < tostring_(b)
end

local function sortKeys(keys)
  -- All numbers or all strings: the native comparison is keyLess's.  Mixed keys make the native
  -- sort raise ("attempt to compare number with string"); sort again with keyLess then.
  local exceeded = H.exceeded
  local ok, err = pcall_(sort, keys)
  if not ok then
    -- never swallow the instruction budget (its hook can fire in a key's __lt) or out-of-memory
    local memory = type_(err) == "string" and find(err, "not enough memory", 1, true)
    if memory or (H.exceeded and not exceeded) then
      error_(err, 0)
    end
    sort(keys, keyLess)
  end
end

local function finish() return nil end

-- The loop over `keys` (in order) of the plain table t; a key whose value was set to nil during
-- the loop is skipped.
local function walk(keys)
  local i = 0
  return function(t)
    i = i + 1
    local k = keys[i]
    if k == nil then return nil end
    local v = t[k]
    if v ~= nil then return k, v end
    repeat
      i = i + 1
      k = keys[i]
      if k == nil then return nil end
      v = t[k]
    until v ~= nil
    return k, v
  end
end

-- The same for a table with a metatable (values read raw, as `next` does).
local function rawWalk(keys)
  local i = 0
  return function(t)
    local k, v
    repeat
      i = i + 1
      k = keys[i]
      if k == nil then return nil end
      v = rawget_(t, k)
    until v ~= nil
    return k, v
  end
end

-- Park-Miller steps on doubles/integers alike (every product stays below 2^53), so a seed gives
-- the same permutation on every Lua.
local MOD = 2147483647

local function mix(h, k)
  local tk = type_(k)
  local text
  if tk == "string" then
    text = k
  elseif tk == "number" or tk == "boolean" then
    text = tostring_(k)
  else
    text = tk -- addresses change from run to run: use the type only
  end
  for c = 1, #text < 12 and #text or 12 do
    h = (h * 31 + byte(text, c)) % MOD
  end
  return h
end

local function shuffle(keys, n, seed)
  local h = (seed + n * 7919) % MOD
  h = mix(h, keys[1])
  h = mix(h, keys[n])
  h = mix(h, keys[n - (n - n % 2) / 2])
  if h == 0 then h = 1 end
  for i = n, 2, -1 do
    h = (h * 16807) % MOD
    local j = h % i + 1
    keys[i], keys[j] = keys[j], keys[i]
  end
end

-- The ordered keys of the tables looped over lately: table -> { keys (in order), raw (the keys in
-- `next` order), n }.  A loop over a table whose keys `next` still gives in the same order reuses
-- the sorted order instead of sorting again: the same n keys in the same sequence are the same
-- key set.  The check walks the table at every loop, so the cache never decides an order, it only
-- saves the sort (a table that was changed and changed back may walk in another `next` order:
-- that only costs a fresh sort).  Small tables are not cached (their sort is cheap).
local CACHE_FROM = 64
local cache = setmetatable({}, { __mode = "k" })

-- The keys of t in order, n.
local function orderedKeys(t, seed)
  local c = cache[t]
  if c then
    local raw, n = c.raw, 0
    for k in rawnext, t do
      n = n + 1
      if raw[n] ~= k then
        n = -1
        break
      end
    end
    if n == c.n then return c.keys, n end
  end
  local keys, n = {}, 0
  for k in rawnext, t do
    n = n + 1
    keys[n] = k
  end
  if n >= CACHE_FROM then
    local raw = {}
    for i = 1, n do raw[i] = keys[i] end
    sortKeys(keys)
    if seed then shuffle(keys, n, seed) end
    cache[t] = { keys = keys, raw = raw, n = n }
  elseif n > 1 then
    sortKeys(keys)
    if seed then shuffle(keys, n, seed) end
    if c then cache[t] = nil end
  elseif c then
    cache[t] = nil
  end
  return keys, n
end

-- Lua 5.1 and 5.2's own pairs refuse what is not a table (5.3's leaves a nil to the loop): refused
-- here in their words, at the caller's line, not inside this file.  (A call with no argument at
-- all counts as nil: telling the two apart would make every call a vararg one.)
local refuses = _VERSION == "Lua 5.1" or _VERSION == "Lua 5.2"

-- pairs(t) for a seed (nil: sorted order).
local function make(seed)
  return function(t)
    local mt = getmetatable_(t)
    if type_(t) ~= "table" or (mt and mt.__pairs) then
      if refuses and type_(t) ~= "table" and not (mt and mt.__pairs) then
        error_("bad argument #1 to 'pairs' (table expected, got " .. type_(t) .. ")", 2)
      end
      return rawpairs(t)
    end
    local keys, n = orderedKeys(t, seed)
    if n == 0 then return finish, t, nil end
    if mt then return rawWalk(keys), t, nil end
    return walk(keys), t, nil
  end
end

-- keyLess: the order of mixed keys; sortKeys(keys): sort a key array in that order (fast path
-- first); make(seed): a `pairs` (sorted for a nil seed); cache: the orders kept (never decisive:
-- the dry-run recorder leaves it alone)
return { keyLess = keyLess, sortKeys = sortKeys, make = make, cache = cache }
