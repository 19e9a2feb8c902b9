"""constraints.txt pins every dependency pyproject.toml names, inside the range pyproject allows.

bootstrap.py (the Quick start) and CI install with ``-c constraints.txt``: a dependency missing
there would float to whatever PyPI has that day, and a pin outside pyproject's range would make
pip refuse to install at all.
"""

from __future__ import annotations

import importlib.util
import subprocess
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent


def pins() -> dict[str, Version]:
    found: dict[str, Version] = {}
    for n, line in enumerate((ROOT / "constraints.txt").read_text().splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        name, sep, version = line.partition("==")
        assert sep, f"constraints.txt:{n}: {line!r} is not a pin (name==version)"
        found[canonicalize_name(name)] = Version(version)
    return found


def requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    listed = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        listed += extra
    return [Requirement(r) for r in listed]


def test_every_dependency_is_pinned_inside_its_range() -> None:
    pinned = pins()
    problems = []
    for req in requirements():
        version = pinned.get(canonicalize_name(req.name))
        if version is None:
            problems.append(f"{req.name}: not pinned")
        elif not req.specifier.contains(version, prereleases=True):
            problems.append(f"{req.name}: pinned {version}, outside pyproject's {req.specifier}")
    assert not problems, "constraints.txt against pyproject.toml:\n" + "\n".join(f"  - {p}" for p in problems)
    assert len(requirements()) >= 10  # (the parse found pyproject's lists)


def test_bootstrap_installs_with_the_constraints(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = importlib.util.spec_from_file_location("bootstrap_under_test", ROOT / "bootstrap.py")
    assert spec and spec.loader
    bootstrap = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bootstrap)
    python = tmp_path / "bin" / "python"
    python.parent.mkdir()
    python.touch()
    monkeypatch.setattr(bootstrap, "VENV", tmp_path)
    monkeypatch.setattr(bootstrap, "STAMP", tmp_path / "stamp")
    monkeypatch.setattr(bootstrap, "venv_python", lambda: python)
    monkeypatch.setattr(bootstrap, "ensure_pip", lambda _python: None)
    calls: list[list[object]] = []
    monkeypatch.setattr(
        bootstrap.subprocess, "run", lambda args, **_kw: calls.append(list(args)) or subprocess.CompletedProcess(args, 0)
    )
    bootstrap.main()
    (install,) = calls
    assert install[install.index("-c") + 1] == ROOT / "constraints.txt"
    # run again: nothing changed, nothing installed; a changed pin installs again
    bootstrap.main()
    assert len(calls) == 1
    monkeypatch.setattr(bootstrap, "CONSTRAINTS", tmp_path / "other.txt")
    (tmp_path / "other.txt").write_text("lupa==2.8\n")
    bootstrap.main()
    assert len(calls) == 2
