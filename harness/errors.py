"""Exceptions the harness raises.  Every one names what was wrong and where."""

from __future__ import annotations

from pathlib import Path
from typing import Any


class HarnessError(Exception):
    """Base class of every error raised by the harness itself (not by process code)."""


class InputError(HarnessError, ValueError, TypeError):
    """A bad argument or option given to the harness (a wrong type, an unknown name, a value
    out of range).  The message reads ``<where>: <what was wrong>; <what to do>``.  It is also a
    ``ValueError`` and a ``TypeError``, so code catching those keeps working."""


class ProcessNotFound(HarnessError):
    """``Network.spawn`` was given a name or path that resolves to no Lua file."""


class ProcessLoadError(HarnessError):
    """A process file failed to load (syntax or top-level runtime error).

    ``path`` and ``line`` locate the problem; ``lua_error`` is the Lua message.
    """

    def __init__(self, path: str, line: int | None, lua_error: str) -> None:
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"process file {where} failed to load: {lua_error}")
        self.path = path
        self.line = line
        self.lua_error = lua_error


class TagValueError(HarnessError):
    """A message would carry a non-string tag value (or Data), which the MU refuses; or an outbox
    entry is not what the MU can carry (not a table, Tags or Processes not a list, a Target or
    message id that is not a string).

    Live AO rejects such messages (permaweb/ao#777: "All Tag Values must be strings"), so a
    process that queues one would lose it on the real network.
    """


class MessageStormError(HarnessError):
    """``Network.run`` exceeded its bound on deliveries (processes keep messaging each other)."""


class UnknownMessage(HarnessError):
    """A process assigned a message id the network never saw."""


class UnknownProcess(HarnessError):
    """An address given to the network is not a process it knows."""


class NonUTF8Warning(HarnessError, UserWarning):
    """A result held text that is not UTF-8: as live AO's host does (results travel as JSON
    text), each invalid byte sequence became U+FFFD and the message stands.  Binary data must be
    encoded (e.g. base64) to arrive intact; ``-W error::harness.errors.NonUTF8Warning`` makes it
    fail a test."""


class ReplayDivergenceError(HarnessError):
    """Rebuilding a process's Lua state by replaying its message log gave a different outcome
    for a message than its first run (the harness's rollback would silently change state)."""


class StateLost(HarnessError):
    """A process of a ``Network(replay_log=False)`` needed its state rebuilt from a message log
    it never kept (a rolled-back message, a dry-run not undone in place, ``Network.clone()``)."""


class UnknownLuaVersion(InputError):
    """Raised for a ``--lua`` value the harness does not know."""


class ResultAssertionError(HarnessError, AssertionError):
    """A ``Result`` did not contain what the test expected (shows the outbox)."""


class UnexpectedDeliveryErrors(HarnessError, AssertionError):
    """Deliveries of a strict network errored and the test never looked at those errors
    (``Network.check_errors``; the ``ao`` fixture raises it at teardown)."""


# -- the tools beside the network: mutation testing, coverage, busted, the devnet ---------------


class LuaSyntaxError(HarnessError, ValueError):
    """The text is not tokenizable Lua (an unfinished string or long comment, a stray byte)."""

    def __init__(self, message: str, line: int, col: int) -> None:
        super().__init__(f"line {line}, column {col}: {message}")
        self.line = line
        self.col = col


class MutateError(HarnessError):
    """A one-line error for the user (bad path, revision, option, pragma, failing baseline)."""


class LuaCompileError(HarnessError, ValueError):
    """The file does not compile under the Lua that would measure it."""


class BustedConfigError(HarnessError):
    """A .busted file that cannot be read."""


class BustedFailure(HarnessError):
    """An ``it`` (or one of its hooks) failed: carries busted's record."""

    def __init__(self, record: dict[str, Any], project_dir: Path, title: str = "") -> None:
        super().__init__(record.get("message", ""))
        self.record = record
        self.project_dir = project_dir
        self.title = title


class BustedCollectError(HarnessError):
    """A spec file that does not load or whose describe bodies fail."""


class DataItemError(HarnessError, ValueError):
    """The bytes are not a valid, correctly signed data item (the message says why)."""


class ApiError(HarnessError):
    """A request the units refuse: *status* is the HTTP status, the message the one-line reason."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


class DataDirBusy(HarnessError, RuntimeError):
    """Another server holds the data directory."""


class ServeError(HarnessError, RuntimeError):
    """The server cannot start (busy port, busy data dir, bad option)."""


class ReplError(HarnessError):
    """Bad input to ``ao-harness repl`` (missing file, bad URL, server down): one line, exit 2."""


class Unreachable(ReplError):
    """The server ``ao-harness repl --connect`` names did not answer at all (refused, timed out,
    no such host)."""

    def __init__(self, text: str, reason: str) -> None:
        super().__init__(text)
        self.reason = reason


class BundleError(HarnessError):
    """A process could not be bundled (a required module is missing, or a cycle), or a bundle's
    markers cannot be read."""


class ManifestError(HarnessError):
    """The manifest is malformed: names the file and the entry."""
