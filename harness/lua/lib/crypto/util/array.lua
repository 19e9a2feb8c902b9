-- .crypto.util.array: byte arrays (tables of numbers at 1, 2, ...) as live's.  Most functions
-- walk from index 1 up to the first nil; XOR, substitute, permute and copy go through pairs.
-- Live's quirks kept: fromHex reads a pair that is not two hex digits as nil (a hole), toHex
-- writes capitals, slice counts negative bounds from the end.
local H = ...
local Bit = require(".crypto.util.bit")
local Stream = require(".crypto.util.stream")
local HexPairs = H.private("harness.lib.crypto.hexpairs")
local char, concat, sub, insert = string.char, table.concat, string.sub, table.insert
local XOR = Bit.bxor
local BYTE_OF_PAIR, PAIR_OF_BYTE = HexPairs.BYTE_OF_PAIR, HexPairs.PAIR_OF_BYTE -- (stream's too)

local Array = {}

-- a[1], a[2], ... up to the first nil, each through convert, into a new table (toString and
-- toHex keep loops of their own: their errors name their own table, and char as 'char', as
-- live's do)
local function walk(a, convert)
  local out, i = {}, 1
  local v = a[1]
  while v ~= nil do
    out[i] = convert(v)
    i = i + 1
    v = a[i]
  end
  return out
end

local function same(v) return v end

function Array.size(array)
  return #array
end

function Array.fromString(string) -- luacheck: ignore (live's name, which its errors show)
  local bytes, i = {}, 1
  local b = string.byte(string, 1)
  while b ~= nil do
    bytes[i] = b
    i = i + 1
    b = string.byte(string, i)
  end
  return bytes
end

function Array.toString(bytes)
  local chars, i = {}, 1
  local b = bytes[1]
  while b ~= nil do
    chars[i] = char(b)
    i = i + 1
    b = bytes[i]
  end
  return concat(chars)
end

function Array.fromStream(stream)
  return Stream.toArray(stream)
end

function Array.readFromQueue(queue, size)
  local array = {}
  for i = 1, size do array[i] = queue.pop() end
  return array
end

function Array.writeToQueue(queue, array)
  for i = 1, Array.size(array) do queue.push(array[i]) end
end

function Array.toStream(array)
  return Stream.fromArray(array)
end

function Array.fromHex(hex)
  local array = {}
  for i = 1, string.len(hex) / 2 do
    array[i] = BYTE_OF_PAIR[sub(hex, 2 * i - 1, 2 * i)]
  end
  return array
end

function Array.toHex(array)
  local hex, i = {}, 1
  local b = array[1]
  while b ~= nil do
    hex[i] = PAIR_OF_BYTE[b]
    i = i + 1
    b = array[i]
  end
  return concat(hex)
end

function Array.concat(a, b)
  local out = walk(a, same)
  local n, i = #out, 1
  while b[i] ~= nil do
    out[n + i] = b[i]
    i = i + 1
  end
  return out
end

function Array.truncate(a, newSize)
  local out = {}
  for i = 1, newSize do out[i] = a[i] end
  return out
end

function Array.XOR(a, b)
  local out = {}
  for k, v in pairs(a) do out[k] = XOR(v, b[k]) end
  return out
end

function Array.substitute(input, sbox)
  local out = {}
  for k, v in pairs(input) do out[k] = sbox[v] end
  return out
end

function Array.permute(input, pbox)
  local out = {}
  for k, v in pairs(pbox) do out[k] = input[v] end
  return out
end

function Array.copy(input)
  local out = {}
  for k, v in pairs(input) do out[k] = v end
  return out
end

function Array.slice(input, start, stop)
  local out = {}
  if start == nil then
    start = 1
  elseif start < 0 then
    start = #input + start + 1
  end
  if stop == nil then
    stop = #input
  elseif stop < 0 then
    stop = #input + stop + 1
  end
  for i = start, stop do insert(out, input[i]) end
  return out
end

return Array
