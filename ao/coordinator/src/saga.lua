-- Coordinator: the saga record helpers shared by every flow.  An operation (`Pending[id]`) moves
-- through steps; every request it sends carries its Operation-Id; `deadline` is when the current
-- step times out.  Part of ao/coordinator/src/process.lua (bundled into its build).

local json = require("json")
local amount = require("lib.amount")
local message = require("lib.message")
local tag, reply_error = message.tag, message.reply_error

-- The message time in ms.  A forged `Timestamp` TAG overwrites msg.Timestamp in aos; such a
-- value is ignored and time never runs backwards.
local function now_of(msg)
  local t = msg.Timestamp
  -- ao-mutate: skip(logical:or) a Timestamp tag replaces msg.Timestamp by a string, so either test alone catches it
  if (msg.Tags and msg.Tags.Timestamp ~= nil) or type(t) ~= "number" then
    return LastTimestamp
  end
  -- ao-mutate: skip(relational) t == LastTimestamp stores the same value
  if t > LastTimestamp then
    LastTimestamp = t
  end
  return LastTimestamp
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
  -- ao-mutate: skip(constant@33) with tim3Minted "0", amount.ratio(c, "0") is "0" as well
  local ratio = p.tim3Minted ~= "0" and amount.ratio(p.collateral, p.tim3Minted, 6) or "0"
  return {
    -- ao-mutate: skip(constant) position() creates every record with redeemed = "0"
    collateral = p.collateral, tim3Minted = p.tim3Minted, redeemed = p.redeemed or "0",
    collateralRatio = ratio, healthFactor = ratio,
  }
end

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

local function fail(op, reason)
  op.reason = reason
  Failed[op.id] = op
  Pending[op.id] = nil
  print("Operation " .. op.id .. " needs the admin: " .. reason)
end

-- Subtract, floored at "0" (books never go negative).
local function sub_floor(a, b)
  return amount.try_sub(a, b) or "0"
end

-- A mint ("add") or redeem ("subtract") that completed: book it in Totals and the user's position,
-- report it to the state manager, close the operation, and send the user `action` with the JSON
-- of data() (called after the booking, so it sees the new position).
local function book(op, operation, outcome, action, data)
  local change = operation == "add" and amount.add or sub_floor
  Totals.collateral = change(Totals.collateral, op.amount)
  Totals.tim3 = change(Totals.tim3, op.amount)
  local p = position(op.user)
  p.collateral = change(p.collateral, op.amount)
  p.tim3Minted = change(p.tim3Minted, op.amount)
  if operation == "subtract" then
    -- ao-mutate: skip(constant) position() creates every record with redeemed = "0"
    p.redeemed = amount.add(p.redeemed or "0", op.amount)
  end
  report_state(op, operation)
  finish(op, outcome)
  Send({
    Target = op.user,
    Action = action,
    ["Operation-Id"] = op.id,
    Quantity = op.amount,
    Data = json.encode(data()),
  })
end

-- The Pending operation a participant's answer is about; nil (after an error reply) when the
-- answer does not come from the configured participant `Config[from_field]`.
local function pending_from(msg, from_field, action)
  local opid = tag(msg, "Operation-Id")
  if Config[from_field] == nil or msg.From ~= Config[from_field] then
    reply_error(msg, action, "Unauthorized sender", { ["Operation-Id"] = opid })
    return nil
  end
  return opid and Pending[opid], opid
end

return {
  now_of = now_of, position = position, position_view = position_view, step = step, finish = finish,
  send_mint = send_mint, send_release = send_release, send_burn = send_burn, report_state = report_state,
  fail = fail, pending_from = pending_from, book = book,
}
