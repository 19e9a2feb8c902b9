-- Coordinator: the timeout sweep.  Runs on every Cron tick (aoform.yaml gives the coordinator a
-- Cron-Interval) and before any other non-query message while operations are pending.
-- Part of ao/coordinator/src/process.lua (bundled into its build).

local saga = require("saga")
local now_of, send_mint, send_release = saga.now_of, saga.send_mint, saga.send_release

local M = {}

-- Queries never sweep (they never change state); CleanupExpired sweeps itself, so its reply
-- counts what it swept.
local NO_PRESWEEP = { Info = true, GetPosition = true, SystemHealth = true, GetConfig = true,
  GetOperation = true, CleanupExpired = true }

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

M.sweep = sweep

-- The sweep-expired (any message) and Cron handlers.
function M.handlers()
  Handlers.add("sweep-expired",
    function(msg)
      if msg.Cron == true or NO_PRESWEEP[msg.Action] or msg["Read-Only"] == true then
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
end

return M
