"""Nothing acknowledged is lost: kill -9 the server in the middle of a burst, restart it on the
same data dir, and every acknowledged message is there with the same result."""

from __future__ import annotations

import threading
from http.client import HTTPException
from pathlib import Path

from devnet_helpers import Client, http
from devnet_proc import ServeProcess

from harness.devnet import dataitem
from harness.devnet.server import PORT_OFFSETS

COUNTER = """
Handlers.add("ping", "Ping", function(msg)
  Pings = (Pings or 0) + 1
  msg.reply({ Action = "Pong", Data = "pong " .. Pings })
end)
"""


def client_of(server: ServeProcess, signer: dataitem.Signer) -> Client:
    return Client("http://127.0.0.1", {u: server.port + o for u, o in PORT_OFFSETS.items()}, signer)


def test_kill_9_mid_burst_loses_nothing_acknowledged(tmp_path: Path) -> None:
    data = tmp_path / "data"
    signer = dataitem.Signer.ed25519()
    server = ServeProcess(data)
    try:
        client = client_of(server, signer)
        pid = client.spawn()
        assert "Error" not in client.result(pid, client.send(pid, [("Action", "Eval")], COUNTER))
        acked: dict[str, dict | None] = {}  # type: ignore[type-arg]
        lock = threading.Lock()
        enough = threading.Event()

        def burst() -> None:
            while True:
                raw = client.message_item(pid, [("Action", "Ping")])
                try:
                    reply = client.post_item(raw)
                except (OSError, HTTPException):
                    return  # the server is gone
                if reply.status != 202:
                    return
                mid = reply.json()["id"]
                with lock:
                    acked[mid] = None
                try:
                    res = http("GET", f"{client.urls['CU']}/result/{mid}?process-id={pid}")
                except (OSError, HTTPException):
                    return
                with lock:
                    acked[mid] = res.json() if res.status == 200 else None
                    if len(acked) >= 25:
                        enough.set()

        threads = [threading.Thread(target=burst) for _ in range(4)]
        for t in threads:
            t.start()
        assert enough.wait(120), "the burst did not get 25 acknowledgements"
        server.kill()  # SIGKILL while the four senders are still sending
        for t in threads:
            t.join(60)
    finally:
        server.kill()
    assert server.proc.returncode == -9

    restarted = ServeProcess(data)
    try:
        client = client_of(restarted, signer)
        seen = set()
        for mid, before in acked.items():
            after = client.result(pid, mid)
            assert "Error" not in after
            if before is not None:
                assert after == before, f"message {mid}: result changed across the restart"
            seen.add(after["Messages"][0]["Data"])
        # every acknowledged message was evaluated once: the counters are distinct
        assert len(seen) == len(acked)
        count = client.dry_run(pid, [("Action", "Eval")], "return Pings", owner=client.address)
        assert int(count["Output"]["data"]) >= len(acked)
    finally:
        assert restarted.stop() == 0
