-- .crypto.digest.sha3: SHA3-256 and SHA3-512 (FIPS 202) and Keccak-256/512 (the padding before
-- FIPS 202, as Ethereum uses), written for this project from what the live module answers.  The
-- module is { sha3_256, sha3_512, keccak256, keccak512 }; each takes a string and returns an
-- object with asString() (the digest) and asHex() (lowercase digits), nothing else.
-- Live's quirks kept:
--   * the padding: the domain byte (0x06 for SHA-3, 0x01 for Keccak), then rate - (len + 1) % rate
--     zero bytes, the last of them turned into 0x80.  So a text one byte short of a whole number
--     of blocks (135 bytes modulo 136 for the 256-bit hashes, 71 modulo 72 for the 512-bit ones)
--     gets a whole extra block where the standard puts one byte (0x86 or 0x81), and its digest is
--     not the standard's; every other length hashes as the standard says.
--   * a text that is not a string fails with Lua's own error on the local `buffer` (its length,
--     or for a table its concatenation).
-- Each 64-bit lane is a (hi, lo) pair of unsigned 32-bit numbers (private/word64.lua): rotations
-- by arithmetic (exact in doubles), xor/and through .crypto.util.bit.
local H = ...
local Bit = require(".crypto.util.bit")
local Hex = require(".crypto.util.hex")
local W64 = H.private("harness.lib.crypto.word64")
local band, bxor = Bit.band, Bit.bxor
local rep, concat = string.rep, table.concat
local ONES, xorLE, stringLE = W64.ONES, W64.xorLE, W64.stringLE

-- The round constants of iota, from the LFSR x^8 + x^6 + x^5 + x^4 + 1 (FIPS 202, 3.2.5): round i
-- takes the LFSR's outputs 7i .. 7i + 6 as its bits 0, 1, 3, 7, 15, 31, 63.
local RC_HI, RC_LO = {}, {}
do
  local lfsr = 1
  for round = 1, 24 do
    local hi, lo = 0, 0
    for j = 0, 6 do
      if lfsr % 2 == 1 then
        local position = 2 ^ j - 1
        if position >= 32 then hi = hi + 2 ^ (position - 32) else lo = lo + 2 ^ position end
      end
      lfsr = lfsr * 2
      if lfsr >= 256 then lfsr = bxor(lfsr - 256, 0x71) end
    end
    RC_HI[round], RC_LO[round] = hi, lo
  end
end

-- Lanes are numbered x + 5y + 1.  rho and pi together move lane (x, y), rotated left by its
-- offset, to lane (y, 2x + 3y): MOVE_TO[lane] is that lane, and a rotation by r is done on the
-- halves swapped when r >= 32 (SWAP), as (w mod 2^(32 - r')) * 2^r' + floor(w / 2^(32 - r'))
-- with r' = r mod 32 (UP = 2^r', DOWN = 2^(32 - r')).
local MOVE_TO, SWAP, UP, DOWN = {}, {}, {}, {}
do
  local offset = { [1] = 0 } -- lane -> rotation (FIPS 202, 3.2.2)
  local x, y = 1, 0
  for t = 0, 23 do
    offset[x + 5 * y + 1] = ((t + 1) * (t + 2) / 2) % 64
    x, y = y, (2 * x + 3 * y) % 5
  end
  for lane = 1, 25 do
    local lx, ly = (lane - 1) % 5, ((lane - 1) - (lane - 1) % 5) / 5
    MOVE_TO[lane] = ly + 5 * ((2 * lx + 3 * ly) % 5) + 1
    local r = offset[lane]
    SWAP[lane] = r >= 32
    r = r % 32
    UP[lane], DOWN[lane] = 2 ^ r, 2 ^ (32 - r)
  end
end

-- for the five columns x: the columns x - 1 and x + 1
local LEFT, RIGHT = { 5, 1, 2, 3, 4 }, { 2, 3, 4, 5, 1 }

-- scratch rows, reused: column parities, theta's flips, the rotated lanes
local C_HI, C_LO, D_HI, D_LO, B_HI, B_LO = {}, {}, {}, {}, {}, {}

-- Keccak-f[1600] on the state (sh[1..25] high halves, sl[1..25] low).
local function permute(sh, sl)
  for round = 1, 24 do
    -- theta: every lane takes the parity of the column to its left and of the one to its right
    -- rotated by one
    for x = 1, 5 do
      C_HI[x] = bxor(sh[x], sh[x + 5], sh[x + 10], sh[x + 15], sh[x + 20])
      C_LO[x] = bxor(sl[x], sl[x + 5], sl[x + 10], sl[x + 15], sl[x + 20])
    end
    for x = 1, 5 do
      local ph, pl = C_HI[RIGHT[x]], C_LO[RIGHT[x]]
      local topH, topL = ph % 2147483648, pl % 2147483648
      D_HI[x] = bxor(C_HI[LEFT[x]], topH * 2 + (pl - topL) / 2147483648)
      D_LO[x] = bxor(C_LO[LEFT[x]], topL * 2 + (ph - topH) / 2147483648)
    end
    -- theta's flip, then rho and pi
    for lane = 1, 25 do
      local x = (lane - 1) % 5 + 1
      local hi, lo = bxor(sh[lane], D_HI[x]), bxor(sl[lane], D_LO[x])
      if SWAP[lane] then hi, lo = lo, hi end
      local up, down = UP[lane], DOWN[lane]
      local hiLow, loLow = hi % down, lo % down
      local to = MOVE_TO[lane]
      B_HI[to] = hiLow * up + (lo - loLow) / down
      B_LO[to] = loLow * up + (hi - hiLow) / down
    end
    -- chi: a lane xor (not its right neighbour and the one after)
    for row = 0, 20, 5 do
      for x = 1, 5 do
        local lane, next1, next2 = row + x, row + RIGHT[x], row + RIGHT[RIGHT[x]]
        sh[lane] = bxor(B_HI[lane], band(ONES - B_HI[next1], B_HI[next2]))
        sl[lane] = bxor(B_LO[lane], band(ONES - B_LO[next1], B_LO[next2]))
      end
    end
    -- iota
    sh[1], sl[1] = bxor(sh[1], RC_HI[round]), bxor(sl[1], RC_LO[round])
  end
end

-- The sponge: rate and digest size in bytes, the domain byte of the padding.
local function keccakHash(rate, size, domain, buffer)
  local total = #buffer + 1
  local padded = buffer .. domain .. rep("\0", rate - total % rate - 1) .. "\128"
  local sh, sl = {}, {}
  for lane = 1, 25 do sh[lane], sl[lane] = 0, 0 end
  for block = 1, #padded, rate do
    xorLE(padded, block, rate / 8, sh, sl)
    permute(sh, sl)
  end
  local parts = {}
  for lane = 1, size / 8 do parts[lane] = stringLE(sh[lane], sl[lane]) end
  local digest = concat(parts)
  local public = {}
  function public.asString() return digest end
  function public.asHex() return Hex.stringToHex(digest) end
  return public
end

return {
  sha3_256 = function(data) return keccakHash(136, 32, "\6", data) end,
  sha3_512 = function(data) return keccakHash(72, 64, "\6", data) end,
  keccak256 = function(data) return keccakHash(136, 32, "\1", data) end,
  keccak512 = function(data) return keccakHash(72, 64, "\1", data) end,
}
