"""Run `ao-harness serve` as a child process for tests (the way a developer starts it)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from devnet_helpers import REPO, free_base_port

from harness.devnet.server import PORT_OFFSETS


class ServeProcess:
    """`python3 -m harness.cli serve ...` on free ports; ``urls`` and the printed ``system`` ids."""

    def __init__(self, data: Path, *args: str, port: int | None = None) -> None:
        self.port = port or free_base_port()
        self.args = [sys.executable, "-m", "harness.cli", "serve", "--port", str(self.port), "--data", str(data),
                     "--clock", "manual", *args]  # fmt: skip
        self.proc = subprocess.Popen(
            self.args, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "PYTHONPATH": str(REPO)},
        )  # fmt: skip
        self.system: dict[str, str] = {}
        self.lines: list[str] = []
        deadline = time.monotonic() + 120
        assert self.proc.stdout is not None
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                err = self.proc.stderr.read() if self.proc.stderr else ""
                raise RuntimeError(f"ao-harness serve exited ({self.proc.wait()}): {err.strip()}")
            self.lines.append(line.rstrip())
            if line.strip() == "ready":
                break
            if line.startswith("  ") and ": " in line and not line.strip().startswith("data "):
                name, pid = line.strip().split(": ", 1)
                self.system[name] = pid
        else:
            self.kill()
            raise RuntimeError("ao-harness serve did not print 'ready' within 120 s")
        # keep draining stdout so the child never blocks on a full pipe
        threading.Thread(target=self.proc.stdout.read, daemon=True).start()

    @property
    def urls(self) -> dict[str, str]:
        return {unit: f"http://127.0.0.1:{self.port + off}" for unit, off in PORT_OFFSETS.items()}

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=30)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()  # SIGKILL: no cleanup at all
        self.proc.wait(timeout=30)
