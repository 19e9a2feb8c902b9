-- .crypto.digest.md4: MD4 (RFC 1320), written for this project from what the live module answers
-- (tests/live_module/test_crypto_digest32.py asks it the same questions).
--   md4(stream) -> { asBytes() (16 numbers), asHex() (lowercase), asString() }, the stream's
--   bytes hashed when it is called.
-- Live's quirk kept: a stream value that is not a byte is folded into its little-endian word as
-- live's bit32 chain does (LSHIFT of the last byte, then OR), so a wrong one raises the error
-- live raises there.
-- The hashing (block feeding, padding, output) is private/hasher.lua's, compiled as this module's.
local H = ...
local Bit = require(".crypto.util.bit")
local D = H.private("harness.lib.crypto.digest32")
local Hasher = H.private("harness.lib.crypto.hasher@.crypto.digest.md4")
local AND, XOR = Bit.band, Bit.bxor
local MOD, ONES, rotl = D.MOD, D.ONES, D.rotl

local INITIAL = { 0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476 }
local ROOT2, ROOT3 = 0x5A827999, 0x6ED9EBA1 -- 2^30 * sqrt(2) and 2^30 * sqrt(3)

-- each round's order of the message words (0-based) and its four rotations
local ORDER = {
  { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 },
  { 0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15 },
  { 0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15 },
}
local ROTATION = { { 3, 7, 11, 19 }, { 3, 5, 9, 13 }, { 3, 9, 11, 15 } }

-- one block, its words in X[0..15], into the four-word state s
local function compress(s, X)
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
  s[1], s[2], s[3], s[4] = (s[1] + a) % MOD, (s[2] + b) % MOD, (s[3] + c) % MOD, (s[4] + d) % MOD
end

local function MD4(stream)
  return Hasher.digest(stream, INITIAL, compress, false)
end

return MD4
