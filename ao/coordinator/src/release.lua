-- Coordinator: the lock manager's answers to a Release, which ends a redeem (collateral paid
-- out) or a refused mint's refund.  A failed redeem release mints the burned TIM3 back.
-- Part of ao/coordinator/src/process.lua (bundled into its build).

local message = require("lib.message")
local saga = require("saga")
local tag = message.tag
local now_of, position_view, step, book = saga.now_of, saga.position_view, saga.step, saga.book
local finish, send_mint, fail, pending_from = saga.finish, saga.send_mint, saga.fail, saga.pending_from

local M = {}

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

-- Release-Response, Release-Error, Release-Failed.
function M.handlers()
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
      book(op, "subtract", "redeemed", "Redeem-Response", function()
        return {
          operationId = op.id, burnId = op.id, user = op.user, tim3Burned = op.amount,
          collateralReleased = op.amount, newPosition = position_view(op.user),
        }
      end)
    end
  end)

  Handlers.add("Release-Error", "Release-Error", function(msg)
    local op = pending_from(msg, "lockManagerProcess", "Release-Error")
    if op then
      release_failed(op, tostring(tag(msg, "Error") or msg.Data), now_of(msg))
    end
  end)

  Handlers.add("Release-Failed", "Release-Failed", function(msg)
    local _, opid = pending_from(msg, "lockManagerProcess", "Release-Failed")
    -- ao-mutate: skip(guard) with no opid, Completed[nil] is nil and no branch below runs
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
end

return M
