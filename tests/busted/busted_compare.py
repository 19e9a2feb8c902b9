"""Run a spec project under real busted and under pytest; per-test outcomes by busted's full name."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

HANDLER = Path(__file__).parent / "busted_outcomes.lua"
#: only the busted plugin (plugin autoload is off in ``copy_project``): the runs stay cheap
BUSTED_ONLY = ["-p", "no:cacheprovider", "-p", "harness.busted.plugin"]
STATUS = {"success": "passed", "failure": "failed", "error": "failed", "pending": "skipped"}
_LOCATION = re.compile(r"^(\S+?\.lua|\[[^\]]*\]):\d+: ")


@dataclass(frozen=True)
class Outcome:
    name: str  #: busted's full name (describe names and the it name, space-separated)
    status: str  #: passed / failed / skipped
    first_line: str  #: the first line of the failure text ("" when the test passed)
    file: str = ""  #: the spec file, relative to the project


def copy_project(source: Path, pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A pytester directory holding a copy of the spec project *source*, with plugin autoload off."""
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    shutil.copytree(source, pytester.path, dirs_exist_ok=True)
    pytester.makeini("[pytest]\n")
    return pytester.path


def busted_or_skip() -> str:
    busted = shutil.which("busted")
    if busted is None:
        pytest.skip("real busted is not installed (apt-get install lua-busted): nothing to compare with")
    return busted


def run_busted(project: Path, *args: str) -> tuple[list[Outcome], list[str]]:
    """busted's per-test outcomes (in run order) and its errors outside tests."""
    proc = subprocess.run(
        [busted_or_skip(), "-o", str(HANDLER), *args],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
    )
    tests: list[Outcome] = []
    outside: list[str] = []
    for line in proc.stdout.splitlines():
        parts = line.split("\t")
        if parts[0] == "test" and len(parts) == 5:
            status = STATUS[parts[1]]
            tests.append(Outcome(parts[2], status, parts[3] if status == "failed" else "", parts[4]))
        elif parts[0] == "error" and len(parts) == 4:
            outside.append(parts[2])
    assert tests or outside, f"busted reported nothing:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"
    return tests, outside


def run_pytest(pytester: pytest.Pytester, *args: str) -> tuple[list[Outcome], list[str]]:
    """Our per-test outcomes (in run order) and errors reported outside the tests' call phase."""
    reprec = pytester.inline_run(*args)
    tests: dict[str, Outcome] = {}
    order: list[str] = []
    outside: list[str] = []
    for rep in reprec.getreports("pytest_runtest_logreport"):
        props = dict(rep.user_properties)
        name = props.get("busted_name")
        if name is None:
            continue
        if rep.when == "teardown":
            if rep.failed:
                outside.append(name)
            continue
        if rep.when == "setup" and not rep.skipped and not rep.failed:
            continue
        if rep.nodeid not in tests:
            order.append(rep.nodeid)
        first = ""
        if rep.failed:  # the Lua message's first line (the report may put a title above it)
            first = props.get("busted_message") or (rep.longreprtext.splitlines() or [""])[0]
        tests[rep.nodeid] = Outcome(str(name), rep.outcome, first, rep.nodeid.split("::")[0])
    return [tests[n] for n in order], outside


def strip_location(line: str) -> str:
    return _LOCATION.sub("", line, count=1)


def statuses(outcomes: list[Outcome]) -> Counter[tuple[str, str]]:
    return Counter((o.name, o.status) for o in outcomes)


def differences(theirs: list[Outcome], ours: list[Outcome]) -> list[str]:
    """Readable lines for every (name, status) that differs in count."""
    a, b = statuses(theirs), statuses(ours)
    out = []
    for key in sorted(set(a) | set(b)):
        if a[key] != b[key]:
            out.append(f"{key[0]!r} {key[1]}: busted {a[key]}, pytest {b[key]}")
    return out
