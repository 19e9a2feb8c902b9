"""Ordinary handler traffic, message by message, on the harness and on the live aos module.

A token-like process (Balance/Transfer/Mint, Credit/Debit notices, msg.reply, extra tags), handler
control flow (continue/break, hasMatchingTag, `_default` and the Inbox), a handler that errors
and rolls back, and Receive.  Each scenario is one short message sequence; every evaluation is
compared (error presence, printed text, outbox) and the state and Inbox are compared at the end
through the same dump script evaluated on both sides.
"""

from __future__ import annotations

import pytest

from tests.live_module.twin import Twin, assert_same, assert_same_state, compare

TOKEN = r"""
local json = require("json")
Balances = Balances or { [ao.id] = 1000 }
Ticker = "TST"
Handlers.add("balance", Handlers.utils.hasMatchingTag("Action", "Balance"), function(msg)
  local who = msg.Tags.Recipient or msg.From
  msg.reply({ Balance = tostring(Balances[who] or 0), Ticker = Ticker, Account = who,
              Data = tostring(Balances[who] or 0) })
end)
Handlers.add("transfer", "Transfer", function(msg)
  local qty = tonumber(msg.Quantity)
  assert(qty and qty > 0, "Quantity must be positive")
  local from = msg.From
  if (Balances[from] or 0) < qty then
    msg.reply({ Action = "Transfer-Error", Error = "Insufficient Balance!" })
    return
  end
  Balances[from] = Balances[from] - qty
  Balances[msg.Recipient] = (Balances[msg.Recipient] or 0) + qty
  local debit = { Action = "Debit-Notice", Recipient = msg.Recipient, Quantity = msg.Quantity,
                  Data = "You transferred " .. msg.Quantity }
  local credit = { Target = msg.Recipient, Action = "Credit-Notice", Sender = from,
                   Quantity = msg.Quantity, Data = "You received " .. msg.Quantity }
  for name, value in pairs(msg.Tags) do
    if string.sub(name, 1, 2) == "X-" then debit[name] = value; credit[name] = value end
  end
  msg.reply(debit)
  Send(credit)
end)
Handlers.add("mint", { Action = "Mint" }, function(msg)
  if msg.From ~= Owner then error("only the owner mints") end
  Balances[msg.From] = (Balances[msg.From] or 0) + tonumber(msg.Quantity)
  Send({ Target = msg.From, Action = "Mint-Notice", Data = json.encode({ minted = msg.Quantity }) })
  print("minted " .. msg.Quantity)
end)
Handlers.add("half-bad", "Half-Bad", function(msg)
  Balances[msg.From] = 424242
  Send({ Target = msg.From, Action = "Never" })
  error("failed after a change")
end)
"""

CONTROL = r"""
Seen = {}
Handlers.add("first", function(msg) return msg.Action == "Route" and "continue" or false end,
  function(msg) table.insert(Seen, "first:" .. msg.Id:sub(1, 4)) end)
Handlers.add("second", Handlers.utils.hasMatchingTag("Action", "Route"), function(msg)
  table.insert(Seen, "second")
  print("second saw " .. tostring(msg.Data))
end)
Handlers.add("third", Handlers.utils.hasMatchingTag("Action", "Route"), function(msg)
  table.insert(Seen, "third-never")
end)
Handlers.add("stopper", function(msg) return msg.Action == "Stop" and "break" or 0 end,
  function(msg) table.insert(Seen, "stopper") end)
Handlers.add("after-stop", "Stop", function(msg) table.insert(Seen, "after-stop-never") end)
Handlers.add("plus-one", function(msg) return msg.Action == "Other" and 1 or 0 end,
  function() table.insert(Seen, "plus-one continues") end)
Handlers.add("data-match", { Data = "magic" }, function(msg) msg.reply({ Data = "matched magic" }) end)
Handlers.add("minus-one", function(msg) return msg.Action == "Halt" and -1 or 0 end,
  function() table.insert(Seen, "minus-one breaks") end)
Handlers.add("after-halt", "Halt", function(msg) table.insert(Seen, "after-halt-never") end)
"""


def test_token_balance_transfer_mint(twin: Twin) -> None:
    alice, bob = twin.net.wallet("alice"), twin.net.wallet("bob")
    proc, steps = twin.spawn(TOKEN)
    assert_same(steps)
    steps = [
        twin.send(proc, {"Action": "Mint", "Quantity": "500"}),
        twin.send(proc, {"Action": "Transfer", "Recipient": alice, "Quantity": "200"}),
        twin.send(
            proc, {"Action": "Transfer", "Recipient": bob, "Quantity": "50", "X-Note": "hi"}, sender=alice
        ),
        twin.send(proc, {"Action": "Transfer", "Recipient": bob, "Quantity": "9999"}, sender=alice),
        twin.send(proc, {"Action": "Balance", "Recipient": bob}, sender=alice),
    ]
    assert_same(steps)
    # the sequence did something: notices went out, the balances moved
    assert [m.action for m in steps[2].harness.messages] == ["Debit-Notice", "Credit-Notice"]
    assert steps[4].harness.reply.data == "50"
    assert_same_state(twin, proc, ["Balances", "Ticker"])


def test_error_rolls_back_on_both_sides(twin: Twin) -> None:
    proc, _ = twin.spawn(TOKEN)
    before = twin.dump(proc, ["Balances"])
    bad = twin.send(proc, {"Action": "Half-Bad"})
    assert bad.harness.error is not None and bad.live.error is not None
    # the error text agrees once positions are removed (positions are a listed deviation)
    assert_same(bad)
    zero = twin.send(proc, {"Action": "Transfer", "Recipient": proc.owner, "Quantity": "0"})
    assert_same(zero)
    assert "Quantity must be positive" in (zero.live.error or "")
    after = twin.dump(proc, ["Balances"])
    assert before == after, "an erroring message must leave no state behind"
    assert after[0] == after[1]


def test_unauthorised_mint_errors(twin: Twin) -> None:
    proc, _ = twin.spawn(TOKEN)
    step = twin.send(proc, {"Action": "Mint", "Quantity": "5"}, sender=twin.net.wallet("mallory"))
    assert step.live.error is not None and "only the owner mints" in step.live.error
    assert_same(step)


def test_process_to_process_notices(twin: Twin) -> None:
    token, _ = twin.spawn(TOKEN)
    wallet, _ = twin.spawn(
        r"""
        Got = {}
        Handlers.add("credit", "Credit-Notice", function(msg)
          table.insert(Got, { From = msg.From, Qty = msg.Quantity, Sender = msg.Sender,
                              FromProcess = msg["From-Process"], Note = msg["X-Note"] })
        end)
        """
    )
    twin.send(token, {"Action": "Mint", "Quantity": "10"})
    twin.send(token, {"Action": "Transfer", "Recipient": wallet.id, "Quantity": "7", "X-Note": "n"})
    steps = twin.run()
    assert [s.harness.message.action for s in steps] == ["Credit-Notice"]
    assert_same(steps)
    assert_same_state(twin, wallet, ["Got"])


def test_continue_break_default_and_inbox(twin: Twin) -> None:
    proc, _ = twin.spawn(CONTROL)
    steps = [
        twin.send(proc, {"Action": "Route"}, data="payload"),
        twin.send(proc, {"Action": "Stop"}),
        twin.send(proc, {"Action": "Nobody-Handles-This", "Extra": "1"}, data="to the inbox"),
        twin.send(proc, {"Action": "Other"}, data="magic"),
        twin.send(proc, {"Action": "Halt"}),
    ]
    assert_same(steps)
    assert steps[3].harness.messages, "the Data pattern matched and replied"
    live = assert_same_state(twin, proc, ["Seen"])
    assert "plus-one continues" in live and "minus-one breaks" in live and "never" not in live
    # the unhandled message is in the Inbox on both sides, with the same fields
    live = assert_same_state(twin, proc, ["Inbox"])
    assert "to the inbox" in live


def test_receive_is_optional(twin: Twin) -> None:
    proc, _ = twin.spawn(
        r"""
        Log = {}
        Handlers.add("ask", "Ask", function(msg)
          table.insert(Log, "asked")
          local answer = Receive({ Action = "Answer" })
          table.insert(Log, "answer:" .. answer.Data)
          msg.reply({ Data = "thanks for " .. answer.Data })
        end)
        """
    )
    asker = twin.net.wallet("asker")
    steps = [
        twin.send(proc, {"Action": "Ask"}, sender=asker),
        twin.send(proc, {"Action": "Unrelated"}),
        twin.send(proc, {"Action": "Answer"}, data="42"),
    ]
    assert_same(steps)
    assert steps[2].harness.messages and steps[2].harness.messages[0].data == "thanks for 42"
    assert_same_state(twin, proc, ["Log"])


def test_cron_tick(twin: Twin) -> None:
    proc, _ = twin.spawn(
        r"""
        Ticks = {}
        Handlers.add("tick", "Cron", function(msg)
          table.insert(Ticks, { Cron = msg.Cron, Id = tostring(msg.Id), From = msg.From == Owner,
                                Ts = msg.Timestamp })
          print("tick " .. #Ticks)
        end)
        """,
        tags={"Cron-Tag-Action": "Cron"},
    )
    steps = [twin.cron(proc), twin.cron(proc)]
    assert_same(steps)
    assert_same_state(twin, proc, ["Ticks"])


def test_outbox_tag_order_is_a_known_deviation(twin: Twin) -> None:
    """Deviation: aos builds outbox tags with `pairs` over the message table; live's order is
    fixed by its string hash seed, ours is sorted.  Same tags, different order."""
    proc, _ = twin.spawn(TOKEN)
    twin.send(proc, {"Action": "Mint", "Quantity": "5"})
    step = twin.send(
        proc,
        {"Action": "Transfer", "Recipient": twin.net.wallet("r"), "Quantity": "1", "X-Note": "n", "X-Other": "o"},
    )
    assert compare(step) == [], "same tags as multisets"
    base = ["Data-Protocol", "Variant", "Type", "Reference"]
    harness = [[k for k, _ in m.tag_list] for m in step.harness.messages]
    live = [[t["name"] for t in m["Tags"]] for m in step.live.messages]
    assert harness == [
        [*base, "Action", "Quantity", "Recipient", "X-Note", "X-Other"],
        [*base, "Action", "Quantity", "Sender", "X-Note", "X-Other"],
    ], "the harness sorts the tags ao.send adds"
    assert live == [
        [*base, "X-Other", "X-Note", "Recipient", "Action", "Quantity"],
        [*base, "Sender", "X-Other", "X-Note", "Action", "Quantity"],
    ], "live's hash order (fixed by its string hash seed)"


@pytest.mark.parametrize("lua", ["5.1", "5.2", "5.4", "5.5", "jit"], ids=lambda v: f"lua{v}")
def test_token_traffic_on_every_lua(live_module, lua: str) -> None:
    """The same token traffic on every Lua the harness can run, against the live 5.3 binary."""
    from harness import Network

    pair = Twin(live_module, Network(lua=lua))
    try:
        alice = pair.net.wallet("alice")
        proc, steps = pair.spawn(TOKEN)
        steps += [
            pair.send(proc, {"Action": "Mint", "Quantity": "500"}),
            pair.send(proc, {"Action": "Transfer", "Recipient": alice, "Quantity": "200"}),
            pair.send(proc, {"Action": "Balance"}, sender=alice),
            pair.send(proc, {"Action": "Half-Bad"}),
        ]
        assert_same(steps)
        assert_same_state(pair, proc, ["Balances"])
    finally:
        pair.close()


def test_spawn_and_assign_outbox(twin: Twin) -> None:
    proc, _ = twin.spawn(
        r"""
        Handlers.add("make", "Make", function(msg)
          Spawn(ao._module, { Data = "child code", Tags = { Name = "kid", ["X-Origin"] = msg.Id } })
          Assign({ Processes = { msg.From }, Message = msg.Id })
          print("spawned and assigned")
        end)
        """
    )
    step = twin.send(proc, {"Action": "Make"})
    assert step.live.spawns and step.live.assignments, "live produced a spawn and an assignment"
    assert_same(step)
