-- luassert-compatible assertions, spies, stubs, mocks and matchers, written for ao-harness.
-- Loaded once per Lua state; returns { assert = ..., spy = ..., stub = ..., mock = ..., match = ...,
-- say = ..., state = ... }.
local unpack = table.unpack or unpack
local pack = table.pack or function(...) return { n = select("#", ...), ... } end

-- ---------------------------------------------------------------------------------------------
-- say: message templates (what custom assertions use for their messages)
-- ---------------------------------------------------------------------------------------------
local say_messages = {}
local say = setmetatable({}, {
  __call = function(_, key, vars)
    local tpl = say_messages[key]
    if tpl == nil then return nil end
    vars = vars or {}
    local n = vars.n or #vars
    local args = {}
    for i = 1, n do args[i] = tostring(vars[i]) end
    local ok, text = pcall(string.format, tpl, unpack(args, 1, n))
    return ok and text or tpl
  end,
})
function say:set_namespace(_) end
function say:set(key, value) say_messages[key] = value end

-- ---------------------------------------------------------------------------------------------
-- formatting values for messages and diffs
-- ---------------------------------------------------------------------------------------------
local parameters = { TableFormatLevel = 3, TableErrorHighlightCharacter = "*" }
local formatters = {}

local function is_ident(k)
  return type(k) == "string" and k:match("^[%a_][%w_]*$") ~= nil
end

local function key_order(a, b)
  local ta, tb = type(a), type(b)
  if ta ~= tb then return ta < tb end
  if ta == "number" or ta == "string" then return a < b end
  return tostring(a) < tostring(b)
end

local function fmt_scalar(v)
  local t = type(v)
  if t == "string" then return string.format("%q", v):gsub("\\\n", "\\n") end
  if t == "number" and math.type and math.type(v) == "float" and v == math.floor(v)
    and v > -1e15 and v < 1e15 then
    return string.format("%.1f", v)
  end
  return tostring(v)
end

local function format_value(v, level, indent, seen)
  for _, f in ipairs(formatters) do
    local s = f(v)
    if s ~= nil then return tostring(s) end
  end
  if type(v) ~= "table" then return fmt_scalar(v) end
  local mt = getmetatable(v)
  if mt and mt.__tostring and not mt.__luassert_plain then return tostring(v) end
  indent = indent or ""
  seen = seen or {}
  if seen[v] then return "<cycle>" end
  level = level or parameters.TableFormatLevel
  if level >= 0 and #indent / 2 >= level then return "{ ... }" end
  seen[v] = true
  local n = 0
  for _ in pairs(v) do n = n + 1 end
  local len = #v
  if n == 0 then seen[v] = nil; return "{}" end
  local parts, simple = {}, (n == len)
  if simple then
    for i = 1, len do
      if type(v[i]) == "table" then simple = false break end
      parts[i] = fmt_scalar(v[i])
    end
    if simple then
      local line = "{ " .. table.concat(parts, ", ") .. " }"
      if #line <= 72 then seen[v] = nil; return line end
    end
  end
  local keys = {}
  for k in pairs(v) do keys[#keys + 1] = k end
  table.sort(keys, key_order)
  local inner = indent .. "  "
  local lines = { "{" }
  for _, k in ipairs(keys) do
    local ks
    if type(k) == "number" and k >= 1 and k <= len and k == math.floor(k) then
      ks = "[" .. tostring(k) .. "] = "
    elseif is_ident(k) then
      ks = k .. " = "
    else
      ks = "[" .. fmt_scalar(k) .. "] = "
    end
    lines[#lines + 1] = inner .. ks .. format_value(v[k], level, inner, seen) .. ","
  end
  lines[#lines + 1] = indent .. "}"
  seen[v] = nil
  return table.concat(lines, "\n")
end

-- ---------------------------------------------------------------------------------------------
-- failures: a table error the runner recognises (tostring gives the message)
-- ---------------------------------------------------------------------------------------------
local failure_mt = {
  __tostring = function(e) return tostring(e.message) end,
  __luassert_failure = true,
}

local function is_failure(e)
  return type(e) == "table" and getmetatable(e) == failure_mt
end

local function fail(message, extra)
  local e = setmetatable({ message = message }, failure_mt)
  if extra then for k, v in pairs(extra) do e[k] = v end end
  error(e, 0)
end

-- ---------------------------------------------------------------------------------------------
-- deep comparison, matchers
-- ---------------------------------------------------------------------------------------------
local matcher_mt = {}
local function is_matcher(v) return type(v) == "table" and getmetatable(v) == matcher_mt end

local function deepcompare(a, b, seen)
  if is_matcher(a) then return a.fn(b) end
  if a == b then return true end
  if type(a) ~= "table" or type(b) ~= "table" then return false end
  local mta = getmetatable(a)
  if mta and mta.__eq and mta == getmetatable(b) then return a == b end
  seen = seen or {}
  if seen[a] == b then return true end
  seen[a] = b
  for k, va in pairs(a) do
    local vb = b[k]
    if vb == nil and not is_matcher(va) then return false end
    if not deepcompare(va, vb, seen) then return false end
  end
  for k in pairs(b) do
    if rawget(a, k) == nil then return false end
  end
  return true
end

local function args_match(expected, actual)
  local n = math.max(expected.n or #expected, actual.n or #actual)
  for i = 1, n do
    local e, a = expected[i], actual[i]
    if is_matcher(e) then
      if not e.fn(a) then return false end
    elseif not deepcompare(e, a) then
      return false
    end
  end
  return true
end

-- ---------------------------------------------------------------------------------------------
-- spies, stubs, mocks and the snapshot stack that reverts them
-- ---------------------------------------------------------------------------------------------
local snapshots = { { spies = {}, params = {} } }

local function track(s)
  local top = snapshots[#snapshots]
  top.spies[#top.spies + 1] = s
end

local spy_mt = {}
local spy = {}

local function spy_call(self, ...)
  local args = pack(...)
  self.calls[#self.calls + 1] = args
  local rets
  if self._on_call then
    for _, rule in ipairs(self._on_call) do
      if args_match(rule.args, args) then
        rets = rule.action and pack(rule.action(...)) or rule.values
        break
      end
    end
  end
  if not rets then
    if self._invokes then
      rets = pack(self._invokes(...))
    elseif self._returns then
      rets = self._returns
    else
      rets = pack(self.callback(...))
    end
  end
  self.returnvals[#self.returnvals + 1] = rets
  return unpack(rets, 1, rets.n)
end

spy_mt.__call = spy_call
spy_mt.__luassert_plain = true
spy_mt.__tostring = function(s) return "spy(" .. tostring(s.name or "anonymous") .. ")" end

local function strip_self(s, ...)
  if select("#", ...) > 0 and (select(1, ...)) == s then return select(2, ...) end
  return ...
end

local methods = {}
function methods.called(s, n) return n == nil and #s.calls > 0 or #s.calls == n end
function methods.called_with(s, ...)
  local expected = pack(...)
  for _, c in ipairs(s.calls) do if args_match(expected, c) then return true end end
  return false
end
function methods.returned_with(s, ...)
  local expected = pack(...)
  for _, r in ipairs(s.returnvals) do if args_match(expected, r) then return true end end
  return false
end
function methods.clear(s) s.calls = {}; s.returnvals = {}; return s end
function methods.revert(s)
  if s.target ~= nil and s.key ~= nil and not s.reverted then
    s.target[s.key] = s.original
    s.reverted = true
  end
  return s.original
end

local function make_spy(fn, name)
  local s = setmetatable({ calls = {}, returnvals = {}, callback = fn or function() end, name = name }, spy_mt)
  for k, m in pairs(methods) do
    s[k] = function(...) return m(s, strip_self(s, ...)) end
  end
  -- stub behaviour controls (dot or colon call both work)
  s.returns = function(...) s._invokes = nil; s._returns = pack(strip_self(s, ...)); return s end
  s.invokes = function(...) s._returns = nil; s._invokes = (strip_self(s, ...)); return s end
  s.by_default = { returns = s.returns, invokes = s.invokes }
  s.on_call_with = function(...)
    local rule = { args = pack(strip_self(s, ...)) }
    s._on_call = s._on_call or {}
    table.insert(s._on_call, 1, rule)
    local ctl = {}
    ctl.returns = function(...) rule.values = pack(strip_self(ctl, ...)); return s end
    ctl.invokes = function(...) rule.action = (strip_self(ctl, ...)); return s end
    return ctl
  end
  return s
end

function spy.new(fn)
  if fn ~= nil and type(fn) ~= "function" and not (getmetatable(fn) or {}).__call then
    error("Cannot spy on type '" .. type(fn) .. "', only on functions or callable elements", 2)
  end
  local s = make_spy(fn)
  track(s)
  return s
end

function spy.on(target, key)
  if type(target) ~= "table" then error("spy.on needs a table, got " .. type(target), 2) end
  local original = target[key]
  local s = spy.new(original)
  s.target, s.key, s.original, s.name = target, key, original, key
  target[key] = s
  return s
end

function spy.is_spy(v) return type(v) == "table" and getmetatable(v) == spy_mt end

setmetatable(spy, { __call = function(_, fn) return spy.new(fn) end })

local stub = {}
function stub.new(target, key, ...)
  local rets = pack(...)
  if target == nil then
    local s = make_spy(function() end, "stub")
    s._returns = rets
    track(s)
    return s
  end
  if type(target) ~= "table" then error("stub needs a table, got " .. type(target), 2) end
  local original = target[key]
  local s = make_spy(function() end, key)
  s._returns = rets
  s.target, s.key, s.original = target, key, original
  target[key] = s
  track(s)
  return s
end
function stub.is_stub(v) return spy.is_spy(v) end
setmetatable(stub, { __call = function(_, ...) return stub.new(...) end })

local mock = {}
local function mock_apply(t, use_stubs, seen, f)
  seen = seen or {}
  if seen[t] then return end
  seen[t] = true
  for k, v in pairs(t) do
    if type(v) == "function" then
      if use_stubs then stub.new(t, k) else spy.on(t, k) end
    elseif type(v) == "table" and not spy.is_spy(v) then
      mock_apply(v, use_stubs, seen)
    elseif f and spy.is_spy(v) then
      f(v)
    end
  end
end
local function mock_each(t, f, seen)
  seen = seen or {}
  if seen[t] then return end
  seen[t] = true
  for _, v in pairs(t) do
    if spy.is_spy(v) then f(v) elseif type(v) == "table" then mock_each(v, f, seen) end
  end
end
function mock.new(t, use_stubs) mock_apply(t, use_stubs); return t end
function mock.revert(t) mock_each(t, function(s) s:revert() end); return t end
function mock.clear(t) mock_each(t, function(s) s:clear() end); return t end
setmetatable(mock, { __call = function(_, t, use_stubs) return mock.new(t, use_stubs) end })

local function snapshot()
  local snap = { spies = {}, params = {} }
  for k, v in pairs(parameters) do snap.params[k] = v end
  snap.formatters = { unpack(formatters) }
  snapshots[#snapshots + 1] = snap
  function snap.revert(self)
    self = self or snap
    while #snapshots > 1 do
      local top = table.remove(snapshots)
      for i = #top.spies, 1, -1 do top.spies[i]:revert() end
      for k in pairs(parameters) do parameters[k] = nil end
      for k, v in pairs(top.params) do parameters[k] = v end
      for i = #formatters, 1, -1 do formatters[i] = nil end
      for i, f in ipairs(top.formatters) do formatters[i] = f end
      if top == self then break end
    end
  end
  return snap
end

-- ---------------------------------------------------------------------------------------------
-- the assertion registry
-- ---------------------------------------------------------------------------------------------
local assertions, modifiers, matchers = {}, {}, {}
local modifier_words = { is = true, are = true, was = true, has = true, does = true, a = true, an = true,
  the = true, be = true, to = true }
local negations = { ["not"] = true, no = true }

local function fmtargs(args, level)
  local out = { n = args.n }
  for i = 1, args.n do out[i] = format_value(args[i], level) end
  return out
end

-- builtin messages: positive (assertion failed), negative (negated assertion failed)
local messages = {}
local function msg(name, pos, neg) messages[name] = { pos, neg } end

local function register(kind, name, fn, pos, neg)
  name = name:lower()
  if kind == "assertion" then
    assertions[name] = { fn = fn, pos = pos, neg = neg }
  elseif kind == "modifier" then
    modifiers[name] = fn
  elseif kind == "matcher" then
    matchers[name] = fn
  else
    error("assert:register: unknown kind '" .. tostring(kind) .. "' (assertion, modifier or matcher)", 2)
  end
end

local function spy_of(state, args)
  local s = state.payload
  if s == nil then s = args[1] end
  if not spy.is_spy(s) then
    fail("Expected a spy or stub: use assert.spy(s) or assert.stub(s), got " .. format_value(s))
  end
  return s
end

local function run_assertion(state, name, def, ...)
  local args = pack(...)
  local ok = def.fn(state, args, 2)
  local passed = (ok and true or false) ~= (state.negated and true or false)
  if passed then return state.chain end
  local text
  if state.message then
    text = state.message
  else
    local key = state.negated and def.neg or def.pos
    local b = messages[name]
    local template = b and (state.negated and b[2] or b[1])
    local shown = args.fmtargs or fmtargs(args)
    if template then
      local fn = template
      text = type(fn) == "function" and fn(shown, args) or fn
    else
      text = key and say(key, shown) or ("assertion '" .. name .. "' failed" ..
        (state.negated and " (negated)" or "") .. "\n" .. table.concat(shown, "\n"))
    end
  end
  local extra = {}
  if args.diff_expected then
    extra.expected, extra.actual = args.diff_expected, args.diff_actual
  end
  extra.assertion = (state.negated and "not " or "") .. name
  fail(text, extra)
end

local function lower_tokens(key)
  local tokens = {}
  for t in tostring(key):lower():gmatch("[^_]+") do tokens[#tokens + 1] = t end
  return tokens
end

local chain_mt = {}

local function new_chain(state)
  local c = setmetatable({ __state = state }, chain_mt)
  state.chain = c
  return c
end

-- Apply the words of a key ("is_not_same" -> is, not, same) to a state; returns the resolved
-- assertion (name, def) or a pending modifier (name, fn) that takes call arguments.
local function resolve(state, key)
  local tokens = lower_tokens(key)
  local i, n = 1, #tokens
  local result_kind, result_name, result_def
  while i <= n do
    local found = false
    for j = n, i, -1 do
      local word = table.concat(tokens, "_", i, j)
      if j == n and assertions[word] then
        result_kind, result_name, result_def = "assertion", word, assertions[word]
        found = true
      elseif negations[word] then
        state.negated = not state.negated
        found = true
      elseif modifier_words[word] then
        found = true
      elseif modifiers[word] then
        if j == n then
          result_kind, result_name, result_def = "modifier", word, modifiers[word]
        else
          modifiers[word](state, { n = 0 }, 2)
        end
        found = true
      elseif assertions[word] and j < n then
        -- an assertion name in the middle of a chain is not allowed
        found = false
      end
      if found then i = j + 1 break end
    end
    if not found then
      error("luassert: unknown assertion or modifier '" .. tokens[i] .. "' in '" .. tostring(key) .. "'", 3)
    end
  end
  return result_kind, result_name, result_def
end

chain_mt.__index = function(self, key)
  local parent = rawget(self, "__state")
  local state = {}
  for k, v in pairs(parent) do state[k] = v end
  local kind, name, def = resolve(state, key)
  if kind == "assertion" then
    return function(...)
      local c = new_chain(state)
      return run_assertion(state, name, def, ...) and c
    end
  elseif kind == "modifier" then
    return setmetatable({ __state = state }, {
      __index = function(_, k) def(state, { n = 0 }, 2); return new_chain(state)[k] end,
      __call = function(_, ...)
        local args = pack(...)
        def(state, args, 2)
        return new_chain(state)
      end,
    })
  end
  return new_chain(state)
end

-- assert(value, message): like Lua's assert but a failure
local function plain_assert(value, message, ...)
  if not value then fail(message ~= nil and tostring(message) or "assertion failed!") end
  return value, message, ...
end

local assert_obj = setmetatable({ __state = {} }, {
  __index = function(self, key)
    return chain_mt.__index(self, key)
  end,
  __call = function(_, ...) return plain_assert(...) end,
})

local api = {}
function api.register(_, kind, name, fn, pos, neg) register(kind, name, fn, pos, neg) end
function api.unregister(_, kind, name)
  name = name:lower()
  if kind == "assertion" then assertions[name] = nil
  elseif kind == "modifier" then modifiers[name] = nil
  else matchers[name] = nil end
end
function api.set_parameter(_, name, value) parameters[name] = value end
function api.get_parameter(_, name) return parameters[name] end
function api.add_formatter(_, f) table.insert(formatters, 1, f) end
function api.remove_formatter(_, f)
  for i = #formatters, 1, -1 do if formatters[i] == f then table.remove(formatters, i) end end
end
function api.snapshot(_) return snapshot() end
function api.format(_, args) return fmtargs(args) end
rawset(assert_obj, "register", api.register)
rawset(assert_obj, "unregister", api.unregister)
rawset(assert_obj, "set_parameter", api.set_parameter)
rawset(assert_obj, "get_parameter", api.get_parameter)
rawset(assert_obj, "add_formatter", api.add_formatter)
rawset(assert_obj, "remove_formatter", api.remove_formatter)
rawset(assert_obj, "snapshot", api.snapshot)
rawset(assert_obj, "format", api.format)
rawset(assert_obj, "fail", function(m) fail(m) end)

-- ---------------------------------------------------------------------------------------------
-- builtin assertions
-- ---------------------------------------------------------------------------------------------
local function need(args, n, name)
  if args.n < n then
    error("assertion '" .. name .. "' needs " .. n .. " argument" .. (n > 1 and "s" or "") ..
      ", got " .. args.n, 4)
  end
end

local function type_assertion(tname, check)
  register("assertion", tname, function(_, args)
    return check(args[1])
  end)
  msg(tname, function(s) return "Expected " .. tostring(s[1]) .. " to be " .. tname end,
    function(s) return "Expected " .. tostring(s[1]) .. " not to be " .. tname end)
end
type_assertion("true", function(v) return v == true end)
type_assertion("false", function(v) return v == false end)
for _, t in ipairs({ "boolean", "number", "string", "table", "nil", "userdata", "function", "thread" }) do
  type_assertion(t, function(v) return type(v) == t end)
end
type_assertion("truthy", function(v) return v ~= nil and v ~= false end)
type_assertion("falsy", function(v) return v == nil or v == false end)

local function same(_, args)
  need(args, 2, "same")
  local ok = deepcompare(args[1], args[2])
  args.diff_expected, args.diff_actual = format_value(args[1], -1), format_value(args[2], -1)
  return ok
end
register("assertion", "same", same)
msg("same", function(s) return "Expected objects to be the same.\nPassed in:\n" .. s[2] .. "\nExpected:\n" .. s[1] end,
  function(s) return "Expected objects not to be the same.\nPassed in:\n" .. s[2] .. "\nDid not expect:\n" .. s[1] end)

local function equals(_, args)
  need(args, 2, "equals")
  for i = 2, args.n do if args[1] ~= args[i] then
    args.diff_expected, args.diff_actual = format_value(args[1], -1), format_value(args[i], -1)
    return false
  end end
  return true
end
register("assertion", "equals", equals)
register("assertion", "equal", equals)
local eqpos = function(s) return "Expected objects to be equal.\nPassed in:\n" .. s[2] .. "\nExpected:\n" .. s[1] end
local eqneg = function(s) return "Expected objects not to be equal.\nPassed in:\n" .. s[2] .. "\nDid not expect:\n" .. s[1] end
msg("equals", eqpos, eqneg)
msg("equal", eqpos, eqneg)

register("assertion", "unique", function(_, args)
  need(args, 1, "unique")
  local list, deep = args[1], args[2]
  if type(list) ~= "table" then error("assertion 'unique' needs a table, got " .. type(list), 4) end
  local items = {}
  for _, v in pairs(list) do items[#items + 1] = v end
  for i = 1, #items do
    for j = i + 1, #items do
      if (deep and deepcompare(items[i], items[j])) or (not deep and items[i] == items[j]) then
        return false
      end
    end
  end
  return true
end)
msg("unique", function(s) return "Expected object to be unique:\n" .. s[1] end,
  function(s) return "Expected object to not be unique:\n" .. s[1] end)

register("assertion", "near", function(_, args)
  need(args, 3, "near")
  local e, a, tol = tonumber(args[1]), tonumber(args[2]), tonumber(args[3])
  if e == nil or a == nil or tol == nil then
    error("assertion 'near' needs three numbers (expected, actual, tolerance)", 4)
  end
  return a >= e - tol and a <= e + tol
end)
msg("near", function(s) return "Expected " .. s[2] .. " to be near " .. s[1] .. " (tolerance " .. s[3] .. ")" end,
  function(s) return "Expected " .. s[2] .. " not to be near " .. s[1] .. " (tolerance " .. s[3] .. ")" end)

local function matches(_, args)
  need(args, 2, "matches")
  local pattern, actual = args[1], args[2]
  if type(actual) == "number" then actual = tostring(actual) end
  if type(actual) ~= "string" then return false end
  return actual:find(pattern, args[3], args[4]) ~= nil
end
register("assertion", "matches", matches)
register("assertion", "match", matches)
local mpos = function(s) return "Expected strings to match.\nPassed in:\n" .. s[2] .. "\nExpected:\n" .. s[1] end
local mneg = function(s) return "Expected strings not to match.\nPassed in:\n" .. s[2] .. "\nDid not expect:\n" .. s[1] end
msg("matches", mpos, mneg)
msg("match", mpos, mneg)

local function call_for_error(args, name)
  local fn = args[1]
  if type(fn) ~= "function" and not (getmetatable(fn) or {}).__call then
    error("assertion '" .. name .. "' needs a function to call, got " .. type(fn), 5)
  end
  local ok, err = pcall(fn)
  return ok, err
end

local function has_error(_, args)
  need(args, 1, "error")
  local ok, err = call_for_error(args, "error")
  args.raised = not ok
  args.err = err
  if ok then return false end
  if args.n < 2 then return true end
  local expected = args[2]
  if type(err) == "string" and type(expected) == "string" then
    err = err:gsub("^.-:%d+: ", "", 1)
  end
  args.err = err
  if type(err) == "table" and type(expected) == "string" and (getmetatable(err) or {}).__tostring then
    err = tostring(err)
  end
  return deepcompare(expected, err)
end
for _, n in ipairs({ "error", "errors" }) do
  register("assertion", n, has_error)
  msg(n, function(s, a)
    if not a.raised then return "Expected a different error.\nCaught:\n(no error)\nExpected:\n" .. (s[2] or "(any error)") end
    return "Expected a different error.\nCaught:\n" .. format_value(a.err) .. "\nExpected:\n" .. s[2]
  end, function(s, a)
    return "Expected no error, but caught:\n" .. format_value(a.err)
  end)
end

local function error_matches(_, args)
  need(args, 2, "error_matches")
  local ok, err = call_for_error(args, "error_matches")
  args.raised, args.err = not ok, err
  if ok then return false end
  if (getmetatable(err) or {}).__tostring then err = tostring(err) end
  if type(err) == "number" then err = tostring(err) end
  if type(err) ~= "string" then return false end
  return err:find(args[2], args[3], args[4]) ~= nil
end
for _, n in ipairs({ "error_matches", "error_match", "matches_error", "match_error" }) do
  register("assertion", n, error_matches)
  msg(n, function(s, a)
    return "Expected an error matching " .. s[2] .. "\nCaught:\n" ..
      (a.raised and format_value(a.err) or "(no error)")
  end, function(s, a)
    return "Expected no error matching " .. s[2] .. ", but caught:\n" .. format_value(a.err)
  end)
end

register("assertion", "returned_arguments", function(_, args)
  need(args, 1, "returned_arguments")
  args.count = args.n - 1
  return args[1] == args.n - 1
end)
msg("returned_arguments", function(s, a) return "Expected to be called with " .. s[1] .. " argument(s), but was called with " .. a.count end,
  function(s, a) return "Expected not to be called with " .. s[1] .. " argument(s), but was called with " .. a.count end)

-- array(t).holes(length)
register("modifier", "array", function(state, args) state.payload = args[1] end)
register("assertion", "holes", function(state, args)
  local t = state.payload
  if type(t) ~= "table" then error("assert.array(t).holes() needs a table, got " .. type(t), 4) end
  local length = args[1]
  if length == nil then
    length = 0
    for k in pairs(t) do if type(k) == "number" and k > length then length = k end end
  end
  for i = 1, length do
    if t[i] == nil then args.hole = i; return true end
  end
  return false
end)
msg("holes", function() return "Expected array to have holes, but none was found." end,
  function(s, a) return "Expected array not to have holes, hole found at position: " .. tostring(a.hole) end)

-- message(text) modifier
register("modifier", "message", function(state, args) state.message = args[1] ~= nil and tostring(args[1]) or nil end)

-- spies
register("modifier", "spy", function(state, args) state.payload = args[1] end)
register("modifier", "stub", function(state, args) state.payload = args[1] end)

local function describe_calls(s)
  local lines = {}
  for i, c in ipairs(s.calls) do
    local parts = {}
    for k = 1, c.n do parts[k] = format_value(c[k], 1) end
    lines[#lines + 1] = "  call " .. i .. ": (" .. table.concat(parts, ", ") .. ")"
  end
  if #lines == 0 then return "  (never called)" end
  return table.concat(lines, "\n")
end

register("assertion", "called", function(state, args)
  local s = spy_of(state, args)
  args.spy = s
  local n = args[1]
  if n ~= nil and type(n) ~= "number" then
    error("assertion 'called' takes the number of calls, got " .. type(n), 4)
  end
  if n == nil then return #s.calls > 0 end
  return #s.calls == n
end)
msg("called", function(s, a)
  return "Expected to be called " .. (a[1] and (s[1] .. " time(s)") or "at least once") ..
    ", but was called " .. #a.spy.calls .. " time(s)"
end, function(s, a)
  return "Expected not to be called " .. (a[1] and (s[1] .. " time(s)") or "") ..
    ", but was called " .. #a.spy.calls .. " time(s)"
end)
register("assertion", "called_times", assertions.called.fn)
messages.called_times = messages.called

local function count_assertion(name, cmp, text)
  register("assertion", name, function(state, args)
    local s = spy_of(state, args)
    args.spy = s
    if type(args[1]) ~= "number" then error("assertion '" .. name .. "' needs a number of calls", 4) end
    return cmp(#s.calls, args[1])
  end)
  msg(name, function(s, a) return "Expected to be called " .. text .. " " .. s[1] .. " time(s), but was called " .. #a.spy.calls .. " time(s)" end,
    function(s, a) return "Expected not to be called " .. text .. " " .. s[1] .. " time(s), but was called " .. #a.spy.calls .. " time(s)" end)
end
count_assertion("called_at_least", function(a, b) return a >= b end, "at least")
count_assertion("called_at_most", function(a, b) return a <= b end, "at most")
count_assertion("called_more_than", function(a, b) return a > b end, "more than")
count_assertion("called_less_than", function(a, b) return a < b end, "less than")

local function with_assertion(name, list_key)
  register("assertion", name, function(state, args)
    local s = spy_of(state, args)
    args.spy = s
    local expected = pack(unpack(args, 1, args.n))
    for _, c in ipairs(s[list_key]) do if args_match(expected, c) then return true end end
    return false
  end)
  local what = list_key == "calls" and "called with" or "returned"
  msg(name, function(s, a)
    return "Function was never " .. what .. " matching arguments.\nExpected:\n  (" ..
      table.concat(s, ", ") .. ")\nRecorded:\n" .. describe_calls(list_key == "calls" and a.spy or { calls = a.spy.returnvals })
  end, function(s, a)
    return "Function was " .. what .. " matching arguments (expected it not to be):\n  (" ..
      table.concat(s, ", ") .. ")\nRecorded:\n" .. describe_calls(list_key == "calls" and a.spy or { calls = a.spy.returnvals })
  end)
end
with_assertion("called_with", "calls")
with_assertion("returned_with", "returnvals")

-- ---------------------------------------------------------------------------------------------
-- match: argument matchers
-- ---------------------------------------------------------------------------------------------
local function new_matcher(fn, desc) return setmetatable({ fn = fn, desc = desc }, matcher_mt) end
matcher_mt.__call = function(self, v) return self.fn(v) end
matcher_mt.__tostring = function(self) return "match." .. tostring(self.desc) end

local function assertion_matcher(name)
  return function(_, args)
    return function(value)
      local a = pack(unpack(args, 1, args.n))
      a[a.n + 1] = value
      a.n = a.n + 1
      if name == "same" or name == "equals" or name == "equal" or name == "matches" or name == "match" then
        -- expected first, the value last
        return assertions[name].fn({}, { n = 2, args[1], value, args[2], args[3] })
      elseif name == "near" then
        return assertions.near.fn({}, { n = 3, args[1], value, args[2] })
      end
      return assertions[name].fn({}, { n = 1 + args.n, value, unpack(args, 1, args.n) })
    end
  end
end
for _, n in ipairs({ "true", "false", "nil", "boolean", "number", "string", "table", "function",
  "userdata", "thread", "truthy", "falsy", "same", "equals", "equal", "matches", "match", "near", "unique" }) do
  matchers[n] = assertion_matcher(n)
end
matchers.ref = function(_, args)
  local target = args[1]
  return function(v) return rawequal(v, target) end
end
local function composite(kind)
  return function(_, args)
    local ms = {}
    for i = 1, args.n do
      if not is_matcher(args[i]) then error("match." .. kind .. " takes matchers, got " .. type(args[i]), 4) end
      ms[i] = args[i]
    end
    return function(v)
      local hits = 0
      for _, m in ipairs(ms) do if m.fn(v) then hits = hits + 1 end end
      if kind == "all_of" then return hits == #ms end
      if kind == "any_of" then return hits > 0 end
      return hits == 0
    end
  end
end
matchers.all_of, matchers.any_of, matchers.none_of = composite("all_of"), composite("any_of"), composite("none_of")

local match_chain_mt = {}
local function match_index(state, key)
  if key == "_" then return new_matcher(function() return true end, "_") end
  local tokens = lower_tokens(key)
  local neg = state.negated
  local name
  for i, t in ipairs(tokens) do
    local rest = table.concat(tokens, "_", i)
    if negations[t] then neg = not neg
    elseif modifier_words[t] then -- skip
    elseif matchers[rest] then name = rest break
    else error("luassert: unknown matcher '" .. tostring(key) .. "'", 3) end
  end
  if not name then return setmetatable({ negated = neg }, match_chain_mt) end
  return function(...)
    local f = matchers[name]({}, pack(...))
    local desc = (neg and "is_not_" or "is_") .. name .. "(...)"
    return new_matcher(function(v)
      local r = f(v) and true or false
      return r ~= neg
    end, desc)
  end
end
match_chain_mt.__index = function(self, key) return match_index(self, key) end
local match = setmetatable({}, { __index = function(_, key) return match_index({ negated = false }, key) end })
rawset(match, "is_matcher", is_matcher)

return {
  assert = assert_obj,
  spy = spy,
  stub = stub,
  mock = mock,
  match = match,
  say = say,
  snapshot = snapshot,
  is_failure = is_failure,
  fail = fail,
  format = format_value,
  deepcompare = deepcompare,
}
