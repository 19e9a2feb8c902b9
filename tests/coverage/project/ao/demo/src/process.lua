-- A tiny process for the coverage tests: every line number below is asserted somewhere.
local util = require("lib.util")

Count = Count or 0

Handlers.add("Add", { Action = "Add" }, function(msg)
  local n = util.parse(msg.Tags.N)
  Count = Count + n
  msg.reply({ Data = tostring(Count) })
end)

Handlers.add("Never", { Action = "Never" }, function(msg)
  Count = 0
  msg.reply({ Data = "reset" })
end)

Handlers.add("Spin", { Action = "Spin" }, function(msg)
  local co = coroutine.create(function(x)
    local y = x * 2
    return y
  end)
  local _, v = coroutine.resume(co, 21)
  msg.reply({ Data = tostring(v) })
end)
