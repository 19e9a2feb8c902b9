-- An order-book module: setup/teardown with shared state, error assertions, finally, lazy_setup.
local orders = require("orders")

describe("orders", function()
  local placed = {}

  setup(function()
    orders.reset()
    placed.a = orders.place({ side = "buy", price = 10, qty = 1, owner = "alice" })
    placed.b = orders.place({ side = "buy", price = 12, qty = 2, owner = "bob" })
    placed.c = orders.place({ side = "sell", price = 15, qty = 1, owner = "carol" })
  end)

  teardown(function()
    orders.reset()
  end)

  it("placed three orders", function()
    assert.equal(3, orders.count())
  end)

  it("gives sequential ids", function()
    assert.same({ a = "o1", b = "o2", c = "o3" }, placed)
  end)

  it("finds the best bid", function()
    assert.equal(placed.b, orders.best("buy").id)
  end)

  it("finds the best ask", function()
    assert.equal(placed.c, orders.best("sell").id)
  end)

  it("has no best for an empty side", function()
    assert.is_nil(orders.best("nothing"))
  end)

  describe("validation", function()
    it("rejects a non-table", function()
      assert.has_error(function() orders.place("x") end, { code = "BAD_ORDER", message = "order must be a table" })
    end)

    it("rejects a bad side (error level 2)", function()
      assert.has_error(function() orders.place({ side = "hold", price = 1, qty = 1 }) end, "invalid side: hold")
    end)

    it("rejects a bad price", function()
      assert.error_matches(function() orders.place({ side = "buy", price = -1, qty = 1 }) end, "invalid price$")
    end)

    it("rejects a bad quantity", function()
      assert.has_error(function() orders.place({ side = "buy", price = 1, qty = 0 }) end)
    end)

    it("accepts a valid order", function()
      assert.has_no.errors(function() orders.place({ side = "sell", price = 20, qty = 1, owner = "dave" }) end)
    end)

    it("error_matches with plain text", function()
      assert.error_matches(function() orders.place({ side = "buy", price = "1", qty = 1 }) end, "invalid price", 1, true)
    end)

    it("expects the wrong message (fails on purpose)", function()
      assert.has_error(function() orders.place({ side = "buy", price = 1, qty = -1 }) end, "invalid qty")
    end)
  end)

  describe("cancel", function()
    local tmp

    before_each(function()
      tmp = orders.place({ side = "buy", price = 1, qty = 1, owner = "erin" })
    end)

    it("cancels your own order", function()
      assert.is_true(orders.cancel(tmp, "erin"))
      finally(function() assert.is_nil(orders.book[tmp]) end)
    end)

    it("refuses someone else's", function()
      local ok, err = orders.cancel(tmp, "mallory")
      assert.is_nil(ok)
      assert.equal("not the owner", err)
    end)

    it("reports an unknown id", function()
      local ok, err = orders.cancel("o999", "erin")
      assert.falsy(ok)
      assert.matches("no such order", err)
    end)

    it("a finally that fails (fails on purpose)", function()
      finally(function() error("cleanup broke") end)
      assert.truthy(tmp)
    end)
  end)

  describe("fees", function()
    local cases = {
      { 100, 10, 25, 2 }, { 1000, 1, 25, 2 }, { 1, 1, 25, 0 }, { 400, 100, 10, 40 },
      { 7, 3, nil, 0 }, { 10000, 1, 30, 30 }, { 5, 5, 10000, 25 }, { 3, 3, 10000, 8 },
    }
    for i, c in ipairs(cases) do
      it("fee case " .. i, function()
        assert.equal(c[4], orders.fee(c[1], c[2], c[3]), "fee of case " .. i)
      end)
    end
    it("is near the exact value", function()
      assert.near(2.5, orders.fee(100, 10, 25), 0.5)
    end)
  end)

  describe("lazily", function()
    local ready = 0
    lazy_setup(function() ready = ready + 1 end)
    it("set up once", function() assert.equal(1, ready) end)
    it("still once", function() assert.equal(1, ready) end)
  end)
end)
