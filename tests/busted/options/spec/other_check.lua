describe("check", function()
  it("net #net", function() assert.is_nil(HELPER_MISSING) end)
  it("plain", function() error("not tagged #net") end)
end)
