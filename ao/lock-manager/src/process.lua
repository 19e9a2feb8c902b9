-- TIM3 Lock Manager: custody of the USDA collateral.  Every Credit-Notice from the configured
-- collateral token is a deposit: recorded for its Sender and reported to the coordinator
-- (Collateral-Deposited).  Collateral leaves only on the coordinator's Release, as a Transfer
-- back, idempotently per Operation-Id.  Ledger total == real balance at the token.
-- Protocol: ao/PROTOCOL.md ("Lock Manager").

local json = require("json")
local amount = require("lib.amount")
local message = require("lib.message")
local config = require("lib.config")
local tag, reply_error, is_address = message.tag, message.reply_error, message.is_address

ProcessInfo = ProcessInfo or { name = "TIM3 Lock Manager", ticker = "TIM3-LOCK", version = "2.0.0" }
Deposits = Deposits or {}         -- Deposit-Id (the Credit-Notice's Id) -> record
Releases = Releases or {}         -- Operation-Id -> record
ReleaseByRef = ReleaseByRef or {} -- Reference of our Transfer -> Operation-Id
Cancelled = Cancelled or {}       -- Operation-Id -> true (release cancelled before it ran)
Users = Users or {}               -- user -> {deposited, released}
LockStats = LockStats or {
  totalLocked = "0",     -- collateral held now (== balance at the token)
  totalDeposited = "0",
  totalUnlocked = "0",   -- released so far
  totalLocks = 0,        -- number of deposits
  totalReleases = 0,
  pendingReleases = 0,
}
Config = Config or {
  coordinatorProcess = nil,
  collateralToken = nil,
  minLockAmount = "1",
  maxLockAmount = "1000000000000", -- 1,000,000 USDA per deposit
}
Admin = Admin or Owner
Config.reportTimeout = Config.reportTimeout or 300000 -- ms before an unacknowledged report is re-sent

local function user_record(user)
  local u = Users[user]
  if not u then
    u = { deposited = "0", released = "0" }
    Users[user] = u
  end
  return u
end

-- Send collateral back out of custody.  The ledger moves now; a Transfer-Error puts it back.
local function release(user, q, opid, reason, requestor)
  LockStats.totalLocked = amount.sub(LockStats.totalLocked, q)
  LockStats.totalUnlocked = amount.add(LockStats.totalUnlocked, q)
  LockStats.totalReleases = LockStats.totalReleases + 1
  LockStats.pendingReleases = LockStats.pendingReleases + 1
  local u = user_record(user)
  u.released = amount.add(u.released, q)
  ao.send({
    Target = Config.collateralToken,
    Action = "Transfer",
    Recipient = user,
    Quantity = q,
    ["X-Operation-Id"] = opid,
    ["X-Release-Reason"] = reason,
  })
  local ref = tostring(ao.reference)
  Releases[opid] = {
    operationId = opid, user = user, amount = q, reason = reason, requestor = requestor,
    status = "sent", reference = ref,
  }
  ReleaseByRef[ref] = opid
end

local function release_response(rec)
  return {
    Action = "Release-Response",
    ["Operation-Id"] = rec.operationId,
    User = rec.user,
    Quantity = rec.amount,
    Data = json.encode({
      operationId = rec.operationId, user = rec.user, amount = rec.amount, status = rec.status,
      remainingLocked = LockStats.totalLocked,
    }),
  }
end

Handlers.add("Info", "Info", function(msg)
  msg.reply({
    Action = "Info-Response",
    Data = json.encode({
      name = ProcessInfo.name, ticker = ProcessInfo.ticker, version = ProcessInfo.version,
      lockStats = LockStats,
      config = {
        minLockAmount = Config.minLockAmount, maxLockAmount = Config.maxLockAmount,
        coordinatorConfigured = Config.coordinatorProcess ~= nil,
        mockUsdaConfigured = Config.collateralToken ~= nil,
      },
    }),
  })
end)

-- A deposit: Credit-Notice {Sender, Quantity, X-...} from the collateral token.
-- Tell the coordinator about a deposit (again, if an earlier report went unacknowledged).
local function report_deposit(dep, now)
  dep.status = "reported"
  -- ao-mutate: skip(constant) now is a message Timestamp from the token or a cron tick: a number
  dep.reportedAt = tonumber(now) or 0
  dep.reports = (dep.reports or 0) + 1
  Send({
    Target = Config.coordinatorProcess,
    Action = "Collateral-Deposited",
    User = dep.user,
    Quantity = dep.amount,
    ["Deposit-Id"] = dep.depositId,
    ["Operation-Id"] = dep.depositId,
    ["X-Action"] = dep.action,
  })
end

Handlers.add("Credit-Notice", "Credit-Notice", function(msg)
  if Config.collateralToken == nil or msg.From ~= Config.collateralToken then
    return reply_error(msg, "Credit-Notice",
      "Unauthorized: Credit-Notice is accepted only from the collateral token")
  end
  local user = tag(msg, "Sender")
  local q = amount.check_positive(tag(msg, "Quantity"))
  if not is_address(user) or not q then
    -- The token moved something we cannot attribute; keep it on the books as unattributed so
    -- the ledger still equals the balance, and say so.
    if q then
      LockStats.totalLocked = amount.add(LockStats.totalLocked, q)
      LockStats.totalDeposited = amount.add(LockStats.totalDeposited, q)
    end
    print("Unattributable Credit-Notice " .. tostring(msg.Id))
    return
  end
  LockStats.totalLocked = amount.add(LockStats.totalLocked, q)
  LockStats.totalDeposited = amount.add(LockStats.totalDeposited, q)
  LockStats.totalLocks = LockStats.totalLocks + 1
  local u = user_record(user)
  u.deposited = amount.add(u.deposited, q)
  local id = msg.Id
  Deposits[id] = {
    depositId = id, user = user, amount = q, timestamp = msg.Timestamp, status = "received",
    action = tag(msg, "X-Action"),
  }
  -- Without a coordinator, or outside the accepted range, the deposit goes straight back.
  local why
  if Config.coordinatorProcess == nil then
    why = "Coordinator not configured"
  elseif amount.lt(q, Config.minLockAmount) then
    why = "Amount below minimum (" .. Config.minLockAmount .. ")"
  elseif amount.gt(q, Config.maxLockAmount) then
    why = "Amount above maximum (" .. Config.maxLockAmount .. ")"
  end
  if why then
    Deposits[id].status = "refunded"
    release(user, q, id, why, ao.id)
    Send({ Target = user, Action = "Mint-Error", Error = why, Data = why, ["Operation-Id"] = id,
      Refunded = q })
    return
  end
  report_deposit(Deposits[id], msg.Timestamp)
end)

-- The coordinator acknowledges each report (Collateral-Deposited-Response): until then the
-- deposit is re-reported after ReportTimeout, so a lost message cannot strand the collateral.
Handlers.add("Collateral-Deposited-Response", "Collateral-Deposited-Response", function(msg)
  if Config.coordinatorProcess == nil or msg.From ~= Config.coordinatorProcess then
    return reply_error(msg, "Collateral-Deposited-Response", "Unauthorized caller")
  end
  local dep = Deposits[tag(msg, "Operation-Id") or ""]
  if dep and dep.status == "reported" then
    dep.status = "acknowledged"
  end
end)

local function rereport(now)
  -- ao-mutate: skip(guard) a deposit is "reported" only once a coordinator is set, which cannot be unset
  if Config.coordinatorProcess == nil then
    return
  end
  local due = {}
  for id, dep in pairs(Deposits) do
    if dep.status == "reported" and dep.reportedAt + Config.reportTimeout <= now then
      due[#due + 1] = id
    end
  end
  table.sort(due)
  for _, id in ipairs(due) do
    report_deposit(Deposits[id], now)
  end
end

-- A cron tick ends here: no other handler wants it, and one that went on would reach _default,
-- which keeps every tick in Inbox (a minute's tick, forever, up to aos's cap).  Any other message
-- goes on to its own handler after the re-report.
Handlers.add("rereport-deposits", function(msg)
  if msg.Cron == true then
    return "break"
  end
  return next(Deposits) ~= nil and "continue" or false
end, function(msg)
  -- ao-mutate: skip(constant) only a forged Timestamp tag gets here, and at 0 or 1 no report is due
  rereport(tonumber(msg.Timestamp) or 0)
end)

-- Release {User, Quantity, Operation-Id, Reason}: coordinator only.
Handlers.add("Release", "Release", function(msg)
  local opid = tag(msg, "Operation-Id")
  local extra = { ["Operation-Id"] = opid }
  if Config.coordinatorProcess == nil or msg.From ~= Config.coordinatorProcess then
    return reply_error(msg, "Release", "Unauthorized caller", extra)
  end
  if Config.collateralToken == nil then
    return reply_error(msg, "Release", "Mock USDA process not configured", extra)
  end
  if type(opid) ~= "string" or opid == "" then
    return reply_error(msg, "Release", "Operation-Id required", extra)
  end
  local previous = Releases[opid]
  if previous then
    return msg.reply(release_response(previous))
  end
  if Cancelled[opid] then
    return reply_error(msg, "Release", "Operation cancelled: timed out at the coordinator", extra)
  end
  local user = tag(msg, "User")
  if not is_address(user) then
    return reply_error(msg, "Release", "User required", extra)
  end
  local q, why = amount.check_positive(tag(msg, "Quantity") or tag(msg, "Amount"))
  if not q then
    return reply_error(msg, "Release", "Invalid amount: Quantity " .. tostring(why), extra)
  end
  if amount.lt(LockStats.totalLocked, q) then
    return reply_error(msg, "Release", "Insufficient collateral held", extra)
  end
  release(user, q, opid, tag(msg, "Reason") or "release", msg.From)
  local dep = Deposits[opid]
  if dep then
    dep.status = "refunded"
  end
  msg.reply(release_response(Releases[opid]))
end)

Handlers.add("Cancel", "Cancel", function(msg)
  local opid = tag(msg, "Operation-Id")
  if Config.coordinatorProcess == nil or msg.From ~= Config.coordinatorProcess then
    return reply_error(msg, "Cancel", "Unauthorized caller", { ["Operation-Id"] = opid })
  end
  if type(opid) ~= "string" or opid == "" then
    return reply_error(msg, "Cancel", "Operation-Id required")
  end
  if Releases[opid] then
    return msg.reply(release_response(Releases[opid]))
  end
  Cancelled[opid] = true
  reply_error(msg, "Release", "Operation cancelled: timed out at the coordinator", { ["Operation-Id"] = opid })
end)

-- Our release Transfer went through.
Handlers.add("Debit-Notice", "Debit-Notice", function(msg)
  if msg.From ~= Config.collateralToken then
    return reply_error(msg, "Debit-Notice", "Unauthorized: Debit-Notice is accepted only from the collateral token")
  end
  local opid = tag(msg, "X-Operation-Id") or ReleaseByRef[tostring(msg["X-Reference"])]
  local rec = opid and Releases[opid]
  if rec and rec.status == "sent" then
    rec.status = "completed"
    LockStats.pendingReleases = LockStats.pendingReleases - 1
  end
end)

-- Our release Transfer failed: the collateral is still here, so the ledger takes it back and
-- the coordinator is told.  (Cannot happen while ledger == balance; handled all the same.)
Handlers.add("Transfer-Error", "Transfer-Error", function(msg)
  if msg.From ~= Config.collateralToken then
    return reply_error(msg, "Transfer-Error", "Unauthorized: accepted only from the collateral token")
  end
  local opid = ReleaseByRef[tostring(msg["X-Reference"])]
  local rec = opid and Releases[opid]
  if not rec or rec.status ~= "sent" then
    return
  end
  rec.status = "failed"
  LockStats.pendingReleases = LockStats.pendingReleases - 1
  LockStats.totalLocked = amount.add(LockStats.totalLocked, rec.amount)
  LockStats.totalUnlocked = amount.sub(LockStats.totalUnlocked, rec.amount)
  local u = user_record(rec.user)
  u.released = amount.sub(u.released, rec.amount)
  if rec.requestor == Config.coordinatorProcess then
    Send({ Target = rec.requestor, Action = "Release-Failed", ["Operation-Id"] = opid,
      Error = tostring(tag(msg, "Error")) })
  end
end)

Handlers.add("GetLockInfo", "GetLockInfo", function(msg)
  local id, user = tag(msg, "Lock-Id"), tag(msg, "User")
  if id == nil and user == nil then
    return reply_error(msg, "GetLockInfo", "LockId or User required")
  end
  local locks, count = {}, 0
  for did, dep in pairs(Deposits) do
    if (id == nil or did == id) and (user == nil or dep.user == user) then
      locks[did] = dep
      count = count + 1
    end
  end
  msg.reply({
    Action = "LockInfo-Response",
    Data = json.encode({
      locks = locks, count = count,
      user = user and Users[user] or nil,
    }),
  })
end)

Handlers.add("LockStats", "LockStats", function(msg)
  msg.reply({
    Action = "LockStats-Response",
    Data = json.encode({
      totalLocked = LockStats.totalLocked, totalUnlocked = LockStats.totalUnlocked,
      totalDeposited = LockStats.totalDeposited, totalLocks = LockStats.totalLocks,
      activeLocks = LockStats.totalLocks, totalReleases = LockStats.totalReleases,
      pendingOperations = LockStats.pendingReleases,
    }),
  })
end)

local SETTINGS = { AdminProcess = config.ADMIN }
config.add(SETTINGS, config.process_id, Config, { CoordinatorProcess = "coordinatorProcess",
  MockUsdaProcess = "collateralToken", CollateralToken = "collateralToken" })
config.add(SETTINGS, config.positive_amount, Config, { MinLockAmount = "minLockAmount",
  MaxLockAmount = "maxLockAmount" })
config.handle(SETTINGS)
