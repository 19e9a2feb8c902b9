-- .crypto.util.queue: a constructor of first-in, first-out queues, as live's: Queue() returns
-- { push, pop, size, getHead, getTail, reset }, closures over the queue's own slots.  pop on an
-- empty queue returns nil; pushing nil leaves a hole that a later pop returns as nil.
local function Queue()
  local slots, head, tail = {}, 0, 0
  local queue = {}
  function queue.push(value)
    slots[head] = value
    head = head + 1
  end
  function queue.pop()
    if tail >= head then return nil end
    local value = slots[tail]
    slots[tail] = nil
    tail = tail + 1
    return value
  end
  function queue.size() return head - tail end
  function queue.getHead() return head end
  function queue.getTail() return tail end
  function queue.reset()
    slots, head, tail = {}, 0, 0
  end
  return queue
end

return Queue
