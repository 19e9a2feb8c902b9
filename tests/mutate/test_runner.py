"""The mutation run end to end on a tiny project: the planted survivor is found, the working tree
is never modified (also when interrupted), reports, ``--since``, pragmas, ``--fail-under``, errors."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.mutate.conftest import PROCESS, WORKTREE, cli, make_project, tree_digest

PLANTED = PROCESS.splitlines().index("  if q > CAP then -- planted: no test sends more than the cap") + 1


def test_planted_survivor_is_found_and_reported_everywhere(project: Path, tmp_path: Path) -> None:
    before = tree_digest(project)
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    r = cli(project, "--json", "out/report.json", "--html", "out/html", tmp=tmp)
    assert r.returncode == 0, r.stderr
    report = json.loads((project / "out" / "report.json").read_text())
    survivors = [e for e in report["results"] if e["status"] in ("survived", "uncovered")]
    planted = [e for e in survivors if e["line"] == PLANTED]
    assert {e["operator"] for e in planted} == {"guard", "relational"}
    guard = next(e for e in planted if e["operator"] == "guard")
    assert guard["diff"].splitlines()[0] == f"ao/counter/src/process.lua:{PLANTED}:6: guard: q > CAP -> false"
    assert "+  if false then" in guard["diff"]
    # what the tests do exercise is killed, by the test that exercises it
    quantity_guard = next(
        e for e in report["results"] if e["operator"] == "guard" and e["line"] == PLANTED - 4
    )
    assert quantity_guard["status"] == "killed"
    assert quantity_guard["killed_by"] == "tests/test_counter.py::test_missing_quantity"
    # terminal, json and html agree on the score
    detected = sum(e["status"] in ("killed", "timeout") for e in report["results"])
    assert report["score"] == round(100 * detected / len(report["results"]), 2)
    assert f"mutation score {report['score']:.1f}%" in r.stdout
    assert f"ao/counter/src/process.lua:{PLANTED}:6: guard" in r.stdout
    page = (project / "out" / "html" / "index.html").read_text()
    assert f"ao/counter/src/process.lua:{PLANTED}:6: guard: q &gt; CAP -&gt; false" in page
    # nothing inside the string on the last reply line was mutated
    assert not [
        e for e in report["results"] if "a + inside" in e["original"] and e["operator"] == "arithmetic"
    ]
    # the tree: only the reports were added; temp copies are gone
    after = tree_digest(project)
    assert {k: v for k, v in after.items() if not k.startswith("out/")} == before
    assert list(tmp.iterdir()) == []


def test_fail_under(project: Path) -> None:
    r = cli(project, "--fail-under", "100", "-q")
    assert r.returncode == 1
    assert r.stderr.strip().startswith("FAIL mutation score ")
    assert cli(project, "--fail-under", "10", "-q").returncode == 0


def test_pragma_skips_the_marked_mutant_with_its_reason(project: Path) -> None:
    src = project / "ao" / "counter" / "src" / "process.lua"
    src.write_text(src.read_text().replace(
        "  if q > CAP then -- planted: no test sends more than the cap",
        "  -- ao-mutate: skip(relational) the cap is tested elsewhere\n  if q > CAP then",
    ))  # fmt: skip
    listed = cli(project, "--list")
    assert listed.returncode == 0, listed.stderr
    line = PLANTED + 1
    assert f"ao/counter/src/process.lua:{line}:8: relational: > -> >=\n" not in listed.stdout
    assert (
        f"ao/counter/src/process.lua:{line}:8: relational: > -> >= [skipped: the cap is tested elsewhere]\n"
        in (listed.stdout)
    )
    # only the named operator is skipped: the guard mutant of that line is still there
    assert f"ao/counter/src/process.lua:{line}:6: guard: q > CAP -> false\n" in listed.stdout


def test_pragma_without_reason_is_a_one_line_error(project: Path) -> None:
    src = project / "ao" / "counter" / "src" / "process.lua"
    src.write_text(src.read_text().replace("local CAP = 100", "local CAP = 100 -- ao-mutate: skip"))
    r = cli(project, "--list")
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1
    assert r.stderr.startswith(
        "ao-harness mutate: ao/counter/src/process.lua:3: the ao-mutate pragma needs a reason"
    )


def test_since_keeps_only_changed_lines(project: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(project), *args], check=True, capture_output=True)

    git("init", "-q")
    git("-c", "user.email=t@t", "-c", "user.name=t", "commit", "-q", "--allow-empty", "-m", "empty")
    git("add", ".")
    git("-c", "user.email=t@t", "-c", "user.name=t", "commit", "-q", "-m", "base")
    src = project / "ao" / "counter" / "src" / "process.lua"
    src.write_text(src.read_text().replace("Count = Count + q", "Count = Count + q * 1"))
    r = cli(project, "--list", "--since", "HEAD")
    assert r.returncode == 0, r.stderr
    lines = {ln.split(":")[1] for ln in r.stdout.splitlines()}
    changed = str(PROCESS.splitlines().index("  Count = Count + q") + 1)
    assert lines == {changed}
    # a file that did not exist at the revision counts as changed everywhere
    everything = cli(project, "--list", "--since", "HEAD~1")
    assert len(everything.stdout.splitlines()) > len(r.stdout.splitlines())
    bad = cli(project, "--list", "--since", "no-such-rev")
    assert bad.returncode == 2
    assert bad.stderr == f"ao-harness mutate: --since 'no-such-rev': not a git revision in {project}\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nowhere.lua"], "nowhere.lua: no such file or directory under "),
        (["--fail-under", "120"], "--fail-under 120: give a percentage from 0 to 100"),
        (["--workers", "0"], "--workers 0: give at least 1"),
        (["--timeout", "-1"], "--timeout -1: give a positive number of seconds"),
        (["pyproject.toml"], "pyproject.toml: not a .lua file"),
    ],
)
def test_cli_errors_are_one_line(project: Path, args: list[str], message: str) -> None:
    r = cli(project, *args)
    assert r.returncode == 2
    assert r.stderr.startswith(f"ao-harness mutate: {message}")
    assert r.stderr.count("\n") == 1
    assert "Traceback" not in r.stderr


def test_failing_baseline_is_refused_in_one_line(project: Path) -> None:
    test = project / "tests" / "test_counter.py"
    test.write_text(test.read_text().replace('.reply.data == "5"', '.reply.data == "6"'))
    r = cli(project, "-q")
    assert r.returncode == 2
    assert r.stderr == (
        "ao-harness mutate: 1 test(s) fail without any mutant (first: tests/test_counter.py::test_add); "
        "fix them before mutating\n"
    )


def test_syntax_error_in_lua_is_one_line(project: Path) -> None:
    (project / "ao" / "counter" / "src" / "broken.lua").write_text('local s = "open\n')
    r = cli(project, "--list")
    assert r.returncode == 2
    assert r.stderr == "ao-harness mutate: ao/counter/src/broken.lua: line 1, column 11: unfinished string\n"


def test_interrupt_leaves_the_tree_unchanged_and_no_temp_copy(tmp_path: Path) -> None:
    project = make_project(tmp_path / "slow", slow=True)
    before = tree_digest(project)
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = dict(os.environ, PYTHONPATH=str(WORKTREE), TMPDIR=str(tmp))
    proc = subprocess.Popen(
        [sys.executable, "-m", "harness.cli", "mutate", "--root", str(project), "--timeout", "60"],
        cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        # a run started in the background (`cmd &`) ignores SIGINT, and children inherit that
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    # wait until mutants are running (a worker copy holds a mutated file), then interrupt
    deadline = time.monotonic() + 120
    seen_mutated = False
    while time.monotonic() < deadline and not seen_mutated:
        for copy in tmp.glob("ao-mutate-*/w*/ao/counter/src/process.lua"):
            with contextlib.suppress(OSError):
                seen_mutated = seen_mutated or copy.read_text() != PROCESS
        time.sleep(0.05)
    assert seen_mutated, "no mutant ran within two minutes"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert err == "ao-harness mutate: interrupted; the working tree is unchanged\n"
    assert tree_digest(project) == before
    assert list(tmp.iterdir()) == []
