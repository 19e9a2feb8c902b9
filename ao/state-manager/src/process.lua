-- TIM3 State Manager: the read model.  System totals (TIM3 supply, collateral), per-user
-- positions, collateral ratio, risk bands (1.0 / 0.95 / 0.90) and the health score (-20 per
-- critical, -10 per at-risk position, -15 when the global ratio is below target, floor 0).
-- Updates are accepted only from the configured coordinator.  Queries never change state.
-- Protocol: ao/PROTOCOL.md ("State Manager").  Ratios are exact: integers scaled by 10^6.

local json = require("json")
local amount = require("lib.amount")
local message = require("lib.message")
local config = require("lib.config")
local tag, reply_error = message.tag, message.reply_error

local SCALE = 6
local ONE = "1000000"

ProcessInfo = ProcessInfo or { name = "TIM3 State Manager", ticker = "TIM3-STATE", version = "2.0.0" }
SystemState = SystemState or {
  totalCollateral = "0",
  totalTIM3Supply = "0",
  targetCollateralRatio = ONE,     -- scaled by 10^6
  liquidationThreshold = ONE,      -- scaled by 10^6 (upstream left it nil and crashed)
  lastOperationId = nil,
  updates = 0,
}
UserPositions = UserPositions or {} -- user -> {collateral, tim3Balance, lastUpdate}
Config = Config or {
  coordinatorProcess = nil,
  riskThresholds = { healthy = ONE, warning = "950000", danger = "900000" },
}
Admin = Admin or Owner

-- Health factor scaled by 10^6; nil when nothing is owed (reported as "999").
local function health_scaled(p)
  if p.tim3Balance == "0" then
    return nil
  end
  return amount.scaled_ratio(p.collateral, p.tim3Balance, SCALE)
end

local function health_text(p)
  local h = health_scaled(p)
  return h and amount.format_scaled(h, SCALE) or "999"
end

local function risk_level(p)
  local h = health_scaled(p)
  if h == nil or amount.ge(h, Config.riskThresholds.healthy) then
    return "healthy"
  elseif amount.ge(h, Config.riskThresholds.warning) then
    return "warning"
  elseif amount.ge(h, Config.riskThresholds.danger) then
    return "danger"
  end
  return "critical"
end

local function global_ratio_scaled()
  if SystemState.totalTIM3Supply == "0" then
    return "0"
  end
  return amount.scaled_ratio(SystemState.totalCollateral, SystemState.totalTIM3Supply, SCALE)
end

-- Everything derived, computed fresh for each answer (nothing is written back).
local function metrics()
  local m = { underCollateralizedPositions = 0, atRiskPositions = 0, healthyPositions = 0, activePositions = 0 }
  local sum = "0"
  for _, p in pairs(UserPositions) do
    if p.tim3Balance ~= "0" then
      m.activePositions = m.activePositions + 1
      sum = amount.add(sum, health_scaled(p))
      local level = risk_level(p)
      if level == "critical" then
        m.underCollateralizedPositions = m.underCollateralizedPositions + 1
      elseif level == "warning" or level == "danger" then
        m.atRiskPositions = m.atRiskPositions + 1
      else
        m.healthyPositions = m.healthyPositions + 1
      end
    end
  end
  if m.activePositions > 0 then
    m.averageHealthFactor = amount.format_scaled(amount.div(sum, amount.from_int(m.activePositions)), SCALE)
  else
    m.averageHealthFactor = "0"
  end
  local score = 100 - 20 * m.underCollateralizedPositions - 10 * m.atRiskPositions
  if amount.lt(global_ratio_scaled(), SystemState.targetCollateralRatio) then
    score = score - 15
  end
  m.systemHealthScore = math.max(0, score)
  return m
end

local function state_view(m)
  return {
    totalCollateral = SystemState.totalCollateral,
    totalTIM3Supply = SystemState.totalTIM3Supply,
    globalCollateralRatio = amount.format_scaled(global_ratio_scaled(), SCALE),
    targetCollateralRatio = amount.format_scaled(SystemState.targetCollateralRatio, SCALE),
    liquidationThreshold = amount.format_scaled(SystemState.liquidationThreshold, SCALE),
    activePositions = m.activePositions,
    systemHealthScore = m.systemHealthScore,
  }
end

local function position_view(user)
  local p = UserPositions[user]
  if not p then
    return { collateral = "0", tim3Balance = "0", healthFactor = "999", riskLevel = "healthy", lastUpdate = 0 }
  end
  return {
    collateral = p.collateral, tim3Balance = p.tim3Balance, healthFactor = health_text(p),
    riskLevel = risk_level(p), lastUpdate = p.lastUpdate,
  }
end

Handlers.add("Info", "Info", function(msg)
  local m = metrics()
  msg.reply({
    Action = "Info-Response",
    Data = json.encode({
      name = ProcessInfo.name, ticker = ProcessInfo.ticker, version = ProcessInfo.version,
      systemState = state_view(m),
      riskMetrics = {
        underCollateralizedPositions = m.underCollateralizedPositions, atRiskPositions = m.atRiskPositions,
        healthyPositions = m.healthyPositions, averageHealthFactor = m.averageHealthFactor,
      },
      coordinatorConfigured = Config.coordinatorProcess ~= nil,
    }),
  })
end)

-- Update-Position {User, Operation = add|subtract|set, Collateral, Tim3-Balance,
--   Total-Collateral?, Total-Supply?, Operation-Id?}: coordinator only.
Handlers.add("Update-Position", "Update-Position", function(msg)
  if Config.coordinatorProcess == nil or msg.From ~= Config.coordinatorProcess then
    return reply_error(msg, "Update-Position", "Unauthorized - only the coordinator can update positions")
  end
  local user = tag(msg, "User")
  if user == nil or user == "" then
    return reply_error(msg, "Update-Position", "User required")
  end
  local op = tag(msg, "Operation") or "add"
  if op == "update" then
    op = "set" -- upstream's name for an absolute update
  end
  if op ~= "add" and op ~= "subtract" and op ~= "set" then
    return reply_error(msg, "Update-Position", "Operation must be add, subtract, set or update")
  end
  local values = {}
  for _, name in ipairs({ "Collateral", "Tim3-Balance", "Total-Collateral", "Total-Supply" }) do
    local raw = tag(msg, name)
    if raw ~= nil then
      local v, why = amount.check(raw)
      if not v then
        return reply_error(msg, "Update-Position", "Invalid " .. name .. ": " .. why)
      end
      values[name] = v
    end
  end
  local dc, dt = values["Collateral"] or "0", values["Tim3-Balance"] or "0"
  -- ao-mutate: skip(constant@88) lastUpdate is set from msg.Timestamp below in every case
  local p = UserPositions[user] or { collateral = "0", tim3Balance = "0", lastUpdate = 0 }
  local old_c, old_t = p.collateral, p.tim3Balance
  if op == "add" then
    p.collateral, p.tim3Balance = amount.add(old_c, dc), amount.add(old_t, dt)
  elseif op == "subtract" then
    -- TIM3 is fungible: a user may redeem more than it minted.  Positions floor at zero.
    p.collateral = amount.try_sub(old_c, dc) or "0"
    p.tim3Balance = amount.try_sub(old_t, dt) or "0"
  else
    p.collateral, p.tim3Balance = values["Collateral"] or old_c, values["Tim3-Balance"] or old_t
  end
  p.lastUpdate = msg.Timestamp
  UserPositions[user] = p
  -- System totals: absolute when the coordinator sends them, else moved by the change.
  local function moved(total, old, new)
    if amount.ge(new, old) then
      return amount.add(total, amount.sub(new, old))
    end
    return amount.try_sub(total, amount.sub(old, new)) or "0"
  end
  SystemState.totalCollateral = values["Total-Collateral"] or moved(SystemState.totalCollateral, old_c, p.collateral)
  SystemState.totalTIM3Supply = values["Total-Supply"] or moved(SystemState.totalTIM3Supply, old_t, p.tim3Balance)
  SystemState.lastOperationId = tag(msg, "Operation-Id")
  SystemState.updates = SystemState.updates + 1
  local m = metrics()
  msg.reply({
    Action = "Update-Position-Response",
    ["Operation-Id"] = tag(msg, "Operation-Id"),
    Data = json.encode({
      user = user,
      position = position_view(user),
      systemState = {
        totalCollateral = SystemState.totalCollateral, totalTIM3Supply = SystemState.totalTIM3Supply,
        globalCollateralRatio = state_view(m).globalCollateralRatio,
      },
    }),
  })
end)

Handlers.add("GetPosition", "GetPosition", function(msg)
  local user = tag(msg, "User") or msg.From
  msg.reply({ Action = "Position-Response", Data = json.encode({ user = user, position = position_view(user) }) })
end)

Handlers.add("SystemHealth", "SystemHealth", function(msg)
  local m = metrics()
  msg.reply({
    Action = "SystemHealth-Response",
    Data = json.encode({
      systemState = state_view(m),
      riskMetrics = {
        underCollateralizedPositions = m.underCollateralizedPositions, atRiskPositions = m.atRiskPositions,
        healthyPositions = m.healthyPositions, averageHealthFactor = m.averageHealthFactor,
      },
    }),
  })
end)

local function sorted_users()
  local users = {}
  for user in pairs(UserPositions) do
    users[#users + 1] = user
  end
  table.sort(users)
  return users
end

Handlers.add("CheckRiskAlerts", "CheckRiskAlerts", function(msg)
  local alerts = {}
  for _, user in ipairs(sorted_users()) do
    local p = UserPositions[user]
    if p.tim3Balance ~= "0" and risk_level(p) == "critical" then
      alerts[#alerts + 1] = { user = user, riskLevel = "critical", healthFactor = health_text(p),
        collateral = p.collateral, tim3Balance = p.tim3Balance }
    end
  end
  local m = metrics()
  msg.reply({
    Action = "RiskAlerts-Response",
    Data = json.encode({ alertCount = #alerts, alerts = alerts, systemHealthScore = m.systemHealthScore }),
  })
  if #alerts > 0 and Config.coordinatorProcess ~= nil then
    Send({
      Target = Config.coordinatorProcess,
      Action = "Risk-Alert",
      Data = json.encode({ alertCount = #alerts, criticalAlerts = alerts }),
    })
  end
end)

Handlers.add("CheckLiquidations", "CheckLiquidations", function(msg)
  local positions = {}
  for _, user in ipairs(sorted_users()) do
    local p = UserPositions[user]
    local h = health_scaled(p)
    if h ~= nil and amount.lt(h, SystemState.liquidationThreshold) then
      positions[#positions + 1] = {
        user = user, healthFactor = amount.format_scaled(h, SCALE), collateral = p.collateral,
        tim3Balance = p.tim3Balance, liquidationValue = amount.div(amount.mul(p.tim3Balance, "9"), "10"),
      }
    end
  end
  msg.reply({
    Action = "Liquidations-Response",
    Data = json.encode({ liquidatableCount = #positions, positions = positions }),
  })
end)

-- A ratio above zero, as a decimal ("0.95"), stored scaled by 10^6.
local function ratio(value)
  local v, why = amount.parse_decimal(value, SCALE)
  if not v or v == "0" then
    return nil, why or "must be above zero"
  end
  return v
end

local SETTINGS = { AdminProcess = config.ADMIN }
config.add(SETTINGS, config.process_id, Config, { CoordinatorProcess = "coordinatorProcess" })
config.add(SETTINGS, ratio, SystemState, { TargetCollateralRatio = "targetCollateralRatio",
  LiquidationThreshold = "liquidationThreshold" })
config.handle(SETTINGS)
