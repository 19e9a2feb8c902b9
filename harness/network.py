"""``Network``: a deterministic local AO network (scheduler, clock, wallets, processes)."""

from __future__ import annotations

import copy
import os
import re
from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping
from heapq import heapify, heapreplace
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness import chunks
from harness.errors import (
    InputError,
    MessageStormError,
    ProcessLoadError,
    ProcessNotFound,
    StateLost,
    UnexpectedDeliveryErrors,
    UnknownProcess,
)
from harness.ids import MU_ADDRESS, SCHEDULER, IdFactory, short
from harness.lua_state import (
    DEFAULT_BUDGET,
    DEFAULT_MEMORY,
    DEFAULT_TIMEOUT,
    LuaProcessState,
    ProcessSpec,
    RawResult,
    clone_refusal,
)
from harness.lua_versions import normalise
from harness.messages import (
    PACK_BATCH,
    Delivery,
    DeliveryLog,
    Message,
    Result,
    TraceView,
    errors_report,
    format_trace,
    strip_ansi,
)
from harness.mu import (
    BYTES_HINT,
    DeliveryOrder,
    MessengerUnit,
    Pending,
    assignment_requests,
    check_tags,
    outbox_messages,
    spawn_requests,
    spawned_notice,
)
from harness.process import Process

if TYPE_CHECKING:
    from harness.manifest import System
from harness.pairs import PairsOrder, parse_pairs
from harness.profiles import Profile, get_profile
from harness.run_settings import _run_defaults, check_limit

#: 2025-06-15T00:00:00Z in milliseconds: where every network's clock starts.
START_TIME_MS = 1_749_945_600_000
START_BLOCK_HEIGHT = 1_680_000
BLOCK_MS = 120_000

#: What aoconnect's ``dryrun`` puts in a message the caller leaves out (its ``Id``, ``Owner`` and
#: ``Data``; ``Anchor`` is "0"), and the tags it appends after the caller's.
DRYRUN_PLACEHOLDER = "1234"
DRYRUN_TAGS = (("Data-Protocol", "ao"), ("Type", "Message"), ("Variant", "ao.TN.1"))

_INTERVAL = re.compile(r"^\s*(\d+)\s*-?\s*([a-zA-Z]+?)s?\s*$")
_UNIT_MS = {"millisecond": 1, "second": 1000, "minute": 60_000, "hour": 3_600_000, "day": 86_400_000}
#: the first ``Handlers.add("name", ...)`` (or append/prepend/once) of an inline source: its name
_FIRST_HANDLER = re.compile(
    r"""Handlers\s*[.:]\s*(?:add|append|prepend|once)\s*\(\s*(["'])([^"'\s]{1,40})\1"""
)
_LUA_POS = re.compile(r"[^\s:\]\"]+\.lua:(\d+):")


def parse_interval(text: str) -> int:
    """``"5-minutes"`` -> 300000 (ms).  Block-based intervals are not supported.  Raises
    ``InputError`` (one line) for anything else, a zero interval included."""
    m = _INTERVAL.match(text) if isinstance(text, str) else None
    if not m or m.group(2).lower() not in _UNIT_MS:
        raise InputError(
            f"Cron-Interval {text!r} is not understood; use '<n>-seconds', '<n>-minutes', "
            "'<n>-hours' or '<n>-days' (block intervals are not supported)"
        )
    ms = int(m.group(1)) * _UNIT_MS[m.group(2).lower()]
    if ms <= 0:
        raise InputError(f"Cron-Interval {text!r} is zero; give a positive interval such as '1-minute'")
    return ms


def _whole_ms(where: str, ms: Any) -> int:
    """*ms* as an int of milliseconds >= 0 (an integral float is accepted), else ``InputError``."""
    if isinstance(ms, float) and ms.is_integer():
        ms = int(ms)
    if not isinstance(ms, int) or isinstance(ms, bool):
        raise InputError(f"{where}: {ms!r} is not a whole number of milliseconds; give an int such as 60_000")
    if ms < 0:
        raise InputError(f"{where}: time can't go backwards ({ms} ms); give a number of milliseconds >= 0")
    return ms


def _check_network_options(
    *, seed: Any, max_deliveries: Any, use_builds: Any, root: Path | None
) -> None:
    """Refuse ``Network(...)`` options of the wrong type or range (one line each)."""
    if not isinstance(seed, str) or not seed:
        raise InputError(f"Network(seed={seed!r}): the seed must be a non-empty string; e.g. seed='run-2'")
    if not isinstance(max_deliveries, int) or isinstance(max_deliveries, bool) or max_deliveries < 1:
        raise InputError(
            f"Network(max_deliveries={max_deliveries!r}): not a positive whole number; "
            "give the most deliveries one run() may make, e.g. 10_000"
        )
    if not isinstance(use_builds, bool):
        raise InputError(f"Network(use_builds={use_builds!r}): not a boolean; give True or False")
    if root is not None and not root.is_dir():
        what = "is a file, not a directory" if root.exists() else "does not exist"
        raise InputError(f"Network(root={str(root)!r}): {what}; give the project directory that holds ao/")


#: How many deliveries a network keeps by default (``Network(trace_limit=...)``): ample for
#: failure traces, and it bounds the Python memory of a long run.
DEFAULT_TRACE_LIMIT = 20_000


def _check_trace_limit(value: Any) -> int | None:
    if value is None or (isinstance(value, int) and not isinstance(value, bool) and value > 0):
        return value
    raise InputError(
        f"trace_limit={value!r} is not valid: give a positive whole number of deliveries, or None"
    )


#: one shared copy of each tag that outbox messages repeat (``Data-Protocol = ao``, an
#: ``Action``, ``From-Process = <sender>``) and of each recipient's address: a kept message then
#: holds only the tags that are its own.  Emptied when full, so it bounds itself.
_TAGS: dict[Any, Any] = {}
_TAGS_MAX = 20_000
#: tags with a longer value are not shared (a JSON body in a tag)
_TAG_LEN = 64
#: tags whose value is new in every message, never shared
_OWN_TAGS = frozenset({"Reference", "X-Reference", "Pushed-For"})


#: a message's tags as the bridge takes them: name, value, name, value, ...
_chain = chain.from_iterable

#: the outbox of a result that sends nothing
_NONE: list[Message] = []


def _scheduled(flat: tuple[Any, ...], pid: str, module: str) -> list[Message] | None:
    """The outbox messages of a successful flat result as the MU queues them: signed by the MU,
    with the sender's tags then ``From-Process`` and ``From-Module``.  ``None`` unless every
    message has string tags and string (or no) Data and the output is text or nil: a result
    ``outbox_messages`` checks instead (it builds the refusal's text)."""
    if flat[1] is not None and flat[1].__class__ is not str:
        return None
    if not flat[2]:
        return _NONE
    tags_seen = _TAGS
    if len(tags_seen) > _TAGS_MAX:
        tags_seen.clear()
    share = tags_seen.setdefault
    from_process = ("From-Process", pid)
    from_process = share(from_process, from_process)
    from_module = ("From-Module", module)
    from_module = share(from_module, from_module)
    own = _OWN_TAGS
    out = []
    i = 5
    for _ in range(flat[2]):
        target, data, anchor, ntags = flat[i : i + 4]
        if (data is not None and data.__class__ is not str) or ntags.__class__ is not int:
            return None
        if target is not None and target.__class__ is not str:
            return None
        i += 4
        end = i + 2 * ntags
        tags = []
        for tag in zip(flat[i:end:2], flat[i + 1 : end : 2], strict=True):
            name, value = tag
            if name.__class__ is not str or value.__class__ is not str:
                return None
            tags.append(share(tag, tag) if len(value) <= _TAG_LEN and name not in own else tag)
        i = end
        tags.append(from_process)
        tags.append(from_module)
        if target.__class__ is str:
            target = share(target, target)
        out.append(Message(target, tuple(tags), "" if data is None else data, pid, None, anchor, MU_ADDRESS))
    return out


class _LiveTrace:
    """A result's view of its network's trace (``Result.history``): sliced by place in the whole
    trace, it gives the deliveries still kept, so a result pins no delivery the network let go."""

    __slots__ = ("_net",)

    def __init__(self, net: Network) -> None:
        self._net = net

    def __len__(self) -> int:
        return self._net._log.total

    def __getitem__(self, index: slice) -> TraceView | list[Delivery]:
        log = self._net._log
        if index.start in (None, 0) and index.step in (None, 1) and (index.stop or 0) >= 0:
            return log.view(index.stop)
        return log.view()[index]


class _RunDefault:
    """The default of a ``Network`` argument: the pytest run's setting, else the built-in one."""

    def __repr__(self) -> str:
        return "<the run's setting>"


RUN_DEFAULT: Any = _RunDefault()

class Network:
    """A fresh local AO network: spawn processes, send messages, ``run()`` until quiet.

    Time is in milliseconds (``now``) and only moves when the test calls ``advance``.  Ids,
    nonces and delivery order are deterministic: the same test gives the same trace.

    An argument not given takes the pytest run's setting when built inside a run (``--lua``,
    ``--ao-profile``, ``ao_root``, ``--ao-instruction-budget``, ``--ao-memory-limit``,
    ``--ao-timeout``, ``--ao-pairs``, ``--ao-builds``), else the built-in default.  Errored
    deliveries are recorded (``errors``); ``check_errors()`` fails on those the test never read
    unless ``allow_errors`` (the ``ao`` fixture calls it at teardown).

    Memory: the last ``trace_limit`` deliveries are kept (as compact records past the newest few
    hundred); each process keeps its message log, which rollback, dry-runs that cannot be undone
    in place and ``clone()`` replay.  ``replay_log=False`` keeps no log: a long run's memory then
    stays flat, and whatever would replay it raises ``StateLost`` instead.
    """

    def __init__(
        self,
        *,
        lua: str | float | None = None,
        profile: str | None = None,
        root: str | os.PathLike[str] | None = None,
        seed: str = "ao-harness",
        instruction_budget: int | None = RUN_DEFAULT,
        memory_limit: int | None = RUN_DEFAULT,
        timeout: float | None = RUN_DEFAULT,
        max_deliveries: int = 10_000,
        use_builds: bool | None = None,
        pairs: str | PairsOrder | None = None,
        trace_limit: int | None = DEFAULT_TRACE_LIMIT,
        allow_errors: bool = False,
        replay_log: bool = True,
    ) -> None:
        run = _run_defaults
        self.lua_version = normalise(lua if lua is not None else run.get("lua"))
        self.profile = get_profile(profile if profile is not None else run.get("profile"))
        root = root if root is not None else run.get("root")
        if root is not None and not isinstance(root, str | os.PathLike):
            raise InputError(f"Network(root={root!r}): not a path; give the project directory that holds ao/")
        if use_builds is None:
            use_builds = bool(run.get("use_builds", False))
        _check_network_options(
            seed=seed, max_deliveries=max_deliveries, use_builds=use_builds, root=Path(root) if root else None
        )
        if not isinstance(allow_errors, bool):
            raise InputError(f"Network(allow_errors={allow_errors!r}): not a boolean; give True or False")
        if not isinstance(replay_log, bool):
            raise InputError(
                f"Network(replay_log={replay_log!r}): not a boolean; give True (keep each process's "
                "message log, for rollback and clone) or False (keep none: memory stays flat)"
            )
        self.root = Path(root) if root is not None else Path.cwd()
        if instruction_budget is RUN_DEFAULT:
            instruction_budget = run.get("instruction_budget", DEFAULT_BUDGET)
        if memory_limit is RUN_DEFAULT:
            memory_limit = run.get("memory_limit", DEFAULT_MEMORY)
        if timeout is RUN_DEFAULT:
            timeout = run.get("timeout", DEFAULT_TIMEOUT)
        self.instruction_budget = check_limit("instruction_budget", instruction_budget)
        self.memory_limit = check_limit("memory_limit", memory_limit)
        self.timeout = check_limit("timeout", timeout)
        self.max_deliveries = max_deliveries
        self.use_builds = use_builds
        #: the order of `pairs` in this network's processes ("sorted" or "shuffled:<seed>")
        self.pairs = parse_pairs(pairs if pairs is not None else run.get("pairs"))
        self._ids = IdFactory(seed)
        self._now = START_TIME_MS
        self._height = START_BLOCK_HEIGHT
        self._processes: dict[str, Process] = {}
        self._names: dict[str, str] = {MU_ADDRESS: "MU"}
        self._label_counts: dict[str, int] = {}
        self._ao_search: list[tuple[str, str]] | None = None
        #: (root, root.resolve()): the resolved root for the root in force (resolving costs ~20 µs)
        self._resolved_root: tuple[Path, Path] | None = None
        self._mu = MessengerUnit()
        self._history = _LiveTrace(self)
        #: every delivery kept, compactly (``trace``)
        self._log = DeliveryLog(self._names, self._history, self._hint)
        #: per address, the seq of each delivery to it (``mailbox``)
        self._mailboxes: dict[str, array[int]] = {}
        #: message id -> seq of its latest kept delivery, for assignments (made when first needed)
        self._by_id: dict[str, int] | None = None
        self._cron: dict[str, tuple[int, int]] = {}
        #: deliveries kept in ``trace`` (and messages per mailbox); None keeps all
        self.trace_limit = _check_trace_limit(trace_limit)
        #: False (strict): ``check_errors`` fails on errors the test never looked at
        self.allow_errors = allow_errors
        #: False: processes keep no message log (no rollback, clone or undoable dry-run; see README)
        self.replay_log = replay_log
        self._errors: list[Delivery] = []

    # -- wallets, clock ----------------------------------------------------------------------

    def wallet(self, name: str) -> str:
        """The address of the wallet called *name* (the same name gives the same address)."""
        if not isinstance(name, str) or not name:
            raise InputError(f"Network.wallet({name!r}): a wallet name is a non-empty string; e.g. 'alice'")
        address = self._ids.wallet(name)
        self._names.setdefault(address, name)
        return address

    @property
    def now(self) -> int:
        """The network clock in milliseconds (the ``Timestamp`` of the next message)."""
        return self._now

    @property
    def block_height(self) -> int:
        return self._height

    @block_height.setter
    def block_height(self, value: int) -> None:
        if value < self._height:
            raise InputError(
                f"Network.block_height = {value!r}: block height can't go backwards (it is {self._height}); "
                "give a larger height, or advance() the clock"
            )
        self._height = value

    def advance(self, ms: int) -> list[Delivery]:
        """Move the clock forward by *ms* milliseconds (blocks follow at one per 2 minutes).
        Cron ticks of processes spawned with ``Cron-Interval`` that fall due are delivered, in
        time order; their outboxes wait for ``run()``.  Returns the ticks delivered."""
        ms = _whole_ms(f"Network.advance({ms!r})", ms)
        target = self._now + ms
        ticks: list[Delivery] = []
        schedule = self._cron
        log = self._log
        processes, tick = self._processes, self._tick
        # the ticks due, earliest first (ties: the lower process id first)
        due = [(nxt, pid) for pid, (nxt, _) in schedule.items()]
        heapify(due)
        while due:
            nxt, pid = due[0]
            if nxt > target:
                break
            self._set_time(nxt)
            interval = schedule[pid][1]
            schedule[pid] = (nxt + interval, interval)
            heapreplace(due, (nxt + interval, pid))
            tick(processes[pid])
            ticks.append(log.last())
        self._set_time(target)
        return ticks

    def _set_time(self, t: int) -> None:
        start_blocks = (self._now - START_TIME_MS) // BLOCK_MS
        self._now = t
        self._height += (t - START_TIME_MS) // BLOCK_MS - start_blocks

    # -- processes ---------------------------------------------------------------------------

    @property
    def processes(self) -> dict[str, Process]:
        """Spawned processes by id."""
        return dict(self._processes)

    def process(self, address: str) -> Process:
        try:
            return self._processes[address]
        except KeyError:
            raise UnknownProcess(
                f"Network.process({address!r}): no process with this id on this network; "
                "use the id of a Process this network spawned (p.id)"
            ) from None

    def resolve_path(self, name_or_path: str | os.PathLike[str]) -> Path:
        """``"mock-usda"`` -> ``<root>/ao/mock-usda/src/process.lua``; paths are taken as given."""
        text = os.fspath(name_or_path)
        candidates = [Path(text), self.root / text]
        if "/" not in text and not text.endswith(".lua"):
            if self.use_builds:
                build = self.root / "ao" / text / "build" / "process.lua"
                if not build.is_file():
                    raise ProcessNotFound(
                        f"Network.spawn({text!r}): no build at {build}; run `ao-harness build {text}` first"
                    )
                return build.resolve()
            candidates = [self.root / "ao" / text / "src" / "process.lua", *candidates]
        for c in candidates:
            if c.is_file():
                return c.resolve()
        tried = ", ".join(str(c) for c in candidates)
        raise ProcessNotFound(
            f"Network.spawn({text!r}): no Lua process file there (tried {tried}); give a name under "
            f"{self.root / 'ao'}, a path to a .lua file, or source='...'"
        )

    def spawn(
        self,
        name_or_path: str | os.PathLike[str] | None = None,
        *,
        owner: str | Process | None = None,
        tags: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
        data: str | None = None,
        source: str | None = None,
        name: str | None = None,
    ) -> Process:
        """Spawn a process and load its code the way aos ``.load`` does (an Eval from the owner
        after the spawn message).  *name_or_path* names a process under ``ao/`` or a Lua file;
        *source* gives Lua code inline instead; with neither, the process runs bare aos."""
        _check_spawn_args(name_or_path, owner=owner, tags=tags, source=source, name=name)
        path: Path | None = None
        if name_or_path is not None:
            path = self.resolve_path(name_or_path)
            try:
                source = path.read_text(encoding="utf-8")
            except UnicodeDecodeError as exc:
                why = f"not UTF-8 text ({exc.reason} at byte {exc.start})"
                raise ProcessLoadError(str(path), None, why) from None
        if name is None:
            if path is not None:
                name = path.parent.parent.name if path.parent.name == "src" else path.stem
            else:
                found = _FIRST_HANDLER.search(source or "")
                name = found.group(2) if found else "aos"
        owner_addr = owner.id if isinstance(owner, Process) else (owner or self.wallet("owner"))
        user_tags = list(tags.items()) if isinstance(tags, Mapping) else list(tags or [])
        if not all(isinstance(t, tuple | list) and len(t) == 2 for t in user_tags):
            _bad_tags(tags if isinstance(tags, list | tuple) else user_tags)
        check_tags(user_tags, data=data, where=f"spawn of {name}")
        base = [
            ("Data-Protocol", "ao"),
            ("Variant", "ao.TN.1"),
            ("Type", "Process"),
            ("Module", self.profile.module),
            ("Scheduler", SCHEDULER),
            ("SDK", "ao-harness"),
            ("Authority", MU_ADDRESS),
        ]
        user_names = {k for k, _ in user_tags}
        if "Name" not in user_names:
            base.append(("Name", name))
        spawn_tags = tuple(base + user_tags)
        for k, v in spawn_tags:
            if k == "Cron-Interval":
                _spawn_interval(f"spawn of {name}", v)
        mark = (self._ids.mark(), self._log.total)
        pid = self._ids.next("process")
        proc = self._create(pid, owner_addr, name, spawn_tags, path)
        try:
            self._boot_spawned(proc, owner, spawn_tags, data, source, path)
        except BaseException:
            self._forget_spawn(proc, *mark)
            raise
        return proc

    def _boot_spawned(
        self,
        proc: Process,
        owner: str | Process | None,
        spawn_tags: tuple[tuple[str, str], ...],
        data: str | None,
        source: str | None,
        path: Path | None,
    ) -> None:
        """Deliver the spawn message to *proc*, then load *source* (the rest of ``spawn``)."""
        pid, owner_addr, name = proc.id, proc.owner, proc.name
        spawn_msg = Message(
            target=pid,
            tag_list=spawn_tags,
            data=data if data is not None else "",
            sender=owner_addr,
            id=pid,
            owner=MU_ADDRESS if isinstance(owner, Process) else owner_addr,
        )
        if isinstance(owner, Process):
            spawn_msg = spawn_msg.replace(tag_list=(*spawn_tags, ("From-Process", owner.id)))
        result = self._deliver(proc, spawn_msg, pushed_by=owner.id if isinstance(owner, Process) else None)
        if result.error is not None:
            raise ProcessLoadError(name, None, f"the spawn message failed: {_last_error(result.error)}")
        if source is not None:
            self._load_source(proc, source, path)

    def _forget_spawn(self, proc: Process, id_mark: int, trace_len: int) -> None:
        """Undo a spawn that failed: the process, its name, its cron, its deliveries and queued
        outbox are gone, and the ids it consumed are handed out again (a failed spawn changes no
        later id)."""
        pid = proc.id
        forgotten = self._log.truncate(trace_len)
        if self._by_id is not None:
            for d in forgotten:
                if d.message.id is not None and self._by_id.get(d.message.id) == d.seq:
                    del self._by_id[d.message.id]
        # the failed spawn raised ProcessLoadError: its errored deliveries are not left to fail the test
        self._errors = [d for d in self._errors if all(d is not f for f in forgotten)]
        self._mailboxes.pop(pid, None)
        self._mu.drop(lambda m: m.sender == pid)
        self._processes.pop(pid, None)
        self._cron.pop(pid, None)
        self._names.pop(pid, None)
        self._label_counts[proc.name] -= 1
        if not self._label_counts[proc.name]:
            del self._label_counts[proc.name]
        self._ids.rewind(id_mark)

    def _create(
        self,
        pid: str,
        owner: str,
        name: str,
        tags: tuple[tuple[str, str], ...],
        path: Path | None,
        profile: Profile | None = None,
    ) -> Process:
        search: list[tuple[str, str]] = []
        if path is not None:
            search.append((str(path.parent), self._display(path.parent)))
        search.extend(self._ao_dir_entry())
        profile = profile or self.profile
        spec = ProcessSpec(
            id=pid, owner=owner, module=profile.module, tags=tags, search_dirs=tuple(search), label=name
        )
        state = LuaProcessState(
            spec,
            lua=self.lua_version,
            profile=profile,
            budget=self.instruction_budget,
            memory=self.memory_limit,
            pairs_seed=self.pairs.lua_seed,
            timeout=self.timeout,
            keep_log=self.replay_log,
        )
        proc = Process(
            self,
            pid=pid,
            owner=owner,
            name=name,
            state=state,
            tags=tags,
            path=str(path) if path else None,
            module=profile.module,
        )
        intervals = [parse_interval(v) for k, v in tags if k == "Cron-Interval"]
        self._processes[pid] = proc
        count = self._label_counts.get(name, 0) + 1
        self._label_counts[name] = count
        self._names[pid] = name if count == 1 else f"{name}#{count}"
        for interval in intervals:
            self._cron[pid] = (self._now + interval, interval)
        return proc

    def _ao_dir_entry(self) -> list[tuple[str, str]]:
        """``<root>/ao`` as a module search directory (looked up once per network)."""
        if self._ao_search is None:
            ao_dir = self.root / "ao"
            self._ao_search = [(str(ao_dir.resolve()), self._display(ao_dir))] if ao_dir.is_dir() else []
        return self._ao_search

    def _display(self, path: Path) -> str:
        cached = self._resolved_root
        if cached is None or cached[0] is not self.root:
            cached = self._resolved_root = (self.root, self.root.resolve())
        try:
            return path.resolve().relative_to(cached[1]).as_posix()
        except ValueError:
            return path.as_posix()

    def _load_source(self, proc: Process, source: str, path: Path | None) -> None:
        shown = self._display(path) if path is not None else None
        chunkname = "@" + shown if shown is not None else f"={proc.name}"
        compiled = chunks.compiler(self.lua_version).compile_eval(source, chunkname)
        where = shown if shown is not None else f"<source of {proc.name}>"
        if compiled.bytecode is None:
            err = compiled.error or "syntax error"
            raise ProcessLoadError(where, _line_of(err, chunkname), err)
        proc._state.preload(source, compiled.bytecode, chunkname)
        result = self.send(proc, {"Action": "Eval"}, sender=proc.owner, data=source)
        if result.error is not None:
            err = _from_chunk(_last_error(result.error), chunkname)
            raise ProcessLoadError(where, _line_of(err, chunkname), err)

    def spawn_system(self, manifest: str | os.PathLike[str], *, use_builds: bool | None = None) -> System:
        """Spawn and wire every process of a deployment manifest (``aoform.yaml``, relative to
        ``root``); returns a mapping of handle -> ``Process``.  Tests and deployment share one
        topology."""
        from harness.manifest import spawn_system

        path = Path(manifest)
        if not path.is_absolute() and not path.exists():
            path = self.root / path
        return spawn_system(self, path, use_builds=use_builds)

    # -- cloning -----------------------------------------------------------------------------

    def clone(self) -> Network:
        """An independent network in the same state as this one: the same clock, ids to come,
        wallets, traces and mailboxes, and every process with a fresh Lua state fed that
        process's message log.  A clone is indistinguishable from this network's history run
        again (same snapshots, same results to come), at the cost of the Lua work only: build a
        system once, then ``clone()`` it for every test or hypothesis example.  The network must
        be quiet (nothing pending); the clone has the default delivery order and no recorded
        errors (strictness starts afresh).  A network with ``replay_log=False`` has no log to feed:
        cloning it raises ``StateLost`` once it has spawned a process."""
        twin = Network(
            lua=self.lua_version,
            profile=self.profile.name,
            root=self.root,
            seed=self._ids._seed,
            instruction_budget=self.instruction_budget,
            memory_limit=self.memory_limit,
            timeout=self.timeout,
            max_deliveries=self.max_deliveries,
            use_builds=self.use_builds,
            pairs=self.pairs,
            trace_limit=self.trace_limit,
            allow_errors=self.allow_errors,
            replay_log=self.replay_log,
        )
        self._clone_into(twin)
        return twin

    def _clone_into(self, twin: Network) -> None:
        """Make *twin*'s state a copy of this network's (its configuration stays its own)."""
        if self._mu:
            raise ValueError(
                f"Network.clone() needs a quiet network: {len(self._mu)} messages are pending (run() first)"
            )
        for proc in self._processes.values():
            if proc._state.unlogged:
                raise StateLost(clone_refusal(proc.name))
        twin._ids = copy.copy(self._ids)
        twin._now, twin._height = self._now, self._height
        twin._names = dict(self._names)
        twin._label_counts = dict(self._label_counts)
        twin._history = _LiveTrace(twin)
        twin._log = self._log.copy(twin._names, twin._history, twin._hint)
        twin._mailboxes = {k: array("q", v) for k, v in self._mailboxes.items()}
        twin._by_id = None if self._by_id is None else dict(self._by_id)
        twin._cron = dict(self._cron)
        twin._mu = MessengerUnit()
        twin._processes = {}
        for pid, proc in self._processes.items():
            copied = copy.copy(proc)
            copied._network = twin
            copied._state = proc._state.clone()
            twin._processes[pid] = copied

    def close(self) -> None:
        """Done with this network: its processes' Lua runtimes go back to the network it was
        cloned from, whose next clone reuses them (reset, not booted and replayed; see
        ``LuaProcessState.release``).  The network stays usable: a process used again is rebuilt
        from its log."""
        for proc in self._processes.values():
            proc._state.release()

    # -- sending -----------------------------------------------------------------------------

    def send(
        self,
        proc: Process,
        tags: Mapping[str, Any],
        *,
        sender: str | Process | None = None,
        data: Any = "",
    ) -> Result:
        """Send a message to *proc* and handle it now (``Process.send`` is the usual spelling)."""
        tag_list = tuple(tags.items())
        plain = data.__class__ is str and (sender is None or (sender.__class__ is str and sender))
        if plain:
            for k, v in tag_list:
                if k.__class__ is not str or v.__class__ is not str:
                    plain = False
                    break
        if not plain:  # the checks again, with their texts
            check_tags(tag_list, data=data, where=f"message to {proc.name}")
            check_sender(f"message to {proc.name}", sender)
            if data is None:
                raise InputError(f"message to {proc.name}: Data is None; give a string (\"\" for no data)")
        pushed_by = None
        if isinstance(sender, Process):
            pushed_by = sender.id
            from_ = sender.id
            owner = MU_ADDRESS
            tag_list += (("From-Process", sender.id), ("From-Module", sender.module))
        else:
            owner = sender if sender is not None else proc.owner
            # the CU's From is a From-Process tag when one is present (even a forged one)
            from_ = owner
            for k, v in tag_list:
                if k == "From-Process":
                    if isinstance(v, str) and v:
                        from_ = v
                    break
        msg = Message(proc.id, tag_list, data, from_, self._ids.next("message"), None, owner)
        return self._deliver(proc, msg, pushed_by=pushed_by)

    def dryrun(
        self, proc: Process, tags: Mapping[str, Any], *, sender: str | Process | None = None, data: Any = ""
    ) -> Result:
        """A dry-run as aoconnect sends it and the CU evaluates it (see ``Process.dryrun``)."""
        tag_list = [*tags.items(), *DRYRUN_TAGS]
        check_tags(tag_list, data=data, where=f"dry-run of {proc.name}")
        check_sender(f"dry-run of {proc.name}", sender)
        owner = sender.id if isinstance(sender, Process) else (sender or DRYRUN_PLACEHOLDER)
        forged = next((v for k, v in tag_list if k == "From-Process"), None)
        msg = Message(
            target=proc.id,
            tag_list=tuple(tag_list),
            data=data if data not in (None, "") else DRYRUN_PLACEHOLDER,
            sender=forged if isinstance(forged, str) and forged else owner,
            id=DRYRUN_PLACEHOLDER,
            anchor="0",
            owner=owner,
        )
        # the CU stamps a dry-run with the time and height of the last message it evaluated
        return self._deliver(proc, msg, pushed_by=None, dry=True, at=proc._evaluated_at)

    def deliver(
        self, process: Process, message: Message, *, pushed_by: str | Process | None = None
    ) -> Result:
        """Evaluate *message* in *process* now, as given (``Process.deliver``): ``From`` is its
        ``sender`` (default: the process owner), ``Owner`` its ``owner`` (default: the MU when
        *pushed_by* is given, else the sender), ``Target`` its ``target`` (default: the process;
        another one makes it an assignment, as the CU sees it); the network assigns an ``Id``
        when it has none and stamps time, height and nonce.  No tag is added.  The outbox is
        queued for ``run()``."""
        by = pushed_by.id if isinstance(pushed_by, Process) else pushed_by
        check_tags(message.tag_list, data=message.data, where=f"message delivered to {process.name}")
        sender = message.sender if message.sender is not None else process.owner
        msg = message.replace(
            target=message.target if message.target is not None else process.id,
            sender=sender,
            owner=message.owner if message.owner is not None else (MU_ADDRESS if by else sender),
            id=message.id if message.id is not None or message.cron else self._ids.next("message"),
            data=message.data if message.data is not None or message.cron else "",
        )
        return self._deliver(process, msg, pushed_by=by)

    def cron(self, process: Process, tags: Mapping[str, str] | None = None) -> Result:
        """Deliver a cron tick to *process* now: no Id, no Data, ``Cron = true``, From = Owner
        = the process owner; tags are the spawn's ``Cron-Tag-*`` tags (prefix removed) unless
        *tags* is given."""
        if not isinstance(process, Process):
            raise InputError(f"Network.cron({_short(process)}): not a Process; give one this network spawned")
        if tags is not None and not isinstance(tags, Mapping):
            raise InputError(
                f"cron tick to {process.name}: tags={_short(tags)} is not a mapping; e.g. {{'Kind': 'x'}}"
            )
        if tags is None:
            return self._tick(process)
        tag_list = tuple(tags.items())
        check_tags(tag_list, data=None, where=f"cron tick to {process.name}")
        msg = Message(process.id, tag_list, None, process.owner, None, None, process.owner, cron=True)
        return self._deliver(process, msg, pushed_by=None)

    def _tick(self, process: Process) -> Result:
        """A cron tick with the spawn's ``Cron-Tag-*`` tags (``cron`` without *tags*)."""
        spawn_tags = process.spawn_tags
        cached = process._cron_tags
        if cached is None or cached[0] is not spawn_tags:
            cron_tags = tuple((k[len("Cron-Tag-") :], v) for k, v in spawn_tags if k.startswith("Cron-Tag-"))
            cached = process._cron_tags = (spawn_tags, cron_tags)
        msg = Message(process.id, cached[1], None, process.owner, None, None, process.owner, cron=True)
        return self._deliver(process, msg, pushed_by=None)

    def _deliver(
        self,
        proc: Process,
        msg: Message,
        *,
        pushed_by: str | None,
        dry: bool = False,
        assignment: bool = False,
        at: tuple[int, int] | None = None,
    ) -> Result:
        """Evaluate *msg* in *proc* (the CU step), record it, and queue its outbox (the MU step).
        *at* is the (timestamp, block height) to evaluate at instead of the network clock."""
        cron = msg.cron
        if dry or cron:
            nonce = None
        else:
            nonce = proc.nonce
            proc.nonce = nonce + 1
        if assignment:
            msg = msg.replace()
        if at is None:
            now, height = self._now, self._height
        else:
            now, height = at
        if not dry:
            last = proc._evaluated_at
            if last is None or last[0] != now or last[1] != height:
                proc._evaluated_at = (now, height)
        msg.timestamp = now
        msg.block_height = height
        msg.nonce = nonce
        # the CU strips tags named From or Owner (evaluate.js removeInvalidTags)
        tags = msg.tag_list
        for k, _ in tags:
            if k == "From" or k == "Owner":
                tags = tuple((k, v) for k, v in tags if k not in ("From", "Owner"))
                break
        # message_args, inline (harness/lua_state.py documents the tuple)
        data = msg.data
        args = (
            None if cron else msg.id,
            msg.sender,
            msg.owner,
            msg.target,
            None if cron else ("" if data is None else data),
            now,
            height,
            None if cron or dry else (nonce or 0),
            None if cron or dry else 0,
            msg.anchor,
            bool(cron),
            bool(dry),
            MU_ADDRESS if pushed_by is not None else None,
            *_chain(tags),
        )
        raw = proc._state.handle(args, dry=dry)
        flat = raw.flat
        sent = None
        if raw.ok and flat is not None and not flat[3] and not flat[4]:
            # a checked outbox of messages only (or none): made into the messages the MU queues;
            # the result's own Message objects are made from them when read
            sent = _scheduled(flat, proc.id, proc.module)
        if sent is not None:
            result = Result._from_outbox(proc.id, msg, flat[1], sent, self._names)  # type: ignore[index]
            if flat[0] == "only-default":
                # no handler but _default matched: failure reports name the handlers there are
                result._list_handlers = proc._state.handler_names
        else:
            result = self._result(proc, msg, raw)
        result.history = self._history  # type: ignore[assignment]
        log = self._log
        result.history_end = seq = log._hot_start + len(log._hot)
        if dry:
            return result
        d = self._record(msg, proc.id, result, seq)
        if not raw.ok:
            self._errors.append(d)
            return result
        sent = result._sent
        if sent is not None:
            if sent:
                push, pid = self._mu._queue.append, proc.id
                for m in sent:
                    push(Pending(m, m.target, pid))  # type: ignore[arg-type]
        elif result.messages or result.spawns or result.assignments:
            self._mu.push_outbox(
                proc.id,
                proc.module,
                result.messages,
                result.spawns,
                result.assignments,
                seen=self._seen,
                label=proc.name,
            )
        return result

    def _record(self, msg: Message, to: str, result: Result | None, seq: int = 0) -> Delivery:
        """Keep one delivery (number *seq*, the next one): in the trace and the recipient's
        mailbox, each cut back to the last ``trace_limit`` (in steps of a quarter, so a cut is rare)."""
        log = self._log
        if not seq:
            seq = log._hot_start + len(log._hot)
        d = Delivery(seq, msg, result, result is None)
        hot = log._hot
        hot.append(d)
        if len(hot) >= 2 * PACK_BATCH:
            log._pack()
        box = self._mailboxes.get(to)
        if box is None:
            box = self._mailboxes[to] = array("q")
        box.append(seq)
        if self._by_id is not None and msg.id:
            self._by_id[msg.id] = seq
        limit = self.trace_limit
        if limit is not None and seq - log._dropped > limit + limit // 4:
            dropped = seq - limit
            mailboxed: list[int] = []
            for box in self._mailboxes.values():
                if len(box) > limit:
                    del box[:-limit]
                mailboxed.extend(box[: bisect_right(box, dropped)])
            log.drop_to(dropped, mailboxed)
            if self._by_id is not None:
                self._by_id = {k: v for k, v in self._by_id.items() if v > dropped}
        return d

    def _seen(self, message_id: str) -> Message | None:
        """The latest kept message with this id (what an assignment names)."""
        log = self._log
        if self._by_id is None:
            self._by_id = {}
            for seq in range(log.dropped + 1, log.total + 1):
                mid = log.message_id(seq)
                if mid:
                    self._by_id[mid] = seq
        seq = self._by_id.get(message_id)
        return None if seq is None else log.message(seq)

    def _hint(self, pid: str) -> Callable[[], list[str]] | None:
        """What lists the handlers of process *pid* (a result's "no handler matched" hint)."""
        proc = self._processes.get(pid)
        return None if proc is None else proc._state.handler_names

    def _result(self, proc: Process, msg: Message, raw: RawResult) -> Result:
        if not raw.ok:
            text = raw.error or ""
            return Result(
                process=proc.id,
                message=msg,
                messages=[],
                spawns=[],
                assignments=[],
                output="",
                error=strip_ansi(text),
                raw_error=text,
                names=self._names,
            )
        flat = raw.flat
        sent = None
        if flat is not None and not flat[3] and not flat[4]:
            # a checked outbox of messages only (or none): made into the messages the MU queues;
            # the result's own Message objects are made from them when read
            sent = _scheduled(flat, proc.id, proc.module)
        if sent is not None:
            result = Result._from_outbox(proc.id, msg, flat[1], sent, self._names)  # type: ignore[index]
        else:
            result = self._full_result(proc, msg, raw)
        if flat is not None and flat[0] == "only-default":
            # no handler but _default matched: failure reports name the handlers there are
            result._list_handlers = proc._state.handler_names
        return result

    def _full_result(self, proc: Process, msg: Message, raw: RawResult) -> Result:
        output = (
            raw.output if isinstance(raw.output, str) else ("" if raw.output is None else str(raw.output))
        )
        messages = outbox_messages(proc.id, raw.messages, label=proc.name) if raw.messages else []
        spawns = spawn_requests(proc.id, raw.spawns, label=proc.name) if raw.spawns else []
        assigns = assignment_requests(proc.id, raw.assignments, label=proc.name) if raw.assignments else []
        return Result(
            process=proc.id,
            message=msg,
            messages=messages,
            spawns=spawns,
            assignments=assigns,
            output=strip_ansi(output) or "",
            error=None,
            raw_output=output,
            names=self._names,
        )

    # -- signed messages (the devnet server: ids, owners and tags come from data items) --------

    def spawn_signed(
        self,
        pid: str,
        *,
        owner: str,
        tags: Iterable[tuple[str, str]],
        data: str,
        profile: str | None = None,
    ) -> Result:
        """Spawn a process whose id, owner and tags are given (a signed spawn data item that
        reached an MU): no tags are added and no code is loaded (code arrives by ``Eval``).
        *profile* chooses the aos profile of this process (default: the network's).  The spawn
        message's result is returned; its outbox is queued for ``run()``."""
        if pid in self._processes:
            raise ValueError(f"a process with id {pid!r} already exists on this network")
        tag_list = tuple(tags)
        check_tags(tag_list, data=data, where=f"spawn {short(pid)}")
        name = next((v for k, v in tag_list if k == "Name"), None) or "aos"
        proc = self._create(pid, owner, name, tag_list, None, get_profile(profile) if profile else None)
        msg = Message(target=pid, tag_list=tag_list, data=data, sender=owner, id=pid, owner=owner)
        return self._deliver(proc, msg, pushed_by=None)

    def deliver_signed(
        self,
        process: Process,
        *,
        id: str,
        owner: str,
        tags: Iterable[tuple[str, str]],
        data: str,
        sender: str | None = None,
        anchor: str | None = None,
        dry: bool = False,
        assignment: bool = False,
    ) -> Result:
        """Deliver a message whose id and owner are given (a signed data item, or an assignment
        of one when *assignment*) to *process* now.  ``From`` is *sender*, else the
        ``From-Process`` tag, else *owner* (as the CU sets it).  With *dry* nothing persists and
        no id is consumed.  The outbox is queued for ``run()``."""
        tag_list = tuple(tags)
        check_tags(tag_list, data=data, where=f"message {short(id)} to {process.name}")
        if sender is None:
            forged = next((v for k, v in tag_list if k == "From-Process"), None)
            sender = forged if forged else owner
        msg = Message(
            target=process.id, tag_list=tag_list, data=data, sender=sender, id=id, anchor=anchor, owner=owner
        )
        return self._deliver(process, msg, pushed_by=None, dry=dry, assignment=assignment)

    # -- running -----------------------------------------------------------------------------

    @property
    def pending(self) -> list[Message]:
        """Messages queued for delivery by ``run()``, in order."""
        return self._mu.messages

    def set_delivery_order(self, order: DeliveryOrder | None) -> None:
        """Let *order* choose which pending message goes next (``None``: first come, first
        served).  *order* gets the candidates — for each (sender, recipient) pair only its oldest
        pending message, since the MU pushes one sender's messages to one process in order — and
        returns the index of the one to deliver.  ``harness.strategies.delivery_order(data)``
        hands that choice to hypothesis."""
        if order is not None and not callable(order):
            raise InputError(
                f"Network.set_delivery_order({_short(order)}): not callable; give a function or None"
            )
        self._mu.set_order(order)

    def run(self, *, max_deliveries: int | None = None) -> list[Delivery]:
        """Deliver queued messages until the network is quiet; return the deliveries made."""
        limit = max_deliveries if max_deliveries is not None else self.max_deliveries
        if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
            raise InputError(f"Network.run(max_deliveries={limit!r}): not a positive whole number; e.g. 100")
        made: list[Delivery] = []
        mu = self._mu
        queue, take, deliver = mu._queue, mu.take, self._deliver_pending
        while queue:
            if len(made) >= limit:
                raise MessageStormError(
                    f"Network.run() made {limit} deliveries and the network is still not quiet "
                    f"({len(mu)} messages pending): processes keep messaging each other. "
                    f"Last deliveries:\n{format_trace(made, self._names, limit=15)}"
                )
            made.append(deliver(take()))  # type: ignore[arg-type]
        return made

    def step(self) -> Delivery | None:
        """Deliver the next queued message only (``None`` if the network is quiet)."""
        item = self._mu.take()
        return None if item is None else self._deliver_pending(item)

    def drop(self, match: Callable[[Message], bool]) -> list[Message]:
        """Remove the queued messages *match* accepts and return them: a message lost on the
        way (to test timeouts and compensation)."""
        if not callable(match):
            raise InputError(f"Network.drop({_short(match)}): not callable; give a function of a Message")
        return self._mu.drop(match)

    def _deliver_pending(self, item: Pending) -> Delivery:
        msg = item.message
        if msg.id is None and not msg.cron:
            msg.id = self._ids.next("message")
        if item.to == "" and msg.target is None and msg.sender in self._processes:
            return self._spawn_from(item)
        to = item.to
        target = self._processes.get(to) if to else None
        if target is None:  # a wallet: the message as scheduled
            scheduled = msg.replace(timestamp=self._now, block_height=self._height)
            return self._record(scheduled, to or "", None)
        self._deliver(target, msg, pushed_by=item.pushed_by, assignment=item.assignment)
        return self._log.last()

    def _spawn_from(self, item: Pending) -> Delivery:
        parent = self._processes[item.message.sender or ""]
        req = item.message
        tags = dict(req.tag_list)
        name = tags.get("Name") or f"{parent.name}-child"
        pid = self._ids.next("process")
        spawn_tags = tuple((k, v) for k, v in req.tag_list if k not in ("From-Process", "From-Module"))
        spawn_tags = (*spawn_tags, ("Authority", MU_ADDRESS))
        child = self._create(pid, parent.id, name, spawn_tags, None)
        spawn_msg = Message(
            target=pid,
            tag_list=(*spawn_tags, ("From-Process", parent.id), ("From-Module", parent.module)),
            data=req.data,
            sender=parent.id,
            id=pid,
            owner=MU_ADDRESS,
        )
        self._deliver(child, spawn_msg, pushed_by=parent.id)
        delivery = self._log.last()
        self._mu.push(spawned_notice(req, parent.id, pid, self._ids.next("message")))
        return delivery

    # -- inspection --------------------------------------------------------------------------

    def mailbox(self, address: str | Process) -> list[Message]:
        """Every message delivered to *address* (a wallet or process), in order (the last
        ``trace_limit`` of them)."""
        if not isinstance(address, str | Process):
            raise InputError(
                f"Network.mailbox({_short(address)}): not an address; give a wallet address or a Process"
            )
        key = address.id if isinstance(address, Process) else address
        message = self._log.message
        return [message(seq) for seq in self._mailboxes.get(key, ())]

    @property
    def trace(self) -> TraceView:
        """Every delivery so far (direct sends, pushes, cron ticks), in order, as of now: index
        ``i`` is delivery ``#i+1``.  Only the last ``trace_limit`` deliveries are kept (default
        ``DEFAULT_TRACE_LIMIT``; ``Network(trace_limit=None)`` keeps all); ``len()`` still counts
        every one, and so ``net.trace[start:]`` after ``start = len(net.trace)`` works.  Past the
        newest few hundred, deliveries are kept as compact records and made again when read: one
        still held anywhere (its ``Delivery``, ``Result`` or ``Message``) comes back as that very
        object, one nobody holds comes back equal in every field."""
        return self._log.view()

    @property
    def errors(self) -> list[Delivery]:
        """Every delivery that ended in an Error, in order (dry-runs are not deliveries)."""
        return list(self._errors)

    def unexpected_errors(self) -> list[Delivery]:
        """The errored deliveries whose error the test never read: it read ``error`` or ``ok``
        of neither the ``Result`` a send returned nor the ``Delivery.result`` of run/step/advance
        (``assert_error`` reads it too).  Empty when the network allows errors."""
        if self.allow_errors:
            return []
        return [d for d in self._errors if d.result is not None and not d.result._error_seen]

    def check_errors(self) -> None:
        """Raise ``UnexpectedDeliveryErrors`` listing ``unexpected_errors()`` by process name
        (the ``ao`` fixture calls this at teardown; so does leaving a ``with Network()`` block)."""
        __tracebackhide__ = True
        failed = self.unexpected_errors()
        if failed:
            raise UnexpectedDeliveryErrors(errors_report(failed, self._log.view(), self._names))

    def __enter__(self) -> Network:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is None:
            self.check_errors()

    def format_trace(self, limit: int = 40) -> str:
        return format_trace(self._log.view(), self._names, limit=limit)

    @property
    def names(self) -> dict[str, str]:
        """The name of every address the network knows (processes, wallets, the MU)."""
        return dict(self._names)

    def name_of(self, address: str | None) -> str:
        if address is None:
            return "None"
        return self._names.get(address, short(address))

    def __repr__(self) -> str:
        return (
            f"<Network lua={self.lua_version} profile={self.profile.name} "
            f"processes={len(self._processes)} now={self._now}>"
        )


def _spawn_interval(where: str, value: str) -> int:
    try:
        return parse_interval(value)
    except InputError as exc:
        raise InputError(f"{where}: {exc}") from None


def _check_spawn_args(
    name_or_path: Any, *, owner: Any, tags: Any, source: Any, name: Any
) -> None:
    """Refuse ``Network.spawn`` arguments of the wrong type before anything is created."""
    where = "Network.spawn"
    if name_or_path is not None and not isinstance(name_or_path, str | os.PathLike):
        raise InputError(
            f"{where}({name_or_path!r}): not a process name or path; give a name under ao/ "
            "(e.g. 'mock-usda'), a path to a Lua file, or source='...'"
        )
    if name_or_path is not None and source is not None:
        raise InputError(
            f"{where}({os.fspath(name_or_path)!r}, source=...): both a file and source; give one of them"
        )
    if source is not None and not isinstance(source, str):
        if isinstance(source, bytes | bytearray):
            raise InputError(f"{where}(source=...): source is Python bytes; {BYTES_HINT}")
        raise InputError(f"{where}(source=...): source is a {type(source).__name__}; give Lua code as a str")
    if name is not None and (not isinstance(name, str) or not name):
        raise InputError(f"{where}(name={name!r}): a process name is a non-empty string; e.g. name='token'")
    if owner is not None and not isinstance(owner, Process) and (not isinstance(owner, str) or not owner):
        raise InputError(
            f"{where}(owner={owner!r}): not an address; give a wallet address (net.wallet('alice')) "
            "or a Process"
        )
    if tags is not None and (isinstance(tags, str | bytes) or not isinstance(tags, Iterable)):
        _bad_tags(tags)


def _bad_tags(tags: Any) -> None:
    raise InputError(
        f"Network.spawn(tags={_short(tags)}): tags must be a mapping of name to value "
        "(or (name, value) pairs); e.g. tags={'Name': 'token'}"
    )


def check_sender(where: str, sender: Any) -> None:
    """A message's *sender*: ``None`` (the owner), a wallet address or a ``Process``."""
    if sender is None or isinstance(sender, Process) or (isinstance(sender, str) and sender):
        return
    if isinstance(sender, bytes | bytearray):
        raise InputError(f"{where}: sender={_short(sender)} is Python bytes; {BYTES_HINT}")
    raise InputError(
        f"{where}: sender={_short(sender)} is not an address; give a wallet address "
        "(net.wallet('bob')) or a Process"
    )


def _short(value: Any, width: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= width else text[: width - 1] + "…"


def _last_error(text: str) -> str:
    marker = "error:\n"
    idx = text.rfind(marker)
    return text[idx + len(marker) :].strip() if idx >= 0 else text.strip()


def _from_chunk(err: str, chunk: str) -> str:
    """*err* from the position in *chunk* on (drops the aos frames, e.g. ``[string ".handlers"]:169:``,
    that wrap an error raised at the top level of a loaded file)."""
    m = re.search(r"(?:\.\.\.)?" + re.escape(chunk.lstrip("@=")[-40:]) + r":\d+:", err)
    if m and not err[m.start() :].startswith(("...", chunk.lstrip("@="))):
        return err
    return err[m.start() :] if m and m.start() > 0 else err


def _line_of(err: str, chunk: str | None = None) -> int | None:
    """The line number Lua reported for *chunk* (a file name or inline-source name) in *err*."""
    if chunk:
        tail = re.escape(chunk.lstrip("@=")[-40:])
        m = re.search(tail + r":(\d+):", err)
        if m:
            return int(m.group(1))
    m = _LUA_POS.search(err)
    return int(m.group(1)) if m else None
