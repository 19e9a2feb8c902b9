-- .crypto.digest.sha2_256: SHA-256 (FIPS 180-4), written for this project from what the live
-- module answers (tests/live_module/test_crypto_digest32.py asks it the same questions).
--   sha2_256(stream) -> a hasher that has taken the stream's bytes and finished;
--   SHA2_256() -> a fresh hasher: init(), update(stream) and finish() return the hasher itself,
--   asBytes() (32 numbers), asHex() (lowercase) and asString() read its current state.
-- Live's quirks kept: a hasher is not closed by finish: update and finish go on from the state
-- finish left, and the length that finish appends counts every byte taken since init, padding
-- included.  A stream value that is not a byte is folded into its word as live's bit32 chain
-- does (LSHIFT, then OR), so a wrong one raises the error live raises there.
-- The hasher (block feeding, padding, output) is private/hasher.lua's, compiled as this module's;
-- the constants are SHA-2's (private/sha2.lua: SHA-512's high halves are SHA-256's words).
local H = ...
local Bit = require(".crypto.util.bit")
local D = H.private("harness.lib.crypto.digest32")
local SHA2 = H.private("harness.lib.crypto.sha2")
local Hasher = H.private("harness.lib.crypto.hasher@.crypto.digest.sha2_256")
local AND, XOR = Bit.band, Bit.bxor
local MOD, ONES, rotr, shr = D.MOD, D.ONES, D.rotr, D.shr

local INITIAL, K = SHA2.IV_HI, SHA2.K_HI -- (K: its first 64 words)

-- one block, its words in w[0..15], into the eight-word state h
local function compress(h, w)
  for i = 16, 63 do
    local x, y = w[i - 15], w[i - 2]
    local s0 = XOR(rotr(x, 7), rotr(x, 18), shr(x, 3))
    local s1 = XOR(rotr(y, 17), rotr(y, 19), shr(y, 10))
    w[i] = (w[i - 16] + s0 + w[i - 7] + s1) % MOD
  end
  local a, b, c, d, e, f, g, hh = h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8]
  for i = 0, 63 do
    local sum1 = XOR(rotr(e, 6), rotr(e, 11), rotr(e, 25))
    local choose = AND(e, f) + AND(ONES - e, g) -- (no bit in common)
    local t1 = hh + sum1 + choose + K[i + 1] + w[i]
    local sum0 = XOR(rotr(a, 2), rotr(a, 13), rotr(a, 22))
    local majority = AND(a, b) + AND(c, XOR(a, b)) -- (no bit in common)
    hh, g, f, e, d, c, b, a = g, f, e, (d + t1) % MOD, c, b, a, (t1 + sum0 + majority) % MOD
  end
  h[1], h[2], h[3], h[4] = (h[1] + a) % MOD, (h[2] + b) % MOD, (h[3] + c) % MOD, (h[4] + d) % MOD
  h[5], h[6], h[7], h[8] = (h[5] + e) % MOD, (h[6] + f) % MOD, (h[7] + g) % MOD, (h[8] + hh) % MOD
end

local function SHA2_256()
  return Hasher.new(INITIAL, compress, true)
end

local function sha2_256(stream)
  return SHA2_256().update(stream).finish()
end

return {
  sha2_256 = sha2_256,
  SHA2_256 = SHA2_256,
}
