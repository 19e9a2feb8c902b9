"""Exceptions the harness raises.  Every one names what was wrong and where."""

from __future__ import annotations


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
    """A message would carry a non-string tag value (or Data), which the MU refuses.

    Live AO rejects such messages (permaweb/ao#777: "All Tag Values must be strings"), so a
    process that queues one would lose it on the real network.
    """


class MessageStormError(HarnessError):
    """``Network.run`` exceeded its bound on deliveries (processes keep messaging each other)."""


class UnknownMessage(HarnessError):
    """A process assigned a message id the network never saw."""


class UnknownProcess(HarnessError):
    """An address given to the network is not a process it knows."""


class NonUTF8Error(HarnessError):
    """A process produced a string that is not valid UTF-8 (AO results travel as JSON text)."""


class ReplayDivergenceError(HarnessError):
    """Rebuilding a process's Lua state by replaying its message log gave a different outcome
    for a message than its first run (the harness's rollback would silently change state)."""
