-- Coordinator: the circuit breaker, rate limit and large-mint cooldown.  Limits are checked and
-- RESERVED when a request is accepted, and given back when it fails.
-- Part of ao/coordinator/src/process.lua (bundled into its build).

local amount = require("lib.amount")

local function whole(base_units) -- "50000000000" -> "50000" (for messages)
  return amount.format_scaled(base_units, 6)
end

-- Keep only history entries younger than `window` ms.
local function prune(list, now, window, key)
  local kept = {}
  for i = 1, #list do
    local t = key and list[i][key] or list[i]
    if now - t < window then
      kept[#kept + 1] = list[i]
    end
  end
  return kept
end

local function rate_check(user, now)
  local hist = prune(UserOpHistory[user] or {}, now, Config.rateLimitWindow)
  UserOpHistory[user] = hist
  if #hist >= Config.rateLimitCount then
    return "Rate limit exceeded (max " .. Config.rateLimitCount .. " operations per "
      .. math.floor(Config.rateLimitWindow / 1000) .. " seconds)"
  end
end

local function breaker_check(user, q, now)
  if now - Window.start >= Config.blockTimeWindow then
    Window.start, Window.total = now, "0"
  end
  local window_text = math.floor(Config.blockTimeWindow / 60000) .. "min"
  if Config.blockTimeWindow == 3600000 then
    window_text = "1h"
  end
  if amount.gt(amount.add(Window.total, q), Config.maxMintPerBlock) then
    return "Block mint limit exceeded (max " .. whole(Config.maxMintPerBlock) .. " TIM3 per " .. window_text .. ")"
  end
  local hist = prune(UserMintHistory[user] or {}, now, Config.blockTimeWindow, "t")
  UserMintHistory[user] = hist
  local used = "0"
  for i = 1, #hist do
    used = amount.add(used, hist[i].amount)
  end
  if amount.gt(amount.add(used, q), Config.maxMintPerUser) then
    return "User mint limit exceeded (max " .. whole(Config.maxMintPerUser) .. " TIM3 per user per " .. window_text .. ")"
  end
  if amount.ge(q, Config.largeMintThreshold) and LastLargeMint[user] ~= nil
    and now - LastLargeMint[user] < Config.mintCooldownPeriod then
    local wait = math.ceil((Config.mintCooldownPeriod - (now - LastLargeMint[user])) / 1000)
    return "Large mint cooldown active (wait " .. wait .. " seconds)"
  end
end

local function reserve_mint(user, q, opid, now)
  Window.total = amount.add(Window.total, q)
  local hist = UserMintHistory[user] or {}
  hist[#hist + 1] = { t = now, amount = q, op = opid }
  -- ao-mutate: skip(assign) breaker_check stored this very table for the user in the same message
  UserMintHistory[user] = hist
  if amount.ge(q, Config.largeMintThreshold) then
    LastLargeMint[user] = now
  end
end

local function reserve_op(user, now)
  local hist = UserOpHistory[user] or {}
  hist[#hist + 1] = now
  -- ao-mutate: skip(assign) rate_check stored this very table for the user in the same message
  UserOpHistory[user] = hist
end

local function unreserve_mint(op)
  if op.windowStart == Window.start then
    -- ao-mutate: skip(constant) never reached: op.amount was added to this window's total
    Window.total = amount.try_sub(Window.total, op.amount) or "0"
  end
  local hist = UserMintHistory[op.user] or {}
  for i = #hist, 1, -1 do
    if hist[i].op == op.id then
      table.remove(hist, i)
    end
  end
end

return {
  rate_check = rate_check, breaker_check = breaker_check, reserve_mint = reserve_mint, reserve_op = reserve_op,
  unreserve_mint = unreserve_mint,
}
