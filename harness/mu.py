"""The messenger unit: where a process's outbox is checked, queued and handed out in order.

Live, the MU signs each outbox message with its own wallet, adds ``From-Process``/``From-Module``
and refuses messages whose tag values are not strings (permaweb/ao#777).  Spawn requests become
new processes and a ``Spawned`` notice to the parent (docs/aos-semantics.md §3.3).  ``MessengerUnit``
is the queue between evaluations: what ``Network.run()`` delivers next, and in which order.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from harness.errors import TagValueError, UnknownMessage
from harness.ids import MU_ADDRESS, short
from harness.messages import Message

#: Chooses the next delivery: gets the candidate messages, returns an index into them.
DeliveryOrder = Callable[[list[Message]], int]


@dataclass(slots=True)
class Pending:
    """A message waiting for ``Network.run()``: *message* goes to the process or wallet *to*."""

    message: Message
    to: str
    pushed_by: str | None
    assignment: bool = False


#: what to do instead of sending Python bytes (they reach Lua as userdata, not as a string)
BYTES_HINT = "bytes are not a Lua string; decode them (b.decode()) or send text"


def _lua_type(value: Any) -> str:
    """What *value* is, in words a test author recognises (Lua values and Python ones)."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if value is None:
        return "nil"
    if isinstance(value, bytes | bytearray | memoryview):
        return "Python bytes"
    if isinstance(value, dict | list | tuple | set | frozenset):
        return f"a Python {type(value).__name__}"
    kind = type(value).__name__
    if kind.startswith("_Lua"):
        lua = {"_LuaTable": "table", "_LuaFunction": "function", "_LuaThread": "thread"}.get(kind)
        return f"a Lua {lua}" if lua else "a Lua table or function"
    return f"a Python {kind}"


def _shown(value: Any, width: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= width else text[: width - 1] + "…"


def _wrong(value: Any, default_hint: str) -> str:
    """``is <kind>, not a string; <what to do>`` (bytes get their own explanation)."""
    if isinstance(value, bytes | bytearray | memoryview):
        return f"is Python bytes; {BYTES_HINT}"
    return f"is {_lua_type(value)}, not a string; {default_hint}"


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
            raise TagValueError(
                f"{where}: tag name {name!r} " + _wrong(name, "tag names must be strings")
            )
        if not isinstance(value, str):
            raise TagValueError(
                f"{where}: tag {name!r} = {_shown(value)} "
                + _wrong(
                    value,
                    "the MU accepts only string tag values (permaweb/ao#777) and would drop this "
                    "message on the live network; send a string (tostring(...) in Lua, str(...) in Python)",
                )
            )
    if data is not None and not isinstance(data, str) and not allow_table_data:
        if callable(where):
            where = where()
        raise TagValueError(
            f"{where}: Data {_shown(data)} "
            + _wrong(data, "message Data must be a string (ao.send JSON-encodes Lua tables; json.dumps(...))")
        )


def outbox_messages(
    process_id: str, raw_messages: list[tuple[Any, Any, Any, list[tuple[Any, Any]]]], *, label: str
) -> list[Message]:
    """The outbox entries of a result as ``Message`` objects sent by *process_id*, checked."""
    out = []
    for number, (target, data, anchor, tags) in enumerate(raw_messages, 1):

        def where(target: Any = target, tags: list[tuple[Any, Any]] | str = tags) -> str:
            action = next((v for k, v in tags if k == "Action"), None) if isinstance(tags, list) else None
            to = short(target) if isinstance(target, str) else "a Target that is not a string"
            return f"process {label} ({short(process_id)}) sending to {to}" + (
                f" Action={action}" if isinstance(action, str) else ""
            )

        if isinstance(tags, str):
            _refuse(f"process {label} ({short(process_id)}), outbox message #{number}", tags)
        if not isinstance(target, str) and target is not None:
            why = _wrong(target, "a message's Target must be a process id")
            raise TagValueError(f"{where()}: Target {_shown(target)} {why}")
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
    for number, (data, anchor, tags) in enumerate(raw_spawns, 1):
        if isinstance(tags, str):
            _refuse(f"process {label} ({short(process_id)}), outbox spawn request #{number}", tags)
        check_tags(tags, data=data, where=f"process {label} ({short(process_id)}) spawning a process")
        out.append(Message(target=None, tag_list=tuple(tags), data=data, sender=process_id, anchor=anchor))
    return out


def assignment_requests(
    process_id: str, raw_assignments: list[tuple[list[Any] | str, Any]], *, label: str
) -> list[tuple[list[str], str]]:
    """The outbox assignments of a result, checked: a list of process ids and a message id."""
    out = []
    for number, (procs, message) in enumerate(raw_assignments, 1):
        where = f"process {label} ({short(process_id)}), outbox assignment #{number}"
        if isinstance(procs, str):
            _refuse(where, procs)
        for p in procs:
            if not isinstance(p, str):
                why = _wrong(p, "process ids are strings")
                raise TagValueError(f"{where}: process id {_shown(p)} {why}")
        if not isinstance(message, str):
            why = _wrong(message, "a message id is a string")
            raise TagValueError(f"{where}: Message {_shown(message)} {why}")
        out.append((list(procs), message))
    return out


def _refuse(where: str, what: str) -> None:
    raise TagValueError(
        f"{where}: {what}; live's host would hand it over as it is and the MU could not carry it"
    )


class MessengerUnit:
    """The queue of pushed messages, spawn requests and assignments awaiting delivery.

    Messages are pushed in the order results produce them; ``take`` hands out the next one, in
    queue order or as a ``DeliveryOrder`` chooses among the heads of each (sender, recipient)
    pair, since the MU pushes one sender's messages to one process in order."""

    def __init__(self) -> None:
        self._queue: deque[Pending] = deque()
        self._order: DeliveryOrder | None = None

    def __len__(self) -> int:
        return len(self._queue)

    def __bool__(self) -> bool:
        return bool(self._queue)

    @property
    def messages(self) -> list[Message]:
        return [p.message for p in self._queue]

    def set_order(self, order: DeliveryOrder | None) -> None:
        self._order = order

    def push(self, item: Pending) -> None:
        self._queue.append(item)

    def push_outbox(
        self,
        sender: str,
        module: str,
        messages: Iterable[Message],
        spawns: Iterable[Message],
        assignments: Iterable[tuple[list[str], str]],
        *,
        seen: Callable[[str], Message | None],
        label: str,
    ) -> None:
        """Queue a result's outbox as the MU forwards it: messages signed by the MU with
        ``From-Process``/``From-Module``, spawn requests, and assignments of the messages *seen*
        finds by id."""
        for m in messages:
            tags = (*m.tag_list, ("From-Process", sender), ("From-Module", module))
            scheduled = Message(m.target, tags, m.data, sender, None, m.anchor, MU_ADDRESS)
            self._queue.append(Pending(scheduled, to=m.target, pushed_by=sender))
        for s in spawns:
            self._queue.append(Pending(s, to="", pushed_by=sender))
        for procs, message_id in assignments:
            original = seen(message_id)
            if original is None:
                raise UnknownMessage(
                    f"process {label} assigned message {message_id!r}, which this network never saw"
                )
            for target in procs:
                self._queue.append(Pending(original, to=target, pushed_by=None, assignment=True))

    def take(self) -> Pending | None:
        """Remove and return the next item to deliver (``None`` when the queue is empty)."""
        queue = self._queue
        if not queue:
            return None
        if self._order is None or len(queue) == 1:
            return queue.popleft()
        index = self._next_index()
        item = queue[index]
        del queue[index]
        return item

    def _next_index(self) -> int:
        seen: set[tuple[str | None, str]] = set()
        heads: list[int] = []
        for i, item in enumerate(self._queue):
            key = (item.message.sender, item.to)
            if key not in seen:
                seen.add(key)
                heads.append(i)
        if len(heads) == 1:
            return heads[0]
        choice = self._order([self._queue[i].message for i in heads])
        if not 0 <= choice < len(heads):
            raise ValueError(f"delivery order chose {choice}, but there were {len(heads)} candidates")
        return heads[choice]

    def drop(self, match: Callable[[Message], bool]) -> list[Message]:
        """Remove the queued messages *match* accepts and return them."""
        dropped = [p for p in self._queue if match(p.message)]
        for p in dropped:
            self._queue.remove(p)
        return [p.message for p in dropped]


def spawned_notice(request: Message, parent: str, child: str, message_id: str) -> Pending:
    """The ``Spawned`` notice the MU sends the parent once its spawn request became *child*."""
    tags = (
        *[(k, v) for k, v in request.tag_list if k != "Action"],
        ("Process", child),
        ("Action", "Spawned"),
    )
    notice = Message(target=parent, tag_list=tags, data="", sender=parent, id=message_id, owner=MU_ADDRESS)
    return Pending(notice, to=parent, pushed_by=parent)
