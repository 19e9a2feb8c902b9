-- Spies, stubs, mocks and matchers the way AO suites use them.
describe("mocks", function()
  local api

  before_each(function()
    api = {
      fetch = function(id) return { id = id, owner = "alice" } end,
      now = function() return 1000 end,
      log = function() end,
    }
  end)

  it("spy.on records calls and passes through", function()
    local s = spy.on(api, "fetch")
    local r = api.fetch("x1")
    assert.equal("alice", r.owner)
    assert.spy(s).was.called(1)
    assert.spy(s).was.called_with("x1")
  end)

  it("spy records copies of table arguments", function()
    spy.on(api, "log")
    local t = { n = 1 }
    api.log(t)
    t.n = 2
    assert.spy(api.log).was.called_with({ n = 1 })
    assert.spy(api.log).was_not.called_with({ n = 2 })
  end)

  it("match.ref compares identity", function()
    spy.on(api, "log")
    local t = { n = 1 }
    api.log(t)
    assert.spy(api.log).was.called_with(match.ref(t))
  end)

  it("stub returns fixed values", function()
    stub(api, "now").returns(42)
    assert.equal(42, api.now())
    assert.stub(api.now).was.called()
  end)

  it("stub with on_call_with", function()
    local s = stub(api, "fetch")
    s.on_call_with("special").returns({ id = "special", owner = "root" })
    assert.equal("root", api.fetch("special").owner)
    assert.is_nil(api.fetch("other"))
  end)

  it("stub invokes a function", function()
    stub(api, "now").invokes(function() return 7 end)
    assert.equal(7, api.now())
  end)

  it("stub reverts", function()
    local s = stub(api, "now", 5)
    assert.equal(5, api.now())
    s:revert()
    assert.equal(1000, api.now())
  end)

  it("mock wraps every function", function()
    local m = mock(api)
    m.log("a")
    assert.spy(m.log).was.called_with("a")
    assert.equal(1000, m.now())
  end)

  it("mock with stubs", function()
    local m = mock(api, true)
    assert.is_nil(m.now())
    assert.stub(m.fetch).was_not.called()
  end)

  it("spy.new counts", function()
    local s = spy.new(function(a, b) return a + b end)
    assert.equal(3, s(1, 2))
    assert.spy(s).was.returned_with(3)
    assert.spy(s).was.called_at_least(1)
    assert.spy(s).was.called_at_most(1)
  end)

  it("matchers combine", function()
    local s = spy.new(function() end)
    s("abc", 5)
    assert.spy(s).was.called_with(match.all_of(match.is_string(), match.matches("^a")), match.is_number())
    assert.spy(s).was.called_with(match.any_of(match.is_nil(), match.is_string()), match._)
    assert.spy(s).was.called_with(match.none_of(match.is_number()), match.is_not_nil())
  end)

  it("wrong call count (fails on purpose)", function()
    local s = spy.new(function() end)
    s()
    assert.spy(s).was.called(2)
  end)

  it("wrong arguments (fails on purpose)", function()
    local s = spy.new(function() end)
    s("x")
    assert.spy(s, "called with y").was.called_with("y")
  end)

  it("ao.send spied from the helper's mock", function()
    ao.reset()
    local s = spy.on(ao, "send")
    ao.send({ Target = "t", Action = "Ping" })
    assert.spy(s).was.called_with(match.is_table())
    assert.equal("Ping", ao.outbox[1].Action)
    s:revert()
  end)

  describe("assertion styles", function()
    it("is_not", function() assert.is_not.equal(1, 2) end)
    it("are.same", function() assert.are.same({ 1, { 2 } }, { 1, { 2 } }) end)
    it("unique", function() assert.is.unique({ "a", "b" }) end)
    it("message modifier", function() assert.message("custom").is_true(true) end)
    it("has_no.errors", function() assert.has_no.errors(function() end) end)
    it("array holes", function() assert.array({ 1, 2, 3 }).has.no.holes() end)
    it("returns values", function()
      local v = assert.is_truthy("value")
      assert.equal("value", v)
    end)
    it("error value is returned", function()
      local err = assert.has_error(function() error({ reason = "x" }) end)
      assert.same({ reason = "x" }, err)
    end)
  end)
end)
