-- A busted-compatible DSL and runner, written for ao-harness.  One instance per Lua state (per spec
-- file).  Two modes:
--   discover(chunk)          runs the file and every describe body, returns the tree of tests;
--   run(chunk, selected)     runs the file the way busted does (hook order, lazy/strict setup,
--                            insulate/expose environments) inside a coroutine that yields
--                            { "start", key } / { "end", record } / { "error", record } events.
local luassert = ...
local unpack = table.unpack or unpack
local setfenv = rawget(_G, "setfenv")

local R = {}
local SEP = "\0"

-- ---------------------------------------------------------------------------------------------
-- elements and the context stack
-- ---------------------------------------------------------------------------------------------
local root = { kind = "suite", name = "", children = {}, env = {}, hooks = {}, names = {}, path = {} }
local ctx = root
local stack = {}
local states = {}
local mode = "discover"
local selected = nil     -- set of keys to run (nil: all)
local discovered = {}    -- list of test records (discover mode)

local function parent_of(el) return el.parent end

local function save_globals()
  local g = {}
  for k in next, _G, nil do g[k] = rawget(_G, k) end
  local loaded = {}
  for k, v in pairs(package.loaded) do loaded[k] = v end
  return { gmt = debug.getmetatable(_G), g = g, loaded = loaded }
end

local function restore_globals(s)
  setmetatable(_G, s.gmt)
  for k in next, _G, nil do rawset(_G, k, s.g[k]) end
  for k, v in next, s.g, nil do if rawget(_G, k) == nil then rawset(_G, k, v) end end
  for k in pairs(package.loaded) do package.loaded[k] = s.loaded[k] end
  for k, v in pairs(s.loaded) do if package.loaded[k] == nil then package.loaded[k] = v end end
end

local function unwrap(el, levels)
  local target = el
  for _ = 1, levels do
    target = target and parent_of(target)
  end
  setmetatable(el.env, {
    __newindex = function(_, k, v)
      if target then target.env[k] = v else _G[k] = v end
    end,
  })
end

local function push(el)
  local state = false
  if el.envmode == "insulate" then
    state = save_globals()
  elseif el.envmode == "unwrap" then
    unwrap(el, 1)
  elseif el.envmode == "expose" then
    unwrap(el, 2)
  end
  states[#states + 1] = state
  stack[#stack + 1] = ctx
  ctx = el
end

local function pop()
  local el = ctx
  ctx = table.remove(stack)
  local state = table.remove(states)
  if el.envmode == "expose" and #states > 0 and states[#states] then
    -- what the exposed block changed survives the enclosing insulation
    states[#states] = save_globals()
  end
  if state then restore_globals(state) end
end

-- the environment spec code runs in: lookups go through the context's env chain, then _G
local function lookup(el, key)
  while el do
    local env = el.env
    if env then
      local v = rawget(env, key)
      if v ~= nil then return v end
    end
    el = el.parent
  end
  return _G[key]
end

local spec_env = setmetatable({}, {
  __index = function(_, key) return lookup(ctx, key) end,
  __newindex = function(_, key, value) ctx.env[key] = value end,
})
R.env = spec_env

-- ---------------------------------------------------------------------------------------------
-- errors: capture message, traceback and the failing spec line
-- ---------------------------------------------------------------------------------------------
local pending_mt = { __tostring = function(p) return tostring(p.message) end }
local fail_mt = { __tostring = function(e) return tostring(e.message) end }

local function user_location(level)
  while true do
    local info = debug.getinfo(level, "Sl")
    if not info then return nil end
    if info.what ~= "C" and info.source:sub(1, 1) == "@" then
      return info.short_src .. ":" .. tostring(info.currentline)
    end
    level = level + 1
  end
end

local function classify(err)
  if type(err) == "table" then
    local mt = getmetatable(err)
    if mt == pending_mt then return "pending" end
    if mt == fail_mt or luassert.is_failure(err) then return "failure" end
  end
  return "error"
end

local function describe_error(err, status)
  local rec = { status = status }
  if type(err) == "table" and (getmetatable(err) == fail_mt or luassert.is_failure(err)) then
    rec.message = tostring(err.message)
    rec.expected, rec.actual, rec.assertion = err.expected, err.actual, err.assertion
  elseif type(err) == "table" and getmetatable(err) == pending_mt then
    rec.message = err.message ~= nil and tostring(err.message) or ""
  elseif type(err) == "string" then
    rec.message = err
  elseif type(err) == "table" and (getmetatable(err) or {}).__tostring then
    rec.message = tostring(err)
  elseif err == nil then
    rec.message = "Nil error"
  else
    rec.message = R.pretty(err)
  end
  return rec
end

-- how busted shows an error value that is not a string: a Lua-ish literal, nested tables indented
local function pretty(v, indent, seen)
  local t = type(v)
  if t == "string" then return string.format("%q", v) end
  if t ~= "table" then return tostring(v) end
  if seen[v] then return "<cycle>" end
  seen[v] = true
  local inner = indent .. "  "
  local lines, n = {}, #v
  for i = 1, n do lines[#lines + 1] = inner .. pretty(v[i], inner, seen) end
  local keys = {}
  for k in pairs(v) do
    if not (type(k) == "number" and k >= 1 and k <= n and k % 1 == 0) then keys[#keys + 1] = k end
  end
  table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
  for _, k in ipairs(keys) do
    local key = type(k) == "string" and k:match("^[%a_][%w_]*$") and k or ("[" .. pretty(k, inner, seen) .. "]")
    lines[#lines + 1] = inner .. key .. " = " .. pretty(v[k], inner, seen)
  end
  seen[v] = nil
  if #lines == 0 then return "{}" end
  return "{\n" .. table.concat(lines, ",\n") .. "\n" .. indent .. "}"
end
function R.pretty(v) return pretty(v, "", {}) end

-- xpcall(fn) with el pushed as context; returns nil on success, else the error record
local function safe(el, fn, what)
  local pushed = ctx ~= el
  if pushed then push(el) end
  local rec
  local ok = xpcall(fn, function(err)
    local status = classify(err)
    rec = describe_error(err, status)
    if status ~= "pending" then
      rec.traceback = debug.traceback("", 2)
      local where = user_location(3)
      -- like busted: a message without "file:line: " gets the place of the error in front
      if where and not rec.message:find("^[^\n]-:%d+: ") then
        rec.message = where .. ": " .. rec.message
      end
      rec.where = where
    end
    return err
  end)
  if pushed then pop() end
  if ok then return nil end
  rec = rec or { status = "error", message = "unknown error" }
  rec.phase = what
  return rec
end

-- ---------------------------------------------------------------------------------------------
-- registration
-- ---------------------------------------------------------------------------------------------
local function unique_name(parent, name)
  parent.names = parent.names or {}
  local count = (parent.names[name] or 0) + 1
  parent.names[name] = count
  if count > 1 then return name .. " (" .. count .. ")" end
  return name
end

local function copy_path(p, extra)
  local out = {}
  for i, v in ipairs(p) do out[i] = v end
  out[#out + 1] = extra
  return out
end

local function definition_line()
  local level = 3
  while true do
    local info = debug.getinfo(level, "Sl")
    if not info then return nil end
    if info.what ~= "C" and info.source:sub(1, 1) == "@" then return info.currentline end
    level = level + 1
  end
end

local block_kinds = { file = true, describe = true, suite = true }

local function check_block(descriptor)
  if not block_kinds[ctx.kind] then
    error("'" .. descriptor .. "' not supported inside current context block", 3)
  end
end

local function register(descriptor, kind, envmode)
  local function add(name, fn)
    check_block(descriptor)
    name = name ~= nil and tostring(name) or descriptor
    local parent = ctx
    local el = { kind = kind, descriptor = descriptor, name = name, fn = fn, parent = parent,
      env = {}, children = {}, hooks = {}, envmode = envmode, line = definition_line() }
    el.uname = unique_name(parent, name)
    el.path = copy_path(parent.path, el.uname)
    el.npath = copy_path(parent.npath or {}, name)
    el.key = table.concat(el.path, SEP)
    if kind == "it" and mode == "run" and selected and not selected[el.key] then return end
    if kind == "pending" and mode == "run" and selected and not selected[el.key] then return end
    parent.children[#parent.children + 1] = el
  end
  return function(name, fn)
    if fn == nil and type(name) == "function" then return add(nil, name) end
    if fn == nil and kind ~= "pending" then
      return function(f) return add(name, f) end
    end
    return add(name, fn)
  end
end

local function register_hook(descriptor, slot)
  return function(fn)
    check_block(descriptor)
    if type(fn) ~= "function" then error("'" .. descriptor .. "' needs a function", 2) end
    local parent = ctx
    parent.hooks[slot] = parent.hooks[slot] or {}
    table.insert(parent.hooks[slot], { kind = "hook", descriptor = descriptor, name = descriptor, fn = fn,
      parent = parent, env = {}, children = {}, hooks = {}, envmode = "unwrap" })
  end
end

local env = root.env
env.describe = register("describe", "describe")
env.context = env.describe
env.insulate = register("insulate", "describe", "insulate")
env.expose = register("expose", "describe", "expose")
env.it = register("it", "it")
env.spec = env.it
env.test = env.it
local register_pending = register("pending", "pending")
env.pending = function(name, fn)
  if ctx.kind == "it" or ctx.kind == "hook" then
    error(setmetatable({ message = name }, pending_mt), 2)
  end
  return register_pending(name, fn or function() end)
end
env.before_each = register_hook("before_each", "before_each")
env.after_each = register_hook("after_each", "after_each")
env.lazy_setup = register_hook("lazy_setup", "lazy_setup")
env.lazy_teardown = register_hook("lazy_teardown", "lazy_teardown")
env.strict_setup = register_hook("strict_setup", "strict_setup")
env.strict_teardown = register_hook("strict_teardown", "strict_teardown")
env.setup = env.strict_setup
env.teardown = env.strict_teardown
env.randomize = function(...)
  check_block("randomize")
  local args = { ... }
  ctx.randomize = select("#", ...) == 0 or args[1] ~= false
  ctx.seed = tonumber(args[1]) or tonumber(args[2]) or ctx.seed
end
env.finally = function(fn)
  if ctx.kind ~= "it" then error("'finally' not supported inside current context block", 2) end
  ctx.finally = fn
end
-- busted.fail: in busted's API (require("busted").fail), not a global of spec files
R.api = {
  fail = function(msg, level)
    local e = setmetatable({ message = msg }, fail_mt)
    error(e, (level or 1) + 1)
  end,
}
env.assert = luassert.assert
env.spy = luassert.spy
env.stub = luassert.stub
env.mock = luassert.mock
env.match = luassert.match

local clock = os.clock
env.gettime = function() return os.time() + (clock() % 1) end
env.monotime = function() return clock() end
env.sleep = function(seconds)
  local stop = clock() + (tonumber(seconds) or 0)
  repeat until clock() >= stop
end
env.version = "2.1.1 (ao-harness)"
env.parent = function(el) return (el or ctx).parent end
env.children = function(el) return (el or ctx).children end

local subscribers = {}
env.subscribe = function(channel, fn)
  local key = type(channel) == "table" and table.concat(channel, ".") or tostring(channel)
  subscribers[key] = subscribers[key] or {}
  local sub = { fn = fn, key = key }
  table.insert(subscribers[key], sub)
  return sub
end
env.unsubscribe = function(sub)
  for i, s in ipairs(subscribers[sub.key] or {}) do
    if s == sub then table.remove(subscribers[sub.key], i) break end
  end
end
env.publish = function(channel, ...)
  local key = type(channel) == "table" and table.concat(channel, ".") or tostring(channel)
  for _, s in ipairs(subscribers[key] or {}) do s.fn(...) end
end

-- ---------------------------------------------------------------------------------------------
-- loading a spec file into spec_env
-- ---------------------------------------------------------------------------------------------
function R.load(source, chunkname)
  local fn, err
  if setfenv then
    fn, err = (loadstring or load)(source, chunkname)
    if fn then setfenv(fn, spec_env) end
  else
    fn, err = load(source, chunkname, "t", spec_env)
  end
  return fn, err
end

-- ---------------------------------------------------------------------------------------------
-- discover
-- ---------------------------------------------------------------------------------------------
local function tags_of(path)
  local out, seen = {}, {}
  for _, name in ipairs(path) do
    for tag in name:gmatch("#([%w_%-]+)") do
      if not seen[tag] then seen[tag] = true; out[#out + 1] = tag end
    end
  end
  return out
end

local function discover_block(el)
  for _, child in ipairs(el.children) do
    if child.kind == "describe" then
      push(child)
      local rec = safe(child, child.fn, "describe")
      if rec then
        -- like busted: this block's tests do not run, its siblings do; the block is one error
        rec.block = child.path
        discovered[#discovered + 1] = { path = child.path, names = child.npath, kind = "blockerror",
          line = child.line, tags = tags_of(child.path), message = rec.message }
      else
        discover_block(child)
      end
      pop()
    else
      discovered[#discovered + 1] = { path = child.path, names = child.npath, kind = child.kind, line = child.line,
        tags = tags_of(child.path) }
    end
  end
end

function R.discover(chunk, filename)
  mode = "discover"
  local file = { kind = "file", name = filename, fn = chunk, parent = root, env = {}, children = {},
    hooks = {}, path = {}, envmode = "insulate" }
  push(file)
  local rec = safe(file, chunk, "file")
  if not rec then discover_block(file) end
  pop()
  if rec then return { error = rec } end
  return { tests = discovered }
end

-- ---------------------------------------------------------------------------------------------
-- run
-- ---------------------------------------------------------------------------------------------
local yield = coroutine.yield

local function hook_error(rec, el, descriptor)
  rec.hook = descriptor
  rec.block = el.path
  yield({ "error", rec })
end

local function run_hooks(el, slot, report)
  local ok = true
  for _, h in ipairs(el.hooks[slot] or {}) do
    local rec = safe(h, h.fn, slot)
    if rec then
      ok = false
      if report then report(rec, slot) end
    end
  end
  return ok
end

local function lazy_setup_chain(el, errors)
  if el.parent then
    local ok = lazy_setup_chain(el.parent, errors)
    if not ok then return false end
  end
  if el.lazy_done ~= nil then return el.lazy_done end
  local ok = run_hooks(el, "lazy_setup", function(rec) errors[#errors + 1] = rec end)
  el.lazy_done = ok
  if ok == false then el.lazy_failed = errors[#errors] end
  return ok
end

local function before_each_chain(el, errors)
  if el.parent then
    local ok, at = before_each_chain(el.parent, errors)
    if not ok then return ok, at end
  end
  local ok = run_hooks(el, "before_each", function(rec) errors[#errors + 1] = rec end)
  return ok, el
end

local function after_each_chain(el, errors)
  while el do
    run_hooks(el, "after_each", function(rec) errors[#errors + 1] = rec end)
    el = el.parent
  end
end

local function run_test(el)
  local parent = el.parent
  yield({ "start", el.key })
  local record = { key = el.key, path = el.path }
  local errors = {}
  if not lazy_setup_chain(parent, errors) then
    local failed = errors[1]
    if not failed then
      local p = parent
      while p and not p.lazy_failed do p = p.parent end
      failed = p and p.lazy_failed or { message = "lazy_setup failed" }
    end
    record.status = "error"
    record.phase = "lazy_setup"
    record.message, record.traceback = failed.message, failed.traceback
    yield({ "end", record })
    return
  end
  local ok, at = before_each_chain(parent, errors)
  if ok then
    local rec = safe(el, el.fn, "it")
    if el.finally then
      local frec = safe(el, el.finally, "finally")
      if frec and not rec then
        rec = frec
        if rec.status == "pending" then rec.status = "error" end
      end
    end
    if rec then
      for k, v in pairs(rec) do record[k] = v end
    else
      record.status = "success"
    end
  else
    local first = errors[1]
    record.status = "error"
    record.phase = "before_each"
    record.message, record.traceback, record.where = first.message, first.traceback, first.where
    errors = {}
  end
  local after = {}
  after_each_chain(at, after)
  record.after_errors = after
  yield({ "end", record })
end

local execute_block

local function execute_children(el)
  local children = el.children
  if el.randomize then
    local seed = el.seed or os.time()
    math.randomseed(seed)
    for i = #children, 2, -1 do
      local j = math.random(i)
      children[i], children[j] = children[j], children[i]
    end
  end
  for _, child in ipairs(children) do
    if child.kind == "describe" then
      execute_block(child)
    elseif child.kind == "it" then
      run_test(child)
    elseif child.kind == "pending" then
      yield({ "start", child.key })
      yield({ "end", { key = child.key, path = child.path, status = "pending", message = "" } })
    end
  end
end

execute_block = function(el)
  push(el)
  local rec = safe(el, el.fn, el.kind)
  if rec then
    pop()
    rec.block = el.path
    rec.status = "error"
    yield({ "blockfail", rec })
    return
  end
  local setup_errors = {}
  if run_hooks(el, "strict_setup", function(r) setup_errors[#setup_errors + 1] = r end) then
    execute_children(el)
  else
    local r = setup_errors[1]
    r.block = el.path
    r.hook = "strict_setup"
    yield({ "blockfail", r })
  end
  if el.lazy_done ~= nil then
    run_hooks(el, "lazy_teardown", function(r) hook_error(r, el, "lazy_teardown") end)
    el.lazy_done = nil
  end
  run_hooks(el, "strict_teardown", function(r) hook_error(r, el, "strict_teardown") end)
  pop()
end

-- Lua line coverage of the run (--ao-cov / .busted coverage = true): hits[source][line] = true.
-- The hook belongs to the run's coroutine (coroutines the spec code creates are not measured).
R.hits = nil
local function cover(hits)
  local getinfo = debug.getinfo
  debug.sethook(function(_, line)
    local src = getinfo(2, "S").source
    local lines = hits[src]
    if not lines then
      lines = {}
      hits[src] = lines
    end
    lines[line] = true
  end, "l")
end

function R.run(chunk, filename, sel)
  mode = "run"
  selected = sel
  if R.hits then cover(R.hits) end
  local file = { kind = "file", name = filename, fn = chunk, parent = root, env = {}, children = {},
    hooks = {}, path = {}, envmode = "insulate" }
  execute_block(file)
  return "done"
end

return R
