-- Hashing and encoding helpers in the style of aos's crypto utilities: they need bit32.
local crypto = {}

-- 32-bit FNV-1a
function crypto.fnv1a(s)
  local hash = 2166136261
  for i = 1, #s do
    hash = bit32.bxor(hash, s:byte(i))
    hash = bit32.band(hash * 16777619, 0xFFFFFFFF)
  end
  return hash
end

function crypto.hex32(n)
  local out = {}
  for shift = 28, 0, -4 do
    out[#out + 1] = string.format("%x", bit32.band(bit32.rshift(n, shift), 0xF))
  end
  return table.concat(out)
end

function crypto.xor_bytes(a, b)
  local out = {}
  for i = 1, #a do
    out[i] = string.char(bit32.bxor(a:byte(i), b:byte((i - 1) % #b + 1)))
  end
  return table.concat(out)
end

function crypto.rotl(n, k)
  return bit32.lrotate(n, k)
end

function crypto.checksum(s)
  local a, b = 1, 0
  for i = 1, #s do
    a = (a + s:byte(i)) % 65521
    b = (b + a) % 65521
  end
  return bit32.bor(bit32.lshift(b, 16), a)
end

return crypto
