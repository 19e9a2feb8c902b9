#!/usr/bin/env python3
"""Make ``.venv`` with ao-harness installed (editable, with the dev extras), on any Python >= 3.11.

Works where ``pip install`` is refused (Debian/Ubuntu's "externally-managed-environment") and where
the Python has no pip or no ``ensurepip`` at all (a stock Debian ``python3``): the virtual
environment is made without pip, and pip is run from its wheel, downloaded from PyPI, to install
itself and the project.  The versions are the ones ``constraints.txt`` names (what the suite passed
with).  Standard library only.  Running it again is quick: it reinstalls only when
``pyproject.toml`` or ``constraints.txt`` changed.

    python3 bootstrap.py && .venv/bin/python -m pytest
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".ao-harness-installed"
CONSTRAINTS = ROOT / "constraints.txt"
PYPI_PIP = "https://pypi.org/pypi/pip/json"


def fail(message: str) -> None:
    print(f"bootstrap: {message}", file=sys.stderr)
    sys.exit(1)


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def has_ensurepip() -> bool:
    try:
        import ensurepip  # noqa: F401
    except ImportError:
        return False
    return True


def pip_wheel(dest: Path) -> Path:
    """Download the newest pip wheel from PyPI and check its sha256."""
    try:
        with urllib.request.urlopen(PYPI_PIP, timeout=60) as resp:
            release = json.load(resp)
    except OSError as exc:
        fail(f"this Python has no pip and PyPI ({PYPI_PIP}) is unreachable: {exc}")
    wheels = [f for f in release["urls"] if f["filename"].endswith(".whl")]
    if not wheels:
        fail(f"PyPI lists no pip wheel at {PYPI_PIP}")
    info = wheels[0]
    path = dest / info["filename"]
    url = urllib.parse.urljoin(PYPI_PIP, info["url"])  # mirrors answer with relative links
    try:
        with urllib.request.urlopen(url, timeout=120) as resp:
            data = resp.read()
    except OSError as exc:
        fail(f"could not download {url}: {exc}")
    if hashlib.sha256(data).hexdigest() != info["digests"]["sha256"]:
        fail(f"the downloaded {info['filename']} does not match PyPI's sha256")
    path.write_bytes(data)
    return path


def ensure_pip(python: Path) -> None:
    if subprocess.run([python, "-m", "pip", "--version"], capture_output=True).returncode == 0:
        return
    with tempfile.TemporaryDirectory() as tmp:
        wheel = pip_wheel(Path(tmp))
        # a pip wheel runs as a zip application: it installs itself into the venv
        subprocess.run([python, f"{wheel}/pip", "install", "-q", wheel], check=True)


def main() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - this script must run, and explain, on older Pythons
        fail(f"ao-harness needs Python >= 3.11; this is {sys.version.split()[0]}")
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + CONSTRAINTS.read_bytes()).hexdigest()
    python = venv_python()
    if python.exists() and STAMP.exists() and STAMP.read_text() == wanted:
        return
    if not python.exists():
        print(f"bootstrap: creating {VENV.relative_to(ROOT)}", file=sys.stderr)
        venv.EnvBuilder(with_pip=has_ensurepip()).create(VENV)
    ensure_pip(python)
    print("bootstrap: installing ao-harness with its dev extras", file=sys.stderr)
    env = dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1")
    install = [python, "-m", "pip", "install", "-q", "-c", CONSTRAINTS, "-e", f"{ROOT}[dev]"]
    result = subprocess.run(install, env=env)
    if result.returncode != 0:
        fail("pip could not install the project (its output is above)")
    STAMP.write_text(wanted)


if __name__ == "__main__":
    main()
