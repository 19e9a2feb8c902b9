-- ao/lib/token.lua: the standard AO token parts Mock USDA and the TIM3 token manager share: the
-- `Balances` ledger, X- tag forwarding, a parameterised Transfer (Debit-Notice to the sender,
-- Credit-Notice to the recipient) and the Balances / Total-Supply queries.
-- Bundled into each process's build by `ao-harness build`.
--
-- It works on the process's `Balances` (address -> amount) and `TotalSupply` globals, which each
-- token declares at the top of its file.  What the two tokens do differently on purpose (Mock USDA
-- follows USDA: locks, zero balances kept; the TIM3 token: a transfer switch, zero balances
-- dropped, statistics) is passed in by the caller.

local json = require("json")
local amount = require("lib.amount")
local message = require("lib.message")

local M = {}

function M.balance_of(who)
  return Balances[who] or "0"
end

-- Store a balance, keeping "0" entries (USDA's ledger keeps every holder it has seen).
function M.keep_balance(who, value)
  Balances[who] = value
end

-- Store a balance, dropping holders whose balance reaches "0".
function M.drop_zero_balance(who, value)
  Balances[who] = value ~= "0" and value or nil
end

-- Copy every X- tag of the request onto a notice (standard token behaviour).
function M.forward_x_tags(msg, notice)
  for name, value in pairs(msg.Tags or {}) do
    -- ao-mutate: skip(constant) string.sub(name, 0, 2) is string.sub(name, 1, 2)
    if type(name) == "string" and string.sub(name, 1, 2) == "X-" then
      notice[name] = value
    end
  end
  return notice
end

-- Transfer {Recipient, Quantity} from msg.From.  rules:
--   refuse(msg)       optional: an error text when transfers are refused altogether
--   spendable(who)    what the sender may spend (default: the balance)
--   set_balance       M.keep_balance or M.drop_zero_balance
--   invalid           error prefix for a malformed Quantity ("Invalid amount: ")
--   insufficient      error text when the sender has too little
--   after(msg, q)     optional: called once the balances moved (statistics)
-- With a Cast tag no notices are sent.
function M.transfer(msg, rules)
  local refused = rules.refuse and rules.refuse(msg)
  if refused then
    return message.reply_error(msg, "Transfer", refused)
  end
  local recipient = message.tag(msg, "Recipient")
  if type(recipient) ~= "string" or recipient == "" then
    return message.reply_error(msg, "Transfer", "Recipient required")
  end
  local q, why = message.read_amount(msg)
  if not q then
    return message.reply_error(msg, "Transfer", rules.invalid .. why)
  end
  local spendable = rules.spendable or M.balance_of
  if amount.lt(spendable(msg.From), q) then
    return message.reply_error(msg, "Transfer", rules.insufficient)
  end
  rules.set_balance(msg.From, amount.sub(M.balance_of(msg.From), q))
  rules.set_balance(recipient, amount.add(M.balance_of(recipient), q))
  if rules.after then
    rules.after(msg, q)
  end
  if msg.Tags.Cast then
    return
  end
  msg.reply(M.forward_x_tags(msg, {
    Action = "Debit-Notice",
    Recipient = recipient,
    Quantity = q,
    Data = json.encode({ recipient = recipient, amount = q, newBalance = M.balance_of(msg.From) }),
  }))
  Send(M.forward_x_tags(msg, {
    Target = recipient,
    Action = "Credit-Notice",
    Sender = msg.From,
    Quantity = q,
    Data = json.encode({ from = msg.From, amount = q, newBalance = M.balance_of(recipient) }),
  }))
end

-- The Balances and Total-Supply queries; ticker() gives the Ticker tag of the replies.
function M.handle_queries(ticker)
  Handlers.add("Balances", "Balances", function(msg)
    msg.reply({ Action = "Balances-Response", Ticker = ticker(), Data = message.encode_map(Balances) })
  end)
  Handlers.add("Total-Supply", "Total-Supply", function(msg)
    msg.reply({ Action = "Total-Supply", Ticker = ticker(), Data = TotalSupply })
  end)
end

return M
