-- .crypto.digest.md2: MD2 (RFC 1319), written for this project from what the live module answers
-- (tests/live_module/test_crypto_digest32.py asks it the same questions).
--   md2(stream) -> { asBytes() (16 numbers), asHex() (lowercase), asString() }, the stream's
--   bytes hashed when it is called.
-- Live's quirks kept: the stream's values go into the state as they are and meet bit32's XOR
-- first when the block is mixed in, then in the rounds, then in the checksum, as on live: a
-- value that is no number is refused by XOR, one out of 0-255 makes a table look-up fail, which
-- XOR refuses too.
-- The byte xor table is private/bytexor.lua's, the result object private/digest32.lua's.
local H = ...
local Bit = require(".crypto.util.bit")
local D = H.private("harness.lib.crypto.digest32")
local ByteXor = H.private("harness.lib.crypto.bytexor")
local XOR = Bit.bxor
local BYTE = D.BYTE

-- the RFC's permutation of 0-255, built from the digits of pi (0-based)
local PI_SUBST = {}
for i, v in ipairs({
   41,  46,  67, 201, 162, 216, 124,   1,  61,  54,  84, 161, 236, 240,   6,  19,
   98, 167,   5, 243, 192, 199, 115, 140, 152, 147,  43, 217, 188,  76, 130, 202,
   30, 155,  87,  60, 253, 212, 224,  22, 103,  66, 111,  24, 138,  23, 229,  18,
  190,  78, 196, 214, 218, 158, 222,  73, 160, 251, 245, 142, 187,  47, 238, 122,
  169, 104, 121, 145,  21, 178,   7,  63, 148, 194,  16, 137,  11,  34,  95,  33,
  128, 127,  93, 154,  90, 144,  50,  39,  53,  62, 204, 231, 191, 247, 151,   3,
  255,  25,  48, 179,  72, 165, 181, 209, 215,  94, 146,  42, 172,  86, 170, 198,
   79, 184,  56, 210, 150, 164, 125, 182, 118, 252, 107, 226, 156, 116,   4, 241,
   69, 157, 112,  89, 100, 113, 135,  32, 134,  91, 207, 101, 230,  45, 168,   2,
   27,  96,  37, 173, 174, 176, 185, 246,  28,  70,  97, 105,  52,  64, 126,  15,
   85,  71, 163,  35, 221,  81, 175,  58, 195,  92, 249, 206, 186, 197, 234,  38,
   44,  83,  13, 110, 133,  40, 132,   9, 211, 223, 205, 244,  65, 129,  77,  82,
  106, 220,  55, 200, 108, 193, 171, 250,  36, 225, 123,   8,  12, 189, 177,  74,
  120, 136, 149, 139, 227,  99, 232, 109, 233, 203, 213, 254,  59,   0,  29,  57,
  242, 239, 183,  14, 102,  88, 208, 228, 166, 119, 114, 248, 235, 117,  75,  10,
   49,  68,  80, 180, 143, 237,  31,  26, 219, 153, 141,  51, 159,  17, 131,  20
}) do
  PI_SUBST[i - 1] = v
end

-- XOR_BYTES[a][b] = a xor b for bytes (private/bytexor.lua's table, taken at the first MD2)
local XOR_BYTES

-- One block (block[0..15]) into the state X (48 bytes) and the checksum (16), as the RFC says:
-- the block and the block xor the state go after the state, eighteen rounds of substitution run
-- over the 48 bytes, and the checksum takes the block in.  Bytes go through the table; any
-- other value takes the same steps with XOR itself, which meets it in the order live's does.
local function compressBytes(X, checksum, block)
  local xor = XOR_BYTES
  for i = 0, 15 do
    local b = BYTE[block[i]]
    X[16 + i] = b
    X[32 + i] = xor[X[i]][b]
  end
  local t = 0
  for round = 0, 17 do
    for k = 0, 47 do
      t = xor[X[k]][PI_SUBST[t]]
      X[k] = t
    end
    t = (t + round) % 256
  end
  local last = checksum[15]
  for i = 0, 15 do
    last = xor[checksum[i]][PI_SUBST[xor[BYTE[block[i]]][last]]]
    checksum[i] = last
  end
end

local function compressValues(X, checksum, block)
  for i = 0, 15 do
    X[16 + i] = block[i]
    X[32 + i] = XOR(X[i], block[i])
  end
  local t = 0
  for round = 0, 17 do
    for k = 0, 47 do
      X[k] = XOR(X[k], PI_SUBST[t])
      t = X[k]
    end
    t = (t + round) % 256
  end
  local last = checksum[15]
  for i = 0, 15 do
    checksum[i] = XOR(checksum[i], PI_SUBST[XOR(block[i], last)])
    last = checksum[i]
  end
end

local function MD2(stream)
  XOR_BYTES = XOR_BYTES or ByteXor.bytes()
  local X = {} -- the 48-byte state (0-based); the digest is its first 16 bytes
  for i = 0, 47 do X[i] = 0 end
  local checksum = {} -- (0-based)
  for i = 0, 15 do checksum[i] = 0 end
  local block, filled = {}, 0 -- (0-based)

  local function compress()
    filled = 0
    for i = 0, 15 do
      if BYTE[block[i]] == nil then return compressValues(X, checksum, block) end
    end
    compressBytes(X, checksum, block)
  end

  local function take(b)
    block[filled] = b
    filled = filled + 1
    if filled == 16 then compress() end
  end

  for b in stream do take(b) end
  -- padding: n bytes of value n fill the last block (a whole block of 16s if none is begun)
  local n = 16 - filled
  for _ = 1, n do take(n) end
  -- then the checksum is hashed as a block of its own
  local sum = {}
  for i = 0, 15 do sum[i] = checksum[i] end
  for i = 0, 15 do take(sum[i]) end

  return D.digestObject(function()
    local out = {}
    for i = 0, 15 do out[i + 1] = X[i] end
    return out
  end, 16)
end

return MD2
