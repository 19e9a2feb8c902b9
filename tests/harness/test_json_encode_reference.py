"""json.encode (harness/lua/lib/json.lua) against a reference encoder written here in Python.

The reference walks the very Lua value the encoder gets (through lupa) and applies the rules the
module documents: a table with ``[1]`` set or no keys is an array whose keys must be exactly
``1..#t``; any other table is an object with string keys written in `pairs` order, function values
skipped; numbers by C's ``%.14g``; strings with ``"``, ``\\``, the named control escapes and
``\\u00XX`` for the other bytes below 0x20, every other byte as it is; nil is ``null``; cycles,
NaN, infinities and other types raise.  Only two things are asked of Lua: ``#t`` and the order of
`pairs`.  Hypothesis builds the values (binary strings, holes, mixed keys, function values, deep
nesting) on every Lua, under the sorted `pairs` and under seeded shuffles of it.
"""

from __future__ import annotations

import json as pyjson
import math
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.lua_versions import lupa_module
from tests.harness.lualib_helpers import PAIRS, VERSION_PARAMS, new_lua

_HELPERS = """
local text = ...
local P = assert((loadstring or load)(text, "=harness.pairs"))({})
local sorted = pairs
local json = require("json")
local function keys(t)
  local out, n = {}, 0
  for k in pairs(t) do n = n + 1; out[n] = k end
  return out
end
local function encode(v)
  local ok, out = pcall(json.encode, v)
  return ok, out
end
local function setSeed(seed)
  if seed then pairs = P.make(seed) else pairs = sorted end
end
return keys, function(t) return #t end, encode, json.decode, setSeed, function(t) return tostring(t) end
"""


class Lua:
    """One Lua (strings as bytes) with the encoder under test and the helpers the reference uses."""

    def __init__(self, version: str) -> None:
        self.lua = new_lua(version, encoding=None)
        helpers = self.lua.execute(_HELPERS.encode(), PAIRS.read_bytes())
        self.keys, self.len, self.encode, self.decode, self.set_seed, self.ident = helpers
        self.func = self.lua.eval(b"print")
        self.lua_type = lupa_module(version).lua_type  # each lupa module has its own classes

    def build(self, value: Any) -> Any:
        """The Lua value of a generated Python value (see VALUES)."""
        if isinstance(value, Table):
            t = self.lua.table()
            for k, v in value.items:
                if k is not None and not (isinstance(k, float) and math.isnan(k)):
                    t[self.build(k)] = self.build(v)
            return t
        if value is FUNC:
            return self.func
        return value


_LUAS: dict[str, Lua] = {}


def lua_for(version: str) -> Lua:
    if version not in _LUAS:
        _LUAS[version] = Lua(version)
    return _LUAS[version]


# -- the reference --------------------------------------------------------------------------------


class Refused(Exception):
    """The reference's error: the text json.encode's message must contain."""


_NAMED = {0x22: b'\\"', 0x5C: b"\\\\", 0x08: b"\\b", 0x0C: b"\\f", 0x0A: b"\\n", 0x0D: b"\\r", 0x09: b"\\t"}


def ref_string(s: bytes) -> bytes:
    out = bytearray(b'"')
    for b in s:
        if b in _NAMED:
            out += _NAMED[b]
        elif b < 0x20:
            out += b"\\u%04x" % b
        else:
            out.append(b)
    out += b'"'
    return bytes(out)


def ref_number(x: float) -> bytes:
    if math.isnan(x) or math.isinf(x):
        raise Refused("unexpected number value '")
    return format(x, ".14g").encode()  # Python's "g" is C's %.14g (ints are converted as C does)


def reference(L: Lua, v: Any, stack: set[bytes] | None = None) -> bytes:
    stack = set() if stack is None else stack
    if v is None:
        return b"null"
    if isinstance(v, bool):
        return b"true" if v else b"false"
    if isinstance(v, (int, float)):
        return ref_number(v)
    if isinstance(v, bytes):
        return ref_string(v)
    kind = L.lua_type(v)
    if kind != "table":
        raise Refused(f"unexpected type '{kind}'")
    ident = L.ident(v)
    if ident in stack:
        raise Refused("circular reference")
    stack.add(ident)
    raw_keys = list(v.keys())  # lupa walks the table with next: the key set, in no order
    if v[1] is not None or not raw_keys:
        if any(isinstance(k, bool) or not isinstance(k, (int, float)) for k in raw_keys):
            raise Refused("invalid table: mixed or invalid key types")
        n = L.len(v)
        if len(raw_keys) != n:
            raise Refused("invalid table: sparse array")
        text = b"[" + b",".join(reference(L, v[i], stack) for i in range(1, n + 1)) + b"]"
    else:
        entries = []
        for k in L.keys(v).values():  # the order of `pairs`
            if not isinstance(k, bytes):
                raise Refused("invalid table: mixed or invalid key types")
            value = v[k]
            if L.lua_type(value) != "function":
                entries.append(ref_string(k) + b":" + reference(L, value, stack))
        text = b"{" + b",".join(entries) + b"}"
    stack.discard(ident)
    return text


# -- generated values ------------------------------------------------------------------------------


class Table:
    """A Lua table to build: its (key, value) pairs in insertion order (a None value sets nil)."""

    def __init__(self, items: list[tuple[Any, Any]]) -> None:
        self.items = items

    def __repr__(self) -> str:
        return f"Table({self.items!r})"


FUNC = object()  # a function value (print)

KEYS = st.sampled_from([b"a", b"b", b"key", b"B", b"\xc3\xa9", b"", b'q"', b"\\", b"\n", b"\x00x", b"\x7f"])
STRINGS = st.binary(max_size=12) | KEYS
NUMBERS = (
    st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False).filter(lambda x: x != 0 or math.copysign(1, x) > 0)
    | st.sampled_from([0.1, 1 / 3, 1e16, 1e-7, 2.0**53, 99999999999999, 100000000000000, 3.0, -7])
)
SCALARS = st.none() | st.booleans() | NUMBERS | STRINGS
RARE = st.sampled_from([FUNC, math.nan, math.inf, -math.inf])


def _tables(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Table]:
    array = st.lists(inner, max_size=6).map(lambda xs: Table(list(enumerate(xs, 1))))
    obj = st.lists(st.tuples(KEYS | STRINGS, inner), max_size=6).map(Table)
    # an array or an object with a stray key: a hole, a string, a float, a boolean, index 0
    stray = st.one_of(st.integers(0, 9), st.just(1.5), st.booleans(), KEYS)
    spoiled = st.tuples(array | obj, stray, inner).map(lambda a: Table([*a[0].items, (a[1], a[2])]))
    only_functions = st.lists(KEYS, min_size=1, max_size=3).map(lambda ks: Table([(k, FUNC) for k in ks]))
    return array | obj | spoiled | only_functions


VALUES = st.recursive(SCALARS | RARE, _tables, max_leaves=25)
VALID = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner.filter(lambda x: x is not None), max_size=6).map(
            lambda xs: Table(list(enumerate(xs, 1)))
        )
        | st.lists(st.tuples(KEYS | STRINGS, inner), max_size=6).map(Table)
    ),
    max_leaves=25,
)


def check(L: Lua, built: Any) -> bytes | None:
    """Encode *built* in Lua and compare with the reference; the text when it encodes."""
    ok, out = L.encode(built)
    try:
        want = reference(L, built)
    except Refused as refused:
        assert ok is False, f"the reference refuses ({refused}), json.encode gave {out!r}"
        assert str(refused).encode() in out, f"json.encode raised {out!r}, the reference says {refused}"
        return None
    assert ok is True, f"json.encode raised {out!r}, the reference gives {want!r}"
    assert out == want
    return out


@pytest.fixture(params=VERSION_PARAMS)
def version(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.mark.parametrize("version", VERSION_PARAMS)
@settings(max_examples=150, deadline=None)
@given(value=VALUES)
def test_encode_is_the_reference_under_sorted_pairs(version: str, value: Any) -> None:
    L = lua_for(version)
    L.set_seed(None)
    check(L, L.build(value))


@pytest.mark.parametrize("version", VERSION_PARAMS)
@settings(max_examples=60, deadline=None)
@given(value=VALUES, seed=st.integers(1, 2**31 - 2))
def test_encode_is_the_reference_under_shuffled_pairs(version: str, value: Any, seed: int) -> None:
    L = lua_for(version)
    L.set_seed(seed)
    try:
        check(L, L.build(value))
    finally:
        L.set_seed(None)


_MINUS_ZERO = re.compile(rb"(?<![\d.eE+-])-0(?![\d.eE])")


@pytest.mark.parametrize("version", VERSION_PARAMS)
@settings(max_examples=100, deadline=None)
@given(value=VALID)
def test_valid_values_round_trip(version: str, value: Any) -> None:
    """encode(decode(encode(x))) == encode(x): the text is a fixed point once numbers are rounded
    by %.14g (except "-0", which decodes to the integer 0 on 5.3+, and "{}", which is an empty
    table and so "[]" the second time)."""
    L = lua_for(version)
    L.set_seed(None)
    out = check(L, L.build(value))
    assert out is not None
    if b"{}" in out or _MINUS_ZERO.search(out):
        return
    again_ok, again = L.encode(L.decode(out))
    assert again_ok is True and again == out
    try:
        text = out.decode("utf-8")
    except UnicodeDecodeError:
        return  # binary strings are not JSON text for Python's parser
    pyjson.loads(text)  # valid JSON


# -- the order rules, as exact strings -------------------------------------------------------------


def test_object_keys_are_in_byte_order(version: str) -> None:
    L = lua_for(version)
    L.set_seed(None)
    keys = [b"b", b"a", b"B", b"\xc3\xa9", b"aa", b"", b"A", b"_", b"1", b"10", b"9", b"~"]
    built = L.build(Table([(k, i) for i, k in enumerate(keys)]))
    ok, out = L.encode(built)
    expected = b"{" + b",".join(b'"%s":%d' % (k, keys.index(k)) for k in sorted(keys)) + b"}"
    assert (ok, out) == (True, expected)


def test_arrays_keep_index_order_whatever_the_insertion_order(version: str) -> None:
    L = lua_for(version)
    for seed in (None, 7, 123456):
        L.set_seed(seed)
        try:
            built = L.build(Table([(i, i * 10) for i in (5, 3, 1, 4, 2)]))
            assert tuple(L.encode(built)) == (True, b"[10,20,30,40,50]")
        finally:
            L.set_seed(None)


def test_a_shuffled_pairs_orders_object_keys_as_it_visits_them(version: str) -> None:
    L = lua_for(version)
    keys = [b"k%d" % i for i in range(40)]
    built = L.build(Table([(k, True) for k in keys]))
    L.set_seed(99)
    try:
        order = list(L.keys(built).values())
        ok, out = L.encode(built)
    finally:
        L.set_seed(None)
    assert sorted(order) == sorted(keys) and order != sorted(keys)
    assert (ok, out) == (True, b"{" + b",".join(b'"%s":true' % k for k in order) + b"}")


def test_cycles_raise_but_shared_tables_do_not(version: str) -> None:
    L = lua_for(version)
    L.set_seed(None)
    t = L.lua.table()
    t[b"me"] = t
    ok, out = L.encode(t)
    assert ok is False and b"circular reference" in out
    shared = L.lua.table(1, 2)
    both = L.lua.table(shared, shared)
    assert tuple(L.encode(both)) == (True, b"[[1,2],[1,2]]") == (True, reference(L, both))
