"""The browser view's server side: its assets (shipped, no CDN) and the JSON API the page reads
(harness/devnet/view.py), over HTTP without a browser."""

from __future__ import annotations

import fnmatch
import json
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
from devnet_helpers import REPO, Client, Reply, client_for, free_base_port, http

from harness.devnet import dataitem
from harness.devnet.server import Devnet, start
from harness.ids import MU_ADDRESS

WEB = REPO / "harness" / "devnet" / "web"

SENDER = """
Handlers.add("Go", "Go", function(msg) Send({Target = msg.Peer, Action = "Work", Data = "job"}) end)
Handlers.add("Done", "Done", function(msg) print("done") end)
Big = {}
for i = 1, 300 do Big[i] = i end
Mixed = {[1] = "one", [2] = "two", name = "x", f = function() end, [2.5] = "half"}
"""
WORKER = """
Handlers.add("Work", "Work", function(msg)
  if msg.Data == "job" then msg.reply({Action = "Done"}) ; error("worker broke <here>") end
end)
"""


def _get(running: Devnet, path: str) -> Reply:
    return http("GET", f"{running.url('gateway')}{path}")


def _post(running: Devnet, path: str, doc: Any, ctype: str = "application/json", **headers: str) -> Reply:
    import urllib.error
    import urllib.request

    req = urllib.request.Request(
        f"{running.url('gateway')}{path}", data=json.dumps(doc).encode(), method="POST",
        headers={"Content-Type": ctype, **headers},
    )  # fmt: skip
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return Reply(r.status, r.read(), r.headers.get("Content-Type", ""))
    except urllib.error.HTTPError as e:
        return Reply(e.code, e.read(), e.headers.get("Content-Type", ""))


def _system(client: Client) -> tuple[str, str]:
    a = client.spawn(tags=[("Name", "sender"), ("Authority", MU_ADDRESS)])
    b = client.spawn(tags=[("Name", "worker"), ("Authority", MU_ADDRESS)])
    for pid, code in ((a, SENDER), (b, WORKER)):
        assert "Error" not in client.result(pid, client.send(pid, [("Action", "Eval")], code))
    return a, b


# -- assets --------------------------------------------------------------------------------------


def test_the_page_and_assets_are_served_with_their_types(devnet: Devnet) -> None:
    page = _get(devnet, "/")
    assert page.status == 200 and page.content_type == "text/html; charset=utf-8"
    refs = re.findall(r'(?:src|href)="([^"]+)"', page.body.decode())
    assets = [r for r in refs if not r.startswith("#")]
    assert sorted(assets) == ["/~harness/ui/app.css", "/~harness/ui/app.js"]
    js, css = _get(devnet, "/~harness/ui/app.js"), _get(devnet, "/~harness/ui/app.css")
    assert js.status == 200 and js.content_type.startswith("text/javascript") and b"/~harness/api" in js.body
    assert css.status == 200 and css.content_type.startswith("text/css") and css.body == (WEB / "app.css").read_bytes()
    missing = _get(devnet, "/~harness/ui/other.js")
    assert missing.status == 404 and "does not serve GET /~harness/ui/other.js" in missing.json()["error"]
    assert "GET /~harness/api/flow/{seq}" in missing.json()["error"]


def test_no_asset_loads_anything_from_elsewhere() -> None:
    for f in WEB.iterdir():
        text = f.read_text(encoding="utf-8")
        assert not re.search(r"https?://|//cdn|@import|url\(", text), f"{f.name} refers to something outside"


def test_the_assets_are_package_data() -> None:
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    globs = config["tool"]["setuptools"]["package-data"]["harness.devnet"]
    files = sorted(p.relative_to(WEB.parent).as_posix() for p in WEB.iterdir())
    assert files == ["web/app.css", "web/app.js", "web/index.html"]
    for name in files:
        assert any(fnmatch.fnmatch(name, g) for g in globs), f"{name} is not in the package data"


# -- the API -------------------------------------------------------------------------------------


def test_processes_process_delivery_and_flow(devnet: Devnet, client: Client) -> None:
    a, b = _system(client)
    go = client.send(a, [("Action", "Go"), ("Peer", b)])
    status = _get(devnet, "/~harness/api/status").json()
    assert status["processes"] == 2 and status["deliveries"] == len(devnet.devnet.net.trace)
    procs = {p["name"]: p for p in _get(devnet, "/~harness/api/processes").json()["processes"]}
    assert procs["sender"]["id"] == a and procs["sender"]["profile"] == "default"
    assert procs["sender"]["messages"] == 3  # spawn, Eval, Go (the worker's reply died with its error)
    assert (procs["worker"]["messages"], procs["worker"]["errors"]) == (3, 1)
    assert procs["sender"]["owner"] == {"address": client.address, "name": procs["sender"]["owner"]["name"],
                                        "process": False}  # fmt: skip

    p = _get(devnet, f"/~harness/api/process/{a}").json()
    assert {"name": "Go", "matches": 1} in p["handlers"] and {"name": "Done", "matches": 0} in p["handlers"]
    assert p["state"]["Big"][:3] == [1, 2, 3] and p["state"]["Big"][-1] == "… 100 more"
    assert len(p["state"]["Big"]) == 201
    assert p["state"]["Mixed"] == {"1": "one", "2": "two", "f": "<function>", "name": "x", "2.5": "half"}
    assert "Handlers" not in p["state"] and "Inbox" not in p["state"]
    assert [m["label"] for m in p["recent"]] == ["Go", "Eval", "spawn"]

    msg = _get(devnet, f"/~harness/api/message/{go}?process-id={a}").json()
    assert msg["id"] == go and msg["from"]["address"] == client.address and msg["process"]["name"] == "sender"
    assert {"name": "Peer", "value": b} in msg["tags"] and msg["cause"] is None
    assert [c["label"] for c in msg["caused"]] == ["Work"]
    assert msg["result"]["messages"][0]["to"]["name"] == "worker" and msg["result"]["error"] is None
    work = _get(devnet, f"/~harness/api/delivery/{msg['caused'][0]['seq']}").json()
    assert "worker broke <here>" in work["result"]["error"] and work["cause"]["seq"] == msg["seq"]
    assert work["result"]["messages"] == []  # an error drops the outbox
    # the reply sent before the error is not delivered: the flow is Go -> Work (error)
    flow = _get(devnet, f"/~harness/api/flow/{msg['seq']}").json()
    assert [(s["from_name"], s["to_name"], s["label"], s["error"] is not None) for s in flow["steps"]] == [
        (flow["steps"][0]["from_name"], "sender", "Go", False),
        ("sender", "worker", "Work", True),
    ]
    assert flow["errors"] == 1 and [x["name"] for x in flow["lifelines"]][1:] == ["sender", "worker"]
    assert flow["svg"].startswith("<svg") and flow["svg"].count('class="step message error"') == 1
    assert "worker broke &lt;here&gt;" in flow["svg"] and "<here>" not in flow["svg"]


def test_unknown_things_are_404_with_the_reason(devnet: Devnet) -> None:
    unknown = "x" * 43
    for path, reason in (
        (f"/~harness/api/process/{unknown}", "unknown process"),
        ("/~harness/api/delivery/42", "no delivery #42"),
        ("/~harness/api/flow/42", "no delivery #42"),
        (f"/~harness/api/message/{unknown}", f"no delivery of message {unknown}"),
    ):
        reply = _get(devnet, path)
        assert reply.status == 404 and reason in reply.json()["error"], (path, reply.body)


def test_send_signs_with_the_dev_wallet_and_stores_like_the_mu(devnet: Devnet, client: Client) -> None:
    a, b = _system(client)
    store = devnet.devnet.store
    assert store is not None
    before = store.count()
    reply = _post(devnet, "/~harness/api/send", {
        "process": a, "tags": [{"name": "Action", "value": "Go"}, {"name": "Peer", "value": b}], "data": "d"})  # fmt: skip
    assert reply.status == 202, reply.body
    doc = reply.json()
    assert store.count() == before + 1
    wallet = _get(devnet, "/~harness/api/status").json()["wallet"]
    item = devnet.devnet.items[doc["id"]]
    assert item.owner == wallet["address"] and item.signature and item.data == "d"
    # the raw signed item is in the log and verifies
    raw = next(r for r in store.records() if r.item_id == doc["id"]).raw
    assert raw is not None and dataitem.parse_verified(raw).owner == wallet["address"]
    assert doc["seq"] == len(devnet.devnet.net.trace) - 1  # Go, then Work
    assert doc["result"] == client.result(a, doc["id"])
    assert _get(devnet, f"/~harness/api/delivery/{doc['seq']}").json()["from"]["name"] == "dev wallet"


@pytest.mark.parametrize(
    ("body", "ctype", "headers", "status", "reason"),
    [
        ({"process": "P", "tags": [{"name": "Action"}]}, "application/json", {}, 400, "'tags' must be a list"),
        ({"process": "P", "tags": [], "data": 5}, "application/json", {}, 400, "'data' must be a string"),
        ({"tags": []}, "application/json", {}, 400, "'process' (the target process id) is required"),
        ({"process": "short"}, "application/json", {}, 400, "is not a process id"),
        ({"process": "x" * 43}, "application/json", {}, 404, "unknown process"),
        ({"process": "P"}, "text/plain", {}, 415, "send Content-Type: application/json"),
        ({"process": "P"}, "application/json", {"Origin": "http://evil.example"}, 403, "signs only for"),
        ([1, 2], "application/json", {}, 400, "the body must be"),
    ],
)
def test_bad_sends_are_refused_and_change_nothing(
    devnet: Devnet, client: Client, body: Any, ctype: str, headers: dict[str, str], status: int, reason: str
) -> None:
    pid = client.spawn(tags=[("Name", "target")])
    if isinstance(body, dict) and body.get("process") == "P":
        body["process"] = pid
    store = devnet.devnet.store
    assert store is not None
    before, deliveries = store.count(), len(devnet.devnet.net.trace)
    reply = _post(devnet, "/~harness/api/send", body, ctype, **headers)
    assert reply.status == status and reason in reply.json()["error"], reply.body
    assert "\n" not in reply.json()["error"]
    assert (store.count(), len(devnet.devnet.net.trace)) == (before, deliveries)


def test_the_same_origin_may_send(devnet: Devnet, client: Client) -> None:
    pid = client.spawn(tags=[("Name", "target")])
    origin = devnet.url("gateway")
    reply = _post(devnet, "/~harness/api/send", {"process": pid, "tags": []}, Origin=origin)
    assert reply.status == 202, reply.body


def test_spawn_then_eval_as_the_dev_wallet(devnet: Devnet) -> None:
    reply = _post(devnet, "/~harness/api/spawn", {"name": "mine"})
    assert reply.status == 202, reply.body
    pid = reply.json()["id"]
    proc = devnet.devnet.net.process(pid)
    wallet = _get(devnet, "/~harness/api/status").json()["wallet"]["address"]
    assert proc.owner == wallet and proc.name == "mine"
    assert dict(proc.spawn_tags)["Authority"] == MU_ADDRESS  # messages pushed by the MU are trusted
    twin = _post(devnet, "/~harness/api/spawn", {"name": "mine"})  # the same request again: a new process
    assert twin.status == 202 and twin.json()["id"] != pid
    ev = _post(devnet, "/~harness/api/send", {"process": pid, "tags": [{"name": "Action", "value": "Eval"}],
                                             "data": "Answer = 42"})  # fmt: skip
    assert ev.status == 202 and "Error" not in ev.json()["result"]
    assert _get(devnet, f"/~harness/api/process/{pid}").json()["state"]["Answer"] == 42
    bad = _post(devnet, "/~harness/api/spawn", {"name": "m", "module": "n" * 43})
    assert bad.status == 400 and "unknown Module" in bad.json()["error"]


def test_the_dev_wallet_and_the_flows_survive_a_restart(tmp_path: Path) -> None:
    data = tmp_path / "data"
    running = start(data=data, port=free_base_port(), clock="manual", root=REPO)
    try:
        client = client_for(running, dataitem.Signer.ed25519())
        a, b = _system(client)
        sent = _post(running, "/~harness/api/send", {"process": a, "tags": [
            {"name": "Action", "value": "Go"}, {"name": "Peer", "value": b}]}).json()  # fmt: skip
        wallet = _get(running, "/~harness/api/status").json()["wallet"]
        flow = _get(running, f"/~harness/api/flow/{sent['seq']}").json()
    finally:
        running.shutdown()
    assert (data / "dev-wallet.key").stat().st_mode & 0o077 == 0
    again = start(data=data, port=free_base_port(), clock="manual", root=REPO)
    try:
        assert _get(again, "/~harness/api/status").json()["wallet"] == wallet
        assert _get(again, f"/~harness/api/flow/{sent['seq']}").json() == flow
    finally:
        again.shutdown()
