-- harness.lib.crypto.hexpairs: the look-up tables of the hex conversions in util/stream.lua and
-- util/array.lua (fromHex, toHex), written for this project; a private part of the crypto library
-- (bridge/modules.lua's H.private), which live has no module for.
--   BYTE_OF_PAIR[pair] = the byte of two hex digits, either case ("0a" and "0A" are 10; anything
--   else is nil); PAIR_OF_BYTE[b] = the byte b as two capital hex digits.
local format = string.format

local BYTE_OF_PAIR, PAIR_OF_BYTE = {}, {}
for b = 0, 255 do
  BYTE_OF_PAIR[format("%02x", b)] = b
  BYTE_OF_PAIR[format("%02X", b)] = b
  PAIR_OF_BYTE[b] = format("%02X", b)
end

return {
  BYTE_OF_PAIR = BYTE_OF_PAIR,
  PAIR_OF_BYTE = PAIR_OF_BYTE,
}
