-- harness.lib.crypto.word64: 64-bit words as (hi, lo) pairs of unsigned 32-bit numbers, for the
-- code on 64-bit words (sha2_512, sha3, blake2b, morus, norx), written for this project; a private
-- part of the crypto library (bridge/modules.lua's H.private), which live has no module for.
-- Rotations are arithmetic (exact in doubles); nothing here meets a caller's value (its users
-- check strings and positions first).
--   TWO32 (2^32), ONES (2^32 - 1), POW[n] = 2^n (n = 0..32, integers where the Lua has them);
--   rotr(hi, lo, n): rotated right by 0 < n < 32 (for 32 < n < 64, pass (lo, hi) and n - 32);
--   rotl(hi, lo, n): rotated left by 0 <= n < 64;
--   readLE(s, pos, n, H, L, first): the n little-endian words of the string s from pos into
--   H[first..], L[first..]; xorLE(s, pos, n, H, L): the same words xored into H[1..n], L[1..n];
--   stringLE(hi, lo), stringBE(hi, lo): the word's eight bytes, low or high byte first;
--   toSigned(hi, lo): the word as a signed 64-bit integer (wrapping, on a Lua with integers), or
--   the nearest double.
local Bit = require(".crypto.util.bit")
local bxor = Bit.bxor
local byte, char = string.byte, string.char
local floor = math.floor
local tointeger = math.tointeger

local TWO32, ONES = 4294967296, 4294967295

local POW = { [0] = 1 }
for n = 1, 32 do POW[n] = POW[n - 1] * 2 end

local function rotr(hi, lo, n)
  local down, up = POW[n], POW[32 - n]
  local hiLow, loLow = hi % down, lo % down
  return (hi - hiLow) / down + loLow * up, (lo - loLow) / down + hiLow * up
end

local function rotl(hi, lo, n)
  if n >= 32 then
    hi, lo, n = lo, hi, n - 32
  end
  if n == 0 then return hi, lo end
  local up, down = POW[n], POW[32 - n]
  return (hi % down) * up + floor(lo / down), (lo % down) * up + floor(hi / down)
end

local function readLE(s, pos, n, H, L, first)
  for k = 0, n - 1 do
    local b1, b2, b3, b4, b5, b6, b7, b8 = byte(s, pos, pos + 7)
    L[first + k] = ((b4 * 256 + b3) * 256 + b2) * 256 + b1
    H[first + k] = ((b8 * 256 + b7) * 256 + b6) * 256 + b5
    pos = pos + 8
  end
end

local function xorLE(s, pos, n, H, L)
  for k = 1, n do
    local b1, b2, b3, b4, b5, b6, b7, b8 = byte(s, pos, pos + 7)
    L[k] = bxor(L[k], ((b4 * 256 + b3) * 256 + b2) * 256 + b1)
    H[k] = bxor(H[k], ((b8 * 256 + b7) * 256 + b6) * 256 + b5)
    pos = pos + 8
  end
end

-- the four bytes of a 32-bit word, low byte first
local function halfBytes(x)
  local b1 = x % 256
  x = (x - b1) / 256
  local b2 = x % 256
  x = (x - b2) / 256
  local b3 = x % 256
  return b1, b2, b3, (x - b3) / 256
end

local function stringLE(hi, lo)
  local l1, l2, l3, l4 = halfBytes(lo)
  local h1, h2, h3, h4 = halfBytes(hi)
  return char(l1, l2, l3, l4, h1, h2, h3, h4)
end

local function stringBE(hi, lo)
  local l1, l2, l3, l4 = halfBytes(lo)
  local h1, h2, h3, h4 = halfBytes(hi)
  return char(h4, h3, h2, h1, l4, l3, l2, l1)
end

local toSigned
if tointeger then
  toSigned = function(hi, lo) return tointeger(hi) * TWO32 + tointeger(lo) end -- (wraps)
else
  toSigned = function(hi, lo)
    if hi >= 2147483648 then hi = hi - TWO32 end
    return hi * TWO32 + lo
  end
end

return {
  TWO32 = TWO32,
  ONES = ONES,
  POW = POW,
  rotr = rotr,
  rotl = rotl,
  readLE = readLE,
  xorLE = xorLE,
  stringLE = stringLE,
  stringBE = stringBE,
  toSigned = toSigned,
}
