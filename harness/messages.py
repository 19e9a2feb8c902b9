"""What tests look at: ``Message`` (one AO message), ``Result`` (one evaluation), ``Delivery``."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from harness.errors import ResultAssertionError  # defined in harness.errors; importable from here too
from harness.ids import short

_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def strip_ansi(text: str | None) -> str | None:
    """Remove ANSI colour codes (aos colours numbers, errors and prompts)."""
    return None if text is None else _ANSI.sub("", text)


_NOISE = frozenset({"Data-Protocol", "Variant", "Type", "Reference", "From-Process", "From-Module"})
_SPAWN_NOISE = _NOISE | {"Module", "Scheduler", "SDK", "Authority"}


class Message:
    """One AO message as the network carries it.

    ``tags`` maps each tag name to its FIRST value (like ``msg.Tags`` in aos); ``tag_list`` keeps
    every tag in order, duplicates included.  ``sender`` is the ``From`` of the message (the
    sending process or wallet) and ``id`` is set once the network has scheduled it.
    """

    __slots__ = (
        "anchor",
        "block_height",
        "cron",
        "data",
        "id",
        "nonce",
        "owner",
        "sender",
        "tag_list",
        "target",
        "timestamp",
    )

    def __init__(
        self,
        target: str | None,
        tag_list: tuple[tuple[str, Any], ...],
        data: Any = None,
        sender: str | None = None,
        id: str | None = None,
        anchor: str | None = None,
        owner: str | None = None,
        timestamp: int | None = None,
        block_height: int | None = None,
        nonce: int | None = None,
        cron: bool = False,
    ) -> None:
        self.target = target
        self.tag_list = tag_list
        self.data = data
        self.sender = sender
        self.id = id
        self.anchor = anchor
        self.owner = owner
        self.timestamp = timestamp
        self.block_height = block_height
        self.nonce = nonce
        self.cron = cron

    def replace(self, **changes: Any) -> Message:
        """A copy with some fields changed."""
        fields = {name: getattr(self, name) for name in self.__slots__}
        fields.update(changes)
        return Message(**fields)

    @property
    def tags(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, value in self.tag_list:
            out.setdefault(name, value)
        return out

    @property
    def action(self) -> Any:
        return self.tags.get("Action")

    def get(self, name: str, default: Any = None) -> Any:
        """A tag value by name (first occurrence), or *default*."""
        for tag, value in self.tag_list:
            if tag == name:
                return value
        return default

    def __getitem__(self, name: str) -> Any:
        for tag, value in self.tag_list:
            if tag == name:
                return value
        raise KeyError(f"message has no tag {name!r}; tags: {[t for t, _ in self.tag_list]}")

    def describe(self, *, names: dict[str, str] | None = None, data_width: int = 60) -> str:
        """One readable line: ``from -> to  Action=... Quantity=...  data``."""

        def who(addr: str | None) -> str:
            if names and addr in names:
                return names[addr]
            return short(addr)

        def value(v: Any) -> str:
            if not isinstance(v, str):
                return repr(v)
            return names[v] if names and v in names else v

        spawn = self.id is not None and self.id == self.target
        skip = _SPAWN_NOISE if spawn else _NOISE
        tags = " ".join(f"{k}={value(v)}" for k, v in self.tag_list if k not in skip)
        if spawn:
            tags = "[spawn] " + tags
        data = self.data
        if isinstance(data, str) and data:
            shown = data if len(data) <= data_width else data[: data_width - 1] + "…"
            tags += f"  data={shown!r}"
        elif data not in (None, ""):
            tags += f"  data={data!r}"
        return f"{who(self.sender)} -> {who(self.target)}  {tags}".rstrip()

    def __repr__(self) -> str:
        return f"Message({self.describe()})"


@dataclass(eq=False)
class Result:
    """The outcome of one message evaluated by one process.

    ``messages``/``spawns`` are the outbox (empty on error), ``output`` the printed text without
    colours, ``error`` the Error text without colours (``None`` on success).
    """

    process: str
    message: Message
    messages: list[Message]
    spawns: list[Message]
    assignments: list[tuple[list[str], str]]
    output: str
    error: str | None
    raw_output: str = ""
    raw_error: str | None = None
    names: dict[str, str] | None = None
    #: the deliveries that led to this result (the network's trace up to it), for failure reports
    history: list[Delivery] | None = None
    history_end: int = 0

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def reply(self) -> Message:
        """The one outbox message addressed to the sender of the handled message."""
        to_sender = [m for m in self.messages if m.target == self.message.sender]
        if len(to_sender) == 1:
            return to_sender[0]
        what = "no message" if not to_sender else f"{len(to_sender)} messages"
        raise ResultAssertionError(
            f"expected exactly one reply to {short(self.message.sender)}, found {what}.\n" + self.describe()
        )

    def describe(self) -> str:
        lines = [f"handled: {self.message.describe(names=self.names)}"]
        if self.error is not None:
            lines.append("error:")
            lines.extend("    " + ln for ln in self.error.strip().splitlines()[-12:])
        if self.output:
            lines.append("output:")
            lines.extend("    " + ln for ln in self.output.splitlines()[:20])
        lines.append(f"outbox ({len(self.messages)} messages, {len(self.spawns)} spawns):")
        for i, m in enumerate(self.messages, 1):
            lines.append(f"  {i}. {m.describe(names=self.names)}")
        if self.history:
            lines.append("the deliveries that led here:")
            lines.append(format_trace(self.history[: self.history_end], self.names, limit=15))
        return "\n".join(lines)

    def __repr__(self) -> str:
        state = "error" if self.error is not None else "ok"
        return f"<Result {state}: {len(self.messages)} messages>"


@dataclass(eq=False)
class Delivery:
    """One message handled by one process, in network order (an entry of ``Network.trace``)."""

    seq: int
    message: Message
    result: Result | None
    to_wallet: bool = False

    def describe(self, names: dict[str, str] | None = None) -> str:
        mark = ""
        if self.result is not None and self.result.error is not None:
            first = (self.result.error.strip().splitlines() or [""])[-1]
            mark = f"  !! ERROR: {first[:120]}"
        elif self.to_wallet:
            mark = "  (to wallet)"
        return f"#{self.seq:<4} {self.message.describe(names=names)}{mark}"

    def __repr__(self) -> str:
        return f"<Delivery {self.describe()}>"


def format_trace(deliveries: Iterable[Delivery], names: dict[str, str] | None = None, limit: int = 40) -> str:
    items = list(deliveries)
    shown = items[-limit:]
    head = [f"  ... {len(items) - len(shown)} earlier deliveries"] if len(items) > len(shown) else []
    return "\n".join(head + ["  " + d.describe(names) for d in shown]) or "  (no deliveries)"
