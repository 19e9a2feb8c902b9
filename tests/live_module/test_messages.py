"""What a handler sees in `msg` (and `ao`), on the harness and on the live aos module.

A recording process keeps every non-function field of every message it handles; the records
are compared through the dump script evaluated on both sides.  Covered: a wallet's message,
a message pushed from another process, a forged ``From-Process`` tag, ``From``/``Owner`` tags
(the CU drops them), tag-name normalisation, duplicate tags, cron ticks, the spawn message.
"""

from __future__ import annotations

import re

from tests.live_module.twin import Twin, assert_same, assert_same_state

RECORDER = r"""
Seen = {}
Handlers.add("record", function(msg) return msg.Action ~= "Eval" end, function(msg)
  local r = {}
  for k, v in pairs(msg) do
    if type(v) ~= "function" then r[k] = v else r[k] = "<" .. type(v) .. ">" end
  end
  r.TimestampType = math.type(msg.Timestamp)
  r.HeightType = math.type(msg["Block-Height"])
  table.insert(Seen, r)
  print("recorded " .. tostring(msg.Action))
end)
AoState = { id = ao.id, module = ao._module, authorities = ao.authorities, envProcessId = ao.env.Process.Id,
            envOwner = ao.env.Process.Owner, envTags = ao.env.Process.Tags }
"""



def _traffic(twin: Twin):
    proc, steps = twin.spawn(RECORDER, tags={"Cron-Tag-Action": "Tick", "Custom": "yes"}, data="spawn data")
    other, _ = twin.spawn('Handlers.add("fwd", "Go", function(msg) Send({ Target = msg.To, Action = "Pushed", Data = "d" }) end)')
    alice = twin.net.wallet("alice")
    steps += [
        twin.send(proc, {"Action": "Plain", "tokenId": "T1", "x_ref": "r", "Dup": "1"}, sender=alice, data="hello"),
        twin.send(proc, {"Action": "Named", "From": "someone-else", "Owner": "not-me"}, sender=alice),
        twin.send(other, {"Action": "Go", "To": proc.id}),
        twin.cron(proc),
    ]
    steps += twin.run()
    return proc, steps


def test_message_fields(twin: Twin) -> None:
    proc, steps = _traffic(twin)
    assert_same(steps)
    live = assert_same_state(twin, proc, ["Seen", "AoState"])
    assert '"Pushed"' in live and '"Tick"' in live, "all the messages were recorded"
    assert_same_state(twin, proc, ["Inbox"])


def test_cron_and_read_only_false(twin: Twin) -> None:
    proc, _ = _traffic(twin)
    assert_same_state(twin, proc, ["Seen"])


def test_forged_from_process_is_untrusted(twin: Twin) -> None:
    """A wallet's message with a From-Process tag: From becomes the forged id (CU mapFrom), aos
    finds it untrusted and drops it without an error."""
    proc, _ = twin.spawn(RECORDER)
    forged = "FORGED_PROCESS_ID_0000000000000000000000000"
    step = twin.send(proc, {"Action": "Forged", "From-Process": forged}, sender=twin.net.wallet("alice"))
    assert_same(step, output=False)
    assert step.live.output.startswith(f"Message is not trusted! From: {forged} - Owner: ")
    assert_same_state(twin, proc, ["Seen", "Inbox"])


def test_untrusted_message_text(twin: Twin) -> None:
    proc, _ = twin.spawn(None)
    step = twin.send(proc, {"Action": "Forged", "From-Process": "F" * 43}, sender=twin.net.wallet("alice"))
    assert_same(step)


ENV_EDITOR = r"""
Handlers.add("edit", "Edit", function(msg)
  ao.env.Process.TagArray[1].value = "edited"
  table.insert(ao.env.Process.TagArray, { name = "Added", value = "x" })
  ao.env.Process.Tags.Custom = "edited"
  ao.env.Module.Id = "edited"
end)
Handlers.add("look", "Look", function(msg)
  local a = ao.env.Process.TagArray
  Looked = { first = a[1].value, n = #a, last = a[#a].name, custom = ao.env.Process.Tags.Custom,
             module = ao.env.Module.Id, id = ao.env.Process.Id }
end)
"""


def test_every_message_gets_a_fresh_env(twin: Twin) -> None:
    """What a handler does to ``ao.env`` (its tag entries included) is gone at the next message:
    the CU hands the module a new env with every message."""
    proc, _ = twin.spawn(ENV_EDITOR, tags={"Custom": "yes"})
    steps = [twin.send(proc, {"Action": "Edit"}), twin.send(proc, {"Action": "Look"})]
    assert_same(steps)
    live = assert_same_state(twin, proc, ["Looked"])
    assert '"edited"' not in live


def test_error_values_that_are_not_text_fail_as_on_live(twin: Twin) -> None:
    """aos concatenates the error value into its Error text as it is: error({}), error(nil) or
    error(true) fail again there ("attempt to concatenate a table value (local 'result')", the
    prints lost), a number or a string reads as usual; for a handler the traceback printed ends
    with process.handle, which live's host calls straight from C."""
    proc, _ = twin.spawn(
        "\n".join(
            f'Handlers.add("e{i}", "E{i}", function(m) print("before") error({value}) end)'
            for i, value in enumerate(["{code = 1}", "nil", "true", "42", "'text'",
                                       "setmetatable({}, {__tostring = function() return 'TS' end})",
                                       "setmetatable({}, {__concat = function(a, b) return 'C' end})"])
        )
    )
    steps = [twin.send(proc, {"Action": f"E{i}"}) for i in range(7)]
    steps += [twin.eval(proc, code) for code in ("print('p') error({})", "error(nil)", "error(7)")]
    assert_same(steps)
    assert "attempt to concatenate a table value (local 'result')" in (steps[0].harness.error or "")
    # error(42): the prints, the value, the traceback (line numbers aside: aos's own lines differ)
    line = re.compile(r'(\[string "[^"]*"\]):\d+:')
    harness, live = (line.sub(r"\1:", (e or "").split("\n\nerror:")[0]) for e in (steps[3].harness.error, steps[3].live.error))
    assert harness == live and harness.endswith("stack traceback:\n\t[string \".process\"]: in function '.process.handle'")
