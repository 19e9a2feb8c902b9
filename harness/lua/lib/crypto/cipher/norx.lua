-- .crypto.cipher.norx: the NORX authenticated cipher, variant NORX 64-4-1 of version 3.0 (Aumasson,
-- Jovanovic and Neves: 64-bit words, 4 rounds, no parallelism, 256-bit key, nonce and tag),
-- written for this project from what the live module answers.
--   encrypt(key, nonce, plain [, header [, trailer]]) -> {asBytes, asString, asHex}: the
--   ciphertext followed by the 32-byte tag; decrypt(key, nonce, crypted [, header [, trailer]])
--   -> the plain text, or nil, "auth failure".
-- Live's quirks kept: key and nonce are read as their first 32 bytes (longer ones are cut, shorter
-- ones fail with string.unpack's "data string too short", the nonce first); asBytes is the list of
-- pieces (twelve 8-byte words a full block, then the last partial block, then the tag);
-- decrypt asserts at least 32 bytes of input ("assertion failed!").
-- The state is two arrays of 32-bit halves (hi, lo), so it runs on every Lua (private/word64.lua).
local H = ...
local Bit = require(".crypto.util.bit")
local Hex = require(".crypto.util.hex")
local W64 = H.private("harness.lib.crypto.word64")
local band, bxor = Bit.band, Bit.bxor
local byte, char, rep, concat = string.byte, string.char, string.rep, table.concat
local rotl, readLE, xorLE, stringLE = W64.rotl, W64.readLE, W64.xorLE, W64.stringLE

local RATE = 96 -- bytes absorbed a block: 12 words
local HEADER_TAG, PAYLOAD_TAG, TRAILER_TAG, FINAL_TAG = 1, 2, 4, 8

-- x := H(x, y) = (x XOR y) XOR ((x AND y) << 1), then z := (z XOR x) rotated right by `right`;
-- on words i (x), j (y), k (z) of halves H, L.  (x XOR y is x + y - 2 (x AND y) on each half.)
local function step(H, L, i, j, k, right)
  local xh, xl, yh, yl = H[i], L[i], H[j], L[j]
  local ah, al = band(xh, yh), band(xl, yl)
  local th, tl = (ah % 2147483648) * 2, (al % 2147483648) * 2
  xh = bxor(xh + yh - ah - ah, th + (al - al % 2147483648) / 2147483648)
  xl = bxor(xl + yl - al - al, tl)
  H[i], L[i] = xh, xl
  H[k], L[k] = rotl(bxor(H[k], xh), bxor(L[k], xl), 64 - right)
end

-- the quarter round on words a, b, c, d
local function G(H, L, a, b, c, d)
  step(H, L, a, b, d, 8)
  step(H, L, c, d, b, 19)
  step(H, L, a, b, d, 40)
  step(H, L, c, d, b, 63)
end

-- one round: the four columns, then the four diagonals (words numbered 1-16)
local function F(H, L)
  G(H, L, 1, 5, 9, 13)
  G(H, L, 2, 6, 10, 14)
  G(H, L, 3, 7, 11, 15)
  G(H, L, 4, 8, 12, 16)
  G(H, L, 1, 6, 11, 16)
  G(H, L, 2, 7, 12, 13)
  G(H, L, 3, 8, 9, 14)
  G(H, L, 4, 5, 10, 15)
end

local function permute(H, L)
  for _ = 1, 4 do F(H, L) end
end

-- string.unpack's checks on live, for reading `size` bytes of s at pos (1 or more); s as a string
local function readable(s, pos, size)
  if type(s) == "number" then s = tostring(s) end
  if type(s) ~= "string" then
    error("bad argument #2 to 'unpack' (string expected, got " .. type(s) .. ")")
  end
  if pos - 1 + size > #s then error("bad argument #2 to 'unpack' (data string too short)") end
  return s
end

-- n little-endian 64-bit words of s from pos, XORed into halves H, L from word 1 (or stored,
-- when store)
local function takeWords(s, pos, n, H, L, store)
  s = readable(s, pos, 8 * n)
  if store then
    readLE(s, pos, n, H, L, 1)
  else
    xorLE(s, pos, n, H, L)
  end
end

-- the eight little-endian bytes of word i
local function wordString(H, L, i)
  return stringLE(H[i], L[i])
end

-- the rate part of the state (words 1-12) as 96 bytes
local function rateString(H, L)
  local out = {}
  for i = 1, 12 do out[i] = wordString(H, L, i) end
  return concat(out)
end

-- a last block of fewer than 96 bytes, padded: 0x01, zeros, 0x80 (0x81 alone after 95 bytes)
local function pad(last)
  local n = #last
  if n == RATE - 1 then return last .. "\129" end
  return last .. "\1" .. rep("\0", RATE - 2 - n) .. "\128"
end

local function xorInto(H, L, word, hi, lo)
  H[word], L[word] = bxor(H[word], hi), bxor(L[word], lo)
end

-- words 9-16 after two rounds on the words 0..15 (words 1-8 are replaced by nonce and key)
local START_H, START_L = {}, {}
do
  for i = 1, 16 do START_H[i], START_L[i] = 0, i - 1 end
  F(START_H, START_L)
  F(START_H, START_L)
end

-- the key's four words as halves
local function keyWords(k)
  local KH, KL = {}, {}
  takeWords(k, 1, 4, KH, KL, true)
  return KH, KL
end

local function addKey(H, L, KH, KL)
  for j = 1, 4 do xorInto(H, L, 12 + j, KH[j], KL[j]) end
end

local function newState(k, n)
  local H, L = {}, {}
  for i = 9, 16 do H[i], L[i] = START_H[i], START_L[i] end
  takeWords(n, 1, 4, H, L, true)
  local KH, KL = keyWords(k)
  for j = 1, 4 do H[4 + j], L[4 + j] = KH[j], KL[j] end
  -- the parameters: word size 64, 4 rounds, parallelism 1, tag size 256
  xorInto(H, L, 13, 0, 64)
  xorInto(H, L, 14, 0, 4)
  xorInto(H, L, 15, 0, 1)
  xorInto(H, L, 16, 0, 256)
  permute(H, L)
  addKey(H, L, KH, KL)
  return H, L
end

-- absorb the 96 bytes of s at pos under the domain tag
local function absorbBlock(H, L, s, pos, tag)
  xorInto(H, L, 16, 0, tag)
  permute(H, L)
  takeWords(s, pos, 12, H, L)
end

-- The 96-byte blocks of ins: whole(pos) for each whole one, then rest(piece) for what is left
-- (maybe nothing); nothing at all when ins is empty.
local function blocks(ins, whole, rest)
  local inlen = #ins
  if inlen == 0 then return end
  local pos = 1
  while inlen >= RATE do
    whole(pos)
    inlen = inlen - RATE
    pos = pos + RATE
  end
  rest(ins:sub(pos))
end

-- header or trailer: every whole block, then the padded rest
local function absorb(H, L, ins, tag)
  blocks(ins, function(pos) absorbBlock(H, L, ins, pos, tag) end,
    function(last) absorbBlock(H, L, pad(last), 1, tag) end)
end

local function encryptData(H, L, pieces, ins)
  blocks(ins, function(pos)
    absorbBlock(H, L, ins, pos, PAYLOAD_TAG)
    for i = 1, 12 do pieces[#pieces + 1] = wordString(H, L, i) end
  end, function(last)
    absorbBlock(H, L, pad(last), 1, PAYLOAD_TAG)
    pieces[#pieces + 1] = rateString(H, L):sub(1, #last)
  end)
end

-- decrypt the 96 bytes of s at pos (or, when `last`, the short block s): the plain text, with
-- the state's rate taking the ciphertext (the padded plain text absorbed, for the last block)
local function decryptBlock(H, L, s, pos, last)
  xorInto(H, L, 16, 0, PAYLOAD_TAG)
  permute(H, L)
  local stream = rateString(H, L)
  local n = last and #s or RATE
  if not last then s = readable(s, pos, RATE) end
  local plain = {}
  for i = 1, n do
    plain[i] = char(bxor(byte(s, pos + i - 1), byte(stream, i)))
  end
  plain = concat(plain)
  if last then
    takeWords(pad(plain), 1, 12, H, L)
  else
    takeWords(s, pos, 12, H, L, true)
  end
  return plain
end

local function decryptData(H, L, pieces, ins)
  blocks(ins, function(pos) pieces[#pieces + 1] = decryptBlock(H, L, ins, pos) end,
    function(last) pieces[#pieces + 1] = decryptBlock(H, L, last, 1, true) end)
end

-- the 32-byte tag
local function finalTag(H, L, k)
  xorInto(H, L, 16, 0, FINAL_TAG)
  permute(H, L)
  local KH, KL = keyWords(k)
  addKey(H, L, KH, KL)
  permute(H, L)
  addKey(H, L, KH, KL)
  return wordString(H, L, 13) .. wordString(H, L, 14) .. wordString(H, L, 15) .. wordString(H, L, 16)
end

local function encrypt(key, nonce, plain, header, trailer)
  header = header or ""
  trailer = trailer or ""
  local pieces = {}
  local H, L = newState(key, nonce)
  absorb(H, L, header, HEADER_TAG)
  encryptData(H, L, pieces, plain)
  absorb(H, L, trailer, TRAILER_TAG)
  pieces[#pieces + 1] = finalTag(H, L, key)
  local crypted = concat(pieces)
  assert(#crypted == #plain + 32)
  return {
    asBytes = function() return pieces end,
    asString = function() return crypted end,
    asHex = function() return Hex.stringToHex(crypted) end,
  }
end

local function decrypt(key, nonce, crypted, header, trailer)
  header = header or ""
  trailer = trailer or ""
  assert(#crypted >= 32)
  local pieces = {}
  local H, L = newState(key, nonce)
  absorb(H, L, header, HEADER_TAG)
  local given = crypted:sub(#crypted - 32 + 1)
  decryptData(H, L, pieces, crypted:sub(1, #crypted - 32))
  absorb(H, L, trailer, TRAILER_TAG)
  if finalTag(H, L, key) ~= given then return nil, "auth failure" end
  return concat(pieces)
end

return {
  encrypt = encrypt,
  decrypt = decrypt,
  key_size = 32,
  nonce_size = 32,
  variant = "NORX 64-4-1",
}
