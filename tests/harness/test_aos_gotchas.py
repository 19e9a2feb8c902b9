"""One test per gotcha of aos-semantics.md §8: the local network makes wrong code fail the way
live AO does.  Each test uses a small process written for it."""

from __future__ import annotations

import pytest

from harness import Network, TagValueError
from harness.ids import MU_ADDRESS


def spawn(ao: Network, source: str, **kw):
    return ao.spawn(source=source, **kw)


def test_gotcha_01_errors_roll_back_everything(ao: Network) -> None:
    p = spawn(
        ao,
        """
        N = 0
        Handlers.add('ok', 'Ok', function(m) N = N + 1; Send({ Target = m.From, Action = 'Done' }) end)
        Handlers.add('bad', 'Bad', function(m)
          N = 99; Inbox[#Inbox + 1] = m; Handlers.add('new', 'New', function() end)
          Send({ Target = m.From, Action = 'Lost' })
          error('no')
        end)
        """,
    )
    p.send({"Action": "Ok"})
    ref_before = p.globals["ao"]["reference"]
    inbox_before = len(p.inbox)
    r = p.send({"Action": "Bad"})
    assert r.error is not None and r.messages == [] and r.output == ""
    assert p.globals["N"] == 1
    assert p.globals["ao"]["reference"] == ref_before
    assert len(p.inbox) == inbox_before
    assert "new" not in p.handlers
    ao.run()
    assert [m.action for m in ao.mailbox(p.owner)] == ["Done"]


def test_gotcha_02_first_breaking_match_stops_and_continue_reaches_default(ao: Network) -> None:
    p = spawn(
        ao,
        """
        Seen = {}
        Handlers.add('a', function(m) return m.Action == 'X' and 'continue' or false end, function() table.insert(Seen, 'a') end)
        Handlers.add('b', function(m) return m.Action == 'X' and 1 or 0 end, function() table.insert(Seen, 'b') end)
        Handlers.add('c', 'Y', function() table.insert(Seen, 'c') end)
        Handlers.add('d', function(m) return m.Action == 'Y' and -1 or 0 end, function() table.insert(Seen, 'd') end)
        """,
    )
    inbox = len(p.inbox)
    p.send({"Action": "X"})
    assert p.globals["Seen"] == ["a", "b"]
    assert len(p.inbox) == inbox + 1  # continue-only matches still reach _default
    p.send({"Action": "Y"})
    assert p.globals["Seen"] == ["a", "b", "c"]  # c broke; d never ran
    assert len(p.inbox) == inbox + 1


def test_gotcha_03_pattern_returning_nil_errors_the_message(ao: Network) -> None:
    p = spawn(ao, "Handlers.add('p', function(m) return m.Foo and true end, function() Hit = true end)")
    r = p.send({"Action": "Anything"})
    assert r.error is not None and "Pattern result is not valid" in r.error
    assert p.send({"Action": "Anything", "Foo": "x"}).error is None
    assert p.globals["Hit"] is True


def test_gotcha_04_handler_gets_only_msg(ao: Network) -> None:
    p = spawn(ao, "Handlers.add('e', 'E', function(m, env) GotEnv = env ~= nil end)")
    p.send({"Action": "E"})
    assert p.globals["GotEnv"] is False


def test_gotcha_05_json_is_not_a_global_on_the_default_profile(ao: Network) -> None:
    p = spawn(ao, "Handlers.add('j', 'J', function(m) Out = json.encode({ a = 1 }) end)")
    r = p.send({"Action": "J"})
    assert r.error is not None and "json" in r.error
    q = spawn(
        ao,
        "local json = require('json')\nHandlers.add('j', 'J', function(m) Out = json.encode({ a = 1 }) end)",
    )
    assert q.send({"Action": "J"}).error is None
    assert q.globals["Out"] == '{"a":1}'


def test_gotcha_06_os_time_is_milliseconds(ao: Network) -> None:
    p = spawn(
        ao,
        """
        Started = os.time()
        Handlers.add('check', 'Check', function(m)
          -- a 5-minute timeout written in seconds expires after 300 ms
          Expired = os.time() - Started > 300
        end)
        """,
    )
    ao.advance(1000)  # one second
    p.send({"Action": "Check"})
    assert p.globals["Expired"] is True
    assert p.globals["Started"] >= 1_700_000_000_000


def test_gotcha_07_tag_names_are_title_cased(ao: Network) -> None:
    p = spawn(
        ao,
        "Handlers.add('t', 'T', function(m) Got = { m.TokenId, m.Tokenid, m.Tags['Token-Id'], m['X-Ref'] } end)",
    )
    p.send({"Action": "T", "TokenId": "abc", "token_id": "def", "x_ref": "1"})
    got = p.globals["Got"]
    assert got == {2: "abc", 3: "def", 4: "1"}  # m.TokenId is nil


def test_gotcha_08_case_sensitivity_differs_by_matcher(ao: Network) -> None:
    p = spawn(
        ao,
        """
        Hits = {}
        Handlers.add('table', { Action = 'transfer' }, function() table.insert(Hits, 'table') end)
        Handlers.add('string', 'transfer', function() table.insert(Hits, 'string') end)
        Handlers.add('tag', Handlers.utils.hasMatchingTag('Action', 'transfer'), function() table.insert(Hits, 'tag') end)
        """,
    )
    p.send({"Action": "Transfer"})
    assert p.globals["Hits"] == ["table"]


def test_gotcha_09_non_extractable_tags_are_not_root_fields(ao: Network) -> None:
    p = spawn(
        ao,
        "Handlers.add('t', 'T', function(m) Got = { type(m.Type), m.Tags.Type, type(m.Variant), m.Timestamp } end)",
    )
    p.send({"Action": "T", "Type": "Custom", "Timestamp": "forged"})
    assert p.globals["Got"] == ["nil", "Custom", "nil", "forged"]  # other tags overwrite real fields


def test_gotcha_10_duplicate_tags_first_in_tags_last_at_root(ao: Network) -> None:
    p = spawn(ao, "Handlers.add('t', 'T', function(m) Got = { m.Tags.Color, m.Color } end)")
    ao_msg_tags = [("Action", "T"), ("Color", "red"), ("Color", "blue")]
    # send with a duplicate through the Lua side (a dict cannot hold duplicates)
    sender = spawn(
        ao,
        "Handlers.add('s', 'S', function(m) ao.send({ Target = m.Tags.To, Tags = { { name = 'Action', value = 'T' }, { name = 'Color', value = 'red' }, { name = 'Color', value = 'blue' } } }) end)",
    )
    sender.send({"Action": "S", "To": p.id})
    ao.run()
    assert p.globals["Got"] == ["red", "blue"]
    assert [t for t in ao.mailbox(p)[-1].tag_list if t[0] == "Color"] == [
        t for t in ao_msg_tags if t[0] == "Color"
    ]


def test_gotcha_11_untrusted_messages_are_dropped(ao: Network) -> None:
    p = spawn(ao, "Handlers.add('t', 'T', function(m) Hit = true end)")
    intruder = ao.wallet("intruder")
    # From differs from Owner and neither is an authority: a forged From-Process
    r = p.send({"Action": "T"}, sender=intruder)
    assert r.error is None and p.globals.get("Hit") is True  # a wallet signs its own message: trusted
    forged = Network()
    victim = forged.spawn(source="Handlers.add('t', 'T', function(m) Hit = true end)")
    state = victim._state
    from harness.lua_state import message_args

    args = message_args(
        id="x" * 43,
        sender="someone-else",
        owner=intruder,
        target=victim.id,
        data="",
        timestamp=1,
        block_height=1,
        nonce=5,
        anchor=None,
        cron=False,
        read_only=False,
        forwarded_by=None,
        tags=[("Action", "T")],
    )
    raw = state.handle(args)
    assert raw.ok and "not trusted" in (raw.output or "")
    assert victim.globals.get("Hit") is None


def test_gotcha_12_target_must_be_the_process(ao: Network) -> None:
    a = spawn(
        ao,
        "Handlers.add('fwd', 'Fwd', function(m) Assign({ Processes = { m.Tags.To }, Message = m.Id }) end)",
        name="a",
    )
    b = spawn(ao, "Handlers.add('fwd', 'Fwd', function(m) Hit = true end)", name="b")
    a.send({"Action": "Fwd", "To": b.id})
    ao.run()
    assert b.globals.get("Hit") is None  # an unassignable assignment is rejected
    assert any(m.data == "Assignment is not trusted by this process!" for m in ao.mailbox(a.owner)) or any(
        d.message.data == "Assignment is not trusted by this process!" for d in ao.trace
    )


def test_gotcha_13_eval_only_from_owner(ao: Network) -> None:
    p = spawn(ao, "")
    assert p.globals["Owner"] == p.owner
    mallory = ao.wallet("mallory")
    p.eval("Pwned = true", sender=mallory)
    assert p.globals.get("Pwned") is None
    p.eval("Pwned = true")
    assert p.globals["Pwned"] is True


def test_gotcha_14_spawn_message_seeds_random(ao: Network) -> None:
    p = spawn(ao, "R = { math.random(100), math.random(100), math.random() }")
    q = Network().spawn(source="R = { math.random(100), math.random(100), math.random() }")
    assert p.globals["R"] == q.globals["R"]  # same seed inputs, same sequence
    assert all(1 <= x <= 100 for x in p.globals["R"][:2])


def test_gotcha_15_cron_messages_have_no_id_and_no_data(ao: Network) -> None:
    p = spawn(
        ao,
        "Handlers.add('c', function(m) return m.Cron == true end, function(m) Got = { m.Id == nil, m.Data == nil, m.From == m.Owner, m.Owner } end)",
    )
    p.cron()
    assert p.globals["Got"] == [True, True, True, p.owner]


def test_gotcha_16_tag_values_must_be_strings(ao: Network) -> None:
    p = spawn(ao, "Handlers.add('n', 'N', function(m) Send({ Target = m.From, Quantity = 5 }) end)")
    with pytest.raises(TagValueError, match="Quantity"):
        p.send({"Action": "N"})


def test_gotcha_17_table_data_is_json_both_ways(ao: Network) -> None:
    p = spawn(
        ao,
        """
        Handlers.add('out', 'Out', function(m) m.reply({ Data = { a = 1 } }) end)
        Handlers.add('in', 'In', function(m) Got = m.Data.b end)
        """,
    )
    reply = p.send({"Action": "Out"}).reply
    assert reply.data == '{"a":1}' and reply.tags["Content-Type"] == "application/json"
    p.send({"Action": "In", "Content-Type": "application/json"}, data='{"b": 2}')
    assert p.globals["Got"] == 2
    r = p.send({"Action": "In", "Content-Type": "application/json"}, data="{not json")
    assert r.error is not None


def test_gotcha_18_json_quirks(ao: Network) -> None:
    p = spawn(
        ao,
        "local json = require('json')\nOut = { json.encode({}), json.encode({ f = print, a = 1 }), json.encode(1e20) }\nD = json.decode('{\"k\": null, \"n\": 10}')",
    )
    assert p.globals["Out"] == ["[]", '{"a":1}', "1e+20"]
    assert p.globals["D"] == {"n": 10}


def test_gotcha_19_reply_prefers_reply_to(ao: Network) -> None:
    p = spawn(
        ao, "Handlers.add('r', 'R', function(m) m.reply({ Target = 'explicit', Action = 'Answer' }) end)"
    )
    elsewhere = ao.wallet("elsewhere")
    r = p.send({"Action": "R", "Reply-To": elsewhere, "X-Reference": "7"})
    assert r.messages[0].target == elsewhere
    assert r.messages[0].tags["X-Reference"] == "7"


def test_gotcha_20_references_count_and_anchor(ao: Network) -> None:
    p = spawn(
        ao,
        "Handlers.add('s', 'S', function(m) Send({ Target = m.From, Action = 'A' }); Send({ Target = m.From, Action = 'B' }) end)",
    )
    r = p.send({"Action": "S"})
    refs = [m.tags["Reference"] for m in r.messages]
    assert refs == [str(int(refs[0])), str(int(refs[0]) + 1)]
    assert r.messages[0].anchor == refs[0].zfill(32)


def test_gotcha_21_send_returns_a_summary(ao: Network) -> None:
    p = spawn(
        ao,
        "Handlers.add('s', 'S', function(m) local r = Send({ Target = m.From, Action = 'A' }); Got = { r.output, r.Target == nil, type(r.receive), type(Spawn({}).after) } end)",
    )
    p.send({"Action": "S"})
    assert p.globals["Got"] == ["Message added to outbox", True, "function", "nil"]


def test_gotcha_22_output_format(ao: Network) -> None:
    p = spawn(ao, "Handlers.add('p', 'P', function(m) print(42); print('text', 'ignored'); print(true) end)")
    r = p.send({"Action": "P"})
    assert r.output == "42\ntext\ntrue"
    assert "\x1b[32m42\x1b[0m" in r.raw_output
    bad = spawn(ao, "Handlers.add('p', 'P', function(m) print('x'); error('e') end)")
    assert bad.send({"Action": "P"}).output == ""


def test_gotcha_23_inbox_only_unhandled_and_capped(ao: Network) -> None:
    p = spawn(ao, "Handlers.add('h', 'H', function() end)")
    assert len(p.inbox) == 1  # the spawn message
    p.send({"Action": "H"})
    p.send({"Action": "Other"})
    assert [m.action for m in p.inbox][1:] == ["Other"]


def test_gotcha_24_handlers_list_starts_with_eval_and_default(ao: Network) -> None:
    p = spawn(
        ao,
        "Handlers.add('mine', 'Mine', function() end)\nHandlers.add('_eval', function() return false end, function() end)",
    )
    assert p.handlers[:2] == ["_eval", "_default"]
    assert p.handlers[2] == "mine"


def test_gotcha_25_receive_consumes_the_reply(ao: Network) -> None:
    if ao.lua_version == "5.1":
        pytest.skip("Receive needs yield across pcall (Lua 5.2+, LuaJIT); 5.1 gives a clear error")
    oracle = spawn(
        ao,
        "Handlers.add('ask', 'Ask', function(m) m.reply({ Action = 'Answer', Data = 'yes' }) end)",
        name="oracle",
    )
    asker = spawn(
        ao,
        "Handlers.add('go', 'Go', function(m) Got = ao.send({ Target = m.Tags.O, Action = 'Ask' }).receive().Data; print('after receive') end)",
    )
    asker.send({"Action": "Go", "O": oracle.id})
    deliveries = ao.run()
    assert asker.globals["Got"] == "yes"
    assert "after receive" in deliveries[-1].result.output  # ran inside the later message
    assert all(m.action != "Answer" for m in asker.inbox)


def test_gotcha_26_math_random_is_seeded_and_random_zero_asserts(ao: Network) -> None:
    p = spawn(ao, "Handlers.add('r', 'R', function() X = math.random(0) end)")
    assert p.send({"Action": "R"}).error is not None


def test_gotcha_27_lua_53_semantics(ao: Network) -> None:
    if ao.lua_version not in ("5.3", "5.4", "5.5"):
        pytest.skip(f"integer subtypes exist only from Lua 5.3 (this run: {ao.lua_version})")
    p = spawn(ao, "Out = { tostring(3.0), tostring(7 // 2), math.type(1), tostring(1 << 4) }")
    assert p.globals["Out"] == ["3.0", "3", "integer", "16"]


def test_gotcha_28_errors_stays_empty(ao: Network) -> None:
    p = spawn(ao, "Handlers.add('e', 'E', function() error('x') end)")
    p.send({"Action": "E"})
    p.eval("error('y')")
    assert p.globals["Errors"] in ([], {})


def test_gotcha_29_error_strings_carry_positions(ao: Network) -> None:
    p = spawn(ao, "Handlers.add('e', 'E', function() error('kaboom') end)")
    err = p.send({"Action": "E"}).error
    assert "Error handling message with Action = E" in err
    assert '[string ".handlers"]' in err and "kaboom" in err and "error:" in err


def test_gotcha_30_dryruns_see_read_only_and_persist_nothing(ao: Network) -> None:
    p = spawn(ao, "N = 0\nHandlers.add('d', 'D', function(m) N = N + 1; RO = m['Read-Only'] end)")
    p.dryrun({"Action": "D"}, sender=ao.wallet("anyone"))
    assert p.globals["N"] == 0 and p.globals.get("RO") is None
    p.send({"Action": "D"})
    assert p.globals["N"] == 1 and p.globals.get("RO") is None


def test_gotcha_31_tags_must_be_an_array(ao: Network) -> None:
    p = spawn(ao, "")
    state = p._state
    from harness.lua_state import message_args

    args = message_args(
        id="y" * 43,
        sender=p.owner,
        owner=p.owner,
        target=p.id,
        data="",
        timestamp=1,
        block_height=1,
        nonce=9,
        anchor=None,
        cron=False,
        read_only=False,
        forwarded_by=None,
        tags=[],
    )
    assert state.handle(args).ok  # an empty Tags array is fine
    probe = state.lua.eval(
        "function(h) local ok, err = pcall(require('.process').handle, {From = 'a', Owner = 'a', Target = ao.id}, {Process = {Id = ao.id, Owner = 'a', Tags = {}}}) return ok end"
    )
    assert probe(None) is False


def test_gotcha_32_load_runs_as_eval_in_G(ao: Network) -> None:
    p = spawn(ao, "local hidden = 1\nVisible = hidden + 1\nreturn 'loaded'")
    assert p.globals.get("hidden") is None and p.globals["Visible"] == 2
    assert MU_ADDRESS  # the MU is the authority of every spawned process
    assert ("Authority", MU_ADDRESS) in p.spawn_tags


def test_gotcha_23b_inbox_is_capped_at_10000(ao: Network) -> None:
    p = spawn(ao, "")
    first_kept = None
    for i in range(10_001):
        r = p.send({"Action": "Unhandled", "I": str(i)})
        if i == 1:
            first_kept = r.message.id
    inbox = p.inbox
    assert len(inbox) == 10_000
    assert inbox[0].id == first_kept  # the spawn message and message 0 were dropped, oldest first
    assert inbox[-1].tags["I"] == "10000"
