-- .assignment: the assignables of the `ao` object (docs/aos-semantics.md §5.3), clean-room.
-- As in aos, process.lua calls init(ao) once: it gives `ao` its `assignables` list and the
-- checks process.handle runs on an assignment (§2 step 11), keeping any the table already has.
local assignment = { _version = "0.1.0" }
local utils = require(".utils")

function assignment.init(ao)
  ao.assignables = ao.assignables or {}

  -- An assignment is a message whose Target is not this process.
  ao.isAssignment = ao.isAssignment or function(msg)
    return msg.Target ~= ao.id
  end

  -- addAssignable([name,] matchSpec): a named spec replaces the entry of that name.
  ao.addAssignable = ao.addAssignable or function(...)
    local name, matchSpec
    if select("#", ...) == 1 then
      matchSpec = ...
    else
      name, matchSpec = ...
      assert(type(name) == "string", "MatchSpec name MUST be a string")
    end
    local mst = type(matchSpec)
    assert(mst == "function" or mst == "table" or mst == "string", "MatchSpec must be a string, table or function")
    if name then
      for i, a in ipairs(ao.assignables) do
        if a.name == name then
          ao.assignables[i] = { name = name, pattern = matchSpec }
          return
        end
      end
    end
    table.insert(ao.assignables, { name = name, pattern = matchSpec })
  end

  -- removeAssignable(name or index)
  ao.removeAssignable = ao.removeAssignable or function(nameOrIndex)
    if type(nameOrIndex) == "number" then
      table.remove(ao.assignables, nameOrIndex)
      return
    end
    for i, a in ipairs(ao.assignables) do
      if a.name == nameOrIndex then
        table.remove(ao.assignables, i)
        return
      end
    end
  end

  -- Does any assignable match msg?  None do while the list is empty.
  ao.isAssignable = ao.isAssignable or function(msg)
    for _, a in ipairs(ao.assignables) do
      if utils.matchesSpec(msg, a.pattern) then return true end
    end
    return false
  end
end

return assignment
