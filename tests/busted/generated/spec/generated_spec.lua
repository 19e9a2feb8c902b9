-- 20 describes with the same name, generated from a string-keyed table in a pairs() loop (the shape
-- of real AO suites); their tests' names and outcomes depend on the key.
local records = {}
for i = 1, 20 do
  records["record" .. i] = { price = i * 10, valid = i % 7 ~= 0 }
end

describe("market", function()
  for name, record in pairs(records) do
    describe("buyRecord", function()
      it("buys " .. name, function()
        assert.is_true(record.valid, name .. " is not for sale")
        assert.equal(record.price, tonumber(name:match("%d+")) * 10)
      end)
    end)
  end
end)
