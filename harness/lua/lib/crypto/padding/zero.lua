-- .crypto.padding.zero: zero padding for the cipher modes, written for this project from what the
-- live module answers (tests/live_module/test_crypto_aes.py).  API: zero(blockSize, byteCount)
-- returns a stream of zero bytes (then nil) for a mode's finish to feed after byteCount bytes.
-- Live's quirk kept: it gives blockSize - ((byteCount - 1) % blockSize) + 1 zeros, that is enough
-- to end the last block and two more, which a mode leaves behind: bytes that already end a block
-- get just the two, so no block of padding is added (16 bytes encrypt to 16, and 0 bytes after a
-- 16-byte IV to nothing).
return function(blockSize, byteCount)
  local lastBlockUsed = (byteCount - 1) % blockSize -- (one less than the bytes in the last block)
  local left = blockSize - lastBlockUsed + 1
  return function()
    if left > 0 then
      left = left - 1
      return 0
    end
    return nil
  end
end
