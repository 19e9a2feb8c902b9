"""What tests look at: ``Message`` (one AO message), ``Result`` (one evaluation), ``Delivery``."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
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
        elif self.cron:
            tags = ("[cron] " + tags).rstrip()
        data = self.data
        if isinstance(data, str) and data:
            shown = data if len(data) <= data_width else data[: data_width - 1] + "…"
            tags += f"  data={shown!r}"
        elif data not in (None, ""):
            tags += f"  data={data!r}"
        return f"{who(self.sender)} -> {who(self.target)}  {tags}".rstrip()

    def __repr__(self) -> str:
        return f"Message({self.describe()})"


#: the aos layer's own rethrow position in front of a handler's error (``[string ".handlers"]:169: ``)
_AOS_RETHROW = re.compile(r'^(?:\[string "\.[^"]*"\]:\d+:\s*)+')
#: ``chunk:line: `` at the start of a Lua error (``aos:3: ``, ``ao/token/src/process.lua:42: ``)
_LUA_WHERE = re.compile(r"^([^\s:\"]+|\[string \"[^\"]*\"\]):(\d+):\s*")


#: lines of an aos error text that only introduce the next one
_HEADERS = frozenset({"error:", "stack traceback:"})


def error_summary(error: str) -> tuple[str, str | None]:
    """The Lua error's first line without the aos layer's rethrow prefix, and where it was raised
    (``chunk:line``, or ``None`` when the error names no position)."""
    lines = [ln.strip() for ln in error.strip().splitlines()]
    lines = [ln for ln in lines if ln and ln not in _HEADERS and not ln.startswith("Error handling message")]
    first = _AOS_RETHROW.sub("", lines[0]) if lines else error.strip()
    m = _LUA_WHERE.match(first)
    if m and first[m.end() :]:
        return first[m.end() :], f"{m.group(1)}:{m.group(2)}"
    return first, None


def _error_line(error: str) -> str:
    text, where = error_summary(error)
    return f"{text} (at {where})" if where else text


class Result:
    """The outcome of one message evaluated by one process.

    ``messages``/``spawns`` are the outbox (empty on error), ``output`` the printed text without
    colours, ``error`` the Error text without colours (``None`` on success).  Reading ``error``
    (or ``ok``) tells a strict network that the test looked at this result's error (see
    ``Network.check_errors``).  A successful message that no handler but ``_default`` matched is
    explained as such in failure reports (``explain``).
    """

    __slots__ = (
        "_assignments",
        "_error",
        "_error_seen",
        "_list_handlers",
        "_messages",
        "_output",
        "_raw_output",
        "_sent",
        "_spawns",
        "history",
        "history_end",
        "message",
        "names",
        "process",
        "raw_error",
    )

    def __init__(
        self,
        process: str,
        message: Message,
        messages: list[Message],
        spawns: list[Message],
        assignments: list[tuple[list[str], str]],
        output: str,
        error: str | None,
        raw_output: str = "",
        raw_error: str | None = None,
        names: dict[str, str] | None = None,
        history: list[Delivery] | None = None,
        history_end: int = 0,
    ) -> None:
        self.process = process
        self.message = message
        self._messages: list[Message] | None = messages
        self._spawns: list[Message] | None = spawns
        self._assignments: list[tuple[list[str], str]] | None = assignments
        self._output: str | None = output
        self._error = error
        self._error_seen = False
        self._raw_output: str | None = raw_output
        self.raw_error = raw_error
        self.names = names
        #: the deliveries that led to this result (the network's trace up to it), for failure reports
        self.history = history
        self.history_end = history_end
        #: set when no handler but _default matched: lists the process's handlers (the hint)
        self._list_handlers: Callable[[], list[str]] | None = None
        #: the outbox as the MU queued it, for the parts built only when read (``_from_outbox``)
        self._sent: list[Message] | None = None

    @classmethod
    def _from_outbox(
        cls, process: str, message: Message, output: str | None, sent: list[Message], names: dict[str, str]
    ) -> Result:
        """A successful result whose outbox holds messages only (or nothing), *sent* as the MU queued them
        (the sender's tags then ``From-Process`` and ``From-Module``): ``messages``,
        ``assignments`` and ``output`` are made only when a test reads them."""
        self = cls.__new__(cls)
        self.process = process
        self.message = message
        self._messages = self._assignments = self._output = None
        self._raw_output = "" if output is None else output
        self._spawns = None
        self._error = None
        self._error_seen = False
        self.raw_error = None
        self.names = names
        self.history = None
        self.history_end = 0
        self._list_handlers = None
        self._sent = sent
        return self

    def _unflatten(self) -> None:
        sent = self._sent
        assert sent is not None
        process = self.process
        self._messages = [Message(m.target, m.tag_list[:-2], m.data, process, None, m.anchor) for m in sent]
        if self._spawns is None:
            self._spawns = []
        self._assignments = []
        if self._output is None:
            self._output = strip_ansi(self._raw_output) or ""
        self._sent = None

    @property
    def messages(self) -> list[Message]:
        if self._messages is None:
            self._unflatten()
        return self._messages  # type: ignore[return-value]

    @messages.setter
    def messages(self, value: list[Message]) -> None:
        if self._sent is not None:
            self._unflatten()
        self._messages = value

    @property
    def spawns(self) -> list[Message]:
        if self._spawns is None:
            self._spawns = []
        return self._spawns

    @spawns.setter
    def spawns(self, value: list[Message]) -> None:
        self._spawns = value

    @property
    def assignments(self) -> list[tuple[list[str], str]]:
        if self._assignments is None:
            self._unflatten()
        return self._assignments  # type: ignore[return-value]

    @assignments.setter
    def assignments(self, value: list[tuple[list[str], str]]) -> None:
        if self._sent is not None:
            self._unflatten()
        self._assignments = value

    @property
    def output(self) -> str:
        if self._output is None:
            self._output = strip_ansi(self._raw_output) or ""
        return self._output

    @output.setter
    def output(self, value: str) -> None:
        self._output = value

    @property
    def raw_output(self) -> str:
        return self._raw_output  # type: ignore[return-value]

    @raw_output.setter
    def raw_output(self, value: str) -> None:
        self._raw_output = value

    @property
    def error(self) -> str | None:
        self._error_seen = True
        return self._error

    @error.setter
    def error(self, value: str | None) -> None:
        self._error = value

    @property
    def ok(self) -> bool:
        self._error_seen = True
        return self._error is None

    def _name(self, address: str | None) -> str:
        if self.names and address in self.names:
            return self.names[address or ""]
        return short(address)

    def explain(self) -> str | None:
        """Why the message did nothing useful, when the result knows: the process's Lua error
        (first line and where), or that no handler but ``_default`` matched it."""
        if self._error is not None:
            action = self.message.get("Action")
            what = f"Action={action}" if action is not None else "a message"
            if self.message.cron:
                what = "a cron tick"
            return f"{self._name(self.process)} errored handling {what}: {_error_line(self._error)}"
        if self._list_handlers is not None:
            action = self.message.get("Action")
            names = self._list_handlers()
            listed = ", ".join(h for h in names if h not in ("_default", "_eval")) or "(none)"
            return f"no handler of {self._name(self.process)} matched Action={action}; handlers: {listed}"
        return None

    @property
    def reply(self) -> Message:
        """The one outbox message addressed to the sender of the handled message."""
        __tracebackhide__ = True
        to_sender = [m for m in self.messages if m.target == self.message.sender]
        if len(to_sender) == 1:
            return to_sender[0]
        what = "no message" if not to_sender else f"{len(to_sender)} messages"
        head = self.explain()
        raise ResultAssertionError(
            (f"{head}\n" if head else "")
            + f"expected exactly one reply to {self._name(self.message.sender)}, found {what}.\n"
            + self.describe()
        )

    def describe(self, *, history: bool = True) -> str:
        """The handled message, the error or output, the outbox and (with *history*) the
        deliveries that led here, with names for every known address."""
        lines = [f"handled: {self.message.describe(names=self.names)}"]
        if self._error is not None:
            lines.append(f"error: {_error_line(self._error)}")
            first, _ = error_summary(self._error)
            rest = [ln.rstrip() for ln in self._error.strip().splitlines()]
            rest = [ln for ln in rest if ln.strip() and first not in ln and ln.strip() not in ("error:",)]
            rest = [ln for ln in rest if not ln.startswith("Error handling message")]
            if any(ln.strip() != "stack traceback:" for ln in rest):
                lines.extend("    " + ln for ln in rest[-12:])
        if self.output:
            lines.append("output:")
            lines.extend("    " + ln for ln in self.output.splitlines()[:20])
        lines.append(f"outbox ({len(self.messages)} messages, {len(self.spawns)} spawns):")
        for i, m in enumerate(self.messages, 1):
            lines.append(f"  {i}. {m.describe(names=self.names)}")
        if history and self.history:
            lines.append("the deliveries that led here:")
            lines.append(format_trace(self.history[: self.history_end], self.names, limit=15))
        return "\n".join(lines)

    def __repr__(self) -> str:
        state = "error" if self._error is not None else "ok"
        return f"<Result {state}: {len(self.messages)} messages>"


@dataclass(eq=False, slots=True)
class Delivery:
    """One message handled by one process, in network order (an entry of ``Network.trace``)."""

    seq: int
    message: Message
    result: Result | None
    to_wallet: bool = False

    def describe(self, names: dict[str, str] | None = None) -> str:
        if names is None and self.result is not None:
            names = self.result.names
        mark = ""
        if self.result is not None and self.result._error is not None:
            mark = f"  !! ERROR: {_error_line(self.result._error)[:160]}"
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


def errors_report(failed: list[Delivery], trace: list[Delivery], names: dict[str, str] | None) -> str:
    """The failure text of a strict network: a header, one bullet per errored delivery (process
    name, message Action and sender, the Lua error's first line and where), then the trace."""
    n = len(failed)
    lines = [
        f"{n} {'delivery' if n == 1 else 'deliveries'} errored and the test never read "
        f"{'its error' if n == 1 else 'their errors'}. The network is strict: read `result.error` "
        "(or call assert_error(result)) for an error you expect, or mark the test "
        "@pytest.mark.ao(allow_errors=True) (Network(allow_errors=True))."
    ]
    for d in failed:
        assert d.result is not None
        r = d.result
        action = d.message.get("Action")
        what = "cron tick" if d.message.cron else (f"Action={action}" if action is not None else "no Action")
        lines.append(
            f"  - {r._name(r.process)}: {what} from {r._name(d.message.sender)} (#{d.seq}): "
            f"{_error_line(r._error or '')}"
        )
    lines.append("delivery trace:")
    lines.append(format_trace(trace, names))
    return "\n".join(lines)
