"""Probe scripts: many small Lua checks run in ONE Eval per side, each answering one line.

``run_probes(twin, probes)`` spawns a bare process on both sides, evaluates one Eval that runs
every probe (compiled on its own, so a syntax error stays its own answer) under ``pcall`` and prints ``key<TAB>ok <value>`` or ``key<TAB>error <message>``,
and returns the parsed answers of both sides.  Values are shown canonically (typed scalars,
tables with sorted keys, functions by type); error messages lose their positions, which are a
listed deviation (``[string "aos"]:1:`` live, our chunk names here).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from tests.live_module.twin import QUOTE_LUA, Twin, error_core

PROBE_LIB = (
    QUOTE_LUA
    + r"""
local __lines = {}
local function __order(a, b)
  local ta, tb = type(a), type(b)
  if ta ~= tb then return ta < tb end
  if ta == "number" or ta == "string" then return a < b end
  return tostring(a) < tostring(b)
end
local function __show(v, depth)
  local t = type(v)
  if t == "string" then return __quote(v) end
  if t == "number" then
    if math.type then return math.type(v) .. ":" .. string.format(math.type(v) == "integer" and "%d" or "%.17g", v) end
    return "number:" .. string.format("%.17g", v)
  end
  if t == "boolean" or t == "nil" then return tostring(v) end
  if t ~= "table" or (depth or 0) > 3 then return "<" .. t .. ">" end
  local keys = {}
  for k in next, v do keys[#keys + 1] = k end
  table.sort(keys, __order)
  local parts = {}
  for _, k in ipairs(keys) do parts[#parts + 1] = __show(k, 9) .. "=" .. __show(v[k], (depth or 0) + 1) end
  return "{" .. table.concat(parts, ",") .. "}"
end
local __load = loadstring or load
local function __probe(key, code)
  local fn, err = __load(code, "=probe")
  local ok, a, b
  if fn then ok, a, b = pcall(fn) else ok, a = false, err end
  local text
  if ok then
    text = "ok " .. __show(a)
    if b ~= nil then text = text .. " " .. __show(b) end
  else
    text = "error " .. tostring(a)
  end
  __lines[#__lines + 1] = key .. "\t" .. text:gsub("\\", "\\\\"):gsub("\n", "\\n")
end
"""
)


@dataclass
class Answers:
    harness: dict[str, str]
    live: dict[str, str]


def _parse(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in text.splitlines():
        key, _, value = line.partition("\t")
        if value.startswith("error "):
            core = error_core(value[len("error ") :].replace("\\n", "\n")) or ""
            value = "error " + core.replace("\n", "\\n")
        out[key] = value
    return out


#: live answers by probe script: the binary is deterministic, so one live run serves every Lua
_LIVE_ANSWERS: dict[str, dict[str, str]] = {}


def run_probes(twin: Twin, probes: dict[str, str] | list[Probe], *, setup: str = "") -> Answers:
    """Evaluate every probe (key -> Lua function body) in one Eval on each side (live only once
    per script and session)."""
    if isinstance(probes, list):
        probes = {p.key: p.code for p in probes}
    body = [PROBE_LIB, setup]
    for key, code in probes.items():
        assert "]==]" not in code, f"probe {key} must not contain ]==]"
        body.append(f"__probe({key!r}, [==[{code}]==])")
    body.append('return table.concat(__lines, "\\n")')
    script = "\n".join(body)
    if script in _LIVE_ANSWERS:
        result = twin.net.spawn().eval(script)  # the harness alone
        assert result.error is None, f"the probe Eval failed on the harness: {result.error}"
        return Answers(_parse(result.output), _LIVE_ANSWERS[script])
    proc, _ = twin.spawn(None)
    step = twin.eval(proc, script)
    assert step.harness.error is None, f"the probe Eval failed on the harness: {step.harness.error}"
    assert step.live.error is None, f"the probe Eval failed on live: {step.live.error}"
    _LIVE_ANSWERS[script] = _parse(step.live.output)
    return Answers(_parse(step.harness.output), _LIVE_ANSWERS[script])


#: Lua helpers for probe code (prefix the probe's code with them).
#: ``refused(f, ...)``: pcall's answer: false and the error without its position (live's and ours
#: are other files and lines), or true and what f returned (a table as its sorted entries).
LUA_REFUSED = (
    "local function refused(f, ...) local ok, e, e2 = pcall(f, ...)"
    " if not ok then return ok, (tostring(e):gsub('^%[string \"[^\"]*\"%]:%d+: ', '')) end"
    " local function show(v) if type(v) ~= 'table' then return tostring(v) end local o = {}"
    " for k, x in pairs(v) do o[#o + 1] = tostring(k) .. '=' .. (type(x) == 'function' and 'function' or tostring(x)) end"
    " table.sort(o) return table.concat(o, ',') end"
    " return ok, show(e) .. (e2 ~= nil and ' ' .. show(e2) or '') end "
)
#: ``all(...)``: every value, typed, in one answer (a probe answers with two values at most)
LUA_ALL = (
    "local function all(...) local out = {} for i = 1, select('#', ...) do local v = select(i, ...)"
    " out[i] = (type(v) == 'number' and math.type and math.type(v) or type(v)) .. ':' .. tostring(v) end"
    " return table.concat(out, ' ') end "
)
#: ``keys(t)``: the names and value types in a table, sorted
LUA_KEYS = (
    "local function keys(t) local out = {} for k, v in pairs(t) do out[#out + 1] = tostring(k) .. ':' .. type(v) end"
    " table.sort(out) return table.concat(out, ' ') end "
)


@dataclass(frozen=True)
class Probe:
    """One probe and what the comparison is expected to show today.

    ``pending``: the harness differs today and another branch is changing it to match live
    (strict xfail, so the merge that fixes it must flip it).  ``bug``: a harness difference found
    here that nobody is fixing yet (strict xfail too).  ``deviation``: a known, accepted
    difference; the test asserts both exact answers, so it says when the difference disappears.
    """

    key: str
    code: str
    pending: str | None = None
    bug: str | None = None
    deviation: tuple[str, str] | None = None


def params(probes: list[Probe]) -> list[object]:
    """The probes as ``pytest.param``s with their marks."""
    import pytest

    out = []
    for p in probes:
        marks = []
        if p.pending:
            marks.append(pytest.mark.xfail(strict=True, reason=f"pending: {p.pending}"))
        elif p.bug:
            marks.append(pytest.mark.xfail(strict=True, reason=f"harness bug: {p.bug}"))
        out.append(pytest.param(p, id=p.key, marks=marks))
    return out


_NUMBER = re.compile(r"\b(?:integer|float|number):([-+0-9.e]+|inf|-inf|nan|-nan)")


def _as_values(text: str | None) -> str | None:
    """Numbers compared by value only (``integer:3``, ``float:3`` and ``number:3`` alike)."""
    return None if text is None else _NUMBER.sub(lambda m: f"number:{float(m.group(1))!r}", text)


def check(answers: Answers, probe: Probe, *, integers: bool = True) -> None:
    """Assert the probe's expectation on the two answers.  With ``integers=False`` (a harness
    Lua without an integer subtype) numbers are compared by value."""
    harness, live = answers.harness.get(probe.key), answers.live.get(probe.key)
    if not integers:
        harness, live = _as_values(harness), _as_values(live)
    assert live is not None, f"live gave no answer for {probe.key}"
    if probe.deviation is not None:
        want_harness, want_live = probe.deviation
        if not integers:
            want_harness, want_live = _as_values(want_harness), _as_values(want_live)
        assert (harness, live) == (want_harness, want_live), (
            f"the known deviation of {probe.key} changed:\n  harness {harness}\n  live    {live}"
        )
        return
    assert harness == live, f"{probe.key}:\n  harness {harness}\n  live    {live}"


LUAS = ["5.3", "5.1", "5.2", "5.4", "5.5", "jit"]
NO_INTEGERS = {"5.1", "5.2", "jit"}


#: Luas that word a runtime error with the variable first
OLD_WORDING = {"5.1", "5.2", "jit"}
_VARIABLE = re.compile(r" \((?:local|field|global|upvalue|method) '[^']*'\)(?=\"?$)")
_OLD_WORDS = re.compile(
    r"attempt to ([a-z ]+?) (local|field|global|upvalue|method) '([^']*)' \(a (\w+) value\)"
)


def in_53_words(answer: str | None) -> str | None:
    """An error as Lua 5.1, 5.2 and LuaJIT word it, in Lua 5.3's words."""
    return None if answer is None else _OLD_WORDS.sub(r"attempt to \1 a \4 value (\2 '\3')", answer)


def answers_on(
    live_module: object,
    lua: str,
    probes: list[Probe],
    *,
    groups: Sequence[Sequence[Probe]] | None = None,
    budget: bool = True,
) -> Answers:
    """Every probe answered by the harness on Lua *lua* and by the live binary: one Eval a side, or
    one a group in *groups* (each in a fresh process on both sides; together they are *probes*),
    with the default instruction budget or none."""
    from harness import Network

    net = Network(lua=lua) if budget else Network(lua=lua, instruction_budget=None)
    pair = Twin(live_module, net)  # type: ignore[arg-type]
    harness: dict[str, str] = {}
    live: dict[str, str] = {}
    try:
        for group in groups or [probes]:
            found = run_probes(pair, list(group))
            harness.update(found.harness)
            live.update(found.live)
    finally:
        pair.close()
    return Answers(harness, live)


def check_on(lua: str, found: Answers, probe: Probe, *, worded: bool = False) -> None:
    """``check`` for an answer of the harness on Lua *lua*: numbers by value on a Lua without
    integers; with *worded* (a runtime error Lua itself words) 5.1/5.2/LuaJIT's words are
    rewritten in 5.3's first."""
    if worded and lua in OLD_WORDING:
        mine, theirs = in_53_words(found.harness.get(probe.key)), found.live.get(probe.key)
        if lua == "jit" and theirs is not None and _as_values(mine) == _as_values(_VARIABLE.sub("", theirs)):
            mine = theirs  # (LuaJIT names no variable in an arithmetic error on an indexed value)
        found = Answers({**found.harness, probe.key: mine}, found.live)
    check(found, probe, integers=lua not in NO_INTEGERS)


NotOn = Callable[[str, Probe], "str | None"]


def caught(expr: str) -> str:
    """Probe code: the error of *expr*, evaluated in a Lua function (not in a tail call, which
    would let a harness wrapper replace the function's frame), under pcall."""
    return f"local ok, e = pcall(function() local r = {expr} return r end) return e"


def probe_suite(
    probes: list[Probe],
    *,
    worded: frozenset[str] = frozenset(),
    not_on: NotOn | None = None,
    groups: Sequence[Sequence[Probe]] | None = None,
    budget: bool = True,
) -> tuple[Any, Any]:
    """A probe module's fixture and test: ``answers, test_x = probe_suite(ALL, ...)``.

    The fixture answers every probe once per Lua the harness runs (``answers_on``: an Eval a side,
    or one a group of *groups*; *budget* off for probes that hash more than a message may); the test compares
    one probe on one Lua.  *worded*: keys answered by a runtime error Lua words itself (see
    ``check_on``); *not_on(lua, probe)*: why a probe cannot compare on a Lua, or None.  Probe keys
    must be unique and *worded* must name probes that exist (checked at import).
    """
    import pytest

    keys = [p.key for p in probes]
    assert groups is None or [p.key for g in groups for p in g] == keys, "groups must be the probes, in order"
    assert len(keys) == len(set(keys)), (
        f"probe keys repeat: {sorted(k for k in set(keys) if keys.count(k) > 1)}"
    )
    assert worded <= set(keys), f"worded names no probe: {sorted(worded - set(keys))}"

    @pytest.fixture(scope="module", params=LUAS, ids=lambda v: f"lua{v}")
    def answers(live_module: object, request: pytest.FixtureRequest) -> tuple[str, Answers]:
        """The probe answers of the harness on each Lua, against the live binary's (run once)."""
        return request.param, answers_on(live_module, request.param, probes, groups=groups, budget=budget)

    @pytest.mark.parametrize("probe", params(probes))
    def test(answers: tuple[str, Answers], probe: Probe) -> None:
        lua, found = answers
        reason = not_on(lua, probe) if not_on is not None else None
        if reason is not None:
            pytest.skip(reason)
        check_on(lua, found, probe, worded=probe.key in worded)

    return answers, test


def probe_suite_53(probes: list[Probe]) -> tuple[Any, Any]:
    """``answers, test_x = probe_suite_53(PROBES)``: the probes answered once by the live module and
    by a fresh harness network on Lua 5.3 (live's Lua), and a test comparing one probe."""
    import pytest

    from harness import Network

    @pytest.fixture(scope="module")
    def answers(live_module: object) -> Answers:
        pair = Twin(live_module, Network(lua="5.3"))  # type: ignore[arg-type]
        try:
            return run_probes(pair, probes)
        finally:
            pair.close()

    @pytest.mark.parametrize("probe", params(probes))
    def test(answers: Answers, probe: Probe) -> None:
        check(answers, probe)

    return answers, test
