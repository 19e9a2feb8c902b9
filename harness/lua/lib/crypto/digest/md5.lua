-- .crypto.digest.md5: MD5 (RFC 1321), written for this project from what the live module answers
-- (tests/live_module/test_crypto_digest32.py asks it the same questions).
--   md5(stream) -> { asBytes() (16 numbers), asHex() (lowercase), asString() }, the stream's
--   bytes hashed when it is called.
-- Live's quirk kept: a stream value that is not a byte is folded into its little-endian word as
-- live's bit32 chain does (LSHIFT of the last byte, then OR), so a wrong one raises the error
-- live raises there.
-- The hashing (block feeding, padding, output) is private/hasher.lua's, compiled as this module's.
local H = ...
local Bit = require(".crypto.util.bit")
local D = H.private("harness.lib.crypto.digest32")
local Hasher = H.private("harness.lib.crypto.hasher@.crypto.digest.md5")
local AND, OR, XOR = Bit.band, Bit.bor, Bit.bxor
local MOD, ONES, rotl = D.MOD, D.ONES, D.rotl

local INITIAL = { 0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476 }

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

-- one block, its words in X[0..15], into the four-word state s
local function compress(s, X)
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
  s[1], s[2], s[3], s[4] = (s[1] + a) % MOD, (s[2] + b) % MOD, (s[3] + c) % MOD, (s[4] + d) % MOD
end

local function MD5(stream)
  return Hasher.digest(stream, INITIAL, compress, false)
end

return MD5
