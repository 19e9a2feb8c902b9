-- .crypto.digest.md5: MD5 (RFC 1321), written for this project from what the live module answers
-- (tests/live_module/test_crypto_digest32.py asks it the same questions).
--   md5(stream) -> { asBytes() (16 numbers), asHex() (lowercase), asString() }, the stream's
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

-- T[i] = the integer part of 2^32 * |sin(i)|, i = 1..64
local T = {
  0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
  0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
  0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
  0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
  0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
  0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
  0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
  0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391
}

-- the left rotation of each step, and the message word it adds (0-based)
local ROTATION = {
  7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
  5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
  4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
  6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
}
local WORD = {}
for i = 0, 15 do
  WORD[i + 1] = i
  WORD[i + 17] = (5 * i + 1) % 16
  WORD[i + 33] = (3 * i + 5) % 16
  WORD[i + 49] = (7 * i) % 16
end

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
  -- each step: a takes b + (a + f(b, c, d) + T + X) <<< r, then the four names move on one
  for i = 1, 16 do -- F: b picks c or d (the two parts have no bit in common)
    local f = AND(b, c) + AND(ONES - b, d)
    a, b, c, d = d, (b + rotl((a + f + T[i] + X[WORD[i]]) % MOD, ROTATION[i])) % MOD, b, c
  end
  for i = 17, 32 do -- G: d picks b or c
    local f = AND(d, b) + AND(ONES - d, c)
    a, b, c, d = d, (b + rotl((a + f + T[i] + X[WORD[i]]) % MOD, ROTATION[i])) % MOD, b, c
  end
  for i = 33, 48 do -- H: parity
    local f = XOR(b, c, d)
    a, b, c, d = d, (b + rotl((a + f + T[i] + X[WORD[i]]) % MOD, ROTATION[i])) % MOD, b, c
  end
  for i = 49, 64 do -- I
    local f = XOR(c, OR(b, ONES - d))
    a, b, c, d = d, (b + rotl((a + f + T[i] + X[WORD[i]]) % MOD, ROTATION[i])) % MOD, b, c
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

local function MD5(stream)
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

return MD5
