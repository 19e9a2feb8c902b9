-- .crypto.cipher.aes128: the AES block cipher with a 16-byte key (FIPS-197), written for this
-- project from what the live module answers (tests/live_module/test_crypto_aes.py).
-- API: { blockSize = 16, encrypt(key, block), decrypt(key, block) }: key and block are arrays of
-- bytes at 1, 2, ...; the answer is a new array of 16 bytes.
-- This file also holds the AES engine that aes192.lua and aes256.lua build their ciphers with;
-- they reach it through the harness's private table (the chunk's first argument), as
-- lib/chance.lua hands its private parts to aos/process.lua.
-- Live's quirks kept: the key is expanded on every call, so a key that is too short or holds a
-- non-byte fails only when a block is enciphered, in bit32's words for the local `XOR` ("bad
-- argument #1 to 'XOR' (number expected, got nil)"); key bytes past the 16th (24th, 32nd) are
-- ignored; aes192/aes256 copy the key first (a key that is not a table fails in `pairs`); a
-- block that is not 16 bytes fails as live's does, in its first AddRoundKey (bit32's words) or
-- in its first MixColumns ("attempt to perform arithmetic on a nil value (local 'LA')").
local H = ...
local Array = require(".crypto.util.array")
local Bit = require(".crypto.util.bit")

local XOR = Bit.bxor -- (live's name for it, which bit32's argument errors show)
local type, next, getmetatable, error = type, next, getmetatable, error

-- Byte tables, built on first use (about 500,000 VM instructions, mostly the XOR table):
-- X[a][b] = a xor b; SBOX/INV_SBOX; EXP/LOG for multiplication in GF(2^8); the S-box folded into
-- MixColumns' multipliers (E1/E2/E3 = 1/2/3 * S[x]) and into InvMixColumns' (D9..D14 with S^-1).
local X, SBOX, INV_SBOX, EXP, LOG
local E1, E2, E3, D9, D11, D13, D14

local function nibbleXorTable()
  local out = {}
  for a = 0, 15 do
    local row = {}
    for b = 0, 15 do
      local r, bit = 0, 1
      for _ = 1, 4 do
        if (a % (2 * bit) >= bit) ~= (b % (2 * bit) >= bit) then r = r + bit end
        bit = 2 * bit
      end
      row[b] = r
    end
    out[a] = row
  end
  return out
end

-- multiplication by x (that is, 2) in GF(2^8) modulo x^8 + x^4 + x^3 + x + 1
local function xtime(a)
  if a < 128 then return 2 * a end
  return X[2 * a - 256][0x1B]
end

local function multiply(a, b)
  if a == 0 or b == 0 then return 0 end
  return EXP[(LOG[a] + LOG[b]) % 255]
end

-- rotate a byte left by one bit
local function rotateLeft(b)
  if b < 128 then return 2 * b end
  return 2 * b - 255
end

local function buildTables()
  local x4 = nibbleXorTable()
  local xor = {}
  for ah = 0, 15 do
    for al = 0, 15 do
      local row, low = {}, x4[al]
      for bh = 0, 15 do
        local high = 16 * x4[ah][bh]
        for bl = 0, 15 do row[16 * bh + bl] = high + low[bl] end
      end
      xor[16 * ah + al] = row
    end
  end
  X = xor
  -- powers of the generator 3 give the log and antilog tables
  EXP, LOG = {}, {}
  local e = 1
  for i = 0, 254 do
    EXP[i], LOG[e] = e, i
    e = X[e][xtime(e)]
  end
  -- S-box: the multiplicative inverse, then the affine map b + rot1(b) + ... + rot4(b) + 0x63
  SBOX, INV_SBOX = {}, {}
  for v = 0, 255 do
    local b = 0
    if v ~= 0 then b = EXP[(255 - LOG[v]) % 255] end
    local s, r = b, b
    for _ = 1, 4 do
      r = rotateLeft(r)
      s = X[s][r]
    end
    s = X[s][0x63]
    SBOX[v], INV_SBOX[s] = s, v
  end
  E1, E2, E3, D9, D11, D13, D14 = SBOX, {}, {}, {}, {}, {}, {}
  for v = 0, 255 do
    local s, i = SBOX[v], INV_SBOX[v]
    E2[v] = xtime(s)
    E3[v] = X[E2[v]][s]
    D9[v], D11[v] = multiply(i, 9), multiply(i, 11)
    D13[v], D14[v] = multiply(i, 13), multiply(i, 14)
  end
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

-- InvMixColumns of a round key (16 bytes), as a new array
local function invMixColumns(key)
  local out = {}
  for c = 0, 3 do
    local b0, b1, b2, b3 = key[4 * c + 1], key[4 * c + 2], key[4 * c + 3], key[4 * c + 4]
    out[4 * c + 1] = X[X[multiply(b0, 14)][multiply(b1, 11)]][X[multiply(b2, 13)][multiply(b3, 9)]]
    out[4 * c + 2] = X[X[multiply(b0, 9)][multiply(b1, 14)]][X[multiply(b2, 11)][multiply(b3, 13)]]
    out[4 * c + 3] = X[X[multiply(b0, 13)][multiply(b1, 9)]][X[multiply(b2, 14)][multiply(b3, 11)]]
    out[4 * c + 4] = X[X[multiply(b0, 11)][multiply(b1, 13)]][X[multiply(b2, 9)][multiply(b3, 14)]]
  end
  return out
end

-- A table holding exactly 16 bytes at 1..16 (and no metatable): the fast path's input
local function isBlock(block)
  if type(block) ~= "table" or getmetatable(block) ~= nil then return false end
  local n = 0
  for _ in next, block do n = n + 1 end
  if n ~= 16 then return false end
  for i = 1, 16 do
    if SBOX[block[i]] == nil then return false end
  end
  return true
end

local function holdsBytes(state)
  for i = 1, 16 do
    if SBOX[state[i]] == nil then return false end
  end
  return true
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

-- A block cipher for keys of nk words: AES-128 (4), AES-192 (6) or AES-256 (8).  `words`: how
-- many key-schedule words live works out; `copiesKey`: whether it copies the key first.
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
    if X == nil then buildTables() end
    schedule(key)
    local k = encryptionKeys
    local X, E1, E2, E3, SBOX = X, E1, E2, E3, SBOX
    local k0 = k[0]
    if not isBlock(block) then
      -- live's first AddRoundKey, with its errors; then its S-box's and MixColumns' if need be
      local state = Array.XOR(block, firstKey)
      if not holdsBytes(state) then failAsLive(state, SBOX, 1, MIX) end
      block, k0 = state, NO_KEY
    end
    local b = block
    local s1, s2, s3, s4 = X[b[1]][k0[1]], X[b[2]][k0[2]], X[b[3]][k0[3]], X[b[4]][k0[4]]
    local s5, s6, s7, s8 = X[b[5]][k0[5]], X[b[6]][k0[6]], X[b[7]][k0[7]], X[b[8]][k0[8]]
    local s9, s10, s11, s12 = X[b[9]][k0[9]], X[b[10]][k0[10]], X[b[11]][k0[11]], X[b[12]][k0[12]]
    local s13, s14 = X[b[13]][k0[13]], X[b[14]][k0[14]]
    local s15, s16 = X[b[15]][k0[15]], X[b[16]][k0[16]]
    local t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, t11, t12, t13, t14, t15, t16
    local rk
    for round = 1, rounds - 1 do
      rk = k[round]
      -- SubBytes, ShiftRows, MixColumns and AddRoundKey in one step per byte
      t1 = X[X[E2[s1]][E3[s6]]][X[X[E1[s11]][E1[s16]]][rk[1]]]
      t2 = X[X[E1[s1]][E2[s6]]][X[X[E3[s11]][E1[s16]]][rk[2]]]
      t3 = X[X[E1[s1]][E1[s6]]][X[X[E2[s11]][E3[s16]]][rk[3]]]
      t4 = X[X[E3[s1]][E1[s6]]][X[X[E1[s11]][E2[s16]]][rk[4]]]
      t5 = X[X[E2[s5]][E3[s10]]][X[X[E1[s15]][E1[s4]]][rk[5]]]
      t6 = X[X[E1[s5]][E2[s10]]][X[X[E3[s15]][E1[s4]]][rk[6]]]
      t7 = X[X[E1[s5]][E1[s10]]][X[X[E2[s15]][E3[s4]]][rk[7]]]
      t8 = X[X[E3[s5]][E1[s10]]][X[X[E1[s15]][E2[s4]]][rk[8]]]
      t9 = X[X[E2[s9]][E3[s14]]][X[X[E1[s3]][E1[s8]]][rk[9]]]
      t10 = X[X[E1[s9]][E2[s14]]][X[X[E3[s3]][E1[s8]]][rk[10]]]
      t11 = X[X[E1[s9]][E1[s14]]][X[X[E2[s3]][E3[s8]]][rk[11]]]
      t12 = X[X[E3[s9]][E1[s14]]][X[X[E1[s3]][E2[s8]]][rk[12]]]
      t13 = X[X[E2[s13]][E3[s2]]][X[X[E1[s7]][E1[s12]]][rk[13]]]
      t14 = X[X[E1[s13]][E2[s2]]][X[X[E3[s7]][E1[s12]]][rk[14]]]
      t15 = X[X[E1[s13]][E1[s2]]][X[X[E2[s7]][E3[s12]]][rk[15]]]
      t16 = X[X[E3[s13]][E1[s2]]][X[X[E1[s7]][E2[s12]]][rk[16]]]
      s1, s2, s3, s4, s5, s6, s7, s8 = t1, t2, t3, t4, t5, t6, t7, t8
      s9, s10, s11, s12, s13, s14, s15, s16 = t9, t10, t11, t12, t13, t14, t15, t16
    end
    rk = k[rounds]
    t1 = X[SBOX[s1]][rk[1]]
    t2 = X[SBOX[s6]][rk[2]]
    t3 = X[SBOX[s11]][rk[3]]
    t4 = X[SBOX[s16]][rk[4]]
    t5 = X[SBOX[s5]][rk[5]]
    t6 = X[SBOX[s10]][rk[6]]
    t7 = X[SBOX[s15]][rk[7]]
    t8 = X[SBOX[s4]][rk[8]]
    t9 = X[SBOX[s9]][rk[9]]
    t10 = X[SBOX[s14]][rk[10]]
    t11 = X[SBOX[s3]][rk[11]]
    t12 = X[SBOX[s8]][rk[12]]
    t13 = X[SBOX[s13]][rk[13]]
    t14 = X[SBOX[s2]][rk[14]]
    t15 = X[SBOX[s7]][rk[15]]
    t16 = X[SBOX[s12]][rk[16]]
    return { t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, t11, t12, t13, t14, t15, t16 }
  end

  function cipher.decrypt(key, block)
    if X == nil then buildTables() end
    schedule(key)
    local k = decryptionKeys
    local X, D9, D11, D13, D14, INV_SBOX = X, D9, D11, D13, D14, INV_SBOX
    local k0 = k[0]
    if not isBlock(block) then
      -- live's first AddRoundKey, with its errors; then its S-box's and MixColumns' if need be
      local state = Array.XOR(block, finalKey)
      if not holdsBytes(state) then failAsLive(state, INV_SBOX, -1, INV_MIX) end
      block, k0 = state, NO_KEY
    end
    local b = block
    local s1, s2, s3, s4 = X[b[1]][k0[1]], X[b[2]][k0[2]], X[b[3]][k0[3]], X[b[4]][k0[4]]
    local s5, s6, s7, s8 = X[b[5]][k0[5]], X[b[6]][k0[6]], X[b[7]][k0[7]], X[b[8]][k0[8]]
    local s9, s10, s11, s12 = X[b[9]][k0[9]], X[b[10]][k0[10]], X[b[11]][k0[11]], X[b[12]][k0[12]]
    local s13, s14 = X[b[13]][k0[13]], X[b[14]][k0[14]]
    local s15, s16 = X[b[15]][k0[15]], X[b[16]][k0[16]]
    local t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, t11, t12, t13, t14, t15, t16
    local rk
    for round = 1, rounds - 1 do
      rk = k[round]
      -- InvShiftRows, InvSubBytes, InvMixColumns and AddRoundKey (FIPS-197 5.3.5's equivalent
      -- inverse cipher: the middle round keys went through InvMixColumns)
      t1 = X[X[D14[s1]][D11[s14]]][X[X[D13[s11]][D9[s8]]][rk[1]]]
      t2 = X[X[D9[s1]][D14[s14]]][X[X[D11[s11]][D13[s8]]][rk[2]]]
      t3 = X[X[D13[s1]][D9[s14]]][X[X[D14[s11]][D11[s8]]][rk[3]]]
      t4 = X[X[D11[s1]][D13[s14]]][X[X[D9[s11]][D14[s8]]][rk[4]]]
      t5 = X[X[D14[s5]][D11[s2]]][X[X[D13[s15]][D9[s12]]][rk[5]]]
      t6 = X[X[D9[s5]][D14[s2]]][X[X[D11[s15]][D13[s12]]][rk[6]]]
      t7 = X[X[D13[s5]][D9[s2]]][X[X[D14[s15]][D11[s12]]][rk[7]]]
      t8 = X[X[D11[s5]][D13[s2]]][X[X[D9[s15]][D14[s12]]][rk[8]]]
      t9 = X[X[D14[s9]][D11[s6]]][X[X[D13[s3]][D9[s16]]][rk[9]]]
      t10 = X[X[D9[s9]][D14[s6]]][X[X[D11[s3]][D13[s16]]][rk[10]]]
      t11 = X[X[D13[s9]][D9[s6]]][X[X[D14[s3]][D11[s16]]][rk[11]]]
      t12 = X[X[D11[s9]][D13[s6]]][X[X[D9[s3]][D14[s16]]][rk[12]]]
      t13 = X[X[D14[s13]][D11[s10]]][X[X[D13[s7]][D9[s4]]][rk[13]]]
      t14 = X[X[D9[s13]][D14[s10]]][X[X[D11[s7]][D13[s4]]][rk[14]]]
      t15 = X[X[D13[s13]][D9[s10]]][X[X[D14[s7]][D11[s4]]][rk[15]]]
      t16 = X[X[D11[s13]][D13[s10]]][X[X[D9[s7]][D14[s4]]][rk[16]]]
      s1, s2, s3, s4, s5, s6, s7, s8 = t1, t2, t3, t4, t5, t6, t7, t8
      s9, s10, s11, s12, s13, s14, s15, s16 = t9, t10, t11, t12, t13, t14, t15, t16
    end
    rk = k[rounds]
    t1 = X[INV_SBOX[s1]][rk[1]]
    t2 = X[INV_SBOX[s14]][rk[2]]
    t3 = X[INV_SBOX[s11]][rk[3]]
    t4 = X[INV_SBOX[s8]][rk[4]]
    t5 = X[INV_SBOX[s5]][rk[5]]
    t6 = X[INV_SBOX[s2]][rk[6]]
    t7 = X[INV_SBOX[s15]][rk[7]]
    t8 = X[INV_SBOX[s12]][rk[8]]
    t9 = X[INV_SBOX[s9]][rk[9]]
    t10 = X[INV_SBOX[s6]][rk[10]]
    t11 = X[INV_SBOX[s3]][rk[11]]
    t12 = X[INV_SBOX[s16]][rk[12]]
    t13 = X[INV_SBOX[s13]][rk[13]]
    t14 = X[INV_SBOX[s10]][rk[14]]
    t15 = X[INV_SBOX[s7]][rk[15]]
    t16 = X[INV_SBOX[s4]][rk[16]]
    return { t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, t11, t12, t13, t14, t15, t16 }
  end

  return cipher
end

if type(H) == "table" then H.aesBlockCipher = newBlockCipher end

return newBlockCipher(4, 44, false)
