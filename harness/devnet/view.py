"""The devnet's browser view: static assets (``web/``) and the JSON API they read, on the gateway.

API (all JSON; errors are ``{"error": "<one line>"}`` with a 4xx status):

- ``GET /~harness/api/status``: ``{deliveries, now, processes, wallet}`` (the page polls it and
  redraws when ``deliveries`` changes).
- ``GET /~harness/api/processes``: ``{processes: [{id, name, profile, owner, owner_name, messages,
  errors}], wallet}``.
- ``GET /~harness/api/process/{pid}``: one process: ``handlers`` (name, matches), ``state`` (its
  own globals as a JSON tree), ``inbox``, ``recent`` (its last deliveries, newest first).
- ``GET /~harness/api/delivery/{seq}``: one delivery (message tags, data, result: messages,
  spawns, assignments, output, error; its cause and what it caused).
- ``GET /~harness/api/message/{mid}?process-id=PID``: the same, found by message id.
- ``GET /~harness/api/flow/{seq}``: the causal flow started by a delivery: ``steps``,
  ``lifelines`` and ``svg`` (the sequence diagram of ``harness.flow``).
- ``POST /~harness/api/send`` ``{process, tags: [{name, value}], data}``: a message signed by the
  dev wallet, submitted like an MU post (same checks, same log); answers ``{id, seq, result}``.
- ``POST /~harness/api/spawn`` ``{name, module?}``: a process spawned by the dev wallet.

The dev wallet is an Ed25519 key the server makes on first use and keeps in the data directory
(``dev-wallet.key``), so processes it owns stay its own across restarts.
"""

from __future__ import annotations

import hashlib
import secrets
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from harness import flow
from harness.convert import LuaFunction
from harness.devnet import dataitem
from harness.devnet.node import ApiError, DevNet, result_json
from harness.errors import HarnessError
from harness.ids import DEFAULT_MODULE, MU_ADDRESS, SCHEDULER
from harness.messages import Delivery, Message

if TYPE_CHECKING:
    from harness.devnet.routes import Request, Response, Unit

ASSETS = {
    "index.html": "text/html; charset=utf-8",
    "app.js": "text/javascript; charset=utf-8",
    "app.css": "text/css; charset=utf-8",
}
#: globals the state tree leaves out (the aos runtime's, as ``Process.snapshot`` does)
RUNTIME_GLOBALS = frozenset(
    {"Inbox", "Handlers", "Colors", "Utils", "HANDLER_PRINT_LOGS", "Bell", "Dump", "Errors"}
) | {"Seeded", "Nonce"}
RECENT = 50
INBOX = 50
#: bounds of the state tree (a huge table is cut with a "… N more" entry)
TREE_ITEMS = 200
TREE_DEPTH = 12
TREE_NODES = 5000
DEV_WALLET_NAME = "dev wallet"
#: a route whose last part is a delivery number (``{seq}`` in the 404 text)
SEQ = r"/~harness/api/{}/(?P<seq>\d{{1,9}})"


def asset(name: str) -> bytes:
    return (resources.files("harness.devnet") / "web" / name).read_bytes()


class DevWallet:
    """The view's signing key: Ed25519, kept in ``<data>/dev-wallet.key`` (raw private bytes),
    made on first start."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / "dev-wallet.key"
        if self.path.exists():
            key = ed25519.Ed25519PrivateKey.from_private_bytes(self.path.read_bytes())
        else:
            key = ed25519.Ed25519PrivateKey.generate()
            raw = key.private_bytes(
                serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
            )
            self.path.write_bytes(raw)
            self.path.chmod(0o600)
        self.signer = dataitem.Signer(dataitem.ED25519, key)
        self.address = dataitem.b64url(hashlib.sha256(self.signer.owner_key).digest())


class View:
    """The view's routes on the gateway unit, reading the devnet under its lock."""

    def __init__(self, devnet: DevNet) -> None:
        self.devnet = devnet
        self.wallet = DevWallet(devnet.data_dir)
        self._linker = flow.Linker()

    def register(self, unit: Unit) -> None:
        unit.add("GET", "/", self.page)
        for name in ASSETS:
            if name != "index.html":
                unit.add("GET", f"/~harness/ui/{name}", self.static)
        unit.add("GET", "/~harness/api/status", self.status)
        unit.add("GET", "/~harness/api/processes", self.processes)
        unit.add("GET", "/~harness/api/process/{pid}", self.process)
        unit.add("GET", SEQ.format("delivery"), self.delivery)
        unit.shown[-1] = "GET /~harness/api/delivery/{seq}"
        unit.add("GET", "/~harness/api/message/{mid}", self.message)
        unit.add("GET", SEQ.format("flow"), self.flow)
        unit.shown[-1] = "GET /~harness/api/flow/{seq}"
        unit.add("POST", "/~harness/api/send", self.send, 1024 * 1024)
        unit.add("POST", "/~harness/api/spawn", self.spawn, 64 * 1024)

    # -- helpers (call with the devnet lock held) -------------------------------------------------

    def _current(self) -> tuple[list[Delivery], list[flow.Step]]:
        """The network's trace and its steps (the linker takes only the new deliveries)."""
        trace = self.devnet.net.trace
        self._linker.extend(trace[len(self._linker.steps) :])
        return trace, self._linker.steps

    def name_of(self, address: str | None) -> str:
        if address == self.wallet.address:
            return DEV_WALLET_NAME
        return self.devnet.net.name_of(address)

    def _profile(self, pid: str) -> str:
        return self.devnet.profiles.get(pid) or self.devnet.net.profile.name

    def _who(self, address: str | None) -> dict[str, Any]:
        procs = self.devnet.net.processes
        return {"address": address, "name": self.name_of(address), "process": address in procs}

    def _wallet_json(self) -> dict[str, Any]:
        return {"address": self.wallet.address, "name": DEV_WALLET_NAME}

    def _summary(self, step: flow.Step) -> dict[str, Any]:
        return {
            "seq": step.seq,
            "id": step.message_id,
            "kind": step.kind,
            "label": step.label,
            "from": self._who(step.source),
            "to": self._who(step.target),
            "error": _first_line(step.error),
            "timestamp": step.timestamp,
            "caused": len(step.children),
        }

    def _message_json(self, m: Message) -> dict[str, Any]:
        return {
            "id": m.id,
            "from": self._who(m.sender),
            "to": self._who(m.target),
            "tags": [{"name": str(k), "value": _text(v)} for k, v in m.tag_list],
            "data": _text(m.data),
            "timestamp": m.timestamp,
        }

    # -- routes -----------------------------------------------------------------------------------

    def page(self, req: Request) -> Response:
        from harness.devnet.routes import Response

        return Response(200, asset("index.html"), ASSETS["index.html"])

    def static(self, req: Request) -> Response:
        from harness.devnet.routes import Response

        name = req.path.rsplit("/", 1)[-1]
        return Response(200, asset(name), ASSETS[name])

    def status(self, req: Request) -> Response:
        from harness.devnet.routes import Response

        with self.devnet.lock:
            net = self.devnet.net
            doc = {"deliveries": len(net.trace), "now": net.now, "processes": len(net.processes),
                   "wallet": self._wallet_json(), "clock": self.devnet.clock}  # fmt: skip
        return Response.of(doc)

    def processes(self, req: Request) -> Response:
        from harness.devnet.routes import Response

        with self.devnet.lock:
            _, all_steps = self._current()
            counts: dict[str, list[int]] = {}
            for s in all_steps:
                c = counts.setdefault(s.target, [0, 0])
                c[0] += 1
                c[1] += s.error is not None
            rows = [
                {
                    "id": p.id,
                    "name": self.name_of(p.id),
                    "profile": self._profile(p.id),
                    "owner": self._who(p.owner),
                    "messages": counts.get(p.id, [0, 0])[0],
                    "errors": counts.get(p.id, [0, 0])[1],
                }
                for p in self.devnet.net.processes.values()
            ]
            return Response.of({"processes": rows, "wallet": self._wallet_json()})

    def process(self, req: Request, pid: str) -> Response:
        from harness.devnet.routes import Response

        with self.devnet.lock:
            proc = self.devnet._need_process(pid)
            _, all_steps = self._current()
            mine = [s for s in all_steps if s.target == pid]
            try:
                matches = proc.handler_matches
                handlers = [{"name": n, "matches": matches.get(n, 0)} for n in proc.handlers]
                state = _state_tree(proc)
                inbox = [self._message_json(m) for m in proc.inbox[-INBOX:]]
                problem = None
            except HarnessError as exc:  # a process whose state cannot be rebuilt
                handlers, state, inbox, problem = [], {}, [], _first_line(str(exc))
            doc = {
                "id": proc.id,
                "name": self.name_of(proc.id),
                "profile": self._profile(pid),
                "module": proc.module,
                "owner": self._who(proc.owner),
                "spawn_tags": [{"name": k, "value": v} for k, v in proc.spawn_tags],
                "messages": len(mine),
                "errors": sum(s.error is not None for s in mine),
                "handlers": handlers,
                "state": state,
                "inbox": inbox,
                "recent": [self._summary(s) for s in reversed(mine[-RECENT:])],
                "problem": problem,
            }
            return Response.of(doc)

    def _delivery_doc(self, seq: int) -> dict[str, Any]:
        trace, all_steps = self._current()
        if not 1 <= seq <= len(trace):
            raise ApiError(404, f"no delivery #{seq} on this devnet (it has {len(trace)})")
        d, step = trace[seq - 1], all_steps[seq - 1]
        m = d.message
        doc: dict[str, Any] = {
            "seq": seq,
            "kind": step.kind,
            "label": step.label,
            "id": m.id,
            "process": self._who(step.target),
            "from": self._who(m.sender),
            "owner": self._who(m.owner),
            "tags": [{"name": str(k), "value": _text(v)} for k, v in m.tag_list],
            "data": _text(m.data),
            "timestamp": m.timestamp,
            "block_height": m.block_height,
            "nonce": m.nonce,
            "cause": self._summary(all_steps[step.parent - 1]) if step.parent else None,
            "caused": [self._summary(all_steps[c - 1]) for c in step.children],
            "result": None,
        }
        if d.result is not None:
            r = d.result
            doc["result"] = {
                "messages": [self._message_json(x) for x in r.messages],
                "spawns": [self._message_json(x) for x in r.spawns],
                "assignments": [{"processes": list(p), "message": mid} for p, mid in r.assignments],
                "output": r.output,
                "error": r.error,
                "json": result_json(r),
            }
        return doc

    def delivery(self, req: Request, seq: str) -> Response:
        from harness.devnet.routes import Response

        with self.devnet.lock:
            return Response.of(self._delivery_doc(int(seq)))

    def message(self, req: Request, mid: str) -> Response:
        from harness.devnet.routes import Response

        pid = req.query.get("process-id")
        with self.devnet.lock:
            _, all_steps = self._current()
            found = next((s for s in all_steps if s.message_id == mid and (not pid or s.target == pid)), None)
            if found is None:
                where = f" to process {pid}" if pid else ""
                raise ApiError(404, f"no delivery of message {mid}{where} on this devnet")
            return Response.of(self._delivery_doc(found.seq))

    def flow(self, req: Request, seq: str) -> Response:
        from harness.devnet.routes import Response

        with self.devnet.lock:
            _, all_steps = self._current()
            root = int(seq)
            steps = flow.causal_flow(all_steps, root)
            if not steps:
                raise ApiError(404, f"no delivery #{root} on this devnet (it has {len(all_steps)})")
            procs = self.devnet.net.processes
            svg = flow.render_svg(steps, self.name_of, is_process=lambda a: a in procs)
            doc = {
                "root": root,
                "steps": [s.to_json(self.name_of) for s in steps],
                "lifelines": [self._who(a) for a in flow.lifelines(steps)],
                "errors": sum(s.error is not None for s in steps),
                "svg": svg,
            }
            return Response.of(doc)

    def _check_origin(self, req: Request) -> None:
        """The dev wallet signs only for pages of this server (not for any site the browser has open)."""
        origin = req.headers.get("Origin")
        host = req.headers.get("Host")
        if origin and urlsplit(origin).netloc != host:
            raise ApiError(403, f"the dev wallet signs only for this server's page, not for {origin}")

    def send(self, req: Request) -> Response:
        from harness.devnet.routes import Response

        self._check_origin(req)
        body = req.json("send")
        if not isinstance(body, dict):
            raise ApiError(400, 'send: the body must be {"process": id, "tags": [{name, value}], "data": ""}')
        pid = body.get("process")
        if not isinstance(pid, str) or not pid:
            raise ApiError(400, "send: 'process' (the target process id) is required")
        tags = _tags(body.get("tags", []))
        data = body.get("data", "")
        if not isinstance(data, str):
            raise ApiError(400, "send: 'data' must be a string")
        if len(pid) != 43:
            raise ApiError(400, f"send: {pid!r} is not a process id (43 characters)")
        raw = dataitem.build(
            self.wallet.signer,
            target=pid,
            anchor=secrets.token_hex(16),
            tags=[*tags, ("Data-Protocol", "ao"), ("Variant", "ao.TN.1"), ("Type", "Message")],
            data=data,
        )
        return Response.of(self._submitted(raw, pid), 202)

    def spawn(self, req: Request) -> Response:
        from harness.devnet.routes import Response

        self._check_origin(req)
        body = req.json("spawn")
        if not isinstance(body, dict):
            raise ApiError(400, 'spawn: the body must be {"name": text, "module": id (optional)}')
        name = body.get("name") or "aos"
        module = body.get("module") or DEFAULT_MODULE
        if not isinstance(name, str) or not isinstance(module, str):
            raise ApiError(400, "spawn: 'name' and 'module' must be strings")
        tags = _tags(body.get("tags", []))
        protocol = [("Data-Protocol", "ao"), ("Variant", "ao.TN.1"), ("Type", "Process"), ("Module", module),
                    ("Scheduler", SCHEDULER), ("Authority", MU_ADDRESS)]  # fmt: skip
        # a fresh anchor: Ed25519 signatures are deterministic, and the id is the signature's hash
        anchor = secrets.token_hex(16)
        all_tags = [*tags, ("Name", name), *protocol]
        raw = dataitem.build(self.wallet.signer, tags=all_tags, data="1984", anchor=anchor)
        item_id = dataitem.parse(raw).id
        return Response.of(self._submitted(raw, item_id), 202)

    def _submitted(self, raw: bytes, pid: str) -> dict[str, Any]:
        """Submit *raw* the MU's way and describe the first delivery of it."""
        doc = self.devnet.submit(raw)
        mid = str(doc["id"])
        with self.devnet.lock:
            _, all_steps = self._current()
            step = next((s for s in all_steps if s.message_id == mid and s.target == pid), None)
            known = step is not None or (pid, mid) in self.devnet.failures
            result = self.devnet.result(mid, pid) if known else None
        return {"id": mid, "process": pid, "seq": step.seq if step else None, "result": result}


# -- helpers -------------------------------------------------------------------------------------


def _first_line(text: str | None) -> str | None:
    if text is None:
        return None
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    return lines[-1][:300] if lines else text


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else repr(value)


def _tags(value: Any) -> list[tuple[str, str]]:
    if not isinstance(value, list) or not all(
        isinstance(t, dict) and isinstance(t.get("name"), str) and isinstance(t.get("value"), str)
        for t in value
    ):
        raise ApiError(400, "'tags' must be a list of {name, value} string pairs")
    out = [(t["name"], t["value"]) for t in value]
    for name, _ in out:
        if not name:
            raise ApiError(400, "a tag needs a name")
    return out


def _state_tree(proc: Any) -> dict[str, Any]:
    """The process's own globals (capitalised, not the aos runtime's, not functions) as JSON."""
    g = proc.globals
    budget = [TREE_NODES]
    out: dict[str, Any] = {}
    for name in sorted(n for n in g if n[:1].isupper() and n not in RUNTIME_GLOBALS):
        value = g.get(name)
        if isinstance(value, LuaFunction):
            continue
        out[name] = _jsonable(value, 0, budget)
    return out


def _jsonable(value: Any, depth: int, budget: list[int]) -> Any:
    budget[0] -= 1
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if value == value and value not in (float("inf"), float("-inf")) else repr(value)
    if isinstance(value, LuaFunction):
        return f"<{value.kind}>"
    if isinstance(value, list | dict):
        if depth >= TREE_DEPTH or budget[0] <= 0:
            return f"<table of {len(value)} entries, not shown>"
        items = list(value.items()) if isinstance(value, dict) else list(enumerate(value, 1))
        shown = items[:TREE_ITEMS]
        if isinstance(value, list):
            lst = [_jsonable(v, depth + 1, budget) for _, v in shown]
            if len(items) > len(shown):
                lst.append(f"… {len(items) - len(shown)} more")
            return lst
        obj = {_key(k): _jsonable(v, depth + 1, budget) for k, v in shown}
        if len(items) > len(shown):
            obj["…"] = f"{len(items) - len(shown)} more"
        return obj
    return repr(value)


def _key(k: Any) -> str:
    return k if isinstance(k, str) else str(k)
