-- .crypto.cipher.mode.ofb: the output feedback mode (NIST SP 800-38A 6.4), written for this
-- project from what the live module answers (tests/live_module/test_crypto_aes.py).  API as
-- ecb.lua's (the object is private/mode.lua's, compiled as this module's); Cipher and Decipher do
-- the same.  Live's quirk kept: the first block through update is the IV (and gives no output).
local H = ...
local Mode = H.private("harness.lib.crypto.mode@.crypto.cipher.mode.ofb")
local xor = Mode.xor

-- O_i = E(O_{i-1}), out_i = in_i xor O_i
local function step(cipher, key, iv, block)
  local stream = cipher.encrypt(key, iv)
  return xor(stream, block), stream
end

return {
  Cipher = Mode.new(true, step),
  Decipher = Mode.new(true, step),
}
