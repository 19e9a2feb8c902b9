-- ao/lib/amount.lua: exact arithmetic on token amounts.
--
-- An amount is a non-negative integer number of base units carried as a CANONICAL decimal
-- string: digits only, no sign, no spaces, no leading zero (except "0" itself), at most
-- MAX_DIGITS digits.  Every function here works on such strings with schoolbook arithmetic
-- on decimal digits, so the results are exact and identical on Lua 5.1, 5.2, 5.3, 5.4 and
-- LuaJIT: no floats, no tonumber on amounts, no integer division operator, no bitwise
-- operators.  Arithmetic functions raise a clear error when handed a non-canonical value
-- (that is a programming error: validate untrusted input with `check` first).

local amount = {}

-- Longest accepted input.  10^30 base units (10^24 whole tokens at 6 decimals) is far beyond
-- any real supply; anything longer is rejected as absurd rather than processed.
amount.MAX_DIGITS = 30

local BYTE_0 = 48 -- string.byte("0")
local BYTE_9 = 57

-- Why `s` is not a canonical amount, or nil when it is.
local function problem(s)
  if type(s) ~= "string" then
    return "must be a string of digits, got " .. type(s)
  end
  local n = #s
  if n == 0 then
    return "is empty"
  end
  if n > amount.MAX_DIGITS then
    return "is too long (" .. n .. " characters, at most " .. amount.MAX_DIGITS .. " digits)"
  end
  for i = 1, n do
    local b = string.byte(s, i)
    if b < BYTE_0 or b > BYTE_9 then
      local c = string.sub(s, i, i)
      local shown
      if c == " " then
        shown = "a space"
      -- ao-mutate: skip(relational:<) byte 32 (a space) is handled just above
      elseif b < 32 or b > 126 then
        shown = "byte " .. b
      else
        shown = "'" .. c .. "'"
      end
      return "has " .. shown .. " at position " .. i .. " (only digits 0-9 are allowed)"
    end
  end
  if n > 1 and string.byte(s, 1) == BYTE_0 then
    return "has a leading zero"
  end
  return nil
end

--- Check an untrusted amount that may be zero.
-- Returns the string itself when it is canonical, else nil and a readable reason.
function amount.check(s)
  local why = problem(s)
  if why then
    return nil, why
  end
  return s
end

--- Check an untrusted amount that must be at least 1.
function amount.check_positive(s)
  local why = problem(s)
  if why then
    return nil, why
  end
  if s == "0" then
    return nil, "must be greater than zero"
  end
  return s
end

--- True when `s` is a canonical amount.
function amount.is_canonical(s)
  return problem(s) == nil
end

-- Arguments of the arithmetic functions must be canonical; anything else is a bug.
-- Intermediate results may be longer than MAX_DIGITS (a product), so only the form is checked.
local function need(s, fname, pos)
  local ok = type(s) == "string" and #s > 0
  if ok then
    for i = 1, #s do
      local b = string.byte(s, i)
      if b < BYTE_0 or b > BYTE_9 then
        ok = false
        break
      end
    end
    if ok and #s > 1 and string.byte(s, 1) == BYTE_0 then
      ok = false
    end
  end
  if not ok then
    error("amount." .. fname .. ": argument " .. pos .. " is not a canonical amount: "
      .. (type(s) == "string" and ("'" .. s .. "'") or type(s)), 3)
  end
end

-- "123" -> {3, 2, 1} (least significant digit first)
local function digits(s)
  local d, n = {}, #s
  for i = 1, n do
    d[i] = string.byte(s, n - i + 1) - BYTE_0
  end
  return d
end

-- {3, 2, 1, 0, 0} -> "123"
local function from_digits(d)
  local n = #d
  -- ao-mutate: skip(relational,constant@13) stripping the last zero too gives "" and then "0" below
  while n > 1 and d[n] == 0 do
    n = n - 1
  end
  local out = {}
  for i = n, 1, -1 do
    out[#out + 1] = string.char(BYTE_0 + d[i])
  end
  -- ao-mutate: skip the loop above keeps at least one digit, so out is never empty
  if #out == 0 then
    return "0" -- ao-mutate: skip never reached (see above)
  end
  return table.concat(out)
end

-- Compare two canonical strings: -1, 0 or 1.
local function cmp(a, b)
  if #a ~= #b then
    return #a < #b and -1 or 1 -- ao-mutate: skip(relational) the lengths differ here
  end
  if a == b then
    return 0
  end
  -- ao-mutate: skip(relational) a ~= b here
  return a < b and -1 or 1 -- same length, digits only: byte order is numeric order
end

local function add(a, b)
  local x, y = digits(a), digits(b)
  local n = math.max(#x, #y)
  local out, carry = {}, 0
  -- ao-mutate: skip(constant) an out[0] = 0 is not part of the digits (#out and the loops start at 1)
  for i = 1, n do
    local s = (x[i] or 0) + (y[i] or 0) + carry
    if s >= 10 then
      out[i], carry = s - 10, 1
    else
      out[i], carry = s, 0
    end
  end
  if carry > 0 then -- ao-mutate: skip(relational) a leading 0 digit is stripped by from_digits
    out[n + 1] = carry
  end
  return from_digits(out)
end

local function sub(a, b) -- requires a >= b
  local x, y = digits(a), digits(b)
  local out, borrow = {}, 0
  for i = 1, #x do
    local s = x[i] - (y[i] or 0) - borrow
    if s < 0 then
      out[i], borrow = s + 10, 1
    else
      out[i], borrow = s, 0
    end
  end
  return from_digits(out)
end

local function mul(a, b)
  -- ao-mutate: skip(guard,logical) a shortcut: schoolbook multiplication by zero gives "0" as well
  if a == "0" or b == "0" then
    return "0"
  end
  local x, y = digits(a), digits(b)
  local acc = {}
  -- ao-mutate: skip(constant) acc[0] is never read (#acc and the loops start at 1)
  for i = 1, #x + #y do
    acc[i] = 0
  end
  for i = 1, #x do
    local xi = x[i]
    if xi ~= 0 then
      for j = 1, #y do
        acc[i + j - 1] = acc[i + j - 1] + xi * y[j]
      end
    end
  end
  -- every cell is at most 81 * min(#x, #y) plus a carry: far below 2^31
  local carry = 0
  for i = 1, #acc do
    local v = acc[i] + carry
    local r = v % 10
    acc[i] = r
    carry = math.floor((v - r) / 10)
  end
  return from_digits(acc)
end

-- Long division, one decimal digit of the quotient at a time.
local function divmod(a, b)
  local q = {}
  local r = "0"
  -- ao-mutate: skip(constant) from 0: string.sub(a, 0, 0) is "", a leading 0 digit is stripped below
  for i = 1, #a do
    if r == "0" then
      r = string.sub(a, i, i)
    else
      r = r .. string.sub(a, i, i)
    end
    local digit = 0
    while cmp(r, b) >= 0 do
      r = sub(r, b)
      digit = digit + 1
    end
    q[#q + 1] = string.char(BYTE_0 + digit)
  end
  local qs = table.concat(q)
  local first = string.find(qs, "[1-9]")
  qs = first and string.sub(qs, first) or "0"
  return qs, r
end

--- -1, 0 or 1 as a < b, a == b, a > b.
function amount.cmp(a, b)
  need(a, "cmp", 1)
  need(b, "cmp", 2)
  return cmp(a, b)
end

function amount.lt(a, b)
  return amount.cmp(a, b) < 0
end

function amount.le(a, b)
  return amount.cmp(a, b) <= 0
end

function amount.gt(a, b)
  return amount.cmp(a, b) > 0
end

function amount.ge(a, b)
  return amount.cmp(a, b) >= 0
end

function amount.eq(a, b)
  return amount.cmp(a, b) == 0
end

function amount.is_zero(a)
  need(a, "is_zero", 1)
  return a == "0"
end

function amount.min(a, b)
  return amount.cmp(a, b) <= 0 and a or b -- ao-mutate: skip(relational) equal: a and b are the same
end

function amount.max(a, b)
  -- ao-mutate: skip(relational,constant) equal: a and b are the same string
  return amount.cmp(a, b) >= 0 and a or b
end

--- a + b
function amount.add(a, b)
  need(a, "add", 1)
  need(b, "add", 2)
  return add(a, b)
end

--- a - b; raises when b > a (amounts are never negative: check with `ge` first).
function amount.sub(a, b)
  need(a, "sub", 1)
  need(b, "sub", 2)
  if cmp(a, b) < 0 then
    error("amount.sub: result would be negative (" .. a .. " - " .. b .. ")", 2)
  end
  return sub(a, b)
end

--- a - b, or nil when b > a.
function amount.try_sub(a, b)
  need(a, "try_sub", 1)
  need(b, "try_sub", 2)
  if cmp(a, b) < 0 then
    return nil
  end
  return sub(a, b)
end

--- a * b
function amount.mul(a, b)
  need(a, "mul", 1)
  need(b, "mul", 2)
  return mul(a, b)
end

--- floor(a / b) and a mod b; raises on division by zero.
function amount.divmod(a, b)
  need(a, "divmod", 1)
  need(b, "divmod", 2)
  if b == "0" then
    error("amount.divmod: division by zero", 2)
  end
  return divmod(a, b)
end

--- floor(a / b)
function amount.div(a, b)
  local q = amount.divmod(a, b)
  return q
end

--- The canonical string of a small non-negative Lua integer (a count, a number of seconds).
function amount.from_int(n)
  if type(n) ~= "number" or n < 0 or n ~= math.floor(n) or n >= 9007199254740992 then
    error("amount.from_int: need a non-negative integer below 2^53, got " .. tostring(n), 2)
  end
  return string.format("%.0f", n)
end

--- 10^k as a canonical string.
function amount.pow10(k)
  if type(k) ~= "number" or k < 0 or k ~= math.floor(k) then
    error("amount.pow10: need a non-negative integer exponent, got " .. tostring(k), 2)
  end
  return "1" .. string.rep("0", k)
end

--- a * 10^decimals: whole tokens -> base units ("50000", 6 -> "50000000000").
function amount.from_whole(a, decimals)
  need(a, "from_whole", 1)
  if a == "0" then
    return "0"
  end
  return a .. string.rep("0", decimals)
end

--- floor(a * 10^places / b) as a canonical string (a ratio scaled to `places` decimals).
function amount.scaled_ratio(a, b, places)
  need(a, "scaled_ratio", 1)
  need(b, "scaled_ratio", 2)
  if b == "0" then
    error("amount.scaled_ratio: division by zero", 2)
  end
  local num = a == "0" and "0" or (a .. string.rep("0", places))
  local q = divmod(num, b)
  return q
end

--- Render a canonical integer scaled by 10^places as a decimal: ("912500", 6) -> "0.9125".
-- Trailing fractional zeros are dropped; a whole value has no point ("1000000", 6) -> "1".
function amount.format_scaled(s, places)
  need(s, "format_scaled", 1)
  if places == 0 then -- ao-mutate: skip(guard) a shortcut: the general path returns s for 0 places too
    return s
  end
  local padded = s
  if #padded <= places then
    padded = string.rep("0", places - #padded + 1) .. padded
  end
  -- ao-mutate: skip(constant) string.sub(s, 0, j) is string.sub(s, 1, j)
  local whole = string.sub(padded, 1, #padded - places)
  local frac = string.sub(padded, #padded - places + 1)
  frac = string.gsub(frac, "0+$", "")
  if frac == "" then
    return whole
  end
  return whole .. "." .. frac
end

--- a / b as a decimal string truncated (not rounded) to `places` decimals; "0" when b is "0".
function amount.ratio(a, b, places)
  need(a, "ratio", 1)
  need(b, "ratio", 2)
  places = places or 6
  if b == "0" then
    return "0"
  end
  return amount.format_scaled(amount.scaled_ratio(a, b, places), places)
end

--- Parse an untrusted decimal ratio such as "1", "0.95" or "2.0" into an integer scaled by
-- 10^places ("0.95", 6 -> "950000").  Returns nil and a reason for anything else (signs,
-- exponents, more than `places` decimals, leading zeros, ...).
function amount.parse_decimal(text, places)
  if type(text) ~= "string" then
    return nil, "must be a decimal string, got " .. type(text)
  end
  local int, frac = string.match(text, "^(%d+)%.(%d+)$")
  if not int then
    int, frac = text, ""
  end
  local ok, why = amount.check(int)
  if not ok then
    return nil, why
  end
  -- ao-mutate: skip(guard) frac is "" or the digits (%d+) matched above
  if not string.match(frac, "^%d*$") then
    return nil, "is not a decimal number"
  end
  if #frac > places then
    return nil, "has more than " .. places .. " decimals"
  end
  local scaled = int .. frac .. string.rep("0", places - #frac)
  local first = string.find(scaled, "[1-9]")
  return first and string.sub(scaled, first) or "0"
end

--- Sum of a list of canonical amounts.
function amount.sum(list)
  local total = "0"
  for i = 1, #list do
    total = amount.add(total, list[i])
  end
  return total
end

return amount
