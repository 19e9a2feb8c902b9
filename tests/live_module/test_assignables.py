"""The `.assignment` module (`ao.addAssignable`, `ao.removeAssignable`, `ao.isAssignable`,
`ao.isAssignment`) on the harness and on the live aos module: the same calls, the same answers."""

from __future__ import annotations

from tests.live_module.twin import Twin, assert_same

# every call's outcome as text, error positions cut (the two sides number their lines apart)
ASSIGNABLES = r"""
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
try(ao.removeAssignable, 1.5)
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


def test_assignables_api(twin: Twin) -> None:
    proc, _ = twin.spawn(None)
    step = twin.eval(proc, ASSIGNABLES)
    assert step.live.error is None, step.live.error
    assert "index MUST be a number" in (step.live.output or ""), "the probe reached the checks"
    assert_same(step)
