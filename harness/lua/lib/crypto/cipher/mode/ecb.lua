-- .crypto.cipher.mode.ecb: the electronic codebook mode, written for this project from what the
-- live module answers (tests/live_module/test_crypto_aes.py).  API: ECB.Cipher() and
-- ECB.Decipher() make an object whose setters chain: .setKey(bytes).setBlockCipher(cipher)
-- .setPadding(padding), then .init().update(stream)...finish(), and asHex/asBytes/asString drain
-- the output (getOutputQueue gives it as a queue).
-- The object is private/mode.lua's, compiled as this module's; its header lists live's quirks
-- kept (update works on each full block of the block cipher's blockSize, finish feeds the
-- padding through update, the asX functions drain the output, errors name live's variables).
local H = ...
local Mode = H.private("harness.lib.crypto.mode@.crypto.cipher.mode.ecb")

return {
  Cipher = Mode.new(false, function(cipher, key, _, block)
    return cipher.encrypt(key, block)
  end),
  Decipher = Mode.new(false, function(cipher, key, _, block)
    return cipher.decrypt(key, block)
  end),
}
