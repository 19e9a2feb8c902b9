-- .crypto.digest.sha1: SHA-1 (FIPS 180-4), written for this project from what the live module
-- answers (tests/live_module/test_crypto_digest32.py asks it the same questions).
--   sha1(stream) -> a hasher that has taken the stream's bytes and finished;
--   SHA1() -> a fresh hasher: init(), update(stream) and finish() return the hasher itself,
--   asBytes() (20 numbers), asHex() (lowercase) and asString() read its current state.
-- Live's quirks kept: a hasher is not closed by finish: update and finish go on from the state
-- finish left, and the length that finish appends counts every byte taken since init, padding
-- included.  A stream value that is not a byte is folded into its word as live's bit32 chain
-- does (LSHIFT, then OR), so a wrong one raises the error live raises there.
local Bit = require(".crypto.util.bit")
local AND, OR, XOR, LSHIFT = Bit.band, Bit.bor, Bit.bxor, Bit.lshift
local char, format, rep = string.char, string.format, string.rep
local floor = math.floor
local unpack = table.unpack or unpack

local MOD, ONES = 4294967296, 4294967295
local INITIAL = { 0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0 }
local K1, K2, K3, K4 = 0x5A827999, 0x6ED9EBA1, 0x8F1BBCDC, 0xCA62C1D6
local HEX = rep("%02x", 20)

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

-- The big-endian word of four stream values: arithmetic for bytes, else live's chain of bit32
-- calls (which folds an out-of-range number in and refuses a wrong value by its name).
local function word(b0, b1, b2, b3)
  local v0, v1, v2, v3 = BYTE[b0], BYTE[b1], BYTE[b2], BYTE[b3]
  if v0 and v1 and v2 and v3 then return ((v0 * 256 + v1) * 256 + v2) * 256 + v3 end
  local w = OR(LSHIFT(OR(LSHIFT(OR(LSHIFT(b0, 8), b1), 8), b2), 8), b3)
  return w -- (not a tail call: an error names OR as live's does)
end

local W = {} -- the message schedule, reused block after block

-- one 64-byte block (block[1..64]) into the five-word state h
local function compress(h, block)
  local w = W
  for i = 0, 15 do
    local j = 4 * i
    w[i] = word(block[j + 1], block[j + 2], block[j + 3], block[j + 4])
  end
  for i = 16, 79 do
    w[i] = rotl(XOR(w[i - 3], w[i - 8], w[i - 14], w[i - 16]), 1)
  end
  local a, b, c, d, e = h[1], h[2], h[3], h[4], h[5]
  for i = 0, 19 do -- choose: b picks c or d (the two parts have no bit in common)
    local t = (rotl(a, 5) + AND(b, c) + AND(ONES - b, d) + e + K1 + w[i]) % MOD
    a, b, c, d, e = t, a, rotl(b, 30), c, d
  end
  for i = 20, 39 do -- parity
    local t = (rotl(a, 5) + XOR(b, c, d) + e + K2 + w[i]) % MOD
    a, b, c, d, e = t, a, rotl(b, 30), c, d
  end
  for i = 40, 59 do -- majority: the bits b and c share, and d where they differ
    local t = (rotl(a, 5) + AND(b, c) + AND(d, XOR(b, c)) + e + K3 + w[i]) % MOD
    a, b, c, d, e = t, a, rotl(b, 30), c, d
  end
  for i = 60, 79 do -- parity
    local t = (rotl(a, 5) + XOR(b, c, d) + e + K4 + w[i]) % MOD
    a, b, c, d, e = t, a, rotl(b, 30), c, d
  end
  h[1] = (h[1] + a) % MOD
  h[2] = (h[2] + b) % MOD
  h[3] = (h[3] + c) % MOD
  h[4] = (h[4] + d) % MOD
  h[5] = (h[5] + e) % MOD
end

-- the state's words as big-endian bytes
local function digestBytes(h)
  local out = {}
  for i = 1, 5 do
    local x = h[i]
    out[4 * i - 3] = floor(x / 16777216)
    out[4 * i - 2] = floor(x / 65536) % 256
    out[4 * i - 1] = floor(x / 256) % 256
    out[4 * i] = x % 256
  end
  return out
end

local function SHA1()
  local hasher = {}
  local h = { unpack(INITIAL) }
  local block, filled = {}, 0
  local taken = 0 -- bytes taken since init, padding included

  local function take(b)
    filled = filled + 1
    block[filled] = b
    taken = taken + 1
    if filled == 64 then
      filled = 0
      compress(h, block)
    end
  end

  local function takeWord(x)
    take(floor(x / 16777216))
    take(floor(x / 65536) % 256)
    take(floor(x / 256) % 256)
    take(x % 256)
  end

  function hasher.init()
    for i = 1, 5 do h[i] = INITIAL[i] end
    filled, taken = 0, 0
    return hasher
  end

  function hasher.update(bytes)
    for b in bytes do
      filled = filled + 1
      block[filled] = b
      taken = taken + 1
      if filled == 64 then
        filled = 0
        compress(h, block)
      end
    end
    return hasher
  end

  -- padding: 0x80, zeros up to 56 bytes into a block, the bit count as eight big-endian bytes
  function hasher.finish()
    local bits = taken * 8
    take(0x80)
    while filled ~= 56 do take(0) end
    takeWord(floor(bits / MOD) % MOD)
    takeWord(bits % MOD)
    return hasher
  end

  function hasher.asBytes() return digestBytes(h) end
  function hasher.asHex() return format(HEX, unpack(digestBytes(h))) end
  function hasher.asString() return char(unpack(digestBytes(h))) end

  return hasher
end

local function sha1(stream)
  return SHA1().update(stream).finish()
end

return {
  sha1 = sha1,
  SHA1 = SHA1,
}
