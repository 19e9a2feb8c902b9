-- luassert-compatible assertions, spies, stubs, mocks and matchers, written for ao-harness.
-- Follows luassert 1.9's conventions: an assertion call resolves its words ("is_not_same" ->
-- is, not, same) into modifiers and one assertion; the assertion callback gets (state, arglist,
-- level), may reorder the arglist for its message and picks the failure message from its own
-- argument position; a failure is "<failure message>\n<say(key, formatted args)>".
-- Loaded once per Lua state; returns { assert, spy, stub, mock, match, say, util, ... }.
local unpack_ = table.unpack or unpack
local pairs, next, type, tostring, tonumber = pairs, next, type, tostring, tonumber
local getmetatable, setmetatable, rawget, rawequal = getmetatable, setmetatable, rawget, rawequal
local dgetmt, dsetmt = debug.getmetatable, debug.setmetatable

-- ---------------------------------------------------------------------------------------------
-- util: arglists that keep trailing nils (field n), nil-respecting insert/remove
-- ---------------------------------------------------------------------------------------------
local util = {}
local arglist_mt = {}

function util.unpack(t, i, j) return unpack_(t, i or 1, j or t.n or #t) end
function util.pack(...) return { n = select("#", ...), ... } end
local unpack, pack = util.unpack, util.pack

function util.make_arglist(...)
  return setmetatable({ n = select("#", ...), ... }, arglist_mt)
end
function util.is_arglist(v) return getmetatable(v) == arglist_mt end

-- insert val at pos (shifting up), counting with t.n so nils survive
function util.tinsert(...)
  local count = select("#", ...)
  local t, pos, val = ...
  if count < 3 then val, pos = pos, nil end
  t.n = (t.n or #t) + 1
  if not pos then
    pos = t.n
  elseif pos > t.n then
    t[pos] = val
    t.n = pos
  end
  for i = t.n, pos + 1, -1 do t[i] = t[i - 1] end
  t[pos] = val
end

function util.tremove(t, pos)
  t.n = t.n or #t
  if not pos then
    pos = t.n
  elseif pos > t.n then
    local gone = t[pos]
    t[pos] = nil
    return gone
  end
  local gone = t[pos]
  for i = pos, t.n do t[i] = t[i + 1] end
  t[t.n] = nil
  t.n = t.n - 1
  return gone
end

function util.callable(v)
  return type(v) == "function" or type((dgetmt(v) or {}).__call) == "function"
end

function util.hastostring(v)
  return type(v) == "string" or type((dgetmt(v) or {}).__tostring) == "function"
end

-- deep comparison; on a mismatch also returns the key path ("crumbs", innermost first)
function util.deepcompare(a, b, ignore_mt, cycles, th1, th2)
  local ta, tb = type(a), type(b)
  if ta ~= "table" or tb ~= "table" then return a == b end
  local mta, mtb = dgetmt(a), dgetmt(b)
  if mta and mta == mtb and mta.__eq then
    if not ignore_mt then return a == b end
  elseif rawequal(a, b) then
    return true
  end
  cycles = cycles or { {}, {} }
  th1, th2 = th1 or 1, th2 or 1
  cycles[1][a] = cycles[1][a] or 0
  cycles[2][b] = cycles[2][b] or 0
  if cycles[1][a] == 1 or cycles[2][b] == 1 then
    th1, th2 = cycles[1][a] + 1, cycles[2][b] + 1
  end
  if cycles[1][a] > th1 and cycles[2][b] > th2 then return true end
  cycles[1][a] = cycles[1][a] + 1
  cycles[2][b] = cycles[2][b] + 1
  for k, va in next, a do
    local vb = b[k]
    if vb == nil then return false, { k } end
    local same, crumbs = util.deepcompare(va, vb, nil, cycles, th1, th2)
    if not same then
      crumbs = crumbs or {}
      crumbs[#crumbs + 1] = k
      return false, crumbs
    end
  end
  for k in next, b do
    if a[k] == nil then return false, { k } end
  end
  cycles[1][a] = cycles[1][a] - 1
  cycles[2][b] = cycles[2][b] - 1
  return true
end

function util.shallowcopy(t)
  if type(t) ~= "table" then return t end
  local out = setmetatable({}, getmetatable(t))
  for k, v in next, t do out[k] = v end
  return out
end

local is_spy -- forward (spies are not copied)

function util.deepcopy(t, deepmt, cache)
  if type(t) ~= "table" then return t end
  cache = cache or {}
  if cache[t] then return cache[t] end
  local out = {}
  cache[t] = out
  for k, v in next, t do
    out[k] = is_spy(v) and v or util.deepcopy(v, deepmt, cache)
  end
  if deepmt then
    dsetmt(out, util.deepcopy(dgetmt(t), false, cache))
  else
    dsetmt(out, dgetmt(t))
  end
  return out
end

local is_matcher -- forward

-- what a spy records per call: deep copies (vals) and the values themselves (refs)
function util.copyargs(args)
  local vals = setmetatable({}, getmetatable(args))
  for k, v in pairs(args) do
    vals[k] = (is_matcher(v) or is_spy(v)) and v or util.deepcopy(v)
  end
  return { vals = vals, refs = util.shallowcopy(args) }
end

-- does a recorded arglist (vals/refs) match the expected arguments (values or matchers)?
local function matcharg(vals, refs, specs)
  for i, v in pairs(vals) do
    local spec = specs[i]
    if is_matcher(spec) then
      if spec.name == "ref" then v = refs[i] end
      if not spec(v) then return false end
    elseif spec == nil or not util.deepcompare(v, spec) then
      return false
    end
  end
  for i, spec in pairs(specs) do
    if vals[i] == nil then
      if is_matcher(spec) then
        if not spec(nil) then return false end
      else
        return false
      end
    end
  end
  return true
end

function util.matchargs(list, specs)
  for i = #list, 1, -1 do
    local rec = list[i]
    if matcharg(rec.vals, rec.refs, specs) then return rec end
  end
  return nil
end

-- the level of the first stack frame outside this file (what error() should blame)
local THIS = debug.getinfo(1, "S").source
local function user_level(level)
  level = (level or 1) + 1
  while true do
    local info = debug.getinfo(level, "S")
    if not info then return level - 1 end
    if info.source ~= THIS and info.what ~= "C" then return level - 1 end
    level = level + 1
  end
end
util.errorlevel = user_level

-- a plain Lua error blamed on the spec line that called luassert
local function raise(message)
  error(message, user_level(2))
end

-- ---------------------------------------------------------------------------------------------
-- say: message templates per namespace (fallback "en")
-- ---------------------------------------------------------------------------------------------
local registry = { en = {} }
local current_ns, fallback_ns = "en", "en"
local say = setmetatable({
  _VERSION = "Say 1.3 (ao-harness)",
  _registry = registry,
  set_namespace = function(_, ns) current_ns = ns; registry[ns] = registry[ns] or {} end,
  set_fallback = function(_, ns) fallback_ns = ns; registry[ns] = registry[ns] or {} end,
  set = function(_, key, value) registry[current_ns][key] = value end,
}, {
  __call = function(_, key, vars)
    if vars ~= nil and type(vars) ~= "table" then
      error(("expected parameter table to be a table, got '%s'"):format(type(vars)), 2)
    end
    vars = vars or {}
    vars.n = math.max(vars.n or 0, #vars)
    local text = registry[current_ns][key]
    if text == nil then text = registry[fallback_ns][key] end
    if text == nil then return nil end
    text = tostring(text)
    local strings = {}
    for i = 1, vars.n do strings[#strings + 1] = tostring(vars[i]) end
    if #strings > 0 then return text:format(unpack_(strings)) end
    return text
  end,
  __index = function(_, key) return registry[key] end,
})

local en = registry.en
en["assertion.same.positive"] = "Expected objects to be the same.\nPassed in:\n%s\nExpected:\n%s"
en["assertion.same.negative"] = "Expected objects to not be the same.\nPassed in:\n%s\nDid not expect:\n%s"
en["assertion.equals.positive"] = "Expected objects to be equal.\nPassed in:\n%s\nExpected:\n%s"
en["assertion.equals.negative"] = "Expected objects to not be equal.\nPassed in:\n%s\nDid not expect:\n%s"
en["assertion.near.positive"] = "Expected values to be near.\nPassed in:\n%s\nExpected:\n%s +/- %s"
en["assertion.near.negative"] = "Expected values to not be near.\nPassed in:\n%s\nDid not expect:\n%s +/- %s"
en["assertion.matches.positive"] = "Expected strings to match.\nPassed in:\n%s\nExpected:\n%s"
en["assertion.matches.negative"] = "Expected strings not to match.\nPassed in:\n%s\nDid not expect:\n%s"
en["assertion.unique.positive"] = "Expected object to be unique:\n%s"
en["assertion.unique.negative"] = "Expected object to not be unique:\n%s"
en["assertion.error.positive"] = "Expected a different error.\nCaught:\n%s\nExpected:\n%s"
en["assertion.error.negative"] = "Expected no error, but caught:\n%s"
en["assertion.truthy.positive"] = "Expected to be truthy, but value was:\n%s"
en["assertion.truthy.negative"] = "Expected to not be truthy, but value was:\n%s"
en["assertion.falsy.positive"] = "Expected to be falsy, but value was:\n%s"
en["assertion.falsy.negative"] = "Expected to not be falsy, but value was:\n%s"
en["assertion.called.positive"] = "Expected to be called %s time(s), but was called %s time(s)"
en["assertion.called.negative"] = "Expected not to be called exactly %s time(s), but it was."
en["assertion.called_at_least.positive"] = "Expected to be called at least %s time(s), but was called %s time(s)"
en["assertion.called_at_most.positive"] = "Expected to be called at most %s time(s), but was called %s time(s)"
en["assertion.called_more_than.positive"] = "Expected to be called more than %s time(s), but was called %s time(s)"
en["assertion.called_less_than.positive"] = "Expected to be called less than %s time(s), but was called %s time(s)"
en["assertion.called_with.positive"] =
  "Function was never called with matching arguments.\nCalled with (last call if any):\n%s\nExpected:\n%s"
en["assertion.called_with.negative"] =
  "Function was called with matching arguments at least once.\nCalled with (last matching call):\n%s\nDid not expect:\n%s"
en["assertion.returned_with.positive"] =
  "Function never returned matching arguments.\nReturned (last call if any):\n%s\nExpected:\n%s"
en["assertion.returned_with.negative"] =
  "Function returned matching arguments at least once.\nReturned (last matching call):\n%s\nDid not expect:\n%s"
en["assertion.returned_arguments.positive"] = "Expected to be called with %s argument(s), but was called with %s"
en["assertion.returned_arguments.negative"] = "Expected not to be called with %s argument(s), but was called with %s"
en["assertion.internal.argtolittle"] = "the '%s' function requires a minimum of %s arguments, got: %s"
en["assertion.internal.badargtype"] = "bad argument #%s to '%s' (%s expected, got %s)"
en["assertion.array_holes.positive"] = "Expected array to have holes, but none was found.\n"
en["assertion.array_holes.negative"] = "Expected array to not have holes, hole found at position: %s\n"

-- ---------------------------------------------------------------------------------------------
-- snapshots: formatters, parameters and spies, stacked (assert:snapshot() / snap:revert())
-- ---------------------------------------------------------------------------------------------
local nilvalue = {}
local snap_mt = {}
local current = setmetatable({ formatters = {}, parameters = {}, spies = setmetatable({}, { __mode = "kv" }) },
  snap_mt)

local function revert(self)
  if not self then
    self = current
    if not self.previous then return end
  end
  if getmetatable(self) ~= snap_mt then error("Value provided is not a valid snapshot", 2) end
  if self.next then revert(self.next) end
  self.formatters, self.parameters = {}, {}
  for s in pairs(self.spies) do
    self.spies[s] = nil
    s:revert()
  end
  setmetatable(self, nil)
  current = self.previous
  current.next = nil
end

local function snapshot()
  local new = setmetatable({ formatters = {}, parameters = {}, spies = setmetatable({}, { __mode = "kv" }),
    previous = current, revert = revert }, snap_mt)
  current.next = new
  current = new
  return new
end

local function get_parameter(name, s)
  s = s or current
  local v = s.parameters[name]
  if v == nil and s.previous then return get_parameter(name, s.previous) end
  if v == nilvalue then return nil end
  return v
end

local function set_parameter(name, value)
  if value == nil then value = nilvalue end
  current.parameters[name] = value
end

local function add_formatter(fn) table.insert(current.formatters, 1, fn) end

local function remove_formatter(fn, s)
  s = s or current
  for i, f in ipairs(s.formatters) do
    if f == fn then table.remove(s.formatters, i) break end
  end
  if s.previous then remove_formatter(fn, s.previous) end
end

-- ---------------------------------------------------------------------------------------------
-- formatting arguments for messages, the way luassert's default formatters do
-- ---------------------------------------------------------------------------------------------
local function num_str(v)
  if type(v) ~= "number" then return tostring(v) end
  if v ~= v then return "NaN" end
  if v == 1 / 0 then return "Inf" end
  if v == -1 / 0 then return "-Inf" end
  local s = string.format("%.20g", v)
  if math.type and math.type(v) == "float" and not s:find("[%.,]") then
    s = s:gsub("%d+", "%0.0", 1)
  end
  return s
end

local type_rank = { number = 1, boolean = 2, string = 3, table = 4, ["function"] = 5, userdata = 6, thread = 7 }

local function sorted_keys(t)
  local keys, n = {}, 0
  for k in pairs(t) do n = n + 1; keys[n] = k end
  local len = #t
  local function rank(k)
    if type(k) == "number" and k >= 1 and k <= len and math.floor(k) == k then return 0 end
    return type_rank[type(k)] or 8
  end
  table.sort(keys, function(a, b)
    local ra, rb = rank(a), rank(b)
    if ra ~= rb then return ra < rb end
    local ta = type(a)
    if ta == "string" or ta == "number" then return a < b end
    if ta == "boolean" then return a == true and b == false end
    return false
  end)
  return keys, n
end

local function fmt_table(arg, fmtargs)
  local tmax = get_parameter("TableFormatLevel")
  local showrec = get_parameter("TableFormatShowRecursion")
  local errchar = get_parameter("TableErrorHighlightCharacter") or ""
  local crumbs = fmtargs and fmtargs.crumbs or {}
  local cache = {}
  local desc
  local mt = getmetatable(arg)
  if mt == nil then
    desc = "(" .. tostring(arg) .. ") "
  elseif not pcall(setmetatable, arg, mt) then
    desc = "(table) "
  else
    setmetatable(arg, nil)
    desc = "(" .. tostring(arg) .. ") "
    setmetatable(arg, mt)
  end
  local function ft(t, level, with_crumbs)
    if showrec and cache[t] and cache[t] > 0 then return "{ ... recursive }" end
    if next(t) == nil then return "{ }" end
    if level > tmax and tmax >= 0 then return "{ ... more }" end
    local out = "{"
    local keys, n = sorted_keys(t)
    cache[t] = (cache[t] or 0) + 1
    local crumb = crumbs[#crumbs - level + 1]
    for i = 1, n do
      local k = keys[i]
      local v = t[k]
      local marked = with_crumbs and k == crumb
      if type(v) == "table" then
        v = ft(v, level + 1, marked)
      elseif type(v) == "string" then
        v = "'" .. v .. "'"
      end
      local ch = marked and errchar or ""
      out = out .. string.format("\n%s%s[%s] = %s", string.rep(" ", level * 2 - #ch), ch, num_str(k), num_str(v))
    end
    cache[t] = cache[t] - 1
    return out .. " }"
  end
  return desc .. ft(arg, 1, true)
end

local builtin_formatters -- set after matchers exist

local function format_argument(val, s, fmtargs)
  s = s or current
  for _, f in ipairs(s.formatters) do
    local out = f(val, fmtargs)
    if out ~= nil then return out end
  end
  if s.previous then return format_argument(val, s.previous, fmtargs) end
  for _, f in ipairs(builtin_formatters) do
    local out = f(val, fmtargs)
    if out ~= nil then return out end
  end
  return nil
end

local function format1(v) return format_argument(v) or tostring(v) end

local function format_args(args)
  local nofmt = args.nofmt or {}
  local fmtargs = args.fmtargs or {}
  for i = 1, (args.n or #args) do
    if not nofmt[i] then
      local out = format_argument(args[i], nil, fmtargs[i])
      if out == nil then out = tostring(args[i]) end
      args[i] = out
    end
  end
  return args
end

-- a readable multi-line rendering for the pytest diff of same/equals (not a luassert message)
local function plain_value(v, indent, seen)
  if type(v) == "string" then return (string.format("%q", v):gsub("\\\n", "\\n")) end
  if type(v) ~= "table" then return num_str(v) end
  indent, seen = indent or "", seen or {}
  if seen[v] then return "<cycle>" end
  if next(v) == nil then return "{}" end
  seen[v] = true
  local keys, n = sorted_keys(v)
  local inner = indent .. "  "
  local lines = { "{" }
  for i = 1, n do
    local k = keys[i]
    local ks = type(k) == "string" and k:match("^[%a_][%w_]*$") and k or ("[" .. plain_value(k) .. "]")
    lines[#lines + 1] = inner .. ks .. " = " .. plain_value(v[k], inner, seen) .. ","
  end
  lines[#lines + 1] = indent .. "}"
  seen[v] = nil
  return table.concat(lines, "\n")
end

-- ---------------------------------------------------------------------------------------------
-- failures: a table error the runner recognises (tostring gives the message)
-- ---------------------------------------------------------------------------------------------
local failure_mt = { __tostring = function(e) return tostring(e.message) end }

local function is_failure(e) return type(e) == "table" and getmetatable(e) == failure_mt end

local function fail(message, extra)
  local e = setmetatable({ message = message }, failure_mt)
  if extra then for k, v in pairs(extra) do e[k] = v end end
  error(e, 0)
end

-- ---------------------------------------------------------------------------------------------
-- namespaces and the assertion state machine
-- ---------------------------------------------------------------------------------------------
local namespace = { assertion = {}, modifier = {}, matcher = {} }

local function extract_keys(nspace, tokens)
  local keys, key = {}, nil
  local i = #tokens
  while i > 0 do
    local token = tokens[i]
    key = key and (token .. "_" .. key) or token
    -- the longest key in the namespace (luassert grows it by re-reading the token just taken,
    -- so in practice by one word; kept that way for the same resolutions)
    local longer = i > 1 and (tokens[i - 1] .. "_" .. key) or nil
    while i > 1 and longer and namespace[nspace][longer] do
      key = longer
      i = i - 1
      longer = tokens[i] .. "_" .. key
    end
    if namespace.modifier[key] or namespace[nspace][key] then
      table.insert(keys, 1, key)
      key = nil
    end
    i = i - 1
  end
  if key then
    error("luassert: unknown modifier/" .. nspace .. ": '" .. key .. "'", user_level(3))
  end
  return keys
end

local function geterror(message_key, failure_message, args)
  if util.hastostring(failure_message) then
    failure_message = tostring(failure_message)
  elseif failure_message ~= nil then
    failure_message = format_argument(failure_message)
  end
  local message = say(message_key, format_args(args))
  if message and failure_message then message = failure_message .. "\n" .. message end
  return message or failure_message
end

local state_mt = {}

local function new_state() return setmetatable({ mod = true, tokens = {} }, state_mt) end

state_mt.__index = function(self, key)
  local tokens = rawget(self, "tokens")
  for token in tostring(key):lower():gmatch("[^_]+") do tokens[#tokens + 1] = token end
  return self
end

state_mt.__call = function(self, ...)
  local keys = extract_keys("assertion", rawget(self, "tokens"))
  local assertion
  for _, k in ipairs(keys) do assertion = namespace.assertion[k] or assertion end
  if assertion then
    for _, k in ipairs(keys) do
      local m = namespace.modifier[k]
      if m then m.callback(self) end
    end
    local args = util.make_arglist(...)
    local val, retargs = assertion.callback(self, args, 2)
    if (not val) == rawget(self, "mod") then
      local key = rawget(self, "mod") and assertion.positive_message or assertion.negative_message
      local extra = { assertion = (rawget(self, "mod") and "" or "not ") .. assertion.name }
      local diff = rawget(self, "diff")
      if diff then extra.expected, extra.actual = diff[1], diff[2] end
      fail(geterror(key, rawget(self, "failure_message"), args) or "assertion failed!", extra)
    end
    if retargs then return unpack(retargs) end
    return ...
  end
  local args = util.make_arglist(...)
  rawset(self, "tokens", {})
  for _, k in ipairs(keys) do
    local m = namespace.modifier[k]
    if m then m.callback(self, args, 2) end
  end
  return self
end

local assert_obj = {}

local function register(_, nspace, name, callback, positive, negative)
  local lname = name:lower()
  namespace[nspace] = namespace[nspace] or {}
  namespace[nspace][lname] = { callback = callback, name = lname, positive_message = positive,
    negative_message = negative }
end

assert_obj.state = new_state
assert_obj.register = register
assert_obj.unregister = function(_, nspace, name)
  namespace[nspace] = namespace[nspace] or {}
  namespace[nspace][name:lower()] = nil
end
assert_obj.add_formatter = function(_, fn) add_formatter(fn) end
assert_obj.remove_formatter = function(_, fn) remove_formatter(fn) end
assert_obj.format = function(_, args) return format_args(args) end
assert_obj.set_parameter = function(_, name, value) set_parameter(name, value) end
assert_obj.get_parameter = function(_, name) return get_parameter(name) end
assert_obj.add_spy = function(_, s) current.spies[s] = true end
assert_obj.snapshot = function() return snapshot() end
local level_mt = {}
assert_obj.level = function(_, level) return setmetatable({ level = level }, level_mt) end
assert_obj.get_level = function(_, level)
  if getmetatable(level) ~= level_mt then return nil end
  return level.level
end

setmetatable(assert_obj, {
  -- assert(value, message, level, ...): Lua's assert, but a test failure
  __call = function(self, value, message, level, ...)
    if not value then
      if message == nil then message = "assertion failed!" end
      fail(message)
    end
    return value, message, level, ...
  end,
  __index = function(self, key) return rawget(self, key) or new_state()[key] end,
})

set_parameter("TableFormatLevel", 3)
set_parameter("TableErrorHighlightCharacter", "*")
set_parameter("TableErrorHighlightColor", "none")

-- an internal argument check: a test failure, like luassert's own assert() under busted
local function check(ok, key, vars)
  if not ok then fail(say(key, vars)) end
end

-- ---------------------------------------------------------------------------------------------
-- builtin assertions (argument conventions as in luassert 1.9)
-- ---------------------------------------------------------------------------------------------
local function set_failure_message(state, message)
  if message ~= nil then state.failure_message = message end
end

-- no two entries of list equal (deep: also no two deepcompare-equal), for the `unique`
-- assertion and the `unique` matcher
local function all_unique(list, deep)
  for k, v in pairs(list) do
    for k2, v2 in pairs(list) do
      if k ~= k2 then
        if deep and util.deepcompare(v, v2, true) then return false end
        if v == v2 then return false end
      end
    end
  end
  return true
end

local function unique(state, args)
  local list, deep = args[1], nil
  if type(args[2]) == "boolean" or (args[2] == nil and args.n > 2) then
    deep = args[2]
    set_failure_message(state, args[3])
  else
    if type(args[3]) == "boolean" then deep = args[3] end
    set_failure_message(state, args[2])
  end
  return all_unique(list, deep)
end

local NUMBERISH = "number or object convertible to a number"

local function near(state, args)
  check(args.n > 2, "assertion.internal.argtolittle", { "near", 3, tostring(args.n) })
  local expected, actual, tolerance = tonumber(args[1]), tonumber(args[2]), tonumber(args[3])
  check(expected, "assertion.internal.badargtype", { 1, "near", NUMBERISH, format1(args[1]) })
  check(actual, "assertion.internal.badargtype", { 2, "near", NUMBERISH, format1(args[2]) })
  check(tolerance, "assertion.internal.badargtype", { 3, "near", NUMBERISH, format1(args[3]) })
  util.tinsert(args, 1, util.tremove(args, 2))
  args[3] = tolerance
  args.nofmt = args.nofmt or {}
  args.nofmt[3] = true
  set_failure_message(state, args[4])
  return actual >= expected - tolerance and actual <= expected + tolerance
end

-- the first argument from position 3 on that is not a number/boolean/nil is the message
local function take_message(args)
  local argno = 3
  for i = 3, args.n do
    local v = args[i]
    if v and type(v) ~= "boolean" and not tonumber(v) then
      if i == 3 then argno = argno + 1 end
      return util.tremove(args, i), argno
    end
  end
  return nil, argno
end

local function matches(state, args)
  check(args.n > 1, "assertion.internal.argtolittle", { "matches", 2, tostring(args.n) })
  local pattern, actual = args[1], nil
  if util.hastostring(args[2]) or type(args[2]) == "number" then actual = tostring(args[2]) end
  local message, argno = take_message(args)
  local init, plain = args[3], args[4]
  check(type(pattern) == "string", "assertion.internal.badargtype", { 1, "matches", "string", type(args[1]) })
  check(actual, "assertion.internal.badargtype",
    { 2, "matches", "string or object convertible to a string", format1(args[2]) })
  check(init == nil or tonumber(init), "assertion.internal.badargtype", { argno, "matches", "number", type(args[3]) })
  util.tinsert(args, 1, util.tremove(args, 2))
  set_failure_message(state, message)
  if plain then
    local ok = actual:find(pattern, init, plain) ~= nil
    return ok, ok and { pattern } or {}
  end
  local retargs = { actual:match(pattern, init) }
  return retargs[1] ~= nil, retargs
end

local function equals(state, args)
  check(args.n > 1, "assertion.internal.argtolittle", { "equals", 2, tostring(args.n) })
  local result = args[1] == args[2]
  state.diff = { plain_value(args[1]), plain_value(args[2]) }
  util.tinsert(args, 1, util.tremove(args, 2))
  set_failure_message(state, args[3])
  return result
end

local function same(state, args)
  check(args.n > 1, "assertion.internal.argtolittle", { "same", 2, tostring(args.n) })
  state.diff = { plain_value(args[1]), plain_value(args[2]) }
  if type(args[1]) == "table" and type(args[2]) == "table" then
    local result, crumbs = util.deepcompare(args[1], args[2], true)
    util.tinsert(args, 1, util.tremove(args, 2))
    args.fmtargs = args.fmtargs or {}
    args.fmtargs[1] = { crumbs = crumbs }
    args.fmtargs[2] = { crumbs = crumbs }
    set_failure_message(state, args[3])
    return result
  end
  local result = args[1] == args[2]
  util.tinsert(args, 1, util.tremove(args, 2))
  set_failure_message(state, args[3])
  return result
end

local function truthy(state, args)
  check(args.n > 0, "assertion.internal.argtolittle", { "truthy", 1, tostring(args.n) })
  set_failure_message(state, args[2])
  return args[1] ~= false and args[1] ~= nil
end

local function falsy(state, args)
  check(args.n > 0, "assertion.internal.argtolittle", { "falsy", 1, tostring(args.n) })
  return not truthy(state, args)
end

local function strip_location(err)
  if type(err) == "string" then err = err:gsub("^.-:%d+: ", "", 1) end
  return err
end

local function has_error(state, args)
  local retargs = util.shallowcopy(args)
  local fn, expected, message = args[1], args[2], args[3]
  check(util.callable(fn), "assertion.internal.badargtype", { 1, "error", "function or callable object", type(fn) })
  local ok, actual = pcall(fn)
  actual = strip_location(actual)
  retargs[1] = actual
  args.nofmt = {}
  args.n = 2
  args[1] = ok and "(no error)" or actual
  args[2] = expected == nil and "(error)" or expected
  args.nofmt[1] = ok
  args.nofmt[2] = expected == nil
  set_failure_message(state, message)
  if ok or expected == nil then return not ok, retargs end
  if type(expected) == "string" then
    if util.hastostring(actual) then
      actual = tostring(actual)
      retargs[1] = actual
    end
    if type(actual) == "string" then return expected == actual, retargs end
  elseif type(expected) == "number" then
    if type(actual) == "string" then return tostring(expected) == tostring(tonumber(actual)), retargs end
  end
  return same({}, { expected, actual, n = 2 }), retargs
end

local function error_matches(state, args)
  local retargs = util.shallowcopy(args)
  local fn, pattern = args[1], args[2]
  check(args.n > 1, "assertion.internal.argtolittle", { "error_matches", 2, tostring(args.n) })
  check(util.callable(fn), "assertion.internal.badargtype",
    { 1, "error_matches", "function or callable object", type(fn) })
  check(pattern == nil or type(pattern) == "string", "assertion.internal.badargtype",
    { 2, "error", "string", type(pattern) })
  local message, argno = take_message(args)
  local init, plain = args[3], args[4]
  check(init == nil or tonumber(init), "assertion.internal.badargtype", { argno, "matches", "number", type(args[3]) })
  local ok, actual = pcall(fn)
  actual = strip_location(actual)
  retargs[1] = actual
  args.nofmt = {}
  args.n = 2
  args[1] = ok and "(no error)" or actual
  args[2] = pattern
  args.nofmt[1] = ok
  args.nofmt[2] = false
  set_failure_message(state, message)
  if ok then return false, retargs end
  if actual == nil and pattern == nil then return true, {} end
  if util.hastostring(actual) or type(actual) == "number" or type(actual) == "boolean" then
    actual = tostring(actual)
    retargs[1] = actual
  end
  if type(actual) == "string" then
    local found, caps
    if plain then
      caps = { pattern }
      found = actual:find(pattern, init, plain) ~= nil
    else
      caps = { actual:match(pattern, init) }
      found = caps[1] ~= nil
    end
    if found then retargs = caps end
    return found, retargs
  end
  return false, retargs
end

local function is_value(expected)
  return function(state, args)
    util.tinsert(args, 2, expected)
    set_failure_message(state, args[3])
    return args[1] == args[2]
  end
end

local function is_type(etype)
  return function(state, args)
    util.tinsert(args, 2, "type " .. etype)
    args.nofmt = args.nofmt or {}
    args.nofmt[2] = true
    set_failure_message(state, args[3])
    return args.n > 1 and type(args[1]) == etype
  end
end

local function returned_arguments(_, args)
  args[1] = tostring(args[1])
  args[2] = tostring(args.n - 1)
  args.nofmt = args.nofmt or {}
  args.nofmt[1], args.nofmt[2] = true, true
  if args.n < 2 then args.n = 2 end
  return args[1] == args[2]
end

local function noop(state) return state end
for _, w in ipairs({ "is", "are", "was", "has", "does" }) do register(nil, "modifier", w, noop) end
local function negate(state) state.mod = not rawget(state, "mod"); return state end
register(nil, "modifier", "not", negate)
register(nil, "modifier", "no", negate)
register(nil, "modifier", "message", function(state, args) state.failure_message = args[1] end)

local SAME_POS, SAME_NEG = "assertion.same.positive", "assertion.same.negative"
register(nil, "assertion", "true", is_value(true), SAME_POS, SAME_NEG)
register(nil, "assertion", "false", is_value(false), SAME_POS, SAME_NEG)
for _, t in ipairs({ "boolean", "number", "string", "table", "nil", "userdata", "function", "thread" }) do
  register(nil, "assertion", t, is_type(t), SAME_POS, SAME_NEG)
end
register(nil, "assertion", "returned_arguments", returned_arguments, "assertion.returned_arguments.positive",
  "assertion.returned_arguments.negative")
register(nil, "assertion", "same", same, SAME_POS, SAME_NEG)
register(nil, "assertion", "matches", matches, "assertion.matches.positive", "assertion.matches.negative")
register(nil, "assertion", "match", matches, "assertion.matches.positive", "assertion.matches.negative")
register(nil, "assertion", "near", near, "assertion.near.positive", "assertion.near.negative")
register(nil, "assertion", "equals", equals, "assertion.equals.positive", "assertion.equals.negative")
register(nil, "assertion", "equal", equals, "assertion.equals.positive", "assertion.equals.negative")
register(nil, "assertion", "unique", unique, "assertion.unique.positive", "assertion.unique.negative")
for _, n in ipairs({ "error", "errors" }) do
  register(nil, "assertion", n, has_error, "assertion.error.positive", "assertion.error.negative")
end
for _, n in ipairs({ "error_matches", "error_match", "matches_error", "match_error" }) do
  register(nil, "assertion", n, error_matches, "assertion.error.positive", "assertion.error.negative")
end
register(nil, "assertion", "truthy", truthy, "assertion.truthy.positive", "assertion.truthy.negative")
register(nil, "assertion", "falsy", falsy, "assertion.falsy.positive", "assertion.falsy.negative")

-- assert.array(t).has.no.holes(length)
register(nil, "modifier", "array", function(state, args)
  assert_obj(args.n > 0, "No array provided to the array-modifier")
  assert_obj(rawget(state, "__array_state") == nil, "Array already set")
  rawset(state, "__array_state", args[1])
  return state
end)
register(nil, "assertion", "holes", function(state, args)
  local length = args[1]
  local arr = rawget(state, "__array_state")
  assert_obj(arr ~= nil, "No array set, please use the array modifier to set the array to validate")
  if length == nil then
    length = 0
    for i in pairs(arr) do
      if type(i) == "number" and i > length and math.floor(i) == i then length = i end
    end
  end
  assert_obj(type(length) == "number", "expected array length to be of type 'number', got: " .. tostring(length))
  local missing
  for i = 1, length do
    if arr[i] == nil then missing = i break end
  end
  args[1] = missing
  args.n = missing and 1 or 0
  return missing ~= nil, { missing }
end, "assertion.array_holes.positive", "assertion.array_holes.negative")

-- ---------------------------------------------------------------------------------------------
-- spies, stubs, mocks
-- ---------------------------------------------------------------------------------------------
local spy_mt = {
  __call = function(self, ...)
    local args = util.make_arglist(...)
    table.insert(self.calls, util.copyargs(args))
    local function returned(...)
      table.insert(self.returnvals, util.copyargs(util.make_arglist(...)))
      return ...
    end
    return returned(self.callback(...))
  end,
}

is_spy = function(v) return type(v) == "table" and getmetatable(v) == spy_mt end

local spy = {}
function spy.new(callback)
  callback = callback or function() end
  if not util.callable(callback) then
    raise("Cannot spy on type '" .. type(callback) .. "', only on functions or callable elements")
  end
  local s = setmetatable({
    calls = {},
    returnvals = {},
    callback = callback,
    revert = function(self)
      if not self.reverted then
        if self.target_table and self.target_key then self.target_table[self.target_key] = self.callback end
        self.reverted = true
      end
      return self.callback
    end,
    clear = function(self)
      self.calls, self.returnvals = {}, {}
      return self
    end,
    called = function(self, times, compare)
      if times or compare then
        compare = compare or function(count, expected) return count == expected end
        return compare(#self.calls, times), #self.calls
      end
      return #self.calls > 0, #self.calls
    end,
    called_with = function(self, args)
      local last = #self.calls > 0 and self.calls[#self.calls].vals or nil
      local m = util.matchargs(self.calls, args)
      if m then return true, m.vals end
      return false, last
    end,
    returned_with = function(self, args)
      local last = #self.returnvals > 0 and self.returnvals[#self.returnvals].vals or nil
      local m = util.matchargs(self.returnvals, args)
      if m then return true, m.vals end
      return false, last
    end,
  }, spy_mt)
  current.spies[s] = true
  return s
end
spy.is_spy = is_spy
function spy.on(target, key)
  local s = spy.new(target[key])
  target[key] = s
  s.target_table, s.target_key = target, key
  return s
end
setmetatable(spy, { __call = function(_, ...) return spy.new(...) end })

local function spy_payload(state, args)
  state.payload = args[1]
  if args[2] ~= nil then state.failure_message = args[2] end
end
register(nil, "modifier", "spy", spy_payload)
register(nil, "modifier", "stub", function(state, args)
  state.payload = args[1]
  state.failure_message = args[2]
end)

local function with_assertion(method, what)
  return function(state, args)
    local payload = rawget(state, "payload")
    if payload and payload[method] then
      local holds, found = payload[method](payload, args)
      local expected = util.shallowcopy(args)
      for i = args.n, 1, -1 do util.tremove(args, i) end
      args.n = nil
      util.tinsert(args, 1, found)
      util.tinsert(args, 2, expected)
      return holds
    end
    raise("'" .. what .. "' must be chained after 'spy(aspy)'")
  end
end
register(nil, "assertion", "returned_with", with_assertion("returned_with", "returned_with"),
  "assertion.returned_with.positive", "assertion.returned_with.negative")
register(nil, "assertion", "called_with", with_assertion("called_with", "called_with"),
  "assertion.called_with.positive", "assertion.called_with.negative")

local function called(state, args, _, compare)
  local times = args[1]
  if not times and not rawget(state, "mod") then
    state.mod = true
    times = 0
  end
  local payload = rawget(state, "payload")
  if payload and type(payload) == "table" and payload.called then
    local result, count = payload:called(times, compare)
    args[1] = tostring(times or ">0")
    util.tinsert(args, 2, tostring(count))
    args.nofmt = args.nofmt or {}
    args.nofmt[1], args.nofmt[2] = true, true
    return result
  elseif payload and type(payload) == "function" then
    raise("When calling 'spy(aspy)', 'aspy' must not be the original function, but the spy function replacing "
      .. "the original")
  end
  raise("'called' must be chained after 'spy(aspy)'")
end
local function called_cmp(cmp)
  return function(state, args, level) return called(state, args, level, cmp) end
end
register(nil, "assertion", "called", called, "assertion.called.positive", "assertion.called.negative")
register(nil, "assertion", "called_at_least", called_cmp(function(c, e) return c >= e end),
  "assertion.called_at_least.positive", "assertion.called_less_than.positive")
register(nil, "assertion", "called_at_most", called_cmp(function(c, e) return c <= e end),
  "assertion.called_at_most.positive", "assertion.called_more_than.positive")
register(nil, "assertion", "called_more_than", called_cmp(function(c, e) return c > e end),
  "assertion.called_more_than.positive", "assertion.called_at_most.positive")
register(nil, "assertion", "called_less_than", called_cmp(function(c, e) return c < e end),
  "assertion.called_less_than.positive", "assertion.called_at_least.positive")

local stub = {}
function stub.new(object, key, ...)
  if object == nil and key == nil then object, key = {}, "" end
  local values = pack(...)
  assert_obj(type(object) == "table" and key ~= nil,
    "stub.new(): Can only create stub on a table key, call with 2 params; table, key")
  assert_obj(object[key] == nil or util.callable(object[key]),
    "stub.new(): The element for which to create a stub must either be callable, or be nil")
  local old = object[key]
  local fn = values.n == 1 and util.callable(values[1]) and values[1]
  local default = fn or function() return unpack(values) end
  local oncalls, actions = {}, {}
  object[key] = function(...)
    local args = util.make_arglist(...)
    for _, rule in ipairs(oncalls) do
      if matcharg(args, args, rule.vals) then return actions[rule](...) end
    end
    return default(...)
  end
  local s = spy.on(object, key)
  local spy_revert = s.revert
  s.revert = function(self)
    if not self.reverted then
      spy_revert(self)
      object[key] = old
      self.reverted = true
    end
    return old
  end
  s.returns = function(...)
    local rets = pack(...)
    default = function() return unpack(rets) end
    return s
  end
  s.invokes = function(f)
    default = function(...) return f(...) end
    return s
  end
  s.by_default = { returns = s.returns, invokes = s.invokes }
  s.on_call_with = function(...)
    local rule = util.copyargs(util.make_arglist(...))
    return {
      returns = function(...)
        local rets = pack(...)
        oncalls[#oncalls + 1] = rule
        actions[rule] = function() return unpack(rets) end
        return s
      end,
      invokes = function(f)
        oncalls[#oncalls + 1] = rule
        actions[rule] = function(...) return f(...) end
        return s
      end,
    }
  end
  return s
end
function stub.is_stub(v) return is_spy(v) end
setmetatable(stub, { __call = function(_, ...) return stub.new(...) end })

local mock = {}
local function mock_apply(object, action)
  if type(object) ~= "table" then return end
  if is_spy(object) then return object[action](object) end
  for _, v in pairs(object) do mock_apply(v, action) end
  return object
end
function mock.new(object, dostub, func, self, key)
  local visited = {}
  local function do_mock(obj, parent, k)
    if type(obj) == "table" then
      if is_spy(obj) or visited[obj] then return obj end
      visited[obj] = true
      for kk, v in pairs(obj) do obj[kk] = do_mock(v, obj, kk) end
      return obj
    elseif type(obj) == "function" then
      if dostub then return stub(parent, k, func) end
      if parent == nil then return spy.new(obj) end
      return spy.on(parent, k)
    end
    return obj
  end
  return do_mock(object, self, key)
end
function mock.clear(object) return mock_apply(object, "clear") end
function mock.revert(object) return mock_apply(object, "revert") end
setmetatable(mock, { __call = function(_, ...) return mock.new(...) end })

-- ---------------------------------------------------------------------------------------------
-- match: argument matchers
-- ---------------------------------------------------------------------------------------------
local matcher_mt = { __call = function(self, value) return self.callback(value) == self.mod end }
is_matcher = function(v) return type(v) == "table" and getmetatable(v) == matcher_mt end

local mstate_mt = {}
local function new_mstate() return setmetatable({ mod = true, tokens = {} }, mstate_mt) end
mstate_mt.__index = state_mt.__index
mstate_mt.__call = function(self, ...)
  local keys = extract_keys("matcher", rawget(self, "tokens"))
  rawset(self, "tokens", {})
  local matcher
  for _, k in ipairs(keys) do matcher = namespace.matcher[k] or matcher end
  local args = util.make_arglist(...)
  if matcher then
    for _, k in ipairs(keys) do
      local m = namespace.modifier[k]
      if m then m.callback(self) end
    end
    local fn = matcher.callback(self, args, 2)
    return setmetatable({ name = matcher.name, mod = rawget(self, "mod"), callback = fn, arguments = args },
      matcher_mt)
  end
  for _, k in ipairs(keys) do
    local m = namespace.modifier[k]
    if m then m.callback(self, args, 2) end
  end
  return self
end

local match = {
  -- no name/arguments, as in luassert (formatting it in a failure message is an error there too)
  _ = setmetatable({ mod = true, callback = function() return true end }, matcher_mt),
  state = new_mstate,
  is_matcher = function(v) return is_matcher(v) end,
  is_ref_matcher = function(v) return is_matcher(v) and v.name == "ref" end,
}
setmetatable(match, { __index = function(self, key) return rawget(self, key) or new_mstate()[key] end })

local function value_matcher(test)
  return function() return test end
end
register(nil, "matcher", "true", value_matcher(function(v) return v == true end))
register(nil, "matcher", "false", value_matcher(function(v) return v == false end))
register(nil, "matcher", "truthy", value_matcher(function(v) return v ~= false and v ~= nil end))
register(nil, "matcher", "falsy", value_matcher(function(v) return not (v ~= false and v ~= nil) end))
for _, t in ipairs({ "nil", "boolean", "number", "string", "table", "function", "userdata", "thread" }) do
  register(nil, "matcher", t, value_matcher(function(v) return type(v) == t end))
end
register(nil, "matcher", "unique", function(_, args)
  local deep = args[1]
  return function(list) return all_unique(list, deep) end
end)
register(nil, "matcher", "near", function(_, args)
  check(args.n > 1, "assertion.internal.argtolittle", { "near", 2, tostring(args.n) })
  local expected, tolerance = tonumber(args[1]), tonumber(args[2])
  check(expected, "assertion.internal.badargtype", { 1, "near", NUMBERISH, format1(args[1]) })
  check(tolerance, "assertion.internal.badargtype", { 2, "near", NUMBERISH, format1(args[2]) })
  return function(value)
    local actual = tonumber(value)
    if not actual then return false end
    return actual >= expected - tolerance and actual <= expected + tolerance
  end
end)
local function match_matcher(_, args)
  check(args.n > 0, "assertion.internal.argtolittle", { "matches", 1, tostring(args.n) })
  local pattern, init, plain = args[1], args[2], args[3]
  check(type(pattern) == "string", "assertion.internal.badargtype", { 1, "matches", "string", type(args[1]) })
  check(init == nil or tonumber(init), "assertion.internal.badargtype", { 2, "matches", "number", type(args[2]) })
  return function(value)
    local t = type(value)
    if t == "string" or t == "number" or (t == "table" and (getmetatable(value) or {}).__tostring) then
      return tostring(value):find(pattern, init, plain) ~= nil
    end
    return false
  end
end
register(nil, "matcher", "matches", match_matcher)
register(nil, "matcher", "match", match_matcher)
local function equals_matcher(_, args)
  check(args.n > 0, "assertion.internal.argtolittle", { "equals", 1, tostring(args.n) })
  return function(value) return value == args[1] end
end
register(nil, "matcher", "equals", equals_matcher)
register(nil, "matcher", "equal", equals_matcher)
register(nil, "matcher", "same", function(_, args)
  check(args.n > 0, "assertion.internal.argtolittle", { "same", 1, tostring(args.n) })
  return function(value)
    if type(value) == "table" and type(args[1]) == "table" then
      return (util.deepcompare(value, args[1], true))
    end
    return value == args[1]
  end
end)
register(nil, "matcher", "ref", function(_, args)
  local t = type(args[1])
  check(args.n > 0, "assertion.internal.argtolittle", { "ref", 1, tostring(args.n) })
  check(t == "table" or t == "function" or t == "thread" or t == "userdata", "assertion.internal.badargtype",
    { 1, "ref", "object", t })
  return function(value) return value == args[1] end
end)
local function composite(name, want_any, result_if_hit)
  return function(_, args)
    check(args.n > 0, "assertion.internal.argtolittle", { name, 1, tostring(args.n) })
    for i = 1, args.n do
      check(is_matcher(args[i]), "assertion.internal.badargtype", { 1, name, "matcher", type(args[i]) })
    end
    return function(value)
      for i = 1, args.n do
        local hit = args[i](value)
        if want_any and hit then return result_if_hit end
        if not want_any and not hit then return false end
      end
      if want_any then return not result_if_hit end
      return true
    end
  end
end
register(nil, "matcher", "none_of", composite("none", true, false))
register(nil, "matcher", "any_of", composite("any", true, true))
register(nil, "matcher", "all_of", composite("all", false))

-- ---------------------------------------------------------------------------------------------
-- the default formatters (after user formatters)
-- ---------------------------------------------------------------------------------------------
builtin_formatters = {
  function(v) if type(v) == "string" then return string.format("(string) '%s'", v) end end,
  function(v) if type(v) == "number" then return "(number) " .. num_str(v) end end,
  function(v) if type(v) == "boolean" then return "(boolean) " .. tostring(v) end end,
  function(v) if v == nil then return "(nil)" end end,
  function(v, fmtargs)
    if is_matcher(v) then
      local parts = {}
      for i = 1, v.arguments.n do parts[#parts + 1] = format1(v.arguments[i]) end
      return string.format("(matcher) %s%s(%s)", v.mod and "is." or "no.", tostring(v.name),
        table.concat(parts, ", "))
    end
    if util.is_arglist(v) then
      local parts = {}
      for i = 1, v.n do parts[#parts + 1] = format1(v[i]) end
      return "(values list) (" .. table.concat(parts, ", ") .. ")"
    end
    if type(v) == "table" then return fmt_table(v, fmtargs) end
  end,
  function(v)
    if type(v) == "function" then
      local info = debug.getinfo(v, "S")
      return string.format("%s @ line %s in %s", tostring(v), tostring(info.linedefined), tostring(info.source))
    end
  end,
  function(v) if type(v) == "userdata" then return string.format("(userdata) '%s'", tostring(v)) end end,
  function(v) if type(v) == "thread" then return string.format("(thread) '%s'", tostring(v)) end end,
}

local state_api = {
  snapshot = snapshot,
  revert = revert,
  add_formatter = add_formatter,
  remove_formatter = remove_formatter,
  format_argument = format_argument,
  set_parameter = set_parameter,
  get_parameter = get_parameter,
  add_spy = function(s) current.spies[s] = true end,
}

return {
  assert = assert_obj,
  spy = spy,
  stub = stub,
  mock = mock,
  match = match,
  say = say,
  util = util,
  state = state_api,
  namespaces = namespace,
  snapshot = snapshot,
  is_failure = is_failure,
  fail = fail,
  format = format1,
}
