-- A mocked `Handlers`: add/remove/evaluate in registration order, and utils.hasMatchingTag.
local Handlers = { list = {}, utils = {} }

function Handlers.utils.hasMatchingTag(name, value)
  return function(msg) return msg.Tags and msg.Tags[name] == value end
end

function Handlers.add(name, pattern, handle)
  for i, h in ipairs(Handlers.list) do
    if h.name == name then
      Handlers.list[i] = { name = name, pattern = pattern, handle = handle }
      return
    end
  end
  Handlers.list[#Handlers.list + 1] = { name = name, pattern = pattern, handle = handle }
end

function Handlers.remove(name)
  for i, h in ipairs(Handlers.list) do
    if h.name == name then
      table.remove(Handlers.list, i)
      return
    end
  end
end

function Handlers.evaluate(msg)
  for _, h in ipairs(Handlers.list) do
    if h.pattern(msg) then return h.handle(msg), h.name end
  end
  return nil, nil
end

return Handlers
