"""Every exception the harness defines is a ``HarnessError``, defined in ``harness/errors.py`` (one
place to read them all), and still importable from the module that used to define it."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import harness
from harness import errors
from harness.errors import HarnessError

#: none: every exception class is defined in harness/errors.py
ELSEWHERE: set[str] = set()

#: where each moved class used to live (old imports keep working)
MOVED = {
    "harness.lua_versions": ["UnknownLuaVersion"],
    "harness.messages": ["ResultAssertionError"],
    "harness.mutate.lexer": ["LuaSyntaxError"],
    "harness.mutate.plan": ["MutateError"],
    "harness.coverage.lines": ["LuaCompileError"],
    "harness.busted.plugin": ["BustedConfigError", "BustedFailure"],
    "harness.devnet.dataitem": ["DataItemError"],
    "harness.devnet.node": ["ApiError"],
    "harness.devnet.store": ["DataDirBusy"],
    "harness.devnet.server": ["ServeError"],
    "harness.repl": ["ReplError", "Unreachable"],
    "harness.manifest": ["ManifestError"],
    "harness.bundle": ["BundleError"],
}

#: the builtin bases kept so that callers catching them still do
KEPT_BASES = {
    "UnknownLuaVersion": ValueError,
    "ResultAssertionError": AssertionError,
    "UnexpectedDeliveryErrors": AssertionError,
    "LuaSyntaxError": ValueError,
    "LuaCompileError": ValueError,
    "DataItemError": ValueError,
    "DataDirBusy": RuntimeError,
    "ServeError": RuntimeError,
}


def _harness_exceptions() -> dict[str, type[BaseException]]:
    found: dict[str, type[BaseException]] = {}
    for info in pkgutil.walk_packages(harness.__path__, "harness."):
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            is_error = isinstance(value, type) and issubclass(value, BaseException)
            if is_error and value.__module__.startswith("harness"):
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return found


def test_every_harness_exception_is_a_harness_error_in_errors_py() -> None:
    found = _harness_exceptions()
    assert len(found) >= 20
    outside = sorted(set(found) - ELSEWHERE - {n for n in found if n.startswith("harness.errors.")})
    assert outside == []
    assert [n for n, cls in found.items() if not issubclass(cls, HarnessError)] == []


@pytest.mark.parametrize(("module", "names"), sorted(MOVED.items()))
def test_moved_exceptions_are_importable_from_their_old_module(module: str, names: list[str]) -> None:
    old = importlib.import_module(module)
    for name in names:
        assert getattr(old, name) is getattr(errors, name)


@pytest.mark.parametrize(("name", "base"), sorted(KEPT_BASES.items(), key=lambda kv: kv[0]))
def test_builtin_bases_are_kept(name: str, base: type[BaseException]) -> None:
    cls = getattr(errors, name)
    assert issubclass(cls, base) and issubclass(cls, HarnessError)
