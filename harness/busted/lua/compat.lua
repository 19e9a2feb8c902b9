-- Modules a spec may require: the JSON ones (cjson, cjson.safe, dkjson) on our pure-Lua json,
-- luassert's own module names, say, and busted's (for specs that require them explicitly).
local json, luassert, R = ...

local null = setmetatable({}, { __tostring = function() return "null" end })

local cjson = {
  encode = function(v) return json.encode(v) end,
  decode = function(s) return json.decode(s) end,
  null = null,
  empty_array = setmetatable({}, { __tostring = function() return "[]" end }),
  encode_empty_table_as_object = function() end,
  encode_sparse_array = function() end,
  decode_array_with_array_mt = function() end,
  encode_escape_forward_slash = function() end,
  _NAME = "cjson (ao-harness json)",
}
cjson.new = function() return cjson end

local cjson_safe = {}
for k, v in pairs(cjson) do cjson_safe[k] = v end
cjson_safe.encode = function(v)
  local ok, r = pcall(json.encode, v)
  if ok then return r end
  return nil, r
end
cjson_safe.decode = function(s)
  local ok, r = pcall(json.decode, s)
  if ok then return r end
  return nil, r
end

local dkjson = {
  null = null,
  version = "dkjson (ao-harness json)",
  encode = function(v) return json.encode(v) end,
  decode = function(s, pos, nullval)
    local ok, r = pcall(json.decode, pos and s:sub(pos) or s)
    if ok then
      if r == nil and nullval ~= nil then r = nullval end
      return r, #s + 1, nil
    end
    return nil, pos or 1, tostring(r)
  end,
  use_lpeg = function() return dkjson end,
}

local busted = setmetatable({}, { __index = function(_, k)
  local v = R.api[k]
  if v ~= nil then return v end
  return R.env[k]
end })

return {
  cjson = cjson,
  ["cjson.safe"] = cjson_safe,
  dkjson = dkjson,
  say = luassert.say,
  luassert = luassert.assert,
  ["luassert.assert"] = luassert.assert,
  ["luassert.spy"] = luassert.spy,
  ["luassert.stub"] = luassert.stub,
  ["luassert.mock"] = luassert.mock,
  ["luassert.match"] = luassert.match,
  ["luassert.util"] = luassert.util,
  ["luassert.state"] = luassert.state,
  ["luassert.namespaces"] = luassert.namespaces,
  busted = busted,
  ["busted.runner"] = function() end,
}
