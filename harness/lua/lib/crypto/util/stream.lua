-- .crypto.util.stream: a stream is a function that returns the next byte (0-255) on each call and
-- nil at the end.  fromString/fromArray/fromHex make one, toString/toArray/toHex drain one.
-- Live's quirks kept: a hex pair that is not two hex digits ends the stream early (it is read as
-- nil), toHex writes capitals, and an argument's name shows in Lua's error for a wrong type (the
-- text argument is called `string`, so `fromString(5)()` is "attempt to index a number value
-- (upvalue 'string')", as on live).
local H = ...
local Queue = require(".crypto.util.queue")
local HexPairs = H.private("harness.lib.crypto.hexpairs")
local char, concat, sub = string.char, table.concat, string.sub
local BYTE_OF_PAIR, PAIR_OF_BYTE = HexPairs.BYTE_OF_PAIR, HexPairs.PAIR_OF_BYTE -- (array's too)

local Stream = {}

-- drain: call stream until it gives nil, storing convert(byte) at 1, 2, ...
local function drain(stream, convert)
  local out, n = {}, 0
  local b = stream()
  while b ~= nil do
    n = n + 1
    out[n] = convert(b)
    b = stream()
  end
  return out
end

local function same(b) return b end
local function lookup(b) return PAIR_OF_BYTE[b] end

function Stream.fromString(string) -- luacheck: ignore (live's name, which its errors show)
  local i = 0
  return function()
    i = i + 1
    return string.byte(string, i)
  end
end

-- (a loop of its own, not drain's: char's argument errors name it 'char', as live's do)
function Stream.toString(stream)
  local chars, n = {}, 0
  local b = stream()
  while b ~= nil do
    n = n + 1
    chars[n] = char(b)
    b = stream()
  end
  return concat(chars)
end

-- a queue's pop over array[1], array[2], ... up to the first nil
function Stream.fromArray(array)
  local queue = Queue()
  local i = 1
  while array[i] ~= nil do
    queue.push(array[i])
    i = i + 1
  end
  return queue.pop
end

function Stream.toArray(stream)
  return drain(stream, same)
end

function Stream.fromHex(hex)
  local queue = Queue()
  for i = 1, string.len(hex) / 2 do
    queue.push(BYTE_OF_PAIR[sub(hex, 2 * i - 1, 2 * i)])
  end
  return queue.pop
end

function Stream.toHex(stream)
  return concat(drain(stream, lookup))
end

return Stream
