"""`.assignment` (harness/lua/aos/assignment.lua): the assignables API on every Lua.

The expected text was read from the live aos 2.0.6 module (the same probe, one line per call);
tests/live_module/test_assignment.py compares the two sides directly on Lua 5.3.
"""

from __future__ import annotations

import pytest

from harness import Network
from tests.harness.lualib_helpers import VERSION_PARAMS

PROBE = r"""
local r = {}
local function try(f, ...)
  local ok, e = pcall(f, ...)
  r[#r + 1] = tostring(ok) .. ":" .. (string.gsub(tostring(e), "^.-:%d+: ", ""))
end
r[#r + 1] = type(package.loaded[".assignment"]) .. " " .. tostring(require(".assignment")._version)
try(ao.removeAssignable, true)
try(ao.removeAssignable, nil)
try(ao.addAssignable, nil, { Action = "X" })
try(ao.addAssignable, { Action = "A" })
try(ao.addAssignable, "n", { Action = "B" })
local entry = ao.assignables[2]
try(ao.addAssignable, "n", { Action = "C" })
r[#r + 1] = "same entry " .. tostring(entry == ao.assignables[2]) .. " " .. tostring(entry.pattern.Action)
try(ao.removeAssignable, 0)
try(ao.removeAssignable, -1)
try(ao.removeAssignable, 3)
try(ao.removeAssignable, 9)
try(ao.removeAssignable, "missing")
r[#r + 1] = #ao.assignables .. " " .. tostring(ao.assignables[1].name)
try(ao.addAssignable, 7)
try(ao.addAssignable, "m", nil)
r[#r + 1] = #ao.assignables .. " " .. type(ao.assignables[4].pattern)
r[#r + 1] = tostring(ao.isAssignable({ Action = "Z", Tags = {} }))
r[#r + 1] = tostring(ao.isAssignable({ Action = "A", Tags = {} }))
r[#r + 1] = tostring(ao.isAssignment({ Target = ao.id })) .. " " .. tostring(ao.isAssignment({ Target = "other" }))
try(ao.removeAssignable, "n")
try(ao.removeAssignable, 1)
r[#r + 1] = #ao.assignables .. " " .. tostring(ao.assignables[1] and ao.assignables[1].name)
return table.concat(r, "\n")
"""

LIVE = """\
table 0.1.0
false:index MUST be a number
false:index MUST be a number
false:MatchSpec name MUST be a string
true:nil
true:nil
true:nil
same entry true C
true:nil
true:nil
true:nil
true:nil
true:nil
2 nil
true:nil
true:nil
4 nil
false
true
false true
true:nil
true:nil
2 nil"""


@pytest.mark.parametrize("version", VERSION_PARAMS)
def test_assignables_api_answers_as_live(version: str) -> None:
    p = Network(lua=version).spawn(source="")
    r = p.eval(PROBE)
    assert r.error is None, r.error
    assert r.output == LIVE


@pytest.mark.parametrize("version", VERSION_PARAMS)
def test_assignment_is_its_own_module_and_ao_has_its_checks(version: str) -> None:
    """`.assignment` is loaded at boot (as on live) and `ao` carries the four functions it adds;
    ao.lua itself defines none of them."""
    p = Network(lua=version).spawn(source="")
    r = p.eval(
        "local A = require('.assignment')\n"
        "local t = {}\n"
        "for _, n in ipairs({ 'addAssignable', 'removeAssignable', 'isAssignable', 'isAssignment' }) do\n"
        "  t[#t + 1] = n .. '=' .. type(ao[n])\n"
        "end\n"
        "return type(A.init) .. ' ' .. table.concat(t, ' ') .. ' ' .. type(ao.assignables)"
    )
    assert r.error is None, r.error
    assert r.output == (
        "function addAssignable=function removeAssignable=function isAssignable=function "
        "isAssignment=function table"
    )

