local x = 1
Handlers.add("Unused", { Action = "Unused" }, function(msg)
  x = x + 1
end)
