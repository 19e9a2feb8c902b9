-- hooks in busted's order
local log = {}
local function add(s) log[#log + 1] = s end

describe("hooks", function()
  setup(function() add("setup") end)
  teardown(function() add("teardown") end)
  lazy_setup(function() add("lazy_setup") end)
  lazy_teardown(function() add("lazy_teardown") end)
  before_each(function() add("before") end)
  after_each(function() add("after") end)

  it("first", function()
    add("it1")
    assert.same({ "setup", "lazy_setup", "before", "it1" }, log)
  end)

  describe("nested", function()
    before_each(function() add("inner_before") end)
    after_each(function() add("inner_after") end)
    it("second", function()
      add("it2")
      assert.same({ "setup", "lazy_setup", "before", "it1", "after",
        "before", "inner_before", "it2" }, log)
    end)
  end)

  describe("no tests here", function()
    lazy_setup(function() add("never") end)
    strict_setup(function() add("strict_runs_anyway") end)
  end)
end)

describe("after hooks", function()
  it("saw teardown, inner_after and strict setup of the empty block", function()
    assert.same({ "setup", "lazy_setup", "before", "it1", "after",
      "before", "inner_before", "it2", "inner_after", "after",
      "strict_runs_anyway", "lazy_teardown", "teardown" }, log)
  end)
end)

describe("globals set by hooks", function()
  before_each(function() shared_value = 42 end)
  it("are visible in tests", function() assert.equal(42, shared_value) end)
  it("a global set in a test stays in the test", function()
    test_local_global = 1
    assert.equal(1, test_local_global)
  end)
  it("is gone in the next test", function() assert.is_nil(test_local_global) end)
end)

insulate("insulate", function()
  _G.insulated_global = "x"
  package.loaded["fake.module"] = { 1 }
  it("sees its own globals", function() assert.equal("x", insulated_global) end)
end)

describe("after insulate", function()
  it("globals and package.loaded are restored", function()
    assert.is_nil(rawget(_G, "insulated_global"))
    assert.is_nil(package.loaded["fake.module"])
  end)
end)

expose("expose", function()
  _G.exposed_global = "y"
  it("sees it", function() assert.equal("y", exposed_global) end)
end)

describe("after expose", function()
  it("the exposed global is still there", function() assert.equal("y", exposed_global) end)
end)
