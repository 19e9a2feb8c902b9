"""`pairs` inside processes (harness/lua/env/pairs.lua): a reproducible order, sorted by default or
shuffled from a seed (`--ao-pairs`, ini `ao_pairs`, `@pytest.mark.ao(pairs=...)`, `Network(pairs=...)`),
at a cost close to the native `next`."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from harness import Network
from harness.cli import main
from harness.lua_versions import LUA_MODULES
from harness.pairs import PairsOrder, parse_pairs

LUAS = [pytest.param(v, id=f"lua{v}") for v in sorted(LUA_MODULES)]

ORDER = """
function Keys(t)
  local out = {}
  for k in pairs(t) do out[#out + 1] = tostring(k) end
  return table.concat(out, " ")
end
T20 = {}
for i = 1, 20 do T20["k" .. i] = i end
"""


def keys_of(net: Network, table_code: str = "T20") -> str:
    p = net.spawn(source=ORDER)
    return p.eval(f"return Keys({table_code})").output


SORTED_20 = " ".join(sorted(f"k{i}" for i in range(1, 21)))


@pytest.mark.parametrize("lua", LUAS)
def test_sorted_order_numbers_then_strings_then_booleans(lua: str) -> None:
    net = Network(lua=lua)
    got = keys_of(net, "{ b = 1, a = 2, [3] = 'x', [1] = 'y', [2.5] = 'z', [true] = 1, [false] = 2, aa = 3 }")
    assert got == "1 2.5 3 a aa b false true"
    assert keys_of(net) == SORTED_20
    assert keys_of(net, "{}") == ""


@pytest.mark.parametrize("lua", LUAS)
def test_values_set_to_nil_during_the_loop_are_skipped_and_changes_are_seen(lua: str) -> None:
    p = Network(lua=lua).spawn(source=ORDER)
    code = """
    local t = { a = 1, b = 2, c = 3, d = 4 }
    local seen = {}
    for k, v in pairs(t) do
      seen[#seen + 1] = k .. "=" .. v
      if k == "a" then t.b = nil; t.c = 30 end
      t[k] = nil -- clearing the current key is allowed
    end
    return table.concat(seen, " ") .. " | " .. tostring(next(t))
    """
    assert p.eval(code).output == "a=1 c=30 d=4 | nil"


@pytest.mark.parametrize("lua", LUAS)
def test_a_table_with_a_metatable_is_walked_raw(lua: str) -> None:
    p = Network(lua=lua).spawn(source=ORDER)
    code = """
    local t = setmetatable({ b = 2, a = 1 }, { __index = function() return "ghost" end })
    local seen = {}
    for k, v in pairs(t) do seen[#seen + 1] = k .. "=" .. v end
    return table.concat(seen, " ")
    """
    assert p.eval(code).output == "a=1 b=2"


@pytest.mark.parametrize("lua", LUAS)
def test_pairs_of_a_non_table_raises_at_the_callers_line_in_that_luas_words(lua: str) -> None:
    r = Network(lua=lua).spawn(source="").eval("local x = 1\nfor k in pairs(nil) do end")
    assert r.error is not None and "table expected, got nil" in r.error
    # 5.1, 5.2 (and LuaJIT) refuse in pairs itself, 5.3+ in the loop: either way the position is
    # the caller's line, never the harness's own pairs
    called = "'pairs'" if lua in ("5.1", "5.2", "jit") else "'for iterator'"
    assert f":2: bad argument #1 to {called}" in r.error, r.error
    assert "harness" not in r.error


@pytest.mark.parametrize(
    "lua",
    [
        pytest.param(v, id=f"lua{v}")
        if v not in ("5.1", "jit")
        else pytest.param(
            v, id=f"lua{v}", marks=pytest.mark.skip(reason=f"Lua {v}'s pairs does not call __pairs")
        )
        for v in sorted(LUA_MODULES)
    ],
)
def test_pairs_metamethod_is_kept(lua: str) -> None:
    p = Network(lua=lua).spawn(source="")
    code = """
    local t = setmetatable({}, { __pairs = function(t)
      local done = false
      return function() if done then return nil end done = true return "virtual", 1 end, t, nil
    end })
    local out = {}
    for k, v in pairs(t) do out[#out + 1] = k end
    return table.concat(out, " ")
    """
    assert p.eval(code).output == "virtual"


COUNT = """
function(n)
  local t = {}
  for i = 1, n do t["key" .. i] = i end
  local steps = 0
  debug.sethook(function() steps = steps + 1 end, "", 1)
  local m = 0
  for k, v in pairs(t) do m = m + 1 end
  debug.sethook()
  return steps, m
end
"""


@pytest.mark.parametrize("lua", LUAS)
def test_a_loop_over_100k_keys_costs_a_fifth_of_the_budget_at_most(lua: str) -> None:
    """The default budget is 20M instructions per message; a full `pairs` loop over 100,000 string
    keys (its body `m = m + 1` included) must leave 5x room: at most 4M instructions."""
    p = Network(lua=lua).spawn(source="")
    steps, m = p.lua.eval(COUNT)(100_000)
    assert m == 100_000
    assert steps <= 4_000_000, f"{steps:,} instructions"


def test_a_message_walking_100k_keys_fits_the_default_budget() -> None:
    p = Network().spawn(
        source="Big = {} for i = 1, 100000 do Big['k' .. i] = i end\n"
        "Handlers.add('sum', 'Sum', function(m) local s = 0 for _, v in pairs(Big) do s = s + v end print(s) end)"
    )
    r = p.send({"Action": "Sum"})
    assert r.ok and r.output == str(100_000 * 100_001 // 2)


# -- shuffled ----------------------------------------------------------------------------------------


def test_parse_pairs() -> None:
    assert parse_pairs(None) == parse_pairs("sorted") == PairsOrder()
    assert parse_pairs("shuffled:42") == PairsOrder("shuffled", 42)
    assert str(parse_pairs(" Shuffled:0042 ")) == "shuffled:42"
    random = parse_pairs("shuffled")
    assert random.shuffled and random.seed is not None and parse_pairs("shuffled") == random  # once per session
    for bad in ("random", "shuffled:", "shuffled:-1", "shuffled:x", "sorted:3"):
        with pytest.raises(ValueError, match="use 'sorted', 'shuffled' or 'shuffled:<seed>'"):
            parse_pairs(bad)
    with pytest.raises(ValueError, match="not understood"):
        Network(pairs="bogus")


def test_shuffled_differs_from_sorted_for_most_seeds() -> None:
    differ = sum(keys_of(Network(pairs=f"shuffled:{seed}")) != SORTED_20 for seed in range(1, 41))
    assert differ >= 38
    orders = {keys_of(Network(pairs=f"shuffled:{seed}")) for seed in range(1, 21)}
    assert len(orders) >= 18  # seeds give different orders, too


@pytest.mark.parametrize("lua", LUAS)
def test_the_same_seed_gives_the_same_order(lua: str) -> None:
    first = keys_of(Network(lua=lua, pairs="shuffled:1234"))
    assert first != SORTED_20 and sorted(first.split()) == sorted(SORTED_20.split())
    assert keys_of(Network(lua=lua, pairs="shuffled:1234")) == first
    # and on every Lua: the permutation is computed with exact arithmetic only
    assert keys_of(Network(lua="5.3", pairs="shuffled:1234")) == first


@pytest.mark.parametrize("lua", LUAS)
def test_shuffled_order_survives_rollback_and_replay(lua: str) -> None:
    """A rolled-back message makes the harness rebuild the state by replaying the log; the
    replayed `pairs` loops must see the orders the original run saw."""
    p = Network(lua=lua, pairs="shuffled:99").spawn(
        source=ORDER + "Seen = {}\n"
        "Handlers.add('walk', 'Walk', function(m) Seen[#Seen + 1] = Keys(T20) end)\n"
        "Handlers.add('boom', 'Boom', function(m) error('boom') end)"
    )
    p.send({"Action": "Walk"})
    p.send({"Action": "Walk"})
    before = p.snapshot("Seen")
    assert p.send({"Action": "Boom"}).error is not None
    assert p.snapshot("Seen") == before  # the state was rebuilt by replay
    seen = p.globals["Seen"]
    assert seen[0] == seen[1] != SORTED_20


@pytest.mark.parametrize("lua", LUAS)
def test_json_object_keys_follow_pairs(lua: str) -> None:
    code = "return require('json').encode({ b = 1, a = 2, c = { e = 1, d = 2 } })"
    assert Network(lua=lua).spawn(source="").eval(code).output == '{"a":2,"b":1,"c":{"d":2,"e":1}}'
    p = Network(lua=lua, pairs="shuffled:7").spawn(source=ORDER)
    encoded = p.eval("return require('json').encode(T20)").output
    assert [k for k in re.findall(r'"(k\d+)"', encoded)] == p.eval("return Keys(T20)").output.split()


@pytest.mark.parametrize("lua", LUAS)
def test_snapshot_orders_mixed_keys(lua: str) -> None:
    p = Network(lua=lua, pairs="shuffled:5").spawn(source="M = { [2] = 'b', x = 1, [1] = 'a', [true] = 0 }")
    assert p.snapshot("M") == 'M = {1="a",2="b","x"=1,true=0,}\n'


# -- the pytest surface ------------------------------------------------------------------------------

ORDER_DEPENDENT = """
import pytest

SOURCE = "T = {} for i = 1, 20 do T['k' .. i] = i end "

def test_first_key(ao):
    p = ao.spawn(source=SOURCE)
    # relies on the iteration order: passes only when k1 comes first
    assert p.eval("for k in pairs(T) do return k end").output == "k1"

@pytest.mark.ao(pairs="shuffled:42")
def test_marker(ao):
    assert str(ao.pairs) == "shuffled:42"
"""


def failing_seed() -> int:
    """A seed under which T's first key is not k1."""
    for seed in range(1, 100):
        if keys_of(Network(pairs=f"shuffled:{seed}")).split()[0] != "k1":
            return seed
    raise AssertionError("no seed moves k1")


def test_order_dependent_test_passes_sorted_and_fails_shuffled(
    pytester: pytest.Pytester, plugin_args: list[str]
) -> None:
    pytester.makepyfile(ORDER_DEPENDENT)
    result = pytester.runpytest(*plugin_args)
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["ao-harness: Lua 5.3 *, pairs sorted"])

    seed = failing_seed()
    result = pytester.runpytest(*plugin_args, f"--ao-pairs=shuffled:{seed}")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            f"ao-harness: Lua 5.3 *, pairs shuffled:{seed}",
            "*- ao-harness pairs order -*",
            f"processes iterated tables with pairs shuffled:{seed}; replay: --ao-pairs=shuffled:{seed}",
        ]
    )


def test_random_seed_is_printed_in_header_and_report(pytester: pytest.Pytester, plugin_args: list[str]) -> None:
    pytester.makepyfile(
        """
        def test_fails(ao):
            ao.spawn(source="")
            assert False
        """
    )
    result = pytester.runpytest(*plugin_args, "--ao-pairs=shuffled")
    result.assert_outcomes(failed=1)
    header = re.search(r"pairs shuffled:(\d+)", result.stdout.str())
    assert header is not None
    seed = header.group(1)
    result.stdout.fnmatch_lines([f"*replay: --ao-pairs=shuffled:{seed}"])


def test_sorted_failures_have_no_pairs_section(pytester: pytest.Pytester, plugin_args: list[str]) -> None:
    pytester.makepyfile(
        """
        def test_fails(ao):
            ao.spawn(source="")
            assert False
        """
    )
    result = pytester.runpytest(*plugin_args)
    result.assert_outcomes(failed=1)
    assert "ao-harness pairs order" not in result.stdout.str()


def test_ini_and_bad_values(pytester: pytest.Pytester, plugin_args: list[str]) -> None:
    pytester.makepyfile("def test_x(ao):\n    assert str(ao.pairs) == 'shuffled:3'\n")
    pytester.makeini("[pytest]\nao_pairs = shuffled:3\n")
    result = pytester.runpytest(*plugin_args)
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["ao-harness: *, pairs shuffled:3"])

    result = pytester.runpytest(*plugin_args, "--ao-pairs=bogus")
    assert result.ret != 0
    result.stderr.fnmatch_lines(["*--ao-pairs: pairs order 'bogus' is not understood*"])

    pytester.makepyfile(
        "import pytest\n@pytest.mark.ao(pairs='sideways')\ndef test_x(ao):\n    pass\n"
    )
    result = pytester.runpytest(*plugin_args)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*ao pairs setting: pairs order 'sideways' is not understood*"])
    assert "During handling" not in result.stdout.str()

    pytester.makeini("[pytest]\nao_pairs = shuffle\n")
    result = pytester.runpytest(*plugin_args)
    assert result.ret != 0
    result.stderr.fnmatch_lines(["*ao_pairs (ini): pairs order 'shuffle' is not understood*"])


def test_cli_run_takes_a_pairs_order(capsys: pytest.CaptureFixture[str]) -> None:
    manifest = str(Path(__file__).resolve().parents[2] / "aoform.yaml")
    assert main(["run", manifest, "--pairs=shuffled:7"]) == 0
    assert "(Lua 5.3, aos profile default, pairs shuffled:7)" in capsys.readouterr().out
    assert main(["run", manifest, "--pairs=bogus"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("ao-harness run: --pairs: pairs order 'bogus' is not understood") and err.count("\n") == 1


@pytest.mark.skipif(importlib.util.find_spec("xdist") is None, reason="pytest-xdist is not installed")
def test_xdist_workers_use_the_controllers_seed(
    pytester: pytest.Pytester, plugin_args: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # the subprocess imports this checkout's harness, not another installed copy
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).resolve().parents[2]))
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.parametrize("i", range(4))
        def test_fails(ao, i):
            ao.spawn(source="")
            assert False
        """
    )
    result = pytester.runpytest_subprocess(*plugin_args, "-n", "2", "--ao-pairs=shuffled")
    result.assert_outcomes(failed=4)
    header = re.search(r"pairs shuffled:(\d+)", result.stdout.str())
    assert header is not None
    replays = re.findall(r"replay: --ao-pairs=shuffled:(\d+)", result.stdout.str())
    assert replays == [header.group(1)] * 4


@pytest.mark.parametrize("lua", LUAS)
def test_the_budget_still_stops_a_key_comparison_that_never_ends(lua: str) -> None:
    """Keys with a __lt metamethod are compared by the sort; a budget overrun inside it is not
    mistaken for "mixed keys" (which would fall back to another sort and hide the loop)."""
    p = Network(lua=lua, instruction_budget=200_000).spawn(
        source="local mt = { __lt = function() while true do end end }\n"
        "K = { [setmetatable({}, mt)] = 1, [setmetatable({}, mt)] = 2 }"
    )
    r = p.eval("local n = 0 for _ in pairs(K) do n = n + 1 end return n")
    assert r.error is not None and "budget" in r.error
    assert p.eval("local n = 0 for _ in next, K do n = n + 1 end return n").output == "2"


SENDER = """
Handlers.add("go", "Go", function(m)
  Send({ Target = m.From, Zeta = "1", Alpha = "2", Mid = "3", Beta = "4", Kappa = "5", Omega = "6",
    Delta = "7", Gamma = "8" })
end)
"""
SENT = ["Alpha", "Beta", "Delta", "Gamma", "Kappa", "Mid", "Omega", "Zeta"]


def sent_names(net: Network) -> list[str]:
    out = net.spawn(source=SENDER).send({"Action": "Go"}).messages[0]
    return [k for k, _ in out.tag_list if k in SENT]


@pytest.mark.parametrize("lua", LUAS)
def test_tags_added_by_send_follow_pairs(lua: str) -> None:
    assert sent_names(Network(lua=lua)) == SENT
    shuffled = [sent_names(Network(lua=lua, pairs=f"shuffled:{seed}")) for seed in range(1, 6)]
    assert all(sorted(names) == SENT for names in shuffled)
    assert any(names != SENT for names in shuffled)
    assert sent_names(Network(lua=lua, pairs="shuffled:3")) == shuffled[2]
