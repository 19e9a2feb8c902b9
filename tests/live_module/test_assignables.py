"""The `.assignment` module (`ao.addAssignable`, `ao.removeAssignable`, `ao.isAssignable`,
`ao.isAssignment`) on the harness and on the live aos module: the same calls, the same answers."""

from __future__ import annotations

from tests.harness.test_assignment import PROBE
from tests.live_module.twin import Twin, assert_same

# every call's outcome as text, error positions cut (the two sides number their lines apart)
ASSIGNABLES = PROBE.replace(
    'try(ao.removeAssignable, "missing")\n',
    # also a float index, whose error text differs between the Luas the harness test runs on
    'try(ao.removeAssignable, "missing")\ntry(ao.removeAssignable, 1.5)\n',
)
assert ASSIGNABLES != PROBE


def test_assignables_api(twin: Twin) -> None:
    proc, _ = twin.spawn(None)
    step = twin.eval(proc, ASSIGNABLES)
    assert step.live.error is None, step.live.error
    assert "index MUST be a number" in (step.live.output or ""), "the probe reached the checks"
    assert_same(step)
