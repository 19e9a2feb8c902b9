-- harness.lib.crypto.mode: the object every cipher mode (ecb, cbc, cfb, ofb, ctr) makes, written
-- for this project from what the live module answers (tests/live_module/test_crypto_aes.py); a
-- private part of the crypto library (bridge/modules.lua's H.private), compiled once for each
-- mode under a chunk name shown as the mode's own (harness/chunks.py, PER_MODULE_PARTS): the
-- object calls the caller's streams, padding and block cipher, so an error it raises names the
-- mode, as live's, where each mode holds its own copy of this code, does.
--   new(usesIV, step) -> a maker of mode objects: Cipher() / Decipher() in the mode modules.
--   step(blockCipher, key, iv, block) gives the output block and the next IV; with usesIV the
--   first block taken is the IV.  An object's setters chain: .setKey(bytes)
--   .setBlockCipher(cipher).setPadding(padding), then .init().update(stream)...finish(), and
--   asHex/asBytes/asString drain the output (getOutputQueue gives it as a queue).
--   xor(a, b): a xor b over a's entries, as live's Array.XOR (which it falls back to, for its
--   answers and its errors, unless a holds bytes at 1..n only and b bytes at 1..n).
-- Live's quirks kept: update takes bytes one by one and works on each full block (of the block
-- cipher's blockSize); finish feeds the padding stream padding(blockSize, bytes taken so far)
-- through update, so a partial block is left behind if the padding does not fill it; the asX
-- functions drain the output, so a second call gets nothing; errors name live's variables
-- (upvalue 'inputQueue' before init, local 'messageStream' for a stream that is not a function,
-- upvalue 'padding' when none was set).
local H = ...
local Array = require(".crypto.util.array")
local Stream = require(".crypto.util.stream")
local Queue = require(".crypto.util.queue")
local ByteXor = H.private("harness.lib.crypto.bytexor")
local arrays = ByteXor.arrays

local function xor(a, b)
  return arrays(a, b, Array.XOR)
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

return {
  new = newMode,
  xor = xor,
}
