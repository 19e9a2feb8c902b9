-- .utils: functional helpers and the message-matching rules of aos (docs/aos-semantics.md §4.2), clean-room.
-- Loaded by the harness runtime with the private harness table as first chunk argument.
local H = ...
local profile = H.profile

local utils = { _version = "0.0.5" }

local unpack = table.unpack or unpack
local getinfo = debug.getinfo
local ourType = type

-- Live's array test (not exported): every key a positive integer and the largest one equal to the
-- length operator's border, so {1, nil, 3} counts as an array and {[0] = 1} does not.
local function isArray(t)
  if type(t) ~= "table" then return false end
  local top = 0
  for k in pairs(t) do
    if type(k) ~= "number" or k < 1 or math.floor(k) ~= k then return false end
    if k > top then top = k end
  end
  return top == #t
end

-- curry(fn, arity): with fewer arguments than arity, a function waiting for the rest.  As in
-- live aos: the count is `#` of the packed arguments (so nil arguments can vanish), arity defaults
-- to fn's parameter count, and the arguments given early reach fn as ONE value (the first), an aos
-- quirk that code written against live depends on (`propEq('a', 'x')(obj)` passes obj as value).
function utils.curry(fn, arity)
  assert(type(fn) == "function", "function is required as first argument")
  if arity == nil then
    local info = getinfo(fn, "u")
    arity = info.nparams or 2
  end
  if arity < 2 then return fn end
  return function(...)
    local given = { ... }
    local n = #given
    if n >= arity then return fn(unpack(given)) end
    local first = given[1]
    return utils.curry(function(...) return fn(first, ...) end, arity - n)
  end
end

utils.concat = utils.curry(function(a, b)
  assert(type(a) == "table", "first argument should be a table that is an array")
  assert(type(b) == "table", "second argument should be a table that is an array")
  assert(isArray(a), "first argument should be a table")
  assert(isArray(b), "second argument should be a table")
  local out = {}
  for i = 1, #a do out[#out + 1] = a[i] end
  for i = 1, #b do out[#out + 1] = b[i] end
  return out
end, 2)

utils.reduce = utils.curry(function(fn, initial, t)
  assert(type(fn) == "function", "first argument should be a function that accepts (result, value, key)")
  assert(type(t) == "table" and isArray(t), "third argument should be a table that is an array")
  local result = initial
  for k, v in pairs(t) do
    if result == nil then result = v else result = fn(result, v, k) end
  end
  return result
end, 3)

utils.map = utils.curry(function(fn, data)
  assert(type(fn) == "function", "first argument should be a unary function")
  assert(type(data) == "table" and isArray(data), "second argument should be an Array")
  return utils.reduce(function(out, v, k)
    out[k] = fn(v, k)
    return out
  end, {}, data)
end, 2)

utils.filter = utils.curry(function(fn, data)
  assert(type(fn) == "function", "first argument should be a unary function")
  assert(type(data) == "table" and isArray(data), "second argument should be an Array")
  return utils.reduce(function(out, v)
    if fn(v) then out[#out + 1] = v end
    return out
  end, {}, data)
end, 2)

utils.find = utils.curry(function(fn, t)
  assert(type(fn) == "function", "first argument should be a unary function")
  assert(type(t) == "table", "second argument should be a table that is an array")
  for _, v in pairs(t) do
    if fn(v) then return v end
  end
  return nil
end, 2)

utils.propEq = utils.curry(function(name, value, object)
  assert(type(name) == "string", "first argument should be a string")
  assert(type(value) == "string", "second argument should be a string")
  assert(type(object) == "table", "third argument should be a table<object>")
  return object[name] == value
end, 3)

function utils.reverse(data)
  assert(type(data) == "table", "argument needs to be a table that is an array")
  return utils.reduce(function(out, v, i)
    out[#data - i + 1] = v
    return out
  end, {}, data)
end

-- compose(f, g, ...)(v) = f(g(...(v))); curried with arity 2 as live's is, so compose(f) waits
-- for one more function and compose() returns a function, not the identity.
utils.compose = utils.curry(function(...)
  local fns = { ... }
  local n = select("#", ...)
  return function(v)
    for i = n, 1, -1 do v = fns[i](v) end
    return v
  end
end, 2)

utils.prop = utils.curry(function(name, object)
  return object[name]
end, 2)

utils.includes = utils.curry(function(value, t)
  assert(type(t) == "table", "argument needs to be a table")
  assert(isArray(t), "argument should be a table that is an array")
  return utils.find(function(v) return v == value end, t) ~= nil
end, 2)

function utils.keys(t)
  assert(type(t) == "table", "argument needs to be a table")
  local out = {}
  for k in pairs(t) do out[#out + 1] = k end
  return out
end

function utils.values(t)
  assert(type(t) == "table", "argument needs to be a table")
  local out = {}
  for _, v in pairs(t) do out[#out + 1] = v end
  return out
end

-- Title-Case a tag name (2025+ modules): underscores -> dashes, lower-case everything, then
-- upper-case the first letter and every letter after a dash.  `TokenId` -> `Tokenid`.
local function titleCase(name)
  local s = string.lower((string.gsub(name, "_", "-")))
  s = string.gsub(s, "^%l", string.upper)
  return (string.gsub(s, "%-%l", string.upper))
end
-- (the runtime's own, for tag names: kept once computed)
local capitalised = {}
local function capitalize(name)
  local done = capitalised[name]
  if done then return done end
  local s = titleCase(name)
  capitalised[name] = s
  return s
end

if profile.normalize then
  -- live's two string helpers; anything but a string comes back as it is.  capitalize: the first
  -- character upper-case, the rest lower-case (`X_ACTION` -> `X_action`); normalize: a tag name
  -- in Title-Case (`X_ACTION` -> `X-Action`), as aos writes the names of a message's tags.
  function utils.capitalize(s)
    if type(s) ~= "string" then return s end
    return string.upper(string.sub(s, 1, 1)) .. string.lower(string.sub(s, 2))
  end
  function utils.normalize(s)
    if type(s) ~= "string" then return s end
    return titleCase(s)
  end

  -- Rewrite every root key and every tag name of a CU message to Title-Case (in place).
  -- (the runtime's, through H)
  function H.normalizeMessage(msg)
    local renames
    for k, v in pairs(msg) do
      if type(k) == "string" then
        local nk = capitalize(k)
        if nk ~= k then
          renames = renames or {}
          renames[#renames + 1] = { k, nk, v }
        end
      end
    end
    if renames then
      for _, r in ipairs(renames) do msg[r[1]] = nil end
      for _, r in ipairs(renames) do msg[r[2]] = r[3] end
    end
    return H.normalizeTags(msg)
  end

  -- Title-Case the tag names only (what differs in messages whose root keys the CU built).
  -- (the runtime's, through H: live's .utils does not export it)
  function H.normalizeTags(msg)
    local tags = msg.Tags
    if type(tags) == "table" then
      for _, tag in ipairs(tags) do
        local name = tag.name
        local done = capitalised[name]
        -- (a name seen before is a string: no need to ask `type` while it is the original)
        if done ~= nil and type == ourType then
          tag.name = done
        elseif type(name) == "string" then
          tag.name = capitalised[name] or capitalize(name)
        end
      end
    end
    return msg
  end
end

local MAGIC = "[%^%$%(%)%%%.%[%]%*%+%?]"

-- Does one pattern value match one message value?  (docs/aos-semantics.md §4.2)
local matchesPattern
if profile.case_insensitive then
  matchesPattern = function(pattern, value, msg)
    if pattern == "_" then return true end
    local pt = type(pattern)
    if pt == "function" then
      return pattern(value, msg) and true or false
    elseif pt == "string" then
      local v = string.lower(value or "")
      local p = string.lower(pattern)
      if string.find(pattern, MAGIC) then
        return string.match(v, p) ~= nil
      end
      return v == p
    elseif pt == "table" then
      for _, sub in pairs(pattern) do
        if matchesPattern(sub, value, msg) then return true end
      end
      return false
    end
    return false
  end
else
  matchesPattern = function(pattern, value, msg)
    if pattern == "_" then return true end
    local pt = type(pattern)
    if pt == "function" then
      return pattern(value, msg) and true or false
    elseif pt == "string" then
      if string.find(pattern, MAGIC) then
        return string.match(value, pattern) ~= nil
      end
      return value == pattern
    elseif pt == "table" then
      for _, sub in pairs(pattern) do
        if matchesPattern(sub, value, msg) then return true end
      end
      return false
    end
    return false
  end
end
utils.matchesPattern = matchesPattern

local tags_fallback = profile.tags_fallback

-- Does a message match a handler pattern?  Functions return their raw result (validated by
-- Handlers.evaluate); tables must match on every key; strings compare against msg.Action.
function utils.matchesSpec(msg, spec)
  local st = type(spec)
  if st == "function" then
    return spec(msg)
  elseif st == "table" then
    local tags = tags_fallback and type(msg.Tags) == "table" and msg.Tags or nil
    for key, pattern in pairs(spec) do
      local value = msg[key]
      local tagValue = tags and tags[key] or nil
      if not value and not tagValue then return false end
      local ok = false
      if value then ok = matchesPattern(pattern, value, msg) end
      if not ok and tagValue then ok = matchesPattern(pattern, tagValue, msg) end
      if not ok then return false end
    end
    return true
  elseif st == "string" then
    return msg.Action == spec
  end
  return false
end

return utils
