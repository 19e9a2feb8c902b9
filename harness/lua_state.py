"""One process's Lua state: boot our aos layer, handle messages, roll back errors by replay.

AO computes a process's state by replaying its message log; an erroring message is dropped from
that log (docs/aos-semantics.md §1.4).  We do the same: every successful message is kept, and when
a message errors the Lua state is thrown away and rebuilt lazily, on next use, by replaying the log
into a fresh state.  Messages that succeed cost nothing extra.  A dry-run records what process code
could change and puts it back afterwards (env/dryrun.lua); only when that cannot be done (a handler
waiting in ``Receive``, coverage recording, a guard stopping the dry-run) is the state discarded.
"""

from __future__ import annotations

import _thread
import copy
import functools
import marshal
import os
import re
import struct
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from harness import chunks
from harness.convert import to_python
from harness.coverage import collector as _coverage
from harness.errors import HarnessError, NonUTF8Warning, ReplayDivergenceError, StateLost
from harness.lua_versions import lua_errors, lua_memory_errors, lupa_module, normalise
from harness.profiles import Profile

DEFAULT_BUDGET = 20_000_000
DEFAULT_MEMORY = 512 * 1024 * 1024
#: Wall-clock seconds one message may run before the watchdog ends it.
DEFAULT_TIMEOUT = 30.0
#: Room above the memory cap for what the harness itself allocates around a message (lupa's
#: argument pushing and result conversion run outside Lua's error handling: an allocation
#: failure there would abort Python).
MEMORY_HEADROOM = 16 * 1024 * 1024
#: Spare Lua runtimes a state keeps for its next clones (``LuaProcessState.release``); more are
#: let go (each holds a whole Lua state, ~1 MB for a TIM3 process)
MAX_SPARES = 4
#: a Data string longer than this gets room of its own under the hard memory cap (``_fit_memory``)
_BIG_DATA = MEMORY_HEADROOM // 8
#: the position a Lua error starts with (`[string "bridge.snapshot"]:39: `)
_POSITION = re.compile(r'^\[string "[^"]*"\]:\d+: ')
#: the harness package's directory (a warning names the first caller outside it)
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


@dataclass(frozen=True)
class ProcessSpec:
    """What a Lua state needs to know about its process (``env.Process``, docs/aos-semantics.md §1.2)."""

    id: str
    owner: str
    module: str
    tags: tuple[tuple[str, str], ...]
    search_dirs: tuple[tuple[str, str], ...] = ()
    #: a readable process name (coverage tables group handler counts by it)
    label: str = ""


class RawResult:
    """``process.handle``'s result, flattened: ``ok`` or an error text.  A successful one keeps
    the bridge's flat tuple (*flat*) and makes ``messages``/``spawns``/``assignments`` from it
    when they are read."""

    __slots__ = ("_parts", "error", "flat", "ok", "output")

    def __init__(
        self, ok: bool, error: str | None = None, output: Any = None, flat: tuple[Any, ...] | None = None
    ) -> None:
        self.ok = ok
        self.error = error
        self.output = output
        self.flat = flat
        self._parts: tuple[list[Any], list[Any], list[Any]] | None = None

    def _parsed(self) -> tuple[list[Any], list[Any], list[Any]]:
        if self._parts is None:
            self._parts = _outbox(self.flat) if self.ok and self.flat is not None else ([], [], [])
        return self._parts

    @property
    def messages(self) -> list[tuple[Any, Any, Any, list[tuple[Any, Any]]]]:
        return self._parsed()[0]

    @property
    def spawns(self) -> list[tuple[Any, Any, list[tuple[Any, Any]]]]:
        return self._parsed()[1]

    @property
    def assignments(self) -> list[tuple[list[Any], Any]]:
        return self._parsed()[2]

    def __repr__(self) -> str:
        return f"RawResult(ok={self.ok!r}, error={self.error!r}, output={self.output!r})"


def _deny_attributes(obj: object, name: object, is_setting: bool) -> object:
    """lupa attribute filter: process Lua never reads or writes a Python object's attributes."""
    raise AttributeError(f"Lua code cannot access Python attribute {name!r}")


@functools.cache
def _profile_config(profile: Profile) -> dict[str, object]:
    return profile.lua_config()


#: the statuses of a successful flat result: "only-default" when no handler but ``_default``
#: matched the message (the bridge's flatten, harness/lua/bridge/message.lua)
_SUCCESS = frozenset({"ok", "only-default"})


def _parse(flat: tuple[Any, ...] | Any) -> RawResult:
    if flat.__class__ is not tuple:
        flat = (flat,)
    if flat[0] not in _SUCCESS:
        return RawResult(False, str(flat[1]) if len(flat) > 1 else "unknown error")
    return RawResult(True, None, flat[1], flat)


def _outbox(flat: tuple[Any, ...]) -> tuple[list[Any], list[Any], list[Any]]:
    """The messages, spawns and assignments of a successful flat result."""
    messages: list[Any] = []
    spawns: list[Any] = []
    assignments: list[Any] = []
    n_msgs, n_spawns, n_assigns = flat[2], flat[3], flat[4]
    i = 5
    # (a text where a count belongs says what an entry the MU cannot carry is: bridge/message.lua)
    for _ in range(n_msgs):
        target, data, anchor, ntags = flat[i : i + 4]
        i += 4
        tags: list[tuple[Any, Any]] | str = ntags
        if ntags.__class__ is int:
            end = i + 2 * ntags
            tags = list(zip(flat[i:end:2], flat[i + 1 : end : 2], strict=True))
            i = end
        messages.append((target, data, anchor, tags))
    for _ in range(n_spawns):
        data, anchor, ntags = flat[i], flat[i + 1], flat[i + 2]
        i += 3
        tags = ntags
        if ntags.__class__ is int:
            tags = [(flat[i + 2 * j], flat[i + 2 * j + 1]) for j in range(ntags)]
            i += 2 * ntags
        spawns.append((data, anchor, tags))
    for _ in range(n_assigns):
        nprocs = flat[i]
        procs: list[Any] | str = nprocs
        if nprocs.__class__ is int:
            procs = list(flat[i + 1 : i + 1 + nprocs])
            i += nprocs
        i += 1
        assignments.append((procs, flat[i]))
        i += 1
    return messages, spawns, assignments


# Lua's text for a table, function, ... carries its address, which differs from one Lua state to
# the next: a result that differs only in such addresses (`print(tostring({}))`) is the same result.
_ADDRESS = re.compile(r"0x[0-9a-fA-F]+")
_PARTS = ("output", "outbox (messages, spawns or assignments)")


def _stable(text: str) -> int:
    return hash(_ADDRESS.sub("0x", text) if "0x" in text else text)


_PACK = struct.Struct("<qq")
#: the digest of a failed message
FAILED = b""


#: the values of a flat result whose hash is stable within a run and tells them apart (floats are
#: not: NaN's hash is its identity; True hashes as 1)
_PLAIN = frozenset({str, int, type(None)})


def _digest(flat: tuple[Any, ...] | Any) -> bytes:
    """A cheap fingerprint of one message's flattened result, kept per logged message (16 bytes):
    empty when it failed, else a hash of its output and one of the rest.  Strings, integers and
    nil hash as they are; a result with anything else, or with a Lua address ("0x...") in a
    string, hashes its repr with the addresses taken out (lupa objects and NaN show as stable
    text there).  The same result always takes the same way, so a replay compares like with like."""
    if flat.__class__ is not tuple:
        flat = (flat,)
    if flat[0] not in _SUCCESS:
        return FAILED
    for x in flat:
        c = x.__class__
        if c is str:
            if "0x" in x:
                break
        elif c not in _PLAIN:
            break
    else:
        return _PACK.pack(hash(flat[1:2]), hash(flat[2:]))
    return _PACK.pack(_stable(repr(flat[1:2])), _stable(repr(flat[2:])))


#: logged messages are packed in batches of this many (the newest batch stays as tuples)
PACK_EVERY = 512


def _pack_entry(args: tuple[Any, ...], digest: bytes) -> bytes | tuple[str, tuple[Any, ...], bytes]:
    """One logged message, compact: marshal keeps strings and numbers exactly (a value marshal
    does not take keeps the tuple)."""
    try:
        return marshal.dumps((args, digest))
    except ValueError:
        return ("handle", args, digest)


def _unpack_entry(entry: bytes | tuple[str, tuple[Any, ...], bytes | None]) -> tuple[str, Any, Any]:
    if entry.__class__ is bytes:
        args, digest = marshal.loads(entry)  # type: ignore[arg-type]
        return "handle", args, digest
    return entry  # type: ignore[return-value]


def _describe(args: tuple[Any, ...]) -> str:
    tags = dict(zip(args[13::2], args[14::2], strict=False))
    action = tags.get("Action")
    text = f"id {args[0]}" if args[0] else "a cron tick"
    return text + (f", Action {action}" if action else "")


def message_args(
    *,
    id: str | None,
    sender: str | None,
    owner: str | None,
    target: str | None,
    data: Any,
    timestamp: int,
    block_height: int,
    nonce: int | None,
    anchor: str | None,
    cron: bool,
    read_only: bool,
    forwarded_by: str | None,
    tags: Iterable[tuple[Any, Any]],
) -> tuple[Any, ...]:
    """The argument tuple of the Lua bridge's ``handle`` for one CU message (docs/aos-semantics.md
    §3.1).  Cron ticks and dry-runs carry no ``Nonce`` or ``Epoch`` (no SU assignment); a dry-run
    has ``Cron = false``."""
    unscheduled = cron or read_only
    head = (
        id,
        sender,
        owner,
        target,
        None if cron else ("" if data is None else data),
        timestamp,
        block_height,
        None if unscheduled else (nonce or 0),
        None if unscheduled else 0,
        anchor,
        bool(cron),  # the CU sends Cron and Read-Only on every message, false or true
        bool(read_only),
        forwarded_by,
    )
    return head + tuple(x for tag in tags for x in tag)


#: The start of a bridge error that asks for the thread watchdog (guard.lua's ESCALATE).
ESCALATE = "harness: needs the thread watchdog: "
#: Extra seconds the thread watchdog waits beyond the timeout (the Lua hook ends a Lua-level
#: runaway itself at the timeout; the watchdog is for what runs inside C).
TIMEOUT_GRACE = 0.5
#: C stack of the thread that runs Lua (deep pattern recursion, LuaJIT coroutines).
WORKER_STACK = 64 * 1024 * 1024
#: (worker, Lua state) of each call that overran: the state is kept alive while its worker runs
#: in it (freeing it then would crash) and let go once the worker is done.
_ABANDONED: list[tuple[Any, Any]] = []


class _Worker:
    """A thread that runs Lua calls, so that a call stuck inside C can be left behind."""

    def __init__(self) -> None:
        self._req = _thread.allocate_lock()
        self._req.acquire()
        self._done = _thread.allocate_lock()
        self._done.acquire()
        self._job: tuple[Callable[..., Any], tuple[Any, ...]] | None = None
        self._result: Any = None
        self._exc: BaseException | None = None
        old = threading.stack_size(WORKER_STACK)
        try:
            threading.Thread(target=self._loop, name="ao-harness-lua", daemon=True).start()
        finally:
            threading.stack_size(old)

    def _loop(self) -> None:
        while True:
            self._req.acquire()
            job = self._job
            assert job is not None
            self._job = None
            try:
                self._result, self._exc = job[0](*job[1]), None
            except BaseException as exc:  # handed to the waiting thread
                self._result, self._exc = None, exc
            self._done.release()

    def call(self, fn: Callable[..., Any], args: tuple[Any, ...], timeout: float) -> tuple[bool, Any]:
        """``(True, result)``, or ``(False, None)`` when *timeout* passed first; the call's own
        exception is re-raised here."""
        self._job = (fn, args)
        self._req.release()
        if not self._done.acquire(timeout=timeout):
            return False, None
        result, exc = self._result, self._exc
        self._result = self._exc = None
        if exc is not None:
            raise exc
        return True, result




_worker: _Worker | None = None
_worker_lock = threading.Lock()


def _watched(fn: Callable[..., Any], args: tuple[Any, ...], timeout: float) -> tuple[bool, Any]:
    """Run ``fn(*args)`` on the worker thread; ``(False, None)`` if it overran *timeout* seconds
    (the worker is then left to it and a new one serves the next call)."""
    global _worker
    with _worker_lock:
        if _worker is None:
            _worker = _Worker()
        worker = _worker
        try:
            done, result = worker.call(fn, args, timeout)
        except (*lua_errors(), UnicodeDecodeError):
            raise  # the call itself failed; the worker is free
        except BaseException:
            _worker = None  # interrupted (Ctrl-C) while the worker runs: leave it behind
            raise
        if not done:
            _worker = None
            _ABANDONED[:] = [(w, lua) for w, lua in _ABANDONED if w._done.locked()]
            _ABANDONED.append((worker, None))
        return done, result


def _coverage_forget(bridge: Any) -> None:
    """Stop coverage from reading an abandoned state (its lines so far are lost)."""
    col = _coverage.current()
    live = getattr(col, "_live", None)
    if isinstance(live, dict):
        for key, tracked in list(live.items()):
            if getattr(tracked, "bridge", None) is bridge:
                del live[key]


class _Spare:
    """A released clone's Lua runtime, kept for the next clone of the same source."""

    __slots__ = ("bridge", "clean", "collect", "globals", "lua", "matches")

    def __init__(self, lua: Any, globals: Any, bridge: Any, matches: Any, collect: Any, clean: bool) -> None:
        self.lua, self.globals, self.bridge = lua, globals, bridge
        self.matches, self.collect = matches, collect
        #: no message, dry-run or preload ran in it since it was last reset: nothing to put back
        self.clean = clean


class LuaProcessState:
    """The Lua side of one process, with replay-based rollback."""

    def __init__(
        self,
        spec: ProcessSpec,
        *,
        lua: str,
        profile: Profile,
        budget: int | None = DEFAULT_BUDGET,
        memory: int | None = DEFAULT_MEMORY,
        pairs_seed: int | None = None,
        timeout: float | None = DEFAULT_TIMEOUT,
        keep_log: bool = True,
    ) -> None:
        self.spec = spec
        #: False (``Network(replay_log=False)``): no message log is kept, so nothing can rebuild
        #: this state: a message that errors (its changes are rolled back by a rebuild), a dry-run
        #: that cannot be undone in place and ``clone`` raise ``StateLost`` instead
        self.keep_log = keep_log
        #: messages handled and not logged; what the state was lost to (None: it was not)
        self.unlogged = 0
        self._lost: str | None = None
        self.lua_version = normalise(lua)
        self.profile = profile
        self.budget = budget
        self.memory = memory
        #: None: `pairs` in sorted order; an int: shuffled with that seed (harness/pairs.py)
        self.pairs_seed = pairs_seed
        self.timeout = timeout
        #: runs its messages on the watchdog's worker thread (see ``handle``)
        self.watched = False
        # (kind, args, digest of the first run's outcome) per logged preload / message
        # (kind, args, digest) per logged preload or message; once the log is long, messages are
        # packed as marshal bytes of (args, digest) (about 250 bytes for a small one), in batches
        self._log: list[bytes | tuple[str, tuple[Any, ...], bytes | None]] = []
        self._last_flat: Any = None
        self._lua: Any = None
        self._globals: Any = None
        self._bridge: Any = None
        self._match_counts: dict[str, int] = {}
        #: canonical snapshots by global names, valid until the state may have changed
        self._snapshots: dict[tuple[str, ...], str] = {}
        #: set once someone took the raw Lua runtime (``lua``): snapshots are then never cached
        self._tainted = False
        self._version = 0
        self.rebuilds = 0
        #: spare Lua runtimes equal to this state, given back by released clones (see ``release``)
        self._spares: list[_Spare] = []
        #: a clone of this state was released: the next clones take a reset record (``release``)
        self._recycling = False
        #: for a clone: (source, the source's version then, the runtime taken, reset record taken)
        self._lease: tuple[LuaProcessState, int, Any, bool] | None = None
        #: the version at which this clone's runtime was last equal to its source (see ``release``)
        self._clean_at = -1
        #: for a clone not made yet: (source, its version then, a spare runtime or None, recyclable)
        self._lazy: tuple[LuaProcessState, int, _Spare | None, bool] | None = None
        self._boot()

    # -- lifecycle ---------------------------------------------------------------------------

    def _boot(self) -> None:
        module = lupa_module(self.lua_version)
        # No Python inside: no python.eval / python.builtins, and Lua may read no attribute of a
        # Python object (the sandbox also drops lupa's `python` module; see env/sandbox.lua).
        kwargs: dict[str, Any] = {
            "encoding": "utf-8",
            "register_eval": False,
            "register_builtins": False,
            "attribute_filter": _deny_attributes,
        }
        if self.memory and self.lua_version != "jit":
            kwargs["max_memory"] = 0  # lupa's counting allocator; the cap is set after boot
        lua = module.LuaRuntime(**kwargs)
        # the modules' chunk names; their bytecode is fetched when a module is first loaded
        mods = lua.table_from({name: chunk for name, _, chunk in chunks.runtime_modules(self.lua_version)})
        config = lua.table_from(
            {
                "profile": lua.table_from(_profile_config(self.profile)),
                "budget": self.budget,
                "inbox_cap": 10000,
                "search_dirs": lua.table_from([lua.table_from(list(d)) for d in self.spec.search_dirs]),
                "coverage": _coverage.lua_flag(),
                "pairs_seed": self.pairs_seed,
                **self._guard_config(),
            }
        )
        loader = lua.eval(
            "function(code) return (load or loadstring)(code, '=harness') end"
            if self.lua_version != "5.1"
            else "function(code) return loadstring(code, '=harness') end"
        )
        chunk = loader(chunks.bridge_bytecode(self.lua_version))
        try:
            bridge = chunk(mods, config, chunks.runtime_bytecode(self.lua_version).get)
        except lua_errors() as exc:
            raise HarnessError(
                f"the harness's aos runtime failed to boot on Lua {self.lua_version}: {exc}"
            ) from exc
        spec = self.spec
        bridge.set_process(
            spec.id, spec.owner, spec.module, lua.table_from([lua.table_from(list(t)) for t in spec.tags])
        )
        self._lua = lua
        self._globals = None
        self._bridge = bridge
        self._handle = bridge.handle
        #: the bridge's handler match counts (one Lua table for the state's life)
        self._matches = bridge.matches()
        self._cap_memory()
        if _coverage.ACTIVE:
            _coverage.track(self, bridge)

    def _ensure(self) -> None:
        if self._bridge is not None:
            return
        if self.unlogged and self._lazy is None:
            name = self.spec.label or self.spec.id
            raise StateLost(
                f"process {name} ({self.spec.id}) lost its Lua state to {self._lost or 'a stopped message'} "
                "and cannot rebuild it: rebuilding replays the process's message log, which "
                "Network(replay_log=False) does not keep; use replay_log=True (the default) where "
                "messages may fail"
            )
        lazy = self._lazy
        if lazy is not None:
            self._lazy = None
            self._materialize(*lazy)
            return
        self.rebuilds += 1
        self._replay()

    def clone(self) -> LuaProcessState:
        """A new, independent state equal to this one: a fresh Lua state fed this state's log, or
        a runtime an earlier clone gave back (``release``) reset to this state; either is made on
        the clone's first use (a process a test never touches costs nothing).  Only the log
        entries (immutable tuples) are shared; the cached snapshots carry over (the replay checks
        every message ends as it first did), handler match counts are copied."""
        if self.unlogged:
            raise StateLost(clone_refusal(self.spec.label or self.spec.id))
        twin = copy.copy(self)
        twin._log = list(self._log)
        twin._match_counts = self.match_counts()
        twin._snapshots = {} if self._tainted else dict(self._snapshots)
        twin._tainted = False
        twin._last_flat = None
        twin._lua = twin._globals = twin._bridge = None
        twin.rebuilds = 0
        twin._spares = []
        twin._recycling = False
        twin._lease = None
        recyclable = not self._tainted and not _coverage.ACTIVE
        spare = self._spares.pop() if recyclable and self._spares else None
        twin._lazy = (self, self._version, spare, recyclable)
        return twin

    def _materialize(
        self, source: LuaProcessState, version: int, spare: _Spare | None, recyclable: bool
    ) -> None:
        """Make a clone's Lua state: the spare runtime reset to the source's state as it was at
        the clone, or a fresh state fed the log (with the reset record once clones come back)."""
        if spare is not None:
            try:
                ok = spare.clean or bool(spare.bridge.reset_restore())
            except lua_errors():
                ok = False
            if ok:
                self._adopt(spare)
                self._lease = (source, version, self._bridge, True)
                self._clean_at = self._version
                return
        self._replay()
        if recyclable:
            # the reset record costs about a boot: taken once clones are known to come back
            saved = source._recycling and bool(self._bridge.reset_save())
            self._lease = (source, version, self._bridge, saved)
            self._clean_at = self._version

    def _adopt(self, spare: _Spare) -> None:
        self._lua, self._globals, self._bridge = spare.lua, spare.globals, spare.bridge
        self._handle, self._matches = spare.bridge.handle, spare.matches
        if spare.collect is not None:
            self._collect = spare.collect
        self._hard_memory = 0
        if self.memory and self.lua_version != "jit":
            self._hard_memory = self._base_hard_memory
            self._lua.set_max_memory(self._hard_memory)

    def release(self) -> None:
        """Done with this (cloned) state: its Lua runtime goes back to the state it was cloned
        from, which resets it for its next clone (env/dryrun.lua's reset record) instead of
        booting a fresh one and replaying the log; ``Network.close`` releases every process.
        Only a runtime still in its first life goes back: never one that a rollback replaced,
        whose raw runtime someone took, or whose source has changed since.  This state stays
        usable: its next use rebuilds it from its log (an unlogged state keeps its runtime)."""
        if self.unlogged:
            return
        lease, self._lease = self._lease, None
        lazy, self._lazy = self._lazy, None
        if lazy is not None:
            # never used: a spare it was given goes back as it is (reset when next taken)
            source, version, spare, _ = lazy
            source._recycling = True
            if spare is not None and source._version == version and len(source._spares) < MAX_SPARES:
                source._spares.append(spare)
            return
        if self._bridge is None:
            return
        if lease is not None:
            source, version, bridge, saved = lease
            source._recycling = True
            if (
                saved
                and len(source._spares) < MAX_SPARES
                and bridge is self._bridge
                and not self._tainted
                and source._version == version
                and not _coverage.ACTIVE
            ):
                collect = getattr(self, "_collect", None)
                clean = self._clean_at == self._version
                spare = _Spare(self._lua, self._globals, self._bridge, self._matches, collect, clean)
                source._spares.append(spare)
                for name, count in self.items(self._matches):
                    self._match_counts[name] = self._match_counts.get(name, 0) + count
                self._lua = self._globals = self._bridge = None
                return
        self._discard()  # (coverage keeps the lines it recorded)

    def _replay(self) -> None:
        """Boot a fresh Lua state and run the log into it."""
        self._boot()
        self._bridge.set_counting(False)
        try:
            number = 0
            for kind, args, digest in map(_unpack_entry, self._log):
                if kind == "preload":
                    self._bridge.preload(*args)
                    continue
                number += 1
                self._replay_one(number, args, digest)
        except ReplayDivergenceError:
            self._lua = self._globals = self._bridge = None
            raise
        self._bridge.set_counting(True)

    def _replay_one(self, number: int, args: tuple[Any, ...], digest: bytes | None) -> None:
        """Re-run one logged message into the rebuilt state; it must end as its first run did."""
        try:
            try:
                flat = self._handle(*args)
            except UnicodeDecodeError:
                flat = self._replaced_result(args, warn=False)
            now = _digest(flat)
            if now == digest:
                return
            res = _parse(flat)
        except (UnicodeDecodeError, *lua_errors()) as exc:
            res = RawResult(ok=False, error=f"{type(exc).__name__}: {exc}")
            now = FAILED
        if now == digest:
            return
        name = self.spec.label or self.spec.id
        where = f"harness: replaying process {name} ({self.spec.id}) diverged at logged message #{number}"
        where += f" ({_describe(args)})"
        if not res.ok:
            first_line = (res.error or "").strip().splitlines()
            why = first_line[-1] if first_line else "unknown error"
            raise ReplayDivergenceError(f"{where}: it succeeded when first run but fails on replay: {why}")
        first = _PACK.unpack(digest) if digest else (None, None)
        differ = [part for part, a, b in zip(_PARTS, first, _PACK.unpack(now), strict=True) if a != b]
        verb = "differs" if len(differ) == 1 else "differ"
        raise ReplayDivergenceError(
            f"{where}: its {' and '.join(differ) or 'result'} {verb} from the first run "
            "(the process depends on something outside its message log)"
        )

    @property
    def version(self) -> int | None:
        """A number that changes whenever the state may have changed (what a reader may cache
        converted values against); None once the raw runtime was taken (changes made through
        it are not tracked)."""
        return None if self._tainted else self._version

    def _changed(self) -> None:
        """The state may have changed: forget cached snapshots and spare runtimes, move
        ``version`` on."""
        self._version += 1
        self._snapshots.clear()
        if self._spares:
            self._spares.clear()

    def _discard(self) -> None:
        self._changed()
        if self._bridge is not None and _coverage.ACTIVE:
            _coverage.harvest(self, self._bridge)
        if self._bridge is not None:
            for name, count in self.items(self._bridge.matches()):
                self._match_counts[name] = self._match_counts.get(name, 0) + count
        self._lua = None
        self._globals = None
        self._bridge = None

    # -- messages ----------------------------------------------------------------------------

    def preload(self, source: str, bytecode: bytes, chunkname: str) -> None:
        """Make the next Eval of *source* run *bytecode* (a cached compile with a file name)."""
        self._ensure()
        args = (source, bytecode, chunkname)
        self._bridge.preload(*args)
        self._changed()
        self._log.append(("preload", args, None))

    def handle(self, args: tuple[Any, ...], *, dry: bool = False) -> RawResult:
        """Run ``process.handle`` for one message (``message_args`` builds *args*); keep it in
        the log if it succeeded."""
        if self._bridge is None:
            self._ensure()
        if not self.keep_log:
            return self._handle_unlogged(args, dry)
        return self._handle_logged(args, dry)

    def _handle_unlogged(self, args: tuple[Any, ...], dry: bool) -> RawResult:
        """``_handle_logged`` (which counts instead of logging), noting what lost the state."""
        try:
            res = self._handle_logged(args, dry)
        except BaseException:
            if self._bridge is None and self.unlogged:
                self._lost = f"a message that failed in the harness ({_about(args)})"
            raise
        if self._bridge is None:
            what = "a dry-run it could not undo in place" if dry else "a message that errored"
            self._lost = f"{what} ({_about(args)})"
        return res

    def _handle_logged(self, args: tuple[Any, ...], dry: bool) -> RawResult:
        if dry:
            self._clean_at = -1  # (a dry-run's handler matches are counted)
        saved = dry and self._dry_save()
        res = self._handle_once(args)
        if not res.ok and res.error and res.error.startswith(ESCALATE):
            # the message reached something that could run away inside C, where no hook stops
            # it: roll back and run it again, and every later message, on the worker thread
            self.watched = True
            self._discard()
            self._ensure()
            saved = dry and self._dry_save()
            res = self._handle_once(args)
        if dry:
            if not (saved and self._dry_restore(res)):
                self._discard()
        elif not res.ok:
            self._discard()
        else:
            self._changed()
            if not self.keep_log:
                self.unlogged += 1
                return res
            log = self._log
            log.append(("handle", args, _digest(self._last_flat)))
            if len(log) % PACK_EVERY == 0:
                # a long log is kept packed (short tests never pay for it)
                for i in range(len(log) - PACK_EVERY, len(log)):
                    entry = log[i]
                    if entry.__class__ is tuple and entry[0] == "handle":
                        log[i] = _pack_entry(entry[1], entry[2])  # type: ignore[arg-type]
        return res

    def _replaced_result(self, args: tuple[Any, ...], *, warn: bool = True) -> tuple[Any, ...]:
        """The result just returned, when one of its strings is not UTF-8 (lupa refuses it as a
        str): taken again from the bridge with such strings as hex, and decoded as live's host
        decodes the result, each invalid byte sequence as U+FFFD (AO results travel as JSON
        text); the message stands, as on live, and a ``NonUTF8Warning`` says so (*warn*: not again
        when the log is replayed)."""
        copy, n, hexed = self._bridge.last_result()
        flat = [copy[i] for i in range(1, n + 1)]
        for i in hexed.values():
            flat[i - 1] = bytes.fromhex(flat[i - 1]).decode("utf-8", "replace")
        if not warn:
            return tuple(flat)
        # (the warning names the first caller outside the harness: the test's line)
        level, frame = 1, sys._getframe()
        while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
            level, frame = level + 1, frame.f_back
        warnings.warn(
            NonUTF8Warning(
                f"process {self.spec.label or self.spec.id}: the result of its message "
                f"({_about(args)}) holds text that is not UTF-8; each invalid byte sequence became "
                "U+FFFD, as live AO's host does: encode binary data (e.g. base64) to have it arrive intact"
            ),
            stacklevel=level,
        )
        return tuple(flat)

    def _dry_save(self) -> bool:
        """Record the state before a dry-run so that it can be put back after it (env/dryrun.lua);
        False when it cannot be (a suspended coroutine, coverage recording, no memory): the
        dry-run then discards the state and it is rebuilt from the log."""
        if _coverage.ACTIVE:
            return False
        try:
            return bool(self._bridge.dry_save())
        except lua_errors():
            return False

    def _dry_restore(self, res: RawResult) -> bool:
        """Put back the state recorded before a dry-run; False when the state must be discarded
        instead (it is gone, or a guard stopped the dry-run)."""
        if self._bridge is None or (res.error is not None and res.error.startswith("harness: ")):
            return False
        try:
            return bool(self._bridge.dry_restore())
        except lua_errors():
            return False

    def _handle_once(self, args: tuple[Any, ...]) -> RawResult:
        if self._hard_memory:
            data = args[4]
            big = (data.__class__ is str or data.__class__ is bytes) and len(data) > _BIG_DATA
            if big or self._hard_memory != self._base_hard_memory:
                self._fit_memory(args)
        try:
            try:
                if self.timeout is None or not self.watched:
                    flat = self._handle(*args)
                else:
                    try:
                        done, flat = _watched(self._handle, args, self.timeout + TIMEOUT_GRACE)
                    except (*lua_errors(), UnicodeDecodeError):
                        raise
                    except BaseException:
                        self._abandon()
                        raise
                    if not done:
                        self._abandon()
                        return RawResult(ok=False, error=self._timeout_text(args, c_level=True))
            except UnicodeDecodeError:
                flat = self._replaced_result(args)
        except lua_memory_errors():
            self._discard()
            return RawResult(ok=False, error=self._memory_text())
        except lua_errors() as exc:  # pragma: no cover - the bridge pcalls everything
            self._discard()
            return RawResult(ok=False, error=str(exc))
        self._last_flat = flat
        res = _parse(flat)
        if res.ok and self._hard_memory and self._lua is not None:
            # lupa's allocator counts every byte (Lua 5.5's own count leaves big strings out)
            used = self._lua.get_memory_used(total=True)
            if used > self.memory:
                self._collect("collect")
                used = self._lua.get_memory_used(total=True)
                if used > self.memory:
                    return RawResult(
                        ok=False,
                        error=f"harness: memory cap exceeded: the process's Lua state uses {used} bytes "
                        f"after the message, over its cap of {self.memory} bytes; raise it with "
                        "Network(memory_limit=...) or --ao-memory-limit",
                    )
        if not res.ok and res.error:
            if res.error.startswith("harness: timeout:"):
                res.error = self._timeout_text(args, c_level=False)
            elif "not enough memory" in res.error:
                res.error = self._memory_text() + "\n" + res.error
        return res

    # -- guards ------------------------------------------------------------------------------

    def _guard_config(self) -> dict[str, Any]:
        """What the Lua guards (harness/lua/env/guard.lua) need beside the budget."""
        return {
            "timeout": self.timeout,
            "clock": time.monotonic if self.timeout is not None else None,
            "memory": self.memory,
            "escalate": self.timeout is not None and not self.watched,
        }

    def _cap_memory(self) -> None:
        """After boot: lupa's allocator refuses to grow past the cap plus headroom; the cap itself
        is checked by the bridge at the end of every message (an ordinary message error)."""
        self._hard_memory = 0
        if self.memory and self.lua_version != "jit":
            self._hard_memory = self._base_hard_memory
            self._lua.set_max_memory(self._hard_memory)
            # taken before any process code runs (a process may replace the global)
            self._collect = self._lua.eval("collectgarbage")

    @functools.cached_property
    def _base_hard_memory(self) -> int:
        """The hard cap without room for big Data (worked out once: the memory cap never changes)."""
        return int(self.memory or 0) + MEMORY_HEADROOM + int(self.memory or 0) // 8

    def _fit_memory(self, args: tuple[Any, ...]) -> None:
        """Room for a big Data string: lupa pushes it outside Lua's error handling."""
        data = args[4]
        need = self._base_hard_memory
        if isinstance(data, str | bytes) and len(data) > _BIG_DATA:
            need += 4 * len(data)
        if need != self._hard_memory:
            self._hard_memory = need
            self._lua.set_max_memory(need)

    def _memory_text(self) -> str:
        jit = " (LuaJIT: checked every 1,000 instructions)" if self.lua_version == "jit" else ""
        return (
            f"harness: memory cap exceeded: the process's Lua state may use {self.memory} bytes{jit}; "
            "raise it with Network(memory_limit=...) or --ao-memory-limit"
        )

    def _timeout_text(self, args: tuple[Any, ...], *, c_level: bool) -> str:
        tags = args[13:]
        action = next((tags[i + 1] for i in range(0, len(tags) - 1, 2) if tags[i] == "Action"), None)
        what = f"Action={action}" if action is not None else "no Action"
        if args[10]:
            what = "cron tick"
        mid = args[0] or "-"
        how = (
            "it was stuck outside Lua code (in a C function such as a string pattern match) and was "
            "abandoned"
            if c_level
            else "the watchdog stopped it"
        )
        return (
            f"harness: timeout: process {self.spec.label or self.spec.id} did not finish message "
            f"{mid} ({what}) within {self.timeout:g} s of wall-clock time; {how}, and the process's "
            "state is rebuilt from its log (raise the limit with Network(timeout=...) or --ao-timeout)"
        )

    def _abandon(self) -> None:
        """Drop a Lua state whose call overran: a worker thread is still inside it, so it is never
        touched again (nor freed: lua_close under a running call would crash)."""
        if _ABANDONED and _ABANDONED[-1][1] is None:
            _ABANDONED[-1] = (_ABANDONED[-1][0], self._lua)
        if _coverage.ACTIVE:
            _coverage_forget(self._bridge)
        self._changed()
        self._lua = None
        self._globals = None
        self._bridge = None

    # -- inspection --------------------------------------------------------------------------

    @property
    def lua(self) -> Any:
        """The raw runtime.  Whoever takes it may change state behind the harness's back, so
        from then on this state's snapshots are never cached."""
        self._ensure()
        self._tainted = True
        self._changed()
        return self._lua

    def globals_table(self) -> Any:
        if self._bridge is None:
            self._ensure()
        if self._globals is None:
            self._globals = self._lua.globals()
        return self._globals

    def get_global(self, name: str) -> Any:
        try:
            value = self.globals_table()[name]
        except UnicodeDecodeError:
            value = self.raw_global(name)
        return to_python(value, items=self.items)

    def raw_global(self, name: str | bytes) -> Any:
        """The global *name* read raw by the bridge, a string that is not UTF-8 as Python text
        with its bytes kept as surrogate escapes (``s.encode("utf-8", "surrogateescape")`` gives
        them back)."""
        self._ensure()
        value, hexed = self._bridge.raw_global(name)
        return _unhex(value) if hexed else value

    def items(self, table: Any) -> list[tuple[Any, Any]]:
        """A Lua table's entries, through ``entries`` when one is a string that is not UTF-8."""
        try:
            return list(table.items())
        except UnicodeDecodeError:
            return self.entries(table)

    def entries(self, table: Any) -> list[tuple[Any, Any]]:
        """A Lua table's entries read raw by the bridge, for a table holding a string that is
        not UTF-8 (lupa refuses it as a str): such strings as in ``raw_global``."""
        keys, values, hexed_keys, hexed_values, n = self._bridge.entries(table)
        out = []
        for i in range(1, n + 1):
            k, v = keys[i], values[i]
            out.append((_unhex(k) if hexed_keys[i] else k, _unhex(v) if hexed_values[i] else v))
        return out

    def global_names(self) -> Iterator[str]:
        table = self.globals_table()
        try:
            keys = list(table.keys())
        except UnicodeDecodeError:  # a name that is not UTF-8 (kept as surrogate escapes)
            keys = [k for k, _ in self.entries(table)]
        for key in keys:
            if isinstance(key, str):
                yield key

    def snapshot(self, names: tuple[str, ...], *, cached: bool = True) -> str:
        """The canonical text of the named globals (all of the process's own when *names* is
        empty).  Kept until something may change the state: a logged message or preload, a
        rollback or rebuild (``_discard``), an abandoned state, or a taker of the raw runtime."""
        if cached and not self._tainted:
            text = self._snapshots.get(names)
            if text is not None:
                return text
        self._ensure()
        try:
            text = str(self._bridge.snapshot(*names))
        except UnicodeDecodeError as exc:
            # a string that is not UTF-8: its bytes kept as surrogate escapes (texts still
            # compare byte for byte)
            text = bytes(exc.object).decode("utf-8", "surrogateescape")
        except lua_errors() as exc:
            which = ", ".join(map(repr, names)) or "its globals"
            why = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            if "stack overflow" in why:
                why = "a table nests deeper than the snapshot can follow (tens of thousands of levels)"
            elif "not enough memory" in why:
                why = "its text does not fit in the process's memory cap"
            raise HarnessError(
                f"Process.snapshot of process {self.spec.label or self.spec.id} ({which}) cannot be "
                f"taken: {_POSITION.sub('', why)}; compare what matters of that state another way "
                "(Process.globals converts nested tables to 64 levels)"
            ) from None
        if not self._tainted:
            self._snapshots[names] = text
        return text

    def handler_names(self) -> list[str]:
        self._ensure()
        return list(to_python(self._bridge.handler_names(), items=self.items) or [])

    def match_counts(self) -> dict[str, int]:
        counts = dict(self._match_counts)
        if self._bridge is not None:
            for name, count in self.items(self._matches):
                counts[name] = counts.get(name, 0) + count
        return counts

    @property
    def log_length(self) -> int:
        return sum(1 for entry in self._log if entry.__class__ is bytes or entry[0] == "handle")


def clone_refusal(name: str) -> str:
    return (
        f"Network.clone(): process {name} cannot be copied: a clone replays each process's message "
        "log, which Network(replay_log=False) does not keep; clone a network made with "
        "replay_log=True (the default)"
    )


def _unhex(text: str) -> str:
    """Lua bytes the bridge gave as hex digits, as Python text: UTF-8, any other byte kept as a
    surrogate escape (as ``Process.snapshot`` keeps them)."""
    return bytes.fromhex(text).decode("utf-8", "surrogateescape")


def _about(args: tuple[Any, ...]) -> str:
    """Which message *args* (``message_args``) are, in a few words."""
    tags = dict(zip(args[13::2], args[14::2], strict=False))
    action = tags.get("Action")
    return (f"id {args[0]}" if args[0] else "a cron tick") + (f", Action {action}" if action else "")
