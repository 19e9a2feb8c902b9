"""Conformance: the ``ao`` module and the process globals around it (docs/aos-semantics.md §1.3, §2,
§5): send/spawn/assign tags and references, authorities and the trust gate, the assignment gate,
``ao.result`` Error semantics, print/Output, ``math.random`` and ``os.time``."""

from __future__ import annotations

import math

import pytest

from harness import Network
from harness.ids import MU_ADDRESS
from tests.harness.deliver_helpers import raw

# -- the module itself --------------------------------------------------------------------------


def test_ao_is_one_table_under_every_name(ao: Network) -> None:
    p = ao.spawn()
    out = p.eval(
        "return table.concat({ tostring(require('ao') == ao), tostring(require('.ao') == ao), ao._version, "
        "tostring(ao.id == ao.env.Process.Id), type(ao.clone), type(ao.sanitize), type(ao.normalize) }, ' ')"
    ).output
    assert out == "true true 0.0.6 true function function function"
    assert p.globals["ao"]["id"] == p.id


def test_env_process_tags_become_a_map_and_module_tags_stay(ao: Network) -> None:
    p = ao.spawn(tags={"Name": "shop", "Custom": "c1"})
    out = p.eval(
        "return ao.env.Process.Tags.Custom .. ' ' .. ao.env.Process.Tags.Name .. ' ' .. #ao.env.Process.TagArray "
        ".. ' ' .. type(ao.env.Module.Tags) .. ' ' .. Name"
    ).output
    custom, name, n_tags, module_tags, global_name = out.split(" ")
    assert (custom, name, module_tags, global_name) == ("c1", "shop", "table", "shop")
    assert int(n_tags) == len(p.spawn_tags)


def test_non_extractable_and_non_forwardable_lists(ao: Network) -> None:
    p = ao.spawn()
    assert p.globals["ao"]["nonExtractableTags"] == [
        "Data-Protocol", "Variant", "From-Process", "From-Module", "Type",
        "From", "Owner", "Anchor", "Target", "Data", "Tags", "Read-Only",
    ]
    forwardable = p.globals["ao"]["nonForwardableTags"]
    assert {"Reply-To", "Reference", "Id", "TagArray", "Cron", "Block-Height"} <= set(forwardable)
    assert "Data" not in forwardable and "Action" not in forwardable


# -- ao.send ----------------------------------------------------------------------------------


def test_send_builds_tags_in_order(ao: Network) -> None:
    p = ao.spawn(
        source="""
        Handlers.add('s', 'S', function(m)
          ao.send({ Target = m.From, Data = 'body', Action = 'Note', Anchor = 'mine', From = 'spoof',
                    Tags = { { name = 'Extra', value = 'e1' }, { name = 'Extra', value = 'e2' } } })
          ao.send({ Target = m.From, Tags = { Mapped = 'yes' } })
        end)
        """
    )
    r = p.send({"Action": "S"})
    first, second = r.messages
    ref = int(first.tags["Reference"])
    assert first.tag_list == (
        ("Data-Protocol", "ao"),
        ("Variant", "ao.TN.1"),
        ("Type", "Message"),
        ("Reference", str(ref)),
        ("Action", "Note"),
        ("Extra", "e1"),
        ("Extra", "e2"),
    )
    assert first.target == p.owner and first.data == "body"
    assert first.anchor == str(ref).zfill(32)  # the caller's Anchor is ignored, From is not a tag
    assert second.tags["Mapped"] == "yes" and second.tags["Reference"] == str(ref + 1)


@pytest.mark.ao(pairs="sorted")  # compares json text, whose key order follows pairs
def test_send_encodes_table_data_and_mutates_the_callers_table(ao: Network) -> None:
    p = ao.spawn(
        source="""
        Handlers.add('s', 'S', function(m)
          local msg = { Target = m.From, Data = { list = { 1, 2 }, name = 'n' } }
          ao.send(msg)
          After = { msg.Data, msg['Content-Type'] }
        end)
        """
    )
    reply = p.send({"Action": "S"}).reply
    assert reply.data == '{"list":[1,2],"name":"n"}'
    assert reply.tags["Content-Type"] == "application/json"
    assert p.globals["After"] == [reply.data, "application/json"]


def test_send_requires_a_table(ao: Network) -> None:
    p = ao.spawn()
    r = p.eval("ao.send('not a table')")
    assert r.error is not None


def test_send_without_target_warns(ao: Network) -> None:
    p = ao.spawn(source="Handlers.add('s', 'S', function(m) Send({ Action = 'Nowhere' }) end)")
    r = p.send({"Action": "S"})
    assert r.output.startswith("WARN: No target specified for message.")
    assert len(r.messages) == 1 and r.messages[0].target is None


def test_reference_is_one_counter_for_sends_and_spawns(ao: Network) -> None:
    p = ao.spawn(
        source="""
        Handlers.add('go', 'Go', function(m)
          Send({ Target = m.From, Action = 'One' })
          Spawn({ Name = 'kid' })
          Send({ Target = m.From, Action = 'Two' })
        end)
        """
    )
    start = p.globals["ao"]["reference"]
    r = p.send({"Action": "Go"})
    refs = [m.tags["Reference"] for m in r.messages] + [r.spawns[0].tags["Reference"]]
    assert refs == [str(start + 1), str(start + 3), str(start + 2)]
    assert p.globals["ao"]["reference"] == start + 3
    assert int(p.send({"Action": "Go"}).messages[0].tags["Reference"]) == start + 4


# -- ao.spawn ---------------------------------------------------------------------------------


def test_spawn_tags_and_default_data(ao: Network) -> None:
    p = ao.spawn(source="Handlers.add('s', 'S', function(m) ao.spawn('module-x', { Name = 'kid', ['Cron-Interval'] = '1-hour' }) end)")
    spawn = p.send({"Action": "S"}).spawns[0]
    ref = spawn.tags["Reference"]
    assert spawn.data == "NODATA"
    assert spawn.tag_list[:7] == (
        ("Data-Protocol", "ao"),
        ("Variant", "ao.TN.1"),
        ("Type", "Process"),
        ("From-Process", p.id),
        ("From-Module", p.module),
        ("Module", "module-x"),
        ("Reference", ref),
    )
    assert spawn.tags["Name"] == "kid" and spawn.tags["Cron-Interval"] == "1-hour"
    assert spawn.anchor == ref.zfill(32)


@pytest.mark.parametrize(("call", "needle"), [("ao.spawn(nil, {})", "Module"), ("ao.spawn('m', 'x')", "table")])
def test_spawn_checks_its_arguments(ao: Network, call: str, needle: str) -> None:
    r = ao.spawn().eval(call)
    assert r.error is not None and needle in r.error


def test_spawn_is_delivered_with_a_spawned_notice(ao: Network) -> None:
    p = ao.spawn(source="Handlers.add('s', 'S', function(m) Spawn({ Name = 'kid', Data = 'Kid = true' }) end)\nHandlers.add('n', 'Spawned', function(m) Notice = { m.Process, m.Reference, m.From } end)")
    ref = p.send({"Action": "S"}).spawns[0].tags["Reference"]
    ao.run()
    child_id, notice_ref, notice_from = p.globals["Notice"]
    child = ao.process(child_id)
    assert notice_ref == ref and notice_from == p.id
    assert child.globals["Owner"] == p.id and child.name == "kid"
    assert child.globals.get("Kid") is None  # Data is not code unless On-Boot = Data


# -- ao.assign --------------------------------------------------------------------------------


def test_assign_queues_an_assignment(ao: Network) -> None:
    p = ao.spawn(source="Handlers.add('a', 'A', function(m) R = Assign({ Processes = { 'p1', 'p2' }, Message = m.Id }) end)")
    r = p.send({"Action": "A"})
    assert r.assignments == [(["p1", "p2"], r.message.id)]
    assert r.output == "Assignment added to outbox." and p.globals["R"] == "Assignment added to outbox."


@pytest.mark.parametrize("arg", ["{ Message = 'm' }", "{ Processes = { 'p' } }", "{ Processes = 'p', Message = 'm' }"])
def test_assign_checks_its_argument(ao: Network, arg: str) -> None:
    r = ao.spawn().eval(f"ao.assign({arg})")
    assert r.error is not None


# -- authorities and the trust gate -------------------------------------------------------------


def test_authorities_come_from_every_authority_tag(ao: Network) -> None:
    p = ao.spawn(tags=[("Authority", "auth-A,auth-B"), ("Authority", "auth-B")])
    assert p.globals["ao"]["authorities"] == [MU_ADDRESS, "auth-A", "auth-B"]
    p.eval("ao.authorities = { 'added-by-code' }")
    p.send({"Action": "Ping"})
    # ao.init appends the tag authorities again on every message and never removes any
    assert p.globals["ao"]["authorities"] == ["added-by-code", MU_ADDRESS, "auth-A", "auth-B"]


def test_is_trusted_checks_from_or_owner(ao: Network) -> None:
    p = ao.spawn(tags={"Authority": "auth-A"})
    out = p.eval(
        "return tostring(ao.isTrusted({ From = 'auth-A', Owner = 'x' })) .. tostring(ao.isTrusted({ From = 'x', Owner = 'auth-A' }))"
        " .. tostring(ao.isTrusted({ From = 'x', Owner = 'x' }))"
    ).output
    assert out == "truetruefalse"


def test_trust_gate_drops_forged_messages(ao: Network) -> None:
    p = ao.spawn(source="N = 0\nHandlers.add('t', function() return true end, function() N = N + 1 end)")
    before = p.snapshot()
    res = raw(p, sender="claimed-process", owner="some-signer", tags=[("Action", "T")])
    assert res.ok and res.messages == []
    assert (res.output or "").endswith("Message is not trusted! From: claimed-process - Owner: some-signer")
    assert "\n" not in (res.output or "")  # only the warning line
    assert p.snapshot() == before and p.globals["N"] == 0


def test_trust_gate_admits_authorities_added_by_code(ao: Network) -> None:
    p = ao.spawn(source="N = 0\nHandlers.add('t', 'T', function() N = N + 1 end)")
    raw(p, sender="claimed-process", owner="some-signer", tags=[("Action", "T")])
    p.eval("table.insert(ao.authorities, 'some-signer')")
    raw(p, sender="claimed-process", owner="some-signer", tags=[("Action", "T")])
    assert p.globals["N"] == 1


# -- the assignment gate ------------------------------------------------------------------------


def test_unassignable_assignment_is_rejected_with_a_reply(ao: Network) -> None:
    p = ao.spawn(source="Handlers.add('t', 'T', function() Hit = true end)")
    alice = ao.wallet("alice")
    res = raw(p, sender=alice, owner=alice, target="another-process", tags=[("Action", "T")])
    assert res.ok and p.globals.get("Hit") is None
    assert len(res.messages) == 1
    assert (res.messages[0].target, res.messages[0].data) == (alice, "Assignment is not trusted by this process!")
    assert "Assignment is not trusted" in (res.output or "")


def test_own_message_assigned_back_gets_no_reply(ao: Network) -> None:
    p = ao.spawn(source="Handlers.add('t', 'T', function() Hit = true end)")
    res = raw(p, sender=p.id, owner=MU_ADDRESS, target="another-process", tags=[("Action", "T")])
    assert res.ok and res.messages == [] and p.globals.get("Hit") is None


def test_assignables_by_name_index_and_function(ao: Network) -> None:
    p = ao.spawn(source="Hits = 0\nHandlers.add('t', 'T', function() Hits = Hits + 1 end)")
    alice = ao.wallet("alice")

    def assign() -> None:
        raw(p, sender=alice, owner=alice, target="another-process", tags=[("Action", "T")])

    assign()
    p.eval("ao.addAssignable('byAction', { Action = 'T' })")
    assign()
    p.eval("ao.removeAssignable('byAction')")
    assign()
    p.eval("ao.addAssignable(function(m) return m.From == '" + alice + "' end)")
    assign()
    p.eval("ao.removeAssignable(1)")
    assign()
    assert p.globals["Hits"] == 2
    assert p.eval("return #ao.assignables").output == "0"


# -- ao.result and Error ------------------------------------------------------------------------


def test_outbox_error_returns_only_the_error(ao: Network) -> None:
    p = ao.spawn(source="Handlers.add('e', 'E', function(m) print('gone'); Send({ Target = m.From }); ao.outbox.Error = 'refused' end)")
    r = p.send({"Action": "E"})
    assert r.error == "refused" and r.output == "" and r.messages == []


def test_raised_error_wins_over_outbox_error(ao: Network) -> None:
    p = ao.spawn(source="Handlers.add('e', 'E', function(m) ao.outbox.Error = 'from outbox'; error('raised') end)")
    r = p.send({"Action": "E"})
    assert r.error is not None and "raised" in r.error and "from outbox" not in r.error


def test_result_returns_the_outbox_not_its_argument(ao: Network) -> None:
    p = ao.spawn()
    out = p.eval(
        """
        local saved = ao.outbox
        ao.outbox = { Output = 'outbox output', Messages = { 'queued' }, Spawns = {}, Assignments = {} }
        local a = ao.result({ Messages = { 'ignored' } })
        local b = ao.result({ Output = 'mine' })
        ao.outbox.Error = 'E1'
        local c = ao.result({ Output = 'mine' })
        local d = ao.result({ Error = 'E2' })
        ao.outbox = saved
        local keys = 0
        for _ in pairs(c) do keys = keys + 1 end
        return table.concat({ a.Messages[1], a.Output, b.Output, c.Error, tostring(keys), d.Error }, ',')
        """
    ).output
    assert out == "queued,outbox output,mine,E1,1,E2"


# -- print and Output -----------------------------------------------------------------------------


def test_print_output_rules(ao: Network) -> None:
    p = ao.spawn(
        source="""
        Handlers.add('p', 'P', function(m)
          R = print('a')
          print({ a = 1 })
          ao.log('logged, not printed')
        end)
        Handlers.add('q', 'Q', function() end)
        """
    )
    r = p.send({"Action": "P"})
    assert p.globals.get("R") is None
    # a printed table is stringify's text, as live writes it: "{", "   a = 1", "}"
    assert r.output.split("\n") == ["a", "{", "   a = 1", "}"]
    assert "logged" not in r.output
    assert p.send({"Action": "Q"}).output == ""


def test_eval_output_is_prints_then_the_value(ao: Network) -> None:
    p = ao.spawn()
    r = p.eval("print('x'); print(7); return { k = 'v' }")
    assert r.output.split("\n") == ["x", "7", "{", '   k = "v"', "}"]
    assert p.eval("X = 1").output == ""
    assert p.eval("return false").output == ""  # only truthy values are appended


# -- math.random --------------------------------------------------------------------------------


def test_random_ranges_and_errors(ao: Network) -> None:
    p = ao.spawn(
        source="""
        Draws = {}
        for i = 1, 200 do
          local a, b, c = math.random(), math.random(6), math.random(-3, 3)
          assert(a >= 0 and a < 1, 'float out of range')
          assert(b >= 1 and b <= 6 and b == math.floor(b), 'n out of range')
          assert(c >= -3 and c <= 3 and c == math.floor(c), 'm,n out of range')
          Draws[#Draws + 1] = b
        end
        """
    )
    seen = set(p.globals["Draws"])
    assert seen == {1, 2, 3, 4, 5, 6}
    assert p.eval("return math.random(5, 4)").error is not None
    assert p.eval("return math.random('x')").error is not None


def test_random_state_rolls_back_with_errors(ao_factory) -> None:
    code = "Handlers.add('d', 'Draw', function() table.insert(Seq, math.random(1000000)) end)\nHandlers.add('f', 'Fail', function() math.random(); math.random(); error('x') end)\nSeq = {}"
    net_a, net_b = ao_factory(), ao_factory()
    a, b = net_a.spawn(source=code), net_b.spawn(source=code)
    assert a.id == b.id  # same network seed, same ids, same PRNG seed
    a.send({"Action": "Draw"})
    assert a.send({"Action": "Fail"}).error is not None
    a.send({"Action": "Draw"})
    b.send({"Action": "Draw"})
    b.send({"Action": "Draw"})
    assert a.globals["Seq"] == b.globals["Seq"]  # the failed draws never happened


# -- os.time --------------------------------------------------------------------------------------


def test_os_time_follows_each_message(ao: Network) -> None:
    p = ao.spawn(source="Times = {}\nHandlers.add('t', 'T', function(m) table.insert(Times, os.time()) end)")
    p.send({"Action": "T"})
    ao.advance(2500)
    p.send({"Action": "T"})
    first, second = p.globals["Times"]
    assert second - first == 2500 and first == ao.now - 2500
    d = p.dryrun({"Action": "T"})
    assert d.ok and p.globals["Times"] == [first, second]


def test_os_clock_and_date_are_left_alone(ao: Network) -> None:
    p = ao.spawn()
    out = p.eval("return type(os.clock()) .. ' ' .. type(os.date('%Y'))").output
    assert out == "number string"


def test_authorities_edited_in_place_are_restored(ao: Network) -> None:
    # regression: the runtime skipped ao.init's re-read when the list kept its table and length
    p = ao.spawn(source="Handlers.add('t', 'T', function() Hit = (Hit or 0) + 1 end)")
    p.eval("ao.authorities[1] = 'replaced'")
    other = ao.spawn(name="other")
    r = p.send({"Action": "T"}, sender=other)  # pushed by the MU: trusted only if MU is back
    assert r.ok and p.globals["Hit"] == 1
    assert p.globals["ao"]["authorities"] == ["replaced", MU_ADDRESS]


def test_every_message_gets_a_fresh_env(ao: Network) -> None:
    # regression: the tag entries of ao.env.Process were one set of tables shared by every message,
    # so a handler's edit (or a reference kept from an earlier message) showed in later ones
    p = ao.spawn(
        tags={"Custom": "yes"},
        source="""
        Handlers.add('edit', 'Edit', function()
          Kept = ao.env.Process.TagArray
          Kept[1].value = 'edited'
          table.insert(Kept, { name = 'Added', value = 'x' })
        end)
        Handlers.add('look', 'Look', function()
          local a = ao.env.Process.TagArray
          Looked = { first = a[1].value, last = a[#a].name, same = rawequal(a, Kept), sameEntry = rawequal(a[1], Kept[1]) }
        end)
        """,
    )
    p.send({"Action": "Edit"})
    p.send({"Action": "Look"})
    assert p.globals["Looked"] == {"first": "ao", "last": "Custom", "same": False, "sameEntry": False}


def test_an_ao_init_wrapper_that_adds_an_authority_tag_is_read(ao: Network) -> None:
    # ao.init re-reads the authorities from the env it is given: a wrapper's edit counts, every time
    p = ao.spawn(
        source="""
        local init = ao.init
        ao.init = function(env)
          table.insert(env.Process.Tags, { name = 'Authority', value = 'from-wrapper-' .. tostring(#ao.authorities) })
          return init(env)
        end
        """
    )
    p.send({"Action": "Ping"})
    p.send({"Action": "Ping"})
    assert p.globals["ao"]["authorities"] == [MU_ADDRESS, "from-wrapper-1", "from-wrapper-2"]


def test_send_and_spawn_return_a_copy_with_every_field(ao: Network) -> None:
    # regression: the runtime returned a proxy, so pairs/next/json saw only onReply and receive
    p = ao.spawn()
    out = p.eval(
        """
        local function keys(t)
          local k = {}
          for key in pairs(t) do k[#k + 1] = key end
          table.sort(k)
          return table.concat(k, ',')
        end
        local s = ao.send({ Target = 'x', Action = 'A', Data = 'd' })
        local before = #ao.outbox.Messages
        s.Data = 'changed'
        local sp = ao.spawn('module-x', {})
        return keys(s) .. ' | ' .. keys(sp) .. ' | ' .. ao.outbox.Messages[before].Data
        """
    ).output
    assert out == "Anchor,Data,Tags,Target,onReply,receive | Anchor,Data,Tags,onReply,receive | d"


def test_random_integer_forms_follow_the_float(ao_factory) -> None:
    # twin processes (same network seed, same ids) draw from the same MT19937 stream
    floats = ao_factory().spawn(source="R = { math.random(), math.random(), math.random() }")
    ints = ao_factory().spawn(source="R = { math.random(7), math.random(5, 9), math.random(-2, 2) }")
    assert floats.id == ints.id
    r = floats.globals["R"]
    assert all((x * 2**32).is_integer() for x in r)  # int32 * 2^-32
    assert ints.globals["R"] == [math.floor(r[0] * 7 + 1), math.floor(r[1] * 5 + 5), math.floor(r[2] * 5 - 2)]
