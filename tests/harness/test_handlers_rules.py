"""The Handlers API, rule by rule (aos-semantics §4.1–§4.6)."""

from __future__ import annotations

import pytest

from harness import Network


def order_after(ao: Network, setup: str, action: str = "X") -> list[str]:
    """Spawn a process with *setup*, send *action*, return the names of the handlers that ran."""
    p = ao.spawn(
        source="Ran = {}\nlocal function h(name) return function() table.insert(Ran, name) end end\n" + setup
    )
    r = p.send({"Action": action})
    assert r.error is None, r.error
    return p.globals["Ran"] or []


def test_add_appends_and_returns_the_list_length(ao: Network) -> None:
    p = ao.spawn(
        source="N1 = Handlers.add('a', 'A', function() end)\nN2 = Handlers.add('b', 'B', function() end)"
    )
    assert p.globals["N2"] == p.globals["N1"] + 1
    assert p.handlers[-2:] == ["a", "b"]


def test_add_with_two_arguments_uses_the_name_as_action(ao: Network) -> None:
    assert order_after(ao, "Handlers.add('X', h('x'))") == ["x"]


def test_add_of_an_existing_name_updates_in_place(ao: Network) -> None:
    p = ao.spawn(
        source="Handlers.add('a', 'A', function() end)\nHandlers.add('b', 'B', function() end)\nHandlers.add('a', 'A2', function() Hit = true end)"
    )
    assert p.handlers[-2:] == ["a", "b"]
    p.send({"Action": "A2"})
    assert p.globals["Hit"] is True


def test_prepend_goes_first_but_existing_names_stay(ao: Network) -> None:
    p = ao.spawn(
        source="Handlers.add('a', 'A', function() end)\nHandlers.prepend('first', 'F', function() end)\nHandlers.prepend('a', 'A', function() end)"
    )
    assert p.handlers[0] == "first"
    assert p.handlers.count("a") == 1 and p.handlers[-1] == "a"


def test_append_is_add_without_return(ao: Network) -> None:
    p = ao.spawn(source="R = Handlers.append('a', 'A', function() end)")
    assert p.globals.get("R") is None and p.handlers[-1] == "a"


def test_once_runs_once_and_gets_a_generated_name(ao: Network) -> None:
    p = ao.spawn(source="Count = 0\nHandlers.once('X', function() Count = Count + 1 end)")
    assert any(n.startswith("_once_") for n in p.handlers)
    p.send({"Action": "X"})
    p.send({"Action": "X"})
    assert p.globals["Count"] == 1
    assert not any(n.startswith("_once_") for n in p.handlers)


def test_before_and_after_insert_relative_to_a_name(ao: Network) -> None:
    ran = order_after(
        ao,
        "Handlers.add('mid', function() return 'continue' end, h('mid'))\n"
        "Handlers.before('mid').add('pre', function() return 'continue' end, h('pre'))\n"
        "Handlers.after('mid').add('post', function() return 'continue' end, h('post'))\n"
        "Handlers.before('missing').add('never', function() return 'continue' end, h('never'))",
    )
    assert ran == ["pre", "mid", "post"]


def test_remove_takes_the_handler_out(ao: Network) -> None:
    p = ao.spawn(source="Handlers.add('a', 'A', function() Hit = true end)\nHandlers.remove('a')")
    assert "a" not in p.handlers
    p.send({"Action": "A"})
    assert p.globals.get("Hit") is None


@pytest.mark.parametrize(("max_runs", "sends", "expected"), [(2, 3, 2), ("'inf'", 4, 4)])
def test_max_runs(ao: Network, max_runs: object, sends: int, expected: int) -> None:
    p = ao.spawn(source=f"C = 0\nHandlers.add('a', 'A', function() C = C + 1 end, {max_runs})")
    for _ in range(sends):
        p.send({"Action": "A"})
    assert p.globals["C"] == expected


def test_table_pattern_wildcard_lua_pattern_and_any_of(ao: Network) -> None:
    p = ao.spawn(
        source="""
        Hits = {}
        Handlers.add('wild', { Action = 'W', Quantity = '_' }, function() table.insert(Hits, 'wild') end)
        Handlers.add('pat', { Action = 'P', Quantity = '^%d+$' }, function() table.insert(Hits, 'pat') end)
        Handlers.add('any', { Action = { 'A1', 'A2' } }, function() table.insert(Hits, 'any') end)
        Handlers.add('fn', { Action = function(v) return v == 'F' end }, function() table.insert(Hits, 'fn') end)
        Handlers.add('dash', { Action = 'Credit-Notice' }, function() table.insert(Hits, 'dash') end)
        """
    )
    for tags in (
        {"Action": "W"},
        {"Action": "W", "Quantity": "anything"},
        {"Action": "P", "Quantity": "12a"},
        {"Action": "P", "Quantity": "12"},
        {"Action": "A2"},
        {"Action": "F"},
        {"Action": "Credit-Notice"},
    ):
        p.send(tags)
    assert p.globals["Hits"] == ["wild", "pat", "any", "fn", "dash"]


@pytest.mark.parametrize(
    ("result", "runs_next", "reaches_inbox"),
    [
        ("true", False, False),
        ("'break'", False, False),
        ("-1", False, False),
        ("'continue'", True, True),
        ("1", True, True),
        ("'skip'", True, True),
        ("0", True, True),
        ("false", True, True),
    ],
)
def test_pattern_results(ao: Network, result: str, runs_next: bool, reaches_inbox: bool) -> None:
    p = ao.spawn(
        source=f"""
        Ran = {{}}
        Handlers.add('first', function() return {result} end, function() table.insert(Ran, 'first') end)
        Handlers.add('second', function() return 'continue' end, function() table.insert(Ran, 'second') end)
        """
    )
    before = len(p.inbox)
    p.send({"Action": "Z"})
    ran = p.globals["Ran"] or []
    assert ("second" in ran) is runs_next
    assert (len(p.inbox) > before) is reaches_inbox
    assert ("first" in ran) is (result not in ("'skip'", "0", "false"))


def test_handlers_utils(ao: Network) -> None:
    p = ao.spawn(
        source="""
        Hits = {}
        local u = Handlers.utils
        Handlers.add('tag', u.hasMatchingTag('Action', 'T'), function() table.insert(Hits, 'tag') end)
        Handlers.add('of', u.hasMatchingTagOf('Action', { 'O1', 'O2' }), function() table.insert(Hits, 'of') end)
        Handlers.add('data', u.hasMatchingData('ping'), function() table.insert(Hits, 'data') end)
        Handlers.add('cont', u.continue(u.hasMatchingTag('Action', 'C')), function() table.insert(Hits, 'cont') end)
        Handlers.add('c2', u.hasMatchingTag('Action', 'C'), function() table.insert(Hits, 'c2') end)
        Handlers.add('reply', u.hasMatchingTag('Action', 'R'), u.reply('pong'))
        """
    )
    p.send({"Action": "T"})
    p.send({"Action": "O2"})
    p.send({"Action": "Nope"}, data="ping")
    p.send({"Action": "C"})
    r = p.send({"Action": "R"})
    assert p.globals["Hits"] == ["tag", "of", "data", "cont", "c2"]
    assert r.reply.data == "pong"


def test_on_reply_runs_when_the_answer_arrives(ao: Network) -> None:
    oracle = ao.spawn(
        source="Handlers.add('ask', 'Ask', function(m) m.reply({ Action = 'Answer', Data = 'yes' }) end)"
    )
    asker = ao.spawn(
        source="Handlers.add('go', 'Go', function(m) ao.send({ Target = m.Tags.O, Action = 'Ask' }).onReply(function(r) Got = r.Data end) end)"
    )
    asker.send({"Action": "Go", "O": oracle.id})
    ao.run()
    assert asker.globals["Got"] == "yes"


def test_forward_keeps_origin_and_reply_to(ao: Network) -> None:
    p = ao.spawn(source="Handlers.add('f', 'F', function(m) m.forward(m.Tags.To, { Extra = 'yes' }) end)")
    alice = ao.wallet("alice")
    bob = ao.wallet("bob")
    r = p.send({"Action": "F", "To": bob, "Reference": "9"}, sender=alice, data="payload")
    fwd = r.messages[0]
    assert fwd.target == bob
    assert fwd.tags["Reply-To"] == alice and fwd.tags["X-Origin"] == alice and fwd.tags["X-Reference"] == "9"
    assert fwd.tags["Extra"] == "yes" and fwd.data == "payload"
    assert "From-Process" not in fwd.tags and "Timestamp" not in fwd.tags


def test_boot_evaluates_on_boot_data(ao: Network) -> None:
    p = ao.spawn(tags={"On-Boot": "Data"}, data="Booted = 'yes'")
    assert p.globals["Booted"] == "yes"
    assert len(p.inbox) == 1 and p.inbox[0].id == p.id
