-- Mock USDA: a standard AO token standing in for USDA in development and tests, plus a capped
-- development faucet (Mint) and an escrow extension (Lock / Unlock naming a Locker).
-- Protocol: ao/PROTOCOL.md ("Mock USDA").  Amounts are canonical base-unit strings (6 decimals).

local json = require("json")
local amount = require("lib.amount")
local message = require("lib.message")
local config = require("lib.config")
local token = require("lib.token")
local tag, reply_error, read_amount = message.tag, message.reply_error, message.read_amount
local balance_of = token.balance_of

-- Persistent state (kept when the file is loaded again).
-- `Name` is set by aos from the spawn's Name tag and deliberately left alone here.
Ticker = Ticker or "mUSDT"
Denomination = Denomination or "6"
Logo = Logo or "development-token"
Balances = Balances or {}             -- address -> amount
TotalSupply = TotalSupply or "0"
Locks = Locks or {}                   -- holder -> { locker -> amount }
LockedTotals = LockedTotals or {}     -- holder -> amount (sum over lockers)
FaucetMax = FaucetMax or "10000000000" -- 10,000 USDA per faucet Mint
Admin = Admin or Owner

local function locked_of(who)
  return LockedTotals[who] or "0"
end

local function available_of(who)
  return amount.sub(balance_of(who), locked_of(who))
end

-- JSON with a fixed key order: the order the live session recorded.
local function ordered_json(pairs_list)
  local parts = {}
  for i = 1, #pairs_list do
    local key, value, raw = pairs_list[i][1], pairs_list[i][2], pairs_list[i][3]
    parts[i] = json.encode(key) .. ":" .. (raw and value or json.encode(value))
  end
  return "{" .. table.concat(parts, ",") .. "}"
end

Handlers.add("Info", "Info", function(msg)
  msg.reply({
    Action = "Info-Response",
    Name = Name,
    Ticker = Ticker,
    Logo = Logo,
    Denomination = Denomination,
    Data = ordered_json({
      { "ticker", Ticker },
      { "totalSupply", TotalSupply, true }, -- a JSON number, as the live session showed
      { "denomination", Denomination, true },
      { "name", Name },
    }),
  })
end)

Handlers.add("Balance", "Balance", function(msg)
  local who = tag(msg, "Recipient") or tag(msg, "Target") or msg.From
  local bal = balance_of(who)
  msg.reply({
    Action = "Balance-Response",
    Balance = bal,
    Ticker = Ticker,
    Account = who,
    Data = ordered_json({
      { "locked", locked_of(who) },
      { "balance", bal },
      { "available", available_of(who) },
      { "target", who },
    }),
  })
end)

token.handle_queries(function()
  return Ticker
end)

-- USDA's Transfer: only the available (unlocked) part can move; every holder stays in Balances.
local TRANSFER = {
  spendable = available_of,
  set_balance = token.keep_balance,
  invalid = "Invalid amount: ",
  insufficient = "Insufficient available balance",
}

Handlers.add("Transfer", "Transfer", function(msg)
  token.transfer(msg, TRANSFER)
end)

Handlers.add("Burn", "Burn", function(msg)
  local q, why = read_amount(msg)
  if not q then
    return reply_error(msg, "Burn", "Invalid amount: " .. why)
  end
  if amount.lt(available_of(msg.From), q) then
    return reply_error(msg, "Burn", "Insufficient available balance")
  end
  Balances[msg.From] = amount.sub(balance_of(msg.From), q)
  TotalSupply = amount.sub(TotalSupply, q)
  msg.reply({
    Action = "Burn-Response",
    Quantity = q,
    Data = json.encode({ user = msg.From, amount = q, newBalance = balance_of(msg.From) }),
  })
end)

-- Development faucet: anyone may mint up to FaucetMax per message.
Handlers.add("Mint", "Mint", function(msg)
  local q, why = read_amount(msg)
  if not q then
    return reply_error(msg, "Mint", "Invalid mint amount: " .. why)
  end
  if amount.gt(q, FaucetMax) then
    return reply_error(msg, "Mint", "Mint amount above faucet maximum (" .. FaucetMax .. ")")
  end
  local recipient = tag(msg, "Recipient") or msg.From
  Balances[recipient] = amount.add(balance_of(recipient), q)
  TotalSupply = amount.add(TotalSupply, q)
  msg.reply({
    Action = "Mint-Response",
    Recipient = recipient,
    Quantity = q,
    Data = json.encode({ recipient = recipient, amount = q, newBalance = balance_of(recipient) }),
  })
  if recipient ~= msg.From then
    Send({
      Target = recipient,
      Action = "Credit-Notice",
      Sender = msg.From,
      Quantity = q,
      ["X-Faucet"] = "true",
      Data = json.encode({ from = "Mock-USDA-Mint", amount = q, newBalance = balance_of(recipient) }),
    })
  end
end)

-- Escrow: the holder (From) locks part of its own available balance for a Locker (default:
-- itself).  Only that Locker may unlock it.
Handlers.add("Lock", "Lock", function(msg)
  local user = tag(msg, "User")
  if user ~= nil and user ~= msg.From then
    return reply_error(msg, "Lock", "Only the holder can lock its own balance")
  end
  user = msg.From
  local q, why = read_amount(msg)
  if not q then
    return reply_error(msg, "Lock", "Invalid amount: " .. why)
  end
  if amount.lt(available_of(user), q) then
    return reply_error(msg, "Lock", "Insufficient available balance for lock")
  end
  local locker = tag(msg, "Locker") or user
  Locks[user] = Locks[user] or {}
  Locks[user][locker] = amount.add(Locks[user][locker] or "0", q)
  LockedTotals[user] = amount.add(locked_of(user), q)
  msg.reply({
    Action = "Lock-Response",
    Quantity = q,
    Locker = locker,
    Data = json.encode({
      user = user, amount = q, locker = locker,
      totalLocked = locked_of(user), availableBalance = available_of(user),
    }),
  })
  if locker ~= user then
    Send({
      Target = locker,
      Action = "Lock-Confirmed",
      User = user,
      Quantity = q,
      ["Lock-Id"] = msg.Id,
      Data = json.encode({ user = user, amount = q, lockId = msg.Id, purpose = tag(msg, "Purpose") }),
    })
  end
end)

Handlers.add("Unlock", "Unlock", function(msg)
  local user = tag(msg, "User") or msg.From
  local q, why = read_amount(msg)
  if not q then
    return reply_error(msg, "Unlock", "Invalid amount: " .. why)
  end
  local mine = (Locks[user] or {})[msg.From] or "0"
  if amount.lt(mine, q) then
    return reply_error(msg, "Unlock", "Insufficient locked balance")
  end
  local rest = amount.sub(mine, q)
  Locks[user][msg.From] = rest ~= "0" and rest or nil
  LockedTotals[user] = amount.sub(locked_of(user), q)
  if LockedTotals[user] == "0" then
    LockedTotals[user] = nil
  end
  msg.reply({
    Action = "Unlock-Response",
    Quantity = q,
    Data = json.encode({
      user = user, amount = q, remainingLocked = locked_of(user), availableBalance = available_of(user),
    }),
  })
  if user ~= msg.From then
    Send({
      Target = user,
      Action = "Unlock-Notice",
      Quantity = q,
      Data = json.encode({ amount = q, unlockedBy = msg.From, availableBalance = available_of(user) }),
    })
  end
end)

-- USDA's own rule for a new Admin: any 43-character address.
local function address(value)
  if type(value) == "string" and #value == 43 then
    return value
  end
  return nil, "need a 43-character address"
end

config.handle({
  FaucetMax = { config.positive_amount, function(value)
    FaucetMax = value
  end },
  AdminProcess = { address, config.set_admin },
})
