"""The messenger unit: where a process's outbox is checked and turned into deliveries.

Live, the MU signs each outbox message with its own wallet, adds ``From-Process``/``From-Module``
and refuses messages whose tag values are not strings (permaweb/ao#777).  Spawn requests become
new processes and a ``Spawned`` notice to the parent (docs/aos-semantics.md §3.3).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from harness.errors import TagValueError
from harness.ids import short
from harness.messages import Message


@dataclass
class Pending:
    """A message waiting for ``Network.run()``: *message* goes to the process or wallet *to*."""

    message: Message
    to: str
    pushed_by: str | None
    assignment: bool = False


def _lua_type(value: Any) -> str:
    if isinstance(value, bool):
        return "a Lua boolean"
    if isinstance(value, int | float):
        return "a Lua number"
    if value is None:
        return "nil"
    return "a Lua table or function"


def check_tags(
    tags: Iterable[tuple[Any, Any]],
    *,
    data: Any,
    where: str | Callable[[], str],
    allow_table_data: bool = False,
) -> None:
    """Raise ``TagValueError`` for anything the MU would refuse to carry.

    *where* (or a callable producing it, so the happy path builds no text) says which message."""
    for name, value in tags:
        if value.__class__ is str and name.__class__ is str:
            continue
        if callable(where):
            where = where()
        if not isinstance(name, str):
            raise TagValueError(f"{where}: tag name {name!r} is {_lua_type(name)}; tag names must be strings")
        if not isinstance(value, str):
            raise TagValueError(
                f"{where}: tag {name!r} = {value!r} is {_lua_type(value)}; the MU accepts only "
                "string tag values (permaweb/ao#777) and would drop this message on the live "
                f"network. Send tostring(...) instead."
            )
    if data is not None and not isinstance(data, str) and not allow_table_data:
        if callable(where):
            where = where()
        raise TagValueError(
            f"{where}: Data is {_lua_type(data)} ({data!r}); message Data must be a string "
            "(tables are JSON-encoded by ao.send, other values are not)"
        )


def outbox_messages(
    process_id: str, raw_messages: list[tuple[Any, Any, Any, list[tuple[Any, Any]]]], *, label: str
) -> list[Message]:
    """The outbox entries of a result as ``Message`` objects sent by *process_id*, checked."""
    out = []
    for target, data, anchor, tags in raw_messages:

        def where(target: Any = target, tags: list[tuple[Any, Any]] = tags) -> str:
            action = next((v for k, v in tags if k == "Action"), None)
            return f"process {label} ({short(process_id)}) sending to {short(target)}" + (
                f" Action={action}" if isinstance(action, str) else ""
            )

        check_tags(tags, data=data, where=where)
        out.append(
            Message(
                target=target,
                tag_list=tuple(tags),
                data="" if data is None else data,
                sender=process_id,
                anchor=anchor,
            )
        )
    return out


def spawn_requests(
    process_id: str, raw_spawns: list[tuple[Any, Any, list[tuple[Any, Any]]]], *, label: str
) -> list[Message]:
    out = []
    for data, anchor, tags in raw_spawns:
        check_tags(tags, data=data, where=f"process {label} ({short(process_id)}) spawning a process")
        out.append(Message(target=None, tag_list=tuple(tags), data=data, sender=process_id, anchor=anchor))
    return out
