"""The README's coverage.py configuration snippets paste cleanly: `coverage report` reads Lua data
with each of them (a comment that ended up inside a value used to break every command)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"


def _snippet(lang: str, first_line: str) -> str:
    text = README.read_text(encoding="utf-8")
    for block in re.findall(rf"```{lang}\n(.*?)```", text, flags=re.S):
        if block.startswith(first_line):
            return block
    raise AssertionError(f"README has no ```{lang} block starting with {first_line!r}")


@pytest.mark.parametrize(
    ("lang", "first_line", "filename"),
    [("ini", "# .coveragerc", ".coveragerc"), ("toml", "# pyproject.toml", "pyproject.toml")],
)
def test_readme_coverage_config_works_as_pasted(
    tmp_path: Path, project: Path, lang: str, first_line: str, filename: str
) -> None:
    from harness.coverage.report import write_data_file

    demo = project / "ao/demo/src/process.lua"
    (tmp_path / filename).write_text(_snippet(lang, first_line), encoding="utf-8")
    write_data_file(tmp_path / ".coverage", {str(demo): {1}}, [str(demo)])
    result = subprocess.run(
        [sys.executable, "-m", "coverage", "report"], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert re.search(r"process\.lua\s+\d+\s+\d+\s+\d+%", result.stdout), result.stdout
