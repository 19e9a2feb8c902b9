-- .crypto.cipher.mode.ctr: the counter mode (NIST SP 800-38A 6.5), written for this project from
-- what the live module answers (tests/live_module/test_crypto_aes.py).  API as ecb.lua's (the
-- object is private/mode.lua's, compiled as this module's); Cipher and Decipher do the same.
-- Live's quirks kept: the first block through update is the first counter block (and gives no
-- output); the counter is its last 8 bytes, big-endian, wrapping to 0 after 2^64 - 1 without
-- touching the first 8.
local H = ...
local Mode = H.private("harness.lib.crypto.mode@.crypto.cipher.mode.ctr")
local xor = Mode.xor

-- add one to bytes 9..16 of the counter block, in place
local function increment(counter)
  for i = 16, 9, -1 do
    local v = counter[i] + 1
    if v <= 255 then
      counter[i] = v
      return
    end
    counter[i] = v % 256
  end
end

-- out_i = in_i xor E(T_i), T_{i+1} = T_i + 1
local function step(cipher, key, counter, block)
  local out = xor(cipher.encrypt(key, counter), block)
  increment(counter)
  return out, counter
end

return {
  Cipher = Mode.new(true, step),
  Decipher = Mode.new(true, step),
}
