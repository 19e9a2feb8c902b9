-- harness.lib.crypto.aes: the AES engine (FIPS-197) on blocks of bytes, for
-- private/blockcipher.lua's ciphers (aes128, aes192, aes256), written for this project from what
-- the live module answers; a private part of the crypto library (bridge/modules.lua's H.private),
-- which live has no module for.  Nothing here raises an error on a caller's value: the ciphers
-- check keys and blocks first and keep live's errors in their own chunks.
--   tables() -> { X, SBOX, INV_SBOX, EXP, LOG }: the byte tables, built at the first call (about
--   30,000 VM instructions, after private/bytexor.lua's xor table): X[a][b] = a xor b; the S-box
--   and its inverse; EXP/LOG for multiplication in GF(2^8); also, kept here, the S-box folded
--   into MixColumns' multipliers (E1/E2/E3 = 1/2/3 * S[x]) and into InvMixColumns' (D9..D14 with
--   S^-1).  The functions below need them built.
--   xtime(a): a times x (that is, 2) in GF(2^8);
--   invMixColumns(roundKey) -> InvMixColumns of a round key (16 bytes), as a new array;
--   isBlock(v): v is a table holding exactly 16 bytes at 1..16, without a metatable;
--   holdsBytes(state): state[1..16] are bytes;
--   encrypt(k, rounds, block, k0), decrypt(k, rounds, block, k0) -> a new array of 16 bytes: the
--   cipher (the equivalent inverse cipher, FIPS-197 5.3.5) of a block of 16 bytes, with round keys
--   k[1..rounds] and k0 for the first AddRoundKey (the decryption ones in the order used, the
--   middle ones through InvMixColumns); one loop serves both directions.
local H = ...
local ByteXor = H.private("harness.lib.crypto.bytexor")
local type, next, getmetatable = type, next, getmetatable

local X, SBOX, INV_SBOX, EXP, LOG
local E1, E2, E3, D9, D11, D13, D14

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

local TABLES
local function tables()
  if TABLES then return TABLES end
  X = ByteXor.bytes()
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
  TABLES = { X = X, SBOX = SBOX, INV_SBOX = INV_SBOX, EXP = EXP, LOG = LOG }
  return TABLES
end

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

local function holdsBytes(state)
  for i = 1, 16 do
    if SBOX[state[i]] == nil then return false end
  end
  return true
end

local function isBlock(block)
  if type(block) ~= "table" or getmetatable(block) ~= nil then return false end
  local n = 0
  for _ in next, block do n = n + 1 end
  return n == 16 and holdsBytes(block)
end

-- The cipher in either direction: the first AddRoundKey gives the state t1..t16 (column by
-- column); then each round: (Inv)ShiftRows, SubBytes and (Inv)MixColumns in one step per byte
-- (M0..M3 are the (inverse) S-box folded into the multipliers of a column's four bytes, a
-- circulant matrix: E2, E3, E1, E1 encrypting; D14, D11, D13, D9 decrypting), AddRoundKey; the
-- last round without MixColumns.
local function run(k, rounds, b, k0, M0, M1, M2, M3, sbox, inverse)
  local X = X
  local t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, t11, t12, t13, t14, t15, t16 =
    X[b[1]][k0[1]], X[b[2]][k0[2]], X[b[3]][k0[3]], X[b[4]][k0[4]],
    X[b[5]][k0[5]], X[b[6]][k0[6]], X[b[7]][k0[7]], X[b[8]][k0[8]],
    X[b[9]][k0[9]], X[b[10]][k0[10]], X[b[11]][k0[11]], X[b[12]][k0[12]],
    X[b[13]][k0[13]], X[b[14]][k0[14]], X[b[15]][k0[15]], X[b[16]][k0[16]]
  local s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11, s12, s13, s14, s15, s16
  for round = 1, rounds do
    -- row r moves r columns left (right when inverse): column c's bytes at s[4c + 1 .. 4c + 4]
    if inverse then
      s1, s2, s3, s4, s5, s6, s7, s8 = t1, t14, t11, t8, t5, t2, t15, t12
      s9, s10, s11, s12, s13, s14, s15, s16 = t9, t6, t3, t16, t13, t10, t7, t4
    else
      s1, s2, s3, s4, s5, s6, s7, s8 = t1, t6, t11, t16, t5, t10, t15, t4
      s9, s10, s11, s12, s13, s14, s15, s16 = t9, t14, t3, t8, t13, t2, t7, t12
    end
    local rk = k[round]
    if round == rounds then
      return {
        X[sbox[s1]][rk[1]], X[sbox[s2]][rk[2]], X[sbox[s3]][rk[3]], X[sbox[s4]][rk[4]],
        X[sbox[s5]][rk[5]], X[sbox[s6]][rk[6]], X[sbox[s7]][rk[7]], X[sbox[s8]][rk[8]],
        X[sbox[s9]][rk[9]], X[sbox[s10]][rk[10]], X[sbox[s11]][rk[11]], X[sbox[s12]][rk[12]],
        X[sbox[s13]][rk[13]], X[sbox[s14]][rk[14]], X[sbox[s15]][rk[15]], X[sbox[s16]][rk[16]],
      }
    end
    t1 = X[X[M0[s1]][M1[s2]]][X[X[M2[s3]][M3[s4]]][rk[1]]]
    t2 = X[X[M3[s1]][M0[s2]]][X[X[M1[s3]][M2[s4]]][rk[2]]]
    t3 = X[X[M2[s1]][M3[s2]]][X[X[M0[s3]][M1[s4]]][rk[3]]]
    t4 = X[X[M1[s1]][M2[s2]]][X[X[M3[s3]][M0[s4]]][rk[4]]]
    t5 = X[X[M0[s5]][M1[s6]]][X[X[M2[s7]][M3[s8]]][rk[5]]]
    t6 = X[X[M3[s5]][M0[s6]]][X[X[M1[s7]][M2[s8]]][rk[6]]]
    t7 = X[X[M2[s5]][M3[s6]]][X[X[M0[s7]][M1[s8]]][rk[7]]]
    t8 = X[X[M1[s5]][M2[s6]]][X[X[M3[s7]][M0[s8]]][rk[8]]]
    t9 = X[X[M0[s9]][M1[s10]]][X[X[M2[s11]][M3[s12]]][rk[9]]]
    t10 = X[X[M3[s9]][M0[s10]]][X[X[M1[s11]][M2[s12]]][rk[10]]]
    t11 = X[X[M2[s9]][M3[s10]]][X[X[M0[s11]][M1[s12]]][rk[11]]]
    t12 = X[X[M1[s9]][M2[s10]]][X[X[M3[s11]][M0[s12]]][rk[12]]]
    t13 = X[X[M0[s13]][M1[s14]]][X[X[M2[s15]][M3[s16]]][rk[13]]]
    t14 = X[X[M3[s13]][M0[s14]]][X[X[M1[s15]][M2[s16]]][rk[14]]]
    t15 = X[X[M2[s13]][M3[s14]]][X[X[M0[s15]][M1[s16]]][rk[15]]]
    t16 = X[X[M1[s13]][M2[s14]]][X[X[M3[s15]][M0[s16]]][rk[16]]]
  end
end

local function encrypt(k, rounds, block, k0)
  return run(k, rounds, block, k0, E2, E3, E1, E1, SBOX, false)
end

-- (FIPS-197 5.3.5's equivalent inverse cipher: the middle round keys went through InvMixColumns)
local function decrypt(k, rounds, block, k0)
  return run(k, rounds, block, k0, D14, D11, D13, D9, INV_SBOX, true)
end

return {
  tables = tables,
  xtime = xtime,
  invMixColumns = invMixColumns,
  isBlock = isBlock,
  holdsBytes = holdsBytes,
  encrypt = encrypt,
  decrypt = decrypt,
}
