-- .crypto.digest.sha2_512: SHA-512 (FIPS 180-4), written for this project from what the live
-- module answers.  The module is the function: sha2_512(text) returns an object with asString()
-- (the 64-byte digest), asHex() (128 lowercase digits) and asBytes().
-- Live's quirks kept:
--   * the padding: 0x80, then 128 - (len + 9) % 128 zero bytes, then the bit length in 8 bytes
--     (the standard's length field is 16 bytes).  The total is right, but a text of 112 to 118
--     bytes (modulo 128) gets no extra block, so its digest is not the standard's; every other
--     length (119 included) hashes as the standard says.
--   * asBytes() is not bytes: it is the eight state words as signed 64-bit integers (on a Lua
--     without integers, the nearest doubles).
--   * a text that is not a string fails with Lua's own error on the local `msg` (its length, or
--     for a table its concatenation).
-- 64-bit words are (hi, lo) pairs of unsigned 32-bit numbers (private/word64.lua): rotations and
-- shifts by arithmetic (exact in doubles), and/xor through .crypto.util.bit, sums in doubles with
-- the carry moved.  The constants are SHA-2's (private/sha2.lua).
local H = ...
local Bit = require(".crypto.util.bit")
local Hex = require(".crypto.util.hex")
local W64 = H.private("harness.lib.crypto.word64")
local SHA2 = H.private("harness.lib.crypto.sha2")
local band, bxor = Bit.band, Bit.bxor
local byte, rep, concat = string.byte, string.rep, table.concat
local TWO32, ONES, POW, rotr = W64.TWO32, W64.ONES, W64.POW, W64.rotr
local stringBE, toSigned = W64.stringBE, W64.toSigned

-- the round constants and the initial state (private/sha2.lua), as high and low halves
local K_HI, K_LO, IV_HI, IV_LO = SHA2.K_HI, SHA2.K_LO, SHA2.IV_HI, SHA2.IV_LO

-- (hi, lo) shifted right by n bits, 0 < n < 32
local function shr(hi, lo, n)
  local down = POW[n]
  local hiLow, loLow = hi % down, lo % down
  return (hi - hiLow) / down, (lo - loLow) / down + hiLow * POW[32 - n]
end

-- word i of the state (h[i], l[i]) plus (hi, lo), modulo 2^64
local function addInto(h, l, i, hi, lo)
  local sum = l[i] + lo
  local low = sum % TWO32
  l[i] = low
  h[i] = (h[i] + hi + (sum - low) / TWO32) % TWO32
end

-- the message schedule, reused by every block
local W_HI, W_LO = {}, {}

-- Mixes the 128-byte block of s at offset p into the state (h[1..8] high halves, l[1..8] low).
local function compress(h, l, s, p)
  for t = 1, 16 do
    local b1, b2, b3, b4, b5, b6, b7, b8 = byte(s, p, p + 7)
    W_HI[t] = ((b1 * 256 + b2) * 256 + b3) * 256 + b4
    W_LO[t] = ((b5 * 256 + b6) * 256 + b7) * 256 + b8
    p = p + 8
  end
  for t = 17, 80 do
    -- sigma0 of w[t-15]: rotr 1, rotr 8, shr 7; sigma1 of w[t-2]: rotr 19, rotr 61, shr 6
    local xh, xl = W_HI[t - 15], W_LO[t - 15]
    local ah, al = rotr(xh, xl, 1)
    local bh, bl = rotr(xh, xl, 8)
    local ch, cl = shr(xh, xl, 7)
    local s0h, s0l = bxor(ah, bh, ch), bxor(al, bl, cl)
    xh, xl = W_HI[t - 2], W_LO[t - 2]
    ah, al = rotr(xh, xl, 19)
    bh, bl = rotr(xl, xh, 29)
    ch, cl = shr(xh, xl, 6)
    local s1h, s1l = bxor(ah, bh, ch), bxor(al, bl, cl)
    local lo = s1l + W_LO[t - 7] + s0l + W_LO[t - 16]
    local low = lo % TWO32
    W_LO[t] = low
    W_HI[t] = (s1h + W_HI[t - 7] + s0h + W_HI[t - 16] + (lo - low) / TWO32) % TWO32
  end

  local ah, bh, ch, dh, eh, fh, gh, hh = h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8]
  local al, bl, cl, dl, el, fl, gl, hl = l[1], l[2], l[3], l[4], l[5], l[6], l[7], l[8]
  for t = 1, 80 do
    -- Sigma1(e): rotr 14, 18, 41; ch(e, f, g) = (e and f) + (not e and g), whose bits never meet
    local xh, xl = rotr(eh, el, 14)
    local yh, yl = rotr(eh, el, 18)
    local zh, zl = rotr(el, eh, 9)
    local t1l = hl + bxor(xl, yl, zl) + band(el, fl) + band(ONES - el, gl) + K_LO[t] + W_LO[t]
    local t1h = hh + bxor(xh, yh, zh) + band(eh, fh) + band(ONES - eh, gh) + K_HI[t] + W_HI[t]
    -- Sigma0(a): rotr 28, 34, 39; maj(a, b, c) = (a and b) + (c and (a xor b)), where
    -- a xor b = a + b - 2 (a and b)
    xh, xl = rotr(ah, al, 28)
    yh, yl = rotr(al, ah, 2)
    zh, zl = rotr(al, ah, 7)
    local abh, abl = band(ah, bh), band(al, bl)
    local t2l = bxor(xl, yl, zl) + abl + band(cl, al + bl - 2 * abl)
    local t2h = bxor(xh, yh, zh) + abh + band(ch, ah + bh - 2 * abh)
    hh, hl, gh, gl, fh, fl = gh, gl, fh, fl, eh, el
    local lo = dl + t1l
    el = lo % TWO32
    eh = (dh + t1h + (lo - el) / TWO32) % TWO32
    dh, dl, ch, cl, bh, bl = ch, cl, bh, bl, ah, al
    lo = t1l + t2l
    al = lo % TWO32
    ah = (t1h + t2h + (lo - al) / TWO32) % TWO32
  end

  addInto(h, l, 1, ah, al)
  addInto(h, l, 2, bh, bl)
  addInto(h, l, 3, ch, cl)
  addInto(h, l, 4, dh, dl)
  addInto(h, l, 5, eh, el)
  addInto(h, l, 6, fh, fl)
  addInto(h, l, 7, gh, gl)
  addInto(h, l, 8, hh, hl)
end

-- live's padding (see the quirks above)
local function pad(msg, len)
  local bits = len * 8
  local bitsLo = bits % TWO32
  local lengthField = stringBE((bits - bitsLo) / TWO32, bitsLo)
  return msg .. "\128" .. rep("\0", 128 - (len + 9) % 128) .. lengthField
end

local function sha2_512(msg)
  local padded = pad(msg, #msg)
  local h, l = {}, {}
  for i = 1, 8 do h[i], l[i] = IV_HI[i], IV_LO[i] end
  for p = 1, #padded, 128 do compress(h, l, padded, p) end

  local parts = {}
  for i = 1, 8 do parts[i] = stringBE(h[i], l[i]) end
  local digest = concat(parts)
  local public = {}
  function public.asBytes()
    local words = {}
    for i = 1, 8 do words[i] = toSigned(h[i], l[i]) end
    return words
  end
  function public.asString() return digest end
  function public.asHex() return Hex.stringToHex(digest) end
  return public
end

return sha2_512
