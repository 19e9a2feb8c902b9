-- .crypto.digest.sha1: SHA-1 (FIPS 180-4), written for this project from what the live module
-- answers (tests/live_module/test_crypto_digest32.py asks it the same questions).
--   sha1(stream) -> a hasher that has taken the stream's bytes and finished;
--   SHA1() -> a fresh hasher: init(), update(stream) and finish() return the hasher itself,
--   asBytes() (20 numbers), asHex() (lowercase) and asString() read its current state.
-- Live's quirks kept: a hasher is not closed by finish: update and finish go on from the state
-- finish left, and the length that finish appends counts every byte taken since init, padding
-- included.  A stream value that is not a byte is folded into its word as live's bit32 chain
-- does (LSHIFT, then OR), so a wrong one raises the error live raises there.
-- The hasher (block feeding, padding, output) is private/hasher.lua's, compiled as this module's.
local H = ...
local Bit = require(".crypto.util.bit")
local D = H.private("harness.lib.crypto.digest32")
local Hasher = H.private("harness.lib.crypto.hasher@.crypto.digest.sha1")
local AND, XOR = Bit.band, Bit.bxor
local MOD, ONES, rotl = D.MOD, D.ONES, D.rotl

local INITIAL = { 0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0 }
local K1, K2, K3, K4 = 0x5A827999, 0x6ED9EBA1, 0x8F1BBCDC, 0xCA62C1D6

-- one block, its words in w[0..15], into the five-word state h
local function compress(h, w)
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
  h[1], h[2], h[3] = (h[1] + a) % MOD, (h[2] + b) % MOD, (h[3] + c) % MOD
  h[4], h[5] = (h[4] + d) % MOD, (h[5] + e) % MOD
end

local function SHA1()
  return Hasher.new(INITIAL, compress, true)
end

local function sha1(stream)
  return SHA1().update(stream).finish()
end

return {
  sha1 = sha1,
  SHA1 = SHA1,
}
