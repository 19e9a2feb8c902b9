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
-- 64-bit words are (hi, lo) pairs of unsigned 32-bit numbers: rotations and shifts by arithmetic
-- (exact in doubles), and/xor through .crypto.util.bit, sums in doubles with the carry moved.
local Bit = require(".crypto.util.bit")
local Hex = require(".crypto.util.hex")
local band, bxor = Bit.band, Bit.bxor
local byte, char, rep, concat = string.byte, string.char, string.rep, table.concat
local tointeger = math.tointeger

local TWO32 = 4294967296
local ONES = 4294967295

-- the round constants: the first 64 bits of the fractional parts of the cube roots of the first
-- 80 primes, as high and low halves
local K_HI = {
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
  0xca273ece, 0xd186b8c7, 0xeada7dd6, 0xf57d4f7f, 0x06f067aa, 0x0a637dc5, 0x113f9804, 0x1b710b35,
  0x28db77f5, 0x32caab7b, 0x3c9ebe0a, 0x431d67c4, 0x4cc5d4be, 0x597f299c, 0x5fcb6fab, 0x6c44198c,
}
local K_LO = {
  0xd728ae22, 0x23ef65cd, 0xec4d3b2f, 0x8189dbbc, 0xf348b538, 0xb605d019, 0xaf194f9b, 0xda6d8118,
  0xa3030242, 0x45706fbe, 0x4ee4b28c, 0xd5ffb4e2, 0xf27b896f, 0x3b1696b1, 0x25c71235, 0xcf692694,
  0x9ef14ad2, 0x384f25e3, 0x8b8cd5b5, 0x77ac9c65, 0x592b0275, 0x6ea6e483, 0xbd41fbd4, 0x831153b5,
  0xee66dfab, 0x2db43210, 0x98fb213f, 0xbeef0ee4, 0x3da88fc2, 0x930aa725, 0xe003826f, 0x0a0e6e70,
  0x46d22ffc, 0x5c26c926, 0x5ac42aed, 0x9d95b3df, 0x8baf63de, 0x3c77b2a8, 0x47edaee6, 0x1482353b,
  0x4cf10364, 0xbc423001, 0xd0f89791, 0x0654be30, 0xd6ef5218, 0x5565a910, 0x5771202a, 0x32bbd1b8,
  0xb8d2d0c8, 0x5141ab53, 0xdf8eeb99, 0xe19b48a8, 0xc5c95a63, 0xe3418acb, 0x7763e373, 0xd6b2b8a3,
  0x5defb2fc, 0x43172f60, 0xa1f0ab72, 0x1a6439ec, 0x23631e28, 0xde82bde9, 0xb2c67915, 0xe372532b,
  0xea26619c, 0x21c0c207, 0xcde0eb1e, 0xee6ed178, 0x72176fba, 0xa2c898a6, 0xbef90dae, 0x131c471b,
  0x23047d84, 0x40c72493, 0x15c9bebc, 0x9c100d4c, 0xcb3e42b6, 0xfc657e2a, 0x3ad6faec, 0x4a475817,
}
-- the initial state: the first 64 bits of the fractional parts of the square roots of the first
-- 8 primes
local IV_HI = {
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
}
local IV_LO = {
  0xf3bcc908, 0x84caa73b, 0xfe94f82b, 0x5f1d36f1, 0xade682d1, 0x2b3e6c1f, 0xfb41bd6b, 0x137e2179,
}

local POW = {}
for i = 0, 32 do POW[i] = 2 ^ i end

-- (hi, lo) rotated right by n bits, 0 < n < 32 (for 32 < n < 64, pass (lo, hi) and n - 32)
local function rotr(hi, lo, n)
  local down, up = POW[n], POW[32 - n]
  local hiLow, loLow = hi % down, lo % down
  return (hi - hiLow) / down + loLow * up, (lo - loLow) / down + hiLow * up
end

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

-- a 32-bit word as 4 big-endian bytes
local function bigEndian(w)
  local b4 = w % 256
  w = (w - b4) / 256
  local b3 = w % 256
  w = (w - b3) / 256
  local b2 = w % 256
  return char((w - b2) / 256, b2, b3, b4)
end

-- the 64-bit word (hi, lo) as a signed integer (5.3+), or the nearest double
local toSigned
if tointeger then
  toSigned = function(hi, lo) return tointeger(hi) * 4294967296 + tointeger(lo) end -- (wraps)
else
  toSigned = function(hi, lo)
    if hi >= 2147483648 then hi = hi - TWO32 end
    return hi * TWO32 + lo
  end
end

-- live's padding (see the quirks above)
local function pad(msg, len)
  local bits = len * 8
  local bitsLo = bits % TWO32
  local lengthField = bigEndian((bits - bitsLo) / TWO32) .. bigEndian(bitsLo)
  return msg .. "\128" .. rep("\0", 128 - (len + 9) % 128) .. lengthField
end

local function sha2_512(msg)
  local padded = pad(msg, #msg)
  local h, l = {}, {}
  for i = 1, 8 do h[i], l[i] = IV_HI[i], IV_LO[i] end
  for p = 1, #padded, 128 do compress(h, l, padded, p) end

  local parts = {}
  for i = 1, 8 do
    parts[2 * i - 1], parts[2 * i] = bigEndian(h[i]), bigEndian(l[i])
  end
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
