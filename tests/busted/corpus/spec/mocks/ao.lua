-- A mocked `ao`: what the process reads (id, env) and an outbox that `send` fills.
local ao = {
  id = "process-id",
  env = { Process = { Id = "process-id", Owner = "owner-address", Tags = { Name = "corpus" } } },
  outbox = {},
}

function ao.send(msg)
  ao.outbox[#ao.outbox + 1] = msg
  return msg
end

function ao.reset()
  ao.outbox = {}
end

return ao
