-- ao/lib/config.lua: the Admin check and the table-driven `Configure` handler every TIM3 process
-- shares.  Bundled into each process's build by `ao-harness build`.
--
-- Every process declares `Admin = Admin or Owner` at the top of its file; this module is the one
-- place that compares a sender with it and the one place that changes it (Config-Type
-- AdminProcess).  A process describes its settings as a table:
--
--   local SETTINGS = { AdminProcess = config.ADMIN, FaucetMax = { config.positive_amount, set_max } }
--   config.add(SETTINGS, config.process_id, Config, { CoordinatorProcess = "coordinatorProcess" })
--   config.handle(SETTINGS)
--
-- A setting is { check, setter }: the check takes the Value tag and returns the value to store,
-- or nil and the reason; the setter stores it.  Replies: `Configure-Response` with Data {configType, value, success}, or
-- `Configure-Error` with "Unauthorized - only admin can configure", "Invalid value for <type>:
-- <reason>" or "Unknown configuration type: <type>".

local json = require("json")
local amount = require("lib.amount")
local message = require("lib.message")

local M = {}

-- True when msg comes from the process's Admin; otherwise replies `<action>-Error`
-- "Unauthorized - only admin can <what>" (what defaults to "configure") and returns false.
function M.admin_only(msg, action, what)
  if msg.From == Admin then
    return true
  end
  message.reply_error(msg, action, "Unauthorized - only admin can " .. (what or "configure"))
  return false
end

-- Checks: value -> stored value | nil, reason.

function M.process_id(value)
  if message.is_address(value) then
    return value
  end
  return nil, "need a 43-character process id"
end

function M.positive_amount(value)
  return amount.check_positive(value)
end

function M.boolean(value)
  if value == "true" or value == "false" then
    return value == "true"
  end
  return nil, "need 'true' or 'false'"
end

-- A positive whole number that fits a Lua number exactly (durations in ms, counts).
function M.whole_number(value)
  if type(value) ~= "string" or not string.match(value, "^[1-9]%d*$") or #value > 12 then
    return nil, "need a positive whole number"
  end
  return tonumber(value)
end

-- A setter that stores into t[key].
function M.into(t, key)
  return function(value)
    t[key] = value
  end
end

-- Add settings that share a check and store into target: names maps Config-Type -> key.
function M.add(settings, check, target, names)
  for ctype, key in pairs(names) do
    settings[ctype] = { check, M.into(target, key) }
  end
  return settings
end

-- Hands the Admin role to another process or wallet (the only place Admin changes).
function M.set_admin(value)
  Admin = value
end

-- The AdminProcess setting: a process id becomes the Admin.
M.ADMIN = { M.process_id, M.set_admin }

-- Apply one setting; returns nil on success, or the error text (nothing changed).
function M.apply(settings, ctype, value)
  local setting = settings[ctype]
  if setting == nil then
    return "Unknown configuration type: " .. tostring(ctype)
  end
  local stored, why = setting[1](value)
  if stored == nil then
    return "Invalid value for " .. ctype .. ": " .. tostring(why)
  end
  setting[2](stored)
  return nil
end

-- Add the Admin-only `Configure {Config-Type, Value}` handler for these settings.
function M.handle(settings)
  Handlers.add("Configure", "Configure", function(msg)
    if not M.admin_only(msg, "Configure") then
      return
    end
    local ctype, value = message.tag(msg, "Config-Type"), message.tag(msg, "Value")
    local err = M.apply(settings, ctype, value)
    if err then
      return message.reply_error(msg, "Configure", err)
    end
    msg.reply({
      Action = "Configure-Response",
      Data = json.encode({ configType = ctype, value = value, success = true }),
    })
  end)
end

return M
