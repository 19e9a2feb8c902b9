-- Coordinator: the queries (Info, GetPosition, GetOperation, SystemHealth, GetConfig).  They
-- never change state and never sweep.  Part of ao/coordinator/src/process.lua (bundled into its build).

local json = require("json")
local amount = require("lib.amount")
local message = require("lib.message")
local saga = require("saga")
local admin = require("admin")
local tag = message.tag
local position_view = saga.position_view

local M = {}

local function count(t)
  local n = 0
  for _ in pairs(t) do
    n = n + 1
  end
  return n
end

-- The query handlers.
function M.handlers()
  Handlers.add("Info", "Info", function(msg)
    msg.reply({
      Action = "Info-Response",
      Data = json.encode({
        name = ProcessInfo.name, ticker = ProcessInfo.ticker, version = ProcessInfo.version,
        systemActive = Config.systemActive, emergencyPaused = Config.emergencyPaused,
        totalCollateral = Totals.collateral, totalTIM3Minted = Totals.tim3,
        collateralRatio = Config.collateralRatio, pendingOperations = count(Pending),
      }),
    })
  end)

  Handlers.add("GetPosition", "GetPosition", function(msg)
    local user = tag(msg, "User") or msg.From
    msg.reply({ Action = "Position-Response", Data = json.encode({ user = user, position = position_view(user) }) })
  end)

  Handlers.add("GetOperation", "GetOperation", function(msg)
    local opid = tag(msg, "Operation-Id")
    local op = opid and (Pending[opid] or Failed[opid])
    msg.reply({
      Action = "Operation-Response",
      Data = json.encode({ operationId = opid, pending = Pending[opid] ~= nil, operation = op,
        outcome = opid and Completed[opid] or nil }),
    })
  end)

  Handlers.add("SystemHealth", "SystemHealth", function(msg)
    local active = 0
    for _, p in pairs(UserPositions) do
      if p.tim3Minted ~= "0" then
        active = active + 1
      end
    end
    msg.reply({
      Action = "SystemHealth-Response",
      Data = json.encode({
        systemActive = Config.systemActive, emergencyPaused = Config.emergencyPaused,
        totalCollateral = Totals.collateral, totalTIM3Minted = Totals.tim3,
        globalCollateralRatio = amount.ratio(Totals.collateral, Totals.tim3, 6),
        targetCollateralRatio = Config.collateralRatio, userPositions = active,
        pendingOperations = count(Pending), failedOperations = count(Failed),
      }),
    })
  end)

  Handlers.add("GetConfig", "GetConfig", function(msg)
    msg.reply({
      Action = "GetConfig-Response",
      Data = json.encode({
        processes = admin.process_ids(),
        systemConfig = {
          collateralRatio = Config.collateralRatio, minMintAmount = Config.minMintAmount,
          maxMintAmount = Config.maxMintAmount, maxMintPerUser = Config.maxMintPerUser,
          maxMintPerBlock = Config.maxMintPerBlock, blockTimeWindow = Config.blockTimeWindow,
          largeMintThreshold = Config.largeMintThreshold, mintCooldownPeriod = Config.mintCooldownPeriod,
          rateLimitCount = Config.rateLimitCount, rateLimitWindow = Config.rateLimitWindow,
          pendingTimeout = Config.pendingTimeout, systemActive = Config.systemActive,
          emergencyPaused = Config.emergencyPaused,
        },
        admin = Admin,
        timestamp = msg.Timestamp,
      }),
    })
  end)
end

return M
