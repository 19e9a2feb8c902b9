-- Coordinator: the mint saga.  The lock manager reports a deposit (Collateral-Deposited); an
-- accepted mint goes to the token manager, a refused or failed one is refunded by a Release.
-- Part of ao/coordinator/src/process.lua (bundled into its build).

local amount = require("lib.amount")
local message = require("lib.message")
local saga = require("saga")
local limits = require("limits")
local tag, reply_error, is_address = message.tag, message.reply_error, message.is_address
local now_of, position_view, step, book = saga.now_of, saga.position_view, saga.step, saga.book
local finish, send_mint, send_release = saga.finish, saga.send_mint, saga.send_release
local fail, pending_from = saga.fail, saga.pending_from
local rate_check, breaker_check = limits.rate_check, limits.breaker_check

local M = {}

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

-- Mint refused or failed: hand the USDA back, tell the user once it is on its way.
local function start_refund(op, reason, now)
  op.reason = reason
  if op.reserved then
    limits.unreserve_mint(op)
    op.reserved = false
  end
  step(op, "refunding", now)
  send_release(op, "Refund: " .. reason)
end

-- Collateral-Deposited, Mint-Response, Mint-Error.
function M.handlers()
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
    limits.reserve_op(user, now)
    limits.reserve_mint(user, q, opid, now)
    op.reserved, op.windowStart = true, Window.start
    step(op, "minting", now)
    send_mint(op)
  end)

  Handlers.add("Mint-Response", "Mint-Response", function(msg)
    local op = pending_from(msg, "tokenManagerProcess", "Mint-Response")
    if not op then
      return
    end
    if op.status == "minting" then
      book(op, "add", "minted", "Mint-Response", function()
        return {
          operationId = op.id, mintId = op.id, user = op.user, tim3Minted = op.amount,
          collateralLocked = op.amount, newPosition = position_view(op.user),
        }
      end)
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
end

return M
