"""A corpus of spec files in the shapes real AO suites use (tests/busted/corpus/): per-test outcomes,
by busted's full name, equal real busted's."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from busted_compare import busted_or_skip, differences, run_busted, run_pytest

HERE = Path(__file__).parent
CORPUS = HERE / "corpus"
#: only the busted plugin (plugin autoload is off in the fixture): the run stays cheap
ARGS = ["-p", "no:cacheprovider", "-p", "harness.busted.plugin"]
#: spec files whose code needs bit32 / math.pow / math.ldexp (Lua 5.2 compat, as Debian's lua5.3 has)
NEEDS_COMPAT = ["spec/crypto_spec.lua"]
OTHERS = sorted(
    p.relative_to(CORPUS).as_posix() for p in (CORPUS / "spec").glob("*_spec.lua")
    if p.relative_to(CORPUS).as_posix() not in NEEDS_COMPAT
)  # fmt: skip


@pytest.fixture
def project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    shutil.copytree(CORPUS, pytester.path, dirs_exist_ok=True)
    pytester.makeini("[pytest]\n")
    return pytester.path


def _compare(pytester: pytest.Pytester, project: Path, files: list[str], minimum: int) -> None:
    busted_or_skip()
    theirs, outside = run_busted(project, *files)
    ours, _ = run_pytest(pytester, *ARGS, *files)
    assert not outside, f"busted reported errors outside tests: {outside}"
    assert len(theirs) >= minimum
    assert not differences(theirs, ours), "\n".join(differences(theirs, ours))
    # the failure texts start alike too (the message, or the assertion's first line)
    def firsts(outcomes: list) -> list[tuple[str, str]]:
        return sorted((o.name, o.first_line) for o in outcomes if o.status == "failed")

    assert firsts(ours) == firsts(theirs)


def test_corpus_matches_busted(pytester: pytest.Pytester, project: Path) -> None:
    assert len(OTHERS) >= 5
    _compare(pytester, project, OTHERS, minimum=140)


def test_corpus_bit32_code_matches_busted(pytester: pytest.Pytester, project: Path) -> None:
    _compare(pytester, project, NEEDS_COMPAT, minimum=14)


@pytest.mark.parametrize("lua", ["5.1", "5.2", "5.4", "5.5", "jit"])
def test_corpus_outcomes_on_every_lua(pytester: pytest.Pytester, project: Path, lua: str) -> None:
    # busted runs Lua 5.3; on the other versions the outcomes (not the error texts) are the same
    busted_or_skip()
    theirs, _ = run_busted(project, *OTHERS)
    ours, _ = run_pytest(pytester, *ARGS, "-p", "harness.plugin", f"--lua={lua}", *OTHERS)
    assert len(ours) == len(theirs)
    assert not differences(theirs, ours), "\n".join(differences(theirs, ours))
