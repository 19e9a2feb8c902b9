-- .base64: standard base64 (RFC 4648 alphabet "A-Za-z0-9+/", "=" padding), written for this project.
-- Portable to Lua 5.1-5.5 and LuaJIT (arithmetic only).
--   encode(s)  -> padded base64 text
--   decode(s)  -> the bytes; whitespace is ignored, padding may be omitted, anything else that is
--                 not base64 (a bad character, "=" before the end, a dangling single character)
--                 raises an error naming what is wrong and where.
local base64 = {}

local byte, char, sub, find, gsub, format, concat = string.byte, string.char, string.sub, string.find,
  string.gsub, string.format, table.concat
local floor = math.floor

local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
local enc, dec = {}, {}
for i = 1, 64 do
  local c = sub(alphabet, i, i)
  enc[i - 1] = c
  dec[byte(c)] = i - 1
end

function base64.encode(s)
  if type(s) ~= "string" then error("base64.encode: expected a string, got " .. type(s), 2) end
  local out, n = {}, 0
  local len = #s
  for i = 1, len - 2, 3 do
    local a, b, c = byte(s, i, i + 2)
    local v = a * 65536 + b * 256 + c
    n = n + 1
    out[n] = enc[floor(v / 262144)] .. enc[floor(v / 4096) % 64] .. enc[floor(v / 64) % 64] .. enc[v % 64]
  end
  local rest = len % 3
  if rest > 0 then
    local a, b = byte(s, len - rest + 1, len)
    local v = a * 65536 + (b or 0) * 256
    n = n + 1
    out[n] = enc[floor(v / 262144)] .. enc[floor(v / 4096) % 64] .. (b and enc[floor(v / 64) % 64] or "=") .. "="
  end
  return concat(out, "", 1, n)
end

local function fail(msg) error("base64.decode: " .. msg, 3) end

function base64.decode(s)
  if type(s) ~= "string" then error("base64.decode: expected a string, got " .. type(s), 2) end
  local bad = find(s, "[^%w%+/=%s]")
  if bad then
    local b = byte(s, bad)
    local shown = (b > 32 and b < 127) and format("'%s'", sub(s, bad, bad)) or format("byte 0x%02x", b)
    fail(format("invalid character %s at position %d", shown, bad))
  end
  s = gsub(s, "%s+", "")
  local firstPad = find(s, "=", 1, true)
  local len = #s
  if firstPad then
    local pad = len - firstPad + 1
    if pad > 2 or find(s, "[^=]", firstPad) then fail("'=' padding is only allowed at the end (at most two)") end
    if len % 4 ~= 0 then fail(format("padded input must be a multiple of 4 characters long (got %d)", len)) end
    len = firstPad - 1
  end
  if len % 4 == 1 then fail("truncated input: a single character in the last group") end
  local out, n = {}, 0
  for i = 1, len - 3, 4 do
    local a, b, c, d = byte(s, i, i + 3)
    local v = dec[a] * 262144 + dec[b] * 4096 + dec[c] * 64 + dec[d]
    n = n + 1
    out[n] = char(floor(v / 65536), floor(v / 256) % 256, v % 256)
  end
  local rest = len % 4
  if rest > 0 then
    local a, b, c = byte(s, len - rest + 1, len)
    local v = dec[a] * 262144 + dec[b] * 4096 + (c and dec[c] * 64 or 0)
    n = n + 1
    if c then
      out[n] = char(floor(v / 65536), floor(v / 256) % 256)
    else
      out[n] = char(floor(v / 65536))
    end
  end
  return concat(out, "", 1, n)
end

return base64
