-- The harness's guards (not part of aos): the per-message instruction budget, the wall-clock
-- deadline, the soft memory check, and the wrappers that keep process code from removing them.
--
-- One master hook runs in every coroutine with a fixed tick (TICK instructions).  Every tick adds
-- TICK to one counter shared by all coroutines of the message; once the budget is exceeded the
-- message stays exhausted: every later tick errors again, so a `pcall` loop cannot go on, and the
-- bridge fails the message even when process code caught the error.  Process code may install
-- its own hooks through `debug.sethook`: they are dispatched from the master hook, and
-- `debug.gethook` returns them (never ours).  The debug functions that read or write upvalues,
-- locals and the registry hide the harness's private values (see `protected`).
--
-- Run by the bridge (bridge/main.lua) with (H, config, raiser, argText, seconds): env/compat.lua's
-- raiser and argText, and the host's os.time (whole seconds, read in a few nanoseconds); returns
-- the guard's private API (never a global).
local H, config, raiser, argText, seconds = ...

local type_, error_, pcall_, select_, next_, rawget_, rawset_, tostring_ =
  type, error, pcall, select, next, rawget, rawset, tostring
local setmetatable_, collect, floor = setmetatable, collectgarbage, math.floor
local sethook, getinfo = debug.sethook, debug.getinfo
local getupvalue, setupvalue = debug.getupvalue, debug.setupvalue
local upvalueid, upvaluejoin = debug.upvalueid, debug.upvaluejoin
local getlocal, setlocal = debug.getlocal, debug.setlocal
local getregistry, dsetmetatable = debug.getregistry, debug.setmetatable
-- (locals named like the originals: argument errors name the function from the call site)
local create, wrap, corunning, resume = coroutine.create, coroutine.wrap, coroutine.running,
  coroutine.resume
local find = string.find

-- (the sandbox has removed the `jit` global by now: the bridge tells)
local isJit = H.is_jit
-- PUC 5.2+ runs __gc finalizers of tables with hooks disabled; 5.1 and LuaJIT have none on tables.
local tableFinalizers = not isJit and _VERSION ~= "Lua 5.1"

--- Instructions between two ticks of the master hook (the budget's granularity).
local TICK = 1000
--- Nested C-to-Lua re-entries allowed on LuaJIT (it has no C-stack guard of its own).
local MAX_CDEPTH = 180
--- A finalizer that runs outside any message (and any budget) may run this many instructions.
local FINALIZER_BUDGET = 20000000

-- With a timeout and not yet "watched", what could run away inside C (a backtracking pattern
-- match, a hook or finalizer of process code, which Lua runs with hooks off) ends the message
-- with ESCALATE instead: Python then rolls the state back and runs the message again on a
-- worker thread it can abandon (and every later message of this process).
local escalating = config.escalate and true or false
local ESCALATE = "harness: needs the thread watchdog: "
local budget = config.budget
local timeout = config.timeout
local clock = config.clock
local memCap = config.memory
-- PUC Luas get a hard cap from lupa's allocator; LuaJIT only this soft check.
local softMemoryKB = isJit and memCap and memCap / 1024 or nil

local G = {}

-- Values process code must never reach through the debug library (weak keys).
local protected = setmetatable_({}, { __mode = "k" })
local function protect(v)
  if v ~= nil then protected[v] = true end
  return v
end
G.protect = protect

-- C functions below a wrapper.  The guards wrap some C functions of live's (string.find/match/
-- gmatch/gsub, setmetatable, coroutine.create/wrap), so those run below a frame of this chunk and
-- an error they raise would name this chunk's line ('[string "env.guard"]:570: unfinished
-- capture').  `reraise` raises it again as live's reads: at the caller's line (none when the caller
-- is C, as from pcall) and, for an argument error, with the name the caller used (a field or
-- local alias; 'calling ... on bad self' and the argument counted without self for a method
-- call; the library name, 'string.find', from C), as luaL_argerror words it.  A wrapper calls its
-- C function through `callC(f)`, so that what f raises carries `own`.
local raise = raiser(getinfo(1, "S").source)
local own = getinfo(1, "S").short_src .. ":"
local matchC = string.match
local pack = table.pack or function(...) return { n = select_("#", ...), ... } end
local unpack = table.unpack or unpack
-- (5.1 names a library function called from C '?')
local fromC = (_VERSION == "Lua 5.1") and function() return "?" end or function(lib) return lib end
-- whether the function at *level* (of the caller) was tail-called
local function tailCalled(level)
  level = level + 1
  if _VERSION == "Lua 5.1" then
    local up = getinfo(level + 1, "S")
    return up ~= nil and up.what == "tail"
  end
  local info = getinfo(level, "t")
  return info ~= nil and info.istailcall
end
-- What live says of error *err* of library function *lib* ('string.find'); with *at*, the level
-- (here) of the wrapper that called the C function, an argument error takes the name the wrapper
-- was called by.  Also whether err was raised by the C function itself.
local function fixed(lib, err, at)
  if type_(err) ~= "string" or find(err, own, 1, true) ~= 1 then return err, false end
  local msg = matchC(err, "^%d+: (.*)$", #own + 1)
  if msg == nil then return err, false end
  if at then
    local arg, rest = matchC(msg, "^bad argument #(%d+) to '[^']*' (.*)$")
    if arg then
      local info = getinfo(at, "n")
      local name, how = info and info.name, info and info.namewhat
      if tailCalled(at) then
        -- (`return s:find(x)` from Lua code: the caller's frame is gone, and with it the name
        -- it used; live's C function is never tail-called)
        name, how = matchC(lib, "[^.]+$"), nil
      end
      if name then
        msg = argText(tonumber(arg), name, how, rest)
      else
        msg = argText(tonumber(arg), fromC(lib), nil, rest)
      end
    end
  end
  return msg, true
end
-- (*at*: the wrapper's level from reraise, plus one; false for no name)
local function reraise(lib, err, at)
  local msg, ours = fixed(lib, err, at)
  if ours then raise(msg) end
  error_(msg, 0) -- (raised elsewhere, e.g. in a gsub replacement function: as it is)
end
-- (LuaJIT tail-calls a C function too: there the call is an argument of `pass`)
local function pass(...) return ... end
local function callC(f)
  if isJit then return function(...) return pass(f(...)) end end
  return function(...) return f(...) end
end
-- A wrapper's call of its C function *c* (made by callC) with the wrapper's arguments: its one
-- result, or its error as live's reads (named as the wrapper was called).  Call it from the
-- wrapper as a statement or a local's value, never in a `return` (a tail call would lose the
-- wrapper's frame, and the name with it).
local function callOne(lib, c, ...)
  local ok, r = pcall_(c, ...)
  if ok then return r end
  reraise(lib, r, 4)
end
-- (the same for a C function of two results)
local function callTwo(lib, c, ...)
  local ok, a, b = pcall_(c, ...)
  if ok then return a, b end
  reraise(lib, a, 4)
end
for _, f in next_, { tailCalled, fixed, reraise, pass, callOne, callTwo } do protect(f) end

local budgetText = "harness: instruction budget exceeded: the message ran more than "
  .. tostring_(budget) .. " Lua instructions (an infinite loop?); raise it with "
  .. "Network(instruction_budget=...) or --ao-instruction-budget"
local timeoutText = "harness: timeout: the message ran longer than " .. tostring_(timeout)
  .. " s of wall-clock time; raise it with Network(timeout=...) or --ao-timeout"
local memoryText = "harness: memory cap exceeded: the process's Lua state uses more than "
  .. tostring_(memCap) .. " bytes (LuaJIT: checked every " .. TICK .. " instructions); raise it "
  .. "with Network(memory_limit=...) or --ao-memory-limit"

local used, armed, failure = 0, false, nil
-- the deadline of the message (the host's monotonic clock, set at the first look), and for the
-- cheap clock: the second of the last look (at first, the second the message began in) and the
-- second from which every tick looks
local deadline, lastSecond, closeSecond = nil, nil, nil
local function startClock()
  deadline, closeSecond = nil, nil
  lastSecond = clock and seconds() or nil
end
local covLine = nil -- coverage's line recorder (pytest --ao-cov)

local limit = budget
-- harness functions that run between a failed message and G.finish (never stopped)
local safe = setmetatable_({}, { __mode = "k" })
function G.safe(fn)
  safe[fn] = true
  return fn
end
local tighten -- set below: once failed, the hook fires at every instruction

local function fail(text)
  failure = text
  tighten()
  error_(text, 4)
end

-- The count part of the master hook: one tick.
local function tick()
  if not armed then return end
  used = used + TICK
  if failure then
    local info = getinfo(3, "f")
    if info and safe[info.func] then return end
    tighten()
    error_(failure, 3)
  end
  if limit and used > limit then fail(budgetText) end
  if clock then
    -- The cheap clock (whole seconds, the host's time(NULL)) every tick; the precise one (the
    -- host's monotonic clock, a call into Python) only when the second has changed since the
    -- message began, then at each change and at every tick once the deadline is less than a
    -- second away.  A message shorter than a second never calls it, and a look comes however long
    -- an instruction takes (a tick can take a second when each instruction works through
    -- megabytes): the deadline counts from the first look, at most about a second (or a tick)
    -- into the message, and a message ends about a tick past it.  Only the monotonic clock sets
    -- the deadline: a wall clock stepped forward (a laptop resumed) brings a look, not a timeout.
    local s = seconds()
    if s ~= lastSecond or (closeSecond and s >= closeSecond) then
      lastSecond = s
      local now = clock()
      if deadline == nil then deadline = now + timeout end
      if now > deadline then fail(timeoutText) end
      closeSecond = s + floor(deadline - now)
    end
  end
  if softMemoryKB and collect("count") > softMemoryKB then fail(memoryText) end
end

-- Hooks process code installed: thread (or MAIN / JITKEY) -> {fn, mask, line, call, ret, every, n}
local MAIN, JITKEY = {}, {}
local userHooks = setmetatable_({}, { __mode = "k" })
local function keyOf(th)
  if isJit then return JITKEY end
  return th or corunning() or MAIN
end

local function countHook()
  tick()
end

local events = 0
local function fullHook(event, line)
  if event == "count" then
    tick()
    local u = userHooks[keyOf(nil)]
    if u and u.every then
      u.n = u.n + 1
      if u.n >= u.every then
        u.n = 0
        return u.fn("count")
      end
    end
    return
  end
  -- a count event that falls due while a hook runs is lost (hooks are off inside hooks), and a
  -- line or call hook may run more instructions than the code it watches: every other event
  -- counts as one instruction as well
  events = events + 1
  if events >= TICK then
    events = 0
    tick()
  end
  if event == "line" and covLine then covLine(getinfo(2, "f").func, line) end
  local u = userHooks[keyOf(nil)]
  if u then
    if event == "line" then
      if u.line then return u.fn(event, line) end
    elseif event == "call" or event == "tail call" then
      if u.call then return u.fn(event) end
    elseif u.ret then
      return u.fn(event)
    end
  end
end
protect(countHook)
protect(fullHook)
protect(tick)

local function covOn()
  return covLine ~= nil and H.counting
end

-- (Re)install the master hook on thread `th` (nil: the running one).
local function install(th)
  -- (keyOf and covOn, written out: this runs at every message and every new coroutine)
  local u
  if isJit then u = userHooks[JITKEY] else u = userHooks[th or corunning() or MAIN] end
  local mask = (covLine ~= nil and H.counting) and "l" or ""
  if u then mask = mask .. u.mask end
  local hook = (u or mask ~= "") and fullHook or countHook
  if th then sethook(th, hook, mask, TICK) else sethook(hook, mask, TICK) end
end
G.attach = install

-- After a failure the hook fires at every instruction of the running thread: a `pcall` that
-- caught the error returns into code that errors again at once, so no loop goes on.
tighten = function()
  local u = userHooks[keyOf(nil)]
  local mask = covOn() and "l" or ""
  if u then mask = mask .. u.mask end
  sethook((u or mask ~= "") and fullHook or countHook, mask, 1)
end

function G.set_line_recorder(fn)
  covLine = fn
end

-- A message starts: a fresh count, the hook on the main thread.
function G.begin()
  used, failure = 0, nil
  startClock()
  armed = true
  install(nil)
end

-- A message ended: its failure text (budget, timeout, memory), or nil.
G.finish = function()
  armed = false
  if failure then return failure end
  if memCap and collect("count") * 1024 > memCap then
    collect("collect")
    local bytes = floor(collect("count") * 1024)
    if bytes > memCap then
      return "harness: memory cap exceeded: the process's Lua state uses " .. bytes
        .. " bytes after the message, over its cap of " .. memCap .. " bytes; raise it with "
        .. "Network(memory_limit=...) or --ao-memory-limit"
    end
  end
  return nil
end

safe[G.finish] = true

function G.failed()
  return failure
end

local function escalate(reason)
  if escalating and armed then
    failure = ESCALATE .. reason
    error_(failure, 3)
  end
end

-- An error value as text, under the budget (its __tostring may loop, error or lie).
function G.text(v)
  if type_(v) == "string" then return v end
  local ok, s = pcall_(tostring_, v)
  if failure then return failure end
  if not ok then
    return "harness: the error value (a " .. type_(v) .. ") could not be turned into text: its "
      .. "__tostring raised " .. (type_(s) == "string" and s or ("a " .. type_(s)))
  end
  if type_(s) ~= "string" then
    return "harness: the error value (a " .. type_(v) .. ") has a __tostring that returned a "
      .. type_(s) .. ", not a string"
  end
  return s
end

-- Coroutines: every new one gets the master hook and costs one tick (work spread over fresh
-- coroutines is counted).  LuaJIT has one hook for all coroutines.
local createC, wrapC = callC(create), callC(wrap)
coroutine.create = function(...)
  local co = callOne("coroutine.create", createC, ...)
  if armed then used = used + TICK end
  if not isJit then install(co) end
  return co
end
coroutine.wrap = function(...)
  local f = ...
  if type_(f) ~= "function" then
    local w = callOne("coroutine.wrap", wrapC, ...) -- (raises: wrap takes functions only)
    return w
  end
  if armed then used = used + TICK end
  if isJit then return wrap(f) end
  return wrap(function(...)
    install(nil)
    return f(...)
  end)
end

-- debug.sethook / gethook: process code's own hooks, dispatched from the master hook.  A count
-- hook is called every ceil(count / TICK) ticks (granularity TICK instructions).
debug.sethook = function(...)
  local th, fn, mask, count
  if type_((...)) == "thread" then
    th, fn, mask, count = ...
  else
    fn, mask, count = ...
  end
  local key = keyOf(th)
  if fn == nil then
    userHooks[key] = nil
  else
    -- live's checks, in live's order: the mask, the function, the count
    local at, given = th and 1 or 0, select_("#", ...)
    local function bad(i, what)
      -- (named as luaL_argerror names it: as the caller called it, 'debug.sethook' from C)
      local info = getinfo(2, "n")
      local name = info and info.name or fromC("debug.sethook")
      error_("bad argument #" .. (at + i) .. " to '" .. name .. "' (" .. what .. ")", 3)
    end
    local function got(v, i)
      return (v == nil and given < at + i) and "no value" or type_(v)
    end
    if type_(mask) ~= "string" and type_(mask) ~= "number" then bad(2, "string expected, got " .. got(mask, 2)) end
    if type_(fn) ~= "function" then bad(1, "function expected, got " .. got(fn, 1)) end
    if count ~= nil then
      local c = tonumber(count)
      if c == nil then bad(3, "number expected, got " .. type_(count)) end
      if c ~= floor(c) then bad(3, "number has no integer representation") end
    end
    escalate("debug.sethook (process hooks run with Lua's hooks off)")
    mask = tostring_(mask)
    count = tonumber(count) or 0
    local u = {
      fn = fn, raw = mask, rawcount = count, n = 0,
      line = find(mask, "l", 1, true) ~= nil,
      call = find(mask, "c", 1, true) ~= nil,
      ret = find(mask, "r", 1, true) ~= nil,
      every = count > 0 and math.ceil(count / TICK) or nil,
    }
    u.mask = (u.line and "l" or "") .. (u.call and "c" or "") .. (u.ret and "r" or "")
    if u.mask == "" and not u.every then u = nil end
    userHooks[key] = u
  end
  install(th)
end
debug.gethook = function(th)
  local u = userHooks[keyOf(type_(th) == "thread" and th or nil)]
  if not u then return nil, "", 0 end -- (as live's: no hook, an empty mask, no count)
  return u.fn, u.raw, u.rawcount
end

-- The debug functions that reach upvalues, locals and the registry hide protected values.
local function refused(what)
  error_("harness: debug." .. what .. " cannot reach the harness's private state", 3)
end

local getupvalueC, getlocalC = callC(getupvalue), callC(getlocal)
-- (as live's: nothing for an index out of range, or for a function whose upvalues are hidden)
debug.getupvalue = function(...)
  local f = ...
  if protected[f] then return end
  local name, v = callTwo("debug.getupvalue", getupvalueC, ...)
  if name == nil then return end
  if v ~= nil and protected[v] then return name, nil end
  return name, v
end
-- (setupvalue, upvalueid and upvaluejoin check their arguments in the C function, as live's:
-- a wrong call raises live's error, named as called; a protected value is refused first)
local setupvalueC = callC(setupvalue)
debug.setupvalue = function(...)
  local f, i = ...
  if protected[f] then refused("setupvalue") end
  local ok, _, old = pcall_(getupvalue, f, i)
  if ok and old ~= nil and protected[old] then refused("setupvalue") end
  local name = callOne("debug.setupvalue", setupvalueC, ...)
  if name == nil then return end
  return name
end
if upvalueid then
  local upvalueidC = callC(upvalueid)
  debug.upvalueid = function(...)
    if protected[(...)] then return nil end
    local id = callOne("debug.upvalueid", upvalueidC, ...)
    return id
  end
end
if upvaluejoin then
  local upvaluejoinC = callC(upvaluejoin)
  debug.upvaluejoin = function(...)
    local f1, n1, f2, n2 = ...
    if protected[f1] or protected[f2] then refused("upvaluejoin") end
    local okA, _, a = pcall_(getupvalue, f1, n1)
    local okB, _, b = pcall_(getupvalue, f2, n2)
    if (okA and a ~= nil and protected[a]) or (okB and b ~= nil and protected[b]) then refused("upvaluejoin") end
    callOne("debug.upvaluejoin", upvaluejoinC, ...)
  end
end

-- (thread, level) of a getlocal/setlocal call made by process code, level seen from here.
local function frameHidden(th, level)
  if type_(level) ~= "number" then return false end
  local info
  if th then info = getinfo(th, level, "f") else info = getinfo(level + 2, "f") end
  return info ~= nil and protected[info.func] == true
end

debug.getlocal = function(...)
  local th, level, n
  if type_((...)) == "thread" then
    th, level, n = ...
  else
    level, n = ...
  end
  if frameHidden(th, level) then return nil end
  local name, v
  if th then
    name, v = callTwo("debug.getlocal", getlocalC, ...)
  elseif type_(level) == "number" then
    -- (one level more: this wrapper's frame, and callTwo's, and its pcall's, are below the
    -- caller's; a level out of range is refused as live's is)
    name, v = callTwo("debug.getlocal", getlocalC, level + 4, select_(2, ...))
  else
    name, v = callTwo("debug.getlocal", getlocalC, ...)
  end
  -- (as live's: one nil for an index out of range; a function's parameter name alone)
  if name == nil then return nil end
  if type_(level) == "function" then return name end
  if v ~= nil and protected[v] then return name, nil end
  return name, v
end
debug.setlocal = function(...)
  local th, level, n, v
  if type_((...)) == "thread" then
    th, level, n, v = ...
  else
    level, n, v = ...
  end
  if frameHidden(th, level) then refused("setlocal") end
  local _, old
  if th then _, old = getlocal(th, level, n) else _, old = getlocal(level + 1, n) end
  if old ~= nil and protected[old] then refused("setlocal") end
  if th then return setlocal(th, level, n, v) end
  return setlocal(level + 1, n, v)
end

-- The registry, seen through a proxy that hides protected values (the hook table, the bridge).
if getregistry then
  local registry = getregistry()
  local proxy = {}
  local function hidden(v)
    return v ~= nil and protected[v] == true
  end
  local function proxyNext(_, k)
    local nk, nv = next_(registry, k)
    while nk ~= nil and hidden(nv) do nk, nv = next_(registry, nk) end
    return nk, nv
  end
  setmetatable_(proxy, {
    __index = function(_, k)
      local v = registry[k]
      if hidden(v) then return nil end
      return v
    end,
    __newindex = function(_, k, v)
      if hidden(rawget_(registry, k)) then refused("getregistry") end
      registry[k] = v
    end,
    __pairs = function() return proxyNext, proxy, nil end,
    __len = function() return #registry end,
    __metatable = "the Lua registry (harness view)",
  })
  protect(proxy)
  -- the proxy's metamethods hold the real registry as an upvalue: hide it there too
  protect(registry)
  debug.getregistry = function() return proxy end
  -- find the table the debug library keeps hooks in (or the hook itself, on LuaJIT) and hide it
  sethook(countHook, "", TICK)
  for _, v in next_, registry do
    if v == countHook then break end
    if type_(v) == "table" and not protected[v] then
      for _, f in next_, v do
        if f == countHook then
          protect(v)
          break
        end
      end
    end
  end
  sethook()
end

-- Finalizers (PUC 5.2+ runs them with hooks disabled): a __gc given through setmetatable or
-- debug.setmetatable runs in a coroutine carrying the master hook, under the message's budget or,
-- outside a message, under one of its own.
-- How many times process code gave a __gc finalizer (a state that got one is never reset for
-- reuse: the finalizer could run in the state's next use).
local finalizersGiven = 0
function G.finalizers_given()
  return finalizersGiven
end

if tableFinalizers then
  local wrapped = setmetatable_({}, { __mode = "k" })
  local function runFinalizer(gc, o)
    local co = create(gc)
    install(co)
    local outside = not armed
    local saved = used
    if outside then
      armed, used, failure, limit = true, 0, nil, budget or FINALIZER_BUDGET
      startClock()
    end
    local ok, err = resume(co, o)
    if outside then
      armed, used, failure, limit = false, saved, nil, budget
      startClock()
      return
    end
    if not ok then error_(err, 0) end
  end
  protect(runFinalizer)
  local function wrapGc(mt)
    if type_(mt) ~= "table" then return end
    local gc = rawget_(mt, "__gc")
    if gc == nil then return end
    finalizersGiven = finalizersGiven + 1
    escalate("a __gc finalizer")
    if type_(gc) ~= "function" or wrapped[gc] then return end
    local w = function(o) return runFinalizer(gc, o) end
    wrapped[w] = true
    protect(w)
    rawset_(mt, "__gc", w)
  end
  do
    local setmetatable = callC(setmetatable_)
    _G.setmetatable = function(...)
      local _, mt = ...
      wrapGc(mt)
      local t = callOne("setmetatable", setmetatable, ...)
      return t
    end
  end
  do
    local setmetatable = callC(dsetmetatable)
    debug.setmetatable = function(...)
      local _, mt = ...
      wrapGc(mt)
      local v = callOne("debug.setmetatable", setmetatable, ...)
      return v
    end
  end
end

-- LuaJIT has no guard against deep C recursion (gsub callbacks re-entering gsub, coroutines
-- resuming coroutines ...): it overflows the C stack and crashes.  Count the nesting.
if isJit then
  local depth = 0
  local overflow = "C stack overflow (harness: more than " .. MAX_CDEPTH
    .. " nested calls through string.gsub / table.sort / coroutines / load)"
  local function leave(ok, ...)
    depth = depth - 1
    if not ok then error_((...), 0) end
    return ...
  end
  local function guarded(fn)
    local g = function(...)
      if depth >= MAX_CDEPTH then error_(overflow, 2) end
      depth = depth + 1
      return leave(pcall_(fn, ...))
    end
    protect(g)
    return g
  end
  local gsub = string.gsub
  string.gsub = guarded(gsub)
  table.sort = guarded(table.sort)
  coroutine.resume = guarded(resume)
  load = guarded(load)
  local rawwrap = coroutine.wrap
  coroutine.wrap = function(f)
    local w = rawwrap(f)
    if type_(w) ~= "function" then return w end
    return guarded(w)
  end
  tostring = guarded(tostring)
end

-- String patterns: a match that may backtrack for long (many quantifiers over a long subject, as
-- in ("a"):rep(40):find(("a*"):rep(40) .. "b")) runs in C, where no hook reaches it.
if escalating then
  local byte, find, match, gmatch, gsub = string.byte, string.find, string.match, string.gmatch,
    string.gsub
  local cache, cached = {}, 0
  local function quantifiers(p)
    local k = cache[p]
    if k then return k end
    k = 0
    local i, n = 1, #p
    while i <= n do
      local c = byte(p, i)
      if c == 37 then -- %x
        i = i + 2
      elseif c == 91 then -- [set]
        i = i + 1
        if byte(p, i) == 94 then i = i + 1 end
        if byte(p, i) == 93 then i = i + 1 end
        while i <= n and byte(p, i) ~= 93 do
          if byte(p, i) == 37 then i = i + 1 end
          i = i + 1
        end
        i = i + 1
      else
        if c == 42 or c == 43 or c == 45 then k = k + 1 end -- * + -
        i = i + 1
      end
    end
    if cached > 4096 then cache, cached = {}, 0 end
    cache[p] = k
    cached = cached + 1
    return k
  end
  -- worst-case steps of a backtracking matcher: n ^ (quantifiers + 1 unless anchored)
  local function check(s, p)
    local ts, tp = type_(s), type_(p)
    if (ts ~= "string" and ts ~= "number") or (tp ~= "string" and tp ~= "number") then return end
    if tp == "number" then return end
    local k = quantifiers(p)
    if k == 0 then return end
    local n = #tostring_(s)
    if n < 2 then return end
    local e = k + (byte(p, 1) == 94 and 0 or 1)
    if n ^ e > 1e9 then escalate("a string pattern that may backtrack for long (in C)") end
  end
  protect(check)
  -- (see "C functions below a wrapper" above: a pattern error names no function, so arguments of
  -- the types the C function accepts take a fast path; others keep the wrapper's frame, to read
  -- the name it was called by)
  local mathType = math.type
  local function fast(lib, ok, ...)
    if ok then return ... end
    reraise(lib, (...), false)
  end
  local function textual(v)
    local t = type_(v)
    return t == "string" or t == "number"
  end
  local function integral(v)
    if v == nil then return true end
    if mathType then return mathType(v) == "integer" end
    return type_(v) == "number"
  end
  local REPLACEMENT = { string = true, number = true, table = true, ["function"] = true }
  local callFind, callMatch, callGmatch, callGsub = callC(find), callC(match), callC(gmatch), callC(gsub)
  string.find = function(...)
    local s, p, init, plain = ...
    if not plain then check(s, p) end
    if textual(s) and textual(p) and integral(init) then return fast("string.find", pcall_(callFind, ...)) end
    local r = pack(pcall_(callFind, ...))
    if r[1] then return unpack(r, 2, r.n) end
    reraise("string.find", r[2], 3)
  end
  string.match = function(...)
    local s, p, init = ...
    check(s, p)
    if textual(s) and textual(p) and integral(init) then return fast("string.match", pcall_(callMatch, ...)) end
    local r = pack(pcall_(callMatch, ...))
    if r[1] then return unpack(r, 2, r.n) end
    reraise("string.match", r[2], 3)
  end
  string.gmatch = function(...)
    local s, p, init = ...
    check(s, p)
    if textual(s) and textual(p) and integral(init) then return fast("string.gmatch", pcall_(callGmatch, ...)) end
    local ok, it = pcall_(callGmatch, ...)
    if ok then return it end
    reraise("string.gmatch", it, 3)
  end
  string.gsub = function(...)
    local s, p, r, n = ...
    check(s, p)
    if textual(s) and textual(p) and REPLACEMENT[type_(r)] and integral(n) then
      return fast("string.gsub", pcall_(callGsub, ...))
    end
    local ok, a, b = pcall_(callGsub, ...)
    if ok then return a, b end
    reraise("string.gsub", a, 3)
  end
  for _, f in next_, { fast, textual, integral, callFind, callMatch, callGmatch, callGsub } do protect(f) end
  for _, name in next_, { "find", "match", "gmatch", "gsub" } do protect(string[name]) end
end

-- string.dump: live's library functions are C, which cannot be dumped; where the harness writes
-- one in Lua (pairs, load, setmetatable, the string wrappers above, bit32 ...) its bytecode is the
-- harness's own, so it is refused as live refuses a C function.  G.mark_stand_ins (the bridge,
-- once everything is installed) names them: every Lua function in the standard library tables
-- then, but those that are Lua on live too (aos's print, os.time, math.random).
do
  local standIns = setmetatable_({}, { __mode = "k" })
  local LUA_ON_LIVE = { print = true, ["os.time"] = true, ["math.random"] = true, ["package.searchers.2"] = true }
  local LIBRARIES = { "string", "table", "math", "os", "io", "coroutine", "debug", "utf8", "bit32", "package" }
  -- (the base library's functions; aos's globals, Send, Prompt ..., are Lua on live too)
  local BASE = { "assert", "collectgarbage", "dofile", "error", "getmetatable", "ipairs", "load", "loadfile",
    "next", "pairs", "pcall", "rawequal", "rawget", "rawlen", "rawset", "require", "select", "setmetatable",
    "tonumber", "tostring", "type", "xpcall" }
  function G.mark_stand_ins(env)
    local function mark(prefix, t)
      for k, v in next_, t do
        if type_(v) == "function" and not LUA_ON_LIVE[prefix .. tostring_(k)] then
          local info = getinfo(v, "S")
          if info and info.what ~= "C" then standIns[v] = true end
        end
      end
    end
    local base = {}
    for _, name in next_, BASE do base[name] = rawget_(env, name) end
    mark("", base)
    for _, name in next_, LIBRARIES do
      local t = rawget_(env, name)
      if type_(t) == "table" then mark(name .. ".", t) end
    end
    -- require's searchers are C on live but the second, its bundle searcher
    local package = rawget_(env, "package")
    local searchers = type_(package) == "table" and rawget_(package, "searchers")
    if type_(searchers) == "table" then mark("package.searchers.", searchers) end
  end
  local dumpC = callC(string.dump)
  string.dump = function(...)
    if standIns[(...)] then raise("unable to dump given function") end
    local chunk = callOne("string.dump", dumpC, ...)
    return chunk
  end
  protect(string.dump)
  protect(G.mark_stand_ins)
end

-- Everything above that process code could find is protected.
for _, v in next_, G do protect(v) end
protect(G)
protect(protected)
protect(userHooks)
for _, name in next_, { "sethook", "gethook", "getupvalue", "setupvalue", "upvalueid",
  "upvaluejoin", "getlocal", "setlocal", "getregistry", "setmetatable" } do
  local f = rawget_(debug, name)
  if f then protect(f) end
end
protect(coroutine.create)
protect(coroutine.wrap)

return G
