-- .bint: fixed-width two's complement big integers with the API aos code uses from lua-bint 0.5
-- (`local bint = require(".bint")(256)`), written here from its documented behaviour.
--
-- Representation: an array of 16-bit limbs, least significant first, in a table whose metatable
-- is the class.  16-bit limbs keep every intermediate value below 2^53, so the same code is exact
-- on Lua 5.1, 5.2, 5.3, 5.4, 5.5 and LuaJIT (no integer subtype or bit operators needed), and the
-- module loads everywhere instead of refusing Luas without integers.  Overflow wraps silently at
-- the chosen width, as lua-bint does.
--
-- API (the names lua-bint 0.5.1 has in aos; behaviour checked against the live module):
-- bint(x) / bint.new(x) from a bint (a copy), an integer-valued number or a string (decimal,
-- "0x" hex, "0b" binary, optional sign; raises "value cannot be represented by a bint" otherwise;
-- any other non-nil value comes back unchanged, as in lua-bint); tobint(x[, clone]), frominteger,
-- fromuinteger, fromstring, trunc, tobase (no value at all on failure); parse(x) (a bint, else
-- tonumber(x)); frombase(s, base); zero, one, maxinteger, mininteger; tobase(x[, base=10[,
-- unsigned = base ~= 10]]), tonumber, tointeger / touinteger (low 64 bits on 5.3+), type;
-- iszero, isone, isminusone, isneg, ispos, iseven, isodd (a plain value is tested with Lua's
-- operators), isintegral, isnumeric, isbint; eq, ult, ule; max, min, inc, dec, abs, floor, ceil
-- (bints when the arguments convert, else number results); udivmod, udiv, umod, tdivmod, tdiv,
-- tmod, idivmod (floor); ipow (exact, wrapping; the exponent read unsigned); upowmod.
-- Numbers convert as lua-bint 0.5.1 converts them: integers and integral floats within 64 bits
-- (2^53 yes, 1e20 no; on Luas without integers: integral values below 2^63 in magnitude).
-- Metamethods: + - * // % unary- (a bint when both sides convert, else float arithmetic), ^ (always
-- a float: both sides go through bint.tonumber, as lua-bint 0.5.1 does), / (float), == < <= (Lua
-- 5.1 and LuaJIT call < and <= only when both sides are bints), tostring, and on 5.3+
-- & | ~ << >> (there is no bint.band, bint.lshift, bint.tostring, bint.lt...: not in lua-bint).
-- Byte strings: tole, tobe, fromle, frombe; rotations brol, bror, bwrap; lua-bint's in-place
-- methods (_add, _sub, _inc, _dec, _abs, _unm, _assign, _band, _bor, _bxor, _bnot, _shlone,
-- _shrone, _shlwords, _shrwords: x:_add(y) changes x and returns it).  Live's numbers are 8
-- words of 32 bits where these are 16 limbs of 16 (#x and x[i] differ; the values do not).
local floor = math.floor
local mathtype = math.type
local TWO63 = 2 ^ 63
local B = 65536
local HALF = 32768

local cache = {}

local function newclass(bits)
  bits = bits or 256
  assert(bits % 32 == 0, "bitsize must be a multiple of 32")
  if cache[bits] then return cache[bits] end
  local N = floor(bits / 16)
  local bint = {}
  bint.__index = bint
  bint.bits = bits

  local function raw()
    local r = {}
    for i = 1, N do r[i] = 0 end
    return setmetatable(r, bint)
  end

  local function copy(x)
    local r = {}
    for i = 1, N do r[i] = x[i] end
    return setmetatable(r, bint)
  end

  local function isbint(x)
    return getmetatable(x) == bint
  end
  bint.isbint = isbint

  -- two's complement negation in place
  local function negate(r)
    local carry = 1
    for i = 1, N do
      local v = (B - 1 - r[i]) + carry
      if v >= B then
        r[i] = v - B
        carry = 1
      else
        r[i] = v
        carry = 0
      end
    end
    return r
  end

  -- r = r * m + a  (m, a small non-negative numbers), wrapping
  local function muladd(r, m, a)
    local carry = a
    for i = 1, N do
      local v = r[i] * m + carry
      carry = floor(v / B)
      r[i] = v - carry * B
    end
    return r
  end

  local function iszero(x)
    for i = 1, N do
      if x[i] ~= 0 then return false end
    end
    return true
  end

  local function isneg(x)
    return x[N] >= HALF
  end

  -- unsigned division by a small number d (<= 2^30: rem * B + limb stays exact below 2^53): returns quotient (new) and remainder
  local function divsmall(x, d)
    local q = raw()
    local rem = 0
    for i = N, 1, -1 do
      local cur = rem * B + x[i]
      local qi = floor(cur / d)
      q[i] = qi
      rem = cur - qi * d
    end
    return q, rem
  end

  local digits = "0123456789abcdefghijklmnopqrstuvwxyz"
  local digitValue = {}
  for i = 1, #digits do digitValue[string.byte(digits, i)] = i - 1 end

  -- chunk[base] = k, the most digits whose value (< base^k <= 2^30) can be added in one step:
  -- limb * base^k + carry stays below 2^53, so every step is exact in a double
  local chunkDigits, chunkPower = {}, {}
  for base = 2, 36 do
    local k, p = 1, base
    while p * base <= 2 ^ 30 do
      k, p = k + 1, p * base
    end
    chunkDigits[base], chunkPower[base] = k, p
  end

  local function parse(s, base)
    if type(s) ~= "string" then return nil end
    s = string.lower(s)
    local i, neg = 1, false
    local sign = string.sub(s, 1, 1)
    if sign == "-" or sign == "+" then
      neg = sign == "-"
      i = 2
    end
    if not base then
      local prefix = string.sub(s, i, i + 1)
      if prefix == "0x" then
        base, i = 16, i + 2
      elseif prefix == "0b" then
        base, i = 2, i + 2
      else
        base = 10
      end
    end
    if base < 2 or base > 36 or i > #s then return nil end
    for j = i, #s do
      local d = digitValue[string.byte(s, j)]
      if not d or d >= base then return nil end
    end
    local r = raw()
    local k = chunkDigits[base]
    -- the first chunk takes the leftover digits so the others are all k long
    local first = (#s - i + 1) % k
    if first > 0 then
      muladd(r, base ^ first, tonumber(string.sub(s, i, i + first - 1), base))
      i = i + first
    end
    local power = chunkPower[base]
    for j = i, #s, k do
      muladd(r, power, tonumber(string.sub(s, j, j + k - 1), base))
    end
    if neg then negate(r) end
    return r
  end

  local function fromnumber(n)
    if n ~= n or n == math.huge or n == -math.huge then return nil end
    if floor(n) ~= n then return nil end
    local neg = n < 0
    local m = neg and -n or n
    if m >= 2 ^ 53 then
      -- exact for integers (5.3+) and for floats that hold an integer value
      return parse(string.format("%.0f", n))
    end
    local r = raw()
    for i = 1, N do
      local limb = m % B
      r[i] = limb
      m = (m - limb) / B
      if m == 0 then break end
    end
    for i = 1, N do r[i] = floor(r[i]) end
    if neg then negate(r) end
    return r
  end

  -- lua-bint's integer conversion: a number or numeric text (as `tonumber` reads it) whose value is
  -- a 64-bit integer, else nil.  Integral floats count when they fit (2.0, 2^53), 1e20 does not.
  local function tointeger(x)
    x = tonumber(x)
    if x == nil then return nil end
    if mathtype then
      local ty = mathtype(x)
      if ty == "float" then
        local f = floor(x) -- an integer when the float fits in one (5.3+)
        if f == x then ty = mathtype(f) end
        x = f
      end
      if ty == "integer" then return x end
      return nil
    end
    -- Luas without integers: an integral number in the 64-bit range
    if floor(x) == x and x >= -TWO63 and x < TWO63 then return x end
    return nil
  end

  local function frominteger(x)
    x = tointeger(x)
    if x == nil then return end
    if mathtype then return parse(string.format("%d", x)) end
    return fromnumber(x)
  end

  -- Every conversion below returns no value at all on failure, as lua-bint's do:
  -- select("#", bint.tobint("x")) == 0.
  function bint.frominteger(x)
    local r = frominteger(x)
    if r then return r end
  end

  -- fromuinteger(x): x read as an unsigned 64-bit integer (-1 -> 2^64 - 1)
  function bint.fromuinteger(x)
    local r = frominteger(x)
    if not r then return end
    if isneg(r) then
      -- add 2^64
      local carry = 1
      for i = 5, N do
        local v = r[i] + carry
        if v >= B then
          r[i], carry = v - B, 1
        else
          r[i], carry = v, 0
        end
      end
    end
    return r
  end

  local function fromstring(s)
    if type(s) ~= "string" then return nil end
    return parse(s)
  end

  function bint.fromstring(s)
    local r = fromstring(s)
    if r then return r end
  end

  local function tobint(x, clone)
    if isbint(x) then
      if clone then return copy(x) end
      return x
    end
    local t = type(x)
    if t == "number" then return frominteger(x) end
    if t == "string" then return fromstring(x) end
    return nil
  end

  -- tobint(x[, clone]): a bint from a bint, an integer-valued number or a string; no value when
  -- x cannot be represented
  function bint.tobint(x, clone)
    local r = tobint(x, clone)
    if r then return r end
  end

  -- new(x): a new bint; raises for a number or string that cannot be represented.  As in lua-bint,
  -- a value of any other type (a table, a boolean) is returned unchanged, and nil raises.
  function bint.new(x)
    if isbint(x) then return copy(x) end
    local t = type(x)
    if t == "number" then
      x = frominteger(x)
    elseif t == "string" then
      x = fromstring(x)
    end
    if not x then error("value cannot be represented by a bint", 2) end
    return x
  end

  -- parse(x): a bint, else tonumber(x) (1.5 for "1.5", nil for "abc")
  function bint.parse(x, clone)
    local r = tobint(x, clone)
    if r then return r end
    return tonumber(x)
  end

  function bint.frombase(s, base)
    return parse(s, base or 10)
  end

  function bint.zero() return raw() end

  function bint.one()
    local r = raw()
    r[1] = 1
    return r
  end

  function bint.maxinteger()
    local r = raw()
    for i = 1, N do r[i] = B - 1 end
    r[N] = HALF - 1
    return r
  end

  function bint.mininteger()
    local r = raw()
    r[N] = HALF
    return r
  end

  local function arg(x)
    local r = tobint(x)
    if not r then error("value cannot be represented by a bint", 3) end
    return r
  end

  -- like arg, for the operands lua-bint reads as integers (ult, ule, bitwise operators)
  local function argi(x, level)
    local r = tobint(x)
    if not r then error("value has not integer representation", level or 3) end
    return r
  end

  local function isone(a)
    if a[1] ~= 1 then return false end
    for i = 2, N do
      if a[i] ~= 0 then return false end
    end
    return true
  end

  local function isminusone(a)
    for i = 1, N do
      if a[i] ~= B - 1 then return false end
    end
    return true
  end

  -- The predicates test a bint, or a plain value with Lua's own operators (as lua-bint: a
  -- string is not converted, so isneg("7") raises and iszero("0") is false).
  function bint.iszero(x)
    if isbint(x) then return iszero(x) end
    return x == 0
  end
  function bint.isone(x)
    if isbint(x) then return isone(x) end
    return x == 1
  end
  function bint.isminusone(x)
    if isbint(x) then return isminusone(x) end
    return x == -1
  end
  function bint.isneg(x)
    if isbint(x) then return isneg(x) end
    return x < 0
  end
  function bint.ispos(x)
    if isbint(x) then return not isneg(x) and not iszero(x) end
    return x > 0
  end
  function bint.iseven(x)
    if isbint(x) then return x[1] % 2 == 0 end
    return math.abs(x) % 2 == 0
  end
  function bint.isodd(x)
    if isbint(x) then return x[1] % 2 == 1 end
    return math.abs(x) % 2 == 1
  end
  function bint.isintegral(x)
    if isbint(x) then return true end
    if mathtype then return mathtype(x) == "integer" end
    return type(x) == "number" and floor(x) == x
  end
  function bint.isnumeric(x)
    return isbint(x) or type(x) == "number"
  end
  -- type(x): "bint", else math.type(x) ("integer", "float" or nil; "float" for every number on
  -- Luas without integers)
  function bint.type(x)
    if isbint(x) then return "bint" end
    if mathtype then return mathtype(x) end
    if type(x) == "number" then return "float" end
    return nil
  end

  local function add(a, b)
    local r = raw()
    local carry = 0
    for i = 1, N do
      local v = a[i] + b[i] + carry
      if v >= B then
        r[i] = v - B
        carry = 1
      else
        r[i] = v
        carry = 0
      end
    end
    return r
  end

  local function sub(a, b)
    local r = raw()
    local borrow = 0
    for i = 1, N do
      local v = a[i] - b[i] - borrow
      if v < 0 then
        r[i] = v + B
        borrow = 1
      else
        r[i] = v
        borrow = 0
      end
    end
    return r
  end

  local function mul(a, b)
    local acc = {}
    for i = 1, N do acc[i] = 0 end
    for i = 1, N do
      local ai = a[i]
      if ai ~= 0 then
        for j = 1, N - i + 1 do
          acc[i + j - 1] = acc[i + j - 1] + ai * b[j]
        end
      end
      -- keep column sums small: normalise as we go
      local carry = 0
      for k = i, N do
        local v = acc[k] + carry
        carry = floor(v / B)
        acc[k] = v - carry * B
      end
    end
    return setmetatable(acc, bint)
  end

  -- unsigned compare: -1, 0, 1
  local function ucmp(a, b)
    for i = N, 1, -1 do
      if a[i] ~= b[i] then return a[i] < b[i] and -1 or 1 end
    end
    return 0
  end

  local function scmp(a, b)
    local na, nb = isneg(a), isneg(b)
    if na ~= nb then return na and -1 or 1 end
    return ucmp(a, b)
  end

  local function shl1(r)
    local carry = 0
    for i = 1, N do
      local v = r[i] * 2 + carry
      if v >= B then
        r[i] = v - B
        carry = 1
      else
        r[i] = v
        carry = 0
      end
    end
  end

  local function bitlength(a)
    for i = N, 1, -1 do
      local v = a[i]
      if v ~= 0 then
        local n = 0
        while v > 0 do
          v = floor(v / 2)
          n = n + 1
        end
        return (i - 1) * 16 + n
      end
    end
    return 0
  end

  -- unsigned long division
  local function udivmod(a, b)
    if iszero(b) then error("attempt to divide by zero", 3) end
    if ucmp(a, b) < 0 then return raw(), copy(a) end
    local small = true
    for i = 2, N do
      if b[i] ~= 0 then
        small = false
        break
      end
    end
    if small and b[1] < 2 ^ 20 then
      local q, r = divsmall(a, b[1])
      local rem = raw()
      rem[1] = r
      return q, rem
    end
    local q, rem = raw(), raw()
    for bit = bitlength(a) - 1, 0, -1 do
      shl1(rem)
      local limb = floor(bit / 16) + 1
      local within = bit % 16
      if floor(a[limb] / 2 ^ within) % 2 == 1 then rem[1] = rem[1] + 1 end
      if ucmp(rem, b) >= 0 then
        rem = sub(rem, b)
        q[limb] = q[limb] + 2 ^ within
      end
    end
    for i = 1, N do q[i] = floor(q[i]) end
    return q, rem
  end

  local function abs(a)
    if isneg(a) then return negate(copy(a)) end
    return a
  end

  local function tdivmod(a, b)
    local q, r = udivmod(abs(a), abs(b))
    if isneg(a) ~= isneg(b) then negate(q) end
    if isneg(a) then negate(r) end
    return q, r
  end

  local function fdivmod(a, b)
    local q, r = tdivmod(a, b)
    if not iszero(r) and (isneg(r) ~= isneg(b)) then
      q = sub(q, bint.one())
      r = add(r, b)
    end
    return q, r
  end

  local function tostr(x, base, unsigned)
    base = base or 10
    if base < 2 or base > 36 then error("base must be between 2 and 36", 3) end
    local neg = not unsigned and isneg(x)
    local v = neg and negate(copy(x)) or x
    if iszero(v) then return "0" end
    local k, power = chunkDigits[base], chunkPower[base]
    local chunks = {}
    while not iszero(v) do
      local r
      v, r = divsmall(v, power)
      chunks[#chunks + 1] = r
    end
    local out = { neg and "-" or "" }
    for c = #chunks, 1, -1 do
      local r, text = chunks[c], {}
      for d = 1, k do
        local digit = r % base
        text[k - d + 1] = string.sub(digits, digit + 1, digit + 1)
        r = (r - digit) / base
        if r == 0 and c == #chunks then
          -- the most significant chunk is not zero-padded
          out[#out + 1] = table.concat(text, "", k - d + 1, k)
          text = nil
          break
        end
      end
      if text then out[#out + 1] = table.concat(text) end
    end
    return table.concat(out)
  end

  function bint.tobase(x, base, unsigned)
    local a = tobint(x)
    if not a then return end
    base = base or 10
    if unsigned == nil then unsigned = base ~= 10 end
    return tostr(a, base, unsigned)
  end

  function bint.tonumber(x)
    if not isbint(x) then return tonumber(x) end
    return tonumber(tostr(x, 10))
  end

  -- tointeger(x): on 5.3+ the low 64 bits as a Lua integer (wrapping, like lua-bint); on Luas
  -- without integers the same as tonumber
  function bint.tointeger(x)
    if not isbint(x) then
      -- a plain value: lua-bint's integer conversion, no value when there is none
      local r = tointeger(x)
      if r then return r end
      return
    end
    local a = x
    if not math.tointeger then return bint.tonumber(a) end
    local r = 0
    for i = math.min(N, 4), 1, -1 do
      r = r * 65536 + math.tointeger(a[i]) -- integer arithmetic: wraps modulo 2^64
    end
    if N < 4 and isneg(a) then r = r - math.tointeger(2 ^ (16 * N)) end
    return r
  end
  -- touinteger: the same bits (lua-bint's integers are two's complement either way)
  bint.touinteger = bint.tointeger

  -- floor, ceil, trunc: a bint from a bint (a copy) or from a number rounded that way
  function bint.floor(x)
    if isbint(x) then return copy(x) end
    return bint.new(floor(tonumber(x)))
  end
  function bint.ceil(x)
    if isbint(x) then return copy(x) end
    return bint.new(math.ceil(tonumber(x)))
  end
  function bint.trunc(x)
    if isbint(x) then return copy(x) end
    local n = tonumber(x)
    if n == nil then return end
    if n < 0 then n = math.ceil(n) else n = floor(n) end
    local r = frominteger(n)
    if r then return r end
  end

  -- max/min of two values that convert: a new bint; otherwise compared as numbers, and the
  -- chosen argument goes through parse (a float stays a float)
  function bint.max(a, b)
    local x, y = tobint(a), tobint(b)
    if x and y then return copy(scmp(x, y) > 0 and x or y) end
    return bint.parse(bint.tonumber(a) < bint.tonumber(b) and b or a)
  end

  function bint.min(a, b)
    local x, y = tobint(a), tobint(b)
    if x and y then return copy(scmp(x, y) < 0 and x or y) end
    return bint.parse(bint.tonumber(a) < bint.tonumber(b) and a or b)
  end

  -- inc, dec, abs: a new bint when x converts, else plain arithmetic on x
  function bint.inc(x)
    local a = tobint(x)
    if a then return add(a, bint.one()) end
    return x + 1
  end
  function bint.dec(x)
    local a = tobint(x)
    if a then return sub(a, bint.one()) end
    return x - 1
  end

  function bint.abs(x)
    local a = tobint(x)
    if a then return abs(copy(a)) end
    return math.abs(x)
  end
  function bint.eq(a, b)
    local x, y = tobint(a), tobint(b)
    if not x or not y then return false end
    return ucmp(x, y) == 0
  end
  function bint.ult(a, b) return ucmp(argi(a), argi(b)) < 0 end
  function bint.ule(a, b) return ucmp(argi(a), argi(b)) <= 0 end
  function bint.udivmod(a, b) return udivmod(arg(a), arg(b)) end
  function bint.udiv(a, b) return (udivmod(arg(a), arg(b))) end
  function bint.umod(a, b)
    local _, r = udivmod(arg(a), arg(b))
    return r
  end
  -- the signed divisions: bints when both sides convert, else float results (as lua-bint)
  local function ttdivmod(a, b)
    local x, y = tobint(a), tobint(b)
    if x and y then return tdivmod(x, y) end
    local p, q = bint.tonumber(a), bint.tonumber(b)
    local r = math.fmod(p, q)
    return (p - r) / q, r
  end
  function bint.tdivmod(a, b) return ttdivmod(a, b) end
  function bint.tdiv(a, b) return (ttdivmod(a, b)) end
  function bint.tmod(a, b)
    local _, r = ttdivmod(a, b)
    return r
  end
  function bint.idivmod(a, b)
    local x, y = tobint(a), tobint(b)
    if x and y then return fdivmod(x, y) end
    local p, q = bint.tonumber(a), bint.tonumber(b)
    local d = floor(p / q)
    if mathtype then d = d + 0.0 end
    return d, p % q
  end

  -- ipow(x, y): x^y by squaring, wrapping at the width.  As in lua-bint, y is read as an unsigned
  -- integer (a negative y is 2^bits + y, so 2^-1 wraps to 0 and (-1)^-1 is -1); y == 0 gives 1
  -- whatever x is, and y == 1 gives bint.new(x).
  function bint.ipow(x, y)
    local e = tobint(y)
    if not e then error("value has not integer representation", 2) end
    if iszero(e) then return bint.one() end
    if bint.isone(e) then return bint.new(x) end
    local b = bint.new(x)
    if not isbint(b) then error("value cannot be represented by a bint", 2) end
    local result = bint.one()
    while not iszero(e) do
      if e[1] % 2 == 1 then result = mul(result, b) end
      e = divsmall(e, 2)
      if not iszero(e) then b = mul(b, b) end
    end
    return result
  end

  -- bitwise helpers on 16-bit limbs (portable: no bit operators needed)
  local function limbop(a, b, f)
    local r = raw()
    for i = 1, N do
      local x, y, v, bitv = a[i], b[i], 0, 1
      for _ = 1, 16 do
        local p, q = x % 2, y % 2
        if f(p, q) then v = v + bitv end
        x, y, bitv = (x - p) / 2, (y - q) / 2, bitv * 2
      end
      r[i] = v
    end
    return r
  end

  local function band(p, q) return p == 1 and q == 1 end
  local function bor(p, q) return p == 1 or q == 1 end
  local function bxor(p, q) return p ~= q end
  -- (lua-bint has these as metamethods only: bint.band and friends do not exist live)
  bint.__band = function(a, b) return limbop(argi(a), argi(b), band) end
  bint.__bor = function(a, b) return limbop(argi(a), argi(b), bor) end
  bint.__bxor = function(a, b) return limbop(argi(a), argi(b), bxor) end
  bint.__bnot = function(a)
    local r = copy(argi(a))
    for i = 1, N do r[i] = B - 1 - r[i] end
    return r
  end

  local function shift(a, n)
    local r = copy(a)
    if n >= 0 then
      for _ = 1, math.min(n, bits) do shl1(r) end
    else
      for _ = 1, math.min(-n, bits) do
        local carry = 0
        for i = N, 1, -1 do
          local v = r[i] + carry * B
          r[i] = floor(v / 2)
          carry = v % 2
        end
      end
    end
    return r
  end

  -- the shift amount: an integer (or integer text), a negative one shifts the other way
  local function amount(n, level)
    if isbint(n) then return bint.tonumber(n) end
    local k = tointeger(n)
    if not k then error("value has no integer representation", level or 3) end
    return k
  end
  bint.__shl = function(a, n) return shift(arg(a), amount(n)) end
  bint.__shr = function(a, n) return shift(arg(a), -amount(n)) end

  -- upowmod(x, y, m): x^y modulo m, unsigned, by squaring (products wrap at the width first, as
  -- in lua-bint)
  function bint.upowmod(x, y, m)
    local mod = arg(m)
    if isone(mod) then return bint.zero() end
    local b, e = arg(x), copy(arg(y))
    local z = bint.one()
    local _
    _, b = udivmod(b, mod)
    while not iszero(e) do
      if e[1] % 2 == 1 then _, z = udivmod(mul(z, b), mod) end
      e = divsmall(e, 2)
      _, b = udivmod(mul(b, b), mod)
    end
    return z
  end

  -- mixed arithmetic, as lua-bint: when both operands convert to bints (bints, integer-valued
  -- numbers, integer text) the result is a bint; otherwise both go through bint.tonumber and the
  -- float operation, written out so a value that is no number raises Lua's own arithmetic error
  bint.__add = function(a, b)
    local x, y = tobint(a), tobint(b)
    if x and y then return add(x, y) end
    return bint.tonumber(a) + bint.tonumber(b)
  end
  bint.__sub = function(a, b)
    local x, y = tobint(a), tobint(b)
    if x and y then return sub(x, y) end
    return bint.tonumber(a) - bint.tonumber(b)
  end
  bint.__mul = function(a, b)
    local x, y = tobint(a), tobint(b)
    if x and y then return mul(x, y) end
    return bint.tonumber(a) * bint.tonumber(b)
  end
  bint.__idiv = function(a, b)
    local x, y = tobint(a), tobint(b)
    if x and y then return (fdivmod(x, y)) end
    local r = floor(bint.tonumber(a) / bint.tonumber(b))
    if mathtype then r = r + 0.0 end -- `//` on floats gives a float
    return r
  end
  bint.__mod = function(a, b)
    local x, y = tobint(a), tobint(b)
    if x and y then
      local _, r = fdivmod(x, y)
      return r
    end
    return bint.tonumber(a) % bint.tonumber(b)
  end
  bint.__div = function(a, b) return bint.tonumber(a) / bint.tonumber(b) end
  -- lua-bint 0.5.1's `^` converts both operands to Lua numbers: bint(10)^20 is the float 1e+20
  -- (bint.ipow is the exact, wrapping power)
  bint.__pow = function(a, b) return bint.tonumber(a) ^ bint.tonumber(b) end
  bint.__unm = function(a) return negate(copy(a)) end
  bint.__eq = function(a, b) return bint.eq(a, b) end
  bint.__lt = function(a, b)
    local x, y = tobint(a), tobint(b)
    if x and y then return scmp(x, y) < 0 end
    return bint.tonumber(a) < bint.tonumber(b)
  end
  bint.__le = function(a, b)
    local x, y = tobint(a), tobint(b)
    if x and y then return scmp(x, y) <= 0 end
    return bint.tonumber(a) <= bint.tonumber(b)
  end
  bint.__tostring = function(a) return tostr(a, 10) end

  -- Byte strings (lua-bint's tole/tobe/fromle/frombe): the bits/8 bytes of the two's complement
  -- value, least significant first (le) or last (be); `trim` drops the zero bytes at the most
  -- significant end, one byte kept.  fromle/frombe read a buffer's least significant bytes (the
  -- first ones for le, the last for be), zero-extended when it is shorter.
  local BYTES = 2 * N
  local char, byte = string.char, string.byte
  local unpack = table.unpack or unpack
  local function lebytes(x, trim)
    local out = {}
    for i = 1, N do
      local lo = x[i] % 256
      out[2 * i - 1], out[2 * i] = lo, (x[i] - lo) / 256
    end
    local n = BYTES
    if trim then
      while n > 1 and out[n] == 0 do n = n - 1 end
    end
    return out, n
  end
  function bint.tole(x, trim)
    local le, n = lebytes(argi(x, 2), trim)
    return char(unpack(le, 1, n))
  end
  function bint.tobe(x, trim)
    local le, n = lebytes(argi(x, 2), trim)
    local out = {}
    for i = 1, n do out[i] = le[n - i + 1] end
    return char(unpack(out, 1, n))
  end
  -- (the k-th least significant byte of the result is at(k))
  local function frombytes(buffer, at)
    local r = raw()
    for k = 1, math.min(#buffer, BYTES) do
      local limb = floor((k + 1) / 2)
      r[limb] = r[limb] + byte(buffer, at(k)) * (k % 2 == 1 and 1 or 256)
    end
    return r
  end
  function bint.fromle(buffer)
    if type(buffer) ~= "string" then error("buffer is not a string") end
    return frombytes(buffer, function(k) return k end)
  end
  function bint.frombe(buffer)
    if type(buffer) ~= "string" then error("buffer is not a string") end
    local len = #buffer
    return frombytes(buffer, function(k) return len - k + 1 end)
  end

  -- brol/bror rotate by y bits (a negative y the other way, modulo the width); bwrap keeps the
  -- low y bits (none for y <= 0, all for y >= the width)
  local function rotate(a, y)
    local n = y % bits
    if n == 0 then return copy(a) end
    return limbop(shift(a, n), shift(a, n - bits), bor)
  end
  function bint.brol(x, y) return rotate(argi(x, 2), amount(y, 2)) end
  function bint.bror(x, y) return rotate(argi(x, 2), -amount(y, 2)) end
  function bint.bwrap(x, y)
    local a, n = argi(x, 2), amount(y, 2)
    if n <= 0 then return raw() end
    if n >= bits then return copy(a) end
    local r = copy(a)
    local whole = floor(n / 16)
    local keep = 1
    for _ = 1, n - whole * 16 do keep = keep * 2 end
    r[whole + 1] = r[whole + 1] % keep
    for i = whole + 2, N do r[i] = 0 end
    return r
  end

  -- lua-bint's in-place methods: x:_add(y) and the others change x and return it.  Each reads
  -- self first, so that a call on something that is no table fails as live's does ("attempt to
  -- index a number value (local 'self')"); an operand is read as the bitwise operators read one.
  local function into(self, r)
    for i = 1, N do self[i] = r[i] end
    return self
  end
  function bint._assign(self, y) local _ = self[1] return into(self, argi(y, 2)) end
  function bint._inc(self) local _ = self[1] return into(self, add(self, bint.one())) end
  function bint._dec(self) local _ = self[1] return into(self, sub(self, bint.one())) end
  function bint._add(self, y) local _ = self[1] return into(self, add(self, argi(y, 2))) end
  function bint._sub(self, y) local _ = self[1] return into(self, sub(self, argi(y, 2))) end
  function bint._abs(self) local _ = self[1] return into(self, abs(self)) end
  function bint._unm(self) local _ = self[1] return negate(self) end
  function bint._band(self, y) local _ = self[1] return into(self, limbop(self, argi(y, 2), band)) end
  function bint._bor(self, y) local _ = self[1] return into(self, limbop(self, argi(y, 2), bor)) end
  function bint._bxor(self, y) local _ = self[1] return into(self, limbop(self, argi(y, 2), bxor)) end
  function bint._bnot(self)
    local _ = self[1]
    for i = 1, N do self[i] = B - 1 - self[i] end
    return self
  end
  function bint._shlone(self) local _ = self[1] shl1(self) return self end
  function bint._shrone(self) local _ = self[1] return into(self, shift(self, -1)) end
  -- by whole 32-bit words (live's numbers are words of 32 bits), n read as live's loop reads it:
  -- numeric text counts, a word count past the width leaves 0, and what live's loop cannot take
  -- fails in live's words
  local WORDS = bits / 32
  local function words(self, n, sign)
    local _ = self[1]
    if isbint(n) then error("'for' limit must be a number") end
    local k = tonumber(n)
    if k == nil then error("attempt to perform arithmetic on a " .. type(n) .. " value (local 'n')") end
    if k < 0 or k ~= floor(k) then error("attempt to perform bitwise operation on a nil value (field '?')") end
    if k >= WORDS then return into(self, raw()) end
    return into(self, shift(self, sign * 32 * k))
  end
  function bint._shlwords(self, n) return words(self, n, 1) end
  function bint._shrwords(self, n) return words(self, n, -1) end

  setmetatable(bint, {
    __call = function(_, x) return bint.new(x) end,
  })
  cache[bits] = bint
  return bint
end

return newclass
