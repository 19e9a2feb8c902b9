-- Lua 5.2 compatibility functions of the live aos module (Lua 5.3.4 built with LUA_COMPAT_5_2):
-- the `bit32` library, math.pow/ldexp/frexp/cosh/sinh/tanh/log10/atan2, and an `ipairs` that
-- honours the __ipairs metamethod.  A standalone module: load this file into any Lua (5.1-5.5,
-- LuaJIT) and call `install(_G[, {bit = <LuaJIT's bit library>}])`.  Native operations are used
-- where the Lua has them (5.3+ integer operators, LuaJIT's `bit`, 5.2's own bit32 and math).
--
-- bit32 follows live's lbitlib (5.3 compat mode): arguments must have an integer representation,
-- are taken modulo 2^32, and every result is an unsigned 32-bit integer.
local M = {}

local type, tonumber, select, error, rawget, floor = type, tonumber, select, error, rawget, math.floor
local hasIntegers = math.type ~= nil

-- raiser(source): a function that raises msg at the first caller outside the chunk `source`, as
-- a C library function's luaL_error does (a position when that caller is Lua code, none when it
-- is C, e.g. pcall).  The sandbox uses it too, for its own file.
local getinfo = debug.getinfo
local function raiser(source)
  return function(msg)
    local level = 2
    while true do
      local info = getinfo(level, "S")
      if info == nil then error(msg, 0) end
      -- (5.1 shows a tail call as a frame of its own: skip it too)
      if info.source ~= source and info.what ~= "tail" then error(msg, level) end
      level = level + 1
    end
  end
end
M.raiser = raiser

-- The name luaL_argerror gives a library function of live's when the function is written in Lua
-- here: the name it was called by (a local `XOR`, a field `bxor`; for a method, 'calling ... on
-- bad self' and the arguments counted without self); called from C (pcall), the name it has in
-- package.loaded, as Lua 5.3's pushglobalfuncname finds it ("bit32.band", "os.date", "load" for
-- a base function, "_G." dropped), on every Lua: these functions speak as live's.  A Lua tail call loses the
-- caller's frame, and with it the name, which live's C function never loses: *short* then.
local LOADED = package.loaded
local rawequal, next = rawequal, next
local match = string.match
local VERSION = _VERSION
local INFO = VERSION == "Lua 5.1" and "nf" or "nft" -- (5.1 shows a tail call as a frame of its own)
-- the harness's other chunks whose frames count as the function's own (M.internal(source))
local INTERNAL = {}
function M.internal(source) INTERNAL[source] = true end
-- (the standard libraries first: a function also in a module of aos's, bit32.bxor in
-- .crypto.util.bit, is named as live names it, by the library)
local LIBRARIES = { "_G", "bit32", "string", "table", "math", "io", "os", "coroutine", "utf8", "debug", "package" }
local function fieldOf(mod, t, fn)
  if rawequal(t, fn) then return mod end
  if type(t) == "table" then
    for k, v in next, t do
      if type(k) == "string" and rawequal(v, fn) then
        if mod == "_G" then return k end
        return mod .. "." .. k
      end
    end
  end
end
local function globalName(fn)
  for _, mod in ipairs(LIBRARIES) do
    local name = fieldOf(mod, rawget(LOADED, mod), fn)
    if name then return name end
  end
  for mod, t in next, LOADED do
    if type(mod) == "string" then
      local name = fieldOf(mod, t, fn)
      if name then return name end
    end
  end
  return "?"
end
-- luaL_argerror's words for argument *i* (*rest*: "(number expected, got nil)") of the function
-- its caller called *name*; *how* is how it was called (getinfo's namewhat): a method's self is
-- not counted, and a bad self is 'calling ... on bad self'.
local function argText(i, name, how, rest)
  if how == "method" then
    i = i - 1
    if i == 0 then return "calling '" .. name .. "' on bad self " .. rest end
  end
  return "bad argument #" .. i .. " to '" .. name .. "' " .. rest
end
M.argText = argText
-- The argument error *msg* ("bad argument #<i> to '<short>' <rest>") raised by a function of
-- chunk *source*, worded for the frame that called into that chunk; any other message as it is.
local function argError(source, msg)
  local i, short, rest = match(msg, "^bad argument #(%d+) to '([^']*)' (.*)$")
  if not i then return msg end
  -- the outermost frame of the harness's own below the caller: *source*'s, another harness chunk's
  -- (INTERNAL: the guards'), or a C function that such a chunk called (the guards' pcall)
  local level, inner, tail = 3, nil, false
  while true do
    local info = getinfo(level, "S")
    if info == nil then break end
    if info.what == "tail" then
      tail = true
    elseif info.source == source or INTERNAL[info.source] then
      inner, tail = level, false
    elseif info.what == "C" then
      local up = getinfo(level + 1, "S")
      if not (up and INTERNAL[up.source]) then break end
    else
      break
    end
    level = level + 1
  end
  local name, how
  if inner ~= nil and not tail then
    local called = getinfo(inner, INFO)
    if called.istailcall then
      name = short
    elseif called.name then
      name, how = called.name, called.namewhat
    else
      name = globalName(called.func)
    end
  else
    name = short
  end
  return argText(tonumber(i), name, how, rest)
end
M.argError = argError
local OWN = getinfo(1, "S").source
local raiseHere = raiser(OWN)
local function raise(msg) raiseHere(argError(OWN, msg)) end
-- (ipairs on LuaJIT keeps its own name: LuaJIT shows no tail call, and `return ipairs(t)` is
-- common enough that a caller's name would stand for it)
local raiseIpairs = rawget(_G, "jit") and raiseHere or raise
local TWO32 = 4294967296
local ALLONES = 4294967295

-- The number value of argument i, or the error live gives.
local function argNumber(v, i, fname, n)
  local x = v
  if type(x) ~= "number" then x = type(x) == "string" and tonumber(x) or nil end
  if x == nil then
    local got = (i > n) and "no value" or type(v)
    raise("bad argument #" .. i .. " to '" .. fname .. "' (number expected, got " .. got .. ")")
  end
  return x
end

-- An integral value of argument i (live's luaL_checkinteger).
local toint
if hasIntegers then
  local tointeger = math.tointeger
  toint = function(v, i, fname, n)
    local x = argNumber(v, i, fname, n)
    local r = tointeger(x)
    if r == nil then
      raise("bad argument #" .. i .. " to '" .. fname .. "' (number has no integer representation)")
    end
    return r
  end
else
  toint = function(v, i, fname, n)
    local x = argNumber(v, i, fname, n)
    if x ~= x or x ~= floor(x) or x >= 2 ^ 63 or x < -(2 ^ 63) then
      raise("bad argument #" .. i .. " to '" .. fname .. "' (number has no integer representation)")
    end
    return x
  end
end

-- The unsigned 32-bit value of argument i.
local function tou(v, i, fname, n)
  return toint(v, i, fname, n) % TWO32
end

local function fieldArgs(f, w, i, fname, n)
  f = toint(f, i, fname, n)
  if w == nil then
    w = 1
  else
    w = toint(w, i + 1, fname, n)
  end
  if f < 0 then raise("bad argument #" .. i .. " to '" .. fname .. "' (field cannot be negative)") end
  if w <= 0 then raise("bad argument #" .. (i + 1) .. " to '" .. fname .. "' (width must be positive)") end
  if f + w > 32 then raise("trying to access non-existent bits") end
  return f, w
end

-- The three binary operations on unsigned 32-bit values, as (a, b) -> result.
local opAnd, opOr, opXor
local function arithmeticOps()
  -- 4-bit lookup tables: 8 steps per operation
  local AND, OR, XOR = {}, {}, {}
  for a = 0, 15 do
    for b = 0, 15 do
      local ra, ro, rx, bit = 0, 0, 0, 1
      local x, y = a, b
      for _ = 1, 4 do
        local xa, ya = x % 2, y % 2
        if xa == 1 and ya == 1 then ra = ra + bit end
        if xa == 1 or ya == 1 then ro = ro + bit end
        if xa ~= ya then rx = rx + bit end
        x, y, bit = (x - xa) / 2, (y - ya) / 2, bit * 2
      end
      AND[a * 16 + b], OR[a * 16 + b], XOR[a * 16 + b] = ra, ro, rx
    end
  end
  local function make(tbl)
    return function(a, b)
      local r, scale = 0, 1
      for _ = 1, 8 do
        local na, nb = a % 16, b % 16
        r = r + tbl[na * 16 + nb] * scale
        a, b, scale = (a - na) / 16, (b - nb) / 16, scale * 16
      end
      return r
    end
  end
  return make(AND), make(OR), make(XOR)
end

local shiftLeft, shiftRight -- (unsigned x, 0 <= i < 32) -> unsigned

-- On Lua 5.3+, the calls crypto code makes by the million (two or three integral numbers, a shift
-- within 0-31) take a native path of a few instructions; anything else goes to the checked function
-- (which raises live's errors).  Compiled under this file's own chunk name, so an error raised
-- behind a fast path still names the function as its caller called it (argError).
local function fastPaths(checked)
  local build = load([[
    local checked = ...
    local int, select = math.tointeger, select
    local M32 = 0xFFFFFFFF
    local fast = {}
    for name, f in pairs(checked) do fast[name] = f end
    local function logical(name, op2, op3)
      local slow = checked[name]
      fast[name] = function(...)
        local n = select("#", ...)
        local a, b, c = ...
        a, b = int(a), int(b)
        if a and b then
          if n == 2 then return op2(a, b) & M32 end
          c = int(c)
          if n == 3 and c then return op3(a, b, c) & M32 end
          if c then -- (Keccak's five-way xor)
            local r = op3(a, b, c)
            for i = 4, n do
              local v = int((select(i, ...)))
              if not v then r = nil break end
              r = op2(r, v)
            end
            if r then return r & M32 end
          end
        end
        local r = slow(...)
        return r
      end
    end
    logical("band", function(a, b) return a & b end, function(a, b, c) return a & b & c end)
    logical("bor", function(a, b) return a | b end, function(a, b, c) return a | b | c end)
    logical("bxor", function(a, b) return a ~ b end, function(a, b, c) return a ~ b ~ c end)
    local slowNot, slowL, slowR, slowRotL, slowRotR = checked.bnot, checked.lshift, checked.rshift,
      checked.lrotate, checked.rrotate
    function fast.bnot(...)
      local x = int((...))
      if x and select("#", ...) == 1 then return ~x & M32 end
      local r = slowNot(...)
      return r
    end
    local function shifting(slow, native)
      return function(...)
        local x, d = ...
        x, d = int(x), int(d)
        if x and d and d >= 0 and d < 32 and select("#", ...) == 2 then
          return native(x & M32, d)
        end
        local r = slow(...)
        return r
      end
    end
    fast.lshift = shifting(slowL, function(x, d) return (x << d) & M32 end)
    fast.rshift = shifting(slowR, function(x, d) return x >> d end)
    fast.lrotate = shifting(slowRotL, function(x, d) return ((x << d) | (x >> (32 - d))) & M32 end)
    fast.rrotate = shifting(slowRotR, function(x, d) return ((x >> d) | (x << (32 - d))) & M32 end)
    return fast
  ]], getinfo(1, "S").source)
  return build(checked)
end

function M.build(opts)
  opts = opts or {}
  local bitlib = opts.bit
  local impl
  if hasIntegers then
    local ops = load([[
      return function(a, b) return a & b end, function(a, b) return a | b end,
        function(a, b) return a ~ b end,
        function(x, i) return (x << i) & 0xFFFFFFFF end, function(x, i) return x >> i end
    ]])
    opAnd, opOr, opXor, shiftLeft, shiftRight = ops()
    impl = "native"
  elseif bitlib then
    local band, bor, bxor, lshift, rshift = bitlib.band, bitlib.bor, bitlib.bxor, bitlib.lshift, bitlib.rshift
    opAnd = function(a, b) return band(a, b) % TWO32 end
    opOr = function(a, b) return bor(a, b) % TWO32 end
    opXor = function(a, b) return bxor(a, b) % TWO32 end
    shiftLeft = function(x, i) return lshift(x, i) % TWO32 end
    shiftRight = function(x, i) return rshift(x, i) % TWO32 end
    impl = "bit"
  else
    opAnd, opOr, opXor = arithmeticOps()
    shiftLeft = function(x, i) return (x * 2 ^ i) % TWO32 end
    shiftRight = function(x, i) return floor(x / 2 ^ i) end
    impl = "arithmetic"
  end

  local function shift(x, i)
    if i < 0 then
      i = -i
      if i >= 32 then return 0 end
      return shiftRight(x, i)
    end
    if i >= 32 then return 0 end
    return shiftLeft(x, i)
  end

  local function fold(op, init, fname, ...)
    local n = select("#", ...)
    local r = init
    for i = 1, n do
      r = op(r, tou((select(i, ...)), i, fname, n))
    end
    return r
  end

  local b = {}
  -- (not tail calls: an error names the function as its caller called it, see argError)
  function b.band(...) local r = fold(opAnd, ALLONES, "band", ...) return r end
  function b.bor(...) local r = fold(opOr, 0, "bor", ...) return r end
  function b.bxor(...) local r = fold(opXor, 0, "bxor", ...) return r end
  function b.btest(...) return fold(opAnd, ALLONES, "btest", ...) ~= 0 end
  function b.bnot(...)
    local n = select("#", ...)
    return ALLONES - tou((...), 1, "bnot", n)
  end
  function b.lshift(...)
    local n = select("#", ...)
    local x, d = ...
    return shift(tou(x, 1, "lshift", n), toint(d, 2, "lshift", n))
  end
  function b.rshift(...)
    local n = select("#", ...)
    local x, d = ...
    return shift(tou(x, 1, "rshift", n), -toint(d, 2, "rshift", n))
  end
  function b.arshift(...)
    local n = select("#", ...)
    local x, d = ...
    x, d = tou(x, 1, "arshift", n), toint(d, 2, "arshift", n)
    if d < 0 or x < 2147483648 then return shift(x, -d) end
    if d >= 32 then return ALLONES end
    -- sign fill: the top d bits set
    return opOr(shiftRight(x, d), ALLONES - (shiftRight(ALLONES, d)))
  end
  local function rotate(x, d)
    local i = d % 32
    if i == 0 then return x end
    return opOr(shiftLeft(x, i), shiftRight(x, 32 - i))
  end
  function b.lrotate(...)
    local n = select("#", ...)
    local x, d = ...
    return rotate(tou(x, 1, "lrotate", n), toint(d, 2, "lrotate", n))
  end
  function b.rrotate(...)
    local n = select("#", ...)
    local x, d = ...
    return rotate(tou(x, 1, "rrotate", n), -toint(d, 2, "rrotate", n))
  end
  local function mask(w) return shiftRight(ALLONES, 32 - w) end
  function b.extract(...)
    local n = select("#", ...)
    local x, f, w = ...
    x = tou(x, 1, "extract", n)
    f, w = fieldArgs(f, w, 2, "extract", n)
    return opAnd(shiftRight(x, f), mask(w))
  end
  function b.replace(...)
    local n = select("#", ...)
    local x, v, f, w = ...
    x = tou(x, 1, "replace", n)
    v = tou(v, 2, "replace", n)
    f, w = fieldArgs(f, w, 3, "replace", n)
    local m = mask(w)
    local hole = ALLONES - shiftLeft(m, f)
    return opOr(opAnd(x, hole), shiftLeft(opAnd(v, m), f))
  end
  if impl == "native" then b = fastPaths(b) end
  return b, impl
end

-- math.frexp / ldexp without C: exact for every finite double.
local function ldexp(m, e)
  if e > 1023 then
    m = m * 2.0 ^ 1023
    e = e - 1023
    if e > 1023 then
      m = m * 2.0 ^ 1023
      e = e - 1023
      if e > 1023 then e = 1023 end
    end
  elseif e < -1022 then
    m = m * 2.0 ^ -1022
    e = e + 1022
    if e < -1022 then
      m = m * 2.0 ^ -1022
      e = e + 1022
      if e < -1022 then e = -1022 end
    end
  end
  return m * 2.0 ^ e
end

local function frexp(x)
  if x == 0 or x ~= x or x == math.huge or x == -math.huge then return x + 0.0, 0 end
  local ax = x < 0 and -x or x
  local e = 0
  if ax < 2.0 ^ -1000 then
    ax = ax * 2.0 ^ 1000
    e = -1000
  elseif ax >= 2.0 ^ 1000 then
    ax = ax * 2.0 ^ -1000
    e = 1000
  end
  local k = floor(math.log(ax) / math.log(2)) + 1
  local m = ax / 2.0 ^ k
  -- the log estimate can be one off either way
  while m >= 1 do
    m = m / 2
    k = k + 1
  end
  while m < 0.5 do
    m = m * 2
    k = k - 1
  end
  if x < 0 then m = -m end
  return m, e + k
end

local function mathExtras(math_)
  local exp, log, atan = math_.exp, math_.log, math_.atan
  local nativeLdexp = rawget(math_, "ldexp")
  local out = {}
  local int = math_.tointeger
  local function checknum(v, i, fname, n) return argNumber(v, i, fname, n) end
  out.pow = function(...)
    local n = select("#", ...)
    local x, y = ...
    return checknum(x, 1, "pow", n) ^ checknum(y, 2, "pow", n)
  end
  out.ldexp = function(...)
    local n = select("#", ...)
    local x, e = ...
    x = checknum(x, 1, "ldexp", n) + 0.0
    e = toint(e, 2, "ldexp", n)
    if nativeLdexp then return nativeLdexp(x, e) end
    if x == 0 or x ~= x then return x end
    local r = ldexp(x, e)
    return r
  end
  out.frexp = function(...)
    local n = select("#", ...)
    local m, e = frexp(checknum((...), 1, "frexp", n))
    if int then e = int(e) end
    return m, e
  end
  out.log10 = function(...)
    local n = select("#", ...)
    return log(checknum((...), 1, "log10", n), 10)
  end
  out.atan2 = function(...)
    local n = select("#", ...)
    local y, x = ...
    return atan(checknum(y, 1, "atan2", n), checknum(x, 2, "atan2", n))
  end
  out.cosh = function(...)
    local n = select("#", ...)
    local x = checknum((...), 1, "cosh", n)
    if x < 0 then x = -x end
    if x > 709 then
      -- exp(x) alone would overflow before the halving
      local t = exp(x / 2)
      return (0.5 * t) * t
    end
    local t = exp(x)
    return 0.5 * t + 0.5 / t
  end
  out.sinh = function(...)
    local n = select("#", ...)
    local x = checknum((...), 1, "sinh", n) + 0.0
    local ax = x < 0 and -x or x
    local r
    if ax < 2.0 ^ -28 then
      return x
    elseif ax < 1 then
      -- series: accurate where exp(x) - exp(-x) would cancel
      local x2, term, sum = ax * ax, ax, ax
      for k = 1, 12 do
        term = term * x2 / ((2 * k) * (2 * k + 1))
        sum = sum + term
      end
      r = sum
    elseif ax > 709 then
      local t = exp(ax / 2)
      r = (0.5 * t) * t
    else
      local t = exp(ax)
      r = 0.5 * t - 0.5 / t
    end
    return x < 0 and -r or r
  end
  out.tanh = function(...)
    local n = select("#", ...)
    local x = checknum((...), 1, "tanh", n) + 0.0
    local ax = x < 0 and -x or x
    local r
    if ax ~= ax then return x end
    if ax > 22 then
      r = 1.0
    elseif ax < 2.0 ^ -28 then
      return x
    elseif ax < 0.5 then
      local s = out.sinh(ax)
      r = s / out.cosh(ax)
    else
      local t = exp(2 * ax)
      r = 1 - 2 / (t + 1)
    end
    return x < 0 and -r or r
  end
  return out
end

-- ipairs honouring __ipairs (live's pairsmeta: any first argument, the metamethod's 3 results).
local function makeIpairs(nativeIpairs, getmeta)
  local native53 = hasIntegers -- 5.3+ ipairs respects __index already
  local function aux(t, i)
    i = i + 1
    -- (live's iterator is C: indexing what cannot be indexed says so without a position)
    local tt = type(t)
    if tt ~= "table" and tt ~= "string" then
      local mt = getmeta(t)
      if mt == nil or rawget(mt, "__index") == nil then error("attempt to index a " .. tt .. " value", 0) end
    end
    local v = t[i]
    if v == nil then return nil end
    return i, v
  end
  -- the iterator native ipairs returns (the same function value at every call, on every Lua)
  local inext = nativeIpairs({})
  return function(...)
    local t = ...
    local mt = getmeta(t)
    if mt == nil and type(t) == "table" then return inext, t, 0 end
    if mt ~= nil then
      local h = rawget(mt, "__ipairs")
      if h ~= nil then
        local a, b, c = h(t)
        return a, b, c
      end
      if native53 and type(t) == "table" then return nativeIpairs(t) end
      return aux, t, 0
    end
    if t == nil and select("#", ...) == 0 then
      raiseIpairs("bad argument #1 to 'ipairs' (value expected)") -- (live's words)
    end
    return aux, t, 0
  end
end

-- Put live's 5.2 compatibility functions into the global table G.
function M.install(G, opts)
  opts = opts or {}
  local math_ = G.math
  if type(rawget(G, "bit32")) ~= "table" then
    G.bit32 = M.build(opts)
  end
  local extras = mathExtras(math_)
  for _, name in ipairs({ "pow", "ldexp", "frexp", "log10", "atan2", "cosh", "sinh", "tanh" }) do
    if rawget(math_, name) == nil then math_[name] = extras[name] end
  end
  -- live's ldexp wants an integral exponent (older Luas truncate it)
  math_.ldexp = extras.ldexp
  -- LUA_COMPAT_MATHLIB's frexp returns an integer exponent on 5.3
  local getmeta = (G.debug and G.debug.getmetatable) or getmetatable
  G.ipairs = makeIpairs(G.ipairs, getmeta)
  if G.package and G.package.loaded and G.bit32 then G.package.loaded.bit32 = G.bit32 end
  return G
end

M.frexp = frexp
M.ldexp = ldexp
return M
