-- .stringify: the coloured pretty printer aos's `print` uses for tables, written for this project.
-- The output is stable (the same on every run and on every Lua, up to how the Lua itself writes
-- numbers, e.g. 3.0 is "3.0" on 5.3+ and "3" on 5.1), but it is NOT byte-for-byte aos's.
--
-- stringify.format(value) -> text
--   scalars   strings  green, double-quoted, with \\ \" \n \r \t and \ddd (3 decimal digits) for
--                      other control bytes; bytes >= 0x80 (UTF-8) are copied as they are
--             numbers  green, as tostring writes them
--             booleans blue;  nil red;  anything else gray and anonymous: <function>, <userdata>...
--   tables    {} when empty;
--             a simple array (keys exactly 1..n) as { v1, v2, ... };
--             otherwise { key = value, ... }: identifier-like string keys are written bare (green),
--             other keys in brackets as scalars ([1] = ..., ["a b"] = ...);  keys are sorted:
--             numbers ascending, then strings ascending, then other key types by type name;
--             a table already being printed further up (a cycle) is written <cycle> (gray); the
--             same table reached twice without a cycle is printed twice.
--   layout    a table fits on one line, "{ a, b }", when that line (without colour codes) has at
--             most 80 characters and no line break; otherwise every entry goes on its own line,
--             indented two spaces per level, entries separated by ",", closing brace on its own line.
--   colours   green \27[32m, blue \27[34m, red \27[31m, gray \27[90m, each closed by reset \27[0m.
--   Tables are walked raw (next/rawget): metamethods such as __pairs or __index are not called.
--
-- stringify.isSimpleArray(t) -> true when t is a table whose keys are exactly the integers 1..n
-- (an empty table counts as a simple array).
local stringify = {}

local format, gsub, find, rep, concat, sort = string.format, string.gsub, string.find, string.rep,
  table.concat, table.sort
local type, next, rawget, tostring, pcall = type, next, rawget, tostring, pcall

local GREEN, BLUE, RED, GRAY, RESET = "\27[32m", "\27[34m", "\27[31m", "\27[90m", "\27[0m"
stringify.colors = { green = GREEN, blue = BLUE, red = RED, gray = GRAY, reset = RESET }

local WIDTH = 80

function stringify.isSimpleArray(t)
  if type(t) ~= "table" then return false end
  local n = 0
  for k in next, t do
    if type(k) ~= "number" or k < 1 or k % 1 ~= 0 then return false end
    n = n + 1
  end
  for i = 1, n do
    if rawget(t, i) == nil then return false end
  end
  return true
end

local quoteEscapes = { ["\\"] = "\\\\", ['"'] = '\\"', ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t" }
local function quoteChar(c)
  return quoteEscapes[c] or format("\\%03d", c:byte())
end

local function quote(s)
  return '"' .. gsub(s, '[%z\1-\31\127\\"]', quoteChar) .. '"'
end

local function scalar(v)
  local t = type(v)
  if t == "string" then return GREEN .. quote(v) .. RESET end
  if t == "number" then return GREEN .. tostring(v) .. RESET end
  if t == "boolean" then return BLUE .. tostring(v) .. RESET end
  if t == "nil" then return RED .. "nil" .. RESET end
  return GRAY .. "<" .. t .. ">" .. RESET
end

local typeRank = { number = 1, string = 2 }

local function keyOrder(a, b)
  local ta, tb = type(a), type(b)
  if ta == tb then
    if ta == "number" or ta == "string" then return a < b end
    if ta == "boolean" then return (not a) and b end
    return tostring(a) < tostring(b)
  end
  local ra, rb = typeRank[ta] or 3, typeRank[tb] or 3
  if ra ~= rb then return ra < rb end
  return ta < tb
end

local function keyText(k)
  if type(k) == "string" and find(k, "^[%a_][%w_]*$") then return GREEN .. k .. RESET end
  return "[" .. scalar(k) .. "]"
end

local function visibleLength(s)
  return #gsub(s, "\27%[%d+m", "")
end

local function render(v, depth, active)
  if type(v) ~= "table" then return scalar(v) end
  if active[v] then return GRAY .. "<cycle>" .. RESET end
  if next(v) == nil then return "{}" end
  active[v] = true
  local parts, n = {}, 0
  if stringify.isSimpleArray(v) then
    local i = 1
    while rawget(v, i) ~= nil do
      n = n + 1
      parts[n] = render(rawget(v, i), depth + 1, active)
      i = i + 1
    end
  else
    local keys = {}
    for k in next, v do keys[#keys + 1] = k end
    -- all numbers or all strings (the usual case): the C sort, no Lua comparator; mixed keys make
    -- it raise, and keyOrder sorts them
    if not pcall(sort, keys) then sort(keys, keyOrder) end
    for i = 1, #keys do
      local k = keys[i]
      n = n + 1
      parts[n] = keyText(k) .. " = " .. render(rawget(v, k), depth + 1, active)
    end
  end
  active[v] = nil
  local line = "{ " .. concat(parts, ", ") .. " }"
  if not find(line, "\n", 1, true) and visibleLength(line) + depth * 2 <= WIDTH then return line end
  local inner = rep("  ", depth + 1)
  return "{\n" .. inner .. concat(parts, ",\n" .. inner) .. "\n" .. rep("  ", depth) .. "}"
end

function stringify.format(value)
  return render(value, 0, {})
end

return stringify
