"""HTTP routes of the four units, each on its own port (the local-AO convention: gateway on the
base port, MU +2, SU +3, CU +4).

Every handler gets a parsed ``Request`` and returns a ``Response``; an ``ApiError`` becomes a 4xx/5xx
JSON ``{"error": "<one line>"}``.  Bodies need a ``Content-Length`` and are capped per route.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from harness.devnet.node import ApiError, DevNet
from harness.devnet.view import View

MAX_ITEM_BYTES = 10 * 1024 * 1024  # the real MU's limit
MAX_JSON_BYTES = 1024 * 1024
MAX_DISCARD = 64 * 1024 * 1024  # a refused body up to this size is read and dropped

_ID = r"[A-Za-z0-9_-]{43}"


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    flags: set[str]
    headers: Any
    body: bytes

    def json(self, what: str) -> Any:
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if ctype != "application/json":
            raise ApiError(415, f"{what}: send Content-Type: application/json (got {ctype or 'none'})")
        try:
            return json.loads(self.body or b"null")
        except (ValueError, UnicodeDecodeError) as exc:
            raise ApiError(400, f"{what}: the body is not JSON ({exc})") from None

    def octets(self, what: str) -> bytes:
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if ctype not in ("application/octet-stream", ""):
            raise ApiError(
                415, f"{what}: send the data item as Content-Type: application/octet-stream (got {ctype})"
            )
        return self.body


@dataclass
class Response:
    status: int
    body: bytes
    content_type: str = "application/json"
    #: work to do after the body is sent (off the client's latency)
    after: Callable[[], None] | None = None

    @classmethod
    def of(cls, doc: Any, status: int = 200) -> Response:
        return cls(status, json.dumps(doc, separators=(",", ":")).encode())


Route = tuple[str, re.Pattern[str], Callable[..., Response], int]


class Unit:
    """One unit's route table: (method, path regex, handler, body limit)."""

    name = "unit"

    def __init__(self, devnet: DevNet) -> None:
        self.devnet = devnet
        self.routes: list[Route] = []
        self.shown: list[str] = []

    def add(self, method: str, pattern: str, handler: Callable[..., Response], limit: int = 0) -> None:
        """*pattern* is a path where ``{name}`` stands for a 43-character id passed as *name*."""
        regex = re.sub(r"\{(\w+)\}", lambda m: f"(?P<{m.group(1)}>{_ID})", pattern)
        self.routes.append((method, re.compile(f"^{regex}$"), handler, limit))
        self.shown.append(f"{method} {pattern}")

    def match(self, method: str, path: str) -> tuple[Callable[..., Response], dict[str, str], int] | None:
        allowed = False
        for m, rx, handler, limit in self.routes:
            found = rx.match(path)
            if found:
                if m == method:
                    return handler, found.groupdict(), limit
                allowed = True
        if allowed:
            raise ApiError(405, f"{method} {path} is not allowed on the {self.name}")
        return None

    def describe(self) -> str:
        return ", ".join(self.shown)


class MU(Unit):
    name = "MU"

    def __init__(self, devnet: DevNet) -> None:
        super().__init__(devnet)
        self.add("POST", "/", self.root, MAX_ITEM_BYTES)
        self.add("GET", "/", self.info)
        self.add("POST", "/monitor/{pid}", self.monitor, MAX_ITEM_BYTES)
        self.add("DELETE", "/monitor/{pid}", self.monitor, MAX_ITEM_BYTES)

    def info(self, req: Request) -> Response:
        return Response(200, b"ao-harness devnet MU", "text/plain")

    def root(self, req: Request) -> Response:
        pid, assign = req.query.get("process-id"), req.query.get("assign")
        if pid is not None or assign is not None:
            if not pid or not assign:
                raise ApiError(400, "assign: both process-id and assign query parameters are required")
            doc = self.devnet.assign(
                pid, assign, exclude=req.query.get("exclude"), base_layer="base-layer" in req.flags
            )
            return Response.of(doc, 202)
        return Response.of(self.devnet.submit(req.octets("MU")), 202)

    def monitor(self, req: Request, pid: str) -> Response:
        self.devnet.check_monitor(req.octets("monitor"))
        self.devnet._need_process(pid)
        text = b"Monitoring process" if req.method == "POST" else b"Process deleted"
        return Response(200, text, "text/plain")


class CU(Unit):
    name = "CU"

    def __init__(self, devnet: DevNet) -> None:
        super().__init__(devnet)
        self.add("GET", "/result/{mid}", self.result)
        self.add("GET", "/results/{pid}", self.results)
        self.add("POST", "/dry-run", self.dry_run, MAX_JSON_BYTES)
        self.add("GET", "/state/{pid}", self.state)
        self.add("GET", "/", self.info)

    def info(self, req: Request) -> Response:
        return Response.of({"unit": "CU", "served-by": "ao-harness devnet", "timestamp": self.devnet.net.now})

    def result(self, req: Request, mid: str) -> Response:
        return Response.of(self.devnet.result(mid, req.query.get("process-id", "")))

    def results(self, req: Request, pid: str) -> Response:
        limit = req.query.get("limit")
        try:
            n = int(limit) if limit else None
        except ValueError:
            raise ApiError(400, f"results: limit must be a number, not {limit!r}") from None
        doc = self.devnet.results(
            pid,
            from_=req.query.get("from"),
            to=req.query.get("to"),
            sort=req.query.get("sort", "ASC"),
            limit=n,
        )
        return Response.of(doc)

    def dry_run(self, req: Request) -> Response:
        pid = req.query.get("process-id", "")
        resp = Response.of(self.devnet.dry_run(pid, req.json("dry-run")))
        resp.after = lambda: self.devnet.warm(pid)
        return resp

    def state(self, req: Request, pid: str) -> Response:
        # (a string that is not UTF-8 is in the text as surrogate escapes: its own bytes go out)
        text = self.devnet.state(pid).encode("utf-8", "surrogateescape")
        return Response(200, text, "text/plain; charset=utf-8")


class SU(Unit):
    name = "SU"

    def __init__(self, devnet: DevNet) -> None:
        super().__init__(devnet)
        self.add("GET", "/{tx}", self.lookup)
        self.add("GET", "/", self.info)

    def info(self, req: Request) -> Response:
        return Response.of({"Unit": "Scheduler", "Timestamp": self.devnet.net.now, "Address": "ao-harness"})

    def lookup(self, req: Request, tx: str) -> Response:
        pid = req.query.get("process-id")
        if pid and pid != tx:
            return Response.of(self.devnet.su_message(tx, pid))
        limit = req.query.get("limit")
        try:
            n = int(limit) if limit else None
        except ValueError:
            raise ApiError(400, f"limit must be a number, not {limit!r}") from None
        return Response.of(
            self.devnet.su_messages(tx, from_=req.query.get("from"), to=req.query.get("to"), limit=n)
        )


class Gateway(Unit):
    name = "gateway"

    def __init__(self, devnet: DevNet) -> None:
        super().__init__(devnet)
        self.add("POST", "/graphql", self.graphql, MAX_JSON_BYTES)
        self.add("GET", "/{tx}", self.raw)
        self.add("GET", "/info", self.info)
        self.add("POST", "/~harness/advance", self.advance, MAX_JSON_BYTES)
        # the browser view at / and the JSON API it reads (harness/devnet/view.py)
        View(devnet).register(self)

    def info(self, req: Request) -> Response:
        return Response.of({"network": "ao-harness.devnet", "height": self.devnet.net.block_height})

    def graphql(self, req: Request) -> Response:
        return Response.of(self.devnet.graphql(req.json("graphql")))

    def raw(self, req: Request, tx: str) -> Response:
        data, ctype = self.devnet.raw_data(tx)
        return Response(200, data, ctype)

    def advance(self, req: Request) -> Response:
        if self.devnet.clock != "manual":
            raise ApiError(409, "advance: the clock is the wall clock; start serve with --clock manual")
        body = req.json("advance")
        ms = body.get("ms") if isinstance(body, dict) else None
        if not isinstance(ms, int) or isinstance(ms, bool):
            raise ApiError(400, 'advance: the body must be {"ms": <integer>}')
        made = self.devnet.advance(ms)
        return Response.of({"now": self.devnet.net.now, "deliveries": made})


def handler_class(unit: Unit) -> type[BaseHTTPRequestHandler]:
    """A request handler class bound to *unit*."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # headers and body go out in separate writes: without TCP_NODELAY, Nagle + delayed ACK
        # add ~40 ms to every keep-alive request
        disable_nagle_algorithm = True
        server_version = "ao-harness-devnet"

        def log_message(self, format: str, *args: Any) -> None:  # quiet by default
            pass

        def _serve(self) -> None:
            try:
                resp = self._route()
            except ApiError as exc:
                resp = Response.of({"error": str(exc)}, exc.status)
            except Exception as exc:  # a bug in the devnet: answer 500 with one line, keep serving
                resp = Response.of(
                    {"error": f"internal error in the {unit.name}: {type(exc).__name__}: {exc}"}, 500
                )
            self.send_response(resp.status)
            self.send_header("Content-Type", resp.content_type)
            self.send_header("Content-Length", str(len(resp.body)))
            self.send_header("Access-Control-Allow-Origin", "*")
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(resp.body)
            if resp.after is not None:
                # best effort: if it fails, the next request redoes the work
                with contextlib.suppress(Exception):
                    resp.after()

        def _route(self) -> Response:
            parts = urlsplit(self.path)
            found = unit.match(self.command, parts.path)
            length_text = self.headers.get("Content-Length")
            if found is None:
                self._drain(length_text)
                raise ApiError(
                    404 if self.command in ("GET", "POST", "DELETE") else 501,
                    f"the {unit.name} does not serve {self.command} {parts.path} "
                    f"(it serves: {unit.describe()})",
                )
            handler, params, limit = found
            if self.headers.get("Transfer-Encoding"):
                self.close_connection = True
                raise ApiError(411, "send a Content-Length (chunked bodies are not accepted)")
            try:
                length = int(length_text or 0)
            except ValueError:
                self.close_connection = True
                raise ApiError(400, f"bad Content-Length {length_text!r}") from None
            if length > limit:
                self._discard(length)
                if limit == 0:
                    raise ApiError(400, f"{self.command} {parts.path} takes no body")
                raise ApiError(
                    413, f"the body is {length} bytes; the {unit.name} accepts at most {limit} here"
                )
            body = self.rfile.read(length) if length else b""
            query: dict[str, str] = {}
            flags: set[str] = set()
            for key, values in parse_qs(parts.query, keep_blank_values=True).items():
                query[key] = values[-1]
                if values[-1] == "":
                    flags.add(key)
            req = Request(self.command, parts.path, query, flags, self.headers, body)
            return handler(req, **params)

        def _drain(self, length_text: str | None) -> None:
            try:
                length = int(length_text or 0)
            except ValueError:
                length = 0
            self._discard(length)

        def _discard(self, length: int) -> None:
            """Read and drop a refused body, so the client sees the answer rather than a reset;
            past MAX_DISCARD bytes just close the connection."""
            if length > MAX_DISCARD:
                self.close_connection = True
                return
            while length > 0:
                chunk = self.rfile.read(min(length, 1 << 16))
                if not chunk:
                    self.close_connection = True
                    return
                length -= len(chunk)

        def do_OPTIONS(self) -> None:  # CORS preflight from browser front ends
            self.send_response(204)
            self.send_header("Access-Control-Allow-Origin", "*")
            self.send_header("Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS")
            self.send_header("Access-Control-Allow-Headers", "Content-Type, Accept")
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_GET = do_POST = do_DELETE = do_PUT = do_PATCH = do_HEAD = _serve

    return Handler
