-- .stringify: the coloured table printer behind aos's `print` and Eval output, written for this
-- project to give the live module's text (aos 2.0.6's stringify 0.0.1), quirks included.
--
-- stringify.isSimpleArray(t) -> true when `pairs` visits the keys 1, 2, 3, ... in that order and
--   every value is a number or a string (an empty table counts).
-- stringify.format(t [, indent [, visited]]) -> text
--   simple array   "{ " .. values joined by ", " .. " }" ("{  }" when empty); strings green and
--                  double-quoted as they are (no escaping), other values blue through tostring
--   otherwise      one entry per line, in `pairs` order:
--                  while the keys seen so far are 1, 2, ... the entries are array entries
--                  ("  " .. value, nested tables formatted two deeper); at the first other key the
--                  array entries written so far are DROPPED and every entry from there on is
--                  written "  key = value" with the key red (a key that is neither a string nor
--                  a number makes `..` raise, as live); a nested table already met on this path
--                  of keyed entries makes the whole table "<circular reference>".
--                  Array layout: "{\n" .. entries joined by ",\n" .. "\n" .. indent .. " }";
--                  keyed layout: "{\n " .. entries joined by ",\n " .. "\n" .. indent .. "}".
-- Entry order is the harness's `pairs` order (sorted by default), so the text matches live's
-- wherever live's hash order agrees, and differs only in the order (or, through the dropped array
-- entries above, in which entries appear) where it does not.
local stringify = { _version = "0.0.1" }

-- (type, tostring, pairs, ipairs, string.rep and table.concat are the globals of the moment, as
-- live's stringify finds them: a process that replaces one changes what print writes, on live as
-- here)
local GREEN, BLUE, RED, RESET = "\27[32m", "\27[34m", "\27[31m", "\27[0m"

local function scalar(v)
  if type(v) == "string" then return GREEN .. '"' .. v .. '"' .. RESET end
  return BLUE .. tostring(v) .. RESET
end

function stringify.isSimpleArray(t)
  local expected = 1
  for k, v in pairs(t) do
    local tv = type(v)
    if k ~= expected or (tv ~= "number" and tv ~= "string") then return false end
    expected = expected + 1
  end
  return true
end

function stringify.format(t, indent, visited)
  indent = indent or 0
  local pad, childPad = string.rep(" ", indent), string.rep(" ", indent + 2)
  local parts, n = {}, 0
  if stringify.isSimpleArray(t) then
    for _, v in ipairs(t) do
      n = n + 1
      parts[n] = scalar(v)
    end
    return "{ " .. table.concat(parts, ", ") .. " }"
  end
  local arrayPart, nextIndex = true, 1
  for k, v in pairs(t) do
    if arrayPart and k == nextIndex then
      nextIndex = nextIndex + 1
      local text = type(v) == "table" and stringify.format(v, indent + 2) or scalar(v)
      n = n + 1
      parts[n] = childPad .. text
    else
      if arrayPart then
        arrayPart = false
        parts, n = {}, 0
      end
      local text
      if type(v) == "table" then
        visited = visited or {}
        if visited[v] then return "<circular reference>" end
        visited[v] = true
        text = stringify.format(v, indent + 2, visited)
      else
        text = scalar(v)
      end
      n = n + 1
      parts[n] = childPad .. RED .. k .. RESET .. " = " .. text
    end
  end
  if arrayPart then
    return "{\n" .. table.concat(parts, ",\n") .. "\n" .. pad .. " }"
  end
  return "{\n " .. table.concat(parts, ",\n ") .. "\n" .. pad .. "}"
end

return stringify
