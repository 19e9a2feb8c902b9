-- .crypto.cipher.aes128: the AES block cipher with a 16-byte key (FIPS-197), written for this
-- project from what the live module answers (tests/live_module/test_crypto_aes.py).
-- API: { blockSize = 16, encrypt(key, block), decrypt(key, block) }: key and block are arrays of
-- bytes at 1, 2, ...; the answer is a new array of 16 bytes.
-- The cipher is private/blockcipher.lua's (compiled as this module's) over the engine in
-- private/aes.lua, which aes192 and aes256 share.
-- Live's quirks kept: the key is expanded on every call, so a key that is too short or holds a
-- non-byte fails only when a block is enciphered, in bit32's words for the local `XOR` ("bad
-- argument #1 to 'XOR' (number expected, got nil)"); key bytes past the 16th are ignored; a
-- block that is not 16 bytes fails as live's does, in its first AddRoundKey (bit32's words) or
-- in its first MixColumns ("attempt to perform arithmetic on a nil value (local 'LA')").
local H = ...
local newBlockCipher = H.private("harness.lib.crypto.blockcipher@.crypto.cipher.aes128")

return newBlockCipher(4, 44, false)
