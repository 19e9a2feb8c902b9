-- harness.lib.crypto.bytexor: the xor of bytes by table look-ups, for the code that xors bytes by
-- the million (md2's rounds, the AES engine, the cipher modes), written for this project; a
-- private part of the crypto library (bridge/modules.lua's H.private), which live has no module
-- for.  Nothing here raises an error on a caller's value.
--   bytes() -> X with X[a][b] = a xor b for bytes a, b: one table for every user, built at the
--   first call (about 400,000 VM instructions);
--   arrays(a, b, fallback): a xor b over a's entries when a is a table without a metatable whose
--   n entries are bytes at 1..n and b holds bytes at 1..n too (a new array), else fallback(a, b)
--   (the modes pass live's Array.XOR, for its answers and its errors).
local type, next, getmetatable = type, next, getmetatable

-- NIBBLE[16 * a + b] = a xor b for 0 <= a, b < 16
local NIBBLE = {}
for a = 0, 15 do
  for b = 0, 15 do
    local r, bit = 0, 1
    for _ = 1, 4 do
      if (a % (2 * bit) >= bit) ~= (b % (2 * bit) >= bit) then r = r + bit end
      bit = 2 * bit
    end
    NIBBLE[16 * a + b] = r
  end
end

local X
local function bytes()
  if X then return X end
  local rows = {} -- rows[a][b] = a xor b for nibbles
  for a = 0, 15 do
    local row = {}
    for b = 0, 15 do row[b] = NIBBLE[16 * a + b] end
    rows[a] = row
  end
  X = {}
  for ah = 0, 15 do
    local highs = rows[ah]
    for al = 0, 15 do
      local row, lows = {}, rows[al]
      for bh = 0, 15 do
        local high, base = 16 * highs[bh], 16 * bh
        for bl = 0, 15 do row[base + bl] = high + lows[bl] end
      end
      X[16 * ah + al] = row
    end
  end
  return X
end

-- A byte xor without the big table, for arrays: x xor y = XHIGH[HIGH[x] + HIGH4[y]] +
-- NIBBLE[LOW[x] + y % 16], where for a byte v = 16 h + l: HIGH[v] = 16 h, HIGH4[v] = h,
-- LOW[v] = 16 l (and none of them is defined for anything but a byte); XHIGH = 16 * NIBBLE.
local XHIGH, HIGH, HIGH4, LOW = {}, {}, {}, {}
for h = 0, 15 do
  for l = 0, 15 do
    local v = 16 * h + l
    XHIGH[v] = 16 * NIBBLE[v]
    HIGH[v], HIGH4[v], LOW[v] = 16 * h, h, 16 * l
  end
end

local function arrays(a, b, fallback)
  if type(a) == "table" and getmetatable(a) == nil and type(b) == "table" then
    local n = 0
    for _ in next, a do n = n + 1 end
    local out = {}
    for i = 1, n do
      local x, y = a[i], b[i]
      if LOW[x] == nil or LOW[y] == nil then return fallback(a, b) end
      out[i] = XHIGH[HIGH[x] + HIGH4[y]] + NIBBLE[LOW[x] + y % 16]
    end
    return out
  end
  return fallback(a, b)
end

return {
  bytes = bytes,
  arrays = arrays,
}
