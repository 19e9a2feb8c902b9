-- TIM3 Coordinator: runs the mint and redeem sagas and holds the security features (emergency
-- pause, circuit breaker, rate limit, dust minimum, timeout with compensation).
-- Protocol: ao/PROTOCOL.md ("Coordinator").  One Operation-Id travels through every message of a
-- saga; every -Error reply is compensated.  Amounts are canonical base-unit strings; limits are
-- in base units; durations in milliseconds (msg.Timestamp).
-- This file holds the state; the handlers are in the modules beside it (ao/PROTOCOL.md, "Code layout").

local message = require("lib.message")
local tag, reply_error = message.tag, message.reply_error

ProcessInfo = ProcessInfo or { name = "TIM3 Coordinator", ticker = "TIM3", version = "2.0.0" }
Config = Config or {
  collateralToken = nil,          -- USDA (or Mock USDA)
  stateManagerProcess = nil,
  lockManagerProcess = nil,
  tokenManagerProcess = nil,
  collateralRatio = "1",          -- fixed 1:1
  minMintAmount = "1",            -- dust: 1 base unit
  maxMintAmount = "10000000000",  -- 10,000 TIM3 per mint
  maxMintPerUser = "50000000000", -- 50,000 TIM3 per user per window
  maxMintPerBlock = "10000000000", -- 10,000 TIM3 globally per window
  blockTimeWindow = 3600000,      -- 1 hour
  largeMintThreshold = "1000000000", -- 1,000 TIM3
  mintCooldownPeriod = 300000,    -- 5 minutes
  rateLimitCount = 10,            -- operations per user per rate window
  rateLimitWindow = 60000,        -- 1 minute
  pendingTimeout = 300000,        -- 5 minutes
  systemActive = true,
  emergencyPaused = false,
}
Totals = Totals or { collateral = "0", tim3 = "0" }
UserPositions = UserPositions or {}   -- user -> {collateral, tim3Minted, redeemed}
Pending = Pending or {}               -- Operation-Id -> saga record
Completed = Completed or {}           -- Operation-Id -> final status
Failed = Failed or {}                 -- Operation-Id -> record needing the admin
-- ao-mutate: skip(constant) the first mint check restarts the window: now - start >= window for any AO time
Window = Window or { start = 0, total = "0" } -- global fixed window of accepted mints
UserMintHistory = UserMintHistory or {} -- user -> { {t, amount, op}, ... } accepted mints in window
UserOpHistory = UserOpHistory or {}     -- user -> { t, ... } accepted operations (rate limit)
LastLargeMint = LastLargeMint or {}     -- user -> timestamp
LastTimestamp = LastTimestamp or 0
Admin = Admin or Owner

-- The modules beside this file (bundled into the build by `ao-harness build`); each adds its
-- handlers when asked, in this order.
local sweep = require("sweep")
local mint = require("mint")
local release = require("release")
local redeem = require("redeem")
local admin = require("admin")
local queries = require("queries")

sweep.handlers()
mint.handlers()
release.handlers()
redeem.handlers()

-- Notices about our own transfers (TIM3 handed back) and state-manager acknowledgements.
Handlers.add("Debit-Notice", "Debit-Notice", function(msg)
  if msg.From ~= Config.tokenManagerProcess and msg.From ~= Config.collateralToken then
    return reply_error(msg, "Debit-Notice", "Unauthorized sender")
  end
end)

Handlers.add("Update-Position-Response", "Update-Position-Response", function(msg)
  if msg.From ~= Config.stateManagerProcess then
    return reply_error(msg, "Update-Position-Response", "Unauthorized sender")
  end
end)

Handlers.add("Update-Position-Error", "Update-Position-Error", function(msg)
  if msg.From ~= Config.stateManagerProcess then
    return reply_error(msg, "Update-Position-Error", "Unauthorized sender")
  end
  print("State manager refused an update: " .. tostring(tag(msg, "Error")))
end)

Handlers.add("Risk-Alert", "Risk-Alert", function(msg)
  if msg.From ~= Config.stateManagerProcess then
    return reply_error(msg, "Risk-Alert", "Unauthorized sender")
  end
  print("Risk alert from the state manager: " .. tostring(msg.Data))
end)

-- The lock-based v1 actions are gone: minting is by deposit, redeeming by TIM3 transfer.
for _, name in ipairs({ "MintTIM3", "BurnTIM3" }) do
  Handlers.add(name, name, function(msg)
    local how = name == "MintTIM3"
      and "Mint by transferring USDA to the lock manager (" .. tostring(Config.lockManagerProcess) .. ")"
      or "Redeem by transferring TIM3 to the coordinator (" .. ao.id .. ")"
    reply_error(msg, name, name .. " is not supported: " .. how)
  end)
end

admin.handlers()
queries.handlers()

