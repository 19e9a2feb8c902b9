-- .stringify: the coloured pretty printer aos's print uses for tables, clean-room.
-- Format: `{ key = value, ... }` on one line when short, otherwise one entry per line indented by
-- two spaces; array items print without keys; keys sorted (numbers first, then strings); strings
-- green and quoted, numbers green, booleans blue, nil red; cycles print as <cycle>.
local stringify = {}

local colors = { green = "\27[32m", blue = "\27[34m", red = "\27[31m", gray = "\27[90m", reset = "\27[0m" }

function stringify.isSimpleArray(t)
  if type(t) ~= "table" then return false end
  local n = 0
  for k in pairs(t) do
    if type(k) ~= "number" or k < 1 or k % 1 ~= 0 then return false end
    n = n + 1
  end
  return n == #t
end

local function keyOrder(a, b)
  local ta, tb = type(a), type(b)
  if ta == tb and (ta == "number" or ta == "string") then return a < b end
  if ta == "number" then return true end
  if tb == "number" then return false end
  return tostring(a) < tostring(b)
end

local function scalar(v)
  local t = type(v)
  if t == "string" then return colors.green .. string.format("%q", v) .. colors.reset end
  if t == "number" then return colors.green .. tostring(v) .. colors.reset end
  if t == "boolean" then return colors.blue .. tostring(v) .. colors.reset end
  if t == "nil" then return colors.red .. "nil" .. colors.reset end
  return colors.gray .. "<" .. t .. ">" .. colors.reset
end

local function format(v, indent, seen)
  if type(v) ~= "table" then return scalar(v) end
  if seen[v] then return colors.gray .. "<cycle>" .. colors.reset end
  seen[v] = true
  local parts = {}
  if stringify.isSimpleArray(v) then
    for i = 1, #v do parts[i] = format(v[i], indent .. "  ", seen) end
  else
    local keys = {}
    for k in pairs(v) do keys[#keys + 1] = k end
    table.sort(keys, keyOrder)
    for i, k in ipairs(keys) do
      local key = type(k) == "string" and string.match(k, "^[%a_][%w_]*$") and k or ("[" .. scalar(k) .. "]")
      parts[i] = key .. " = " .. format(v[k], indent .. "  ", seen)
    end
  end
  seen[v] = nil
  if #parts == 0 then return "{}" end
  local one = "{ " .. table.concat(parts, ", ") .. " }"
  if #one <= 80 and not string.find(one, "\n") then return one end
  local inner = indent .. "  "
  return "{\n" .. inner .. table.concat(parts, ",\n" .. inner) .. "\n" .. indent .. "}"
end

function stringify.format(v)
  return format(v, "", {})
end

return stringify
