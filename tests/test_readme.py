"""The README's Python examples are tests: run every ```python block under pytest."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def test_readme_has_examples() -> None:
    assert python_blocks(), "README.md lost its ```python examples"


@pytest.mark.parametrize("index", range(len(python_blocks())))
def test_readme_example_passes(pytester: pytest.Pytester, plugin_args: list[str], index: int) -> None:
    block = python_blocks()[index]
    pytester.makepyfile(**{f"test_readme_{index}": block})
    # examples that spawn TIM3 processes by name need the project's ao/ directory
    pytester.makeini(f"[pytest]\nao_root = {README.parent}\n")
    result = pytester.runpytest(*plugin_args, "-p", "no:cacheprovider")
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) == 0 and outcomes.get("errors", 0) == 0, result.stdout.str()
    assert outcomes.get("passed", 0) >= 1, f"README block {index} defines no test"
