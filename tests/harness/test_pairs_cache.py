"""`pairs` keeps the order of a big table it looped over and reuses it while the table's key set
is unchanged (harness/lua/env/pairs.lua): whatever happens to the keys between two loops, the
order is always the one a fresh sort gives."""

from __future__ import annotations

import pytest

from harness import Network
from harness.lua_versions import LUA_MODULES

LUAS = [pytest.param(v, id=f"lua{v}") for v in sorted(LUA_MODULES)]

CODE = """
T = {}
for i = 1, 200 do T["k" .. i] = i end
function Order(t)
  local out = {}
  for k in pairs(t) do out[#out + 1] = tostring(k) end
  return table.concat(out, " ")
end
function Sorted(t)
  local keys = {}
  for k in next, t do keys[#keys + 1] = tostring(k) end
  table.sort(keys)
  return table.concat(keys, " ")
end
"""

CHANGES = [
    "",  # the same keys: the kept order
    "T.k5 = nil",  # one key fewer
    "T.zz = 1",  # one key more
    "T.k7 = nil; T.a0 = 7",  # as many keys, one different
    "T.k8 = 'changed'",  # a value changed, keys the same
    "for i = 1, 200 do T['k' .. i] = nil end; for i = 1, 200 do T['m' .. i] = i end",
]


@pytest.mark.parametrize("lua", LUAS)
def test_the_order_follows_every_change_of_the_keys(lua: str) -> None:
    p = Network(lua=lua).spawn(source=CODE)
    for change in CHANGES:
        assert p.eval(change).ok if change else True
        order = p.eval("return Order(T)").output
        assert order == p.eval("return Sorted(T)").output, change
        assert p.eval("return Order(T)").output == order  # a second loop, from the kept order


@pytest.mark.parametrize("lua", LUAS)
def test_a_key_removed_during_the_loop_is_skipped_next_time(lua: str) -> None:
    p = Network(lua=lua).spawn(source=CODE)
    p.eval("return Order(T)")
    r = p.eval("local n = 0 for k in pairs(T) do T[k] = nil n = n + 1 end return n .. ' ' .. tostring(next(T))")
    assert r.output == "200 nil"
    assert p.eval("T.b = 1 T.a = 2 return Order(T)").output == "a b"


def test_a_shuffled_order_is_the_same_from_the_kept_order() -> None:
    a = Network(pairs="shuffled:7").spawn(source=CODE)
    b = Network(pairs="shuffled:7").spawn(source=CODE)
    first = a.eval("return Order(T)").output
    assert first != a.eval("return Sorted(T)").output
    assert a.eval("return Order(T)").output == first == b.eval("return Order(T)").output


KEYS = [f"k{i}" for i in range(80)] + [str(i) for i in range(1, 81)]


@pytest.mark.parametrize("lua", LUAS)
def test_any_sequence_of_changes_gives_the_fresh_order(lua: str) -> None:
    """Random additions, removals, re-additions and value changes between loops (the kept order is
    checked against the keys' `next` sequence: the same keys in the same sequence)."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    p = Network(lua=lua).spawn(source=CODE)
    op = st.tuples(st.sampled_from(["set", "del", "val"]), st.sampled_from(KEYS), st.integers(0, 9))

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(st.lists(st.lists(op, max_size=6), min_size=1, max_size=8))
    def run(batches: list[list[tuple[str, str, int]]]) -> None:
        p.eval("T = {} for i = 1, 100 do T['k' .. i] = i end")
        for batch in batches:
            code = []
            for kind, key, n in batch:
                k = key if not key.isdigit() else int(key)  # number keys too (mixed-key sort)
                lua_key = f"[{k}]" if isinstance(k, int) else f"['{k}']"
                code.append(f"T{lua_key} = {'nil' if kind == 'del' else n}")
            assert p.eval(" ".join(code)).ok if code else True
            order = p.eval("return Order(T)").output
            assert order == p.eval("return SortedMixed(T)").output
            assert p.eval("return Order(T)").output == order

    p.eval("""
    function SortedMixed(t)
      local nums, strs = {}, {}
      for k in next, t do
        if type(k) == 'number' then nums[#nums + 1] = k else strs[#strs + 1] = k end
      end
      table.sort(nums) table.sort(strs)
      local out = {}
      for _, k in ipairs(nums) do out[#out + 1] = tostring(k) end
      for _, k in ipairs(strs) do out[#out + 1] = k end
      return table.concat(out, ' ')
    end""")
    run()
