-- .crypto.cipher.aes: AES encryption of strings, written for this project from what the live
-- module answers (tests/live_module/test_crypto_aes.py).
-- API: encrypt(data, key[, iv[, mode[, keyLength]]]) and decrypt(hexCipher, key[, iv[, mode[,
-- keyLength]]]) return { asBytes, asHex, asString }; mode "CBC" (the default), "ECB", "CFB",
-- "OFB" or "CTR"; keyLength 128 (the default), 192 or 256; iv a string (16 zero bytes if nil).
-- Live's quirks kept: a mode or key length it does not know is CBC or 128, without a word (so
-- "ecb" is CBC, "256" is 128); the key is not checked: its first 16/24/32 bytes are used and a
-- shorter key fails in the key schedule (bit32's "bad argument #1 (or #2) to 'XOR'"), but only
-- if there is a block to encipher; the IV is simply the first 16 bytes of iv .. data (a longer
-- IV spills into the data, a shorter one borrows from it), and in ECB it is enciphered as a
-- first block; zero padding (padding/zero.lua), kept by decrypt; decrypt reads hex up to its
-- first pair that is not hex; each asX drains the output, so the second call gets nothing.
local Array = require(".crypto.util.array")

local AES128 = require(".crypto.cipher.aes128")
local AES192 = require(".crypto.cipher.aes192")
local AES256 = require(".crypto.cipher.aes256")

local CBC = require(".crypto.cipher.mode.cbc")
local ECB = require(".crypto.cipher.mode.ecb")
local CFB = require(".crypto.cipher.mode.cfb")
local OFB = require(".crypto.cipher.mode.ofb")
local CTR = require(".crypto.cipher.mode.ctr")

local ZeroPadding = require(".crypto.padding.zero")

local CIPHER_OF_LENGTH = { [192] = AES192, [256] = AES256 }
local MODES = { CBC = CBC, ECB = ECB, CFB = CFB, OFB = OFB, CTR = CTR }

local function blockCipherFor(keyLength)
  return (keyLength ~= nil and CIPHER_OF_LENGTH[keyLength]) or AES128
end

local function modeFor(mode)
  return (mode ~= nil and MODES[mode]) or CBC
end

local function ivBytes(iv)
  if iv ~= nil then return Array.fromString(iv) end
  return { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }
end

-- a stream of an array's entries up to its first nil (Stream.fromArray's, without its queue)
local function arrayStream(array)
  local i = 0
  return function()
    i = i + 1
    return array[i]
  end
end

-- run the IV, then the text, through a mode object, and wrap what comes out
local function run(modeObject, key, blockCipher, iv, text)
  local output = modeObject
    .setKey(key)
    .setBlockCipher(blockCipher)
    .setPadding(ZeroPadding)
    .init()
    .update(arrayStream(iv))
    .update(arrayStream(text))
    .finish()
  return {
    asBytes = function() return output.asBytes() end,
    asHex = function() return output.asHex() end,
    asString = function() return output.asString() end,
  }
end

-- the text's bytes through the mode's Cipher or Decipher ("Cipher" or "Decipher": direction)
local function crypt(direction, text, key, iv, mode, keyLength)
  local keyBytes = Array.fromString(key)
  local initial = ivBytes(iv)
  return run(modeFor(mode)[direction](), keyBytes, blockCipherFor(keyLength), initial, text)
end

local aes = {}

function aes.encrypt(data, key, iv, mode, keyLength)
  return crypt("Cipher", Array.fromString(data), key, iv, mode, keyLength)
end

function aes.decrypt(cipher, key, iv, mode, keyLength)
  return crypt("Decipher", Array.fromHex(cipher), key, iv, mode, keyLength)
end

return aes
