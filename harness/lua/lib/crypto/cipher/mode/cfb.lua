-- .crypto.cipher.mode.cfb: the cipher feedback mode over whole blocks (NIST SP 800-38A 6.3 with
-- s = the block size), written for this project from what the live module answers
-- (tests/live_module/test_crypto_aes.py).  API as ecb.lua's (the object is private/mode.lua's,
-- compiled as this module's).  Live's quirk kept: the first block through update is the IV (and
-- gives no output).
local H = ...
local Mode = H.private("harness.lib.crypto.mode@.crypto.cipher.mode.cfb")
local xor = Mode.xor

return {
  -- C_i = P_i xor E(C_{i-1})
  Cipher = Mode.new(true, function(cipher, key, iv, block)
    local out = xor(cipher.encrypt(key, iv), block)
    return out, out
  end),
  -- P_i = C_i xor E(C_{i-1})
  Decipher = Mode.new(true, function(cipher, key, iv, block)
    return xor(cipher.encrypt(key, iv), block), block
  end),
}
