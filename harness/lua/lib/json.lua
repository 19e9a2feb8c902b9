-- json: the JSON module aos processes get from `require("json")`, clean-room, with the quirks of
-- the aos dev-cli json (spec §6): a table with [1] set, or with no keys, encodes as an ARRAY
-- ({} -> "[]"); sparse or mixed tables raise; object keys must be strings; function-valued object
-- fields are skipped; numbers use %.14g; NaN and infinities raise.  decode: null -> nil, numbers
-- through tonumber ("10" -> 10, "1.0" -> 1.0), errors name the line and column.
-- Object keys are encoded in sorted order (aos leaves the order to `pairs`, which is unspecified;
-- sorting makes a test's output the same on every run).
local json = { _version = "0.2.0" }

local concat, format, byte, char, sub, find = table.concat, string.format, string.byte, string.char, string.sub, string.find
local floor, huge = math.floor, math.huge

local escapes = {
  ['"'] = '\\"', ["\\"] = "\\\\", ["\b"] = "\\b", ["\f"] = "\\f",
  ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t",
}

local function escapeChar(c)
  return escapes[c] or format("\\u%04x", byte(c))
end

local function encodeString(s)
  return '"' .. string.gsub(s, '[%c"\\]', escapeChar) .. '"'
end

local encode

local function encodeTable(t, stack, out, n)
  if stack[t] then error("circular reference") end
  stack[t] = true
  if t[1] ~= nil or next(t) == nil then
    -- array: keys must be exactly 1..#t
    local count = 0
    for k in pairs(t) do
      if type(k) ~= "number" then error("invalid table: mixed or invalid key types") end
      count = count + 1
    end
    if count ~= #t then error("invalid table: sparse array") end
    n = n + 1
    out[n] = "["
    for i = 1, #t do
      if i > 1 then
        n = n + 1
        out[n] = ","
      end
      n = encode(t[i], stack, out, n)
    end
    n = n + 1
    out[n] = "]"
  else
    local keys = {}
    for k, v in pairs(t) do
      if type(k) ~= "string" then error("invalid table: mixed or invalid key types") end
      if type(v) ~= "function" then keys[#keys + 1] = k end
    end
    table.sort(keys)
    n = n + 1
    out[n] = "{"
    for i, k in ipairs(keys) do
      if i > 1 then
        n = n + 1
        out[n] = ","
      end
      n = n + 1
      out[n] = encodeString(k) .. ":"
      n = encode(t[k], stack, out, n)
    end
    n = n + 1
    out[n] = "}"
  end
  stack[t] = nil
  return n
end

encode = function(v, stack, out, n)
  local tv = type(v)
  local s
  if tv == "string" then
    s = encodeString(v)
  elseif tv == "number" then
    if v ~= v or v == huge or v == -huge then
      error("unexpected number value '" .. tostring(v) .. "'")
    end
    s = format("%.14g", v)
  elseif tv == "boolean" then
    s = tostring(v)
  elseif tv == "nil" then
    s = "null"
  elseif tv == "table" then
    return encodeTable(v, stack, out, n)
  else
    error("unexpected type '" .. tv .. "'")
  end
  n = n + 1
  out[n] = s
  return n
end

function json.encode(v)
  local out = {}
  local n = encode(v, {}, out, 0)
  return concat(out, "", 1, n)
end

-- decoding -------------------------------------------------------------------------------------

local function position(str, idx)
  local line, col = 1, 1
  for i = 1, idx - 1 do
    col = col + 1
    if sub(str, i, i) == "\n" then
      line = line + 1
      col = 1
    end
  end
  return line, col
end

local function decodeError(str, idx, msg)
  local line, col = position(str, idx)
  error(format("%s at line %d col %d", msg, line, col), 0)
end

local function utf8Char(n)
  if n < 0x80 then
    return char(n)
  elseif n < 0x800 then
    return char(0xC0 + floor(n / 0x40), 0x80 + n % 0x40)
  elseif n < 0x10000 then
    return char(0xE0 + floor(n / 0x1000), 0x80 + floor(n / 0x40) % 0x40, 0x80 + n % 0x40)
  elseif n <= 0x10FFFF then
    return char(0xF0 + floor(n / 0x40000), 0x80 + floor(n / 0x1000) % 0x40,
      0x80 + floor(n / 0x40) % 0x40, 0x80 + n % 0x40)
  end
  error(format("invalid unicode codepoint '%x'", n))
end

local parse

local function skipSpace(str, i)
  local _, e = find(str, "^[ \n\r\t]*", i)
  return e + 1
end

local unescapes = { ['"'] = '"', ["\\"] = "\\", ["/"] = "/", b = "\b", f = "\f", n = "\n", r = "\r", t = "\t" }

local function parseString(str, i)
  local parts, n = {}, 0
  local j = i + 1
  while true do
    local s, e = find(str, '^[^"\\%c]+', j)
    if s then
      n = n + 1
      parts[n] = sub(str, s, e)
      j = e + 1
    end
    local c = sub(str, j, j)
    if c == '"' then
      return concat(parts, "", 1, n), j + 1
    elseif c == "\\" then
      local x = sub(str, j + 1, j + 1)
      if x == "u" then
        local hex = sub(str, j + 2, j + 5)
        if not find(hex, "^%x%x%x%x$") then decodeError(str, j, "invalid unicode escape in string") end
        local cp = tonumber(hex, 16)
        local used = 6
        if cp >= 0xD800 and cp <= 0xDBFF then
          local lowHex = string.match(str, "^\\u(%x%x%x%x)", j + 6)
          if lowHex then
            local low = tonumber(lowHex, 16)
            if low >= 0xDC00 and low <= 0xDFFF then
              cp = (cp - 0xD800) * 0x400 + (low - 0xDC00) + 0x10000
              used = 12
            end
          end
        end
        n = n + 1
        parts[n] = utf8Char(cp)
        j = j + used
      elseif unescapes[x] then
        n = n + 1
        parts[n] = unescapes[x]
        j = j + 2
      else
        decodeError(str, j, "invalid escape char '" .. x .. "' in string")
      end
    elseif c == "" then
      decodeError(str, i, "expected closing quote for string")
    else
      decodeError(str, j, "control character in string")
    end
  end
end

local function parseNumber(str, i)
  local s, e = find(str, "^-?%d+%.?%d*[eE]?[-+]?%d*", i)
  if not s then decodeError(str, i, "invalid number") end
  local text = sub(str, s, e)
  local n = tonumber(text)
  if not n then decodeError(str, i, "invalid number '" .. text .. "'") end
  return n, e + 1
end

local literals = { ["true"] = true, ["false"] = false }

local function parseArray(str, i)
  local res, n = {}, 0
  i = skipSpace(str, i + 1)
  if sub(str, i, i) == "]" then return res, i + 1 end
  while true do
    local v
    v, i = parse(str, i)
    n = n + 1
    res[n] = v
    i = skipSpace(str, i)
    local c = sub(str, i, i)
    i = i + 1
    if c == "]" then return res, i end
    if c ~= "," then decodeError(str, i - 1, "expected ']' or ','") end
    i = skipSpace(str, i)
  end
end

local function parseObject(str, i)
  local res = {}
  i = skipSpace(str, i + 1)
  if sub(str, i, i) == "}" then return res, i + 1 end
  while true do
    if sub(str, i, i) ~= '"' then decodeError(str, i, "expected string for key") end
    local key
    key, i = parseString(str, i)
    i = skipSpace(str, i)
    if sub(str, i, i) ~= ":" then decodeError(str, i, "expected ':' after key") end
    local v
    v, i = parse(str, skipSpace(str, i + 1))
    res[key] = v
    i = skipSpace(str, i)
    local c = sub(str, i, i)
    i = i + 1
    if c == "}" then return res, i end
    if c ~= "," then decodeError(str, i - 1, "expected '}' or ','") end
    i = skipSpace(str, i)
  end
end

parse = function(str, i)
  local c = sub(str, i, i)
  if c == "{" then
    return parseObject(str, i)
  elseif c == "[" then
    return parseArray(str, i)
  elseif c == '"' then
    return parseString(str, i)
  elseif c == "-" or find(c, "^%d") then
    return parseNumber(str, i)
  elseif c == "n" and sub(str, i, i + 3) == "null" then
    return nil, i + 4
  else
    for word, value in pairs(literals) do
      if sub(str, i, i + #word - 1) == word then return value, i + #word end
    end
  end
  decodeError(str, i, "unexpected character '" .. c .. "'")
end

function json.decode(str)
  if type(str) ~= "string" then
    error("expected argument of type string, got " .. type(str))
  end
  local res, idx = parse(str, skipSpace(str, 1))
  idx = skipSpace(str, idx)
  if idx <= #str then decodeError(str, idx, "trailing garbage") end
  return res
end

return json
