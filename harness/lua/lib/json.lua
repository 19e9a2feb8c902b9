-- json: the JSON module aos processes get from `require("json")`, written for this project with the
-- behaviour of the aos dev-cli json (docs/aos-semantics.md §6, gotchas 17/18); Lua 5.1-5.5, LuaJIT.
--
-- encode(value)
--   * a table with [1] set, or with no keys at all, is an ARRAY (so {} -> "[]"); its keys must be
--     exactly 1..#t, otherwise it raises ("sparse array" / "mixed or invalid key types");
--   * any other table is an OBJECT: every key must be a string (else it raises); fields whose
--     value is a function are skipped silently;  keys are written in the order of `pairs`, as
--     aos's json does (in the harness that order is reproducible: sorted, or shuffled with
--     --ao-pairs=shuffled);
--   * numbers use "%.14g" (10 -> "10", 1e16 -> "1e+16", integers above ~1e14 lose digits);
--     NaN and +-inf raise;  nil -> null;  booleans as-is;
--   * strings: '"' and '\' are escaped, \b \f \n \r \t by name, other bytes below 0x20 as \u00XX;
--     everything else (including '/' and UTF-8) is copied as-is;
--   * cycles raise "circular reference"; functions, userdata and threads raise.
-- decode(text)
--   * null -> nil (an object key with a null value disappears; in an array it leaves a hole);
--   * numbers through tonumber ("10" -> 10, an integer on 5.3+; "1.0" -> 1.0, a float);
--   * \uXXXX escapes become UTF-8, a surrogate pair becomes one 4-byte character;
--     (a lone surrogate is kept as its 3-byte form); raw bytes >= 0x20, UTF-8 and DEL included,
--     are copied as they are; raw control bytes inside a string raise;
--   * deep nesting is limited by the Lua stack ("stack overflow", a plain Lua error);
--   * grammar and errors as live's (below the encoder): "[1,2,]" is {1, 2}, "0x10" is 16,
--     errors are "<chunk position>: <what> at line L col C".
local json = { _version = "0.2.0" }

local concat, format, byte, char, sub, find, gsub = table.concat, string.format, string.byte,
  string.char, string.sub, string.find, string.gsub
local floor, huge = math.floor, math.huge
local type, rawget, next, tostring, tonumber, error = type, rawget, next, tostring, tonumber, error

-- encoding -------------------------------------------------------------------------------------

local escapes = {
  ['"'] = '\\"', ["\\"] = "\\\\", ["\b"] = "\\b", ["\f"] = "\\f",
  ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t",
}
for i = 0, 31 do
  local c = char(i)
  if not escapes[c] then escapes[c] = format("\\u%04x", i) end
end

local NEEDS_ESCAPE = '[%z\1-\31"\\]'

-- The encoder writes pieces into one buffer `out` (n pieces so far) and concatenates once at the
-- end.  Strings, numbers and booleans inside a table are written inline, each piece carrying its
-- separator and, for an object entry, its key, so an entry costs one piece and one concatenation.

local function encodeString(s)
  if find(s, NEEDS_ESCAPE) then s = gsub(s, NEEDS_ESCAPE, escapes) end
  return '"' .. s .. '"'
end

local function numberText(v)
  if v ~= v or v == huge or v == -huge then
    error("unexpected number value '" .. tostring(v) .. "'")
  end
  return format("%.14g", v)
end

local encodeTable

-- a value that is not a string, number or boolean (those are written inline by the callers)
local function encodeOther(v, tv, stack, out, n)
  if tv == "table" then return encodeTable(v, stack, out, n) end
  if tv == "nil" then
    n = n + 1
    out[n] = "null"
    return n
  end
  error("unexpected type '" .. tv .. "'")
end

encodeTable = function(t, stack, out, n)
  if stack[t] then error("circular reference") end
  stack[t] = true
  if rawget(t, 1) ~= nil or next(t) == nil then
    local count = 0
    for k in next, t do -- counting only: the order does not matter
      if type(k) ~= "number" then error("invalid table: mixed or invalid key types") end
      count = count + 1
    end
    local len = #t
    if count ~= len then error("invalid table: sparse array") end
    local sep = "["
    for i = 1, len do
      local v = t[i]
      local tv = type(v)
      n = n + 1
      if tv == "string" then
        if find(v, NEEDS_ESCAPE) then v = gsub(v, NEEDS_ESCAPE, escapes) end
        out[n] = sep .. '"' .. v .. '"'
      elseif tv == "number" then
        if v ~= v or v == huge or v == -huge then numberText(v) end
        out[n] = format(sep == "," and ",%.14g" or "[%.14g", v)
      elseif tv == "boolean" then
        out[n] = v and sep .. "true" or sep .. "false"
      else
        out[n] = sep
        n = encodeOther(v, tv, stack, out, n)
      end
      sep = ","
    end
    n = n + 1
    out[n] = len == 0 and "[]" or "]"
  else
    -- the global `pairs`, read at each call (the harness installs its own): the order of the
    -- entries is observable, so it is `pairs`'s
    local sep = "{"
    for key, value in pairs(t) do
      if type(key) ~= "string" then error("invalid table: mixed or invalid key types") end
      local tv = type(value)
      if tv ~= "function" then
        local k, v = key, value -- (loop variables are constant on 5.5)
        if find(k, NEEDS_ESCAPE) then k = gsub(k, NEEDS_ESCAPE, escapes) end
        n = n + 1
        if tv == "string" then
          if find(v, NEEDS_ESCAPE) then v = gsub(v, NEEDS_ESCAPE, escapes) end
          out[n] = sep .. '"' .. k .. '":"' .. v .. '"'
        elseif tv == "number" then
          out[n] = sep .. '"' .. k .. '":' .. numberText(v)
        elseif tv == "boolean" then
          out[n] = sep .. '"' .. k .. (v and '":true' or '":false')
        else
          out[n] = sep .. '"' .. k .. '":'
          n = encodeOther(v, tv, stack, out, n)
        end
        sep = ","
      end
    end
    n = n + 1
    out[n] = sep == "{" and "{}" or "}"
  end
  stack[t] = nil
  return n
end

function json.encode(value)
  local tv = type(value)
  if tv == "string" then return encodeString(value) end
  if tv == "number" then return numberText(value) end
  if tv == "boolean" then return value and "true" or "false" end
  local out = {}
  local n = encodeOther(value, tv, {}, out, 0)
  return concat(out, "", 1, n)
end

-- decoding -------------------------------------------------------------------------------------
-- The grammar and the messages are the live module's (aos's dev-cli json): a number or a literal
-- runs to the next delimiter (space, tab, CR, LF, "]", "}", ",") and must then be a whole
-- `tonumber` number ("0x10" is 16) or exactly true/false/null; an array or object may end with a
-- comma ("[1,2,]"); errors are "<what> at line L col C", raised with the chunk position in front
-- as live's are.

local SPACE = { [32] = true, [9] = true, [13] = true, [10] = true }
local DELIMS = "[ \t\r\n%]},]"

local function decodeError(str, idx, msg)
  local line, lineStart = 1, 1
  while true do
    local nl = find(str, "\n", lineStart, true)
    if not nl or nl >= idx then break end
    line = line + 1
    lineStart = nl + 1
  end
  error(format("%s at line %d col %d", msg, line, idx - lineStart + 1))
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

local unescapes = { ['"'] = '"', ["\\"] = "\\", ["/"] = "/", b = "\b", f = "\f", n = "\n", r = "\r", t = "\t" }

-- the next byte that ends a run of plain string characters
local STRING_STOP = '["\\%z\1-\31]'

-- the index of the first non-whitespace byte at or after i (#str + 1 at the end)
local function skip(str, i)
  while SPACE[byte(str, i)] do i = i + 1 end
  return i
end

-- i is the index of the opening quote; returns the string and the index after the closing quote
local function parseString(str, i)
  local j = i + 1
  local k = find(str, STRING_STOP, j)
  if k and byte(str, k) == 34 then return sub(str, j, k - 1), k + 1 end -- no escapes: fast path
  local parts, n = {}, 0
  while k do
    if k > j then
      n = n + 1
      parts[n] = sub(str, j, k - 1)
    end
    local c = byte(str, k)
    if c == 34 then -- "
      return concat(parts, "", 1, n), k + 1
    elseif c == 92 then -- backslash
      local x = sub(str, k + 1, k + 1)
      if x == "u" then
        -- a high surrogate followed by \uXXXX is one pair (the second half is not checked,
        -- as live's is not); otherwise four hex digits
        local hi, lo = string.match(str, "^([dD][89aAbB]%x%x)\\u(%x%x%x%x)", k + 2)
        local cp
        if hi then
          cp = (tonumber(hi, 16) - 0xD800) * 0x400 + (tonumber(lo, 16) - 0xDC00) + 0x10000
          j = k + 12
        else
          local hex = string.match(str, "^%x%x%x%x", k + 2)
          if not hex then decodeError(str, k, "invalid unicode escape in string") end
          cp = tonumber(hex, 16)
          j = k + 6
        end
        n = n + 1
        parts[n] = utf8Char(cp)
      else
        local u = unescapes[x]
        if not u then decodeError(str, k, "invalid escape char '" .. x .. "' in string") end
        n = n + 1
        parts[n] = u
        j = k + 2
      end
    else
      decodeError(str, k, "control character in string")
    end
    k = find(str, STRING_STOP, j)
  end
  decodeError(str, i, "expected closing quote for string")
end

-- a number or a literal: the text up to the next delimiter
local function word(str, i)
  local stop = find(str, DELIMS, i) or #str + 1
  return sub(str, i, stop - 1), stop
end

local function parseNumber(str, i)
  local text, stop = word(str, i)
  local v = tonumber(text)
  if not v then decodeError(str, i, "invalid number '" .. text .. "'") end
  return v, stop
end

local LITERALS = { ["true"] = true, ["false"] = false }

local function parseLiteral(str, i)
  local text, stop = word(str, i)
  if text ~= "null" and LITERALS[text] == nil then decodeError(str, i, "invalid literal '" .. text .. "'") end
  return LITERALS[text], stop
end

local parseValue

local function parseArray(str, i)
  local res, n = {}, 0
  i = i + 1
  while true do
    i = skip(str, i)
    if byte(str, i) == 93 then return res, i + 1 end -- ] (also after a trailing comma)
    local v
    v, i = parseValue(str, i)
    n = n + 1
    res[n] = v
    i = skip(str, i)
    local c = byte(str, i)
    i = i + 1
    if c == 93 then return res, i end
    if c ~= 44 then decodeError(str, i, "expected ']' or ','") end
  end
end

local function parseObject(str, i)
  local res = {}
  i = i + 1
  while true do
    i = skip(str, i)
    local c = byte(str, i)
    if c == 125 then return res, i + 1 end -- } (also after a trailing comma)
    if c ~= 34 then decodeError(str, i, "expected string for key") end
    local key
    local k = find(str, STRING_STOP, i + 1)
    if k and byte(str, k) == 34 then -- a key without escapes (the usual case)
      key = sub(str, i + 1, k - 1)
      i = k + 1
    else
      key, i = parseString(str, i)
    end
    i = skip(str, i)
    if byte(str, i) ~= 58 then decodeError(str, i, "expected ':' after key") end
    local v
    v, i = parseValue(str, skip(str, i + 1))
    res[key] = v
    i = skip(str, i)
    c = byte(str, i)
    i = i + 1
    if c == 125 then return res, i end
    if c ~= 44 then decodeError(str, i, "expected '}' or ','") end
  end
end

local PARSERS = {
  [34] = parseString, [123] = parseObject, [91] = parseArray, [45] = parseNumber,
  [116] = parseLiteral, [102] = parseLiteral, [110] = parseLiteral,
}
for d = 48, 57 do PARSERS[d] = parseNumber end

parseValue = function(str, i)
  local f = PARSERS[byte(str, i)]
  if f then return f(str, i) end
  decodeError(str, i, "unexpected character '" .. sub(str, i, i) .. "'")
end

function json.decode(str)
  if type(str) ~= "string" then
    error("expected argument of type string, got " .. type(str))
  end
  local res, idx = parseValue(str, skip(str, 1))
  idx = skip(str, idx)
  if idx <= #str then decodeError(str, idx, "trailing garbage") end
  return res
end

return json
