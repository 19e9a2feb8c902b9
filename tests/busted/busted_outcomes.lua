-- A busted output handler for the comparison tests (busted -o tests/busted/busted_outcomes.lua):
-- one line per test, "test<TAB>status<TAB>full name<TAB>first line of the message<TAB>file", and one per
-- error outside a test, "error<TAB>status<TAB>descriptor: full name<TAB>first line".
return function(options)
  local busted = require("busted")
  local handler = require("busted.outputHandlers.base")()
  local messages = {}

  local function first_line(msg)
    if msg == nil then return "" end
    return (tostring(msg):gsub("\t", " "):match("^[^\n]*"))
  end

  local function remember(element, _, message)
    messages[element] = message
    return nil, true
  end

  busted.subscribe({ "failure", "it" }, remember)
  busted.subscribe({ "error", "it" }, remember)
  busted.subscribe({ "pending" }, remember)
  busted.subscribe({ "test", "end" }, function(element, _, status)
    local file = element.trace and element.trace.short_src or ""
    io.write("test\t", status, "\t", handler.getFullName(element), "\t", first_line(messages[element]), "\t",
      file, "\n")
    return nil, true
  end)
  local function outside(kind)
    return function(element, _, message)
      if element.descriptor ~= "it" then
        io.write("error\t", kind, "\t", tostring(element.descriptor), ": ", handler.getFullName(element), "\t",
          first_line(message), "\n")
      end
      return nil, true
    end
  end
  busted.subscribe({ "failure" }, outside("failure"))
  busted.subscribe({ "error" }, outside("error"))
  io.stdout:setvbuf("no")
  return handler
end
