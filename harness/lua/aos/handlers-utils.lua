-- .handlers-utils: pattern and handle builders for Handlers.add (docs/aos-semantics.md §4.4), clean-room.
local _ = ...

local hutils = { _version = "0.0.2" }

-- Exact, case-sensitive comparison of msg.Tags[name] with value, in every profile.
function hutils.hasMatchingTag(name, value)
  assert(type(name) == "string" and type(value) == "string", "invalid arguments: (name : string, value : string)")
  return function(msg)
    return msg.Tags[name] == value
  end
end

function hutils.hasMatchingTagOf(name, values)
  assert(type(name) == "string" and type(values) == "table", "invalid arguments: (name : string, values : string[])")
  return function(msg)
    for _, value in ipairs(values) do
      local result = hutils.hasMatchingTag(name, value)(msg)
      if result ~= 0 and result ~= false and result ~= "skip" then
        return result
      end
    end
    return 0
  end
end

function hutils.hasMatchingData(value)
  assert(type(value) == "string", "invalid arguments: (value : string)")
  return function(msg)
    return msg.Data == value
  end
end

function hutils.reply(input)
  assert(type(input) == "table" or type(input) == "string", "invalid arguments: (input : table or string)")
  return function(msg)
    if type(input) == "string" then
      msg.reply({ Data = input })
      return
    end
    msg.reply(input)
  end
end

function hutils.continue(fn)
  assert(type(fn) == "function", "invalid arguments: (fn : function)")
  return function(msg)
    local result = fn(msg)
    if result == false or result == 0 or result == "skip" or result == nil then
      return result
    end
    return 1
  end
end

return hutils
