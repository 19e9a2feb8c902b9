"""``DevNet``: one harness ``Network`` behind AO's units, with a durable log.

This module is the units' logic without HTTP: the MU accepts signed data items (spawn, message,
assign), the CU answers results and dry runs, the SU lists a process's scheduled messages and
the gateway describes known transactions.  Every accepted input is written to the ``Store``
before it is evaluated; ``start()`` replays the log, so a restarted server has the same state,
ids and results.

All access to the ``Network`` is serialised by one lock (a Lua state is not thread-safe).
"""

from __future__ import annotations

import base64
import json
import secrets
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.devnet import dataitem
from harness.devnet.dataitem import DataItem, DataItemError
from harness.devnet.store import DataDirLock, Record, Store
from harness.errors import (
    ApiError,  # defined in harness.errors; importable from here too
    HarnessError,
)
from harness.ids import DEFAULT_MODULE, LEGACY_MODULE, MU_ADDRESS, SCHEDULER, make_id
from harness.messages import Delivery, Message, Result
from harness.network import Network
from harness.process import Process
from harness.profiles import get_profile

#: Module ids that spawn processes of a harness profile (extended by ``--module-profile``).
MODULE_PROFILES: dict[str, str] = {DEFAULT_MODULE: "default", LEGACY_MODULE: "legacy"}

#: Tags the gateway reports for a module id (what aoconnect's spawn checks).
MODULE_TAGS = (
    ("Data-Protocol", "ao"),
    ("Variant", "ao.TN.1"),
    ("Type", "Module"),
    ("Module-Format", "wasm64-unknown-emscripten-draft_2024_02_15"),
    ("Input-Encoding", "JSON-1"),
    ("Output-Encoding", "JSON-1"),
    ("Memory-Limit", "16-gb"),
    ("Compute-Limit", "9000000000000"),
)


@dataclass
class Entry:
    """One delivery to a process, as the CU and SU report it."""

    ordinal: int
    message: Message
    result: Result


@dataclass
class StoredItem:
    """A data item the MU accepted (or a network-made message), for SU and gateway reads."""

    id: str
    owner: str
    tags: tuple[tuple[str, str], ...]
    data: str
    target: str | None
    anchor: str | None
    owner_key: str | None = None
    signature: str | None = None
    timestamp: int = 0
    assigned: set[str] = field(default_factory=set)


class DevNet:
    """The units' shared state.  ``start()`` takes the data dir lock and replays the log."""

    def __init__(
        self,
        data_dir: str | Path,
        *,
        lua: str | None = "5.3",
        profile: str = "default",
        root: str | Path | None = None,
        module_profiles: Mapping[str, str] | None = None,
        clock: str = "wall",
        use_builds: bool = False,
        su_url: str = "",
    ) -> None:
        if clock not in ("wall", "manual"):
            raise ValueError(f"--clock must be 'wall' or 'manual', not {clock!r}")
        self.data_dir = Path(data_dir)
        self.clock = clock
        self.su_url = su_url
        self.module_profiles = dict(MODULE_PROFILES)
        for module, name in (module_profiles or {}).items():
            self.module_profiles[module] = get_profile(name).name  # a clear error for unknown names
        self._net_options = {"lua": lua, "profile": profile, "root": root, "use_builds": use_builds}
        self.lock = threading.RLock()
        self._dir_lock = DataDirLock(self.data_dir)
        self.store: Store | None = None
        self.network: Network | None = None
        self.entries: dict[str, list[Entry]] = {}
        self.by_message: dict[tuple[str, str], Entry] = {}
        self.items: dict[str, StoredItem] = {}
        self.system: dict[str, str] = {}
        self.failures: dict[tuple[str, str], str] = {}
        #: process id -> aos profile of the processes spawned by data items (the view shows it)
        self.profiles: dict[str, str] = {}
        self.replayed = 0
        self._seen = 0

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._dir_lock.acquire()
        try:
            self.store = Store(self.data_dir)
            seed = self.store.meta("seed")
            if seed is None:
                seed = "devnet-" + secrets.token_hex(8)
                self.store.set_meta("seed", seed)
            self.network = Network(seed=seed, **self._net_options)  # type: ignore[arg-type]
            for record in self.store.records():
                self._replay(record)
                self.replayed += 1
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        if self.store is not None:
            self.store.close()
            self.store = None
        self._dir_lock.release()

    @property
    def net(self) -> Network:
        assert self.network is not None, "DevNet.start() was not called"
        return self.network

    def _store(self) -> Store:
        assert self.store is not None, "DevNet.start() was not called"
        return self.store

    # -- clock ---------------------------------------------------------------------------------

    def _next_time(self) -> int:
        if self.clock == "manual":
            return self.net.now
        return max(int(time.time() * 1000), self.net.now)

    def _move_to(self, t: int) -> None:
        """Advance the network clock to *t* (delivering due cron ticks) and run until quiet."""
        if t > self.net.now:
            self.net.advance(t - self.net.now)
        self._run()

    def _run(self) -> None:
        try:
            self.net.run()
        finally:
            self._index()

    def tick(self) -> int:
        """Wall clock mode: bring the clock up to now; cron ticks that fall due are delivered and
        logged.  Returns how many deliveries that made."""
        with self.lock:
            before = self._seen
            t = self._next_time()
            if t <= self.net.now:
                return 0
            self._move_to(t)
            made = self._seen - before
            if made:
                self._store().append("tick", t)
            return made

    def advance(self, ms: int) -> int:
        """Manual clock: move the clock by *ms* (the test endpoint); logged like a tick."""
        if ms < 0:
            raise ApiError(400, f"advance: ms must be >= 0, got {ms}")
        with self.lock:
            before = self._seen
            t = self.net.now + ms
            self._store().append("tick", t)
            self._move_to(t)
            return self._seen - before

    # -- indexing of deliveries ------------------------------------------------------------------

    def _index(self) -> None:
        trace = self.net.trace
        for d in trace[self._seen :]:
            self._index_one(d)
        self._seen = len(trace)

    def _index_one(self, d: Delivery) -> None:
        msg = d.message
        if d.result is None:
            if msg.id and msg.id not in self.items:
                self.items[msg.id] = _network_item(msg)
            return
        pid = d.result.process
        lst = self.entries.setdefault(pid, [])
        entry = Entry(len(lst) + 1, msg, d.result)
        lst.append(entry)
        if msg.id:
            self.by_message[(pid, msg.id)] = entry
            if msg.id not in self.items:
                self.items[msg.id] = _network_item(msg)

    # -- the MU --------------------------------------------------------------------------------

    def submit(self, raw: bytes) -> dict[str, Any]:
        """``POST /`` on the MU: a signed spawn or message item."""
        item = _verified(raw)
        kind = item.tag("Type")
        if item.tag("Data-Protocol") != "ao":
            raise ApiError(400, "the data item has no 'Data-Protocol: ao' tag; it is not an AO message")
        text = _text(item)
        with self.lock:
            if item.id in self.items or item.id in self.net.processes:
                raise ApiError(400, f"data item {item.id} was already accepted")
            if kind == "Process":
                profile = self._profile_for(item.tag("Module"))
                t = self._next_time()
                self._move_to(t)
                self._store().append("spawn", t, process=item.id, item_id=item.id, raw=raw)
                self._apply_spawn(item, text, profile, t)
            elif kind == "Message":
                target = item.target_id
                if target is None:
                    raise ApiError(400, "a Type=Message data item needs a target (the process id)")
                if target not in self.net.processes:
                    raise ApiError(404, f"unknown process {target}: no process with that id on this devnet")
                t = self._next_time()
                self._move_to(t)
                self._store().append("message", t, process=target, item_id=item.id, raw=raw)
                self._apply_message(item, text, t)
            else:
                raise ApiError(
                    400, f"the data item's Type tag is {kind!r}; the MU takes 'Process' or 'Message'"
                )
        return {"message": "Processing DataItem", "id": item.id}

    def check_monitor(self, raw: bytes) -> None:
        """``POST``/``DELETE /monitor/{pid}``: cron runs on its own here, so only check the item."""
        _verified(raw)

    def assign(self, process: str, message: str, *, exclude: str | None, base_layer: bool) -> dict[str, Any]:
        if base_layer:
            raise ApiError(
                501, "assign: base-layer (L1 transaction) assignments are not served by this devnet"
            )
        if exclude:
            raise ApiError(501, "assign: 'exclude' is not served by this devnet")
        with self.lock:
            if process not in self.net.processes:
                raise ApiError(404, f"assign: unknown process {process}")
            original = self.items.get(message)
            if original is None:
                raise ApiError(
                    404, f"assign: unknown message {message}: only messages this devnet saw can be assigned"
                )
            if process in original.assigned or original.target == process:
                raise ApiError(400, f"assign: message {message} is already scheduled for process {process}")
            t = self._next_time()
            self._move_to(t)
            seq = self._store().append("assign", t, process=process, item_id=message)
            return {"message": "Processing Assignment", "id": self._apply_assign(process, message, seq)}

    def _profile_for(self, module: str | None) -> str:
        if not module:
            raise ApiError(400, "the spawn data item has no Module tag")
        profile = self.module_profiles.get(module)
        if profile is None:
            known = ", ".join(f"{m} ({p})" for m, p in self.module_profiles.items())
            raise ApiError(
                400,
                f"unknown Module {module}: this devnet runs the aos profiles of {known}; map it with "
                f"--module-profile {module}=default",
            )
        return profile

    # -- applying records (live and replay) ----------------------------------------------------

    def _apply_spawn(self, item: DataItem, text: str, profile: str, t: int) -> None:
        self.items[item.id] = _stored(item, text, t)
        self.profiles[item.id] = profile
        self._evaluate(
            (item.id, item.id),
            lambda: self.net.spawn_signed(
                item.id, owner=item.owner, tags=item.tags, data=text, profile=profile
            ),
        )

    def _apply_message(self, item: DataItem, text: str, t: int) -> None:
        self.items[item.id] = _stored(item, text, t)
        proc = self.net.process(item.target_id or "")
        self._evaluate(
            (proc.id, item.id),
            lambda: self.net.deliver_signed(
                proc, id=item.id, owner=item.owner, tags=item.tags, data=text, anchor=item.anchor_text
            ),
        )

    def _apply_assign(self, process: str, message: str, seq: int) -> str:
        original = self.items[message]
        original.assigned.add(process)
        self._evaluate(
            (process, message),
            lambda: self.net.deliver_signed(
                self.net.process(process),
                id=original.id,
                owner=original.owner,
                tags=original.tags,
                data=original.data,
                anchor=original.anchor,
                assignment=True,
            ),
        )
        return make_id(self._store().meta("seed"), "assignment", seq)

    def _evaluate(self, key: tuple[str, str], step: Callable[[], object]) -> None:
        """Run *step* (one accepted input) and the network until quiet.  A harness refusal on
        the way (e.g. an outbox tag value the MU would not carry, a message storm) does not undo
        the acknowledged input: it is kept as that message's ``Error`` (and replays the same)."""
        try:
            step()
            self._run()
        except HarnessError as exc:
            self._index()
            text = str(exc).strip()
            self.failures[key] = text
            print(f"ao-harness serve: message {key[1]} to {key[0]}: {text.splitlines()[0]}", file=sys.stderr)

    def spawn_manifest(self, manifest: Path) -> dict[str, str]:
        """Spawn and wire an ``aoform.yaml`` system (once per data dir); handle -> process id."""
        with self.lock:
            if self.system:
                return self.system
            t = self._next_time()
            self._move_to(t)
            # applied before it is logged: a manifest that fails to spawn leaves no record behind
            # (the server does not start, and nothing was acknowledged to anyone)
            self._apply_system(str(manifest.resolve()))
            self._store().append("system", t, extra={"manifest": str(manifest.resolve())})
            return self.system

    def _apply_system(self, path: str) -> None:
        try:
            system = self.net.spawn_system(path)
        finally:
            self._run()
        self.system = {name: system[name].id for name in system}

    def _replay(self, rec: Record) -> None:
        with self.lock:
            self._move_to(rec.time)
            try:
                if rec.kind == "tick":
                    return
                if rec.kind == "system":
                    self._apply_system(rec.extra["manifest"])
                elif rec.kind in ("spawn", "message"):
                    item = dataitem.parse(rec.raw or b"")
                    text = item.data.decode("utf-8")
                    if rec.kind == "spawn":
                        self._apply_spawn(item, text, self._profile_for(item.tag("Module")), rec.time)
                    else:
                        self._apply_message(item, text, rec.time)
                elif rec.kind == "assign":
                    self._apply_assign(rec.process or "", rec.item_id or "", rec.seq)
                else:
                    raise HarnessError(f"unknown record kind {rec.kind!r}")
            except (ApiError, HarnessError, KeyError, ValueError) as exc:
                raise HarnessError(
                    f"replaying record {rec.seq} ({rec.kind}) of {self._store().path} failed: {exc}"
                ) from exc

    # -- the CU --------------------------------------------------------------------------------

    def result(self, message: str, process: str) -> dict[str, Any]:
        with self.lock:
            self._need_process(process)
            entry = self.by_message.get((process, message))
            if entry is None and (process, message) in self.failures:
                error = "harness: " + self.failures[(process, message)]
                return {"Messages": [], "Spawns": [], "Assignments": [], "Output": {"data": ""}, "GasUsed": 0,
                        "Error": error}  # fmt: skip
            if entry is None:
                raise ApiError(404, f"no result for message {message} on process {process}")
            return result_json(entry.result)

    def results(
        self, process: str, *, from_: str | None, to: str | None, sort: str, limit: int | None
    ) -> dict[str, Any]:
        if sort not in ("ASC", "DESC"):
            raise ApiError(400, f"results: sort must be ASC or DESC, not {sort!r}")
        if limit is not None and limit < 1:
            raise ApiError(400, f"results: limit must be a positive number, not {limit}")
        limit = limit or 25
        lo = _cursor_ordinal(from_) if from_ else None
        hi = _cursor_ordinal(to) if to else None
        with self.lock:
            self._need_process(process)
            entries = [e for e in self.entries.get(process, []) if e.result.error is None]
        if lo is not None:
            entries = [e for e in entries if (e.ordinal > lo if sort == "ASC" else e.ordinal < lo)]
        if hi is not None:
            entries = [e for e in entries if (e.ordinal <= hi if sort == "ASC" else e.ordinal >= hi)]
        if sort == "DESC":
            entries.reverse()
        page = entries[:limit]
        return {
            "pageInfo": {"hasNextPage": len(entries) > limit},
            "edges": [{"cursor": _cursor(e), "node": result_json(e.result)} for e in page],
        }

    def dry_run(self, process: str, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise ApiError(
                400, "dry-run: the body must be a JSON object (Id, Target, Owner, Anchor, Data, Tags)"
            )
        tags_in = body.get("Tags", [])
        if not isinstance(tags_in, list) or not all(
            isinstance(t, dict) and isinstance(t.get("name"), str) and isinstance(t.get("value"), str)
            for t in tags_in
        ):
            raise ApiError(400, "dry-run: Tags must be a list of {name, value} string pairs")
        data = body.get("Data", "")
        if not isinstance(data, str):
            raise ApiError(400, "dry-run: Data must be a string")
        owner = body.get("Owner") or "1234"
        msg_id = body.get("Id") or "1234"
        if not isinstance(owner, str) or not isinstance(msg_id, str):
            raise ApiError(400, "dry-run: Id and Owner must be strings")
        anchor = body.get("Anchor")
        with self.lock:
            proc = self._need_process(process)
            result = self.net.deliver_signed(
                proc,
                id=msg_id,
                owner=owner,
                tags=[(t["name"], t["value"]) for t in tags_in],
                data=data,
                anchor=anchor if isinstance(anchor, str) else None,
                dry=True,
            )
        return result_json(result)

    def warm(self, process: str) -> None:
        """Rebuild *process*'s Lua state now if a dry run discarded it (the harness rolls a dry
        run back by replaying the log on next use); called after the dry run's answer is sent,
        so the next request does not pay for the replay."""
        with self.lock:
            proc = self.net.processes.get(process)
            if proc is not None:
                proc.handlers  # noqa: B018 - any state access rebuilds it

    def state(self, process: str) -> str:
        with self.lock:
            return self._need_process(process).snapshot()

    def _need_process(self, process: str | None) -> Process:
        if not process:
            raise ApiError(400, "the process-id query parameter is missing")
        proc = self.net.processes.get(process)
        if proc is None:
            raise ApiError(404, f"unknown process {process}: no process with that id on this devnet")
        return proc

    # -- the SU --------------------------------------------------------------------------------

    def su_messages(
        self, process: str, *, from_: str | None, to: str | None, limit: int | None
    ) -> dict[str, Any]:
        lo = _int_param("from", from_)
        hi = _int_param("to", to)
        limit = limit or 1000
        with self.lock:
            proc = self._need_process(process)
            edges = []
            for e in self.entries.get(process, []):
                m = e.message
                if m.nonce is None or m.timestamp is None:
                    continue  # cron ticks and dry runs are not scheduled messages
                if (lo is not None and m.timestamp <= lo) or (hi is not None and m.timestamp > hi):
                    continue
                edges.append({"cursor": str(m.timestamp), "node": self._su_node(proc, m)})
        return {"page_info": {"has_next_page": len(edges) > limit}, "edges": edges[:limit]}

    def su_message(self, message: str, process: str) -> dict[str, Any]:
        with self.lock:
            proc = self._need_process(process)
            entry = self.by_message.get((process, message))
            if entry is None or entry.message.nonce is None:
                raise ApiError(404, f"message {message} is not scheduled on process {process}")
            return self._su_node(proc, entry.message)

    def _su_node(self, proc: Process, m: Message) -> dict[str, Any]:
        item = self.items.get(m.id or "")
        assignment_tags = [
            ("Process", proc.id),
            ("Epoch", "0"),
            ("Nonce", str(m.nonce)),
            ("Timestamp", str(m.timestamp)),
            ("Block-Height", str(m.block_height)),
            ("Hash-Chain", make_id("hash-chain", proc.id, m.nonce)),
        ]
        return {
            "message": {
                "id": m.id,
                "owner": {"address": m.owner, "key": item.owner_key if item else None},
                "data": m.data if isinstance(m.data, str) else "",
                "tags": _tags_json(m.tag_list),
                "signature": item.signature if item else None,
                "anchor": m.anchor,
                "target": proc.id,
            },
            "assignment": {
                "id": make_id("assignment", proc.id, m.nonce),
                "owner": {"address": MU_ADDRESS, "key": None},
                "tags": _tags_json(assignment_tags),
                "data": None,
                "anchor": None,
                "target": None,
            },
        }

    # -- the gateway ---------------------------------------------------------------------------

    def graphql(self, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict) or not isinstance(body.get("query"), str):
            raise ApiError(400, "graphql: the body must be a JSON object with a 'query' string")
        query: str = body["query"]
        variables = body.get("variables") or {}
        if not isinstance(variables, dict):
            raise ApiError(400, "graphql: 'variables' must be an object")
        if "Scheduler-Location" in query:
            return {"data": {"transactions": {"edges": [{"node": self._scheduler_location()}]}}}
        ids = variables.get("transactionIds") or variables.get("ids")
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise ApiError(
                501,
                "graphql: only transactions(ids: $transactionIds) and the Scheduler-Location lookup are "
                "served by this devnet",
            )
        with self.lock:
            edges = [{"cursor": i, "node": n} for i in ids if (n := self._tx_node(i)) is not None]
        if ids and not edges:
            # a real gateway answers 200 with no edges, which aoconnect's spawn reports as
            # "Invalid Return 'undefined'"; a 404 with the reason reads better
            modules = ", ".join(f"{m} ({p})" for m, p in self.module_profiles.items())
            raise ApiError(
                404,
                f"graphql: no transaction {', '.join(ids)} on this devnet (modules: {modules}; map "
                "another module with --module-profile ID=PROFILE)",
            )
        return {"data": {"transactions": {"pageInfo": {"hasNextPage": False}, "edges": edges}}}

    def _scheduler_location(self) -> dict[str, Any]:
        tags = [("Data-Protocol", "ao"), ("Type", "Scheduler-Location"), ("Url", self.su_url),
                ("Time-To-Live", "3600000")]  # fmt: skip
        return {
            "id": make_id("scheduler-location"),
            "owner": {"address": SCHEDULER},
            "tags": _tags_json(tags),
        }

    def _tx_node(self, tx: str) -> dict[str, Any] | None:
        if tx in self.module_profiles:
            return {
                "id": tx,
                "owner": {"address": MU_ADDRESS},
                "tags": _tags_json(MODULE_TAGS),
                "block": {"id": make_id("block", tx), "height": 1, "timestamp": 1_700_000_000},
            }
        proc = self.net.processes.get(tx)
        item = self.items.get(tx)
        if proc is None and item is None:
            return None
        tags = proc.spawn_tags if proc is not None else item.tags  # type: ignore[union-attr]
        owner = proc.owner if proc is not None else item.owner  # type: ignore[union-attr]
        return {
            "id": tx,
            "anchor": item.anchor if item else None,
            "recipient": item.target if item and item.target else "",
            "owner": {"address": owner},
            "tags": _tags_json(tags),
            "block": None,
        }

    def raw_data(self, tx: str) -> tuple[bytes, str]:
        with self.lock:
            item = self.items.get(tx)
            if item is None:
                raise ApiError(404, f"no transaction {tx} on this devnet")
            ctype = next((v for k, v in item.tags if k == "Content-Type"), "application/octet-stream")
            return item.data.encode("utf-8"), ctype


# -- helpers ----------------------------------------------------------------------------------


def _verified(raw: bytes) -> DataItem:
    if not raw:
        raise ApiError(400, "A valid and signed data item must be provided as the body (the body is empty)")
    try:
        return dataitem.parse_verified(raw)
    except DataItemError as exc:
        raise ApiError(400, f"invalid data item: {exc}") from None


def _text(item: DataItem) -> str:
    try:
        return item.data_text()
    except UnicodeDecodeError:
        raise ApiError(
            400, "the data item's data is not UTF-8 text; this devnet carries text data only"
        ) from None


def _stored(item: DataItem, text: str, t: int) -> StoredItem:
    return StoredItem(
        id=item.id,
        owner=item.owner,
        tags=item.tags,
        data=text,
        target=item.target_id,
        anchor=item.anchor_text,
        owner_key=dataitem.b64url(item.owner_key),
        signature=dataitem.b64url(item.signature),
        timestamp=t,
    )


def _network_item(msg: Message) -> StoredItem:
    return StoredItem(
        id=msg.id or "",
        owner=msg.owner or MU_ADDRESS,
        tags=tuple((k, v) for k, v in msg.tag_list if isinstance(v, str)),
        data=msg.data if isinstance(msg.data, str) else "",
        target=msg.target,
        anchor=msg.anchor,
        timestamp=msg.timestamp or 0,
    )


def _tags_json(tags: Any) -> list[dict[str, str]]:
    return [{"name": k, "value": v} for k, v in tags]


def _message_json(m: Message) -> dict[str, Any]:
    out: dict[str, Any] = {"Target": m.target}
    if m.anchor is not None:
        out["Anchor"] = m.anchor
    out["Tags"] = _tags_json(m.tag_list)
    out["Data"] = m.data if m.data is not None else ""
    return out


def result_json(r: Result) -> dict[str, Any]:
    """A result as the CU's JSON (``Messages``, ``Spawns``, ``Assignments``, ``Output``, ``Error``)."""
    out: dict[str, Any] = {
        "Messages": [_message_json(m) for m in r.messages],
        "Spawns": [_message_json(s) for s in r.spawns],
        "Assignments": [{"Processes": list(p), "Message": m} for p, m in r.assignments],
        "Output": {"data": r.raw_output or ""},
        "GasUsed": 0,
    }
    if r.error is not None:
        out["Error"] = r.raw_error or r.error
    return out


def _cursor(e: Entry) -> str:
    doc = {"timestamp": e.message.timestamp, "ordinate": str(e.ordinal), "cron": None, "sort": "ASC"}
    return base64.b64encode(json.dumps(doc, separators=(",", ":")).encode()).decode()


def _cursor_ordinal(text: str) -> int:
    try:
        doc = json.loads(base64.b64decode(text, validate=True))
        return int(doc["ordinate"])
    except (ValueError, KeyError, TypeError):
        raise ApiError(400, f"results: {text!r} is not a cursor this CU returned") from None


def _int_param(name: str, value: str | None) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except ValueError:
        raise ApiError(400, f"{name} must be a timestamp in milliseconds, not {value!r}") from None
