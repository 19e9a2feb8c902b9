-- .crypto.cipher.mode.cbc: the cipher block chaining mode (NIST SP 800-38A 6.2), written for this
-- project from what the live module answers (tests/live_module/test_crypto_aes.py).
-- API as ecb.lua's (the object is private/mode.lua's, compiled as this module's): CBC.Cipher() /
-- CBC.Decipher() with setKey, setBlockCipher, setPadding, init, update, finish, getOutputQueue,
-- asHex, asBytes, asString.  Live's quirk kept: the first block through update is the IV (and
-- gives no output).
local H = ...
local Mode = H.private("harness.lib.crypto.mode@.crypto.cipher.mode.cbc")
local xor = Mode.xor

return {
  -- C_i = E(P_i xor C_{i-1})
  Cipher = Mode.new(true, function(cipher, key, iv, block)
    local out = cipher.encrypt(key, xor(iv, block))
    return out, out
  end),
  -- P_i = D(C_i) xor C_{i-1}
  Decipher = Mode.new(true, function(cipher, key, iv, block)
    return xor(iv, cipher.decrypt(key, block)), block
  end),
}
