-- .crypto.cipher.issac: Bob Jenkins' ISAAC generator (32-bit words, 256-word state) and the
-- Vigenere-style cipher built on it, written for this project from what the live module answers.
--   seedIsaac(seed [, flag]), getRandom(), getRandomChar(), random([min [, max [, seed]]]),
--   encrypt(msg, key) -> {asBytes, asString, asHex}, decrypt(encrypted, key) -> string.
-- Live's quirks kept: one generator for the whole process, results read from the first word of a
-- batch up; the seed is a string whose first 256 bytes become 256 words, and only a true `flag`
-- mixes it in (seedIsaac(s) alone ignores s); random() without a seed reseeds with
-- math.random(2^31 - 1) and flag false, so it consumes a math.random value and answers the same
-- number every time, a float unless max is given; getRandom() before any seed answers nil and
-- fails after 256 calls; the cipher only shifts within the 95 printable characters (32-126), so
-- other bytes do not come back; asBytes is the table of one-character strings, asHex lowercase.
local Bit = require(".crypto.util.bit")
local Hex = require(".crypto.util.hex")
local bxor = Bit.bxor
local floor = math.floor
local char, concat = string.char, table.concat

local WORD = 4294967296 -- 2^32 (an integer on 5.3+)
local GOLDEN = 2654435769 -- 0x9e3779b9

-- the generator, 0-based as in the paper: memory, results, their cursor and the three registers
local mem, results = {}, {}
local cursor = 0
local acc, last, counter = 0, 0, 0

-- one batch of 256 results (shifts and masks as arithmetic on the unsigned words: fewer calls)
local function generate()
  counter = (counter + 1) % WORD
  last = (last + counter) % WORD
  for i = 0, 255 do
    local x = mem[i]
    local step = i % 4
    local shifted
    if step == 0 then
      shifted = acc * 8192 % WORD -- << 13
    elseif step == 1 then
      shifted = floor(acc / 64) -- >> 6
    elseif step == 2 then
      shifted = acc * 4 % WORD -- << 2
    else
      shifted = floor(acc / 65536) -- >> 16
    end
    acc = (mem[(i + 128) % 256] + bxor(acc, shifted)) % WORD
    local y = (mem[floor(x / 4) % 256] + acc + last) % WORD
    mem[i] = y
    last = (mem[floor(y / 1024) % 256] + x) % WORD
    results[i] = last
  end
  cursor = 0
end

-- the paper's mix of eight words w[0..7], in place: word i takes in word i+1 shifted (left for a
-- positive count, right for a negative one), then word i+3 adds word i and word i+1 adds word i+2
-- (shifts as arithmetic: a left shift multiplies modulo 2^32, a right one divides)
local MIX_SHIFTS = { [0] = 11, -2, 8, -16, 10, -4, 8, -9 }
local MIX_FACTORS = {}
for i = 0, 7 do MIX_FACTORS[i] = 2 ^ math.abs(MIX_SHIFTS[i]) end
local function mixWords(w)
  for i = 0, 7 do
    local nxt = (i + 1) % 8
    local shifted
    if MIX_SHIFTS[i] > 0 then
      shifted = w[nxt] * MIX_FACTORS[i] % WORD
    else
      shifted = floor(w[nxt] / MIX_FACTORS[i])
    end
    w[i] = bxor(w[i], shifted)
    w[(i + 3) % 8] = (w[(i + 3) % 8] + w[i]) % WORD
    w[nxt] = (w[nxt] + w[(i + 2) % 8]) % WORD
  end
end

-- fill mem from results (the seed words) when useSeed, then make the first batch
local function initialize(useSeed)
  local w = {}
  for j = 0, 7 do w[j] = GOLDEN end
  acc, last, counter = 0, 0, 0
  for _ = 1, 4 do mixWords(w) end
  for pass = 1, useSeed and 2 or 1 do
    local source = pass == 1 and results or mem
    for i = 0, 255, 8 do
      if useSeed then
        for j = 0, 7 do w[j] = (w[j] + source[i + j]) % WORD end
      end
      mixWords(w)
      for j = 0, 7 do mem[i + j] = w[j] end
    end
  end
  generate()
end

local function seedIsaac(seed, flag)
  local _ = #seed -- (a seed without a length fails here, as on live)
  for i = 0, 255 do mem[i] = 0 end
  for i = 0, 255 do results[i] = seed:byte(i + 1, i + 1) or 0 end
  initialize(flag)
end

local function getRandom()
  local value = results[cursor]
  cursor = cursor + 1
  if cursor > 255 then generate() end
  return value
end

local function getRandomChar()
  return getRandom() % 95 + 32
end

-- (the argument names are live's: its errors show them, "(local 'seed')")
local function random(min, max, seed)
  min = min or 0
  max = max or 2 ^ 31 - 1 -- (a float on 5.3+, so is the answer)
  if seed then
    seedIsaac(seed, true)
  else
    seedIsaac(tostring(math.random(2 ^ 31 - 1)), false)
  end
  return (getRandom() % (max - min + 1)) + min
end

-- each byte shifted within 32..126 by the next printable character of the stream (sign -1 undoes)
local function shiftAll(text, sign)
  local out = {}
  for i = 1, #text do
    out[i] = char(32 + (text:byte(i, i) - 32 + sign * getRandomChar()) % 95)
  end
  return out
end

local function encrypt(msg, key)
  seedIsaac(key, true)
  local _ = #msg -- (the error names `msg`, then `text` below meets the same value)
  local encrypted = shiftAll(msg, 1)
  return {
    asBytes = function() return encrypted end,
    asString = function() return concat(encrypted) end,
    asHex = function() return Hex.stringToHex(concat(encrypted)) end,
  }
end

local function decrypt(encrypted, key)
  seedIsaac(key, true)
  local _ = #encrypted
  return concat(shiftAll(encrypted, -1))
end

return {
  seedIsaac = seedIsaac,
  getRandomChar = getRandomChar,
  random = random,
  getRandom = getRandom,
  encrypt = encrypt,
  decrypt = decrypt,
}
