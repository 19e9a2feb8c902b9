-- .crypto.mac.hmac: HMAC (RFC 2104) over the library's streaming hashers, written for this
-- project from what the live module answers (tests/live_module/test_crypto_digest32.py asks it
-- the same questions).
--   HMAC() -> a MAC object: setBlockSize(bytes), setDigest(constructor), setKey(byteArray),
--   init(), update(stream), finish() return the object; asBytes/asHex/asString read the hasher.
--   hmac(dataStream, keyArray [, "sha1" | "sha256"]) -> a finished HMAC object (SHA-1 by
--   default); another name: "Unsupported algorithm: <name>".
-- Live's quirks kept: hmac() pads the key to a block of 32 bytes, not the hash's 64 (so its
-- answers are not RFC 2104's; a key longer than 32 bytes is hashed first); the key's length is
-- `#key` but its bytes are read up to the first nil (a string key reads as empty); finish
-- leaves the object's hasher open, so update and finish go on from it.
local Bit = require(".crypto.util.bit")
local Array = require(".crypto.util.array")
local Stream = require(".crypto.util.stream")
local SHA1 = require(".crypto.digest.sha1")
local SHA2_256 = require(".crypto.digest.sha2_256")
local XOR = Bit.bxor

local INNER, OUTER = 0x36, 0x5C
local ALGORITHMS = { sha1 = SHA1.SHA1, sha256 = SHA2_256.SHA2_256 }

local function HMAC()
  local mac = {}
  local blockSize = 64
  -- the hash's constructor and the object's own hasher (live's names: its errors show them)
  local Digest, digest
  local innerPad, outerPad = {}, {}

  function mac.setBlockSize(bytes)
    blockSize = bytes
    return mac
  end

  function mac.setDigest(constructor)
    Digest = constructor
    digest = Digest()
    return mac
  end

  -- the key (hashed first when longer than a block), zero-filled to a block, xor each pad
  function mac.setKey(key)
    if Digest == nil then error("Digest not set") end
    local keyBytes
    if Array.size(key) > blockSize then
      keyBytes = Stream.fromArray(Digest().update(Stream.fromArray(key)).finish().asBytes())
    else
      keyBytes = Stream.fromArray(key)
    end
    innerPad, outerPad = {}, {}
    for i = 1, blockSize do
      local b = keyBytes()
      if b == nil then b = 0 end -- (a false is kept, for XOR to refuse)
      outerPad[i] = XOR(OUTER, b)
      innerPad[i] = XOR(INNER, b)
    end
    return mac
  end

  -- H(key xor inner pad || message) ...
  function mac.init()
    digest.init().update(Stream.fromArray(innerPad))
    return mac
  end

  function mac.update(messageStream)
    digest.update(messageStream)
    return mac
  end

  -- ... then H(key xor outer pad || that inner hash)
  function mac.finish()
    local innerHash = digest.finish().asBytes()
    digest.init().update(Stream.fromArray(outerPad)).update(Stream.fromArray(innerHash)).finish()
    return mac
  end

  function mac.asBytes() return digest.asBytes() end
  function mac.asHex() return digest.asHex() end
  function mac.asString() return digest.asString() end

  return mac
end

local function hmac(data, key, algorithm)
  local Digest = SHA1.SHA1
  if algorithm ~= nil then
    Digest = ALGORITHMS[algorithm]
    if Digest == nil then error("Unsupported algorithm: " .. algorithm) end
  end
  return HMAC().setBlockSize(32).setDigest(Digest).setKey(key).init().update(data).finish()
end

return {
  hmac = hmac,
  HMAC = HMAC,
}
