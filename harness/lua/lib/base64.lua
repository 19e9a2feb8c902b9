-- .base64: base64 as the live aos module (aos 2.0.6) has it, written for this project from what the
-- binary answers (tests/live_module/test_libraries.py asks it the same questions).  Portable to
-- Lua 5.1-5.5 and LuaJIT.
--   makeencoder(c62, c63, cpad) -> { [0] .. [63] = the byte of each digit, [64] = the padding's }
--       (c62, c63, cpad default to "+", "/", "="; each gives its first byte)
--   makedecoder(c62, c63, cpad) -> the other way round: { [byte] = 0 .. 64 }
--   encode(str, encoder, usecaching) -> padded base64 of str, with encoder's digits
--   decode(b64, decoder, usecaching) -> the bytes.  As lenient as live: first every character that
--       is not a letter, a digit, "=" or the decoder's 62nd or 63rd digit is dropped; then "=" or
--       "==" at the end is padding, and an "=" anywhere else is the digit 64.  Text that does not
--       come out in whole groups of four then fails with Lua's own "attempt to perform
--       arithmetic on a nil value", as live's does (unpadded base64 included).
--   usecaching only makes live faster; here it is accepted and changes nothing.
-- Non-string input fails with Lua's own error on the argument (live's words: "attempt to get
-- length of a number value (local 'str')").
local base64 = {}

local char, concat, sub, format, floor = string.char, table.concat, string.sub, string.format, math.floor

-- the bit field *width* bits wide at bit *from* of v: bit32's when the process has it at load
-- (live's does), else the same by arithmetic
local bits = _G.bit32
local extract = bits and bits.extract
if not extract then
  extract = function(v, from, width)
    return floor(v / 2 ^ from) % 2 ^ width
  end
end

local DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

local function makeencoder(c62, c63, cpad)
  local last = { c62 or "+", c63 or "/", cpad or "=" }
  local encoder = {}
  for i = 0, 64 do
    local char = i < 62 and sub(DIGITS, i + 1, i + 1) or last[i - 61]
    encoder[i] = char:byte()
  end
  return encoder
end

local function makedecoder(c62, c63, cpad)
  local encoder = makeencoder(c62, c63, cpad)
  local decoder = {}
  -- the digit 0 last: where two digits share a character, live's decoder keeps 0
  for i = 1, 64 do
    local code = encoder[i]
    if code ~= nil then decoder[code] = i end
  end
  if encoder[0] ~= nil then decoder[encoder[0]] = 0 end
  return decoder
end

local ENCODER, DECODER = makeencoder(), makedecoder()
-- what decode drops: anything but a letter, a digit, "=" and the decoder's digits 62 and 63
local function dropped(c62, c63)
  return format("[^%%w%%%s%%%s%%=]", char(c62), char(c63))
end
local DROPPED = dropped(43, 47) -- ("+", "/": DECODER's, which nothing outside this file can change)

base64.makeencoder = makeencoder
base64.makedecoder = makedecoder

function base64.encode(str, encoder, usecaching)
  local n = #str
  encoder = encoder or ENCODER
  local out, k = {}, 0
  for i = 1, n - 2, 3 do
    local a, b, c = str:byte(i, i + 2)
    local v = a * 65536 + b * 256 + c
    k = k + 1
    out[k] = char(encoder[extract(v, 18, 6)], encoder[extract(v, 12, 6)], encoder[extract(v, 6, 6)],
      encoder[extract(v, 0, 6)])
  end
  local rest = n % 3
  if rest == 2 then
    local a, b = str:byte(n - 1, n)
    local v = a * 65536 + b * 256
    out[k + 1] = char(encoder[extract(v, 18, 6)], encoder[extract(v, 12, 6)], encoder[extract(v, 6, 6)],
      encoder[64])
  elseif rest == 1 then
    local v = str:byte(n) * 65536
    out[k + 1] = char(encoder[extract(v, 18, 6)], encoder[extract(v, 12, 6)], encoder[64], encoder[64])
  end
  return concat(out)
end

function base64.decode(b64, decoder, usecaching)
  decoder = decoder or DECODER
  local pattern = DROPPED
  if decoder ~= DECODER then
    local c62, c63
    for code, digit in pairs(decoder) do
      if digit == 62 then
        c62 = code
      elseif digit == 63 then
        c63 = code
      end
    end
    pattern = dropped(c62, c63)
  end
  b64 = b64:gsub(pattern, "")
  local n = #b64
  local padding = sub(b64, -2) == "==" and 2 or sub(b64, -1) == "=" and 1 or 0
  local out, k = {}, 0
  for i = 1, padding > 0 and n - 4 or n, 4 do
    local a, b, c, d = b64:byte(i, i + 3)
    local v = decoder[a] * 262144 + decoder[b] * 4096 + decoder[c] * 64 + decoder[d]
    k = k + 1
    out[k] = char(extract(v, 16, 8), extract(v, 8, 8), extract(v, 0, 8))
  end
  if padding == 1 then
    local a, b, c = b64:byte(n - 3, n - 1)
    local v = decoder[a] * 262144 + decoder[b] * 4096 + decoder[c] * 64
    out[k + 1] = char(extract(v, 16, 8), extract(v, 8, 8))
  elseif padding == 2 then
    local a, b = b64:byte(n - 3, n - 2)
    local v = decoder[a] * 262144 + decoder[b] * 4096
    out[k + 1] = char(extract(v, 16, 8))
  end
  return concat(out)
end

return base64
