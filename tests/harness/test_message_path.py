"""The per-message path takes shortcuts only while the functions they stand in for are still the
originals: process code that replaces `type`, `utils.matchesSpec`, `ipairs` or `coroutine.create`
sees every call it saw before (harness/lua/aos/handlers.lua, process.lua, env/compat.lua)."""

from __future__ import annotations

import pytest

from harness import Network

LUAS = ["5.1", "5.2", "5.3", "5.4", "5.5", "jit"]

HANDLERS = """
Ran = {}
Handlers.add("a", "A", function() table.insert(Ran, "a") end)
Handlers.add("f", function(m) return m.Action == "F" end, function() table.insert(Ran, "f") end)
Handlers.add("t", { Action = "T" }, function() table.insert(Ran, "t") end)
"""


def _net(lua: str) -> Network:
    return Network(lua=lua)  # type: ignore[arg-type]


@pytest.mark.parametrize("lua", LUAS)
def test_a_replaced_type_sees_every_boolean_pattern_result(lua: str) -> None:
    p = _net(lua).spawn(source=HANDLERS)
    r = p.eval(
        """
        Seen = {}
        local original = type
        type = function(v)
          if v == true or v == false then table.insert(Seen, v) end
          return original(v)
        end
        """
    )
    assert r.error is None, r.error
    p.eval("Seen = {}")
    # _eval's pattern (false), "a" (true): the string pattern's result reaches `type` too
    assert p.send({"Action": "A"}).error is None
    assert p.globals["Seen"] == [False, True]
    p.eval("Seen = {}")
    # _eval, "a", "f" and "t" all false (the table pattern's own checks give no boolean to type)
    assert p.send({"Action": "Other"}).error is None
    assert p.globals["Seen"] == [False, False, False, False]
    assert p.globals["Ran"] == ["a"]


@pytest.mark.parametrize("lua", LUAS)
def test_a_replaced_matches_spec_is_called_for_every_pattern(lua: str) -> None:
    p = _net(lua).spawn(source=HANDLERS)
    r = p.eval(
        """
        Specs = {}
        local original = Utils.matchesSpec
        Utils.matchesSpec = function(msg, spec)
          table.insert(Specs, type(spec))
          return original(msg, spec)
        end
        """
    )
    assert r.error is None, r.error
    p.eval("Specs = {}")
    assert p.send({"Action": "T"}).error is None
    assert p.globals["Specs"] == ["function", "string", "function", "table"]
    assert p.globals["Ran"] == ["t"]


@pytest.mark.parametrize("lua", LUAS)
def test_matches_spec_replaced_by_a_handler_applies_to_the_rest_of_the_list(lua: str) -> None:
    p = _net(lua).spawn(
        source="""
        Ran = {}
        Handlers.add("swap", function() return "continue" end, function()
          table.insert(Ran, "swap")
          Utils.matchesSpec = function() return false end
        end)
        Handlers.add("a", "A", function() table.insert(Ran, "a") end)
        Handlers.add("f", function() return true end, function() table.insert(Ran, "f") end)
        """
    )
    before = len(p.globals["Inbox"])
    r = p.send({"Action": "A"})
    assert r.error is None, r.error
    # "a" and "f" would match; the replaced matcher refuses both, so _default takes the message
    assert p.globals["Ran"] == ["swap"]
    inbox = p.globals["Inbox"]
    assert len(inbox) == before + 1 and inbox[-1]["Action"] == "A"


@pytest.mark.parametrize("lua", LUAS)
def test_a_pattern_result_of_another_type_is_still_refused(lua: str) -> None:
    p = _net(lua).spawn(source='Handlers.add("bad", function() return {} end, function() end)')
    r = p.send({"Action": "X"})
    assert r.error is not None
    assert "Pattern result is not valid" in r.error and "handler bad returned table" in r.error


@pytest.mark.parametrize("lua", LUAS)
def test_ipairs_gives_the_native_iterator_and_a_zero_start(lua: str) -> None:
    p = _net(lua).spawn()
    r = p.eval(
        """
        local f1, t1, i1 = ipairs({})
        local f2 = ipairs({ 1, 2 })
        local f3 = ipairs(setmetatable({}, { __index = function(_, i) if i < 3 then return i end end }))
        local seen = {}
        for i, v in ipairs(setmetatable({}, { __index = function(_, i) if i < 3 then return i * 10 end end })) do
          seen[#seen + 1] = i .. "=" .. v
        end
        return tostring(f1 == f2) .. " " .. tostring(i1) .. " " .. type(t1) .. " " .. table.concat(seen, ",")
          .. " " .. tostring(f3 ~= nil)
        """
    )
    assert r.error is None, r.error
    assert r.output == "true 0 table 1=10,2=20 true"
    bad = p.eval("ipairs()")
    assert bad.error is not None and "bad argument #1 to 'ipairs' (value expected)" in bad.error


@pytest.mark.parametrize("lua", LUAS)
def test_a_replaced_coroutine_create_still_runs_handlers_under_the_budget(lua: str) -> None:
    net = Network(lua=lua, instruction_budget=300_000, timeout=5)  # type: ignore[arg-type]
    p = net.spawn(
        source="""
        Made = 0
        local create = coroutine.create
        coroutine.create = function(f) Made = Made + 1 return create(f) end
        Handlers.add("spin", "Spin", function() while true do end end)
        Handlers.add("ok", "Ok", function() end)
        """
    )
    assert p.send({"Action": "Ok"}).error is None
    made = p.globals["Made"]
    assert made >= 1  # process.handle made its coroutine through the replacement
    r = p.send({"Action": "Spin"})
    assert r.error is not None and "instruction budget exceeded" in r.error


@pytest.mark.parametrize("lua", LUAS)
def test_a_replaced_type_sees_every_tag_name_while_names_are_normalised(lua: str) -> None:
    p = _net(lua).spawn()
    r = p.eval(
        """
        Names = 0
        local original = type
        type = function(v)
          if v == "Zeta-Tag" then Names = Names + 1 end
          return original(v)
        end
        """
    )
    assert r.error is None, r.error
    for _ in range(2):
        assert p.send({"Action": "X", "Zeta-Tag": "1"}).error is None
    # once per message: the name is asked about again although its Title-Case form is known
    assert p.globals["Names"] == 2


@pytest.mark.parametrize("lua", LUAS)
def test_the_anchor_is_the_reference_zero_padded_to_32_digits(lua: str) -> None:
    p = _net(lua).spawn(source='Handlers.add("s", "S", function(m) Send({ Target = m.From, Data = "x" }) end)')
    p.eval("ao.reference = 41")
    assert p.send({"Action": "S"}).messages[0].anchor == "0" * 30 + "42"
    p.eval("ao.reference = 2^40")  # a float on 5.3+ (string.format turns it into digits)
    assert p.send({"Action": "S"}).messages[0].anchor == f"{2**40 + 1:032d}"
    p.eval("ao.reference = 1234567890123")
    assert p.send({"Action": "S"}).messages[0].anchor == f"{1234567890124:032d}"


@pytest.mark.parametrize("lua", LUAS)
def test_a_replaced_string_format_makes_the_anchor(lua: str) -> None:
    p = _net(lua).spawn(source='Handlers.add("s", "S", function(m) Send({ Target = m.From, Data = "x" }) end)')
    r = p.eval(
        """
        local original = string.format
        string.format = function(f, ...)
          if f == "%032d" then return "anchor-" .. tostring((...)) end
          return original(f, ...)
        end
        ao.reference = 6
        """
    )
    assert r.error is None, r.error
    assert p.send({"Action": "S"}).messages[0].anchor == "anchor-7"


VIRTUAL = """
Ran = {}
local function virtualAt(t, i)
  if i == rawlen(t) + 1 then
    return { name = "virtual", pattern = "V", handle = function() table.insert(Ran, "virtual") end }
  end
end
"""


@pytest.mark.parametrize("lua", LUAS)
def test_a_handler_list_with_an_index_metamethod_is_walked_through_it(lua: str) -> None:
    p = _net(lua).spawn(source=VIRTUAL + "setmetatable(Handlers.list, { __index = virtualAt })")
    assert p.send({"Action": "V"}).error is None
    assert p.globals["Ran"] == ["virtual"]


@pytest.mark.parametrize("lua", LUAS)
def test_an_index_metamethod_set_during_the_walk_counts_as_ipairs_counts_it(lua: str) -> None:
    p = _net(lua).spawn(
        source=VIRTUAL
        + """
        Handlers.add("meta", function() return "continue" end, function()
          table.insert(Ran, "meta")
          setmetatable(Handlers.list, { __index = virtualAt })
        end)
        """
    )
    assert p.send({"Action": "V"}).error is None
    # 5.3+'s ipairs reads each index as indexing does; 5.1, 5.2 and LuaJIT's read it raw
    expected = ["meta", "virtual"] if lua in ("5.3", "5.4", "5.5") else ["meta"]
    assert p.globals["Ran"] == expected


@pytest.mark.parametrize("lua", LUAS)
def test_a_replaced_assert_sees_the_checks_of_evaluate(lua: str) -> None:
    p = _net(lua).spawn()
    r = p.eval(
        """
        Checks = {}
        local original = assert
        assert = function(v, m, ...)
          if m == "msg is not valid" or m == "env is not valid" then table.insert(Checks, m) end
          return original(v, m, ...)
        end
        """
    )
    assert r.error is None, r.error
    p.eval("Checks = {}")
    assert p.send({"Action": "X"}).error is None
    assert p.globals["Checks"] == ["msg is not valid", "env is not valid"]


@pytest.mark.parametrize("lua", LUAS)
def test_outbox_lists_are_read_as_ipairs_walks_them(lua: str) -> None:
    # a list with a hole (`#` may say 3), a Tags list with one, a list behind `__index`: the
    # result holds what ipairs walks, each count right (they were taken from `#`, and a count the
    # walk did not match shifted every later value)
    p = _net(lua).spawn(source="", name="lists")
    r = p.eval(
        """
        local a = { Target = "A", Data = "1", Tags = { { name = "K", value = "v" }, nil, { name = "L", value = "w" } } }
        ao.outbox.Messages = { a, nil, { Target = "C", Data = "3" } }
        ao.outbox.Spawns = setmetatable({}, { __index = function(_, i) if i == 1 then return { Data = "s" } end end })
        ao.outbox.Assignments = { { Processes = { "p1", nil, "p3" }, Message = ao.id } }
        """
    )
    assert r.error is None, r.error
    assert [(m.target, m.data, m.tag_list) for m in r.messages] == [("A", "1", (("K", "v"),))]
    if lua not in ("5.1", "5.2", "jit"):  # (older ipairs reads raw: no __index)
        assert [s.data for s in r.spawns] == ["s"]
    assert r.assignments == [(["p1"], p.id)]
