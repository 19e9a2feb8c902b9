-- Global state: _G set by the helper, insulate/expose, setup/teardown sharing state, pending, #tags.
describe("globals", function()
  it("sees the helper's ao", function()
    assert.equal("process-id", ao.id)
    assert.equal("owner-address", ao.env.Process.Owner)
  end)

  it("sees the helper's Owner", function()
    assert.equal("owner-address", Owner)
  end)

  it("sees Handlers from the helper", function()
    assert.is_function(Handlers.add)
  end)

  insulate("an insulated block", function()
    _G.Counter = 10
    it("sees its own global", function()
      assert.equal(10, Counter)
      Counter = Counter + 1
    end)
    it("kept the write of the previous test", function()
      assert.equal(11, _G.Counter)
    end)
  end)

  it("does not see the insulated global", function()
    assert.is_nil(rawget(_G, "Counter"))
  end)

  insulate("insulated modules", function()
    it("requires a fresh copy", function()
      package.loaded["orders"] = nil
      local orders = require("orders")
      orders.place({ side = "buy", price = 1, qty = 1 })
      assert.equal(1, orders.count())
    end)
  end)

  expose("an exposed block", function()
    _G.Exposed = "yes"
    it("sets a global", function()
      assert.equal("yes", Exposed)
    end)
  end)

  it("sees the exposed global", function()
    assert.equal("yes", _G.Exposed)
  end)

  describe("setup and teardown share state", function()
    local db

    setup(function()
      db = { rows = {} }
    end)

    teardown(function()
      db = nil
    end)

    before_each(function()
      db.rows[#db.rows + 1] = "row"
    end)

    it("has one row", function() assert.equal(1, #db.rows) end)
    it("has two rows", function() assert.equal(2, #db.rows) end)
    it("has three rows", function() assert.equal(3, #db.rows) end)
    it("miscounts (fails on purpose)", function() assert.equal(3, #db.rows, "rows after four tests") end)
  end)

  describe("an it that writes a global", function()
    it("writes", function() LeakyGlobal = 1 end)
    it("does not leak to the next it", function() assert.is_nil(LeakyGlobal) end)
  end)

  describe("pending", function()
    pending("a pending block")
    pending("pending with a function", function() error("never runs") end)
    it("pending inside a test", function()
      pending("not finished")
      error("not reached")
    end)
  end)

  describe("#slow tagged", function()
    it("runs #net", function() assert.truthy(true) end)
    it("runs too", function() assert.truthy(1) end)
  end)

  describe("errors", function()
    it("a Lua error (fails on purpose)", function()
      local t = nil
      return t.field
    end)
    it("error with a table (fails on purpose)", function()
      error({ code = 42 })
    end)
    it("a failed assert() (fails on purpose)", function()
      assert(1 == 2, "one is not two")
    end)
  end)
end)
