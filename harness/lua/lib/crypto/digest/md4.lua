-- .crypto.digest.md4: MD4 (RFC 1320), written for this project from what the live module answers
-- (tests/live_module/test_crypto_digest32.py asks it the same questions).
--   md4(stream) -> { asBytes() (16 numbers), asHex() (lowercase), asString() }, the stream's
--   bytes hashed when it is called.
-- Live's quirk kept: a stream value that is not a byte is folded into its little-endian word as
-- live's bit32 chain does (LSHIFT of the last byte, then OR), so a wrong one raises the error
-- live raises there.
local Bit = require(".crypto.util.bit")
local AND, OR, XOR, LSHIFT = Bit.band, Bit.bor, Bit.bxor, Bit.lshift
local char, format, rep = string.char, string.format, string.rep
local floor = math.floor
local unpack = table.unpack or unpack

local MOD, ONES = 4294967296, 4294967295
local HEX = rep("%02x", 16)
local ROOT2, ROOT3 = 0x5A827999, 0x6ED9EBA1 -- 2^30 * sqrt(2) and 2^30 * sqrt(3)

-- each round's order of the message words (0-based) and its four rotations
local ORDER = {
  { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 },
  { 0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15 },
  { 0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15 },
}
local ROTATION = { { 3, 7, 11, 19 }, { 3, 5, 9, 13 }, { 3, 9, 11, 15 } }

-- POWER[n] = 2^n as an integer where the Lua has them
local POWER, p = {}, 1
for n = 0, 32 do
  POWER[n] = p
  p = p * 2
end

-- BYTE[b] = b for a whole number 0-255 (float keys fall on integer ones), else nil
local BYTE = {}
for b = 0, 255 do BYTE[b] = b end

-- x (0 <= x < 2^32) rotated left by n (1-31), in arithmetic
local function rotl(x, n)
  return (x * POWER[n]) % MOD + floor(x / POWER[32 - n])
end

-- The little-endian word of four stream values: arithmetic for bytes, else live's chain of bit32
-- calls from the last byte down (which folds an out-of-range number in and refuses a wrong
-- value by its name).
local function word(b0, b1, b2, b3)
  local v0, v1, v2, v3 = BYTE[b0], BYTE[b1], BYTE[b2], BYTE[b3]
  if v0 and v1 and v2 and v3 then return ((v3 * 256 + v2) * 256 + v1) * 256 + v0 end
  local w = OR(LSHIFT(OR(LSHIFT(OR(LSHIFT(b3, 8), b2), 8), b1), 8), b0)
  return w -- (not a tail call: an error names OR as live's does)
end

local X = {} -- the block's sixteen words (0-based), reused block after block

-- one 64-byte block (block[1..64]) into the four-word state s
local function compress(s, block)
  for i = 0, 15 do
    local j = 4 * i
    X[i] = word(block[j + 1], block[j + 2], block[j + 3], block[j + 4])
  end
  local a, b, c, d = s[1], s[2], s[3], s[4]
  -- each step: a takes (a + f(b, c, d) + X + constant) <<< r, then the names move on one (a, d,
  -- c, b take the new values in turn, as the RFC writes the steps)
  local order, rotation = ORDER[1], ROTATION[1]
  for i = 1, 16 do -- F: b picks c or d (the two parts have no bit in common)
    local f = AND(b, c) + AND(ONES - b, d)
    a, b, c, d = d, rotl((a + f + X[order[i]]) % MOD, rotation[(i - 1) % 4 + 1]), b, c
  end
  order, rotation = ORDER[2], ROTATION[2]
  for i = 1, 16 do -- G: majority (the bits b and c share, and d where they differ)
    local g = AND(b, c) + AND(d, XOR(b, c))
    a, b, c, d = d, rotl((a + g + X[order[i]] + ROOT2) % MOD, rotation[(i - 1) % 4 + 1]), b, c
  end
  order, rotation = ORDER[3], ROTATION[3]
  for i = 1, 16 do -- H: parity
    local h = XOR(b, c, d)
    a, b, c, d = d, rotl((a + h + X[order[i]] + ROOT3) % MOD, rotation[(i - 1) % 4 + 1]), b, c
  end
  s[1] = (s[1] + a) % MOD
  s[2] = (s[2] + b) % MOD
  s[3] = (s[3] + c) % MOD
  s[4] = (s[4] + d) % MOD
end

-- out with the four little-endian bytes of the word x appended
local function littleEndian(out, x)
  local n = #out
  out[n + 1] = x % 256
  out[n + 2] = floor(x / 256) % 256
  out[n + 3] = floor(x / 65536) % 256
  out[n + 4] = floor(x / 16777216)
  return out
end

local function MD4(stream)
  local s = { 0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476 }
  local block, filled, taken = {}, 0, 0
  local function take(b)
    filled = filled + 1
    block[filled] = b
    if filled == 64 then
      filled = 0
      compress(s, block)
    end
  end
  for b in stream do
    taken = taken + 1
    take(b)
  end
  -- padding: 0x80, zeros up to 56 bytes into a block, the bit count as eight little-endian bytes
  local bits = taken * 8
  take(0x80)
  while filled ~= 56 do take(0) end
  local length = littleEndian(littleEndian({}, bits % MOD), floor(bits / MOD) % MOD)
  for i = 1, 8 do take(length[i]) end

  local function digestBytes()
    local out = {}
    for i = 1, 4 do littleEndian(out, s[i]) end
    return out
  end
  return {
    asBytes = digestBytes,
    asHex = function() return format(HEX, unpack(digestBytes())) end,
    asString = function() return char(unpack(digestBytes())) end,
  }
end

return MD4
