describe("file a", function()
  it("sets a global and a module", function()
    _G.LEAK = "from a"
    package.loaded["leaky"] = { 1 }
    assert.equal("from a", LEAK)
  end)
end)
