-- .crypto.cipher.aes192: the AES block cipher with a 24-byte key (FIPS-197), written for this
-- project from what the live module answers (tests/live_module/test_crypto_aes.py).
-- API: { blockSize = 16, encrypt(key, block), decrypt(key, block) }, as aes128.lua, whose engine
-- it uses (handed over in the harness's private table).  Live's quirks kept: the key is copied
-- first (a key that is not a table fails in `pairs`), then expanded to 54 words on every call.
local H = ...
require(".crypto.cipher.aes128")

return H.aesBlockCipher(6, 54, true)
