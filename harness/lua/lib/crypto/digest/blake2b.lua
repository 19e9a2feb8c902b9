-- .crypto.digest.blake2b: BLAKE2b (RFC 7693), written for this project from what the live module
-- answers.  The module is the function: blake2b(data [, outlen [, key]]) with outlen 1-64 bytes
-- (default 64) and a key of at most 64 bytes (default none) returns an object with asBytes(),
-- asString() and asHex() (lowercase digits), or nil, "illegal parameters" for an outlen or key
-- out of range.
-- Live's quirks kept:
--   * every whole 128-byte block of the input is compressed as a block that is not the last, the
--     final block too: a non-empty input whose length is a multiple of 128 is followed by an
--     extra empty final block, and with a key and no data the key block is followed by one.
--     Those digests are not the standard's; every other input hashes as the standard says.
--   * asBytes() is a table of one-character strings, the same table at every call.
--   * the checks come in live's order, with Lua's own errors: the length of the local `key`;
--     outlen compared with 1 and 64 (a string or table cannot be); the range ("illegal
--     parameters", before anything about data); a fractional or NaN outlen, which live's 5.3 bit
--     operator refuses ("number (local 'outlen') has no integer representation", raised here
--     in its words); then a non-empty table as key fails on its method 'sub', data without a
--     length on its length (local `data`), a table as data on its method 'sub'.
-- 64-bit words are (hi, lo) pairs of unsigned 32-bit numbers (private/word64.lua): rotations by
-- arithmetic (exact in doubles), xor through .crypto.util.bit, sums in doubles with the carry
-- moved.
local H = ...
local Bit = require(".crypto.util.bit")
local Hex = require(".crypto.util.hex")
local W64 = H.private("harness.lib.crypto.word64")
local SHA2 = H.private("harness.lib.crypto.sha2")
local bxor = Bit.bxor
local rep, sub, concat = string.rep, string.sub, table.concat
local floor = math.floor
local TWO32, ONES, readLE, stringLE = W64.TWO32, W64.ONES, W64.readLE, W64.stringLE

-- the initialization vector: SHA-512's initial state (private/sha2.lua), as high and low halves
local IV_HI, IV_LO = SHA2.IV_HI, SHA2.IV_LO

-- the message word order of each round (RFC 7693, 2.7), rounds 11 and 12 repeat rounds 1 and 2
local SIGMA = {
  { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 },
  { 14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3 },
  { 11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4 },
  { 7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8 },
  { 9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13 },
  { 2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9 },
  { 12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11 },
  { 13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10 },
  { 6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5 },
  { 10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0 },
}
for _, row in ipairs(SIGMA) do
  for i = 1, 16 do row[i] = row[i] + 1 end
end
SIGMA[11], SIGMA[12] = SIGMA[1], SIGMA[2]

-- the work vector and the message words of a block, reused
local VH, VL, MH, ML = {}, {}, {}, {}

-- (hi, lo) rotated right by n bits, 0 < n < 32 (down = 2^n, up = 2^(32 - n))
local function rotr(hi, lo, down, up)
  local hiLow, loLow = hi % down, lo % down
  return (hi - hiLow) / down + loLow * up, (lo - loLow) / down + hiLow * up
end

-- the mixing function G on the words a, b, c, d of the work vector, with message words x and y
local function mix(a, b, c, d, x, y)
  local ah, al, bh, bl, ch, cl, dh, dl = VH[a], VL[a], VH[b], VL[b], VH[c], VL[c], VH[d], VL[d]
  -- a = a + b + x; d = (d xor a) rotr 32 (the halves swap)
  local lo = al + bl + ML[x]
  al = lo % TWO32
  ah = (ah + bh + MH[x] + (lo - al) / TWO32) % TWO32
  dh, dl = bxor(dl, al), bxor(dh, ah)
  -- c = c + d; b = (b xor c) rotr 24
  lo = cl + dl
  cl = lo % TWO32
  ch = (ch + dh + (lo - cl) / TWO32) % TWO32
  bh, bl = rotr(bxor(bh, ch), bxor(bl, cl), 16777216, 256)
  -- a = a + b + y; d = (d xor a) rotr 16
  lo = al + bl + ML[y]
  al = lo % TWO32
  ah = (ah + bh + MH[y] + (lo - al) / TWO32) % TWO32
  dh, dl = rotr(bxor(dh, ah), bxor(dl, al), 65536, 65536)
  -- c = c + d; b = (b xor c) rotr 63, that is rotl 1: the halves swap and rotate right by 31
  lo = cl + dl
  cl = lo % TWO32
  ch = (ch + dh + (lo - cl) / TWO32) % TWO32
  bl, bh = rotr(bxor(bh, ch), bxor(bl, cl), 2147483648, 2)
  VH[a], VL[a], VH[b], VL[b], VH[c], VL[c], VH[d], VL[d] = ah, al, bh, bl, ch, cl, dh, dl
end

-- Compresses the 128-byte block into the state (h high halves, l low) after `count` input bytes
-- in all; `last` marks the final block.
local function compress(h, l, block, count, last)
  readLE(block, 1, 16, MH, ML, 1)
  for i = 1, 8 do
    VH[i], VL[i], VH[i + 8], VL[i + 8] = h[i], l[i], IV_HI[i], IV_LO[i]
  end
  -- the counter's low 64 bits into word 13 (its high 64 bits, word 14, are zero here)
  local countLo = count % TWO32
  VL[13] = bxor(VL[13], countLo)
  VH[13] = bxor(VH[13], (count - countLo) / TWO32)
  if last then VH[15], VL[15] = ONES - VH[15], ONES - VL[15] end
  for round = 1, 12 do
    local s = SIGMA[round]
    mix(1, 5, 9, 13, s[1], s[2])
    mix(2, 6, 10, 14, s[3], s[4])
    mix(3, 7, 11, 15, s[5], s[6])
    mix(4, 8, 12, 16, s[7], s[8])
    mix(1, 6, 11, 16, s[9], s[10])
    mix(2, 7, 12, 13, s[11], s[12])
    mix(3, 8, 9, 14, s[13], s[14])
    mix(4, 5, 10, 15, s[15], s[16])
  end
  for i = 1, 8 do
    h[i] = bxor(h[i], VH[i], VH[i + 8])
    l[i] = bxor(l[i], VL[i], VL[i + 8])
  end
end

local function blake2b(data, outlen, key)
  outlen = outlen or 64
  key = key or ""
  local keylen = #key
  if outlen < 1 or outlen > 64 or keylen > 64 then return nil, "illegal parameters" end
  if outlen ~= floor(outlen) then error("number (local 'outlen') has no integer representation") end

  local h, l = {}, {}
  for i = 1, 8 do h[i], l[i] = IV_HI[i], IV_LO[i] end
  -- the parameter block: digest length, key length, fanout 1, depth 1
  l[1] = bxor(l[1], 0x01010000 + keylen * 256 + outlen)
  local count = 0
  if keylen > 0 then
    local block = key:sub(1, keylen)
    count = 128
    compress(h, l, block .. rep("\0", 128 - keylen), count, false)
  end
  local size = #data
  local whole = (size - size % 128) / 128
  for i = 0, whole - 1 do
    count = count + 128
    compress(h, l, data:sub(128 * i + 1, 128 * i + 128), count, false)
  end
  local rest = data:sub(128 * whole + 1, size)
  count = count + #rest
  compress(h, l, rest .. rep("\0", 128 - #rest), count, true)

  local words = {}
  for i = 1, 8 do words[i] = stringLE(h[i], l[i]) end
  local digest = sub(concat(words), 1, outlen)
  local bytes = {}
  for i = 1, outlen do bytes[i] = sub(digest, i, i) end
  local public = {}
  function public.asBytes() return bytes end
  function public.asString() return digest end
  function public.asHex() return Hex.stringToHex(digest) end
  return public
end

return blake2b
