-- .crypto.util.hex: text to hex and back, as live's.
--   stringToHex(s [, ln [, sep]]): two lowercase digits a byte; with ln, sep between pairs and a
--   newline after every ln-th pair (never after the last).
--   hexToString(hs [, unsafe]): unless unsafe, whitespace is dropped and text with a character
--   outside 0-9A-Za-z, or of odd length, raises "invalid hex string"; each pair of hex digits
--   becomes its byte, anything else stays as it is (live checks letters, not hex digits).
local byte, char, format, gsub, find, concat = string.byte, string.char, string.format, string.gsub,
  string.find, table.concat
local tonumber = tonumber

local function pair(c) return format("%02x", byte(c)) end
local function unpair(h) return char(tonumber(h, 16)) end

local function stringToHex(s, ln, sep)
  if #s == 0 then return "" end
  if not ln then return (gsub(s, ".", pair)) end
  sep = sep or ""
  local out, last = {}, #s
  for i = 1, last - 1 do
    out[i] = format("%02x%s", byte(s, i), i % ln == 0 and "\n" or sep)
  end
  out[last] = format("%02x", byte(s, last))
  return concat(out)
end

local function hexToString(hs, unsafe)
  if not unsafe then
    hs = gsub(hs, "%s+", "")
    if find(hs, "[^0-9A-Za-z]") or #hs % 2 ~= 0 then error("invalid hex string") end
  end
  return (gsub(hs, "(%x%x)", unpair))
end

return {
  stringToHex = stringToHex,
  hexToString = hexToString,
}
