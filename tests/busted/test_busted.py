"""The busted collector: spec files in project/ and extra/ run through pytester (and real busted)."""

from __future__ import annotations

import importlib.metadata
import re
import shutil
import subprocess
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

HERE = Path(__file__).parent
PROJECT = HERE / "project"
EXTRA = HERE / "extra"

#: what the project's spec files give (checked against real busted in test_same_counts_as_busted)
PROJECT_COUNTS = {"passed": 49, "failed": 5, "skipped": 3, "errors": 1}


def _installed() -> bool:
    return any(
        ep.value == "harness.busted.plugin" for ep in importlib.metadata.entry_points(group="pytest11")
    )


@pytest.fixture
def args() -> list[str]:
    base = ["-p", "no:randomly", "-p", "no:cacheprovider"]
    return base if _installed() else [*base, "-p", "harness.plugin", "-p", "harness.busted.plugin"]


@pytest.fixture
def project(pytester: pytest.Pytester) -> Path:
    shutil.copytree(PROJECT, pytester.path, dirs_exist_ok=True)
    pytester.makeini("[pytest]\n")
    return pytester.path


@pytest.fixture
def extra(pytester: pytest.Pytester) -> Path:
    shutil.copytree(EXTRA, pytester.path, dirs_exist_ok=True)
    pytester.makeini("[pytest]\n")
    return pytester.path


def test_project_outcomes(pytester: pytest.Pytester, project: Path, args: list[str]) -> None:
    result = pytester.runpytest(*args)
    result.assert_outcomes(**PROJECT_COUNTS)
    result.stdout.fnmatch_lines(
        [
            "*FAILED spec/failing_spec.lua::failing::same with a diff*",
            "*FAILED spec/failing_spec.lua::failing::a Lua error*",
            "*ERROR spec/failing_spec.lua::failing::after_each fails::passes but its after_each fails*",
        ]
    )


def test_node_ids_carry_describe_path(pytester: pytest.Pytester, project: Path, args: list[str]) -> None:
    result = pytester.runpytest(*args, "--collect-only", "-q")
    out = result.stdout.str()
    assert "spec/dsl_spec.lua::dsl::context is describe::spec is it" in out
    assert "spec/dsl_spec.lua::dsl::duplicate name (2)" in out
    assert "spec/hooks_spec.lua::hooks::nested::second" in out
    assert "spec/dsl_spec.lua::dsl::a pending block" in out
    assert "57 tests collected" in out


def test_pending_is_skipped_with_reason(pytester: pytest.Pytester, project: Path, args: list[str]) -> None:
    result = pytester.runpytest(*args, "-rs", "spec/dsl_spec.lua")
    result.stdout.fnmatch_lines(
        ["*SKIPPED [[]1[]] spec/dsl_spec.lua:21: pending", "*SKIPPED [[]1[]] spec/dsl_spec.lua:23: not yet"]
    )
    result.assert_outcomes(passed=14, skipped=3)


def test_keyword_selection_runs_only_selected(
    pytester: pytest.Pytester, project: Path, args: list[str]
) -> None:
    result = pytester.runpytest(*args, "-k", "finally", "-v")
    result.assert_outcomes(passed=2)
    # node-id selection of one describe block
    result = pytester.runpytest(*args, "spec/hooks_spec.lua::insulate", "spec/hooks_spec.lua::after insulate")
    result.assert_outcomes(passed=2)


def test_tags_are_markers(pytester: pytest.Pytester, project: Path, args: list[str]) -> None:
    # only unknown-mark warnings are errors: other plugins in the environment may warn (pytest-benchmark
    # warns under xdist)
    result = pytester.runpytest(*args, "-m", "slow", "--strict-markers", "-W", "error::pytest.PytestUnknownMarkWarning")
    result.assert_outcomes(passed=2)
    result = pytester.runpytest(*args, "-m", "net and slow", "--strict-markers")
    result.assert_outcomes(passed=1)
    result = pytester.runpytest(*args, "-m", "not slow", "spec/tags_spec.lua")
    result.assert_outcomes(passed=1)


def test_exitfirst(pytester: pytest.Pytester, project: Path, args: list[str]) -> None:
    result = pytester.runpytest(*args, "-x", "spec/failing_spec.lua")
    result.assert_outcomes(failed=1)


def test_failure_report(pytester: pytest.Pytester, project: Path, args: list[str]) -> None:
    result = pytester.runpytest(*args, "spec/failing_spec.lua")
    result.stdout.fnmatch_lines(
        [
            "*spec/failing_spec.lua:4: Expected objects to be the same.*",
            "Diff (- expected, + actual):",
            '-  name = "alice",',
            '+  name = "bob",',
            "Lua traceback:",
            "*spec/failing_spec.lua:4: in function*",
            '*> assert.same({ name = "alice"*',
        ]
    )
    result.stdout.fnmatch_lines(["*spec/failing_spec.lua:8: attempt to index a nil value*"])
    result.stdout.fnmatch_lines(["*after_each failed:*", "*spec/failing_spec.lua:12: after_each broke*"])


def test_junitxml(pytester: pytest.Pytester, project: Path, args: list[str]) -> None:
    xml = pytester.path / "out.xml"
    pytester.runpytest(*args, f"--junitxml={xml}")
    suite = ET.parse(xml).getroot().find("testsuite")
    assert suite is not None
    # 57 tests; pytest < 9.1 adds a separate testcase entry for the after_each error at teardown,
    # later versions report it on the test's own entry
    assert int(suite.get("tests", "0")) in (57, 58)
    names = {case.get("name") for case in suite.iter("testcase")}
    assert len(names) == 57
    assert int(suite.get("failures", "0")) == 5
    assert int(suite.get("skipped", "0")) == 3
    assert int(suite.get("errors", "0")) == 1


def test_xdist_same_outcomes(pytester: pytest.Pytester, project: Path, args: list[str]) -> None:
    pytest.importorskip("xdist", reason="pytest-xdist is not installed")
    result = pytester.runpytest_subprocess(*args, "-n", "2")
    result.assert_outcomes(**PROJECT_COUNTS)


@pytest.mark.parametrize("lua", ["5.1", "5.2", "5.4", "jit"])
def test_other_lua_versions(pytester: pytest.Pytester, project: Path, args: list[str], lua: str) -> None:
    result = pytester.runpytest(*args, f"--lua={lua}")
    result.assert_outcomes(**PROJECT_COUNTS)


def test_json_modules_spec_folder_stubs_and_ao_network(
    pytester: pytest.Pytester, extra: Path, args: list[str]
) -> None:
    result = pytester.runpytest(*args, "-v")
    result.assert_outcomes(passed=9)


def test_files_are_insulated(pytester: pytest.Pytester, extra: Path, args: list[str]) -> None:
    result = pytester.runpytest(*args, "spec/global_a_spec.lua", "spec/global_b_spec.lua")
    result.assert_outcomes(passed=2)


def test_syntax_error_is_collection_error(pytester: pytest.Pytester, args: list[str]) -> None:
    pytester.makeini("[pytest]\n")
    pytester.path.joinpath("bad_spec.lua").write_text(
        'describe("x", function()\n  it("y" function() end)\nend)\n'
    )
    result = pytester.runpytest(*args)
    result.stdout.fnmatch_lines(["*busted spec bad_spec.lua does not compile*", "*bad_spec.lua:2:*"])
    assert result.ret == pytest.ExitCode.INTERRUPTED


def test_describe_body_error_is_one_failure(pytester: pytest.Pytester, args: list[str]) -> None:
    # like busted: the failing describe is one error, its siblings still run
    pytester.makeini("[pytest]\n")
    pytester.path.joinpath("boom_spec.lua").write_text(
        'describe("outer", function()\n  local x = nil\n  x.y = 1\n  it("t", function() end)\nend)\n'
        'describe("next", function()\n  it("runs", function() end)\nend)\n'
    )
    result = pytester.runpytest(*args)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        ["*the describe body failed (busted: an error):*", "*boom_spec.lua:3: attempt to index a nil value*"]
    )
    result.stdout.fnmatch_lines(["FAILED boom_spec.lua::outer*"])


def test_file_error_names_file_and_line(pytester: pytest.Pytester, args: list[str]) -> None:
    pytester.makeini("[pytest]\n")
    pytester.path.joinpath("boom_spec.lua").write_text('local x = nil\nx.y = 1\nit("t", function() end)\n')
    result = pytester.runpytest(*args)
    result.stdout.fnmatch_lines(["*busted spec boom_spec.lua failed to load*", "*boom_spec.lua:2:*"])


def test_pattern_option_and_busted_config(pytester: pytest.Pytester, args: list[str]) -> None:
    pytester.makeini("[pytest]\n")
    pytester.path.joinpath("one_test.lua").write_text('it("a", function() end)\n')
    pytester.path.joinpath("two_spec.lua").write_text('it("b", function() end)\n')
    result = pytester.runpytest(*args, "--busted-pattern=_test")
    result.assert_outcomes(passed=1)
    result = pytester.runpytest(*args)
    result.assert_outcomes(passed=1)
    # .busted: pattern and ROOT
    pytester.path.joinpath("sub").mkdir()
    pytester.path.joinpath("sub", "three_test.lua").write_text(
        'it("c", function() end)\nit("d", function() end)\n'
    )
    pytester.path.joinpath(".busted").write_text(
        'return { default = { ROOT = { "sub" }, pattern = "_test" } }\n'
    )
    result = pytester.runpytest(*args)
    result.assert_outcomes(passed=2)


def test_hook_failures(pytester: pytest.Pytester, args: list[str]) -> None:
    pytester.makeini("[pytest]\n")
    pytester.path.joinpath("hooks_spec.lua").write_text(
        "describe('b', function()\n"
        "  before_each(function() error('before broke') end)\n"
        "  it('x', function() end)\n"
        "end)\n"
        "describe('s', function()\n"
        "  setup(function() error('setup broke') end)\n"
        "  it('y', function() end)\n"
        "end)\n"
        "describe('t', function()\n"
        "  teardown(function() error('teardown broke') end)\n"
        "  it('z', function() end)\n"
        "end)\n"
    )
    result = pytester.runpytest(*args)
    result.assert_outcomes(failed=2, passed=1, errors=1)
    result.stdout.fnmatch_lines(["*before_each failed, so the test did not run:*", "*before broke*"])
    result.stdout.fnmatch_lines(["*strict_setup of 's' failed, so this test did not run:*"])
    result.stdout.fnmatch_lines(["*strict_teardown failed:*", "*teardown broke*"])
    # the teardown's error belongs to the last test of its block (tests after a failed setup never
    # start, so the run must not go on into later blocks while reporting them)
    result.stdout.fnmatch_lines(["*ERROR at teardown of t > z*"])


def _busted_counts(text: str) -> dict[str, int]:
    m = re.search(r"(\d+) successes? / (\d+) failures? / (\d+) errors? / (\d+) pending", text)
    assert m, f"no busted summary line in:\n{text[-2000:]}"
    s, f, e, p = (int(x) for x in m.groups())
    return {"passed": s, "failed_or_error": f + e, "skipped": p}


def test_same_counts_as_busted(pytester: pytest.Pytester, project: Path, args: list[str]) -> None:
    busted = shutil.which("busted")
    if busted is None:
        pytest.skip("real busted is not installed (apt-get install lua-busted) - cannot compare counts")
    t0 = time.perf_counter()
    proc = subprocess.run([busted], cwd=project, capture_output=True, text=True, timeout=300)
    busted_s = time.perf_counter() - t0
    theirs = _busted_counts(proc.stdout + proc.stderr)

    t0 = time.perf_counter()
    result = pytester.runpytest_subprocess(*args)
    pytest_s = time.perf_counter() - t0
    o = result.parseoutcomes()
    ours = {
        "passed": o.get("passed", 0),
        "failed_or_error": o.get("failed", 0) + o.get("errors", 0) + o.get("error", 0),
        "skipped": o.get("skipped", 0),
    }
    print(f"\nspec suite (6 files, 57 tests): busted {busted_s:.2f}s, pytest {pytest_s:.2f}s (whole process)")
    assert ours == theirs


def test_last_failed_reruns_only_the_failures(pytester: pytest.Pytester, project: Path) -> None:
    base = (
        ["-p", "no:randomly"]
        if _installed()
        else ["-p", "no:randomly", "-p", "harness.plugin", "-p", "harness.busted.plugin"]
    )
    first = pytester.runpytest(*base)
    first.assert_outcomes(**PROJECT_COUNTS)
    again = pytester.runpytest(*base, "--lf")
    outcomes = again.parseoutcomes()
    assert outcomes.get("passed", 0) <= 1  # the test whose after_each failed passes its call phase
    assert outcomes.get("failed", 0) == PROJECT_COUNTS["failed"]
    assert "run-last-failure" in again.stdout.str()


@pytest.mark.parametrize(("lua", "expected"), [("5.3", "table function"), ("5.4", "nil nil")])
def test_spec_runtime_has_debian_lua53_compat_functions(
    pytester: pytest.Pytester, args: list[str], lua: str, expected: str
) -> None:
    """On 5.3 specs, helpers and required modules see bit32 and math.pow (the shared compat
    module, as Debian's lua5.3 has them); other Luas keep their own library."""
    pytester.makeini("[pytest]\n")
    pytester.path.joinpath("src").mkdir()
    pytester.path.joinpath("src", "mod.lua").write_text("return { seen = type(bit32) .. ' ' .. type(math.pow) }\n")
    pytester.path.joinpath("c_spec.lua").write_text(
        'it("spec and modules see it", function()\n'
        f'  assert.equal("{expected}", type(bit32) .. " " .. type(math.pow))\n'
        f'  assert.equal("{expected}", require("mod").seen)\n'
        + ('  assert.equal(0xF0, bit32.band(0xFF, 0xF0, -1))\n' if lua == "5.3" else "")
        + "end)\n"
    )
    result = pytester.inline_run(*args, f"--lua={lua}")
    result.assertoutcome(passed=1)


BINARY_SPEC = r"""
describe("binary", function()
  it("errors with bytes", function() error("bad \255 byte") end)
  it("compares bytes", function() assert.are.equal("\255\1", "\254\1") end)
  it("compares tables of bytes", function() assert.are.same({ k = "\255" }, { k = "\254" }) end)
  it("errors with a table", function() error({ code = "\255" }) end)
  it("prints bytes", function() print("p\255") assert.is_true(true) end)
end)
describe("name \200", function()
  it("passes \201", function() assert.is_true(true) end)
  it("fails \202", function() assert.is_true(false) end)
  pending("pending \255")
end)
"""


def test_bytes_that_are_not_utf8_read_as_escapes(pytester: pytest.Pytester, args: list[str]) -> None:
    # a spec comparing raw bytes (a digest, say) fails with a readable report, not an internal
    # error; tests named with such bytes are collected, selected and run under \xNN names
    pytester.makeini("[pytest]\n")
    pytester.path.joinpath("spec").mkdir()
    pytester.path.joinpath("spec", "bin_spec.lua").write_text(BINARY_SPEC, encoding="utf-8")
    result = pytester.runpytest(*args, "-rA")
    result.assert_outcomes(passed=2, failed=5, skipped=1)
    result.stdout.fnmatch_lines(
        [
            "*spec/bin_spec.lua:3: bad \\xff byte*",
            "*-\"\\xff\\1\"*",
            "*+\"\\xfe\\1\"*",
            "*code = \"\\xff\"*",
            "*PASSED spec/bin_spec.lua::name \\xc8::passes \\xc9*",
            "*FAILED spec/bin_spec.lua::name \\xc8::fails \\xca*",
        ]
    )
    assert "UnicodeDecodeError" not in result.stdout.str()
    selected = pytester.runpytest(*args, "spec/bin_spec.lua::name \\xc8::passes \\xc9")
    selected.assert_outcomes(passed=1)
