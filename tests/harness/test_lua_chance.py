"""harness/lua/lib/chance.lua: MT19937 for aos's seeded math.random (docs/aos-semantics.md §5.6, gotcha 26), exact on every Lua."""

from __future__ import annotations

import math
import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.harness.lualib_helpers import VERSION_PARAMS, global_names, new_lua, private

EXPECTED_IMPL = {
    "5.1": "arithmetic",
    "5.2": "bit32",
    "5.3": "native",
    "5.4": "native",
    "5.5": "native",
    "jit": "bit",
}


@pytest.fixture(params=VERSION_PARAMS)
def version(request: pytest.FixtureRequest) -> str:
    return request.param


def fresh(version: str) -> tuple[Any, Any]:
    """A new runtime with a fresh generator (.chance keeps one generator per Lua state, like aos)."""
    lua = new_lua(version)
    return lua, lua.eval("(require('.chance'))")


def draws(lua: Any, n: int) -> list[int]:
    """n 32-bit outputs (``int32``: the harness's part of .chance, not process code's)."""
    t = lua.eval("function(c, n) local out = {} for i = 1, n do out[i] = c.int32() end return out end")(
        private(lua).chance, n
    )
    return [int(t[i]) for i in range(1, n + 1)]


def init_genrand(seed: int) -> list[int]:
    """The MT19937 initial state for a 32-bit seed (Matsumoto & Nishimura's init_genrand)."""
    mt = [seed & 0xFFFFFFFF]
    for i in range(1, 624):
        prev = mt[-1]
        mt.append((1812433253 * (prev ^ (prev >> 30)) + i) & 0xFFFFFFFF)
    return mt


def reference(seed: int, n: int) -> list[int]:
    """n outputs of MT19937 seeded with init_genrand(seed), drawn by CPython's own generator."""
    r = random.Random()
    r.setstate((3, (*init_genrand(seed), 624), None))
    return [r.getrandbits(32) for _ in range(n)]


def test_reference_is_mt19937() -> None:
    """Sanity of the Python side: published values of MT19937 with the default seed 5489."""
    assert reference(5489, 3) == [3499211612, 581869302, 3890346734]
    assert reference(5489, 10000)[-1] == 4123659995  # C++ std::mt19937's required 10000th value


def test_module_defines_no_globals(version: str) -> None:
    lua = new_lua(version)
    before = global_names(lua)
    chance = lua.eval("(require('.chance'))")
    assert global_names(lua) == before
    # process code sees live's module only (tests/live_module/test_libraries.py: chance.names)
    assert sorted(chance.keys()) == ["integer", "random", "seed"]
    assert private(lua).chance.impl == EXPECTED_IMPL[version]  # each 32-bit implementation is exercised somewhere


def test_known_outputs_for_seed_5489(version: str) -> None:
    lua, chance = fresh(version)
    chance.seed(5489)
    out = draws(lua, 10000)
    assert out[:3] == [3499211612, 581869302, 3890346734]
    assert out[-1] == 4123659995


def test_unseeded_generator_uses_5489(version: str) -> None:
    lua, _ = fresh(version)
    assert draws(lua, 5) == reference(5489, 5)


@pytest.mark.parametrize("version", VERSION_PARAMS)
@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_matches_cpython_for_any_seed(version: str, seed: int) -> None:
    lua, chance = fresh(version)
    chance.seed(seed)
    assert draws(lua, 700) == reference(seed, 700)  # crosses one regeneration of the 624-word state


def test_seed_uses_the_low_32_bits(version: str) -> None:
    lua, chance = fresh(version)
    chance.seed(2**32 + 7)
    a = draws(lua, 5)
    chance.seed(7)
    assert draws(lua, 5) == a == reference(7, 5)
    chance.seed(-1)
    assert draws(lua, 5) == reference(2**32 - 1, 5)


def test_reseeding_restarts_the_sequence(version: str) -> None:
    lua, chance = fresh(version)
    chance.seed(42)
    first = draws(lua, 630)
    chance.seed(42)
    assert draws(lua, 630) == first


def test_random_is_int32_times_2_to_minus_32(version: str) -> None:
    _lua, chance = fresh(version)
    chance.seed(2024)
    floats = [chance.random() for _ in range(1000)]
    ints = reference(2024, 1000)
    assert floats == [i * 2.0**-32 for i in ints]
    assert all(0 <= f < 1 for f in floats)


def test_integer_range_and_formula(version: str) -> None:
    lua, chance = fresh(version)
    chance.seed(77)
    got = [chance.integer(3, 8) for _ in range(500)]
    assert got == [math.floor(i * 2.0**-32 * 6 + 3) for i in reference(77, 500)]
    assert set(got) == {3, 4, 5, 6, 7, 8}
    ok, err = lua.eval("pcall(require('.chance').integer, 5, 4)")
    assert ok is False and "max must bigger than min" in err  # (live's words)


# -- the aos seed (docs/aos-semantics.md §5.6, process/test/random.test.js) -------------------------------------------


def aos_seed(block_height: str, owner: str, module: str, ident: str) -> int:
    return int(block_height + str(sum((owner + module + ident).encode())))


def test_seed_from_spawn_fixture(version: str) -> None:
    lua, chance = fresh(version)
    seed_from_spawn = private(lua).chance.seed_from_spawn
    seed = seed_from_spawn("999", "FOOBAR", "WOOPAWOOPA", "AOS")
    assert seed == aos_seed("999", "FOOBAR", "WOOPAWOOPA", "AOS") == 9991448
    # Block-Height as an integer (what the CU sends) gives the same seed
    assert seed_from_spawn(999, "FOOBAR", "WOOPAWOOPA", "AOS") == seed
    chance.seed(seed)
    assert math.floor(chance.random() * 10 + 1) == 2  # math.random(10) in the aos fixture
    # ...and that 2 really follows from MT19937 with that seed
    assert math.floor(reference(seed, 1)[0] * 2.0**-32 * 10 + 1) == 2


@pytest.mark.parametrize("version", VERSION_PARAMS)
@settings(max_examples=20, deadline=None)
@given(
    height=st.integers(1, 2_000_000),
    ids=st.lists(st.text(alphabet="abcXYZ0123456789-_", min_size=1, max_size=43), min_size=3, max_size=3),
)
def test_seed_from_spawn_matches_the_formula(version: str, height: int, ids: list[str]) -> None:
    lua, _ = fresh(version)
    assert private(lua).chance.seed_from_spawn(str(height), *ids) == aos_seed(str(height), *ids)


def test_seed_from_spawn_needs_every_field(version: str) -> None:
    lua, _ = fresh(version)
    call = lua.eval("function(f, ...) return pcall(f, ...) end")
    seed_from_spawn = private(lua).chance.seed_from_spawn
    for args in ((None, "o", "m", "i"), ("1", None, "m", "i"), ("1", "o", None, "i"), ("1", "o", "m", None)):
        ok, err = call(seed_from_spawn, *args)
        assert ok is False and "Block-Height, Owner, a Module tag and Id" in err, args
