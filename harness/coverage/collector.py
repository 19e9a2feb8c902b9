"""Collect Lua line hits and handler matches from every Lua state while ``--ao-cov`` is on.

``harness.lua_state`` talks to this module through three calls only: ``lua_flag()`` (what to
pass to the Lua side at boot), ``track(state, bridge)`` after a boot, ``harvest(state, bridge)``
before a state is thrown away.  ``ACTIVE`` is ``False`` unless a ``Collector`` is installed, so
with coverage off a state pays one attribute test per boot and nothing per message.
"""

from __future__ import annotations

import contextlib
import re
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness import chunks
from harness.bundle import is_bundle, parse_markers

#: True while a collector is installed (read by ``harness.lua_state`` at every boot).
ACTIVE = False
_current: Collector | None = None

DEFAULT_INCLUDE = ("ao/**/*.lua",)


def install(collector: Collector | None) -> None:
    """Make *collector* receive every Lua state's hits (``None`` turns coverage off)."""
    global ACTIVE, _current
    _current = collector
    ACTIVE = collector is not None


def current() -> Collector | None:
    return _current


@contextlib.contextmanager
def installed(collector: Collector | None) -> Iterator[Collector | None]:
    """Install *collector* (``None``: coverage off) for a block, then put back the one before."""
    previous = _current
    install(collector)
    try:
        yield collector
    finally:
        install(previous)


def lua_flag() -> Any:
    """The ``coverage`` entry of a state's Lua config: ``None`` (off), ``True`` or ``"runtime"``."""
    if _current is None:
        return None
    return "runtime" if _current.runtime else True


def track(state: Any, bridge: Any) -> None:
    if _current is not None:
        _current.track(state, bridge)


def harvest(state: Any, bridge: Any) -> None:
    if _current is not None:
        _current.harvest_bridge(state, bridge, final=True)


def glob_regex(pattern: str) -> re.Pattern[str]:
    """``ao/**/*.lua`` -> a regex over posix paths (``**`` spans directories, ``*`` does not)."""
    out = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        else:
            out.append(re.escape(c))
        i += 1
    return re.compile("".join(out) + r"\Z")


def bundle_map(text: str, bundle_path: Path) -> dict[int, tuple[str, int]] | None:
    """Bundle line -> (absolute source path, source line), from the bundle's markers (read by
    ``harness.bundle.parse_markers``); ``None`` if *text* is not a bundle.  Marker paths are
    relative to the project root the bundle was built from: the nearest parent of the bundle
    where the path exists."""
    if not is_bundle(text):
        return None
    segments = parse_markers(text, str(bundle_path))
    mapping: dict[int, tuple[str, int]] = {}
    resolved: dict[str, str] = {}
    for seg in segments:
        if seg.path not in resolved:
            resolved[seg.path] = _resolve_marker(seg.path, bundle_path)
        path = resolved[seg.path]
        for i in range(seg.count):
            mapping[seg.start + i] = (path, seg.first + i)
    return mapping


def _resolve_marker(rel: str, bundle_path: Path) -> str:
    p = Path(rel)
    if p.is_absolute():
        return str(p)
    for parent in bundle_path.resolve().parents:
        candidate = parent / p
        if candidate.is_file():
            return str(candidate)
    return str((bundle_path.parent / p).resolve())


@dataclass
class _Tracked:
    state: weakref.ref[Any]
    bridge: Any
    label: str
    seen: dict[str, int] = field(default_factory=dict)
    #: chunk source -> absolute path (or None: not measured), per state's search dirs
    paths: dict[str, str | None] = field(default_factory=dict)


@dataclass
class HandlerStats:
    """Matches per handler name of one process (by label), over the whole run."""

    names: dict[str, int] = field(default_factory=dict)
    states: int = 0

    def merge(self, other: dict[str, Any]) -> None:
        for name, count in other.get("names", {}).items():
            self.names[name] = self.names.get(name, 0) + int(count)
        self.states += int(other.get("states", 0))


#: handler names the aos runtime adds to every process: not the process's own handlers
RUNTIME_HANDLERS = frozenset({"_eval", "_default", "_boot"})


class Collector:
    """Accumulates line hits (absolute path -> lines) and handler matches for one pytest run."""

    def __init__(
        self,
        *,
        root: str | Path,
        include: tuple[str, ...] | list[str] = DEFAULT_INCLUDE,
        runtime: bool = False,
    ) -> None:
        self.root = Path(root).resolve()
        self.include = tuple(include) or DEFAULT_INCLUDE
        self._include_rx = [glob_regex(p) for p in self.include]
        self.runtime = runtime
        self.pending: dict[str, set[int]] = {}
        self.total: dict[str, set[int]] = {}
        self.handlers: dict[str, HandlerStats] = {}
        self._live: dict[int, _Tracked] = {}
        #: keys of tracked states the garbage collector finalized, not drained yet (``_reap``)
        self._dead: list[int] = []
        self.closed = False
        self._bundles: dict[str, tuple[int, dict[int, tuple[str, int]] | None]] = {}
        self._included: dict[str, bool] = {}
        self._paths: dict[tuple[str, tuple[tuple[str, str], ...]], str | None] = {}

    # -- filters -------------------------------------------------------------------------------

    def includes(self, path: str) -> bool:
        """Is the absolute *path* one of the files measured?"""
        hit = self._included.get(path)
        if hit is None:
            p = Path(path)
            try:
                rel = p.relative_to(self.root).as_posix()
            except ValueError:
                rel = None
            hit = any(
                rx.match(p.as_posix()) or (rel is not None and rx.match(rel)) for rx in self._include_rx
            )
            if not hit and self.runtime:
                hit = p.is_relative_to(chunks.LUA_DIR.resolve())
            self._included[path] = hit
        return hit

    def _runtime_path(self, source: str) -> str | None:
        if not self.runtime:
            return None
        if source == chunks.BRIDGE_CHUNKNAME:
            return str((chunks.LUA_DIR / chunks.BRIDGE_ENTRY).resolve())
        rel = chunks.runtime_file(source)
        return str((chunks.LUA_DIR / rel).resolve()) if rel else None

    def _path_of(self, tracked: _Tracked, source: str) -> str | None:
        if source in tracked.paths:
            return tracked.paths[source]
        state = tracked.state()
        dirs = tuple(state.spec.search_dirs) if state is not None else ()
        key = (source, dirs)
        if key in self._paths:
            path = self._paths[key]
            tracked.paths[source] = path
            return path
        path = None
        if source.startswith("@"):
            name = source[1:]
            p = Path(name)
            if not p.is_absolute():
                for abs_dir, shown in dirs:
                    if name.startswith(shown.rstrip("/") + "/"):
                        p = Path(abs_dir) / name[len(shown.rstrip("/")) + 1 :]
                        break
                else:
                    p = self.root / name
            path = str(p.resolve())
        else:
            path = self._runtime_path(source)
        tracked.paths[source] = path
        self._paths[key] = path
        return path

    def _bundle(self, path: str) -> dict[int, tuple[str, int]] | None:
        try:
            mtime = Path(path).stat().st_mtime_ns
        except OSError:
            return None
        hit = self._bundles.get(path)
        if hit is None or hit[0] != mtime:
            text = Path(path).read_text(encoding="utf-8", errors="replace")
            hit = (mtime, bundle_map(text, Path(path)))
            self._bundles[path] = hit
        return hit[1]

    # -- recording -----------------------------------------------------------------------------

    def add_lines(self, path: str, lines: set[int] | list[int]) -> None:
        """Record hits of *path* (a bundle's lines are mapped to their source files)."""
        mapping = self._bundle(path)
        if mapping is not None:
            by_file: dict[str, set[int]] = {}
            for line in lines:
                target = mapping.get(line)
                if target is not None:
                    by_file.setdefault(target[0], set()).add(target[1])
            for src, ls in by_file.items():
                if self.includes(src):
                    self._add(src, ls)
            return
        if self.includes(path):
            self._add(path, set(lines))

    def _add(self, path: str, lines: set[int]) -> None:
        self.pending.setdefault(path, set()).update(lines)
        self.total.setdefault(path, set()).update(lines)

    def track(self, state: Any, bridge: Any) -> None:
        self._reap()
        label = getattr(state.spec, "label", "") or state.spec.id
        tracked = _Tracked(weakref.ref(state), bridge, label)
        key = id(tracked)
        self._live[key] = tracked
        self.handlers.setdefault(label, HandlerStats()).states += 1
        # a state that is garbage-collected is drained first (the finalizer holds its bridge)
        fin = weakref.finalize(state, self._finalize, key)
        fin.atexit = False

    def _finalize(self, key: int) -> None:
        # runs inside the garbage collector, possibly while another method walks ``_live``: only
        # note the key here; ``_reap`` drains it at the next call (its bridge is kept till then)
        self._dead.append(key)

    def _reap(self) -> None:
        """Drain the states garbage-collected since the last call."""
        while self._dead:
            tracked = self._live.pop(self._dead.pop(), None)
            if tracked is not None and not self.closed:
                self._take(tracked)

    def _take(self, tracked: _Tracked) -> None:
        text = str(tracked.bridge.coverage())
        if not text:
            return
        stats = self.handlers.setdefault(tracked.label, HandlerStats())
        for record in text.split("\n"):
            kind, _, rest = record.partition("\t")
            key, _, value = rest.rpartition("\t")
            if kind == "F":
                path = self._path_of(tracked, key)
                if path is not None and value:
                    self.add_lines(path, [int(x) for x in value.split(" ")])
            elif kind == "H":
                count = int(value)
                delta = count - tracked.seen.get(key, 0)
                stats.names[key] = stats.names.get(key, 0) + delta
                tracked.seen[key] = count

    def harvest_bridge(self, state: Any, bridge: Any, *, final: bool = False) -> None:
        """Drain one state's bridge (``final``: the state is about to drop it)."""
        self._reap()
        for key, tracked in list(self._live.items()):
            if tracked.bridge is bridge:
                self._take(tracked)
                if final:
                    del self._live[key]
                return

    def drain(self) -> None:
        """Drain every live state (states rebuilt or collected were drained already)."""
        self._reap()
        for tracked in list(self._live.values()):
            self._take(tracked)

    def close(self) -> None:
        """Drain everything still alive and stop listening to finalizers."""
        self.drain()
        self._live.clear()
        self.closed = True

    def take_pending(self) -> dict[str, set[int]]:
        out, self.pending = self.pending, {}
        return out

    # -- merging (xdist) -----------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        return {
            "lines": {p: sorted(ls) for p, ls in self.total.items()},
            "handlers": {k: {"names": v.names, "states": v.states} for k, v in self.handlers.items()},
        }

    def merge_json(self, data: dict[str, Any]) -> dict[str, set[int]]:
        lines = {p: set(ls) for p, ls in data.get("lines", {}).items()}
        for p, ls in lines.items():
            self.total.setdefault(p, set()).update(ls)
        for label, stats in data.get("handlers", {}).items():
            self.handlers.setdefault(label, HandlerStats()).merge(stats)
        return lines
