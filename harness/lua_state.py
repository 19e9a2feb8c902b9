"""One process's Lua state: boot our aos layer, handle messages, roll back errors by replay.

AO computes a process's state by replaying its message log; an erroring message is dropped from
that log (docs/aos-semantics.md §1.4).  We do the same: every successful message is kept, and when
a message errors (or after a dry-run) the Lua state is thrown away and rebuilt lazily, on next use,
by replaying the log into a fresh state.  Messages that succeed cost nothing extra.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import lupa

from harness import chunks
from harness.convert import to_python
from harness.coverage import collector as _coverage
from harness.errors import HarnessError, NonUTF8Error, ReplayDivergenceError
from harness.lua_versions import lupa_module, normalise
from harness.profiles import Profile

DEFAULT_BUDGET = 20_000_000
DEFAULT_MEMORY = 512 * 1024 * 1024


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


@dataclass
class RawResult:
    """``process.handle``'s result, flattened: ``ok`` or an error text."""

    ok: bool
    error: str | None = None
    output: Any = None
    messages: list[tuple[Any, Any, Any, list[tuple[Any, Any]]]] = field(default_factory=list)
    spawns: list[tuple[Any, Any, list[tuple[Any, Any]]]] = field(default_factory=list)
    assignments: list[tuple[list[Any], Any]] = field(default_factory=list)


def _deny_attributes(obj: object, name: object, is_setting: bool) -> object:
    """lupa attribute filter: process Lua never reads or writes a Python object's attributes."""
    raise AttributeError(f"Lua code cannot access Python attribute {name!r}")


@functools.cache
def _profile_config(profile: Profile) -> dict[str, object]:
    return profile.lua_config()


def _parse(flat: tuple[Any, ...] | Any) -> RawResult:
    if not isinstance(flat, tuple):
        flat = (flat,)
    if flat[0] != "ok":
        return RawResult(ok=False, error=str(flat[1]) if len(flat) > 1 else "unknown error")
    res = RawResult(ok=True, output=flat[1])
    n_msgs, n_spawns, n_assigns = flat[2], flat[3], flat[4]
    i = 5
    for _ in range(n_msgs):
        target, data, anchor, ntags = flat[i : i + 4]
        i += 4
        end = i + 2 * ntags
        tags = list(zip(flat[i:end:2], flat[i + 1 : end : 2], strict=True))
        i = end
        res.messages.append((target, data, anchor, tags))
    for _ in range(n_spawns):
        data, anchor, ntags = flat[i], flat[i + 1], flat[i + 2]
        i += 3
        tags = [(flat[i + 2 * j], flat[i + 2 * j + 1]) for j in range(ntags)]
        i += 2 * ntags
        res.spawns.append((data, anchor, tags))
    for _ in range(n_assigns):
        nprocs = flat[i]
        procs = list(flat[i + 1 : i + 1 + nprocs])
        i += 1 + nprocs
        res.assignments.append((procs, flat[i]))
        i += 1
    return res


# Lua's text for a table, function, ... carries its address, which differs from one Lua state to
# the next: a result that differs only in such addresses (`print(tostring({}))`) is the same result.
_ADDRESS = re.compile(r"0x[0-9a-fA-F]+")
_PARTS = ("output", "outbox (messages, spawns or assignments)")


def _stable(text: str) -> int:
    return hash(_ADDRESS.sub("0x", text) if "0x" in text else text)


def _digest(flat: tuple[Any, ...] | Any) -> tuple[Any, ...]:
    """A cheap fingerprint of one message's flattened result: failed, or a hash of its output and
    one of the rest (lupa objects and NaN show as stable text in the repr)."""
    if not isinstance(flat, tuple):
        flat = (flat,)
    if flat[0] != "ok":
        return ("error",)
    return ("ok", _stable(repr(flat[1:2])), _stable(repr(flat[2:])))


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
    ) -> None:
        self.spec = spec
        self.lua_version = normalise(lua)
        self.profile = profile
        self.budget = budget
        self.memory = memory
        #: None: `pairs` in sorted order; an int: shuffled with that seed (harness/pairs.py)
        self.pairs_seed = pairs_seed
        # (kind, args, digest of the first run's outcome) per logged preload / message
        self._log: list[tuple[str, tuple[Any, ...], tuple[Any, ...] | None]] = []
        self._lua: Any = None
        self._globals: Any = None
        self._bridge: Any = None
        self._match_counts: dict[str, int] = {}
        self.rebuilds = 0
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
            kwargs["max_memory"] = self.memory
        lua = module.LuaRuntime(**kwargs)
        mods = lua.table_from(
            {
                name: lua.table_from([code, chunk])
                for name, code, chunk in chunks.runtime_modules(self.lua_version)
            }
        )
        config = lua.table_from(
            {
                "profile": lua.table_from(_profile_config(self.profile)),
                "budget": self.budget,
                "inbox_cap": 10000,
                "search_dirs": lua.table_from([lua.table_from(list(d)) for d in self.spec.search_dirs]),
                "coverage": _coverage.lua_flag(),
                "pairs_seed": self.pairs_seed,
            }
        )
        loader = lua.eval(
            "function(code) return (load or loadstring)(code, '=harness') end"
            if self.lua_version != "5.1"
            else "function(code) return loadstring(code, '=harness') end"
        )
        chunk = loader(chunks.bridge_bytecode(self.lua_version))
        try:
            bridge = chunk(mods, config)
        except lupa.LuaError as exc:
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
        if _coverage.ACTIVE:
            _coverage.track(self, bridge)

    def _ensure(self) -> None:
        if self._bridge is not None:
            return
        self.rebuilds += 1
        self._boot()
        self._bridge.set_counting(False)
        try:
            number = 0
            for kind, args, digest in self._log:
                if kind == "preload":
                    self._bridge.preload(*args)
                    continue
                number += 1
                self._replay_one(number, args, digest)
        except ReplayDivergenceError:
            self._lua = self._globals = self._bridge = None
            raise
        self._bridge.set_counting(True)

    def _replay_one(self, number: int, args: tuple[Any, ...], digest: tuple[Any, ...] | None) -> None:
        """Re-run one logged message into the rebuilt state; it must end as its first run did."""
        try:
            flat = self._handle(*args)
            res = _parse(flat)
            now = _digest(flat)
        except (UnicodeDecodeError, lupa.LuaError) as exc:
            res = RawResult(ok=False, error=f"{type(exc).__name__}: {exc}")
            now = ("error",)
        if now == digest:
            return
        name = self.spec.label or self.spec.id
        where = f"harness: replaying process {name} ({self.spec.id}) diverged at logged message #{number}"
        where += f" ({_describe(args)})"
        if not res.ok:
            first_line = (res.error or "").strip().splitlines()
            why = first_line[-1] if first_line else "unknown error"
            raise ReplayDivergenceError(f"{where}: it succeeded when first run but fails on replay: {why}")
        differ = [part for part, a, b in zip(_PARTS, (digest or ())[1:], now[1:], strict=False) if a != b]
        verb = "differs" if len(differ) == 1 else "differ"
        raise ReplayDivergenceError(
            f"{where}: its {' and '.join(differ) or 'result'} {verb} from the first run "
            "(the process depends on something outside its message log)"
        )

    def _discard(self) -> None:
        if self._bridge is not None and _coverage.ACTIVE:
            _coverage.harvest(self, self._bridge)
        if self._bridge is not None:
            for name, count in self._bridge.matches().items():
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
        self._log.append(("preload", args, None))

    def handle(self, args: tuple[Any, ...], *, dry: bool = False) -> RawResult:
        """Run ``process.handle`` for one message (``message_args`` builds *args*); keep it in
        the log if it succeeded."""
        if self._bridge is None:
            self._ensure()
        try:
            flat = self._handle(*args)
        except UnicodeDecodeError as exc:
            self._discard()
            raise NonUTF8Error(
                f"process {self.spec.id} produced a string that is not valid UTF-8 ({exc}); "
                "AO results travel as JSON text, so binary data must be encoded (e.g. base64)"
            ) from exc
        except lupa.LuaMemoryError:
            self._discard()
            return RawResult(ok=False, error=self._memory_text())
        except lupa.LuaError as exc:  # pragma: no cover - the bridge pcalls everything
            self._discard()
            return RawResult(ok=False, error=str(exc))
        res = _parse(flat)
        if not res.ok and res.error and "not enough memory" in res.error:
            res.error = self._memory_text() + "\n" + res.error
        if dry or not res.ok:
            self._discard()
        else:
            self._log.append(("handle", args, _digest(flat)))
        return res

    def _memory_text(self) -> str:
        return (
            f"harness: memory cap exceeded: the process's Lua state may use {self.memory} bytes "
            "(raise it with Network(memory_limit=...))"
        )

    # -- inspection --------------------------------------------------------------------------

    @property
    def lua(self) -> Any:
        self._ensure()
        return self._lua

    def globals_table(self) -> Any:
        if self._bridge is None:
            self._ensure()
        if self._globals is None:
            self._globals = self._lua.globals()
        return self._globals

    def get_global(self, name: str) -> Any:
        return to_python(self.globals_table()[name])

    def global_names(self) -> Iterator[str]:
        for key in list(self.globals_table().keys()):
            if isinstance(key, str):
                yield key

    def snapshot(self, names: tuple[str, ...]) -> str:
        self._ensure()
        return str(self._bridge.snapshot(self._lua.table_from(list(names))))

    def handler_names(self) -> list[str]:
        self._ensure()
        return list(to_python(self._bridge.handler_names()) or [])

    def match_counts(self) -> dict[str, int]:
        counts = dict(self._match_counts)
        if self._bridge is not None:
            for name, count in self._bridge.matches().items():
                counts[name] = counts.get(name, 0) + count
        return counts

    @property
    def log_length(self) -> int:
        return sum(1 for kind, _, _ in self._log if kind == "handle")
