"""The pytest surface: the ao fixture, options, ini keys, the marker and the report header."""

from __future__ import annotations

import pytest

SAMPLE = """
import pytest

def test_version(ao):
    p = ao.spawn(source="V = _VERSION")
    print("LUA", p.globals["V"], ao.profile.name)
    assert p.globals["V"].startswith("Lua")

@pytest.mark.ao(lua="5.4", profile="legacy")
def test_marker(ao):
    p = ao.spawn(source="V = _VERSION")
    assert p.globals["V"] == "Lua 5.4"
    assert ao.profile.name == "legacy"
"""


def test_report_header_and_default_lua(pytester: pytest.Pytester, plugin_args: list[str]) -> None:
    pytester.makepyfile(SAMPLE)
    result = pytester.runpytest("-s", *plugin_args)
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(
        ["ao-harness: Lua 5.3 (lupa.lua53), aos profile default*", "*LUA Lua 5.3 default*"]
    )


def test_command_line_options(pytester: pytest.Pytester, plugin_args: list[str]) -> None:
    pytester.makepyfile(SAMPLE)
    result = pytester.runpytest("-s", *plugin_args, "--lua=5.1", "--ao-profile=head")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["ao-harness: Lua 5.1*profile head*", "*LUA Lua 5.1 head*"])


def test_ini_options(pytester: pytest.Pytester, plugin_args: list[str]) -> None:
    pytester.makeini("[pytest]\nao_lua = 5.2\nao_profile = legacy\n")
    pytester.makepyfile(SAMPLE)
    result = pytester.runpytest("-s", *plugin_args)
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["*LUA Lua 5.2 legacy*"])


def test_bad_lua_version_is_a_usage_error(pytester: pytest.Pytester, plugin_args: list[str]) -> None:
    pytester.makepyfile(SAMPLE)
    result = pytester.runpytest(*plugin_args, "--lua=6.0")
    assert result.ret != 0
    result.stderr.fnmatch_lines(["*--lua*invalid choice*6.0*"])


def test_marker_with_positional_args_is_rejected(pytester: pytest.Pytester, plugin_args: list[str]) -> None:
    pytester.makepyfile(
        """
        import pytest
        @pytest.mark.ao("5.4")
        def test_x(ao):
            pass
        """
    )
    result = pytester.runpytest(*plugin_args)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*keyword arguments only*"])


def test_assertion_failure_shows_outbox_and_trace(pytester: pytest.Pytester, plugin_args: list[str]) -> None:
    pytester.makepyfile(
        """
        from harness import assert_sent

        def test_x(ao):
            p = ao.spawn(source="Handlers.add('p', 'Ping', function(m) m.reply({Action = 'Pong'}) end)")
            r = p.send({"Action": "Ping"})
            assert_sent(r, Action="Credit-Notice")
        """
    )
    result = pytester.runpytest(*plugin_args)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*no message matched Action='Credit-Notice'*",
            "*handled:*Action=Ping*",
            "*outbox (1 messages*",
            "*1. *Action=Pong*",
        ]
    )
