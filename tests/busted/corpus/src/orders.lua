-- An order book module (pure functions plus module state), like the ones AO market specs test.
local orders = { book = {}, nextId = 1 }

local function check(order)
  if type(order) ~= "table" then error({ code = "BAD_ORDER", message = "order must be a table" }) end
  if order.side ~= "buy" and order.side ~= "sell" then error("invalid side: " .. tostring(order.side), 2) end
  if type(order.price) ~= "number" or order.price <= 0 then error("invalid price") end
  if type(order.qty) ~= "number" or order.qty <= 0 then error("invalid quantity") end
end

function orders.reset()
  orders.book = {}
  orders.nextId = 1
end

function orders.place(order)
  check(order)
  local id = "o" .. orders.nextId
  orders.nextId = orders.nextId + 1
  orders.book[id] = { id = id, side = order.side, price = order.price, qty = order.qty, owner = order.owner }
  return id
end

function orders.cancel(id, owner)
  local o = orders.book[id]
  if not o then return nil, "no such order: " .. tostring(id) end
  if o.owner ~= owner then return nil, "not the owner" end
  orders.book[id] = nil
  return true
end

function orders.best(side)
  local best
  for _, o in pairs(orders.book) do
    if o.side == side then
      if not best or (side == "buy" and o.price > best.price) or (side == "sell" and o.price < best.price)
        or (o.price == best.price and o.id < best.id) then
        best = o
      end
    end
  end
  return best
end

function orders.count()
  local n = 0
  for _ in pairs(orders.book) do n = n + 1 end
  return n
end

function orders.fee(qty, price, bps)
  return math.floor(qty * price * (bps or 25) / 10000)
end

return orders
