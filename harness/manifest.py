"""The deployment manifest (``aoform.yaml``): which processes, spawned with which tags, wired by
which configuration messages.  Tests and deployment share it: ``Network.spawn_system``."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from harness.errors import HarnessError

if TYPE_CHECKING:
    from harness.network import Network
    from harness.process import Process

_REF = re.compile(r"\$\{(wallet:)?([^}]+)\}")


class ManifestError(HarnessError):
    """The manifest is malformed: names the file and the entry."""


@dataclass(frozen=True)
class ProcessEntry:
    name: str
    source: str
    build: str | None
    tags: dict[str, str]


@dataclass(frozen=True)
class Step:
    """A message to send: ``to`` a process handle, ``from`` a wallet name (scenario) or the owner."""

    to: str
    tags: dict[str, str]
    sender: str | None = None
    title: str | None = None
    advance: int = 0
    expect: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Manifest:
    path: Path
    processes: list[ProcessEntry]
    wiring: list[Step]
    scenario: list[Step]

    @property
    def root(self) -> Path:
        return self.path.resolve().parent


def _need(cond: bool, path: Path, where: str, what: str) -> None:
    if not cond:
        raise ManifestError(f"{path}: {where}: {what}")


def _tags(raw: Any, path: Path, where: str) -> dict[str, str]:
    _need(isinstance(raw, Mapping), path, where, "tags must be a mapping of name: value")
    out = {}
    for k, v in raw.items():
        _need(
            isinstance(v, str | int | float) and not isinstance(v, bool),
            path,
            where,
            f"tag {k!r} must be a string",
        )
        out[str(k)] = str(v)
    return out


def load_manifest(path: str | os.PathLike[str]) -> Manifest:
    """Read and validate a manifest; errors name the file and the entry."""
    p = Path(path)
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ManifestError(f"{p}: not valid YAML: {exc}") from exc
    _need(isinstance(data, Mapping), p, "top level", "expected a mapping with processes:, wiring:, scenario:")
    raw_procs = data.get("processes")
    _need(isinstance(raw_procs, list) and bool(raw_procs), p, "processes", "a non-empty list is required")
    processes = []
    names: set[str] = set()
    for i, entry in enumerate(raw_procs):
        where = f"processes[{i}]"
        _need(isinstance(entry, Mapping), p, where, "each process is a mapping")
        name = entry.get("name")
        _need(isinstance(name, str) and bool(name), p, where, "name: is required")
        _need(name not in names, p, where, f"duplicate process name {name!r}")
        names.add(name)
        source = entry.get("source")
        _need(isinstance(source, str), p, f"{where} ({name})", "source: (a Lua file) is required")
        processes.append(
            ProcessEntry(
                name=name,
                source=source,
                build=entry.get("build"),
                tags=_tags(entry.get("tags", {}), p, f"{where} ({name})"),
            )
        )

    def steps(key: str, *, scenario: bool) -> list[Step]:
        raw = data.get(key) or []
        _need(isinstance(raw, list), p, key, "must be a list")
        out = []
        for i, entry in enumerate(raw):
            where = f"{key}[{i}]"
            _need(isinstance(entry, Mapping), p, where, "each step is a mapping")
            to = entry.get("to")
            _need(to in names, p, where, f"to: {to!r} is not a process of this manifest ({sorted(names)})")
            if scenario:
                tags = _tags(entry.get("tags", {}), p, where)
            else:
                tags = _tags({k: v for k, v in entry.items() if k != "to"}, p, where)
            out.append(
                Step(
                    to=to,
                    tags=tags,
                    sender=entry.get("from"),
                    title=entry.get("title"),
                    advance=int(entry.get("advance", 0)),
                    expect=dict(entry.get("expect") or {}),
                )
            )
        return out

    return Manifest(
        path=p,
        processes=processes,
        wiring=steps("wiring", scenario=False),
        scenario=steps("scenario", scenario=True),
    )


class System(Mapping[str, "Process"]):
    """The processes a manifest spawned, by handle, plus ``${...}`` substitution."""

    def __init__(self, network: Network, manifest: Manifest, processes: dict[str, Process]) -> None:
        self.network = network
        self.manifest = manifest
        self._processes = processes

    def __getitem__(self, name: str) -> Process:
        return self._processes[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._processes)

    def __len__(self) -> int:
        return len(self._processes)

    def substitute(self, value: str) -> str:
        """Replace ``${handle}`` by a process id and ``${wallet:name}`` by a wallet address."""

        def repl(m: re.Match[str]) -> str:
            if m.group(1):
                return self.network.wallet(m.group(2))
            if m.group(2) not in self._processes:
                raise ManifestError(f"{self.manifest.path}: ${{{m.group(2)}}} names no process")
            return self._processes[m.group(2)].id

        return _REF.sub(repl, value)

    def address(self, name: str) -> str:
        """A process handle's id, or else the wallet of that name."""
        return self._processes[name].id if name in self._processes else self.network.wallet(name)

    def send(self, step: Step) -> Any:
        sender = self.network.wallet(step.sender) if step.sender else None
        tags = {k: self.substitute(v) for k, v in step.tags.items()}
        return self._processes[step.to].send(tags, sender=sender)


def spawn_system(network: Network, path: str | os.PathLike[str], *, use_builds: bool | None = None) -> System:
    """Spawn every process of the manifest (from its source, or its build), then send the
    wiring messages from the owner and run the network until quiet."""
    manifest = load_manifest(path)
    builds = network.use_builds if use_builds is None else use_builds
    procs: dict[str, Process] = {}
    for entry in manifest.processes:
        file = entry.build if builds and entry.build else entry.source
        resolved = Path(file) if Path(file).is_absolute() else manifest.root / file
        if not resolved.is_file():
            hint = " (run `ao-harness build` first)" if builds else ""
            raise ManifestError(f"{manifest.path}: process {entry.name}: no file {file}{hint}")
        procs[entry.name] = network.spawn(resolved, tags=entry.tags, name=entry.name)
    system = System(network, manifest, procs)
    for i, step in enumerate(manifest.wiring):
        result = system.send(step)
        if result.error is not None:
            raise ManifestError(f"{manifest.path}: wiring[{i}] to {step.to} failed: {result.error}")
        reply_errors = [m for m in result.messages if str(m.action or "").endswith("-Error")]
        if reply_errors:
            raise ManifestError(
                f"{manifest.path}: wiring[{i}] to {step.to} was refused: {reply_errors[0].get('Error')}"
            )
    network.run()
    return system
