-- TIM3 Coordinator: runs the mint and redeem sagas and holds the security features (emergency
-- pause, circuit breaker, rate limit, dust minimum, timeout with compensation).
-- Protocol: ao/PROTOCOL.md ("Coordinator").  One Operation-Id travels through every message of a
-- saga; every -Error reply is compensated.  Amounts are canonical base-unit strings; limits are
-- in base units; durations in milliseconds (msg.Timestamp).

local json = require("json")
local amount = require("lib.amount")
local message = require("lib.message")
local tag, reply_error, is_address = message.tag, message.reply_error, message.is_address

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
Window = Window or { start = 0, total = "0" } -- global fixed window of accepted mints
UserMintHistory = UserMintHistory or {} -- user -> { {t, amount, op}, ... } accepted mints in window
UserOpHistory = UserOpHistory or {}     -- user -> { t, ... } accepted operations (rate limit)
LastLargeMint = LastLargeMint or {}     -- user -> timestamp
LastTimestamp = LastTimestamp or 0
Admin = Admin or Owner

local QUERIES = { Info = true, GetPosition = true, SystemHealth = true, GetConfig = true,
  GetOperation = true }

-- The message time in ms.  A forged `Timestamp` TAG overwrites msg.Timestamp in aos; such a
-- value is ignored and time never runs backwards.
local function now_of(msg)
  local t = msg.Timestamp
  if (msg.Tags and msg.Tags.Timestamp ~= nil) or type(t) ~= "number" then
    return LastTimestamp
  end
  if t > LastTimestamp then
    LastTimestamp = t
  end
  return LastTimestamp
end

local function whole(base_units) -- "50000000000" -> "50000" (for messages)
  return amount.format_scaled(base_units, 6)
end

local function position(user)
  local p = UserPositions[user]
  if not p then
    p = { collateral = "0", tim3Minted = "0", redeemed = "0" }
    UserPositions[user] = p
  end
  return p
end

local function position_view(user)
  local p = UserPositions[user] or { collateral = "0", tim3Minted = "0", redeemed = "0" }
  local ratio = p.tim3Minted ~= "0" and amount.ratio(p.collateral, p.tim3Minted, 6) or "0"
  return {
    collateral = p.collateral, tim3Minted = p.tim3Minted, redeemed = p.redeemed or "0",
    collateralRatio = ratio, healthFactor = ratio,
  }
end

-- Keep only history entries younger than `window` ms.
local function prune(list, now, window, key)
  local kept = {}
  for i = 1, #list do
    local t = key and list[i][key] or list[i]
    if now - t < window then
      kept[#kept + 1] = list[i]
    end
  end
  return kept
end

--------------------------------------------------------------------------------------------
-- Limits: checked and RESERVED when a request is accepted; given back when it fails.

local function rate_check(user, now)
  local hist = prune(UserOpHistory[user] or {}, now, Config.rateLimitWindow)
  UserOpHistory[user] = hist
  if #hist >= Config.rateLimitCount then
    return "Rate limit exceeded (max " .. Config.rateLimitCount .. " operations per "
      .. math.floor(Config.rateLimitWindow / 1000) .. " seconds)"
  end
end

local function breaker_check(user, q, now)
  if now - Window.start >= Config.blockTimeWindow then
    Window.start, Window.total = now, "0"
  end
  local window_text = math.floor(Config.blockTimeWindow / 60000) .. "min"
  if Config.blockTimeWindow == 3600000 then
    window_text = "1h"
  end
  if amount.gt(amount.add(Window.total, q), Config.maxMintPerBlock) then
    return "Block mint limit exceeded (max " .. whole(Config.maxMintPerBlock) .. " TIM3 per " .. window_text .. ")"
  end
  local hist = prune(UserMintHistory[user] or {}, now, Config.blockTimeWindow, "t")
  UserMintHistory[user] = hist
  local used = "0"
  for i = 1, #hist do
    used = amount.add(used, hist[i].amount)
  end
  if amount.gt(amount.add(used, q), Config.maxMintPerUser) then
    return "User mint limit exceeded (max " .. whole(Config.maxMintPerUser) .. " TIM3 per user per " .. window_text .. ")"
  end
  if amount.ge(q, Config.largeMintThreshold) and LastLargeMint[user] ~= nil
    and now - LastLargeMint[user] < Config.mintCooldownPeriod then
    local wait = math.ceil((Config.mintCooldownPeriod - (now - LastLargeMint[user])) / 1000)
    return "Large mint cooldown active (wait " .. wait .. " seconds)"
  end
end

local function reserve_mint(user, q, opid, now)
  Window.total = amount.add(Window.total, q)
  local hist = UserMintHistory[user] or {}
  hist[#hist + 1] = { t = now, amount = q, op = opid }
  UserMintHistory[user] = hist
  if amount.ge(q, Config.largeMintThreshold) then
    LastLargeMint[user] = now
  end
end

local function reserve_op(user, now)
  local hist = UserOpHistory[user] or {}
  hist[#hist + 1] = now
  UserOpHistory[user] = hist
end

local function unreserve_mint(op)
  if op.windowStart == Window.start then
    Window.total = amount.try_sub(Window.total, op.amount) or "0"
  end
  local hist = UserMintHistory[op.user] or {}
  for i = #hist, 1, -1 do
    if hist[i].op == op.id then
      table.remove(hist, i)
    end
  end
end

--------------------------------------------------------------------------------------------
-- Saga steps.  Every outgoing request carries the operation's id; `deadline` is when the
-- current step times out.

local function step(op, status, now)
  op.status = status
  op.updated = now
  op.deadline = now + Config.pendingTimeout
end

local function finish(op, outcome)
  Pending[op.id] = nil
  Completed[op.id] = outcome
end

local function send_mint(op)
  Send({ Target = Config.tokenManagerProcess, Action = "Mint", Recipient = op.user, Quantity = op.amount,
    ["Operation-Id"] = op.id })
end

local function send_release(op, reason)
  Send({ Target = Config.lockManagerProcess, Action = "Release", User = op.user, Quantity = op.amount,
    ["Operation-Id"] = op.id, Reason = reason })
end

local function send_burn(op)
  Send({ Target = Config.tokenManagerProcess, Action = "Burn", Quantity = op.amount, ["Operation-Id"] = op.id })
end

local function report_state(op, operation)
  if Config.stateManagerProcess == nil then
    return
  end
  Send({
    Target = Config.stateManagerProcess,
    Action = "Update-Position",
    User = op.user,
    Operation = operation,
    Collateral = op.amount,
    ["Tim3-Balance"] = op.amount,
    ["Total-Collateral"] = Totals.collateral,
    ["Total-Supply"] = Totals.tim3,
    ["Operation-Id"] = op.id,
  })
end

-- Mint refused or failed: hand the USDA back, tell the user once it is on its way.
local function start_refund(op, reason, now)
  op.reason = reason
  if op.reserved then
    unreserve_mint(op)
    op.reserved = false
  end
  step(op, "refunding", now)
  send_release(op, "Refund: " .. reason)
end

-- Redeem refused before the burn: give the TIM3 back.
local function return_tim3(op, reason)
  Send({ Target = Config.tokenManagerProcess, Action = "Transfer", Recipient = op.user, Quantity = op.amount,
    ["X-Operation-Id"] = op.id, ["X-Action"] = "Redeem-Refund" })
  Send({ Target = op.user, Action = "Redeem-Error", Error = reason, Data = reason, ["Operation-Id"] = op.id,
    Returned = op.amount })
  finish(op, "returned")
end

local function fail(op, reason)
  op.reason = reason
  Failed[op.id] = op
  Pending[op.id] = nil
  print("Operation " .. op.id .. " needs the admin: " .. reason)
end

-- Expired steps: forward steps are cancelled at the participant (which answers with the real
-- outcome), compensation steps are retried (participants are idempotent per Operation-Id).
local function sweep(now)
  local expired = {}
  for id, op in pairs(Pending) do
    if op.deadline <= now then
      expired[#expired + 1] = id
    end
  end
  table.sort(expired)
  for _, id in ipairs(expired) do
    local op = Pending[id]
    op.timeouts = (op.timeouts or 0) + 1
    op.deadline = now + Config.pendingTimeout
    if op.status == "minting" then
      Send({ Target = Config.tokenManagerProcess, Action = "Cancel", ["Operation-Id"] = id, ["Operation-Type"] = "Mint" })
    elseif op.status == "burning" then
      Send({ Target = Config.tokenManagerProcess, Action = "Cancel", ["Operation-Id"] = id, ["Operation-Type"] = "Burn" })
    elseif op.status == "releasing" then
      Send({ Target = Config.lockManagerProcess, Action = "Cancel", ["Operation-Id"] = id })
    elseif op.status == "refunding" then
      send_release(op, "Refund: " .. tostring(op.reason))
    elseif op.status == "restoring" then
      send_mint(op)
    end
  end
  return #expired
end

Handlers.add("sweep-expired",
  function(msg)
    if msg.Cron == true or QUERIES[msg.Action] or msg["Read-Only"] == true then
      return false
    end
    return next(Pending) ~= nil and "continue" or false
  end,
  function(msg)
    sweep(now_of(msg))
  end)

Handlers.add("Cron", function(msg)
  return msg.Cron == true
end, function(msg)
  sweep(now_of(msg))
end)

--------------------------------------------------------------------------------------------
-- Mint saga.

-- Reasons to refuse a mint of q for user, in upstream's order: pause, amount, limits, config.
local function mint_refusal(user, q, now)
  if Config.emergencyPaused then
    return "System is in emergency pause"
  end
  if not Config.systemActive then
    return "System is currently inactive"
  end
  if amount.lt(q, Config.minMintAmount) then
    return "Amount below minimum (" .. Config.minMintAmount .. ")"
  end
  if amount.gt(q, Config.maxMintAmount) then
    return "Amount above maximum (" .. Config.maxMintAmount .. ")"
  end
  local why = rate_check(user, now) or breaker_check(user, q, now)
  if why then
    return why
  end
  if Config.tokenManagerProcess == nil then
    return "Token manager not configured"
  end
end

Handlers.add("Collateral-Deposited", "Collateral-Deposited", function(msg)
  local opid = tag(msg, "Operation-Id") or tag(msg, "Deposit-Id")
  if Config.lockManagerProcess == nil or msg.From ~= Config.lockManagerProcess then
    return reply_error(msg, "Collateral-Deposited", "Unauthorized: only the lock manager reports deposits",
      { ["Operation-Id"] = opid })
  end
  local user = tag(msg, "User")
  local q = amount.check_positive(tag(msg, "Quantity"))
  if type(opid) ~= "string" or opid == "" or not is_address(user) or not q then
    return reply_error(msg, "Collateral-Deposited", "User, Quantity and Operation-Id required",
      { ["Operation-Id"] = opid })
  end
  -- every report is acknowledged, so the lock manager stops re-reporting it (a report can be
  -- lost on the way; the lock manager re-sends unacknowledged ones after the timeout)
  msg.reply({ Action = "Collateral-Deposited-Response", ["Operation-Id"] = opid })
  if Pending[opid] or Completed[opid] or Failed[opid] then
    return -- a repeated report of a deposit already handled
  end
  local now = now_of(msg)
  local op = { id = opid, kind = "mint", user = user, amount = q, created = now }
  Pending[opid] = op
  local why = mint_refusal(user, q, now)
  if why then
    return start_refund(op, why, now)
  end
  reserve_op(user, now)
  reserve_mint(user, q, opid, now)
  op.reserved, op.windowStart = true, Window.start
  step(op, "minting", now)
  send_mint(op)
end)

local function pending_from(msg, from_field, action)
  local opid = tag(msg, "Operation-Id")
  if Config[from_field] == nil or msg.From ~= Config[from_field] then
    reply_error(msg, action, "Unauthorized sender", { ["Operation-Id"] = opid })
    return nil
  end
  return opid and Pending[opid], opid
end

Handlers.add("Mint-Response", "Mint-Response", function(msg)
  local op = pending_from(msg, "tokenManagerProcess", "Mint-Response")
  if not op then
    return
  end
  if op.status == "minting" then
    Totals.collateral = amount.add(Totals.collateral, op.amount)
    Totals.tim3 = amount.add(Totals.tim3, op.amount)
    local p = position(op.user)
    p.collateral = amount.add(p.collateral, op.amount)
    p.tim3Minted = amount.add(p.tim3Minted, op.amount)
    report_state(op, "add")
    finish(op, "minted")
    Send({
      Target = op.user,
      Action = "Mint-Response",
      ["Operation-Id"] = op.id,
      Quantity = op.amount,
      Data = json.encode({
        operationId = op.id, mintId = op.id, user = op.user, tim3Minted = op.amount,
        collateralLocked = op.amount, newPosition = position_view(op.user),
      }),
    })
  elseif op.status == "restoring" then
    finish(op, "restored")
    Send({ Target = op.user, Action = "Redeem-Error", ["Operation-Id"] = op.redeemId, Error = op.reason,
      Data = op.reason, Returned = op.amount })
    Completed[op.redeemId] = "restored"
  end
end)

Handlers.add("Mint-Error", "Mint-Error", function(msg)
  local op = pending_from(msg, "tokenManagerProcess", "Mint-Error")
  if not op then
    return
  end
  local now = now_of(msg)
  local err = tostring(tag(msg, "Error") or msg.Data)
  if op.status == "minting" then
    start_refund(op, "Token manager refused: " .. err, now)
  elseif op.status == "restoring" then
    fail(op, "could not restore TIM3 after a failed release: " .. err)
  end
end)

Handlers.add("Release-Response", "Release-Response", function(msg)
  local op = pending_from(msg, "lockManagerProcess", "Release-Response")
  if not op then
    return
  end
  if op.status == "refunding" then
    finish(op, "refunded")
    Send({ Target = op.user, Action = "Mint-Error", Error = op.reason, Data = op.reason,
      ["Operation-Id"] = op.id, Refunded = op.amount })
  elseif op.status == "releasing" then
    Totals.collateral = amount.try_sub(Totals.collateral, op.amount) or "0"
    Totals.tim3 = amount.try_sub(Totals.tim3, op.amount) or "0"
    local p = position(op.user)
    p.collateral = amount.try_sub(p.collateral, op.amount) or "0"
    p.tim3Minted = amount.try_sub(p.tim3Minted, op.amount) or "0"
    p.redeemed = amount.add(p.redeemed or "0", op.amount)
    report_state(op, "subtract")
    finish(op, "redeemed")
    Send({
      Target = op.user,
      Action = "Redeem-Response",
      ["Operation-Id"] = op.id,
      Quantity = op.amount,
      Data = json.encode({
        operationId = op.id, burnId = op.id, user = op.user, tim3Burned = op.amount,
        collateralReleased = op.amount, newPosition = position_view(op.user),
      }),
    })
  end
end)

local function release_failed(op, err, now)
  if op.status == "refunding" then
    fail(op, "refund release failed: " .. err)
  elseif op.status == "releasing" then
    -- TIM3 already burned but the USDA could not be released: mint the TIM3 back.
    Pending[op.id] = nil
    local restore = { id = op.id .. ":restore", kind = "restore", user = op.user, amount = op.amount,
      created = now, redeemId = op.id, reason = "Collateral release failed: " .. err }
    Pending[restore.id] = restore
    step(restore, "restoring", now)
    send_mint(restore)
  end
end

Handlers.add("Release-Error", "Release-Error", function(msg)
  local op = pending_from(msg, "lockManagerProcess", "Release-Error")
  if op then
    release_failed(op, tostring(tag(msg, "Error") or msg.Data), now_of(msg))
  end
end)

Handlers.add("Release-Failed", "Release-Failed", function(msg)
  local _, opid = pending_from(msg, "lockManagerProcess", "Release-Failed")
  if opid == nil then
    return
  end
  -- The release transfer bounced after Release-Response: the collateral is still in custody.
  local err = tostring(tag(msg, "Error"))
  local outcome = Completed[opid]
  if outcome == "refunded" then
    Failed[opid] = { id = opid, reason = "refund transfer failed: " .. err }
  elseif outcome == "redeemed" then
    Failed[opid] = { id = opid, reason = "redeem transfer failed: " .. err }
  end
end)

--------------------------------------------------------------------------------------------
-- Redeem saga: TIM3 arrives by Credit-Notice from the token manager.

Handlers.add("Credit-Notice", "Credit-Notice", function(msg)
  local now = now_of(msg)
  if Config.collateralToken ~= nil and msg.From == Config.collateralToken then
    -- USDA sent here by mistake: it belongs in the lock manager.  Send it straight back.
    local sender = tag(msg, "Sender")
    local q = amount.check_positive(tag(msg, "Quantity"))
    if is_address(sender) and q then
      Send({ Target = msg.From, Action = "Transfer", Recipient = sender, Quantity = q,
        ["X-Action"] = "Deposit-Refund" })
      local why = "Deposit to the lock manager, not the coordinator"
      Send({ Target = sender, Action = "Mint-Error", Error = why, Data = why, Refunded = q })
    end
    return
  end
  if Config.tokenManagerProcess == nil or msg.From ~= Config.tokenManagerProcess then
    return reply_error(msg, "Credit-Notice", "Unauthorized: Credit-Notice accepted only from the TIM3 token")
  end
  local user = tag(msg, "Sender")
  local q = amount.check_positive(tag(msg, "Quantity"))
  local opid = msg.Id
  if not is_address(user) or not q or Pending[opid] or Completed[opid] then
    return
  end
  local op = { id = opid, kind = "redeem", user = user, amount = q, created = now }
  Pending[opid] = op
  local why
  if Config.emergencyPaused then
    why = "System is in emergency pause"
  elseif not Config.systemActive then
    why = "System is currently inactive"
  elseif Config.lockManagerProcess == nil then
    why = "Lock manager not configured"
  elseif amount.gt(q, Totals.tim3) then
    why = "Redeem exceeds the TIM3 minted through this coordinator"
  else
    why = rate_check(user, now)
  end
  if why then
    return return_tim3(op, why)
  end
  reserve_op(user, now)
  step(op, "burning", now)
  send_burn(op)
end)

Handlers.add("Burn-Response", "Burn-Response", function(msg)
  local op = pending_from(msg, "tokenManagerProcess", "Burn-Response")
  if op and op.status == "burning" then
    step(op, "releasing", now_of(msg))
    send_release(op, "Redeem")
  end
end)

Handlers.add("Burn-Error", "Burn-Error", function(msg)
  local op = pending_from(msg, "tokenManagerProcess", "Burn-Error")
  if op and op.status == "burning" then
    return_tim3(op, "Token manager refused the burn: " .. tostring(tag(msg, "Error") or msg.Data))
  end
end)

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

--------------------------------------------------------------------------------------------
-- Administration (Admin only) and queries.

local PROCESS_CONFIG = {
  MockUsdaProcess = "collateralToken", AllowedUSDAProcess = "collateralToken", CollateralToken = "collateralToken",
  StateManagerProcess = "stateManagerProcess", LockManagerProcess = "lockManagerProcess",
  TokenManagerProcess = "tokenManagerProcess",
}
local AMOUNT_CONFIG = {
  MinMintAmount = "minMintAmount", MaxMintAmount = "maxMintAmount", MaxMintPerUser = "maxMintPerUser",
  MaxMintPerBlock = "maxMintPerBlock", LargeMintThreshold = "largeMintThreshold",
}
local DURATION_CONFIG = {
  PendingTimeout = "pendingTimeout", BlockTimeWindow = "blockTimeWindow",
  MintCooldownPeriod = "mintCooldownPeriod", RateLimitWindow = "rateLimitWindow", RateLimitCount = "rateLimitCount",
}

local function small_int(value)
  if type(value) ~= "string" or not string.match(value, "^[1-9]%d*$") or #value > 12 then
    return nil
  end
  return tonumber(value)
end

local function apply_config(ctype, value)
  if PROCESS_CONFIG[ctype] or ctype == "AdminProcess" then
    if not is_address(value) then
      return "Invalid value for " .. ctype .. ": need a 43-character process id"
    end
    if ctype == "AdminProcess" then
      Admin = value
    else
      Config[PROCESS_CONFIG[ctype]] = value
    end
  elseif AMOUNT_CONFIG[ctype] then
    local v, why = amount.check_positive(value)
    if not v then
      return "Invalid value for " .. ctype .. ": " .. why
    end
    Config[AMOUNT_CONFIG[ctype]] = v
  elseif DURATION_CONFIG[ctype] then
    local v = small_int(value)
    if not v then
      return "Invalid value for " .. ctype .. ": need a positive whole number"
    end
    Config[DURATION_CONFIG[ctype]] = v
  elseif ctype == "SystemActive" then
    if value ~= "true" and value ~= "false" then
      return "Invalid value for SystemActive: need 'true' or 'false'"
    end
    Config.systemActive = value == "true"
  elseif ctype == "CollateralRatio" then
    if value ~= "1" and value ~= "1.0" then
      return "Invalid value for CollateralRatio: TIM3 is backed 1:1, only '1' is accepted"
    end
  else
    return "Unknown configuration type: " .. tostring(ctype)
  end
end

Handlers.add("Configure", "Configure", function(msg)
  if msg.From ~= Admin then
    return reply_error(msg, "Configure", "Unauthorized - only admin can configure")
  end
  local ctype, value = tag(msg, "Config-Type"), tag(msg, "Value")
  local err = apply_config(ctype, value)
  if err then
    return reply_error(msg, "Configure", err)
  end
  msg.reply({ Action = "Configure-Response", Data = json.encode({ configType = ctype, value = value, success = true }) })
end)

local SET_TAGS = {
  ["Mock-Usda-Process"] = "MockUsdaProcess", ["State-Manager-Process"] = "StateManagerProcess",
  ["Lock-Manager-Process"] = "LockManagerProcess", ["Token-Manager-Process"] = "TokenManagerProcess",
  ["Allowed-Usda-Process"] = "AllowedUSDAProcess",
}

local function process_ids()
  return {
    mockUsdaProcess = Config.collateralToken, allowedUsdaProcess = Config.collateralToken,
    stateManagerProcess = Config.stateManagerProcess, lockManagerProcess = Config.lockManagerProcess,
    tokenManagerProcess = Config.tokenManagerProcess,
  }
end

Handlers.add("SetProcessConfig", "SetProcessConfig", function(msg)
  if msg.From ~= Admin then
    return reply_error(msg, "SetProcessConfig", "Unauthorized - only admin can configure")
  end
  -- validate everything first so that a bad id changes nothing
  for tname, ctype in pairs(SET_TAGS) do
    local v = tag(msg, tname)
    if v ~= nil and not is_address(v) then
      return reply_error(msg, "SetProcessConfig", "Invalid value for " .. ctype .. ": need a 43-character process id")
    end
  end
  for tname, ctype in pairs(SET_TAGS) do
    local v = tag(msg, tname)
    if v ~= nil then
      apply_config(ctype, v)
    end
  end
  local data = process_ids()
  data.timestamp = now_of(msg)
  msg.reply({ Action = "SetProcessConfig-Response", Data = json.encode(data) })
end)

for action, ctype in pairs({ SetMockUsdaProcess = "MockUsdaProcess", SetStateManagerProcess = "StateManagerProcess",
  SetLockManagerProcess = "LockManagerProcess", SetTokenManagerProcess = "TokenManagerProcess" }) do
  Handlers.add(action, action, function(msg)
    if msg.From ~= Admin then
      return reply_error(msg, action, "Unauthorized - only admin can configure")
    end
    local value = tag(msg, "Process-Id") or msg.Data
    local err = apply_config(ctype, value)
    if err then
      return reply_error(msg, action, err)
    end
    local field = PROCESS_CONFIG[ctype] == "collateralToken" and "mockUsdaProcess" or PROCESS_CONFIG[ctype]
    msg.reply({ Action = action .. "-Response", Data = json.encode({ [field] = value, status = "configured" }) })
  end)
end

Handlers.add("EmergencyPause", "EmergencyPause", function(msg)
  if msg.From ~= Admin then
    return reply_error(msg, "EmergencyPause", "Unauthorized - only admin can pause system")
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
  if msg.From ~= Admin then
    return reply_error(msg, "CleanupExpired", "Unauthorized - only admin can clean up")
  end
  local now = now_of(msg)
  local n = sweep(now)
  msg.reply({ Action = "CleanupExpired-Response", Data = json.encode({ cleanedOperations = n, timestamp = now }) })
end)

local function count(t)
  local n = 0
  for _ in pairs(t) do
    n = n + 1
  end
  return n
end

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
      processes = process_ids(),
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
