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


# -- a Network() built inside a test follows the run -------------------------------------------

RUN_DEFAULTS = """
from pathlib import Path

from hypothesis import settings
from hypothesis.stateful import RuleBasedStateMachine, rule

from harness import Network


def test_network_in_a_test_takes_the_run_settings():
    net = Network()
    p = net.spawn(source="V = _VERSION")
    assert p.globals["V"] == "Lua 5.4"
    assert (net.lua_version, net.profile.name) == ("5.4", "legacy")
    assert (net.instruction_budget, net.timeout) == (1234567, None)
    assert net.root == Path(__file__).parent / "sub"
    assert str(net.pairs) == "shuffled:7"
    # an argument given wins over the run's setting
    assert Network(lua="5.2", profile="head", timeout=5).lua_version == "5.2"
    assert Network(lua="5.2", profile="head", timeout=5).timeout == 5


class Machine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.net = Network()
        self.p = self.net.spawn(source="V = _VERSION")

    @rule()
    def check(self):
        assert self.p.globals["V"] == "Lua 5.4"


TestMachine = Machine.TestCase
TestMachine.settings = settings(max_examples=2, stateful_step_count=2, deadline=None)
"""


def test_network_built_in_a_test_follows_the_run(pytester: pytest.Pytester, plugin_args: list[str]) -> None:
    from harness.run_settings import run_defaults

    before = run_defaults()
    pytester.makeini("[pytest]\nao_root = sub\n")
    pytester.mkdir("sub")
    pytester.makepyfile(RUN_DEFAULTS)
    result = pytester.runpytest(
        *plugin_args, "--lua=5.4", "--ao-profile=legacy", "--ao-instruction-budget=1234567",
        "--ao-timeout=none", "--ao-pairs=shuffled:7", "-p", "no:randomly",
    )
    result.assert_outcomes(passed=2)
    # the inner run's settings end with it: this run's are back
    assert run_defaults() == before


def test_the_stateful_suite_runs_the_lua_the_run_names() -> None:
    """Run the stateful suite's own check under other Luas, as `tox -e lua54` / `-e luajit` do."""
    import subprocess
    import sys
    from pathlib import Path

    repo = Path(__file__).resolve().parents[2]
    check = "tests/stateful/test_follows_the_run.py"
    for lua in ("5.4", "jit"):
        run = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", f"--lua={lua}", "--ao-profile=head", check],
            cwd=repo, capture_output=True, text=True, timeout=300,
        )
        assert run.returncode == 0, f"--lua={lua}:\n{run.stdout[-3000:]}\n{run.stderr[-2000:]}"
        assert "1 passed" in run.stdout
