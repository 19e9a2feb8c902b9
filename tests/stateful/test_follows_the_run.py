"""The state machines build ``Network()`` inside ``@given``, outside the ``ao`` fixture: they must
still run the Lua and aos profile the pytest run was given (``--lua``/``--ao-profile``, as each
tox env passes), or ``tox -e lua54`` would quietly test Lua 5.3."""

from __future__ import annotations

import pytest

from harness.lua_versions import LUA_MODULES, normalise
from harness.profiles import get_profile
from tests.stateful import test_handler_fuzz
from tests.stateful.test_tim3_rules import Tim3Machine

#: ``_VERSION`` of each harness Lua (LuaJIT reports the Lua it implements)
VERSION_TEXT = {"5.1": "Lua 5.1", "5.2": "Lua 5.2", "5.3": "Lua 5.3", "5.4": "Lua 5.4", "5.5": "Lua 5.5",
                "jit": "Lua 5.1"}


def _run_setting(config: pytest.Config, name: str) -> str | None:
    return config.getoption(f"ao_{name}", default=None) or config.getini(f"ao_{name}") or None


def test_the_machines_run_the_lua_and_profile_of_the_run(pytestconfig: pytest.Config) -> None:
    lua = normalise(_run_setting(pytestconfig, "lua"))
    profile = get_profile(_run_setting(pytestconfig, "profile")).name
    machine = Tim3Machine()  # what hypothesis builds for every example
    fuzzed = test_handler_fuzz.system()
    for net in (machine.net, fuzzed.ao):
        assert (net.lua_version, net.profile.name) == (lua, profile)
    version = machine.t.coord.eval("print(_VERSION)").output.strip()
    assert version == VERSION_TEXT[lua]
    # and the process runs in that Lua's lupa runtime (processes do not see LuaJIT's `jit`)
    assert type(machine.t.coord.lua).__module__ == LUA_MODULES[lua]
