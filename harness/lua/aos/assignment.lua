-- .assignment: the assignables of the `ao` object (docs/aos-semantics.md §5.3), clean-room.
-- As in aos, process.lua calls init(ao) once: it gives `ao` its `assignables` list and the
-- checks process.handle runs on an assignment (§2 step 11), keeping any the table already has.
local assignment = { _version = "0.1.0" }
local utils = require(".utils")

function assignment.init(ao)
  ao.assignables = ao.assignables or {}

  -- the position of the assignable named `name`, or nil
  local function indexOf(name)
    for i, a in ipairs(ao.assignables) do
      if a.name == name then return i end
    end
    return nil
  end

  -- An assignment is a message whose Target is not this process.
  ao.isAssignment = ao.isAssignment or function(msg)
    return msg.Target ~= ao.id
  end

  -- addAssignable([name,] matchSpec): a named spec replaces the pattern of the entry of that
  -- name (the entry itself stays); the spec is not checked (a bad one never matches).
  ao.addAssignable = ao.addAssignable or function(...)
    local name, matchSpec
    if select("#", ...) == 1 then
      matchSpec = ...
    else
      name, matchSpec = ...
      assert(type(name) == "string", "MatchSpec name MUST be a string")
    end
    local i = name and indexOf(name)
    if i then
      ao.assignables[i].pattern = matchSpec
    else
      table.insert(ao.assignables, { pattern = matchSpec, name = name })
    end
  end

  -- removeAssignable(name or index): an unknown name or an index out of range does nothing.
  ao.removeAssignable = ao.removeAssignable or function(nameOrIndex)
    local i
    if type(nameOrIndex) == "string" then
      i = indexOf(nameOrIndex)
    else
      assert(type(nameOrIndex) == "number", "index MUST be a number")
      i = nameOrIndex
    end
    if i == nil or i <= 0 or i > #ao.assignables then return end
    table.remove(ao.assignables, i)
  end

  -- Does any assignable match msg?  None do while the list is empty.
  ao.isAssignable = ao.isAssignable or function(msg)
    for _, a in pairs(ao.assignables) do
      if utils.matchesSpec(msg, a.pattern) then return true end
    end
    return false
  end
end

return assignment
