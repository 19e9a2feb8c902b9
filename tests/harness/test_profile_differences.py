"""Each difference between the aos profiles of aos-semantics §0, tested under every profile."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from harness import Network

PROFILES = ["default", "legacy", "head"]


@pytest.fixture
def net(ao_factory: Callable[..., Network]) -> Callable[[str], Network]:
    """A network with this run's Lua and the given profile."""
    return lambda profile: ao_factory(profile=profile)


@pytest.mark.parametrize(
    ("profile", "expected"), [("default", "Tokenid"), ("legacy", "TokenId"), ("head", "Tokenid")]
)
def test_tag_name_normalisation(net, profile: str, expected: str) -> None:
    p = net(profile).spawn(
        source="Handlers.add('t', 'T', function(m) Names = {} for _, t in ipairs(m.TagArray) do table.insert(Names, t.name) end end)"
    )
    p.send({"Action": "T", "TokenId": "x"})
    assert expected in p.globals["Names"]


@pytest.mark.parametrize(("profile", "matches"), [("default", True), ("legacy", False), ("head", True)])
def test_table_pattern_value_case(net, profile: str, matches: bool) -> None:
    p = net(profile).spawn(source="Handlers.add('t', { Action = 'transfer' }, function() Hit = true end)")
    p.send({"Action": "Transfer"})
    assert (p.globals.get("Hit") is True) is matches


@pytest.mark.parametrize(("profile", "matches"), [("default", True), ("legacy", False), ("head", False)])
def test_table_pattern_tags_fallback(net, profile: str, matches: bool) -> None:
    # `Type` is non-extractable: msg.Type is nil, msg.Tags.Type is set
    p = net(profile).spawn(source="Handlers.add('t', { Type = 'Custom' }, function() Hit = true end)")
    p.send({"Action": "X", "Type": "Custom"})
    assert (p.globals.get("Hit") is True) is matches


@pytest.mark.parametrize(("profile", "global_json"), [("default", False), ("legacy", False), ("head", True)])
def test_json_and_base64_globals(net, profile: str, global_json: bool) -> None:
    p = net(profile).spawn(source="G = { type(json), type(base64) }\nR = type(require('json'))")
    assert p.globals["G"] == (["table", "table"] if global_json else ["nil", "nil"])
    assert p.globals["R"] == "table"


@pytest.mark.parametrize(("profile", "apm"), [("default", False), ("legacy", False), ("head", True)])
def test_apm_handlers_pre_exist(net, profile: str, apm: bool) -> None:
    p = net(profile).spawn(source="")
    names = p.handlers
    assert (
        names[:4] == ["APM.DownloadResponse", "APM.SearchResponse", "APM.InfoResponse", "APM.UpdateResponse"]
    ) is apm
    assert "_eval" in names and "_default" in names


@pytest.mark.parametrize(("profile", "replies"), [("default", False), ("legacy", True), ("head", False)])
def test_untrusted_sender_auto_reply(net, profile: str, replies: bool) -> None:
    from harness.lua_state import message_args

    n = net(profile)
    p = n.spawn(source="Handlers.add('t', 'T', function() Hit = true end)")
    args = message_args(
        id="z" * 43,
        sender="forged-process",
        owner=n.wallet("intruder"),
        target=p.id,
        data="",
        timestamp=1,
        block_height=1,
        nonce=3,
        anchor=None,
        cron=False,
        read_only=False,
        forwarded_by=None,
        tags=[("Action", "T")],
    )
    raw = p._state.handle(args)
    assert raw.ok and p.globals.get("Hit") is None
    assert bool(raw.messages) is replies
    if replies:
        assert raw.messages[0][1] == "Message is not trusted by this process!"


@pytest.mark.parametrize(
    ("profile", "owner_follows"), [("default", False), ("legacy", True), ("head", False)]
)
def test_owner_from_any_message(net, profile: str, owner_follows: bool) -> None:
    n = net(profile)
    p = n.spawn(source="Handlers.add('forget', 'Forget', function() Owner = nil end)")
    p.send({"Action": "Forget"})
    alice = n.wallet("alice")
    p.send({"Action": "Hello"}, sender=alice)
    assert (p.globals.get("Owner") == alice) is owner_follows


@pytest.mark.parametrize(
    ("profile", "version"), [("default", "2.0.4"), ("legacy", "2.0.1"), ("head", "2.0.4")]
)
def test_prompt_version(net, profile: str, version: str) -> None:
    p = net(profile).spawn(source="")
    assert f"aos-{version}" in p.eval("return Prompt()").output


def test_marker_selects_the_profile(pytester: pytest.Pytester, plugin_args: list[str]) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.ao(profile="head")
        def test_head(ao):
            assert ao.spawn(source="G = type(json)").globals["G"] == "table"

        def test_default(ao):
            assert ao.spawn(source="G = type(json)").globals["G"] == "nil"
        """
    )
    pytester.runpytest(*plugin_args).assert_outcomes(passed=2)
