-- harness.lib.crypto.blockcipher: the AES block ciphers (aes128, aes192, aes256) over the engine
-- in private/aes.lua, written for this project from what the live module answers
-- (tests/live_module/test_crypto_aes.py); a private part of the crypto library
-- (bridge/modules.lua's H.private), compiled once for each of those modules under a chunk name
-- shown as the module's own (harness/chunks.py, PER_MODULE_PARTS): the key schedule and live's
-- failure on a block that is not 16 bytes meet the caller's values, so an error they raise names
-- the module, as live's, which holds its own copy of this code, does.
--   (nk, words, copiesKey) -> { blockSize = 16, encrypt(key, block), decrypt(key, block) } for
--   keys of nk words: AES-128 (4), AES-192 (6) or AES-256 (8).  `words`: how many key-schedule
--   words live works out; `copiesKey`: whether it copies the key first.  Key and block are arrays
--   of bytes at 1, 2, ...; the answer is a new array of 16 bytes.
-- Live's quirks kept (the modules' headers say which apply to each): the key is expanded on every
-- call, so a key that is too short or holds a non-byte fails only when a block is enciphered, in
-- bit32's words for the local `XOR` ("bad argument #1 to 'XOR' (number expected, got nil)"); key
-- bytes past the 16th (24th, 32nd) are ignored; a copied key that is not a table fails in
-- `pairs`; a block that is not 16 bytes fails as live's does, in its first AddRoundKey (bit32's
-- words) or in its first MixColumns ("attempt to perform arithmetic on a nil value (local
-- 'LA')").  (Here the round keys of the last good key are kept while its bytes stay the same:
-- the answers are those of expanding it again.)
local H = ...
local Array = require(".crypto.util.array")
local Bit = require(".crypto.util.bit")
local AES = H.private("harness.lib.crypto.aes")

local XOR = Bit.bxor -- (live's name for it, which bit32's argument errors show)
local type, error = type, error
local xtime, invMixColumns, isBlock, holdsBytes = AES.xtime, AES.invMixColumns, AES.isBlock,
  AES.holdsBytes
local encryptBlock, decryptBlock = AES.encrypt, AES.decrypt

-- the engine's tables, taken at the first block
local SBOX, INV_SBOX, EXP, LOG
local function ready()
  local tables = AES.tables()
  SBOX, INV_SBOX, EXP, LOG = tables.SBOX, tables.INV_SBOX, tables.EXP, tables.LOG
end

-- The key schedule (FIPS-197 5.2) as words of 4 bytes in one array, each byte through bit32's XOR
-- in the order live's takes them, so a bad key fails with live's error: w[i] = w[i-Nk] xor
-- SubWord(RotWord(w[i-1])) xor Rcon when i is a multiple of Nk; w[i] = SubWord(w[i-1]) xor
-- w[i-Nk] when i is 4 past one and Nk is 8; w[i] = w[i-1] xor w[i-Nk] otherwise.  Live works out
-- `words` words (44, 54, 64): a few more than the 44, 52 and 60 used.
local function expandKey(key, nk, words)
  local w = {}
  for i = 1, 4 * nk do w[i] = key[i] end
  local rcon = 1
  for i = nk, words - 1 do
    local o, p, q = 4 * i, 4 * (i - 1), 4 * (i - nk)
    if i % nk == 0 then
      w[o + 1] = XOR(w[q + 1], XOR(SBOX[w[p + 2]], rcon))
      w[o + 2] = XOR(w[q + 2], SBOX[w[p + 3]])
      w[o + 3] = XOR(w[q + 3], SBOX[w[p + 4]])
      w[o + 4] = XOR(w[q + 4], SBOX[w[p + 1]])
      rcon = xtime(rcon)
    elseif nk > 6 and i % nk == 4 then
      for j = 1, 4 do w[o + j] = XOR(SBOX[w[p + j]], w[q + j]) end
    else
      for j = 1, 4 do w[o + j] = XOR(w[p + j], w[q + j]) end
    end
  end
  -- the key's own bytes as bit32 reads them (a float 1.0, a numeric string, 2^32 + 1 ...)
  for i = 1, 4 * nk do w[i] = XOR(w[i], 0) end
  return w
end

-- How live fails on a state with holes or non-bytes after its first AddRoundKey: the S-box
-- leaves a hole for a non-byte, then MixColumns multiplies by log tables, where a hole passes a
-- multiplication by 1 and breaks any other (`LA + LB` on nil), and bit32 refuses a hole.
local NO_KEY = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }
local MIX = { { 2, 3, 1, 1 }, { 1, 2, 3, 1 }, { 1, 1, 2, 3 }, { 3, 1, 1, 2 } }
local INV_MIX = { { 14, 11, 13, 9 }, { 9, 14, 11, 13 }, { 13, 9, 14, 11 }, { 11, 13, 9, 14 } }

local function multiplyByLogs(a, b)
  if b == 1 then return a end
  if a == 0 then return 0 end
  local LA, LB = LOG[a], LOG[b]
  return EXP[(LA + LB) % 255]
end

local function failAsLive(state, sbox, step, matrix)
  local shifted = {}
  for c = 0, 3 do
    for r = 0, 3 do
      local from = 4 * ((c + step * r) % 4) + r + 1
      local v = state[from]
      if v ~= nil then v = sbox[v] end
      shifted[4 * c + r + 1] = v
    end
  end
  for c = 0, 3 do
    for r = 1, 4 do
      local m = matrix[r]
      local a = multiplyByLogs(shifted[4 * c + 1], m[1])
      local b = multiplyByLogs(shifted[4 * c + 2], m[2])
      local cc = multiplyByLogs(shifted[4 * c + 3], m[3])
      local d = multiplyByLogs(shifted[4 * c + 4], m[4])
      local _ = XOR(XOR(a, b), XOR(cc, d))
    end
  end
  error("harness: an AES state with a hole did not fail as live's does", 2)
end

local function newBlockCipher(nk, words, copiesKey)
  local rounds = nk + 6
  -- the last key seen, its bytes, its round keys (arrays of 16 bytes at 0..rounds) for each
  -- direction, and the tables live's first AddRoundKey reads in each
  local lastKey, lastBytes, encryptionKeys, decryptionKeys, firstKey, finalKey

  local function schedule(key)
    if type(key) == "table" and key == lastKey then
      local same = true
      for i = 1, 4 * nk do
        if key[i] ~= lastBytes[i] then
          same = false
          break
        end
      end
      if same then return end
    end
    lastKey = nil
    local bytes = key
    if copiesKey then bytes = Array.copy(key) end
    local w = expandKey(bytes, nk, words)
    for i = 1, 16 * (rounds + 1) do
      if SBOX[w[i]] == nil then error("harness: an AES key schedule holds a non-byte", 3) end
    end
    -- round keys 0..rounds; the decryption ones in the order used, the middle ones through
    -- InvMixColumns
    local e, d = {}, {}
    for r = 0, rounds do
      local roundKey = {}
      for i = 1, 16 do roundKey[i] = w[16 * r + i] end
      e[r] = roundKey
    end
    d[0], d[rounds] = e[rounds], e[0]
    for j = 1, rounds - 1 do d[j] = invMixColumns(e[rounds - j]) end
    encryptionKeys, decryptionKeys = e, d
    -- live's first AddRoundKey reads AES-128's key itself, the others' copied first 16 bytes
    if copiesKey then firstKey = Array.slice(bytes, 1, 16) else firstKey = key end
    finalKey = e[rounds]
    lastBytes = {}
    if type(key) == "table" then
      for i = 1, 4 * nk do lastBytes[i] = key[i] end
      lastKey = key
    end
  end

  local cipher = { blockSize = 16 }

  function cipher.encrypt(key, block)
    if SBOX == nil then ready() end
    schedule(key)
    local k0 = encryptionKeys[0]
    if not isBlock(block) then
      -- live's first AddRoundKey, with its errors; then its S-box's and MixColumns' if need be
      local state = Array.XOR(block, firstKey)
      if not holdsBytes(state) then failAsLive(state, SBOX, 1, MIX) end
      block, k0 = state, NO_KEY
    end
    return encryptBlock(encryptionKeys, rounds, block, k0)
  end

  function cipher.decrypt(key, block)
    if SBOX == nil then ready() end
    schedule(key)
    local k0 = decryptionKeys[0]
    if not isBlock(block) then
      local state = Array.XOR(block, finalKey)
      if not holdsBytes(state) then failAsLive(state, INV_SBOX, -1, INV_MIX) end
      block, k0 = state, NO_KEY
    end
    return decryptBlock(decryptionKeys, rounds, block, k0)
  end

  return cipher
end

return newBlockCipher
