-- TIM3 Token Manager: the TIM3 token itself.  A standard AO token (Info tags, Balance, Balances,
-- Total-Supply, Transfer with Debit-/Credit-Notice and X- tag forwarding) whose Mint and Burn
-- are accepted only from the configured coordinator, idempotently per Operation-Id.
-- Protocol: ao/PROTOCOL.md ("Token Manager").

local json = require("json")
local amount = require("lib.amount")
local message = require("lib.message")
local config = require("lib.config")
local token = require("lib.token")
local tag, reply_error, is_address, read_amount = message.tag, message.reply_error, message.is_address, message.read_amount
local balance_of, set_balance = token.balance_of, token.drop_zero_balance

ProcessInfo = ProcessInfo or { name = "TIM3 Token Manager", ticker = "TIM3-TOKEN", version = "2.0.0" }
TokenInfo = TokenInfo or { name = "TIM3 Token", ticker = "TIM3", denomination = 6, logo = "tim3-logo" }
Balances = Balances or {}           -- address -> amount
TotalSupply = TotalSupply or "0"
Operations = Operations or {}       -- Operation-Id -> {type = "mint"|"burn", ...}
Cancelled = Cancelled or {}         -- Operation-Id -> type, for operations cancelled before they ran
TokenStats = TokenStats or {
  totalMinted = "0", totalBurned = "0", totalTransfers = 0, mintOperations = 0, burnOperations = 0,
}
Config = Config or {
  coordinatorProcess = nil,
  maxSupply = "1000000000000000",   -- 1,000,000,000 TIM3
  minMintAmount = "1",              -- 1 base unit
  maxMintAmount = "100000000000",   -- 100,000 TIM3 per Mint
  transfersEnabled = true,
  mintingEnabled = true,
  burningEnabled = true,
}
Admin = Admin or Owner

local function holder_stats()
  local holders, largest = 0, "0"
  for _, bal in pairs(Balances) do
    if bal ~= "0" then
      holders = holders + 1
      largest = amount.max(largest, bal)
    end
  end
  return holders, largest
end

Handlers.add("Info", "Info", function(msg)
  local holders, largest = holder_stats()
  msg.reply({
    Action = "Info-Response",
    Name = TokenInfo.name,
    Ticker = TokenInfo.ticker,
    Logo = TokenInfo.logo,
    Denomination = tostring(TokenInfo.denomination),
    Data = json.encode({
      processInfo = ProcessInfo,
      tokenInfo = {
        name = TokenInfo.name, ticker = TokenInfo.ticker, denomination = TokenInfo.denomination,
        logo = TokenInfo.logo, totalSupply = TotalSupply,
      },
      tokenStats = {
        totalMinted = TokenStats.totalMinted, totalBurned = TokenStats.totalBurned,
        totalTransfers = TokenStats.totalTransfers, uniqueHolders = holders, largestBalance = largest,
        mintOperations = TokenStats.mintOperations, burnOperations = TokenStats.burnOperations,
      },
      config = {
        maxSupply = Config.maxSupply, maxMintAmount = Config.maxMintAmount,
        minMintAmount = Config.minMintAmount, transfersEnabled = Config.transfersEnabled,
        mintingEnabled = Config.mintingEnabled, burningEnabled = Config.burningEnabled,
        coordinatorConfigured = Config.coordinatorProcess ~= nil,
      },
    }),
  })
end)

Handlers.add("Balance", "Balance", function(msg)
  local who = tag(msg, "Recipient") or tag(msg, "Target") or msg.From
  local bal = balance_of(who)
  msg.reply({
    Action = "Balance-Response",
    Balance = bal,
    Ticker = TokenInfo.ticker,
    Account = who,
    Data = json.encode({ target = who, balance = bal, ticker = TokenInfo.ticker }),
  })
end)

token.handle_queries(function()
  return TokenInfo.ticker
end)

-- The TIM3 Transfer: an Admin switch, holders at zero leave Balances, transfers are counted.
local TRANSFER = {
  refuse = function()
    if not Config.transfersEnabled then
      return "Transfers are currently disabled"
    end
  end,
  set_balance = set_balance,
  invalid = "Invalid transfer amount: ",
  insufficient = "Insufficient balance",
  after = function()
    TokenStats.totalTransfers = TokenStats.totalTransfers + 1
  end,
}

Handlers.add("Transfer", "Transfer", function(msg)
  token.transfer(msg, TRANSFER)
end)

local function mint_response(op)
  return {
    Action = "Mint-Response",
    ["Operation-Id"] = op.operationId,
    Recipient = op.recipient,
    Quantity = op.amount,
    Data = json.encode({
      mintId = op.operationId, operationId = op.operationId, recipient = op.recipient,
      amount = op.amount, newBalance = balance_of(op.recipient), totalSupply = TotalSupply,
    }),
  }
end

local function burn_response(op)
  return {
    Action = "Burn-Response",
    ["Operation-Id"] = op.operationId,
    Quantity = op.amount,
    Data = json.encode({
      burnId = op.operationId, operationId = op.operationId, user = op.user, amount = op.amount,
      newBalance = balance_of(op.user), totalSupply = TotalSupply,
    }),
  }
end

-- Mint {Recipient, Quantity, Operation-Id}: coordinator only.  A repeated Operation-Id gets the
-- original answer again and mints nothing.
Handlers.add("Mint", "Mint", function(msg)
  local opid = tag(msg, "Operation-Id")
  local extra = { ["Operation-Id"] = opid }
  if Config.coordinatorProcess == nil then
    return reply_error(msg, "Mint", "Coordinator not configured", extra)
  end
  if msg.From ~= Config.coordinatorProcess then
    return reply_error(msg, "Mint", "Unauthorized minter - must be coordinator process", extra)
  end
  if not Config.mintingEnabled then
    return reply_error(msg, "Mint", "Minting is currently disabled", extra)
  end
  if type(opid) ~= "string" or opid == "" then
    return reply_error(msg, "Mint", "Operation-Id required", extra)
  end
  local previous = Operations[opid]
  if previous then
    if previous.type == "mint" then
      return msg.reply(mint_response(previous))
    end
    return reply_error(msg, "Mint", "Operation-Id already used by a burn", extra)
  end
  if Cancelled[opid] then
    return reply_error(msg, "Mint", "Operation cancelled: timed out at the coordinator", extra)
  end
  local recipient = tag(msg, "Recipient")
  if not is_address(recipient) then
    return reply_error(msg, "Mint", "Recipient required", extra)
  end
  local q, why = read_amount(msg)
  if not q then
    return reply_error(msg, "Mint", "Invalid amount: " .. why, extra)
  end
  if amount.lt(q, Config.minMintAmount) then
    return reply_error(msg, "Mint", "Amount below minimum (" .. Config.minMintAmount .. ")", extra)
  end
  if amount.gt(q, Config.maxMintAmount) then
    return reply_error(msg, "Mint", "Amount above maximum (" .. Config.maxMintAmount .. ")", extra)
  end
  if amount.gt(amount.add(TotalSupply, q), Config.maxSupply) then
    return reply_error(msg, "Mint", "Minting would exceed max supply", extra)
  end
  set_balance(recipient, amount.add(balance_of(recipient), q))
  TotalSupply = amount.add(TotalSupply, q)
  TokenStats.totalMinted = amount.add(TokenStats.totalMinted, q)
  TokenStats.mintOperations = TokenStats.mintOperations + 1
  local op = {
    type = "mint", operationId = opid, recipient = recipient, amount = q,
    minter = msg.From, messageId = msg.Id, timestamp = msg.Timestamp,
  }
  Operations[opid] = op
  msg.reply(mint_response(op))
  Send({
    Target = recipient,
    Action = "Credit-Notice",
    Sender = ao.id,
    Quantity = q,
    ["X-Action"] = "Mint",
    ["X-Operation-Id"] = opid,
    Data = json.encode({ from = "TIM3-Mint", amount = q, newBalance = balance_of(recipient), mintId = opid }),
  })
end)

-- Burn {Quantity, Operation-Id}: the coordinator burns TIM3 from its OWN balance (TIM3 that a
-- user handed in for redemption).  Nobody can burn anyone else's TIM3, and users cannot burn
-- directly (that would strand collateral): they redeem.
Handlers.add("Burn", "Burn", function(msg)
  local opid = tag(msg, "Operation-Id")
  local extra = { ["Operation-Id"] = opid }
  if Config.coordinatorProcess == nil then
    return reply_error(msg, "Burn", "Coordinator not configured", extra)
  end
  if msg.From ~= Config.coordinatorProcess then
    return reply_error(msg, "Burn", "Unauthorized burner - redeem through the coordinator", extra)
  end
  if not Config.burningEnabled then
    return reply_error(msg, "Burn", "Burning is currently disabled", extra)
  end
  local user = tag(msg, "User")
  if user ~= nil and user ~= msg.From then
    return reply_error(msg, "Burn", "Unauthorized to burn tokens for this user", extra)
  end
  if type(opid) ~= "string" or opid == "" then
    return reply_error(msg, "Burn", "Operation-Id required", extra)
  end
  local previous = Operations[opid]
  if previous then
    if previous.type == "burn" then
      return msg.reply(burn_response(previous))
    end
    return reply_error(msg, "Burn", "Operation-Id already used by a mint", extra)
  end
  if Cancelled[opid] then
    return reply_error(msg, "Burn", "Operation cancelled: timed out at the coordinator", extra)
  end
  local q, why = read_amount(msg)
  if not q then
    return reply_error(msg, "Burn", "Invalid burn amount: " .. why, extra)
  end
  if amount.lt(balance_of(msg.From), q) then
    return reply_error(msg, "Burn", "Insufficient balance to burn", extra)
  end
  set_balance(msg.From, amount.sub(balance_of(msg.From), q))
  TotalSupply = amount.sub(TotalSupply, q)
  TokenStats.totalBurned = amount.add(TokenStats.totalBurned, q)
  TokenStats.burnOperations = TokenStats.burnOperations + 1
  local op = {
    type = "burn", operationId = opid, user = msg.From, amount = q, burner = msg.From,
    purpose = tag(msg, "Purpose"), messageId = msg.Id, timestamp = msg.Timestamp,
  }
  Operations[opid] = op
  msg.reply(burn_response(op))
end)

-- Cancel {Operation-Id, Operation-Type = Mint|Burn}: the coordinator gave up waiting.  A done
-- operation answers with its original response; an unknown one is cancelled for good.
Handlers.add("Cancel", "Cancel", function(msg)
  local opid = tag(msg, "Operation-Id")
  local otype = tag(msg, "Operation-Type")
  if msg.From ~= Config.coordinatorProcess then
    return reply_error(msg, "Cancel", "Unauthorized - only the coordinator can cancel", { ["Operation-Id"] = opid })
  end
  if otype ~= "Mint" and otype ~= "Burn" then
    return reply_error(msg, "Cancel", "Operation-Type must be Mint or Burn", { ["Operation-Id"] = opid })
  end
  if type(opid) ~= "string" or opid == "" then
    return reply_error(msg, "Cancel", "Operation-Id required")
  end
  local op = Operations[opid]
  if op then
    if op.type == "mint" then
      return msg.reply(mint_response(op))
    end
    return msg.reply(burn_response(op))
  end
  Cancelled[opid] = otype
  reply_error(msg, otype, "Operation cancelled: timed out at the coordinator", { ["Operation-Id"] = opid })
end)

Handlers.add("GetOperation", "GetOperation", function(msg)
  local otype = tag(msg, "Operation-Type")
  if otype ~= "mint" and otype ~= "burn" then
    return reply_error(msg, "GetOperation", "OperationType must be 'mint' or 'burn'")
  end
  local wanted_id, wanted_user = tag(msg, "Operation-Id"), tag(msg, "User")
  local found, count = {}, 0
  for id, op in pairs(Operations) do
    if op.type == otype
      and (wanted_id == nil or id == wanted_id)
      and (wanted_user == nil or op.recipient == wanted_user or op.user == wanted_user) then
      found[id] = op
      count = count + 1
    end
  end
  msg.reply({
    Action = "Operation-Response",
    Data = json.encode({ operationType = otype, operations = found, count = count }),
  })
end)

Handlers.add("TokenStats", "TokenStats", function(msg)
  local holders, largest = holder_stats()
  msg.reply({
    Action = "TokenStats-Response",
    Data = json.encode({
      tokenInfo = {
        name = TokenInfo.name, ticker = TokenInfo.ticker, totalSupply = TotalSupply,
        denomination = TokenInfo.denomination,
      },
      statistics = {
        totalMinted = TokenStats.totalMinted, totalBurned = TokenStats.totalBurned,
        totalTransfers = TokenStats.totalTransfers, uniqueHolders = holders, largestBalance = largest,
        mintOperations = TokenStats.mintOperations, burnOperations = TokenStats.burnOperations,
      },
    }),
  })
end)

local SETTINGS = { AdminProcess = config.ADMIN }
config.add(SETTINGS, config.process_id, Config, { CoordinatorProcess = "coordinatorProcess" })
config.add(SETTINGS, config.boolean, Config, { TransfersEnabled = "transfersEnabled",
  MintingEnabled = "mintingEnabled", BurningEnabled = "burningEnabled" })
config.add(SETTINGS, config.positive_amount, Config, { MaxSupply = "maxSupply", MinMintAmount = "minMintAmount",
  MaxMintAmount = "maxMintAmount" })
config.handle(SETTINGS)
