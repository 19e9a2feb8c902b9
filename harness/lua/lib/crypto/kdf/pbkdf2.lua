-- .crypto.kdf.pbkdf2: PBKDF2 (RFC 8018) over the library's HMAC, written for this project from
-- what the live module answers (tests/live_module/test_crypto_digest32.py asks it the same
-- questions).
--   PBKDF2() -> a KDF object: setPRF(hmacObject), setBlockLen(n), setDKeyLen(n),
--   setIterations(n), setSalt(byteArray), setPassword(byteArray), finish() return the object;
--   asBytes() (the key's own table), asHex() (capitals), asString() read the key.
--   pbkdf2(password, salt, iterations, keyLen [, "sha1" | "sha256"]) -> a finished PBKDF2
--   object, the PRF HMAC-SHA-1 (default) or HMAC-SHA-256 over 64-byte blocks; another name:
--   "Unsupported algorithm: <name>".
-- Live's quirks kept: finish computes ceil(keyLen / blockLen) blocks of the PRF's output and
-- cuts their concatenation to keyLen (blockLen defaults to 16, keyLen to 256, iterations to
-- 4096); zero iterations make every block empty.  pbkdf2() sets blockLen to the PRF's output
-- length where live sets 16: the key is the same, with fewer blocks computed and cut away.
local Array = require(".crypto.util.array")
local Stream = require(".crypto.util.stream")
local HMAC = require(".crypto.mac.hmac")
local SHA1 = require(".crypto.digest.sha1")
local SHA2_256 = require(".crypto.digest.sha2_256")
local floor, ceil = math.floor, math.ceil

-- each name's hasher constructor and its output length
local ALGORITHMS = {
  sha1 = { SHA1.SHA1, 20 },
  sha256 = { SHA2_256.SHA2_256, 32 },
}

-- INT(i): the block number as four big-endian bytes
local function blockNumber(i)
  return { floor(i / 16777216) % 256, floor(i / 65536) % 256, floor(i / 256) % 256, i % 256 }
end

local function PBKDF2()
  local kdf = {}
  local blockLen, dKeyLen, iterations = 16, 256, 4096
  local salt, password, PRF, dKey

  function kdf.setBlockLen(len)
    blockLen = len
    return kdf
  end
  function kdf.setDKeyLen(len)
    dKeyLen = len
    return kdf
  end
  function kdf.setIterations(iter)
    iterations = iter
    return kdf
  end
  function kdf.setSalt(saltBytes)
    salt = saltBytes
    return kdf
  end
  function kdf.setPassword(passwordBytes)
    password = passwordBytes
    return kdf
  end
  function kdf.setPRF(prf)
    PRF = prf
    return kdf
  end

  -- T_i = U_1 xor U_2 xor ... xor U_c, where U_1 = PRF(password, salt || INT(i)) and
  -- U_j = PRF(password, U_(j-1))
  local function block(i)
    local u = Array.concat(salt, blockNumber(i))
    local t = {}
    PRF.setKey(password)
    for j = 1, iterations do
      u = PRF.init().update(Stream.fromArray(u)).finish().asBytes()
      if j == 1 then
        t = u
      else
        t = Array.XOR(t, u)
      end
    end
    return t
  end

  function kdf.finish()
    local count = ceil(dKeyLen / blockLen)
    dKey = {}
    for i = 1, count do dKey = Array.concat(dKey, block(i)) end
    if Array.size(dKey) > dKeyLen then dKey = Array.truncate(dKey, dKeyLen) end
    return kdf
  end

  function kdf.asBytes() return dKey end
  function kdf.asHex() return Array.toHex(dKey) end
  function kdf.asString() return Array.toString(dKey) end

  return kdf
end

local function pbkdf2(password, salt, iterations, keyLen, digest)
  local algorithm = ALGORITHMS.sha1
  if digest ~= nil then
    algorithm = ALGORITHMS[digest]
    if algorithm == nil then error("Unsupported algorithm: " .. digest) end
  end
  local prf = HMAC.HMAC().setBlockSize(64).setDigest(algorithm[1])
  return PBKDF2()
    .setPRF(prf)
    .setBlockLen(algorithm[2])
    .setDKeyLen(keyLen)
    .setIterations(iterations)
    .setSalt(salt)
    .setPassword(password)
    .finish()
end

return {
  pbkdf2 = pbkdf2,
  PBKDF2 = PBKDF2,
}
