-- The token process required as a module, with the helper's mocked ao and a spy on ao.send.
local token = require("token")

local function msg(from, action, tags)
  tags = tags or {}
  tags.Action = action
  return { From = from, Tags = tags }
end

describe("token", function()
  before_each(function()
    _G.Balances = { alice = 100, bob = 5 }
    _G.TotalSupply = 105
    ao.reset()
    spy.on(ao, "send")
  end)

  after_each(function()
    ao.send:revert()
  end)

  describe("transfer", function()
    it("moves the quantity", function()
      assert.is_true(token.transfer(msg("alice", "Transfer", { Recipient = "bob", Quantity = "30" })))
      assert.equal(70, Balances.alice, "alice was debited")
      assert.equal(35, Balances.bob, "bob was credited")
    end)

    it("sends a debit and a credit notice", function()
      token.transfer(msg("alice", "Transfer", { Recipient = "bob", Quantity = "1" }))
      assert.spy(ao.send).was.called(2)
      local debit = ao.send.calls[1].vals[1]
      local credit = ao.send.calls[2].vals[1]
      assert.equal("Debit-Notice", debit.Action, "first message")
      assert.equal("Credit-Notice", credit.Action, "second message")
      assert.same({ Target = "bob", Action = "Credit-Notice", Sender = "alice", Quantity = "1" }, credit)
    end)

    it("was called with a table", function()
      token.transfer(msg("alice", "Transfer", { Recipient = "carol", Quantity = "2" }))
      assert.spy(ao.send).was.called_with(match.is_table())
      assert.spy(ao.send).was_not.called_with(match.is_string())
    end)

    it("refuses an overdraft with an error message", function()
      assert.is_false(token.transfer(msg("bob", "Transfer", { Recipient = "alice", Quantity = "6" })))
      assert.equal("Insufficient Balance!", ao.outbox[1].Error)
      assert.equal(5, Balances.bob, "nothing moved")
    end)

    it("rejects a zero quantity", function()
      assert.has_error(function()
        token.transfer(msg("alice", "Transfer", { Recipient = "bob", Quantity = "0" }))
      end, "Quantity must be positive")
    end)

    it("rejects a fractional quantity", function()
      assert.error_matches(function()
        token.transfer(msg("alice", "Transfer", { Recipient = "bob", Quantity = "1.5" }))
      end, "Invalid quantity: 1%.5")
    end)

    it("needs a recipient", function()
      assert.has_error(function() token.transfer(msg("alice", "Transfer", { Quantity = "1" })) end,
        "Recipient is required")
    end)

    it("keeps the total supply", function()
      token.transfer(msg("alice", "Transfer", { Recipient = "dave", Quantity = "50" }))
      local sum = 0
      for _, v in pairs(Balances) do sum = sum + v end
      assert.equal(TotalSupply, sum, "supply is conserved")
    end)

    it("documents a fee that is not implemented (fails on purpose)", function()
      token.transfer(msg("alice", "Transfer", { Recipient = "bob", Quantity = "10" }))
      assert.equal(89, Balances.alice, "a 1-token fee was expected")
    end)
  end)

  describe("mint", function()
    it("mints to the recipient", function()
      local minted = token.mint({ From = ao.id, Tags = { Action = "Mint", Quantity = "10", Recipient = "erin" } })
      assert.equal(10, minted)
      assert.equal(10, Balances.erin)
      assert.equal(115, TotalSupply)
    end)

    it("mints to the process by default", function()
      token.mint({ From = ao.id, Tags = { Action = "Mint", Quantity = "3" } })
      assert.equal(3, Balances[ao.id])
    end)

    it("refuses anyone but the process", function()
      assert.has_error(function()
        token.mint({ From = "mallory", Tags = { Action = "Mint", Quantity = "3" } })
      end, "Only the process can mint")
    end)

    it("sends a mint notice", function()
      token.mint({ From = ao.id, Tags = { Action = "Mint", Quantity = "4" } })
      assert.spy(ao.send).was.called_with({ Target = ao.id, Action = "Mint-Notice", Recipient = ao.id, Quantity = "4" })
    end)
  end)

  describe("balance and info", function()
    it("reports the sender's balance", function()
      assert.equal("100", token.balance(msg("alice", "Balance")))
    end)

    it("reports another account", function()
      assert.equal("5", token.balance(msg("alice", "Balance", { Target = "bob" })))
    end)

    it("reports zero for strangers", function()
      token.balance(msg("zed", "Balance"))
      assert.same({ Target = "zed", Balance = "0", Ticker = "CRP", Account = "zed" }, ao.outbox[1])
    end)

    it("sends the token info", function()
      token.info(msg("alice", "Info"))
      assert.equal("Corpus Token", ao.outbox[1].Name)
      assert.equal("12", ao.outbox[1].Denomination)
    end)
  end)

  describe("handlers", function()
    it("routes Transfer through Handlers", function()
      local result, name = Handlers.evaluate(msg("alice", "Transfer", { Recipient = "bob", Quantity = "5" }))
      assert.equal("Transfer", name)
      assert.is_true(result)
    end)

    it("routes Balance", function()
      local _, name = Handlers.evaluate(msg("alice", "Balance"))
      assert.equal("Balance", name)
    end)

    it("ignores unknown actions", function()
      local result, name = Handlers.evaluate(msg("alice", "Dance"))
      assert.is_nil(result)
      assert.is_nil(name)
      assert.spy(ao.send).was_not.called()
    end)

    it("registered four handlers", function()
      assert.equal(4, #Handlers.list)
    end)
  end)

  -- generated from a string-keyed table, as real suites do
  local transfers = {
    small = { from = "alice", to = "bob", qty = "1", ok = true },
    exact = { from = "bob", to = "alice", qty = "5", ok = true },
    overdraft = { from = "bob", to = "alice", qty = "50", ok = false },
    newcomer = { from = "alice", to = "frank", qty = "99", ok = true },
    whole = { from = "alice", to = "bob", qty = "100", ok = true },
    stranger = { from = "nobody", to = "bob", qty = "1", ok = false },
    wrong_expectation = { from = "alice", to = "bob", qty = "7", ok = false },
  }
  for name, case in pairs(transfers) do
    describe("transfer case", function()
      it(name .. " result", function()
        local ok = token.transfer(msg(case.from, "Transfer", { Recipient = case.to, Quantity = case.qty }))
        assert.equal(case.ok, ok, name .. " result")
      end)
      it(name .. " messages", function()
        token.transfer(msg(case.from, "Transfer", { Recipient = case.to, Quantity = case.qty }))
        assert.spy(ao.send).was.called(case.ok and 2 or 1)
      end)
    end)
  end
end)
