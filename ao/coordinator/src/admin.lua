-- Coordinator: administration (Admin only): Configure and its upstream aliases (SetProcessConfig,
-- Set<Process>Process), emergency pause, manual cleanup.
-- Part of ao/coordinator/src/process.lua (bundled into its build).

local json = require("json")
local message = require("lib.message")
local config = require("lib.config")
local saga = require("saga")
local sweep = require("sweep")
local tag, reply_error = message.tag, message.reply_error
local now_of = saga.now_of

local M = {}

-- Where a process-id setting is stored in Config.
local PROCESS_FIELD = {
  MockUsdaProcess = "collateralToken", AllowedUSDAProcess = "collateralToken", CollateralToken = "collateralToken",
  StateManagerProcess = "stateManagerProcess", LockManagerProcess = "lockManagerProcess",
  TokenManagerProcess = "tokenManagerProcess",
}

-- TIM3 is backed 1:1: CollateralRatio accepts only 1 (and changes nothing).
local function one_to_one(value)
  if value == "1" or value == "1.0" then
    return value
  end
  return nil, "TIM3 is backed 1:1, only '1' is accepted"
end

local SETTINGS = { AdminProcess = config.ADMIN, CollateralRatio = { one_to_one, function() end } }
config.add(SETTINGS, config.process_id, Config, PROCESS_FIELD)
config.add(SETTINGS, config.positive_amount, Config, {
  MinMintAmount = "minMintAmount", MaxMintAmount = "maxMintAmount", MaxMintPerUser = "maxMintPerUser",
  MaxMintPerBlock = "maxMintPerBlock", LargeMintThreshold = "largeMintThreshold",
})
config.add(SETTINGS, config.whole_number, Config, {
  PendingTimeout = "pendingTimeout", BlockTimeWindow = "blockTimeWindow",
  MintCooldownPeriod = "mintCooldownPeriod", RateLimitWindow = "rateLimitWindow", RateLimitCount = "rateLimitCount",
})
config.add(SETTINGS, config.boolean, Config, { SystemActive = "systemActive" })

local SET_TAGS = {
  ["Mock-Usda-Process"] = "MockUsdaProcess", ["State-Manager-Process"] = "StateManagerProcess",
  ["Lock-Manager-Process"] = "LockManagerProcess", ["Token-Manager-Process"] = "TokenManagerProcess",
  ["Allowed-Usda-Process"] = "AllowedUSDAProcess",
}

-- The configured process ids, as GetConfig and SetProcessConfig report them.
function M.process_ids()
  return {
    mockUsdaProcess = Config.collateralToken, allowedUsdaProcess = Config.collateralToken,
    stateManagerProcess = Config.stateManagerProcess, lockManagerProcess = Config.lockManagerProcess,
    tokenManagerProcess = Config.tokenManagerProcess,
  }
end

-- Configure, SetProcessConfig, Set<Process>Process, EmergencyPause, CleanupExpired.
function M.handlers()
  config.handle(SETTINGS)

  Handlers.add("SetProcessConfig", "SetProcessConfig", function(msg)
    if not config.admin_only(msg, "SetProcessConfig") then
      return
    end
    -- validate everything first so that a bad id changes nothing
    for tname, ctype in pairs(SET_TAGS) do
      local v = tag(msg, tname)
      if v ~= nil and not config.process_id(v) then
        return reply_error(msg, "SetProcessConfig", "Invalid value for " .. ctype .. ": need a 43-character process id")
      end
    end
    for tname, ctype in pairs(SET_TAGS) do
      local v = tag(msg, tname)
      if v ~= nil then
        config.apply(SETTINGS, ctype, v)
      end
    end
    local data = M.process_ids()
    data.timestamp = now_of(msg)
    msg.reply({ Action = "SetProcessConfig-Response", Data = json.encode(data) })
  end)

  for action, ctype in pairs({ SetMockUsdaProcess = "MockUsdaProcess", SetStateManagerProcess = "StateManagerProcess",
    SetLockManagerProcess = "LockManagerProcess", SetTokenManagerProcess = "TokenManagerProcess" }) do
    Handlers.add(action, action, function(msg)
      if not config.admin_only(msg, action) then
        return
      end
      local value = tag(msg, "Process-Id") or msg.Data
      local err = config.apply(SETTINGS, ctype, value)
      if err then
        return reply_error(msg, action, err)
      end
      local field = PROCESS_FIELD[ctype] == "collateralToken" and "mockUsdaProcess" or PROCESS_FIELD[ctype]
      msg.reply({ Action = action .. "-Response", Data = json.encode({ [field] = value, status = "configured" }) })
    end)
  end

  Handlers.add("EmergencyPause", "EmergencyPause", function(msg)
    if not config.admin_only(msg, "EmergencyPause", "pause system") then
      return
    end
    local pause = tag(msg, "Pause")
    if pause ~= "true" and pause ~= "false" then
      return reply_error(msg, "EmergencyPause", "Pause must be 'true' or 'false'")
    end
    Config.emergencyPaused = pause == "true"
    local now = now_of(msg)
    msg.reply({
      Action = "EmergencyPause-Response",
      Data = json.encode({
        emergencyPaused = Config.emergencyPaused, systemActive = Config.systemActive, timestamp = now,
        by = msg.From, reason = tag(msg, "Reason") or "No reason provided",
      }),
    })
  end)

  Handlers.add("CleanupExpired", "CleanupExpired", function(msg)
    if not config.admin_only(msg, "CleanupExpired", "clean up") then
      return
    end
    local now = now_of(msg)
    local n = sweep.sweep(now)
    msg.reply({ Action = "CleanupExpired-Response", Data = json.encode({ cleanedOperations = n, timestamp = now }) })
  end)
end

return M
