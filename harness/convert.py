"""Lua values -> Python values (for ``Process.globals``, ``Process.inbox`` and traces)."""

from __future__ import annotations

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


def to_python(value: Any, *, _seen: dict[int, Any] | None = None, depth: int = 0) -> Any:
    """Convert a Lua value: tables become lists (keys 1..n) or dicts, recursively."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    kind = type(value).__name__.lstrip("_").removeprefix("Lua").lower()
    if kind != "table":
        return LuaFunction(kind)
    seen = _seen if _seen is not None else {}
    if depth > 64:
        return "<table nested too deep>"
    items = list(value.items())
    n = len(items)
    if n and all(isinstance(k, int) and not isinstance(k, bool) for k, _ in items):
        keys = sorted(k for k, _ in items)
        if keys == list(range(1, n + 1)):
            ordered = dict(items)
            return [to_python(ordered[i], _seen=seen, depth=depth + 1) for i in range(1, n + 1)]
    return {
        (k if isinstance(k, str | int | float | bool) else repr(k)): to_python(v, _seen=seen, depth=depth + 1)
        for k, v in items
    }
