-- ao/lib/message.lua: the small message helpers every TIM3 process shares.
-- Bundled into each process's build by `ao-harness build`.

local json = require("json")
local amount = require("lib.amount")

local M = {}

-- A tag value (msg.Tags keeps the FIRST of duplicate tags; root fields keep the last).
function M.tag(msg, name)
  return msg.Tags and msg.Tags[name]
end

-- Reply `<Action>-Error` with a readable Error tag (and the same text as Data), plus extra tags.
function M.reply_error(msg, action, err, extra)
  local t = { Action = action .. "-Error", Error = err, Data = err }
  for k, v in pairs(extra or {}) do
    t[k] = v
  end
  msg.reply(t)
end

-- A 43-character AO id (wallet or process).
function M.is_address(v)
  return type(v) == "string" and #v == 43 and string.match(v, "^[%w_%-]+$") ~= nil
end

-- Amount from Quantity (standard) or Amount (upstream); nil, reason when missing or malformed.
function M.read_amount(msg)
  local raw = M.tag(msg, "Quantity")
  if raw == nil then
    raw = M.tag(msg, "Amount")
  end
  if raw == nil then
    return nil, "Quantity is required"
  end
  local q, why = amount.check_positive(raw)
  if not q then
    return nil, "Quantity " .. why
  end
  return q
end

-- JSON of a map, with an empty map as {} (aos json encodes an empty table as []).
function M.encode_map(t)
  if next(t) == nil then
    return "{}"
  end
  return json.encode(t)
end

return M
