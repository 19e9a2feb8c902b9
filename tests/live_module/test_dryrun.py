"""Dry-runs as aoconnect sends them, on the harness and on the live aos module.

aoconnect's ``dryrun({process, data, tags, Owner})`` posts ``Id = "1234"``, the given ``Owner``,
``Data = data or "1234"``, the tags plus ``Data-Protocol``/``Type``/``Variant``, ``Anchor = "0"``;
the CU adds the Timestamp and Block-Height of the last evaluated message, ``Cron = false``,
``From`` and ``Read-Only = true``, and keeps nothing afterwards.  ``Twin.dryrun`` builds exactly
that message for live.
"""

from __future__ import annotations

from tests.live_module.test_traffic import TOKEN
from tests.live_module.twin import Twin, assert_same, assert_same_state

ECHO = r"""
local json = require("json")
Counter = 0
local function show(v)
  if type(v) ~= "table" then return json.encode(v) end
  local keys = {}
  for k in pairs(v) do keys[#keys + 1] = tostring(k) .. ":" .. show(v[k]) end
  table.sort(keys)
  return "{" .. table.concat(keys, ",") .. "}"
end
Handlers.add("echo", "Echo", function(msg)
  local fields = {}
  for k, v in pairs(msg) do
    if type(v) ~= "function" then fields[#fields + 1] = k .. "=" .. show(v) end
  end
  table.sort(fields)
  msg.reply({ Data = table.concat(fields, "\n") })
end)
Handlers.add("bump", "Bump", function(msg)
  Counter = Counter + 1
  Send({ Target = msg.From, Action = "Bumped", Data = tostring(Counter) })
end)
Handlers.add("bad", "Bad", function(msg)
  Counter = 999
  error("dry and bad")
end)
"""


def test_dryrun_balance_query(twin: Twin) -> None:
    alice = twin.net.wallet("alice")
    proc, _ = twin.spawn(TOKEN)
    twin.send(proc, {"Action": "Mint", "Quantity": "500"})
    twin.send(proc, {"Action": "Transfer", "Recipient": alice, "Quantity": "120"})
    step = twin.dryrun(proc, {"Action": "Balance"}, sender=alice)
    assert_same(step)
    assert step.live.messages[0]["Data"] == "120"
    assert step.live.messages[0]["Target"] == alice


def test_dryrun_keeps_nothing(twin: Twin) -> None:
    proc, _ = twin.spawn(ECHO)
    steps = [
        twin.dryrun(proc, {"Action": "Bump"}),
        twin.dryrun(proc, {"Action": "Bump"}),
        twin.dryrun(proc, {"Action": "Bad"}),
        twin.send(proc, {"Action": "Bump"}),
        twin.dryrun(proc, {"Action": "Bump"}),
    ]
    assert_same(steps)
    # every dry Bump saw the counter as the real messages left it
    assert [m["Data"] for s in steps if s.live.messages for m in s.live.messages] == ["1", "1", "1", "2"]
    live = assert_same_state(twin, proc, ["Counter"])
    assert live == "Counter = 1"


def test_dryrun_with_the_harness_fields(twin: Twin) -> None:
    """The same dry-run message on both sides (no aoconnect defaults): Read-Only handling only."""
    proc, _ = twin.spawn(ECHO)
    step = twin.dryrun(proc, {"Action": "Bump"}, aoconnect=False)
    assert_same(step)
    assert step.live.messages and step.live.messages[0]["Data"] == "1"


def test_dryrun_message_fields_as_aoconnect_sends_them(twin: Twin) -> None:
    proc, _ = twin.spawn(ECHO)
    step = twin.dryrun(proc, {"Action": "Echo"}, sender=twin.net.wallet("reader"))
    assert "Id=\"1234\"" in step.live.messages[0]["Data"]
    assert_same(step)


def test_dryrun_time_is_the_last_evaluated_message(twin: Twin) -> None:
    proc, _ = twin.spawn(ECHO)
    twin.net.advance(10 * 60_000)
    step = twin.dryrun(proc, {"Action": "Echo"})
    live = step.live.messages[0]["Data"]
    harness = step.harness.messages[0].data
    pick = lambda text: [ln for ln in text.splitlines() if ln.startswith(("Timestamp=", "Block-Height="))]  # noqa: E731
    assert pick(harness) == pick(live)
