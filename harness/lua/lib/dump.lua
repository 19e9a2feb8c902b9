-- .dump: aos's Dump, a table written out as Lua-like text, written for this project from what the
-- live module answers (tests/live_module/test_libraries.py asks it the same questions).
--   dump(value, indent) -> text.  indent: spaces per level (default 4; 0 writes one line); anything
--   but a whole number >= 0 raises "indent must be unsigned integer".
-- A value that is not a table is written as the %q-quoted text of tostring(value).  A table is
-- "{}" when pairs gives nothing, else one "key = value" per entry in pairs order: a name-like
-- string key (not a keyword) bare, any other string key as ["%q"], a number or boolean key as
-- [tostring], a table key written out like a value, any other key as ["%q" of tostring]; number
-- and boolean values as tostring, strings and the rest %q-quoted, tables nested one level deeper.
-- A table met again inside itself (as a value or a key) is "<Circular " .. tostring(t) .. ">",
-- quoted; the same table twice side by side is written twice.
local format, rep, find, concat = string.format, string.rep, string.find, table.concat
local gsub, byte = string.gsub, string.byte
local type, tostring, pairs, error = type, tostring, pairs, error

local KEYWORDS = {}
for word in ("and break do else elseif end false for function goto if in local nil not or repeat "
  .. "return then true until while"):gmatch("%a+") do
  KEYWORDS[word] = true
end

-- Live's %q is Lua 5.3's: a control byte as \ddd (three digits before a digit), NUL included.
-- Lua 5.1 writes control bytes raw and NUL as \000; there each is spelled out as 5.3 does.
local function escape(c, digit)
  if c == '"' or c == "\\" or c == "\n" then return "\\" .. c .. digit end
  return format(digit == "" and "\\%d" or "\\%03d", byte(c)) .. digit
end
local quote = format("%q", "\r") == '"\\13"' and function(s) return format("%q", s) end
  or function(s) return '"' .. gsub(s, '([%c"\\])(%d?)', escape) .. '"' end

local function quoted(v)
  return quote(tostring(v))
end

local function dump(value, indent)
  if indent == nil then indent = 4 end
  if type(indent) ~= "number" or indent < 0 or indent % 1 ~= 0 then
    error("indent must be unsigned integer", 0)
  end
  if type(value) ~= "table" then return quoted(value) end
  local inside = {} -- the tables being written out, outermost first
  local write

  local function circular(t)
    return quoted("<Circular " .. tostring(t) .. ">")
  end

  local function item(v, depth)
    local kind = type(v)
    if kind == "table" then
      if inside[v] then return circular(v) end
      return write(v, depth)
    elseif kind == "number" or kind == "boolean" then
      return tostring(v)
    end
    return quoted(v)
  end

  local function key(k, depth)
    local kind = type(k)
    if kind == "string" then
      if find(k, "^[%a_][%w_]*$") and not KEYWORDS[k] then return k end
      return "[" .. quote(k) .. "]"
    elseif kind == "number" or kind == "boolean" then
      return "[" .. tostring(k) .. "]"
    elseif kind == "table" then
      if inside[k] then return "[" .. circular(k) .. "]" end
      return "[" .. write(k, depth) .. "]"
    end
    return "[" .. quoted(k) .. "]"
  end

  write = function(t, depth)
    inside[t] = true
    local pad = rep(" ", (depth + 1) * indent)
    local lines, n = {}, 0
    for k, v in pairs(t) do
      n = n + 1
      lines[n] = pad .. key(k, depth + 1) .. " = " .. item(v, depth + 1)
    end
    inside[t] = nil
    if n == 0 then return "{}" end
    if indent == 0 then return "{ " .. concat(lines, ", ") .. " }" end
    return "{\n" .. concat(lines, ",\n") .. "\n" .. rep(" ", depth * indent) .. "}"
  end

  return write(value, 0)
end

return dump
