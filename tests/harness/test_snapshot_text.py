"""``Process.snapshot``'s canonical text is the plain recursive algorithm's, byte for byte.

bridge/snapshot.lua writes a table's entries with as few pieces and calls as their types allow;
the reference below is the plain recursion (every key and value through one ``canon``, ``%q``
for every string, `pairs`'s key order: native sort, else numbers, strings, booleans, the rest by
their text).  Hypothesis builds globals with odd strings (quotes, backslashes, control bytes, NUL,
DEL, bytes that are not UTF-8), mixed keys (integers, floats, infinities, booleans, tables, a
table whose ``__tostring`` collides), shared tables, cycles, functions and coroutines, and the
two texts must be equal on every Lua the harness supports."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness import HarnessError, Network
from harness.lua_versions import LUA_MODULES
from harness.process import Process

LUAS = [pytest.param(v, id=f"lua{v}") for v in sorted(LUA_MODULES)]

#: the plain recursive algorithm (the text before the snapshot took fewer pieces), run in the
#: process's own runtime: (names...) -> text
REFERENCE = r"""
function(...)
  local next, type, tostring, rawget, select, pcall = next, type, tostring, rawget, select, pcall
  local format, byte, concat, sort = string.format, string.byte, table.concat, table.sort
  local RUNTIME_GLOBALS = {
    Inbox = true, Handlers = true, Colors = true, Utils = true, HANDLER_PRINT_LOGS = true, Bell = true,
    Dump = true, Errors = true, Seeded = true, Nonce = true,
  }
  local rank = { number = 1, string = 2, boolean = 3 }
  local function keyLess(a, b)
    local ta, tb = type(a), type(b)
    if ta ~= tb then return (rank[ta] or 4) < (rank[tb] or 4) end
    if ta == "number" or ta == "string" then return a < b end
    if ta == "boolean" then return (not a) and b end
    return tostring(a) < tostring(b)
  end
  local function sortKeys(keys)
    if not pcall(sort, keys) then sort(keys, keyLess) end
  end
  local function canon(v, out, n, seen)
    local t = type(v)
    if t == "string" then
      n = n + 1
      out[n] = format("%q", v)
    elseif t == "table" then
      if seen[v] then
        n = n + 1
        out[n] = "<cycle>"
        return n
      end
      seen[v] = true
      local keys, k = {}, 0
      for key in next, v do
        k = k + 1
        keys[k] = key
      end
      if k > 1 then sortKeys(keys) end
      n = n + 1
      out[n] = "{"
      for i = 1, k do
        local key = keys[i]
        n = canon(key, out, n, seen)
        n = n + 1
        out[n] = "="
        n = canon(v[key], out, n, seen)
        n = n + 1
        out[n] = ","
      end
      n = n + 1
      out[n] = "}"
      seen[v] = nil
    elseif t == "number" or t == "boolean" or t == "nil" then
      n = n + 1
      out[n] = tostring(v)
    else
      n = n + 1
      out[n] = "<" .. t .. ">"
    end
    return n
  end
  local list, count = { ... }, select("#", ...)
  if count == 0 then
    for k, v in next, _G do
      if type(k) == "string" and not RUNTIME_GLOBALS[k] and type(v) ~= "function" then
        local b = byte(k, 1)
        if b and b >= 65 and b <= 90 then
          count = count + 1
          list[count] = k
        end
      end
    end
    sort(list)
  end
  local out, n, seen = {}, 0, {}
  for i = 1, count do
    local name = list[i]
    n = n + 1
    out[n] = name .. " = "
    n = canon(rawget(_G, name), out, n, seen)
    n = n + 1
    out[n] = "\n"
  end
  return concat(out, "", 1, n)
end
"""

#: the globals an example may set (cleared before each example); "A\0b" and "Z\255" are odd
#: names (aos's own, Inbox, Handlers, Colors, ..., are there too and never in the text)
NAMES = ["Alpha", "Beta", "Gamma", "A\0b", "Z\255"]

ODD = ['"', "\\", "\n", "\r", "\0", "\1", "\t", "\127", "\128", "\255", "\195\169", "'", "]]", "%", "a", " "]
strings = st.one_of(
    st.lists(st.sampled_from(ODD), max_size=6).map("".join),
    st.binary(max_size=8).map(lambda b: b.decode("latin-1")),
)
floats = st.floats(allow_nan=False) | st.sampled_from([0.5, -0.0, 2.0**53, 1e300, 1e-300])


def literal(v: Any) -> str:
    """Lua source for a string (a latin-1 str standing for bytes), number or boolean."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return '"' + "".join(f"\\{ord(c)}" for c in v) + '"'
    if isinstance(v, float):
        if v != v:
            return "(0/0)"
        if v in (float("inf"), float("-inf")):
            return "math.huge" if v > 0 else "(-math.huge)"
        return f"({v!r})"
    return f"({v})"


# a value: ("lit", python value) | ("table", [(key, value), ...], meta) | ("ref", k) (a table made
# earlier: shared, or a cycle when it is an enclosing one) | ("fn",) | ("co",) | ("nan",)
leaves = st.one_of(
    strings.map(lambda s: ("lit", s)),
    st.integers(-(2**53), 2**53).map(lambda i: ("lit", i)),
    floats.map(lambda f: ("lit", f)),
    st.booleans().map(lambda b: ("lit", b)),
    st.just(("nan",)),
    st.just(("fn",)),
    st.just(("co",)),
    st.integers(0, 5).map(lambda k: ("ref", k)),
)
keys = st.one_of(
    strings.map(lambda s: ("lit", s)),
    st.integers(-3, 8).map(lambda i: ("lit", i)),
    floats.map(lambda f: ("lit", f)),
    st.booleans().map(lambda b: ("lit", b)),
    st.integers(0, 5).map(lambda k: ("ref", k)),
)
values = st.recursive(
    leaves,
    lambda inner: st.tuples(
        st.just("table"),
        st.lists(
            st.tuples(keys | st.tuples(st.just("table"), st.just([]), st.booleans()), inner), max_size=6
        ),
        st.booleans(),
    ),
    max_leaves=20,
)


def build(globals_: dict[str, Any]) -> str:
    """Lua statements that set the globals (tables through a list T, references to earlier ones)."""
    lines = ["local T = {}", "local mt = { __tostring = function() return 'same' end }"]
    made = 0

    def expr(v: Any) -> str:
        nonlocal made
        kind = v[0]
        if kind == "lit":
            return literal(v[1])
        if kind == "nan":
            return "(0/0)"
        if kind == "fn":
            return "print"
        if kind == "co":
            return "coroutine.create(print)"
        if kind == "ref":
            return f"(T[{v[1] % made + 1}] or false)" if made else "false"
        made += 1
        me = made
        lines.append(f"T[{me}] = {{}}")
        if v[2]:
            lines.append(f"setmetatable(T[{me}], mt)")
        for k, x in v[1]:
            ks = expr(k)
            xs = expr(x)
            # a key that is NaN or nil cannot be set; skip it as Lua would refuse it
            lines.append(f"do local k = {ks} if k == k and k ~= nil then rawset(T[{me}], k, {xs}) end end")
        return f"T[{me}]"

    for name, v in globals_.items():
        lines.append(f"rawset(_G, {literal(name)}, {expr(v)})")
    return "\n".join(lines)


def text_of(fn: Any, *args: str) -> str:
    """A Lua function's string result (bytes that are not UTF-8 as surrogate escapes)."""
    try:
        return str(fn(*args))
    except UnicodeDecodeError as exc:
        return bytes(exc.object).decode("utf-8", "surrogateescape")


@pytest.fixture(scope="module", params=LUAS)
def proc(request: pytest.FixtureRequest) -> Process:
    return Network(lua=request.param).spawn(source="")


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(globals_=st.dictionaries(st.sampled_from(NAMES), values, max_size=4))
def test_snapshot_text_is_the_plain_recursions(proc: Process, globals_: dict[str, Any]) -> None:
    clear = "\n".join(f"rawset(_G, {literal(n)}, nil)" for n in NAMES)
    res = proc.eval(clear + "\n" + build(globals_))
    assert res.error is None, res.error
    reference = proc.lua.eval(REFERENCE)
    assert proc.snapshot() == text_of(reference)
    names = [*NAMES, "Missing"]
    assert proc.snapshot(*names) == text_of(reference, *names)


@pytest.mark.parametrize("lua", LUAS)
def test_snapshot_of_bytes_that_are_not_utf8(lua: str) -> None:
    """A global holding bytes that are not UTF-8: the text keeps them (as surrogate escapes), so
    two such states still compare by their bytes."""
    net = Network(lua=lua)
    p = net.spawn(source='Raw = "a\\255b"')
    q = net.spawn(source='Raw = "a\\254b"')
    assert p.snapshot("Raw") == 'Raw = "a\udcffb"\n'
    assert p.snapshot() != q.snapshot()


@pytest.mark.parametrize("lua", LUAS)
def test_snapshot_text_after_many_global_names(lua: str) -> None:
    """The snapshot remembers which global names it shows (a bounded cache, emptied when full):
    past the bound, and after names come and go, the text is still the plain recursion's."""
    p = Network(lua=lua).spawn(source="")
    reference = p.lua.eval(REFERENCE)
    for rnd in range(3):
        code = f"""
        for i = 1, 700 do
          _G["G{rnd}_" .. i] = i % 3 == 0 and print or i
          _G["g{rnd}_" .. i] = i
          _G["G{rnd - 1}_" .. i] = nil
        end
        _G[{rnd}] = "number key"
        _G[_G] = "table key"
        """
        assert p.eval(code).error is None
        text = p.snapshot()
        assert text == text_of(reference)
        assert f"G{rnd}_1 = 1\n" in text and f"G{rnd}_3 = " not in text and f"G{rnd - 1}_1 " not in text


@pytest.mark.parametrize("lua", sorted(LUA_MODULES))
def test_a_snapshot_too_deep_to_take_is_one_clear_error(lua: str) -> None:
    # Lua's stack ends the canonical text's recursion: a HarnessError naming the process and
    # the global (a Lua 5.3 state's LuaError went by as it was: `except lupa.LuaError` is 5.5's)
    p = Network(lua=lua).spawn(source="Deep = {} local t = Deep for i = 1, 300000 do t.x = {} t = t.x end", name="deep")
    with pytest.raises(HarnessError) as info:
        p.snapshot("Deep")
    text = str(info.value)
    assert "\n" not in text and "process deep ('Deep')" in text and "nests deeper" in text
    assert "[string" not in text
    assert p.send({"Action": "Still"}).error is None
