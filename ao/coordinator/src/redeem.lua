-- Coordinator: the redeem saga.  TIM3 arrives by Credit-Notice from the token manager; it is
-- burned, then the lock manager releases the same USDA.  Refused before the burn: TIM3 returned.
-- Part of ao/coordinator/src/process.lua (bundled into its build).

local amount = require("lib.amount")
local message = require("lib.message")
local saga = require("saga")
local limits = require("limits")
local tag, reply_error, is_address = message.tag, message.reply_error, message.is_address
local now_of, step, finish, send_release = saga.now_of, saga.step, saga.finish, saga.send_release
local send_burn, pending_from = saga.send_burn, saga.pending_from
local rate_check, reserve_op = limits.rate_check, limits.reserve_op

local M = {}

-- Redeem refused before the burn: give the TIM3 back.
local function return_tim3(op, reason)
  Send({ Target = Config.tokenManagerProcess, Action = "Transfer", Recipient = op.user, Quantity = op.amount,
    ["X-Operation-Id"] = op.id, ["X-Action"] = "Redeem-Refund" })
  Send({ Target = op.user, Action = "Redeem-Error", Error = reason, Data = reason, ["Operation-Id"] = op.id,
    Returned = op.amount })
  finish(op, "returned")
end

-- Credit-Notice, Burn-Response, Burn-Error.
function M.handlers()
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
    -- ao-mutate: skip(logical@55) the SU assigns each message id once: no Credit-Notice repeats
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
end

return M
