-- .crypto.cipher.aes192: the AES block cipher with a 24-byte key (FIPS-197), written for this
-- project from what the live module answers (tests/live_module/test_crypto_aes.py).
-- API: { blockSize = 16, encrypt(key, block), decrypt(key, block) }, as aes128.lua's; the cipher
-- is private/blockcipher.lua's (compiled as this module's) over the engine in private/aes.lua.
-- Live's quirks kept: the key is copied first (a key that is not a table fails in `pairs`), then
-- expanded to 54 words on every call; otherwise as aes128.lua's.
local H = ...
local newBlockCipher = H.private("harness.lib.crypto.blockcipher@.crypto.cipher.aes192")

return newBlockCipher(6, 54, true)
