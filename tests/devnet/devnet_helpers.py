"""Helpers for the devnet tests: free ports, a tiny HTTP client, an aoconnect-like signer client."""

from __future__ import annotations

import json
import random
import secrets
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.devnet import dataitem
from harness.devnet.server import PORT_OFFSETS, Devnet
from harness.ids import DEFAULT_MODULE, SCHEDULER

REPO = Path(__file__).resolve().parents[2]


def free_base_port(offsets: Iterable[int] = PORT_OFFSETS.values()) -> int:
    """A base port whose ports at *offsets* (default: the gateway/MU/SU/CU ports, +0, +2, +3,
    +4) are all free right now."""
    offsets = tuple(offsets)
    for _ in range(200):
        base = random.randint(20_000, 60_000)
        socks = []
        try:
            for off in offsets:
                s = socket.socket()
                socks.append(s)
                s.bind(("127.0.0.1", base + off))
            return base
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError("no free base port found")


@dataclass
class Reply:
    status: int
    body: bytes
    content_type: str

    def json(self) -> Any:
        return json.loads(self.body)


def http(method: str, url: str, body: bytes | None = None, ctype: str | None = None) -> Reply:
    headers = {"Content-Type": ctype} if ctype else {}
    req = urllib.request.Request(url, data=body, headers=headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return Reply(r.status, r.read(), r.headers.get("Content-Type", ""))
    except urllib.error.HTTPError as e:
        return Reply(e.code, e.read(), e.headers.get("Content-Type", ""))


class Client:
    """Signs and sends items to a running devnet the way aoconnect does (legacy mode)."""

    def __init__(self, base: str, ports: dict[str, int], signer: dataitem.Signer) -> None:
        self.urls = {unit: f"{base}:{port}" for unit, port in ports.items()}
        self.signer = signer

    def post_item(self, raw: bytes) -> Reply:
        return http("POST", self.urls["MU"], raw, "application/octet-stream")

    def spawn(self, *, module: str = DEFAULT_MODULE, tags: list[tuple[str, str]] | None = None) -> str:
        raw = dataitem.build(
            self.signer,
            tags=[*(tags or []), ("Data-Protocol", "ao"), ("Variant", "ao.TN.1"), ("Type", "Process"),
                  ("Module", module), ("Scheduler", SCHEDULER), ("Timestamp", str(time.time_ns()))],
            data="1984",
        )  # fmt: skip
        reply = self.post_item(raw)
        assert reply.status == 202, reply.body
        return str(reply.json()["id"])

    def message_item(self, pid: str, tags: list[tuple[str, str]], data: str = " ") -> bytes:
        return dataitem.build(
            self.signer,
            target=pid,
            anchor=secrets.token_hex(16),  # deterministic signatures (Ed25519) still get new ids
            tags=[*tags, ("Data-Protocol", "ao"), ("Variant", "ao.TN.1"), ("Type", "Message")],
            data=data,
        )

    def send(self, pid: str, tags: list[tuple[str, str]], data: str = " ") -> str:
        reply = self.post_item(self.message_item(pid, tags, data))
        assert reply.status == 202, reply.body
        return str(reply.json()["id"])

    def result(self, pid: str, mid: str) -> dict[str, Any]:
        reply = http("GET", f"{self.urls['CU']}/result/{mid}?process-id={pid}")
        assert reply.status == 200, reply.body
        return reply.json()  # type: ignore[no-any-return]

    @property
    def address(self) -> str:
        return dataitem.parse(dataitem.build(self.signer, data="a")).owner

    def dry_run(
        self, pid: str, tags: list[tuple[str, str]], data: str = "", *, owner: str = "1234"
    ) -> dict[str, Any]:
        """A dry run (from *owner*; ``Eval`` needs the process owner's address)."""
        body = {"Id": "1234", "Target": pid, "Owner": owner, "Anchor": "0", "Data": data,
                "Tags": [{"name": k, "value": v} for k, v in tags]}  # fmt: skip
        reply = http("POST", f"{self.urls['CU']}/dry-run?process-id={pid}", json.dumps(body).encode(),
                     "application/json")  # fmt: skip
        assert reply.status == 200, reply.body
        return reply.json()  # type: ignore[no-any-return]

    def state(self, pid: str) -> str:
        reply = http("GET", f"{self.urls['CU']}/state/{pid}")
        assert reply.status == 200, reply.body
        return reply.body.decode()


def client_for(running: Devnet, signer: dataitem.Signer) -> Client:
    ports = {unit: running.port + off for unit, off in PORT_OFFSETS.items()}
    return Client(f"http://{running.host}", ports, signer)
