"""What tests look at: ``Message`` (one AO message), ``Result`` (one evaluation), ``Delivery``."""

from __future__ import annotations

import marshal
import re
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from sys import getrefcount
from typing import Any, overload
from weakref import WeakValueDictionary

from harness.errors import ResultAssertionError  # defined in harness.errors; importable from here too
from harness.ids import MU_ADDRESS, short

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
        "__weakref__",
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
        copy = Message(
            self.target, self.tag_list, self.data, self.sender, self.id, self.anchor, self.owner,
            self.timestamp, self.block_height, self.nonce, self.cron,
        )
        if changes:
            if not _FIELD_SET.issuperset(changes):
                fields = {name: getattr(self, name) for name in MESSAGE_FIELDS}
                fields.update(changes)
                return Message(**fields)  # (raises the TypeError naming the unknown field)
            for name, value in changes.items():
                setattr(copy, name, value)
        return copy

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


#: a message's fields in the order ``Message(...)`` takes them (and a compact record keeps them)
MESSAGE_FIELDS = (
    "target",
    "tag_list",
    "data",
    "sender",
    "id",
    "anchor",
    "owner",
    "timestamp",
    "block_height",
    "nonce",
    "cron",
)
_FIELD_SET = frozenset(MESSAGE_FIELDS)


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
        "__weakref__",
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


@dataclass(eq=False, slots=True, weakref_slot=True)
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
    if isinstance(deliveries, TraceView):  # only the shown deliveries are made from their records
        count = deliveries.kept
        shown = deliveries.tail(limit)
    else:
        items = list(deliveries)
        count = len(items)
        shown = items[-limit:] if limit > 0 else []
    head = [f"  ... {count - len(shown)} earlier deliveries"] if count > len(shown) else []
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


# -- the kept deliveries, as compact records -------------------------------------------------------

#: the newest deliveries stay objects; the older ones are packed this many at a time into one
#: record (``DeliveryLog``)
PACK_BATCH = 256

#: one message as a record: its fields in ``MESSAGE_FIELDS`` order
MessageRecord = tuple[Any, ...]


def _message_record(m: Message) -> MessageRecord:
    return (
        m.target, m.tag_list, m.data, m.sender, m.id, m.anchor, m.owner, m.timestamp, m.block_height,
        m.nonce, m.cron,
    )


def _result_record(r: Result) -> tuple[Any, ...]:
    """A successful result as a record: (process, raw output, output, the outbox as the MU queued it
    (target, tags, data, anchor) or None, messages, spawns, assignments (None: not made yet), and
    whether no handler but ``_default`` matched)."""
    sent = r._sent
    messages, spawns, assignments = r._messages, r._spawns, r._assignments
    return (
        r.process,
        r._raw_output,
        r._output,
        None if sent is None else tuple([(m.target, m.tag_list, m.data, m.anchor) for m in sent]),
        None if messages is None else tuple(map(_message_record, messages)),
        None if spawns is None else tuple(map(_message_record, spawns)),
        None if assignments is None else tuple((tuple(p), mid) for p, mid in assignments),
        r._list_handlers is not None,
    )


class _Batch:
    """PACK_BATCH deliveries packed: marshal bytes of one record per delivery (strings, tags and
    numbers that several of them share are stored once), and the deliveries kept as objects
    (an errored one, whose result strictness still tracks; one whose values marshal refuses)."""

    __slots__ = ("blob", "first", "kept")

    def __init__(self, first: int, blob: bytes, kept: dict[int, Delivery] | None) -> None:
        self.first, self.blob, self.kept = first, blob, kept


class DeliveryLog:
    """The deliveries a network keeps (``Network.trace``), in order, compactly.

    The newest deliveries are kept as they are; older ones are packed ``PACK_BATCH`` at a time into
    records, from which a ``Delivery`` (its ``Message`` and ``Result``) is made again when read.
    Identity holds while anyone holds the object: a delivery, result or message still referenced
    somewhere comes back as that very object (a weak cache by sequence number); one nobody holds is
    made again, equal in every field.  Errored deliveries stay objects (strict mode reads whether
    their error was looked at)."""

    __slots__ = (
        "_batches",
        "_decoded",
        "_deliveries",
        "_dropped",
        "_hint",
        "_history",
        "_hot",
        "_hot_start",
        "_messages",
        "_names",
        "_orphan_chunks",
        "_orphan_seqs",
        "_results",
    )

    def __init__(self, names: dict[str, str], history: Any, hint: Callable[[str], Any]) -> None:
        self._names, self._history, self._hint = names, history, hint
        self._batches: list[_Batch] = []
        #: the newest deliveries, as objects: delivery ``_hot_start`` first
        self._hot: list[Delivery] = []
        self._hot_start = 1
        #: deliveries no longer kept (#1 to #_dropped)
        self._dropped = 0
        #: the deliveries no longer kept whose message a mailbox still lists (ascending)
        self._orphan_seqs: array[int] = array("q")
        #: their message records, one chunk per cut of the trace (ascending, disjoint): the seqs
        #: of the chunk and their records packed in that order.  A chunk may still hold records
        #: no mailbox lists any more, until they are half of it (then it is packed again)
        self._orphan_chunks: list[tuple[array[int], bytes]] = []
        #: the last decoded batches: blob -> records
        self._decoded: dict[bytes, tuple[Any, ...]] = {}
        self._deliveries: WeakValueDictionary[int, Delivery] = WeakValueDictionary()
        self._results: WeakValueDictionary[int, Result] = WeakValueDictionary()
        self._messages: WeakValueDictionary[int, Message] = WeakValueDictionary()

    def copy(self, names: dict[str, str], history: Any, hint: Callable[[str], Any]) -> DeliveryLog:
        """The same deliveries for another network (packed records are shared, caches are not)."""
        twin = DeliveryLog(names, history, hint)
        twin._batches = list(self._batches)
        twin._hot, twin._hot_start, twin._dropped = list(self._hot), self._hot_start, self._dropped
        twin._orphan_seqs, twin._orphan_chunks = array("q", self._orphan_seqs), list(self._orphan_chunks)
        return twin

    @property
    def total(self) -> int:
        """How many deliveries were made (kept or not)."""
        return self._hot_start + len(self._hot) - 1

    @property
    def dropped(self) -> int:
        return self._dropped

    def last(self) -> Delivery:
        return self._hot[-1]

    def append(self, d: Delivery) -> None:
        hot = self._hot
        hot.append(d)
        if len(hot) >= 2 * PACK_BATCH:
            self._pack()

    def view(self, end: int | None = None) -> TraceView:
        """The deliveries as of now (up to #*end*), as ``Network.trace`` gives them."""
        total = self.total
        return TraceView(self, list(self._batches), list(self._hot), self._hot_start, self._dropped,
                         total if end is None else min(end, total))

    # -- packing ---------------------------------------------------------------------------------

    def _pack(self) -> None:
        chunk = self._hot[:PACK_BATCH]
        kept: dict[int, Delivery] = {}
        records: list[Any] = []
        add = records.append
        for d in chunk:
            m, r = d.message, d.result
            message = (
                m.target, m.tag_list, m.data, m.sender, m.id, m.anchor, m.owner, m.timestamp,
                m.block_height, m.nonce, m.cron,
            )
            if r is None:
                add((message, None))
            elif r._error is None:
                add((message, _result_record(r)))
            else:  # errored: strictness reads whether the test looked at it
                kept[d.seq] = d
                add(None)
        try:
            blob = marshal.dumps(tuple(records))
        except ValueError:  # a value marshal does not take: that delivery stays an object
            for i, rec in enumerate(records):
                try:
                    marshal.dumps(rec)
                except ValueError:
                    kept[chunk[i].seq] = chunk[i]
                    records[i] = None
            blob = marshal.dumps(tuple(records))
        self._batches.append(_Batch(self._hot_start, blob, kept or None))
        del self._hot[:PACK_BATCH]
        self._hot_start += PACK_BATCH
        d = m = r = records = None  # type: ignore[assignment]
        self._keep_held(chunk, kept)

    def _keep_held(self, chunk: list[Delivery], kept: dict[int, Delivery]) -> None:
        """Put in the weak caches the objects of *chunk* (let go by the log) that something else
        still holds, so that reading them again gives those very objects.  A reference count
        above what the log and this loop hold means a holder elsewhere (a test, a view, a list
        ``run()`` returned); a false alarm only costs a cache entry."""
        count = getrefcount
        held: list[Delivery] = []
        for d in chunk:  # held: `chunk`, `d` and count's argument
            if count(d) > 3 and d.seq not in kept:
                held.append(d)
                continue
            r = d.result
            if r is not None:  # held: `d.result`, `r`, count's argument
                if count(r) > 3:
                    self._results[d.seq] = r
                elif r._error is None:
                    r._sent = None  # dies with this chunk: its outbox pins no message below
        for d in chunk:
            m = d.message  # held: `d.message`, `r.message`, `m`, count's argument
            if count(m) > (3 if d.result is None else 4) and d.seq not in kept:
                self._messages[d.seq] = m
        for d in held:
            self._deliveries[d.seq] = d
            self._messages[d.seq] = d.message
            if d.result is not None:
                self._results[d.seq] = d.result

    def drop_to(self, dropped: int, mailboxed: Iterable[int]) -> None:
        """Keep no delivery up to #*dropped* but the messages of those listed in *mailboxed*."""
        seqs = array("q", sorted(mailboxed))
        listed = set(seqs)
        decoded = self._decoded
        # the chunks of earlier cuts: kept while a mailbox lists one of theirs, packed again once
        # what no mailbox lists is more than half of one
        chunks = []
        for chunk_seqs, blob in self._orphan_chunks:
            kept = listed.intersection(chunk_seqs)
            if 2 * len(kept) < len(chunk_seqs):
                records = decoded.pop(blob, None) or marshal.loads(blob)
                if not kept:
                    continue
                by_seq = dict(zip(chunk_seqs, records, strict=True))
                chunk_seqs = array("q", sorted(kept))
                blob = marshal.dumps(tuple(map(by_seq.__getitem__, chunk_seqs)))
            chunks.append((chunk_seqs, blob))
        # the messages orphaned by this cut: listed, and kept until now
        new = seqs[bisect_right(seqs, self._dropped) :]
        if new:
            records = []
            for seq in new:
                if seq >= self._hot_start:
                    m = self._hot[seq - self._hot_start].message
                    self._messages[seq] = m
                    records.append(_message_record(m))
                else:
                    found = self._record(seq, self._batches)
                    rec = _message_record(found.message) if found.__class__ is Delivery else found[0]  # type: ignore[union-attr,index]
                    records.append(rec)
            chunks.append((new, marshal.dumps(tuple(records))))
        self._orphan_seqs, self._orphan_chunks = seqs, chunks
        self._dropped = dropped
        batches = self._batches
        gone = 0
        while gone < len(batches) and batches[gone].first + PACK_BATCH - 1 <= dropped:
            self._decoded.pop(batches[gone].blob, None)
            gone += 1
        del batches[:gone]
        if dropped >= self._hot_start:
            del self._hot[: dropped - self._hot_start + 1]
            self._hot_start = dropped + 1

    def truncate(self, total: int) -> list[Delivery]:
        """Forget the deliveries after #*total* (the newest ones, still objects); returns them."""
        start = max(total + 1 - self._hot_start, 0)  # (those no longer kept stay counted)
        gone = self._hot[start:]
        del self._hot[start:]
        for d in gone:
            self._deliveries.pop(d.seq, None)
            self._results.pop(d.seq, None)
            self._messages.pop(d.seq, None)
        return gone

    # -- reading ---------------------------------------------------------------------------------

    def _record(self, seq: int, batches: list[_Batch]) -> tuple[Any, ...] | Delivery:
        batch = batches[(seq - batches[0].first) // PACK_BATCH]
        if batch.kept is not None and seq in batch.kept:
            return batch.kept[seq]
        records = self._decoded.get(batch.blob)
        if records is None:
            if len(self._decoded) >= 2:
                self._decoded.clear()
            records = self._decoded[batch.blob] = marshal.loads(batch.blob)
        return records[seq - batch.first]  # type: ignore[no-any-return]

    def get(self, seq: int, batches: list[_Batch] | None = None, hot: list[Delivery] | None = None,
            hot_start: int = 0) -> Delivery:
        """Delivery #*seq* (kept), from the log as of now or as a view saw it."""
        if hot is None:
            hot, hot_start = self._hot, self._hot_start
        if seq >= hot_start:
            return hot[seq - hot_start]
        d = self._deliveries.get(seq)
        if d is not None:
            return d
        rec = self._record(seq, self._batches if batches is None else batches)
        if rec.__class__ is Delivery:
            return rec  # type: ignore[return-value]
        message_rec, result_rec = rec  # type: ignore[misc]
        r = None if result_rec is None else self._results.get(seq)
        m = r.message if r is not None else self._messages.get(seq)
        if m is None:
            m = self._messages[seq] = Message(*message_rec)
        if result_rec is not None and r is None:
            r = self._results[seq] = self._result(seq, result_rec, m)
        d = self._deliveries[seq] = Delivery(seq, m, r, result_rec is None)
        return d

    def message(self, seq: int) -> Message:
        """The message of delivery #*seq* (kept, or listed in a mailbox)."""
        if seq >= self._hot_start:
            return self._hot[seq - self._hot_start].message
        m = self._messages.get(seq)
        if m is not None:
            return m
        rec = self._orphan(seq) if seq <= self._dropped else None
        if rec is not None:
            m = self._messages[seq] = Message(*rec)
            return m
        return self.get(seq).message

    def _orphan(self, seq: int) -> MessageRecord | None:
        """The message record of delivery #*seq*, no longer kept, that a mailbox still lists."""
        seqs = self._orphan_seqs
        i = bisect_left(seqs, seq)
        if i == len(seqs) or seqs[i] != seq:
            return None
        chunks = self._orphan_chunks
        k = 0
        while chunks[k][0][-1] < seq:  # (the chunk holding it: they ascend)
            k += 1
        chunk_seqs, blob = chunks[k]
        records = self._decoded.get(blob)
        if records is None:
            if len(self._decoded) >= 2:
                self._decoded.clear()
            records = self._decoded[blob] = marshal.loads(blob)
        return records[bisect_left(chunk_seqs, seq)]  # type: ignore[no-any-return]

    def message_id(self, seq: int) -> str | None:
        """The id of delivery #*seq*'s message, without making objects."""
        if seq >= self._hot_start:
            return self._hot[seq - self._hot_start].message.id
        rec = self._record(seq, self._batches)
        return rec.message.id if rec.__class__ is Delivery else rec[0][4]  # type: ignore[union-attr,index]

    def _result(self, seq: int, rec: tuple[Any, ...], message: Message) -> Result:
        process, raw_output, output, sent, messages, spawns, assignments, only_default = rec
        r = Result.__new__(Result)
        r.process = process
        r.message = message
        r._sent = None if sent is None else [
            Message(target, tags, data, process, None, anchor, MU_ADDRESS)
            for target, tags, data, anchor in sent
        ]
        r._messages = None if messages is None else [Message(*m) for m in messages]
        r._spawns = None if spawns is None else [Message(*m) for m in spawns]
        r._assignments = None if assignments is None else [(list(p), mid) for p, mid in assignments]
        r._output = output
        r._raw_output = raw_output
        r._error = None
        r._error_seen = False
        r.raw_error = None
        r.names = self._names
        r.history = self._history
        r.history_end = seq
        r._list_handlers = self._hint(process) if only_default else None
        return r


class TraceView(Sequence[Delivery]):
    """The deliveries a network has made (as of one moment), indexed by their place in the whole
    trace (index ``i`` is delivery ``#i+1``): ``len()`` counts every delivery, the earliest of
    which may no longer be kept (``Network(trace_limit=...)``); iterating gives the kept ones."""

    __slots__ = ("_batches", "_dropped", "_end", "_hot", "_hot_start", "_log")

    def __init__(self, log: DeliveryLog, batches: list[_Batch], hot: list[Delivery], hot_start: int,
                 dropped: int, end: int) -> None:
        self._log, self._batches, self._hot, self._hot_start = log, batches, hot, hot_start
        self._dropped, self._end = dropped, end

    def __len__(self) -> int:
        return self._end

    @property
    def kept(self) -> int:
        """How many of these deliveries are still kept."""
        return max(self._end - self._dropped, 0)

    def _at(self, seq: int) -> Delivery:
        return self._log.get(seq, self._batches, self._hot, self._hot_start)

    @overload
    def __getitem__(self, index: int) -> Delivery: ...
    @overload
    def __getitem__(self, index: slice) -> list[Delivery]: ...
    def __getitem__(self, index: int | slice) -> Delivery | list[Delivery]:
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            return [self._at(i + 1) for i in range(start, stop, step) if i >= self._dropped]
        i = index + len(self) if index < 0 else index
        if not 0 <= i < len(self):
            raise IndexError(f"trace index {index} out of range ({len(self)} deliveries)")
        if i < self._dropped:
            raise IndexError(
                f"delivery #{i + 1} is no longer kept: the network keeps its last deliveries only "
                "(Network(trace_limit=...))"
            )
        return self._at(i + 1)

    def __iter__(self) -> Iterator[Delivery]:
        at = self._at
        for seq in range(self._dropped + 1, self._end + 1):
            yield at(seq)

    def tail(self, n: int) -> list[Delivery]:
        """The last *n* kept deliveries."""
        start = max(self._end - max(n, 0), self._dropped) + 1
        return [self._at(seq) for seq in range(start, self._end + 1)]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, TraceView):
            return list(self) == list(other)
        return isinstance(other, list) and list(self) == other

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<TraceView of {len(self)} deliveries, {self.kept} kept>"
