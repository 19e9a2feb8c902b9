-- .crypto.cipher.morus: the MORUS-1280 authenticated cipher (Wu and Huang's CAESAR submission;
-- 128- or 256-bit key, 128-bit nonce and tag), written for this project from what the live
-- module answers.
--   encrypt(k, iv, m [, ad]) -> {asBytes, asHex, asString}: ad .. ciphertext .. 16-byte tag;
--   decrypt(k, iv, e [, adlen]) -> the message, or nil, "decrypt error";
--   state_update(s, m0, m1, m2, m3): the permutation on live's state, 20 signed 64-bit integers.
-- Live's quirks kept: a 16-byte key is used twice (k || k); asBytes is the list of pieces (the ad,
-- each 32-byte block, the last partial block, the tag); decrypt takes the ad's length and reads
-- the ad from the front of e; the key and iv are checked by assert ("key must be 16 or 32 bytes",
-- "iv must be 16 bytes"); where live reads 8-byte words with string.unpack, a non-string or an
-- out-of-range position fails with unpack's error, and a short last block fails live's assert on
-- its length (the error is that number); a fractional adlen fails as live's string.sub, unpack
-- or `<<` does, whichever meets it first.
-- The state here is two arrays of 32-bit halves (hi, lo), rows 0-4 of four words each, so it runs
-- on every Lua (private/word64.lua); state_update converts live's integers (exact on Luas with
-- 64-bit integers).
local H = ...
local Bit = require(".crypto.util.bit")
local Hex = require(".crypto.util.hex")
local W64 = H.private("harness.lib.crypto.word64")
local band, bxor = Bit.band, Bit.bxor
local char, rep, concat = string.char, string.rep, table.concat
local floor = math.floor
local WORD, rotl, readLE = W64.TWO32, W64.rotl, W64.readLE -- (WORD = 2^32, an integer on 5.3+)
local wordString, fromHalves = W64.stringLE, W64.toSigned -- (the eight bytes; signed integer)

-- the five rounds: row r takes in row r+3, the AND of rows r+1 and r+2 (and the message after
-- the first round), is rotated by ROTATE[r] bits per word, then row r+3 turns by SHIFT[r] words
local ROTATE = { [0] = 13, 46, 38, 7, 4 }
local SHIFT = { [0] = 1, 2, 3, 2, 1 }
local NO_MESSAGE = { 0, 0, 0, 0 }

-- the permutation on state halves H, L (index row * 4 + word + 1) with message halves MH, ML
local function update(H, L, MH, ML)
  for r = 0, 4 do
    local a, b, c, d = r * 4, (r + 1) % 5 * 4, (r + 2) % 5 * 4, (r + 3) % 5 * 4
    local mh, ml = MH, ML
    if r == 0 then mh, ml = NO_MESSAGE, NO_MESSAGE end
    for j = 1, 4 do
      local hi = bxor(H[a + j], H[d + j], band(H[b + j], H[c + j]), mh[j])
      local lo = bxor(L[a + j], L[d + j], band(L[b + j], L[c + j]), ml[j])
      H[a + j], L[a + j] = rotl(hi, lo, ROTATE[r])
    end
    local k = SHIFT[r]
    local h1, h2, h3, h4 = H[d + 1], H[d + 2], H[d + 3], H[d + 4]
    local l1, l2, l3, l4 = L[d + 1], L[d + 2], L[d + 3], L[d + 4]
    if k == 1 then
      H[d + 1], H[d + 2], H[d + 3], H[d + 4] = h4, h1, h2, h3
      L[d + 1], L[d + 2], L[d + 3], L[d + 4] = l4, l1, l2, l3
    elseif k == 2 then
      H[d + 1], H[d + 2], H[d + 3], H[d + 4] = h3, h4, h1, h2
      L[d + 1], L[d + 2], L[d + 3], L[d + 4] = l3, l4, l1, l2
    else
      H[d + 1], H[d + 2], H[d + 3], H[d + 4] = h2, h3, h4, h1
      L[d + 1], L[d + 2], L[d + 3], L[d + 4] = l2, l3, l4, l1
    end
  end
end

-- the keystream word j (1-4): row 0's, row 1's next one, and rows 2 AND 3
local function stream(H, L, j)
  local k = j % 4 + 1
  return bxor(H[j], H[4 + k], band(H[8 + j], H[12 + j])), bxor(L[j], L[4 + k], band(L[8 + j], L[12 + j]))
end

-- string.unpack's checks on live, for reading `size` bytes of s at pos (a negative pos counts
-- from the end); the start position, 1-based
local function readable(s, pos, size)
  if type(s) ~= "string" then
    error("bad argument #2 to 'unpack' (string expected, got " .. type(s) .. ")")
  end
  if pos ~= floor(pos) then error("bad argument #3 to 'unpack' (number has no integer representation)") end
  local len = #s
  if pos < 0 then pos = (-pos > len) and 0 or len + pos + 1 end
  if pos < 1 or pos - 1 > len then error("bad argument #3 to 'unpack' (initial position out of string)") end
  if pos - 1 + size > len then error("bad argument #2 to 'unpack' (data string too short)") end
  return pos
end

-- n little-endian 64-bit words of s from pos into halves H, L at first..first+n-1
local function readWords(s, pos, n, H, L, first)
  readLE(s, readable(s, pos, 8 * n), n, H, L, first)
end

-- a 64-bit integer (or a float) as unsigned halves
local function toHalves(x)
  local lo = x % WORD
  return ((x - lo) / WORD) % WORD, lo
end

-- row 4 starts as the Fibonacci numbers modulo 256, 32 bytes from 0, 1
local FIBONACCI
do
  local fib = { 0, 1 }
  for i = 3, 32 do fib[i] = (fib[i - 1] + fib[i - 2]) % 256 end
  FIBONACCI = char((table.unpack or unpack)(fib))
end

local function newState(key, iv)
  assert((#key == 16) or (#key == 32), "key must be 16 or 32 bytes")
  assert(#iv == 16, "iv must be 16 bytes")
  local KH, KL = {}, {}
  if #key == 16 then
    readWords(key, 1, 2, KH, KL, 1)
    KH[3], KL[3], KH[4], KL[4] = KH[1], KL[1], KH[2], KL[2]
  else
    readWords(key, 1, 4, KH, KL, 1)
  end
  local H, L = {}, {}
  readWords(iv, 1, 2, H, L, 1)
  for j = 1, 4 do
    H[4 + j], L[4 + j] = KH[j], KL[j]
    H[8 + j], L[8 + j] = 0xffffffff, 0xffffffff
    H[12 + j], L[12 + j] = 0, 0
  end
  readWords(FIBONACCI, 1, 4, H, L, 17)
  H[3], L[3], H[4], L[4] = 0, 0, 0, 0
  for _ = 1, 16 do update(H, L, NO_MESSAGE, NO_MESSAGE) end
  for j = 1, 4 do
    H[4 + j], L[4 + j] = bxor(H[4 + j], KH[j]), bxor(L[4 + j], KL[j])
  end
  return H, L
end

-- absorb the 32-byte block of s at pos; the ciphertext block's words (halves in CH, CL)
local function encryptBlock(H, L, s, pos, CH, CL)
  local MH, ML = {}, {}
  readWords(s, pos, 4, MH, ML, 1)
  for j = 1, 4 do
    local kh, kl = stream(H, L, j)
    CH[j], CL[j] = bxor(MH[j], kh), bxor(ML[j], kl)
  end
  update(H, L, MH, ML)
end

local function blockString(WH, WL)
  return wordString(WH[1], WL[1]) .. wordString(WH[2], WL[2]) .. wordString(WH[3], WL[3])
    .. wordString(WH[4], WL[4])
end

-- the last, partial block: `piece` padded with zeros to 32 bytes (live asserts the padded length)
local function padded(piece, zeros)
  local block = piece .. rep("\0", zeros)
  assert(#block == 32, #block)
  return block
end

local function absorb(H, L, ad, adlen)
  local pos = 1
  while pos <= adlen - 31 do
    encryptBlock(H, L, ad, pos, {}, {})
    pos = pos + 32
  end
  if pos <= adlen then
    encryptBlock(H, L, padded(ad:sub(pos), 31 + pos - adlen), 1, {}, {})
  end
end

-- the 16-byte tag after a message of mlen bytes with adlen bytes of ad
local function tag(H, L, mlen, adlen)
  if adlen ~= floor(adlen) then error("number (local 'adlen') has no integer representation") end
  local MH, ML = {}, {}
  MH[1], ML[1] = toHalves(adlen * 8)
  MH[2], ML[2] = toHalves(mlen * 8)
  MH[3], ML[3], MH[4], ML[4] = 0, 0, 0, 0
  for j = 1, 4 do
    H[16 + j], L[16 + j] = bxor(H[16 + j], H[j]), bxor(L[16 + j], L[j])
  end
  for _ = 1, 10 do update(H, L, MH, ML) end
  local h1, l1 = stream(H, L, 1)
  local h2, l2 = stream(H, L, 2)
  return wordString(h1, l1) .. wordString(h2, l2)
end

local function encrypt(k, iv, m, ad)
  ad = ad or ""
  local mlen, adlen = #m, #ad
  local H, L = newState(k, iv)
  absorb(H, L, ad, adlen)
  local pieces = { ad }
  local CH, CL = {}, {}
  local pos = 1
  while pos <= mlen - 31 do
    encryptBlock(H, L, m, pos, CH, CL)
    pos = pos + 32
    pieces[#pieces + 1] = blockString(CH, CL)
  end
  if pos <= mlen then
    local last = m:sub(pos)
    encryptBlock(H, L, padded(last, 31 + pos - mlen), 1, CH, CL)
    pieces[#pieces + 1] = blockString(CH, CL):sub(1, #last)
  end
  pieces[#pieces + 1] = tag(H, L, mlen, adlen)
  return {
    asBytes = function() return pieces end,
    asHex = function() return Hex.stringToHex(concat(pieces)) end,
    asString = function() return concat(pieces) end,
  }
end

-- decrypt the 32-byte block of s at pos (its first `keep` bytes only, the rest taken as zeros,
-- when keep is given) and absorb the message block; the message bytes
local function decryptBlock(H, L, s, pos, keep)
  local CH, CL, MH, ML = {}, {}, {}, {}
  readWords(s, pos, 4, CH, CL, 1)
  for j = 1, 4 do
    local kh, kl = stream(H, L, j)
    MH[j], ML[j] = bxor(CH[j], kh), bxor(CL[j], kl)
  end
  local plain = blockString(MH, ML)
  if keep then
    plain = plain:sub(1, keep)
    readWords(plain .. rep("\0", 32 - keep), 1, 4, MH, ML, 1)
  end
  update(H, L, MH, ML)
  return plain
end

-- string.sub's refusal of a fractional position on live (argument n of the method call)
local function wholeArgument(v, n)
  if v ~= floor(v) then error("bad argument #" .. n .. " to 'sub' (number has no integer representation)") end
end

local function decrypt(k, iv, e, adlen)
  adlen = adlen or 0
  local ad = ""
  local elen = #e - 16
  local mlen = elen - adlen
  local H, L = newState(k, iv)
  if adlen > 0 then
    wholeArgument(adlen, 2)
    ad = e:sub(1, adlen)
  end
  absorb(H, L, ad, adlen)
  local pieces = {}
  local pos = adlen + 1
  while pos <= elen - 31 do
    pieces[#pieces + 1] = decryptBlock(H, L, e, pos)
    pos = pos + 32
  end
  if pos <= elen then
    wholeArgument(pos, 1)
    local last = e:sub(pos, elen)
    pieces[#pieces + 1] = decryptBlock(H, L, padded(last, 31 + pos - elen), 1, #last)
  end
  local computed = tag(H, L, mlen, adlen)
  local from = readable(e, elen + 1, 16)
  if e:sub(from, from + 15) ~= computed then return nil, "decrypt error" end
  return concat(pieces)
end

-- live's 5.3 rules for an operand of a bitwise operation: its integer value, or nil
local function integral(v)
  if type(v) == "string" then v = tonumber(v) end
  if type(v) ~= "number" or v ~= v or v ~= floor(v) or v >= 2 ^ 63 or v < -(2 ^ 63) then return nil end
  return v
end

-- the error live's `a OP b` raises when one of them is no integer (names: live's locals)
local function checkOperands(a, b, nameA, nameB)
  if integral(a) and integral(b) then return end
  local name, v = nameB, b
  if type(a) == "number" and type(b) == "number" then
    if not integral(a) then name = nameA end
    error("number (local '" .. name .. "') has no integer representation")
  end
  if not tonumber(a) then name, v = nameA, a end
  error("attempt to perform bitwise operation on a " .. type(v) .. " value (local '" .. name .. "')")
end

local function state_update(s, m0, m1, m2, m3)
  local words, m = {}, { m0, m1, m2, m3 }
  for i = 1, 20 do words[i] = s[i] end
  -- (checked in the order live's operations first meet each value)
  for j = 1, 4 do checkOperands(words[j], words[12 + j], "s0" .. (j - 1), "s3" .. (j - 1)) end
  for j = 1, 4 do checkOperands(words[4 + j], words[8 + j], "s1" .. (j - 1), "s2" .. (j - 1)) end
  for j = 1, 4 do checkOperands(0, m[j], "", "m" .. (j - 1)) end
  for j = 1, 4 do checkOperands(0, words[16 + j], "", "s4" .. (j - 1)) end
  local H, L, MH, ML = {}, {}, {}, {}
  for i = 1, 20 do H[i], L[i] = toHalves(integral(words[i])) end
  for j = 1, 4 do MH[j], ML[j] = toHalves(integral(m[j])) end
  update(H, L, MH, ML)
  for i = 1, 20 do s[i] = fromHalves(H[i], L[i]) end
end

return {
  state_update = state_update,
  encrypt = encrypt,
  decrypt = decrypt,
  key_size = 32,
  nonce_size = 16,
  variant = "Morus-1280",
}
