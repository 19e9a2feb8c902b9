"""Drive `ao-harness repl` through a pseudo-terminal, as a developer's terminal does."""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

#: colour and cursor escapes, readline's prompt markers, carriage returns
_NOISE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[=>]|[\x01\x02\r]")
#: colours only
_COLOUR = re.compile(r"\x1b\[[0-9;]*m")
#: the aos prompt (`aos@aos-2.0.4[Inbox:1]> `) and the continuation prompt of an unfinished chunk
PROMPT = r"^[^\n]*\[Inbox:\d+\]> $"
MORE = r"^\.\.\. $"


def _own_terminal() -> None:
    """In the child: a session of its own whose controlling terminal is the pty (so Ctrl-C and
    Ctrl-D behave as in a real terminal)."""
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)
    # a run started in the background (`cmd &`) ignores SIGINT, and children inherit that: Ctrl-C
    # must reach the REPL as it does in a terminal
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class ReplPty:
    """`python -m harness.cli repl ARGS` on a pty; ``ask`` types a line and returns what followed."""

    def __init__(self, *args: str, cwd: Path, home: Path, timeout: float = 60) -> None:
        master, slave = os.openpty()
        # a wide terminal: readline would scroll long lines sideways in 80 columns
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 400, 0, 0))
        env = {**os.environ, "HOME": str(home), "PYTHONPATH": str(REPO), "TERM": "dumb"}
        env.pop("NO_COLOR", None)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "harness.cli", "repl", *args],
            stdin=slave, stdout=slave, stderr=slave, cwd=cwd, env=env, preexec_fn=_own_terminal,
        )  # fmt: skip
        os.close(slave)
        self.fd = master
        self.timeout = timeout
        self.raw = ""  # everything read, escapes included
        self.text = ""  # everything read, cleaned
        self.pos = 0  # where the next expect starts looking in ``text``
        self.raw_pos = 0  # the same in the raw text (for ``expect(..., raw=True)``)

    def _fill(self, deadline: float) -> bool:
        wait = deadline - time.monotonic()
        if wait <= 0:
            return False
        ready, _, _ = select.select([self.fd], [], [], wait)
        if not ready:
            return False
        try:
            chunk = os.read(self.fd, 65536).decode("utf-8", "replace")
        except OSError:  # the child closed the terminal
            return False
        if not chunk:
            return False
        self.raw += chunk
        self.text = _NOISE.sub("", self.raw)
        return True

    def expect(self, pattern: str, timeout: float | None = None, *, raw: bool = False) -> str:
        """Read until *pattern* matches the output after the last match; return the text before it.
        With *raw* the pattern is matched against the bytes as written (escapes, carriage returns
        and readline's markers kept, colours removed)."""
        deadline = time.monotonic() + (timeout or self.timeout)
        rx = re.compile(pattern, re.MULTILINE)
        while True:
            text = self._raw_plain() if raw else self.text
            start = self.raw_pos if raw else self.pos
            m = rx.search(text, start)
            if m:
                if raw:
                    self.raw_pos = m.end()
                    self.pos = len(self.text)
                else:
                    self.pos = m.end()
                return text[start : m.start()]
            if not self._fill(deadline) and (time.monotonic() >= deadline or self.proc.poll() is not None):
                if rx.search(self._raw_plain() if raw else self.text, start):
                    continue
                raise AssertionError(
                    f"no {pattern!r} in the REPL's output within the time; it printed:\n{text[start:]!r}"
                )

    def _raw_plain(self) -> str:
        return _COLOUR.sub("", self.raw).replace("\x01", "").replace("\x02", "")

    def type(self, text: str) -> None:
        os.write(self.fd, text.encode())

    def interrupt(self, until: str = PROMPT) -> str:
        """Type Ctrl-C and return the output up to *until*.  CPython's readline prints the prompt
        before it waits for input: a SIGINT that lands in between only sets Python's flag, and the
        wait that follows never wakes (a person cannot type that fast; a test on a busy machine
        can).  So a Ctrl-C that brings nothing within a few seconds is typed again: a REPL that
        ignores Ctrl-C still fails, after the last try."""
        for _ in range(4):
            self.type("\x03")
            try:
                return self.expect(until, timeout=5)
            except AssertionError:
                if self.proc.poll() is not None:
                    raise
        self.type("\x03")
        return self.expect(until)

    def ask(self, line: str, until: str = PROMPT) -> str:
        """Type *line* and Enter; return the output up to the next prompt, without the echo."""
        self.type(line + "\r")
        out = self.expect(until)
        echoed, _, rest = out.partition("\n")
        assert line.strip() in echoed, f"the terminal did not echo {line!r}: {out!r}"
        return rest

    def wait(self, timeout: float = 30) -> int:
        try:
            code = self.proc.wait(timeout=timeout)
        finally:
            self.close()
        return code

    def close(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=30)
        with contextlib.suppress(OSError):
            os.close(self.fd)
