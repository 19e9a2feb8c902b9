-- .eval: the `_eval` handle: run msg.Data as Lua in _G as aos does (docs/aos-semantics.md §5.5, gotcha 32).
local H = ...
-- (kept from boot, as live's .eval keeps it: a .stringify put in package.loaded later is not used)
local stringify = require(".stringify")

return function(ao)
  return function(msg)
    local code = msg.Data
    if type(code) ~= "string" then
      ao.outbox.Error = "Eval: Data must be Lua source text, got " .. type(code)
      return
    end
    -- First as an expression, then as a chunk; the harness may substitute a cached compile of a
    -- file it loads (same semantics, file name as chunk name).
    local func, err = H.compile_eval(code)
    if not func then
      ao.outbox.Error = err
      return
    end
    local output, e = func()
    if e then
      ao.outbox.Error = e
      return
    end
    if output and HANDLER_PRINT_LOGS then
      if type(output) == "table" then
        table.insert(HANDLER_PRINT_LOGS, stringify.format(output))
      else
        table.insert(HANDLER_PRINT_LOGS, tostring(output))
      end
    end
  end
end
