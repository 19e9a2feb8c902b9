-- harness.lib.crypto.digest32: the pieces the digests on 32-bit words share (md2, md4, md5, sha1,
-- sha2_256 and private/hasher.lua), written for this project; a private part of the crypto
-- library (bridge/modules.lua's H.private), which live has no module for.  Nothing here meets a
-- caller's value: words and bytes come checked.
--   MOD (2^32), ONES (2^32 - 1); BYTE[b] = b for a whole number 0-255 (float keys fall on
--   integer ones), else nil;
--   rotl(x, n), rotr(x, n), shr(x, n) on a word 0 <= x < 2^32, 0 < n < 32, in arithmetic;
--   digestObject(bytesOf, size): { asBytes, asHex (lowercase), asString } over bytesOf(), a
--   function that returns the digest's `size` bytes as a new table.
local char, format, rep = string.char, string.format, string.rep
local floor = math.floor
local unpack = table.unpack or unpack

local MOD, ONES = 4294967296, 4294967295

-- POWER[n] = 2^n, n = 0..32 (integers where the Lua has them)
local POWER, p = {}, 1
for n = 0, 32 do
  POWER[n] = p
  p = p * 2
end

local BYTE = {}
for b = 0, 255 do BYTE[b] = b end

local function rotl(x, n)
  return (x * POWER[n]) % MOD + floor(x / POWER[32 - n])
end

local function rotr(x, n)
  return floor(x / POWER[n]) + (x * POWER[32 - n]) % MOD
end

local function shr(x, n)
  return floor(x / POWER[n])
end

local function digestObject(bytesOf, size)
  local hex = rep("%02x", size)
  return {
    asBytes = bytesOf,
    asHex = function() return format(hex, unpack(bytesOf())) end,
    asString = function() return char(unpack(bytesOf())) end,
  }
end

return {
  MOD = MOD,
  ONES = ONES,
  BYTE = BYTE,
  rotl = rotl,
  rotr = rotr,
  shr = shr,
  digestObject = digestObject,
}
