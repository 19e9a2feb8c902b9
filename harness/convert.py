"""Lua values -> Python values (for ``Process.globals``, ``Process.inbox`` and traces)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class LuaFunction:
    """Stands for a Lua function (or other non-data value) seen from Python."""

    __slots__ = ("kind",)

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def __repr__(self) -> str:
        return f"<lua {self.kind}>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LuaFunction) and other.kind == self.kind

    def __hash__(self) -> int:
        return hash(self.kind)


#: Tables nested deeper than this convert to ``TOO_DEEP``.
MAX_DEPTH = 64
#: Stands for a table that contains itself (directly or further down).
CYCLE = "<cycle>"
TOO_DEEP = "<table nested too deep>"


def to_python(
    value: Any,
    *,
    items: Callable[[Any], list[tuple[Any, Any]]] | None = None,
    _seen: dict[str, Any] | None = None,
    depth: int = 0,
) -> Any:
    """Convert a Lua value: tables become lists (keys 1..n) or dicts, recursively.  A table met
    again inside itself becomes ``"<cycle>"``; one met again elsewhere converts once and is
    shared; below ``MAX_DEPTH`` levels tables become ``"<table nested too deep>"``.  *items*
    lists a table's entries (``LuaProcessState.items``, which also reads a string that is not
    UTF-8, keeping its bytes as surrogate escapes; default: lupa's ``items()``)."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    kind = type(value).__name__.lstrip("_").removeprefix("Lua").lower()
    if kind != "table":
        return LuaFunction(kind)
    seen = _seen if _seen is not None else {}
    # lupa's repr is "<Lua table at 0x...>": the table's address, read without metamethods
    key = repr(value)
    if key in seen:
        done = seen[key]
        return CYCLE if done is _ON_PATH else done
    if depth >= MAX_DEPTH:
        return TOO_DEEP
    seen[key] = _ON_PATH
    entries = items(value) if items is not None else list(value.items())
    n = len(entries)
    out: Any
    if n and all(isinstance(k, int) and not isinstance(k, bool) for k, _ in entries) and sorted(
        k for k, _ in entries
    ) == list(range(1, n + 1)):
        ordered = dict(entries)
        out = [to_python(ordered[i], items=items, _seen=seen, depth=depth + 1) for i in range(1, n + 1)]
    else:
        out = {
            (k if isinstance(k, str | int | float | bool) else repr(k)): to_python(
                v, items=items, _seen=seen, depth=depth + 1
            )
            for k, v in entries
        }
    seen[key] = out
    return out


_ON_PATH = object()
