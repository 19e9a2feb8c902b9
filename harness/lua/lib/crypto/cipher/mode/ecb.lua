-- .crypto.cipher.mode.ecb: the electronic codebook mode, written for this project from what the
-- live module answers (tests/live_module/test_crypto_aes.py).  API: ECB.Cipher() and
-- ECB.Decipher() make an object whose setters chain: .setKey(bytes).setBlockCipher(cipher)
-- .setPadding(padding), then .init().update(stream)...finish(), and asHex/asBytes/asString drain
-- the output (getOutputQueue gives it as a queue).
-- This file also builds those objects for the other four modes (cbc, cfb, ofb, ctr), which reach
-- the builder through the harness's private table (the chunk's first argument).
-- Live's quirks kept: update takes bytes one by one and works on each full block (of the block
-- cipher's blockSize); finish feeds the padding stream padding(blockSize, bytes taken so far)
-- through update, so a partial block is left behind if the padding does not fill it; the other
-- modes take their first block as the IV; the asX functions drain the output, so a second call
-- gets nothing; errors name live's variables (upvalue 'inputQueue' before init, local
-- 'messageStream' for a stream that is not a function, upvalue 'padding' when none was set).
local H = ...
local Array = require(".crypto.util.array")
local Stream = require(".crypto.util.stream")
local Queue = require(".crypto.util.queue")

local type, next, getmetatable = type, next, getmetatable

-- Bytes xor-ed through 4-bit tables: xor(a, b) = XHIGH[HIGH[a] + HIGH4[b]] + XLOW[LOW[a] + b % 16]
local XLOW, XHIGH, HIGH, HIGH4, LOW = {}, {}, {}, {}, {}
for a = 0, 15 do
  for b = 0, 15 do
    local r, bit = 0, 1
    for _ = 1, 4 do
      if (a % (2 * bit) >= bit) ~= (b % (2 * bit) >= bit) then r = r + bit end
      bit = 2 * bit
    end
    XLOW[16 * a + b], XHIGH[16 * a + b] = r, 16 * r
  end
end
for h = 0, 15 do
  for l = 0, 15 do
    local v = 16 * h + l
    HIGH[v], HIGH4[v], LOW[v] = 16 * h, h, 16 * l
  end
end

-- a xor b over a's entries, as live's Array.XOR (which it falls back to, for its answers and its
-- errors, unless a holds bytes at 1..n only and b bytes at 1..n)
local function xorBlocks(a, b)
  if type(a) == "table" and getmetatable(a) == nil and type(b) == "table" then
    local n = 0
    for _ in next, a do n = n + 1 end
    local out = {}
    for i = 1, n do
      local x, y = a[i], b[i]
      if LOW[x] == nil or LOW[y] == nil then return Array.XOR(a, b) end
      out[i] = XHIGH[HIGH[x] + HIGH4[y]] + XLOW[LOW[x] + y % 16]
    end
    return out
  end
  return Array.XOR(a, b)
end

-- The first `size` bytes of the buffer as a block (as many as a for loop from 1 to size counts),
-- the rest moved to the front
local function takeBlock(buffer, size)
  local block, used = {}, 0
  for i = 1, size do
    block[i] = buffer[i]
    used = i
  end
  local count = buffer.count
  for i = used + 1, count do buffer[i - used] = buffer[i] end
  for i = count - used + 1, count do buffer[i] = nil end
  buffer.count = count - used
  return block
end

-- A mode's object maker.  step(blockCipher, key, iv, block) gives the output block and the next
-- IV; with usesIV the first block taken is the IV.
local function newMode(usesIV, step)
  return function()
    local public = {}
    local key, blockCipher, padding, inputQueue, outputQueue, iv

    function public.setKey(keyBytes)
      key = keyBytes
      return public
    end

    function public.setBlockCipher(cipher)
      blockCipher = cipher
      return public
    end

    function public.setPadding(paddingMode)
      padding = paddingMode
      return public
    end

    function public.init()
      -- the bytes of a block not yet full, and the count of all bytes taken (live keeps them in
      -- a queue, whose head count its padding is given)
      inputQueue = { count = 0, taken = 0 }
      outputQueue = Queue()
      iv = nil
      return public
    end

    function public.update(messageStream)
      local byte = messageStream()
      while byte ~= nil do
        local count = inputQueue.count + 1
        inputQueue[count], inputQueue.count, inputQueue.taken = byte, count, inputQueue.taken + 1
        local size = blockCipher.blockSize
        if count >= size then
          local block = takeBlock(inputQueue, size)
          if usesIV and iv == nil then
            iv = block
          else
            local out
            out, iv = step(blockCipher, key, iv, block)
            Array.writeToQueue(outputQueue, out)
          end
        end
        byte = messageStream()
      end
      return public
    end

    function public.finish()
      local paddingStream = padding(blockCipher.blockSize, inputQueue.taken)
      public.update(paddingStream)
      return public
    end

    function public.getOutputQueue()
      return outputQueue
    end

    function public.asHex()
      return Stream.toHex(outputQueue.pop)
    end

    function public.asBytes()
      return Stream.toArray(outputQueue.pop)
    end

    function public.asString()
      return Stream.toString(outputQueue.pop)
    end

    return public
  end
end

if type(H) == "table" then H.cipherMode = { new = newMode, xor = xorBlocks } end

return {
  Cipher = newMode(false, function(cipher, key, _, block)
    return cipher.encrypt(key, block)
  end),
  Decipher = newMode(false, function(cipher, key, _, block)
    return cipher.decrypt(key, block)
  end),
}
