-- .crypto.digest.sha2_256: SHA-256 (FIPS 180-4), written for this project from what the live
-- module answers (tests/live_module/test_crypto_digest32.py asks it the same questions).
--   sha2_256(stream) -> a hasher that has taken the stream's bytes and finished;
--   SHA2_256() -> a fresh hasher: init(), update(stream) and finish() return the hasher itself,
--   asBytes() (32 numbers), asHex() (lowercase) and asString() read its current state.
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
local HEX = rep("%02x", 32)

-- the first 32 bits of the fractional parts of the square roots of the first 8 primes
local INITIAL = {
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19
}

-- the first 32 bits of the fractional parts of the cube roots of the first 64 primes
local K = {
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
}

-- POWER[n] = 2^n as an integer where the Lua has them
local POWER, p = {}, 1
for n = 0, 32 do
  POWER[n] = p
  p = p * 2
end

-- BYTE[b] = b for a whole number 0-255 (float keys fall on integer ones), else nil
local BYTE = {}
for b = 0, 255 do BYTE[b] = b end

-- x (0 <= x < 2^32) rotated right by n (1-31), and shifted right by n, in arithmetic
local function rotr(x, n)
  return floor(x / POWER[n]) + (x * POWER[32 - n]) % MOD
end
local function shr(x, n)
  return floor(x / POWER[n])
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

-- one 64-byte block (block[1..64]) into the eight-word state h
local function compress(h, block)
  local w = W
  for i = 0, 15 do
    local j = 4 * i
    w[i] = word(block[j + 1], block[j + 2], block[j + 3], block[j + 4])
  end
  for i = 16, 63 do
    local x, y = w[i - 15], w[i - 2]
    local s0 = XOR(rotr(x, 7), rotr(x, 18), shr(x, 3))
    local s1 = XOR(rotr(y, 17), rotr(y, 19), shr(y, 10))
    w[i] = (w[i - 16] + s0 + w[i - 7] + s1) % MOD
  end
  local a, b, c, d, e, f, g, hh = h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8]
  for i = 0, 63 do
    local sum1 = XOR(rotr(e, 6), rotr(e, 11), rotr(e, 25))
    local choose = AND(e, f) + AND(ONES - e, g) -- (no bit in common)
    local t1 = hh + sum1 + choose + K[i + 1] + w[i]
    local sum0 = XOR(rotr(a, 2), rotr(a, 13), rotr(a, 22))
    local majority = AND(a, b) + AND(c, XOR(a, b)) -- (no bit in common)
    hh, g, f, e, d, c, b, a = g, f, e, (d + t1) % MOD, c, b, a, (t1 + sum0 + majority) % MOD
  end
  h[1] = (h[1] + a) % MOD
  h[2] = (h[2] + b) % MOD
  h[3] = (h[3] + c) % MOD
  h[4] = (h[4] + d) % MOD
  h[5] = (h[5] + e) % MOD
  h[6] = (h[6] + f) % MOD
  h[7] = (h[7] + g) % MOD
  h[8] = (h[8] + hh) % MOD
end

-- the state's words as big-endian bytes
local function digestBytes(h)
  local out = {}
  for i = 1, 8 do
    local x = h[i]
    out[4 * i - 3] = floor(x / 16777216)
    out[4 * i - 2] = floor(x / 65536) % 256
    out[4 * i - 1] = floor(x / 256) % 256
    out[4 * i] = x % 256
  end
  return out
end

local function SHA2_256()
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
    for i = 1, 8 do h[i] = INITIAL[i] end
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

local function sha2_256(stream)
  return SHA2_256().update(stream).finish()
end

return {
  sha2_256 = sha2_256,
  SHA2_256 = SHA2_256,
}
