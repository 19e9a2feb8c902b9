"""The harness's private bridge stays out of process code's reach."""

from __future__ import annotations

import pytest

from harness import Network
from tests.harness.lualib_helpers import VERSION_PARAMS

pytestmark = pytest.mark.parametrize("version", VERSION_PARAMS)


def test_the_registry_proxy_does_not_lead_to_the_budget_hook(version: str) -> None:
    """The registry's proxy keeps the raw registry in its metamethods' upvalues: hidden, so the
    hook table (and with it the instruction budget) cannot be removed through it."""
    p = Network(lua=version, instruction_budget=200_000, timeout=5).spawn(source="")
    r = p.eval(
        """
        local mt = debug.getmetatable(debug.getregistry())
        local reached = 0
        for _, f in pairs(mt) do
          if type(f) == "function" then
            for i = 1, 20 do
              local _, up = debug.getupvalue(f, i)
              if type(up) == "function" then
                for j = 1, 20 do
                  local _, reg = debug.getupvalue(up, j)
                  if type(reg) == "table" and rawget(reg, "_LOADED") then
                    reached = reached + 1
                    for _, v in next, reg do
                      if type(v) == "table" then
                        for k in next, v do
                          if type(k) == "thread" or type(k) == "userdata" then rawset(v, k, nil) end
                        end
                      end
                    end
                  end
                end
              end
            end
          end
        end
        local n = 0
        for i = 1, 1e8 do n = n + 1 end
        return "escaped the budget after reaching the raw registry " .. reached .. " times"
        """
    )
    assert r.error is not None, r.output
    assert "instruction budget exceeded" in r.error
