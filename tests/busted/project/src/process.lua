-- a toy "process": a global handler table, loaded with dofile
Handlers = Handlers or { list = {} }
function Handlers.add(name, fn) Handlers.list[name] = fn end
Handlers.add("ping", function(msg) return "pong:" .. tostring(msg) end)
