-- A small token process, written to be required as a module (the way AO suites test processes).
-- It uses the globals an AO process has: ao, Handlers, Balances, TotalSupply.
Balances = Balances or {}
TotalSupply = TotalSupply or 0
Name = "Corpus Token"
Ticker = "CRP"
Denomination = 12

local token = {}

local function quantity(value)
  local n = tonumber(value)
  if not n or n ~= math.floor(n) then error("Invalid quantity: " .. tostring(value)) end
  if n <= 0 then error("Quantity must be positive") end
  return n
end

function token.mint(msg)
  assert(msg.From == ao.id, "Only the process can mint")
  local qty = quantity(msg.Tags.Quantity)
  local to = msg.Tags.Recipient or msg.From
  Balances[to] = (Balances[to] or 0) + qty
  TotalSupply = TotalSupply + qty
  ao.send({ Target = msg.From, Action = "Mint-Notice", Recipient = to, Quantity = tostring(qty) })
  return qty
end

function token.transfer(msg)
  local qty = quantity(msg.Tags.Quantity)
  local from, to = msg.From, msg.Tags.Recipient
  if not to then error("Recipient is required") end
  local balance = Balances[from] or 0
  if balance < qty then
    ao.send({ Target = from, Action = "Transfer-Error", Error = "Insufficient Balance!" })
    return false
  end
  Balances[from] = balance - qty
  Balances[to] = (Balances[to] or 0) + qty
  ao.send({ Target = from, Action = "Debit-Notice", Recipient = to, Quantity = tostring(qty) })
  ao.send({ Target = to, Action = "Credit-Notice", Sender = from, Quantity = tostring(qty) })
  return true
end

function token.balance(msg)
  local who = msg.Tags.Target or msg.From
  local balance = tostring(Balances[who] or 0)
  ao.send({ Target = msg.From, Balance = balance, Ticker = Ticker, Account = who })
  return balance
end

function token.info(msg)
  ao.send({ Target = msg.From, Name = Name, Ticker = Ticker, Denomination = tostring(Denomination) })
end

Handlers.add("Info", Handlers.utils.hasMatchingTag("Action", "Info"), token.info)
Handlers.add("Balance", Handlers.utils.hasMatchingTag("Action", "Balance"), token.balance)
Handlers.add("Transfer", Handlers.utils.hasMatchingTag("Action", "Transfer"), token.transfer)
Handlers.add("Mint", Handlers.utils.hasMatchingTag("Action", "Mint"), token.mint)

return token
