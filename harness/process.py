"""``Process``: the test's handle on one spawned AO process."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from harness.convert import to_python
from harness.errors import InputError
from harness.lua_state import LuaProcessState
from harness.messages import Message, Result

if TYPE_CHECKING:
    from harness.network import Network


class LuaGlobals(Mapping[str, Any]):
    """Read-only view of a process's Lua globals, converted to Python values on access.

    Globals are read raw: no ``__index`` metamethod of ``_G`` runs (a process's looping or
    erroring one cannot hang or break the test)."""

    def __init__(self, state: LuaProcessState, raw: Callable[[str], Any]) -> None:
        self._state = state
        self._raw = raw

    def __getitem__(self, name: str) -> Any:
        value = self._raw(name)
        if value is None:
            raise KeyError(name)
        return to_python(value, items=self._state.items)

    def get(self, name: str, default: Any = None) -> Any:  # type: ignore[override]
        value = self._raw(name)
        return default if value is None else to_python(value, items=self._state.items)

    def __iter__(self) -> Iterator[str]:
        return self._state.global_names()

    def __len__(self) -> int:
        return sum(1 for _ in self._state.global_names())

    def __repr__(self) -> str:
        return f"<LuaGlobals of {self._state.spec.id}>"


def _tag_dict(tags: Any, where: str) -> dict[str, Any]:
    """*tags* (a mapping, or None) as a new dict; anything else is one clear line."""
    if tags is None:
        return {}
    if not isinstance(tags, Mapping):
        raise InputError(
            f"{where}: tags must be a mapping of tag names to string values, got "
            f"{type(tags).__name__} {tags!r:.60}; e.g. send({{'Action': 'Ping'}}) or send(Action='Ping')"
        )
    return dict(tags)


def _inbox_message(m: dict[str, Any]) -> Message:
    """An ``Inbox`` entry, converted, as a ``Message`` (tags from ``TagArray``, else ``Tags``)."""
    arr = m.get("TagArray") or m.get("Tags")
    if isinstance(arr, list):
        tag_list = [(t.get("name"), t.get("value")) for t in arr if isinstance(t, dict)]
    else:
        tag_list = list(arr.items()) if isinstance(arr, dict) else []
    return Message(
        target=m.get("Target"),
        tag_list=tuple(tag_list),
        data=m.get("Data"),
        sender=m.get("From"),
        id=m.get("Id"),
        owner=m.get("Owner"),
        timestamp=m.get("Timestamp"),
    )


class Process:
    """A spawned process.  Create with ``Network.spawn``; never directly."""

    def __init__(
        self,
        network: Network,
        *,
        pid: str,
        owner: str,
        name: str,
        state: LuaProcessState,
        tags: tuple[tuple[str, str], ...],
        path: str | None,
        module: str,
    ) -> None:
        self._network = network
        self.id = pid
        self.owner = owner
        self.name = name
        self.path = path
        self.module = module
        self.spawn_tags = tags
        self._state = state
        self.nonce = 0
        #: (Timestamp, Block-Height) of the last message evaluated here (a dry-run's clock)
        self._evaluated_at: tuple[int, int] | None = None
        #: (globals table, the rawget found in it without metamethods) of the current Lua state
        self._rawget: tuple[Any, Any] | None = None
        #: (spawn_tags, the cron tick's tags made from them), kept for the next tick
        self._cron_tags: tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]] | None = None

    def __repr__(self) -> str:
        return f"<Process {self.name} {self.id}>"

    # -- messages ----------------------------------------------------------------------------

    def send(
        self,
        tags: Mapping[str, Any] | None = None,
        *,
        sender: str | Process | None = None,
        data: Any = "",
        **more_tags: Any,
    ) -> Result:
        """Send a message to this process and handle it at once; its outbox is queued for
        ``Network.run()``.  *sender* is a wallet address or a ``Process`` (the message then
        arrives as one pushed by the MU from that process); it defaults to the owner."""
        if tags.__class__ is not dict or more_tags:  # (a dict alone is only read, never kept)
            tags = _tag_dict(tags, f"message to {self.name}")
            tags.update(more_tags)
        return self._network.send(self, tags, sender=sender, data=data)  # type: ignore[arg-type]

    def eval(self, code: str, *, sender: str | Process | None = None) -> Result:
        """Send ``Action = Eval`` with *code* as Data (from the owner unless *sender* is given)."""
        return self._network.send(self, {"Action": "Eval"}, sender=sender, data=code)

    def deliver(self, message: Message, *, pushed_by: str | Process | None = None) -> Result:
        """Evaluate *message* here now, exactly as given: for messages ``send`` never builds (a
        forged ``From``, another ``Target``, a chosen ``Owner``).  ``From`` is
        ``message.sender`` (default: the owner), ``Owner`` is ``message.owner`` (default: the MU
        when *pushed_by* (a process or its id) says the MU pushed it, else the sender); the
        network gives it an ``Id`` if it has none, and the time, height and nonce.  No tag is
        added.  Its outbox is queued for ``Network.run()``."""
        return self._network.deliver(self, message, pushed_by=pushed_by)

    def dryrun(
        self,
        tags: Mapping[str, Any] | None = None,
        *,
        sender: str | Process | None = None,
        data: Any = "",
        **more_tags: Any,
    ) -> Result:
        """Evaluate a message read-only, the way aoconnect's ``dryrun`` and the CU build it:
        ``Id = Owner = "1234"``, ``Anchor = "0"``, ``Data = "1234"`` when *data* is empty, the
        caller's tags then ``Data-Protocol``, ``Type = Message`` and ``Variant``; ``Read-Only =
        true``, ``Cron = false``, ``Timestamp``/``Block-Height`` of the process's last evaluated
        message, ``From`` = a ``From-Process`` tag if given, else ``Owner``.  *sender* (a wallet
        address or a ``Process``, whose id is used) sets ``Owner``, as aoconnect lets the caller
        do.  Nothing it does persists and its outbox is never delivered."""
        all_tags = _tag_dict(tags, f"dry-run of {self.name}")
        all_tags.update(more_tags)
        return self._network.dryrun(self, all_tags, sender=sender, data=data)

    def cron(self, tags: Mapping[str, str] | None = None) -> Result:
        """Deliver one cron tick now (no Id, no Data, ``Cron = true``, From = Owner = owner)."""
        return self._network.cron(self, tags)

    # -- state -------------------------------------------------------------------------------

    @property
    def globals(self) -> LuaGlobals:
        """The process's Lua globals as a read-only mapping of Python values."""
        return LuaGlobals(self._state, self._raw_global)

    def _raw_global(self, name: str | bytes) -> Any:
        """The global *name*, read without running any metamethod of ``_G``."""
        text = name
        if isinstance(name, str) and not name.isascii():
            # a name iteration gave with surrogate escapes (bytes that are not UTF-8) is those bytes
            name = name.encode("utf-8", "surrogateescape")
        table = self._state.globals_table()
        try:
            if self._rawget is None or self._rawget[0] is not table:
                found = next((v for k, v in table.items() if k == "rawget"), None)  # lua_next: raw
                if not callable(found):  # the process dropped it: look the name up the slow way
                    return next((v for k, v in table.items() if k == text), None)
                self._rawget = (table, found)
            return self._rawget[1](table, name)
        except UnicodeDecodeError:  # a string that is not UTF-8 (its own, or another global's)
            return self._state.raw_global(name)

    @property
    def inbox(self) -> list[Message]:
        """The process's ``Inbox`` (unhandled messages), as ``Message`` objects."""
        raw = self._raw_global("Inbox")
        out: list[Message] = []
        if raw is None:
            return out
        for i in range(1, len(raw) + 1):
            m = to_python(raw[i], items=self._state.items)
            if isinstance(m, dict):  # (an entry that is not a message table is no Message)
                out.append(_inbox_message(m))
        return out

    def snapshot(self, *names: str) -> str:
        """A canonical text of the named globals (default: every capitalised global that is the
        process's own state, not the aos runtime's).  Equal snapshots mean equal state, so
        ``before == p.snapshot()`` checks that a message changed nothing.

        Snapshots are cached until something may change the state (a handled message, a
        rollback or rebuild, an Eval, a loaded file), so repeated checks of a process that
        received nothing cost nothing.  Changing state through the raw runtime (``lua``) is not
        tracked: once ``lua`` is taken, this process's snapshots are never cached."""
        return self._state.snapshot(names)

    @property
    def handlers(self) -> list[str]:
        """Names in ``Handlers.list``, in order."""
        return self._state.handler_names()

    @property
    def handler_matches(self) -> dict[str, int]:
        """How many messages each handler matched so far (rolled-back ones included)."""
        return self._state.match_counts()

    @property
    def rebuilds(self) -> int:
        """How many times the harness rebuilt this process's Lua state by replaying its log
        (after a rolled-back message or a dry-run)."""
        return self._state.rebuilds

    @property
    def version(self) -> int | None:
        """A number that changes whenever this process's state may have changed (a message, an
        Eval, a rollback): a test may cache values it read against it.  ``None`` once ``lua``
        was taken (changes made through the raw runtime are not tracked)."""
        return self._state.version

    @property
    def lua(self) -> Any:
        """The underlying ``lupa`` runtime (for advanced inspection; do not mutate state)."""
        return self._state.lua

    @property
    def lua_version(self) -> str:
        return self._state.lua_version
