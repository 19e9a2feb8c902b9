"""luassert's argument conventions: every assertion, passing and failing, with and without a message,
gives the same outcome and the same first line of failure text under pytest as under real busted."""

from __future__ import annotations

from pathlib import Path

import pytest
from busted_compare import BUSTED_ONLY, busted_or_skip, copy_project, run_busted, run_pytest, strip_location

HERE = Path(__file__).parent
ASSERTIONS = HERE / "assertions"
ARGS = BUSTED_ONLY


@pytest.fixture
def project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> Path:
    return copy_project(ASSERTIONS, pytester, monkeypatch)


def test_every_assertion_matches_busted(pytester: pytest.Pytester, project: Path) -> None:
    busted_or_skip()
    theirs, _ = run_busted(project)
    ours, _ = run_pytest(pytester, *ARGS)
    assert len(theirs) == len(ours) > 200
    problems = []
    for t, o in zip(theirs, ours, strict=True):
        assert t.name == o.name, "tests ran in a different order"
        if t.status != o.status:
            problems.append(f"{t.name}: busted {t.status} {t.first_line!r}, pytest {o.status} {o.first_line!r}")
            continue
        if "/luassert/" in t.first_line:  # busted blames luassert's own file for its argument checks
            same = strip_location(t.first_line) == strip_location(o.first_line)
        else:
            same = t.first_line == o.first_line
        if not same:
            problems.append(f"{t.name}: busted {t.first_line!r}\n{' ' * len(t.name)}  pytest {o.first_line!r}")
    assert not problems, "\n".join(problems)
