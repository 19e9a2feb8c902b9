"""`.assignment` (harness/lua/aos/assignment.lua): the assignables API on every Lua."""

from __future__ import annotations

import pytest

from harness import Network
from tests.harness.lualib_helpers import VERSION_PARAMS


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

