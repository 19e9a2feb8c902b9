"""The deployment manifest (``aoform.yaml``): which processes, spawned with which tags, wired by
which configuration messages.  Tests and deployment share it: ``Network.spawn_system``."""

from __future__ import annotations

import copy
import difflib
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.errors import ManifestError  # ManifestError is defined in harness.errors
from harness.network import parse_interval

if TYPE_CHECKING:
    from harness.network import Network
    from harness.process import Process

_REF = re.compile(r"\$\{(wallet:)?([^}]+)\}")


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


#: the keys each level of the manifest knows (anything else is a typo: "did you mean ...?")
TOP_KEYS = ("processes", "wiring", "scenario")
PROCESS_KEYS = ("name", "source", "build", "tags")
STEP_KEYS = ("title", "from", "to", "tags", "advance", "expect")
EXPECT_KEYS = ("balances", "received")
#: scenario-only keys a wiring step may not use (its other keys are the message's tags)
_WIRING_REFUSED = {
    "from": "every wiring message is sent by the owner",
    "title": "wiring steps are not printed",
    "advance": "wiring is sent before the clock moves",
    "expect": "a wiring message is checked by its Configure-Response",
    "tags": "wiring steps give their tags inline (Action: ..., Config-Type: ...), not under tags:",
}


def _need(cond: bool, path: Path, where: str, what: str) -> None:
    if not cond:
        raise ManifestError(f"{path}: {where}: {what}")


def _kind(value: Any) -> str:
    """A YAML value's type, in YAML's words."""
    if value is None:
        return "empty (null)"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"a {type(value).__name__}"


def _list(names: set[str]) -> str:
    return ", ".join(sorted(names))


def _check_keys(entry: Mapping[Any, Any], known: tuple[str, ...], path: Path, where: str) -> None:
    """Refuse keys *known* does not list, suggesting the closest one."""
    for key in entry:
        if key in known:
            continue
        close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}?" if close else "the keys are " + ", ".join(known)
        raise ManifestError(f"{path}: {where}: unknown key {key!r}; {hint}")


def _string(entry: Mapping[Any, Any], key: str, path: Path, where: str, what: str) -> str | None:
    """``entry[key]`` when it is a non-empty string, ``None`` when absent; else a ManifestError."""
    if key not in entry:
        return None
    value = entry[key]
    _need(
        isinstance(value, str) and bool(value),
        path,
        where,
        f"{key}: expected a string ({what}), got {_kind(value)}" + ("" if value is None else f" {value!r}"),
    )
    return value


def _tags(raw: Any, path: Path, where: str) -> dict[str, str]:
    _need(
        isinstance(raw, Mapping),
        path,
        where,
        f"tags: expected a mapping of name: value, got {_kind(raw)}",
    )
    out = {}
    for k, v in raw.items():
        _need(isinstance(k, str), path, where, f"tag name {k!r} is {_kind(k)}; tag names are strings")
        if isinstance(v, bool):
            _need(False, path, where, f"tag {k!r} is a boolean (YAML reads true, no, on so); quote it: '{v}'")
        if isinstance(v, float):
            _need(False, path, where, f"tag {k!r} = {v!r} is a number YAML may have rounded; quote it")
        _need(
            isinstance(v, str | int),
            path,
            where,
            f"tag {k!r} must be a string, got {_kind(v)}; quote the value",
        )
        out[k] = str(v)
    return out


def _refs(tags: dict[str, str], names: set[str], path: Path, where: str) -> None:
    """Every ``${handle}`` in *tags* names a process, every ``${wallet:x}`` a wallet."""
    for k, v in tags.items():
        for m in _REF.finditer(v):
            if m.group(1) or m.group(2) == "wallet:":
                _need(
                    bool(m.group(1)) and bool(m.group(2).strip()),
                    path,
                    where,
                    f"tag {k!r}: ${{wallet:}} needs a wallet name, e.g. ${{wallet:alice}}",
                )
            else:
                _need(
                    m.group(2) in names,
                    path,
                    where,
                    f"tag {k!r}: ${{{m.group(2)}}} names no process; the processes are {_list(names)}",
                )


def _text(p: Path) -> str:
    try:
        return p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ManifestError(f"{p}: no such file; give the path of an aoform.yaml manifest") from None
    except IsADirectoryError:
        raise ManifestError(f"{p}: is a directory; give the path of an aoform.yaml manifest") from None
    except UnicodeDecodeError as exc:
        raise ManifestError(f"{p}: not UTF-8 text (byte {exc.start}); save the manifest as UTF-8") from None
    except OSError as exc:
        raise ManifestError(f"{p}: cannot be read ({exc.strerror}); check the path") from None


def _parse(p: Path, text: str) -> Any:
    """*text* as YAML: libyaml's parser when PyYAML has it (~10x faster), else PyYAML's own.  A
    document libyaml refuses is parsed again by PyYAML's own parser, whose error (or value) is the
    one reported: the error texts do not depend on how PyYAML was built."""
    import yaml  # only a run that reads a manifest pays for importing PyYAML

    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        try:
            return yaml.load(text, Loader=fast)
        except yaml.YAMLError:
            pass
    try:
        return yaml.load(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{p}:{mark.line + 1}:{mark.column + 1}" if mark is not None else str(p)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        context = getattr(exc, "context", None)
        what = f"{problem} ({context})" if context else problem
        raise ManifestError(f"{where}: not valid YAML: {what}; fix the YAML syntax there") from None


#: manifests read and validated, by (the path as given, the file's text): a manifest is a function
#: of these two alone, so a file that changed is read again whatever its mtime says
_CACHE: dict[tuple[Path, str], Manifest] = {}
_CACHE_SIZE = 16


def load_manifest(path: str | os.PathLike[str]) -> Manifest:
    """Read and validate a manifest; errors name the file and the entry, and what to do."""
    if not isinstance(path, str | os.PathLike):
        raise ManifestError(f"load_manifest({path!r}): not a path; give the path of an aoform.yaml manifest")
    p = Path(path)
    text = _text(p)
    key = (p, text)
    cached = _CACHE.get(key)
    if cached is None:
        cached = _validate(p, _parse(p, text))
        if len(_CACHE) >= _CACHE_SIZE:
            del _CACHE[next(iter(_CACHE))]
        _CACHE[key] = cached
    # each caller gets its own copy: the lists and tag maps of a Manifest can be changed
    return copy.deepcopy(cached)


def _validate(p: Path, data: Any) -> Manifest:
    """The manifest *data* (parsed from *p*) describes, checked."""
    _need(data is not None, p, "top level", "the file is empty; give processes: (and wiring:, scenario:)")
    _need(
        isinstance(data, Mapping),
        p,
        "top level",
        f"expected a mapping with processes:, wiring:, scenario:, got {_kind(data)}",
    )
    _check_keys(data, TOP_KEYS, p, "top level")
    raw_procs = data.get("processes")
    _need(
        isinstance(raw_procs, list) and bool(raw_procs),
        p,
        "processes",
        "a non-empty list is required" + ("" if raw_procs is None else f", got {_kind(raw_procs)}"),
    )
    processes = []
    names: set[str] = set()
    for i, entry in enumerate(raw_procs):
        where = f"processes[{i}]"
        _need(isinstance(entry, Mapping), p, where, f"each process is a mapping, got {_kind(entry)}")
        _check_keys(entry, PROCESS_KEYS, p, where)
        name = _string(entry, "name", p, where, "the process handle")
        _need(name is not None, p, where, "name: is required")
        assert name is not None
        _need(name not in names, p, where, f"duplicate process name {name!r}")
        names.add(name)
        where = f"{where} ({name})"
        source = _string(entry, "source", p, where, "a Lua file")
        _need(source is not None, p, where, "source: (a Lua file) is required")
        assert source is not None
        tags = _tags(entry.get("tags", {}), p, where)
        for k, v in tags.items():
            if k == "Cron-Interval":
                try:
                    parse_interval(v)
                except ValueError as exc:
                    raise ManifestError(f"{p}: {where}: tags: {exc}") from None
        processes.append(
            ProcessEntry(
                name=name, source=source, build=_string(entry, "build", p, where, "a Lua file"), tags=tags
            )
        )

    def steps(key: str, *, scenario: bool) -> list[Step]:
        raw = data.get(key) or []
        _need(isinstance(raw, list), p, key, f"must be a list of steps, got {_kind(raw)}")
        out = []
        for i, entry in enumerate(raw):
            where = f"{key}[{i}]"
            _need(isinstance(entry, Mapping), p, where, f"each step is a mapping, got {_kind(entry)}")
            if scenario:
                _check_keys(entry, STEP_KEYS, p, where)
            to = entry.get("to")
            _need("to" in entry, p, where, f"to: is required (a process: {_list(names)})")
            _need(
                to in names,
                p,
                where,
                f"to: {to!r} is not a process of this manifest; the processes are {_list(names)}",
            )
            if scenario:
                tags = _tags(entry.get("tags", {}), p, where)
            else:
                for k, why in _WIRING_REFUSED.items():
                    _need(k not in entry, p, where, f"{k}: is not a wiring key ({why})")
                tags = _tags({k: v for k, v in entry.items() if k != "to"}, p, where)
            _refs(tags, names, p, where)
            sender = _string(entry, "from", p, where, "a wallet name")
            title = _string(entry, "title", p, where, "what the step shows")
            advance = entry.get("advance", 0)
            _need(
                isinstance(advance, int) and not isinstance(advance, bool) and advance >= 0,
                p,
                where,
                f"advance: expected a whole number of milliseconds >= 0, got {_kind(advance)} {advance!r}",
            )
            expect = _expect(entry.get("expect"), names, p, where) if scenario else {}
            out.append(Step(to=to, tags=tags, sender=sender, title=title, advance=advance, expect=expect))
        return out

    return Manifest(
        path=p,
        processes=processes,
        wiring=steps("wiring", scenario=False),
        scenario=steps("scenario", scenario=True),
    )


def _expect(raw: Any, names: set[str], path: Path, where: str) -> dict[str, Any]:
    """A scenario step's ``expect:`` checked: ``balances: {token: {holder: amount}}`` and
    ``received: {wallet: [Action, ...]}``."""
    if raw is None:
        return {}
    where = f"{where}: expect"
    _need(isinstance(raw, Mapping), path, where, f"expected a mapping (balances, received), got {_kind(raw)}")
    _check_keys(raw, EXPECT_KEYS, path, where)
    balances = raw.get("balances", {})
    _need(
        isinstance(balances, Mapping),
        path,
        where,
        f"balances: expected a mapping of token: {{holder: amount}}, got {_kind(balances)}",
    )
    for token, holders in balances.items():
        _need(
            token in names,
            path,
            f"{where}: balances",
            f"{token!r} is not a process of this manifest; the processes are {_list(names)}",
        )
        _need(
            isinstance(holders, Mapping),
            path,
            f"{where}: balances: {token}",
            f"expected a mapping of holder: amount, got {_kind(holders)}",
        )
        for holder, amount in holders.items():
            ok = isinstance(amount, str) and amount.isdigit()
            ok = ok or (isinstance(amount, int) and not isinstance(amount, bool) and amount >= 0)
            _need(
                isinstance(holder, str) and ok,
                path,
                f"{where}: balances: {token}: {holder}",
                f"expected an amount in base units (e.g. '1000000'), got {_kind(amount)} {amount!r}",
            )
    received = raw.get("received", {})
    _need(
        isinstance(received, Mapping),
        path,
        where,
        f"received: expected a mapping of wallet: [Action, ...], got {_kind(received)}",
    )
    for wallet, actions in received.items():
        _need(
            isinstance(wallet, str)
            and isinstance(actions, list) and all(isinstance(a, str) for a in actions),
            path,
            f"{where}: received: {wallet}",
            f"expected a list of Action names, e.g. [Debit-Notice], got {_kind(actions)} {actions!r}",
        )
    return dict(raw)


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
    for i, entry in enumerate(manifest.processes):
        file = entry.build if builds and entry.build else entry.source
        resolved = Path(file) if Path(file).is_absolute() else manifest.root / file
        if not resolved.is_file():
            key = "build" if builds and entry.build else "source"
            hint = "run `ao-harness build` first" if key == "build" else f"paths start at {manifest.root}"
            where = f"processes[{i}] ({entry.name})"
            raise ManifestError(f"{manifest.path}: {where}: {key}: no file {file}; {hint}")
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
