"""Conformance: one or more tests per gotcha 1-32 of docs/aos-semantics.md §8.

Each test spawns a small process written for it and asserts what live aos does, in a way a naive
mock (no rollback, seconds clock, global json, no trust gate, ...) would fail.
"""

from __future__ import annotations

import pytest

from harness import Network, ProcessLoadError, TagValueError
from harness.ids import MU_ADDRESS
from harness.lua_state import LuaProcessState, ProcessSpec, RawResult, message_args
from harness.lua_versions import INTEGER_VERSIONS
from tests.harness.deliver_helpers import raw


def needs_yield(ao: Network) -> None:
    if ao.lua_version == "5.1":
        pytest.skip("plain Lua 5.1 cannot yield across pcall; test_gotcha_25_receive_on_lua51_* covers it")


# -- 1 ----------------------------------------------------------------------------------------

ROLLBACK_APP = """
N = 0
Handlers.add('mutate', function(m) return m.Action ~= 'Ok' and 'continue' or 'skip' end, function(m)
  N = N + 100
  table.insert(Inbox, { Fake = true })
  Handlers.add('ghost', 'Ghost', function() end)
  Send({ Target = m.From, Action = 'Lost' })
  Spawn({ Data = 'lost child' })
  print('printed before failing')
end)
Handlers.add('raise', 'Raise', function() error('raised on purpose') end)
Handlers.add('outbox', 'Outbox', function() ao.outbox.Error = 'set by handler' end)
Handlers.add('badpattern', function(m)
  if m.Action == 'BadPattern' then return nil end
  return false
end, function() end)
Handlers.add('ok', 'Ok', function(m) N = N + 1; Send({ Target = m.From, Action = 'Done' }) end)
"""


@pytest.mark.parametrize(
    ("action", "needle"),
    [("Raise", "raised on purpose"), ("Outbox", "set by handler"), ("BadPattern", "Pattern result is not valid")],
)
def test_gotcha_01_errors_roll_back_everything(ao: Network, action: str, needle: str) -> None:
    p = ao.spawn(source=ROLLBACK_APP)
    assert p.send({"Action": "Ok"}).ok
    before = {
        "N": p.globals["N"],
        "ref": p.globals["ao"]["reference"],
        "inbox": len(p.inbox),
        "handlers": p.handlers,
    }
    assert before["N"] == 1
    r = p.send({"Action": action})
    assert r.error is not None and needle in r.error
    assert r.messages == [] and r.spawns == [] and r.output == ""
    assert p.globals["N"] == before["N"]
    assert p.globals["ao"]["reference"] == before["ref"]
    assert len(p.inbox) == before["inbox"]
    assert p.handlers == before["handlers"] and "ghost" not in p.handlers
    assert p.globals["Errors"] in ([], {})
    ao.run()
    assert [m.action for m in ao.mailbox(p.owner)] == ["Done"]  # 'Lost' was never sent
    assert len(ao.processes) == 1  # the queued Spawn was dropped
    # the state after the rollback is the state before the message: the next one builds on it
    assert p.send({"Action": "Ok"}).ok
    assert p.globals["N"] == 2
    assert p.globals["ao"]["reference"] == before["ref"] + 1


def test_gotcha_01_eval_second_return_value_rolls_back(ao: Network) -> None:
    p = ao.spawn(source="N = 1")
    r = p.eval("N = 99; Send({ Target = ao.id, Action = 'Lost' }); return nil, 'eval says no'")
    assert r.error is not None and "eval says no" in r.error and r.messages == []
    assert p.globals["N"] == 1


# -- 2 ----------------------------------------------------------------------------------------


def test_gotcha_02_first_breaking_match_stops(ao: Network) -> None:
    p = ao.spawn(
        source="""
        Ran, Evaluated = {}, {}
        local function pat(name, result)
          return function(m) table.insert(Evaluated, name); return result end
        end
        Handlers.add('c1', pat('c1', 'continue'), function() table.insert(Ran, 'c1') end)
        Handlers.add('b1', pat('b1', true), function() table.insert(Ran, 'b1') end)
        Handlers.add('b2', pat('b2', true), function() table.insert(Ran, 'b2') end)
        """
    )
    inbox = len(p.inbox)
    p.send({"Action": "Anything"})
    assert p.globals["Ran"] == ["c1", "b1"]
    assert p.globals["Evaluated"] == ["c1", "b1"]  # b2's pattern is never even evaluated
    assert len(p.inbox) == inbox  # handled: no _default


def test_gotcha_02_continue_only_matches_still_reach_inbox(ao: Network) -> None:
    p = ao.spawn(
        source="""
        Ran = {}
        Handlers.add('c1', function() return 'continue' end, function() table.insert(Ran, 'c1') end)
        Handlers.add('c2', function() return 1 end, function() table.insert(Ran, 'c2') end)
        """
    )
    inbox = len(p.inbox)
    r = p.send({"Action": "Note"})
    assert p.globals["Ran"] == ["c1", "c2"]
    assert len(p.inbox) == inbox + 1 and p.inbox[-1].action == "Note"
    assert "New Message From" in r.output


# -- 3 ----------------------------------------------------------------------------------------


def test_gotcha_03_pattern_returning_nil_errors_every_message(ao: Network) -> None:
    p = ao.spawn(
        source="""
        Handlers.add('early', 'Early', function() Early = true end)
        Handlers.add('broken', function(m) return m.Foo and true end, function() Hit = true end)
        Handlers.add('later', 'Later', function() Later = true end)
        """
    )
    assert p.send({"Action": "Early"}).ok  # breaks before reaching the broken pattern
    r = p.send({"Action": "Later"})  # `nil and true` is nil: the whole message errors
    assert r.error is not None and "Pattern result is not valid" in r.error
    assert p.globals.get("Later") is None
    assert p.send({"Action": "Later", "Foo": "x"}).ok
    assert p.globals["Hit"] is True and p.globals.get("Later") is None


def test_gotcha_03_pattern_returning_a_table_errors(ao: Network) -> None:
    p = ao.spawn(source="Handlers.add('t', function(m) return {} end, function() Hit = true end)")
    r = p.send({"Action": "X"})
    assert r.error is not None and "Pattern result is not valid" in r.error
    assert p.globals.get("Hit") is None


# -- 4 ----------------------------------------------------------------------------------------


def test_gotcha_04_handler_gets_only_msg(ao: Network) -> None:
    p = ao.spawn(source="Handlers.add('e', 'E', function(...) Count = select('#', ...); IsMsg = (...).Action end)")
    p.send({"Action": "E"})
    assert p.globals["Count"] == 1 and p.globals["IsMsg"] == "E"


# -- 5 ----------------------------------------------------------------------------------------


def test_gotcha_05_json_is_not_a_global(ao: Network) -> None:
    p = ao.spawn(source="Handlers.add('j', 'J', function(m) Out = json.encode({ a = 1 }) end)")
    r = p.send({"Action": "J"})
    assert r.error is not None and "json" in r.error
    assert p.globals.get("Out") is None
    q = ao.spawn(source="local json = require('json')\nHandlers.add('j', 'J', function(m) Out = json.encode({ a = 1 }) end)")
    assert q.send({"Action": "J"}).ok and q.globals["Out"] == '{"a":1}'
    assert q.globals.get("json") is None  # the local binding did not leak


def test_gotcha_05_dot_json_module_does_not_exist(ao: Network) -> None:
    p = ao.spawn(source="")
    r = p.eval("return require('.json')")
    assert r.error is not None and ".json" in r.error
    assert p.eval("return type(require('json').decode)").output == "function"


# -- 6 ----------------------------------------------------------------------------------------


def test_gotcha_06_os_time_is_the_message_timestamp_in_ms(ao: Network) -> None:
    p = ao.spawn(
        source="""
        Started = os.time()
        Handlers.add('check', 'Check', function(m)
          Now, Ts, WithArgs = os.time(), m.Timestamp, os.time({ year = 2000, month = 1, day = 1 })
          Expired = os.time() - Started > 300  -- a '5 minute' timeout written in seconds
        end)
        """
    )
    start = p.globals["Started"]
    assert start == ao.now  # milliseconds, the network clock
    ao.advance(1000)  # one second later
    p.send({"Action": "Check"})
    assert p.globals["Now"] == p.globals["Ts"] == p.globals["WithArgs"] == start + 1000
    assert p.globals["Expired"] is True  # the seconds-based timeout fired after 1 s


# -- 7 ----------------------------------------------------------------------------------------


def test_gotcha_07_tag_names_are_title_cased(ao: Network) -> None:
    p = ao.spawn(
        source="""
        Handlers.add('t', 'T', function(m)
          Got = { TokenId = m.TokenId or 'nil', Tokenid = m.Tokenid, Poolid = m.Poolid, PoolID = m.PoolID or 'nil',
                  XRef = m['X-Ref'], x_ref = m.x_ref or 'nil', TagsTokenid = m.Tags.Tokenid }
        end)
        """
    )
    p.send({"ACTION": "T", "TokenId": "AbC", "PoolID": "P1", "x_ref": "MiXeD"})
    assert p.globals["Got"] == {
        "TokenId": "nil",
        "Tokenid": "AbC",
        "Poolid": "P1",
        "PoolID": "nil",
        "XRef": "MiXeD",
        "x_ref": "nil",
        "TagsTokenid": "AbC",
    }


def test_gotcha_07_outgoing_tag_names_are_not_normalised(ao: Network) -> None:
    p = ao.spawn(source="Handlers.add('s', 'S', function(m) Send({ Target = m.From, TokenId = 'v', lower_case = 'w' }) end)")
    tags = p.send({"Action": "S"}).messages[0].tags
    assert tags["TokenId"] == "v" and tags["lower_case"] == "w"


# -- 8 ----------------------------------------------------------------------------------------


def test_gotcha_08_case_sensitivity_differs_by_matcher(ao: Network) -> None:
    p = ao.spawn(
        source="""
        Hits = {}
        local function hit(n) return function() table.insert(Hits, n) end end
        Handlers.add('string', 'transfer', hit('string'))
        Handlers.add('tag', Handlers.utils.hasMatchingTag('Action', 'transfer'), hit('tag'))
        Handlers.add('table', { Action = 'transfer' }, hit('table'))
        Handlers.add('tpat', { Action = '^TRANS' }, hit('tpat'))
        """
    )
    p.send({"Action": "Transfer"})
    assert p.globals["Hits"] == ["table"]
    p.send({"Action": "TRANSFER-ALL"})
    assert p.globals["Hits"] == ["table", "tpat"]  # Lua-pattern values are lower-cased too
    p.send({"Action": "transfer"})
    assert p.globals["Hits"] == ["table", "tpat", "string"]


# -- 9 ----------------------------------------------------------------------------------------


def test_gotcha_09_non_extractable_tags_are_not_root_fields(ao: Network) -> None:
    p = ao.spawn(
        source="""
        Handlers.add('t', 'T', function(m)
          Got = { Type = type(m.Type), TagType = m.Tags.Type, Variant = type(m.Variant),
                  FromProcess = type(m['From-Process']), TagFromProcess = m.Tags['From-Process'],
                  Quantity = m.Quantity, Target = m.Target }
        end)
        """
    )
    sender = ao.spawn(source="", name="sender")
    p.send({"Action": "T", "Type": "Custom", "Variant": "v9", "Quantity": "5", "Target": "elsewhere"}, sender=sender)
    assert p.globals["Got"] == {
        "Type": "nil",
        "TagType": "Custom",
        "Variant": "nil",
        "FromProcess": "nil",
        "TagFromProcess": sender.id,
        "Quantity": "5",
        "Target": p.id,  # a Target tag does not replace the real target
    }


def test_gotcha_09_other_tags_overwrite_real_fields(ao: Network) -> None:
    p = ao.spawn(
        source="Handlers.add('t', 'T', function(m) Got = { Ts = m.Timestamp, Time = os.time(), Id = m.Id, Nonce = m.Nonce } end)"
    )
    r = p.send({"Action": "T", "Timestamp": "forged", "Id": "fake-id", "Nonce": "n"})
    assert r.message.id != "fake-id"
    assert p.globals["Got"] == {"Ts": "forged", "Time": "forged", "Id": "fake-id", "Nonce": "n"}


# -- 10 ---------------------------------------------------------------------------------------


def test_gotcha_10_duplicate_tags_first_in_tags_last_at_root(ao: Network) -> None:
    p = ao.spawn(source="Handlers.add('t', 'T', function(m) Got = { m.Tags.Color, m.Color, #m.TagArray } end)")
    sender = ao.spawn(
        source="""
        Handlers.add('s', 'S', function(m)
          ao.send({ Target = m.Tags.To, Tags = { { name = 'Action', value = 'T' },
            { name = 'Color', value = 'red' }, { name = 'Color', value = 'blue' } } })
        end)
        """
    )
    sender.send({"Action": "S", "To": p.id})
    ao.run()
    got = p.globals["Got"]
    assert got[0] == "red" and got[1] == "blue"
    colors = [v for k, v in ao.mailbox(p)[-1].tag_list if k == "Color"]
    assert colors == ["red", "blue"]


# -- 11 ---------------------------------------------------------------------------------------


def test_gotcha_11_untrusted_messages_are_dropped(ao: Network) -> None:
    p = ao.spawn(source="Handlers.add('t', 'T', function(m) Hit = true end)")
    inbox = len(p.inbox)
    res = raw(p, sender="forged-process-id", owner=ao.wallet("intruder"), tags=[("Action", "T")])
    assert res.ok and "not trusted" in (res.output or "")
    assert res.messages == []  # default profile: no auto-reply
    assert p.globals.get("Hit") is None and len(p.inbox) == inbox
    # unhandled untrusted messages do not reach the Inbox either
    res = raw(p, sender="forged-process-id", owner=ao.wallet("intruder"), tags=[("Action", "Other")])
    assert len(p.inbox) == inbox


def test_gotcha_11_trusted_paths(ao: Network) -> None:
    extra = ao.wallet("extra-authority")
    p = ao.spawn(source="Handlers.add('t', 'T', function(m) Hits = (Hits or 0) + 1 end)", tags={"Authority": extra})
    assert p.send({"Action": "T"}, sender=ao.wallet("stranger")).ok  # signs its own: From == Owner
    other = ao.spawn(source="", name="other")
    p.send({"Action": "T"}, sender=other)  # pushed by the MU (Owner = MU, an authority)
    raw(p, sender="some-process", owner=extra, tags=[("Action", "T")])  # another listed authority
    raw(p, sender=extra, owner="unlisted-signer", tags=[("Action", "T")])  # From is an authority
    assert p.globals["Hits"] == 4
    assert set(p.globals["ao"]["authorities"]) == {MU_ADDRESS, extra}


def test_gotcha_11_from_and_owner_tags_are_stripped(ao: Network) -> None:
    p = ao.spawn(source="Handlers.add('t', 'T', function(m) Got = { m.From, m.Owner, m.Tags.From or 'none' } end)")
    alice = ao.wallet("alice")
    p.send({"Action": "T", "From": p.owner, "Owner": p.owner}, sender=alice)
    assert p.globals["Got"] == [alice, alice, "none"]


# -- 12 ---------------------------------------------------------------------------------------


def test_gotcha_12_target_must_be_the_process(ao: Network) -> None:
    p = ao.spawn(source="Handlers.add('t', 'T', function(m) Hit = true end)")
    sender = ao.wallet("sender")
    res = raw(p, sender=sender, owner=sender, target="some-other-process", tags=[("Action", "T")])
    assert res.ok and p.globals.get("Hit") is None
    assert [(m.target, m.data) for m in res.messages] == [(sender, "Assignment is not trusted by this process!")]
    assert "Assignment is not trusted" in (res.output or "")


def test_gotcha_12_assignables_admit_assignments(ao: Network) -> None:
    a = ao.spawn(source="Handlers.add('fwd', 'Fwd', function(m) Assign({ Processes = { m.Tags.To }, Message = m.Id }) end)", name="a")
    b = ao.spawn(source="Handlers.add('fwd', 'Fwd', function(m) Got = m.Target end)", name="b")
    a.send({"Action": "Fwd", "To": b.id})
    ao.run()
    assert b.globals.get("Got") is None
    assert [m.data for m in ao.mailbox(a.owner)] == ["Assignment is not trusted by this process!"]
    b.eval("ao.addAssignable('fwds', { Action = 'Fwd' })")
    a.send({"Action": "Fwd", "To": b.id})
    ao.run()
    assert b.globals["Got"] == a.id  # the original message, still addressed to a


# -- 13 ---------------------------------------------------------------------------------------


def test_gotcha_13_eval_only_from_owner_and_owner_only_from_spawn(ao: Network) -> None:
    p = ao.spawn(source="")
    assert p.globals["Owner"] == p.owner
    mallory = ao.wallet("mallory")
    inbox = len(p.inbox)
    p.eval("Pwned = true", sender=mallory)
    assert p.globals.get("Pwned") is None
    assert len(p.inbox) == inbox + 1  # non-owner Eval falls through to _default
    p.eval("Owner = nil")
    p.send({"Action": "Hello"}, sender=mallory)
    assert p.globals.get("Owner") is None  # no later message sets Owner again
    p.eval("Back = true")
    assert p.globals.get("Back") is None  # and Eval no longer works at all


def test_gotcha_13_process_spawned_by_a_process_is_owned_by_it(ao: Network) -> None:
    parent = ao.spawn(source="", name="parent")
    child = ao.spawn(owner=parent, source="", name="child")
    assert child.globals["Owner"] == parent.id
    child.eval("FromWallet = true", sender=parent.owner)
    assert child.globals.get("FromWallet") is None
    child.eval("FromParent = true", sender=parent)  # pushed by the MU, From = parent
    assert child.globals["FromParent"] is True


# -- 14 ---------------------------------------------------------------------------------------


def _bare_state(ao: Network, pid: str, owner: str, module: str) -> LuaProcessState:
    spec = ProcessSpec(id=pid, owner=owner, module=module, tags=(("Module", module), ("Type", "Process"), ("Authority", MU_ADDRESS)))
    return LuaProcessState(spec, lua=ao.lua_version, profile=ao.profile)


def test_gotcha_14_without_the_spawn_message_every_message_errors(ao: Network) -> None:
    state = _bare_state(ao, "P" * 43, "O" * 43, "M" * 43)

    def send(msg_id: str | None, nonce: int) -> RawResult:
        return state.handle(
            message_args(
                id=msg_id, sender="O" * 43, owner="O" * 43, target="P" * 43, data="X = 1",
                timestamp=1, block_height=5, nonce=nonce, anchor=None, cron=False,
                read_only=False, forwarded_by=None, tags=[("Action", "Eval")],
            )
        )

    # the first message lacks a Module tag: seeding fails, and it keeps failing
    first, second = send("m1", 1), send("m2", 2)
    assert not first.ok and not second.ok
    assert "Module" in (first.error or "") and "Module" in (second.error or "")


def test_gotcha_14_seed_fixture_of_aos(ao: Network) -> None:
    # aos process/test/random.test.js: Block-Height 999, Owner FOOBAR, Module WOOPAWOOPA, Id AOS
    state = _bare_state(ao, "AOS", "FOOBAR", "WOOPAWOOPA")
    assert state.lua.eval("math.random()") == 0.5  # before the first message

    def msg(msg_id: str, data: str, tags: list[tuple[str, str]], nonce: int) -> RawResult:
        return state.handle(
            message_args(
                id=msg_id, sender="FOOBAR", owner="FOOBAR", target="AOS", data=data,
                timestamp=1, block_height=999, nonce=nonce, anchor=None, cron=False,
                read_only=False, forwarded_by=None, tags=tags,
            )
        )

    assert msg("AOS", "", [("Type", "Process"), ("Module", "WOOPAWOOPA")], 0).ok
    r = msg("m1", "math.random(10)", [("Action", "Eval")], 1)
    assert r.ok and r.output == "2"


# -- 15 ---------------------------------------------------------------------------------------


def test_gotcha_15_cron_messages_have_no_id_and_no_data(ao: Network) -> None:
    p = ao.spawn(
        source="""
        Handlers.add('c', function(m) return m.Cron == true end, function(m)
          Got = { Id = m.Id == nil, Data = m.Data == nil, Nonce = m.Nonce == nil, FromIsOwner = m.From == m.Owner,
                  Owner = m.Owner, Action = m.Action, CronType = type(m.Cron), Ts = m.Timestamp }
        end)
        """,
        tags={"Cron-Interval": "1-minute", "Cron-Tag-Action": "Tick"},
    )
    ticks = ao.advance(60_000)
    assert len(ticks) == 1
    assert p.globals["Got"] == {
        "Id": True, "Data": True, "Nonce": True, "FromIsOwner": True, "Owner": p.owner,
        "Action": "Tick", "CronType": "boolean", "Ts": ao.now,
    }


# -- 16 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["5", "true", "{ 1 }"])
def test_gotcha_16_tag_values_must_be_strings(ao: Network, value: str) -> None:
    p = ao.spawn(source=f"Handlers.add('n', 'N', function(m) Send({{ Target = m.From, Quantity = {value} }}) end)")
    with pytest.raises(TagValueError, match="Quantity"):
        p.send({"Action": "N"})


def test_gotcha_16_string_values_pass(ao: Network) -> None:
    p = ao.spawn(source="Handlers.add('n', 'N', function(m) Send({ Target = m.From, Quantity = tostring(5) }) end)")
    assert p.send({"Action": "N"}).reply.tags["Quantity"] == "5"


# -- 17 ---------------------------------------------------------------------------------------


def test_gotcha_17_table_data_is_json_both_ways(ao: Network) -> None:
    p = ao.spawn(
        source="""
        Handlers.add('out', 'Out', function(m) local t = { Data = { a = 1 } }; m.reply(t); Mutated = t.Data end)
        Handlers.add('in', 'In', function(m) Got = { kind = type(m.Data), b = m.Data.b } end)
        """
    )
    reply = p.send({"Action": "Out"}).reply
    assert reply.data == '{"a":1}' and reply.tags["Content-Type"] == "application/json"
    assert p.globals["Mutated"] == '{"a":1}'  # the caller's table was mutated
    p.send({"Action": "In", "Content-Type": "application/json"}, data='{"b": 2}')
    assert p.globals["Got"] == {"kind": "table", "b": 2}


def test_gotcha_17_invalid_json_body_errors_before_any_handler(ao: Network) -> None:
    p = ao.spawn(source="Handlers.add('spy', function() return 'continue' end, function() Spied = true end)")
    r = p.send({"Action": "In", "Content-Type": "application/json"}, data="{not json")
    assert r.error is not None
    assert p.globals.get("Spied") is None
    ok = p.send({"Action": "In", "Content-Type": "text/plain"}, data="{not json")
    assert ok.ok and p.globals["Spied"] is True  # only the exact content type is decoded


# -- 18 ---------------------------------------------------------------------------------------


def test_gotcha_18_json_quirks(ao: Network) -> None:
    p = ao.spawn(
        source="""
        local json = require('json')
        Out = { empty = json.encode({}), fn = json.encode({ f = print, a = 1 }), big = json.encode(123456789012345678),
                tenth = json.encode(0.1) }
        D = json.decode('{"k": null, "n": 10, "f": 1.0}')
        Sparse = pcall(json.encode, { [1] = 1, [3] = 3 })
        Nan = pcall(json.encode, 0/0)
        Mixed = pcall(json.encode, { 1, x = 2 })
        """
    )
    assert p.globals["Out"] == {"empty": "[]", "fn": '{"a":1}', "big": "1.2345678901235e+17", "tenth": "0.1"}
    assert p.globals["D"] == {"n": 10, "f": 1.0}
    assert p.globals["Sparse"] is False and p.globals["Nan"] is False and p.globals["Mixed"] is False


# -- 19 ---------------------------------------------------------------------------------------


def test_gotcha_19_reply_prefers_reply_to_and_sets_x_reference(ao: Network) -> None:
    p = ao.spawn(source="Handlers.add('r', 'R', function(m) m.reply({ Target = 'explicit-target', Action = 'Answer' }) end)")
    elsewhere = ao.wallet("elsewhere")
    r = p.send({"Action": "R", "Reply-To": elsewhere, "X-Reference": "7", "Reference": "3"})
    assert r.messages[0].target == elsewhere
    assert r.messages[0].tags["X-Reference"] == "7"
    r2 = p.send({"Action": "R", "Reference": "3"})
    assert r2.messages[0].target == "explicit-target"  # no Reply-To: the explicit Target wins over From
    assert r2.messages[0].tags["X-Reference"] == "3"


# -- 20 ---------------------------------------------------------------------------------------


def test_gotcha_20_references_persist_and_anchor_is_padded(ao: Network) -> None:
    p = ao.spawn(source="Handlers.add('s', 'S', function(m) Send({ Target = m.From, Action = 'A' }) end)")
    first = p.send({"Action": "S"}).messages[0]
    second = p.send({"Action": "S"}).messages[0]
    n = int(first.tags["Reference"])
    assert second.tags["Reference"] == str(n + 1)  # a counter across messages
    assert first.anchor == str(n).zfill(32) and len(second.anchor) == 32


def test_gotcha_20_replies_are_matched_on_from_and_x_reference(ao: Network) -> None:
    p = ao.spawn(
        source="""
        Handlers.add('ask', 'Ask', function(m)
          ao.send({ Target = m.Tags.Peer, Action = 'Q' }).onReply(function(r) Answered = r.Data end)
        end)
        """
    )
    peer = ao.wallet("peer")
    ref = p.send({"Action": "Ask", "Peer": peer}).messages[0].tags["Reference"]
    inbox = len(p.inbox)
    p.send({"Action": "Answer", "X-Reference": ref}, sender=ao.wallet("imposter"), data="fake")
    p.send({"Action": "Answer", "X-Reference": str(int(ref) + 1)}, sender=peer, data="wrong ref")
    assert p.globals.get("Answered") is None and len(p.inbox) == inbox + 2
    p.send({"Action": "Answer", "X-Reference": ref}, sender=peer, data="real")
    assert p.globals["Answered"] == "real" and len(p.inbox) == inbox + 2


# -- 21 ---------------------------------------------------------------------------------------


def test_gotcha_21_send_returns_a_summary_not_the_message(ao: Network) -> None:
    p = ao.spawn(
        source="""
        Handlers.add('s', 'S', function(m)
          local r = Send({ Target = m.From, Action = 'A' })
          local s = Spawn({ Data = 'child' })
          local raw = ao.send({ Target = m.From, Action = 'B' })
          Got = { output = r.output, target = r.Target == nil, receive = type(r.receive), onReply = type(r.onReply),
                  after = type(s.after), spawnOutput = s.output, rawTarget = raw.Target, rawTags = #raw.Tags }
        end)
        """
    )
    p.send({"Action": "S"})
    got = p.globals["Got"]
    assert got["output"] == "Message added to outbox" and got["target"] is True
    assert got["receive"] == "function" and got["onReply"] == "function"
    assert got["after"] == "nil" and got["spawnOutput"] == "Spawn process request added to outbox"
    assert got["rawTarget"] == p.owner and got["rawTags"] == 5


# -- 22 ---------------------------------------------------------------------------------------


def test_gotcha_22_output_format(ao: Network) -> None:
    p = ao.spawn(source="Handlers.add('p', 'P', function(m) print(42); print('text', 'ignored'); print(true); print(nil) end)")
    r = p.send({"Action": "P"})
    assert r.output == "42\ntext\ntrue\nnil"
    assert r.raw_output == "\x1b[32m42\x1b[0m\ntext\n\x1b[34mtrue\x1b[0m\n\x1b[31mnil\x1b[0m"
    e = p.eval("return 6 * 7")
    assert e.raw_output == "42"  # Eval results are appended uncoloured
    bad = ao.spawn(source="Handlers.add('p', 'P', function(m) print('x'); error('e') end)")
    failed = bad.send({"Action": "P"})
    assert failed.output == "" and failed.error is not None and failed.error.startswith("x\n")


def test_gotcha_22_printing_a_function_breaks_the_message(ao: Network) -> None:
    p = ao.spawn(source="Handlers.add('p', 'P', function(m) N = 1; print(print) end)")
    r = p.send({"Action": "P"})
    assert r.error is not None and p.globals.get("N") is None


# -- 23 ---------------------------------------------------------------------------------------


def test_gotcha_23_inbox_only_receives_unhandled_messages(ao: Network) -> None:
    p = ao.spawn(source="Handlers.add('h', 'H', function() end)")
    assert [m.id for m in p.inbox] == [p.id]  # the spawn message
    p.send({"Action": "H"})
    p.send({"Action": "Other"}, data="hello")
    assert [m.action for m in p.inbox] == [None, "Other"] and p.inbox[-1].data == "hello"


def test_gotcha_23_inbox_is_capped_at_10000(ao: Network) -> None:
    p = ao.spawn(source="for i = 1, 10005 do Inbox[#Inbox + 1] = { Id = 'old-' .. i, Tags = {} } end")
    assert len(p.inbox) == 10006
    p.send({"Action": "Unhandled"})
    inbox = p.inbox
    assert len(inbox) == 10_000
    assert inbox[0].id == "old-7"  # the 7 oldest (spawn message, old-1..old-6) were dropped
    assert inbox[-1].action == "Unhandled"


# -- 24 ---------------------------------------------------------------------------------------


def test_gotcha_24_handlers_list_is_not_empty_and_keeps_positions(ao: Network) -> None:
    bare = ao.spawn()
    assert bare.handlers == ["_eval", "_default"]
    p = ao.spawn(
        source="""
        Handlers.add('a', 'A', function() end)
        Handlers.add('b', 'B', function() end)
        Handlers.add('a', 'A2', function() Hit = true end)
        """
    )
    assert p.handlers == ["_eval", "_default", "a", "b"]
    p.send({"Action": "A2"})
    assert p.globals["Hit"] is True


# -- 25 ---------------------------------------------------------------------------------------

ORACLE = "Handlers.add('ask', 'Ask', function(m) m.reply({ Action = 'Answer', Data = 'yes' }) end)"


def test_gotcha_25_receive_continues_inside_the_later_message(ao: Network) -> None:
    needs_yield(ao)
    oracle = ao.spawn(source=ORACLE, name="oracle")
    asker = ao.spawn(
        source="""
        Handlers.add('go', 'Go', function(m)
          print('before')
          local answer = ao.send({ Target = m.Tags.O, Action = 'Ask' }).receive()
          Got = answer.Data
          print('after receive')
          Send({ Target = m.From, Action = 'Finished' })
        end)
        """
    )
    inbox = len(asker.inbox)
    first = asker.send({"Action": "Go", "O": oracle.id})
    assert first.ok and first.output == "before" and asker.globals.get("Got") is None
    assert [m.action for m in first.messages] == ["Ask"]
    deliveries = ao.run()
    answer = next(d for d in deliveries if d.message.target == asker.id and d.result is not None)
    assert asker.globals["Got"] == "yes"
    assert answer.result.output == "after receive"  # its prints land in the later result
    assert [m.action for m in answer.result.messages] == ["Finished"]
    assert len(asker.inbox) == inbox  # the awaited reply was consumed


def test_gotcha_25_error_after_receive_errors_the_later_message(ao: Network) -> None:
    needs_yield(ao)
    oracle = ao.spawn(source=ORACLE, name="oracle")
    asker = ao.spawn(
        source="""
        Handlers.add('go', 'Go', function(m)
          ao.send({ Target = m.Tags.O, Action = 'Ask' }).receive()
          Continued = true
          error('late failure')
        end)
        """
    )
    assert asker.send({"Action": "Go", "O": oracle.id}).ok
    deliveries = ao.run()
    last = [d for d in deliveries if d.message.target == asker.id][-1]
    assert last.result is not None and last.result.error is not None and "late failure" in last.result.error
    assert asker.globals.get("Continued") is None


def test_gotcha_25_receive_on_lua51_gives_a_clear_error(ao_factory) -> None:
    net = ao_factory(lua="5.1")
    oracle = net.spawn(source=ORACLE, name="oracle")
    asker = net.spawn(source="Handlers.add('go', 'Go', function(m) ao.send({ Target = m.Tags.O, Action = 'Ask' }).receive() end)")
    r = asker.send({"Action": "Go", "O": oracle.id})
    assert r.error is not None and "yield across pcall" in r.error and "5.3" in r.error


# -- 26 ---------------------------------------------------------------------------------------


def test_gotcha_26_math_random_is_seeded_mt_and_zero_asserts(ao: Network, ao_factory) -> None:
    code = "math.randomseed(12345)\nR = { math.random(100), math.random(5, 6), math.random() }"
    p = ao.spawn(source=code)
    again = ao_factory().spawn(source=code)
    r = p.globals["R"]
    assert r == again.globals["R"]  # same spawn inputs, same sequence, randomseed ignored
    assert 1 <= r[0] <= 100 and r[1] in (5, 6) and 0 <= r[2] < 1
    other = ao.spawn(source=code)  # another process id: another seed
    assert other.globals["R"] != r
    bad = p.eval("return math.random(0)")
    assert bad.error is not None and "max must bigger than min" in bad.error  # (live's words)


# -- 27 ---------------------------------------------------------------------------------------


def test_gotcha_27_lua_53_semantics(ao: Network) -> None:
    if ao.lua_version not in INTEGER_VERSIONS:
        pytest.skip(f"integer subtypes need Lua 5.3+ (this run: {ao.lua_version}); see the next test")
    p = ao.spawn(source="Out = { tostring(3.0), tostring(7 // 2), math.type(1), tostring(1 << 4), tostring(2^53) }")
    # AO's Lua 5.3 prints floats with %.14g; Lua 5.5 switched to round-trip precision, one more
    # reason to run AO code on 5.3
    big = "9.007199254741e+15" if ao.lua_version in ("5.3", "5.4") else "9007199254740992.0"
    assert p.globals["Out"] == ["3.0", "3", "integer", "16", big]


def test_gotcha_27_integer_syntax_fails_clearly_on_older_lua(ao: Network) -> None:
    if ao.lua_version in INTEGER_VERSIONS:
        pytest.skip(f"Lua {ao.lua_version} has integer division; the previous test covers it")
    with pytest.raises(ProcessLoadError, match=r"line 1|:1:"):
        ao.spawn(source="X = 7 // 2")


# -- 28 ---------------------------------------------------------------------------------------


def test_gotcha_28_errors_stays_empty(ao: Network) -> None:
    p = ao.spawn(source="Handlers.add('e', 'E', function() error('x') end)")
    assert p.send({"Action": "E"}).error is not None
    r = p.eval("error('y')")
    assert r.error is not None and "y" in r.error
    assert p.globals["Errors"] in ([], {})
    assert p.eval("return #Errors").output == "0"


# -- 29 ---------------------------------------------------------------------------------------


def test_gotcha_29_error_strings(ao: Network) -> None:
    p = ao.spawn()
    p.eval("Handlers.add('e', 'E', function() print('first'); error('kaboom') end)")
    err = p.send({"Action": "E"}).error
    assert err is not None
    assert err.startswith("first\n")
    assert "Error handling message with Action = E" in err
    assert '[string ".handlers"]' in err and '[string "aos"]' in err and "kaboom" in err
    assert "stack traceback" in err and "\nerror:\n" in err
    eval_err = p.eval("print('a'); error('b')").error
    assert eval_err is not None and eval_err.startswith("a\n\nerror:\n") and "b" in eval_err
    assert "Error handling message" not in eval_err  # Eval errors skip the banner and traceback
    cron_err = ao.spawn(source="Handlers.add('c', function(m) return m.Cron == true end, function() error('tick') end)").cron()
    assert cron_err.error is not None and "Error handling message \n" in cron_err.error + "\n"
    assert "with Action" not in cron_err.error


# -- 30 ---------------------------------------------------------------------------------------


def test_gotcha_30_dryruns_are_read_only_and_persist_nothing(ao: Network) -> None:
    p = ao.spawn(source="N = 0\nHandlers.add('d', 'D', function(m) N = N + 1; m.reply({ Data = tostring(m['Read-Only']) .. ':' .. N }) end)")
    anyone = ao.wallet("anyone")
    d = p.dryrun({"Action": "D"}, sender=anyone)
    assert d.ok and d.messages[0].data == "true:1" and d.messages[0].target == anyone
    assert p.globals["N"] == 0
    assert ao.run() == [] and ao.mailbox(anyone) == []  # a dry-run's outbox is never delivered
    r = p.send({"Action": "D"})
    assert r.messages[0].data == "false:1"  # the CU sends Read-Only = false on scheduled messages


# -- 31 ---------------------------------------------------------------------------------------


def test_gotcha_31_tags_must_be_an_array(ao: Network) -> None:
    p = ao.spawn(source="")
    assert raw(p, tags=[]).ok  # an empty Tags array is fine
    probe = p.lua.eval(
        """function(pid, owner)
          local process = require('.process')
          local env = { Process = { Id = pid, Owner = owner, Tags = {} } }
          local ok, err = pcall(process.handle, { From = owner, Owner = owner, Target = pid, Id = 'x' }, env)
          return ok, tostring(err)
        end"""
    )
    ok, err = probe(p.id, p.owner)
    assert ok is False and "Tags" in err


# -- 32 ---------------------------------------------------------------------------------------


def test_gotcha_32_code_is_loaded_as_an_eval_in_G(ao: Network) -> None:
    p = ao.spawn(source="local hidden = 41\nfunction Get() return hidden + 1 end\nVisible = hidden + 1")
    assert p.globals.get("hidden") is None and p.globals["Visible"] == 42
    assert p.eval("return Get()").output == "42"  # the local lives on only in the closure
    assert p.eval("return hidden == nil").output == "true"
    r = p.eval("local x = 'chunk'\nY = x\nreturn x .. ' returned'")
    assert r.output == "chunk returned" and p.globals["Y"] == "chunk"
    assert p.eval("1 + 1").output == "2"  # tried as an expression first


def test_gotcha_32_load_errors_are_errors(ao: Network) -> None:
    with pytest.raises(ProcessLoadError):
        ao.spawn(source="Handlers.add('x', 'X', function() end)\nerror('top-level failure')")
    with pytest.raises(ProcessLoadError):
        ao.spawn(source="this is not lua")
    p = ao.spawn()
    r = p.eval("Handlers.add('x', 'X', function() end); error('late')")
    assert r.error is not None and "x" not in p.handlers  # the Eval was rolled back


def test_gotcha_11_forged_from_process_tag_is_untrusted(ao: Network) -> None:
    p = ao.spawn(source="Handlers.add('t', 'T', function(m) Hit = m.Tags['From-Process'] end)")
    mallory = ao.wallet("mallory")
    r = p.send({"Action": "T", "From-Process": "victim-process"}, sender=mallory)
    assert p.globals.get("Hit") is None
    assert "not trusted" in r.output


def test_gotcha_30_dryrun_does_not_consume_a_waiting_receive(ao: Network) -> None:
    needs_yield(ao)
    p = ao.spawn(source="Handlers.add('w', 'Wait', function() local m = Receive({ Action = 'Go' }); print('resumed by ' .. m.Data); Done = m.Data end)")
    p.send({"Action": "Wait"})
    d = p.dryrun({"Action": "Go"}, data="dry")
    assert d.output == "resumed by dry"  # the continuation ran inside the dry-run...
    assert p.globals.get("Done") is None  # ...and left nothing behind
    r = p.send({"Action": "Go"}, data="real")
    assert r.output == "resumed by real" and p.globals["Done"] == "real"
