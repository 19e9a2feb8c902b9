"""Conformance: every difference of docs/aos-semantics.md §0 between the profiles default (live module
ISShJH1ij, 2025-06), legacy (aos 2.0.1) and head (current source), each tested under all three.

Networks come from ``ao_factory(profile=...)`` so ``--lua`` still applies; a few tests use the
``@pytest.mark.ao(profile=...)`` marker instead."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from harness import Network
from harness.ids import DEFAULT_MODULE, LEGACY_MODULE
from tests.harness.deliver_helpers import raw

PROFILES = ("default", "legacy", "head")
Factory = Callable[..., Network]


def per_profile(**expected: Any) -> pytest.MarkDecorator:
    """Parametrize a test over (profile, expected value) for all three profiles."""
    assert set(expected) == set(PROFILES), expected
    return pytest.mark.parametrize(("profile", "expected"), [(p, expected[p]) for p in PROFILES])


# -- tag-name normalisation -------------------------------------------------------------------


@per_profile(
    default=["Tokenid", "X-Ref", "Action"],
    legacy=["TokenId", "x_ref", "action"],
    head=["Tokenid", "X-Ref", "Action"],
)
def test_tag_names_title_cased_since_2025(ao_factory: Factory, profile: str, expected: list[str]) -> None:
    p = ao_factory(profile=profile).spawn(
        source="Handlers.add('t', function(m) return m.Tags.Marker == 'yes' end, function(m) Names = {} for _, t in ipairs(m.TagArray) do table.insert(Names, t.name) end end)"
    )
    p.send({"TokenId": "AbC", "x_ref": "1", "action": "Go", "Marker": "yes"})
    names = p.globals["Names"]
    assert [n for n in names if n != "Marker"] == expected


@per_profile(default=False, legacy=True, head=False)
def test_lower_case_action_misses_string_patterns_without_normalisation(
    ao_factory: Factory, profile: str, expected: bool
) -> None:
    p = ao_factory(profile=profile).spawn(source="Handlers.add('go', 'Go', function() Hit = true end)")
    before = len(p.inbox)
    p.send({"action": "Go"})
    assert (p.globals.get("Hit") is None) is expected
    assert (len(p.inbox) == before + 1) is expected


@per_profile(default="AbC", legacy="AbC", head="AbC")
def test_values_keep_their_case_in_every_profile(ao_factory: Factory, profile: str, expected: str) -> None:
    p = ao_factory(profile=profile).spawn(source="Handlers.add('t', 'T', function(m) V = m.Tags.Token end)")
    p.send({"Action": "T", "Token": "AbC"})
    assert p.globals["V"] == expected


# -- table-pattern matching -------------------------------------------------------------------


@per_profile(default=["table", "pattern"], legacy=[], head=["table", "pattern"])
def test_table_pattern_values_case_insensitive_since_2025_06(
    ao_factory: Factory, profile: str, expected: list[str]
) -> None:
    p = ao_factory(profile=profile).spawn(
        source="""
        Hits = {}
        Handlers.add('table', { Action = 'transfer' }, function() table.insert(Hits, 'table') end)
        Handlers.add('pattern', { Action = '^CREDIT' }, function() table.insert(Hits, 'pattern') end)
        """
    )
    p.send({"Action": "Transfer"})
    p.send({"Action": "credit-notice"})
    assert (p.globals.get("Hits") or []) == expected


@pytest.mark.parametrize("profile", PROFILES)
def test_string_patterns_and_has_matching_tag_are_exact_everywhere(ao_factory: Factory, profile: str) -> None:
    p = ao_factory(profile=profile).spawn(
        source="""
        Hits = {}
        Handlers.add('s', 'transfer', function() table.insert(Hits, 's') end)
        Handlers.add('t', Handlers.utils.hasMatchingTag('Action', 'transfer'), function() table.insert(Hits, 't') end)
        """
    )
    p.send({"Action": "Transfer"})
    assert (p.globals.get("Hits") or []) == []
    p.send({"Action": "transfer"})
    assert p.globals["Hits"] == ["s"]


@per_profile(default=True, legacy=False, head=False)
def test_table_patterns_fall_back_to_msg_tags_only_in_the_default_module(
    ao_factory: Factory, profile: str, expected: bool
) -> None:
    # Type and Variant are non-extractable: msg.Type is nil, msg.Tags.Type is set
    p = ao_factory(profile=profile).spawn(source="Handlers.add('t', { Type = 'Custom' }, function() Hit = true end)")
    p.send({"Action": "X", "Type": "Custom"})
    assert (p.globals.get("Hit") is True) is expected


@per_profile(default=True, legacy=False, head=True)
def test_boolean_value_against_a_string_pattern_errors_when_lower_casing(
    ao_factory: Factory, profile: str, expected: bool
) -> None:
    p = ao_factory(profile=profile).spawn(source="Handlers.add('c', { Cron = 'true' }, function() Hit = true end)")
    r = p.cron()
    assert (r.error is not None) is expected  # string.lower(true) raises
    assert p.globals.get("Hit") is None
    if not expected:
        assert p.inbox[-1].id is None  # legacy: no match, the tick lands in the Inbox


# -- globals ----------------------------------------------------------------------------------


@per_profile(default=False, legacy=False, head=True)
def test_json_and_base64_are_globals_only_at_head(ao_factory: Factory, profile: str, expected: bool) -> None:
    p = ao_factory(profile=profile).spawn(
        source="G = { json = type(json), base64 = type(base64) }\nR = type(require('json').encode)"
    )
    kind = "table" if expected else "nil"
    assert p.globals["G"] == {"json": kind, "base64": kind}
    assert p.globals["R"] == "function"  # require works everywhere
    r = p.send({"Action": "Eval"}, data="return json.encode({ a = 1 })")
    assert (r.error is None) is expected
    if expected:
        assert r.output == '{"a":1}'


@per_profile(
    default=["_eval", "_default"],
    legacy=["_eval", "_default"],
    head=["APM.DownloadResponse", "APM.SearchResponse", "APM.InfoResponse", "APM.UpdateResponse", "_eval", "_default"],
)
def test_fresh_handler_list(ao_factory: Factory, profile: str, expected: list[str]) -> None:
    p = ao_factory(profile=profile).spawn()
    assert p.handlers == expected
    before = len(p.inbox)
    p.send({"Action": "Info"})
    assert len(p.inbox) == before + 1  # the APM handlers do not catch ordinary messages


@per_profile(default="2.0.4", legacy="2.0.1", head="2.0.4")
def test_version_in_prompt_and_version(ao_factory: Factory, profile: str, expected: str) -> None:
    p = ao_factory(profile=profile).spawn()
    assert f"@aos-{expected}[Inbox:1]> " in p.eval("return Prompt()").output
    assert p.eval("Version()").output == f"version: {expected}"


@per_profile(default=DEFAULT_MODULE, legacy=LEGACY_MODULE, head=DEFAULT_MODULE)
def test_module_id(ao_factory: Factory, profile: str, expected: str) -> None:
    p = ao_factory(profile=profile).spawn(
        source="Handlers.add('s', 'S', function(m) Spawn({ Name = 'kid' }) end)\nM = ao._module"
    )
    assert p.globals["M"] == expected
    assert p.send({"Action": "S"}).spawns[0].tags["Module"] == expected


# -- trust and ownership ----------------------------------------------------------------------


@per_profile(default=False, legacy=True, head=False)
def test_untrusted_sender_gets_an_auto_reply_only_in_2_0_1(ao_factory: Factory, profile: str, expected: bool) -> None:
    net = ao_factory(profile=profile)
    p = net.spawn(source="Handlers.add('t', 'T', function() Hit = true end)")
    res = raw(p, sender="forged-process", owner=net.wallet("intruder"), tags=[("Action", "T")])
    assert res.ok and p.globals.get("Hit") is None
    assert "not trusted" in (res.output or "")
    replies = [(m.target, m.data) for m in res.messages]
    assert replies == ([("forged-process", "Message is not trusted by this process!")] if expected else [])


@per_profile(default=False, legacy=True, head=False)
def test_owner_is_set_by_any_message_only_in_2_0_1(ao_factory: Factory, profile: str, expected: bool) -> None:
    net = ao_factory(profile=profile)
    p = net.spawn(source="Handlers.add('forget', 'Forget', function() Owner = nil end)")
    assert p.globals["Owner"] == p.owner  # the spawn message sets it in every profile
    p.send({"Action": "Forget"})
    alice = net.wallet("alice")
    p.send({"Action": "Hello"}, sender=alice)
    assert (p.globals.get("Owner") == alice) is expected
    p.eval("Took = true", sender=alice)
    assert (p.globals.get("Took") is True) is expected  # alice now owns it: Eval works for her


# -- what all profiles share -------------------------------------------------------------------


@pytest.mark.parametrize("profile", PROFILES)
def test_errors_roll_back_in_every_profile(ao_factory: Factory, profile: str) -> None:
    p = ao_factory(profile=profile).spawn(source="N = 0\nHandlers.add('b', 'B', function(m) N = N + 1; Send({ Target = m.From }); error('x') end)")
    r = p.send({"Action": "B"})
    assert r.error is not None and r.messages == [] and p.globals["N"] == 0


@pytest.mark.parametrize("profile", PROFILES)
def test_json_is_never_set_by_require(ao_factory: Factory, profile: str) -> None:
    p = ao_factory(profile=profile).spawn(source="local j = require('json')\nSame = (j == rawget(_G, 'json'))")
    assert p.globals["Same"] is (profile == "head")


# -- the marker ---------------------------------------------------------------------------------


@pytest.mark.ao(profile="legacy")
def test_marker_legacy(ao: Network) -> None:
    assert ao.profile.name == "legacy"
    p = ao.spawn(source="Handlers.add('t', 'T', function(m) V = m.TokenId end)")
    p.send({"Action": "T", "TokenId": "x"})
    assert p.globals["V"] == "x"  # no Title-Casing in 2.0.1


@pytest.mark.ao(profile="head")
def test_marker_head(ao: Network) -> None:
    assert ao.profile.name == "head"
    assert ao.spawn(source="G = type(json)").globals["G"] == "table"


def test_unknown_profile_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match=r"unknown aos profile 'classic'.*default, legacy, head"):
        Network(profile="classic")


@per_profile(default="function function", legacy="nil nil", head="function function")
def test_utils_normalize_and_capitalize_exist_since_2025(ao_factory: Factory, profile: str, expected: str) -> None:
    p = ao_factory(profile=profile).spawn()
    assert p.eval("return type(Utils.normalize) .. ' ' .. type(Utils.capitalize)").output == expected
    shared = "map filter reduce find propEq reverse compose prop includes keys values concat curry matchesPattern matchesSpec"
    kinds = p.eval(f"local out = {{}} for name in string.gmatch('{shared}', '%S+') do out[#out + 1] = type(Utils[name]) end return table.concat(out, ' ')").output
    assert set(kinds.split(" ")) == {"function"}
    if expected.startswith("function"):
        # live's: capitalize lowers all but the first character; normalize Title-Cases a tag name
        assert p.eval("return Utils.capitalize('TokenId') .. ' ' .. Utils.capitalize('x_ref')").output == "Tokenid X_ref"
        assert p.eval("return Utils.normalize('TokenId') .. ' ' .. Utils.normalize('x_ref')").output == "Tokenid X-Ref"
