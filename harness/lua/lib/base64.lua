-- .base64: standard base64 (RFC 4648 alphabet, with padding), clean-room, portable to Lua 5.1.
local base64 = {}

local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
local enc, dec = {}, {}
for i = 1, 64 do
  local c = string.sub(alphabet, i, i)
  enc[i - 1] = c
  dec[string.byte(c)] = i - 1
end

local floor = math.floor

function base64.encode(s)
  local out, n = {}, 0
  for i = 1, #s, 3 do
    local a, b, c = string.byte(s, i, i + 2)
    local v = a * 65536 + (b or 0) * 256 + (c or 0)
    n = n + 1
    out[n] = enc[floor(v / 262144)] .. enc[floor(v / 4096) % 64]
      .. (b and enc[floor(v / 64) % 64] or "=") .. (c and enc[v % 64] or "=")
  end
  return table.concat(out)
end

function base64.decode(s)
  s = string.gsub(s, "[^%w%+/=]", "")
  local out, n = {}, 0
  for i = 1, #s, 4 do
    local q = { string.byte(s, i, i + 3) }
    local v, pad = 0, 0
    for j = 1, 4 do
      local c = q[j]
      if c == nil or c == 61 then
        pad = pad + 1
        v = v * 64
      else
        local d = dec[c]
        if d == nil then error("base64.decode: invalid character '" .. string.char(c) .. "'") end
        v = v * 64 + d
      end
    end
    local bytes = string.char(floor(v / 65536), floor(v / 256) % 256, v % 256)
    n = n + 1
    out[n] = string.sub(bytes, 1, 3 - pad)
  end
  return table.concat(out)
end

return base64
