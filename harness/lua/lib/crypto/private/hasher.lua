-- harness.lib.crypto.hasher: the streaming hasher of the Merkle-Damgard digests on 32-bit words
-- (md4, md5, sha1, sha2_256), written for this project from what the live module answers; a
-- private part of the crypto library (bridge/modules.lua's H.private), compiled once for each of
-- those modules under a chunk name shown as the module's own (harness/chunks.py,
-- PER_MODULE_PARTS): it calls the caller's stream and reads its values, so an error it raises
-- names the module, as live's, which holds its own copy of this code, does.
--   new(initial, compress, bigEndian) -> a hasher over the state words `initial` (copied):
--   init(), update(stream) and finish() return the hasher itself, asBytes() (4 bytes a state
--   word), asHex() (lowercase) and asString() read its current state.  compress(h, W) mixes one
--   block, its sixteen words in W[0..15] (W is scratch, which compress may extend), into h.
--   digest(stream, initial, compress, bigEndian) -> { asBytes, asHex, asString } of the stream's
--   bytes, hashed when it is called.
-- Live's quirks kept: a hasher is not closed by finish: update and finish go on from the state
-- finish left, and the length that finish appends (64 bits, in the hash's byte order) counts
-- every byte taken since init, padding included.  A stream value that is not a byte is folded
-- into its word as live's bit32 chain does (LSHIFT, then OR, from the most significant byte), so
-- a wrong one raises the error live raises there.
local H = ...
local Bit = require(".crypto.util.bit")
local D = H.private("harness.lib.crypto.digest32")
local OR, LSHIFT = Bit.bor, Bit.lshift
local floor = math.floor
local MOD, BYTE, digestObject = D.MOD, D.BYTE, D.digestObject

-- The sixteen words of a 64-byte block (block[1..64]) into W[0..15]; a word's bytes, most
-- significant first, at offsets o1..o4 (1, 2, 3, 4 big-endian; 4, 3, 2, 1 little-endian):
-- arithmetic for bytes, else live's chain of bit32 calls.
local function readWords(block, W, o1, o2, o3, o4)
  for i = 0, 15 do
    local j = 4 * i
    local b0, b1, b2, b3 = block[j + o1], block[j + o2], block[j + o3], block[j + o4]
    local v0, v1, v2, v3 = BYTE[b0], BYTE[b1], BYTE[b2], BYTE[b3]
    if v0 and v1 and v2 and v3 then
      W[i] = ((v0 * 256 + v1) * 256 + v2) * 256 + v3
    else
      W[i] = OR(LSHIFT(OR(LSHIFT(OR(LSHIFT(b0, 8), b1), 8), b2), 8), b3)
    end
  end
end

-- the four bytes of the word x into out[at..at + 3], most significant first (BE) or last (LE)
local function putBE(out, at, x)
  out[at], out[at + 1] = floor(x / 16777216), floor(x / 65536) % 256
  out[at + 2], out[at + 3] = floor(x / 256) % 256, x % 256
end

local function putLE(out, at, x)
  out[at], out[at + 1] = x % 256, floor(x / 256) % 256
  out[at + 2], out[at + 3] = floor(x / 65536) % 256, floor(x / 16777216)
end

local W = {} -- the block's words, reused block after block

local function new(initial, compress, bigEndian)
  local size = #initial
  local o1, o2, o3, o4, put = 4, 3, 2, 1, putLE
  if bigEndian then o1, o2, o3, o4, put = 1, 2, 3, 4, putBE end
  local h = {}
  for i = 1, size do h[i] = initial[i] end
  local block, filled = {}, 0
  local taken = 0 -- bytes taken since init, padding included

  -- a full block into the state
  local function mix()
    filled = 0
    readWords(block, W, o1, o2, o3, o4)
    compress(h, W)
  end

  local function take(b)
    filled = filled + 1
    block[filled] = b
    taken = taken + 1
    if filled == 64 then mix() end
  end

  local hasher = digestObject(function()
    local out = {}
    for i = 1, size do put(out, 4 * i - 3, h[i]) end
    return out
  end, 4 * size)

  function hasher.init()
    for i = 1, size do h[i] = initial[i] end
    filled, taken = 0, 0
    return hasher
  end

  function hasher.update(bytes)
    for b in bytes do -- (take's steps inline: they run for every byte)
      filled = filled + 1
      block[filled] = b
      taken = taken + 1
      if filled == 64 then mix() end
    end
    return hasher
  end

  -- padding: 0x80, zeros up to 56 bytes into a block, the bit count as eight bytes
  function hasher.finish()
    local bits = taken * 8
    local high, low, length = floor(bits / MOD) % MOD, bits % MOD, {}
    if bigEndian then
      put(length, 1, high)
      put(length, 5, low)
    else
      put(length, 1, low)
      put(length, 5, high)
    end
    take(0x80)
    while filled ~= 56 do take(0) end
    for i = 1, 8 do take(length[i]) end
    return hasher
  end

  return hasher
end

-- the finished digest of a stream's bytes, as an object with asBytes, asHex and asString only
local function digest(stream, initial, compress, bigEndian)
  local hasher = new(initial, compress, bigEndian).update(stream).finish()
  return { asBytes = hasher.asBytes, asHex = hasher.asHex, asString = hasher.asString }
end

return {
  new = new,
  digest = digest,
}
