"""`ao-harness serve` through HTTP: the MU, CU, SU and gateway routes, refusals, restart by replay."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from devnet_helpers import REPO, Client, client_for, free_base_port, http

from harness.devnet import dataitem
from harness.devnet.server import Devnet, start
from harness.devnet.store import DataDirBusy
from harness.ids import DEFAULT_MODULE, LEGACY_MODULE, SCHEDULER

PING = """
Handlers.add("ping", "Ping", function(msg)
  Pings = (Pings or 0) + 1
  msg.reply({ Action = "Pong", Data = "pong " .. Pings })
end)
return "loaded"
"""


def loaded(client: Client) -> str:
    pid = client.spawn(tags=[("Name", "pinger")])
    mid = client.send(pid, [("Action", "Eval")], PING)
    assert client.result(pid, mid)["Output"]["data"] == "loaded"
    return pid


def test_spawn_eval_message_result(client: Client) -> None:
    pid = loaded(client)
    mid = client.send(pid, [("Action", "Ping")])
    res = client.result(pid, mid)
    assert "Error" not in res
    (reply,) = res["Messages"]
    assert reply["Data"] == "pong 1"
    assert reply["Target"] == dataitem.b64url(
        __import__("hashlib").sha256(client.signer.owner_key).digest()
    )
    assert {"name": "Action", "value": "Pong"} in reply["Tags"]
    assert res["Spawns"] == [] and res["Assignments"] == []


def test_an_error_is_a_result_with_error(client: Client) -> None:
    pid = loaded(client)
    mid = client.send(pid, [("Action", "Eval")], 'error("boom")')
    res = client.result(pid, mid)
    assert "boom" in res["Error"] and res["Messages"] == []


def test_state_of_a_global_that_is_not_utf8_keeps_its_bytes(client: Client) -> None:
    pid = loaded(client)
    mid = client.send(pid, [("Action", "Eval")], 'Raw = "a\\255b"')
    assert client.result(pid, mid).get("Error") is None
    reply = http("GET", f"{client.urls['CU']}/state/{pid}")
    assert reply.status == 200, reply.body
    assert b'Raw = "a\xffb"' in reply.body


def test_dry_run_answers_and_changes_nothing(client: Client) -> None:
    pid = loaded(client)
    before = client.state(pid)
    res = client.dry_run(pid, [("Action", "Ping")])
    assert res["Messages"][0]["Data"] == "pong 1"
    assert client.dry_run(pid, [("Action", "Ping")])["Messages"][0]["Data"] == "pong 1"
    assert client.state(pid) == before
    assert "Pings" not in before


def test_results_paging(client: Client) -> None:
    pid = loaded(client)
    for _ in range(4):
        client.send(pid, [("Action", "Ping")])
    url = f"{client.urls['CU']}/results/{pid}"
    first = http("GET", f"{url}?sort=ASC&limit=3").json()
    assert first["pageInfo"]["hasNextPage"] is True
    assert len(first["edges"]) == 3
    rest = http("GET", f"{url}?from={first['edges'][-1]['cursor']}&sort=ASC&limit=10").json()
    assert rest["pageInfo"]["hasNextPage"] is False
    datas = [m["Data"] for e in first["edges"] + rest["edges"] for m in e["node"]["Messages"]]
    assert datas == ["pong 1", "pong 2", "pong 3", "pong 4"]
    desc = http("GET", f"{url}?sort=DESC&limit=1").json()
    assert desc["edges"][0]["node"]["Messages"][0]["Data"] == "pong 4"


def test_su_lists_scheduled_messages_with_nonces(client: Client) -> None:
    pid = loaded(client)
    mid = client.send(pid, [("Action", "Ping")])
    page = http("GET", f"{client.urls['SU']}/{pid}").json()
    ids = [e["node"]["message"]["id"] for e in page["edges"]]
    assert ids[0] == pid and ids[-1] == mid
    nonces = [
        next(t["value"] for t in e["node"]["assignment"]["tags"] if t["name"] == "Nonce") for e in page["edges"]
    ]
    assert nonces == [str(i) for i in range(len(ids))]
    one = http("GET", f"{client.urls['SU']}/{mid}?process-id={pid}").json()
    assert one["message"]["id"] == mid


def test_gateway_module_process_and_raw_data(client: Client) -> None:
    pid = loaded(client)
    query = {"query": "query GetTransactions($transactionIds: [ID!]!) { transactions(ids: $transactionIds) "
             "{ edges { node { owner { address } tags { name value } } } } }",
             "variables": {"transactionIds": [DEFAULT_MODULE, pid, "x" * 43]}}  # fmt: skip
    doc = http("POST", f"{client.urls['gateway']}/graphql", json.dumps(query).encode(), "application/json").json()
    edges = doc["data"]["transactions"]["edges"]
    assert len(edges) == 2
    module_tags = {t["name"]: t["value"] for t in edges[0]["node"]["tags"]}
    assert module_tags["Type"] == "Module" and module_tags["Data-Protocol"] == "ao"
    assert {"name": "Name", "value": "pinger"} in edges[1]["node"]["tags"]
    raw = http("GET", f"{client.urls['gateway']}/{pid}")
    assert raw.status == 200 and raw.body == b"1984"


HI = 'Handlers.add("hi", "Hi", function(m) m.reply({ Data = "hi" }) end)'


@pytest.mark.parametrize(("module", "answers"), [(DEFAULT_MODULE, ["hi"]), (LEGACY_MODULE, [])])
def test_the_module_chooses_the_profile(client: Client, module: str, answers: list[str]) -> None:
    pid = client.spawn(module=module)
    assert "Error" not in client.result(pid, client.send(pid, [("Action", "Eval")], HI))
    # the 2025 default module Title-Cases tag names (action -> Action); aos 2.0.1 does not
    reply = client.dry_run(pid, [("action", "Hi")])
    assert [m["Data"] for m in reply["Messages"]] == answers


def test_legacy_spawn_tags_are_served(client: Client) -> None:
    pid = client.spawn(module=LEGACY_MODULE)
    graphql = {"query": "q", "variables": {"transactionIds": [pid]}}
    doc = http("POST", f"{client.urls['gateway']}/graphql", json.dumps(graphql).encode(), "application/json")
    assert {"name": "Module", "value": LEGACY_MODULE} in doc.json()["data"]["transactions"]["edges"][0]["node"]["tags"]


def test_assign_delivers_a_known_message_to_another_process(client: Client) -> None:
    a = loaded(client)
    b = loaded(client)
    mid = client.send(a, [("Action", "Ping")])
    url = f"{client.urls['MU']}?process-id={b}&assign={mid}"
    reply = http("POST", url, b"", "application/octet-stream")
    assert reply.status == 202 and len(reply.json()["id"]) == 43
    res = client.result(b, mid)
    assert res["Messages"][0]["Data"] == "pong 1"
    again = http("POST", url, b"", "application/octet-stream")
    assert again.status == 400 and "already" in again.json()["error"]


def test_ethereum_signed_message_comes_from_the_0x_address(devnet: Devnet) -> None:
    client = client_for(devnet, dataitem.Signer.ethereum())
    pid = loaded(client)
    mid = client.send(pid, [("Action", "Eval")], "return ao.id ~= nil and Owner")
    owner = client.result(pid, mid)["Output"]["data"]
    assert owner.startswith("0x") and len(owner) == 42


def test_manual_clock_advance_delivers_cron(client: Client) -> None:
    pid = client.spawn(tags=[("Cron-Interval", "1-minute"), ("Cron-Tag-Action", "Tick")])
    mid = client.send(pid, [("Action", "Eval")],
                      'Handlers.add("tick", "Tick", function() Ticks = (Ticks or 0) + 1 end)')  # fmt: skip
    assert "Error" not in client.result(pid, mid)
    url = f"{client.urls['gateway']}/~harness/advance"
    reply = http("POST", url, json.dumps({"ms": 180_000}).encode(), "application/json")
    assert reply.status == 200 and reply.json()["deliveries"] == 3
    assert client.dry_run(pid, [("Action", "Eval")], "return Ticks", owner=client.address)["Output"]["data"] == "3"


# -- refusals: a 4xx with a reason, and nothing changes ------------------------------------------


def bad_requests(client: Client, pid: str) -> list[tuple[str, str, bytes | None, str | None, int, str]]:
    signer = client.signer
    good = client.message_item(pid, [("Action", "Ping")])
    unsigned = dataitem.build(None, target=pid, tags=[("Data-Protocol", "ao"), ("Type", "Message")], data="x")
    tampered = good[:-1] + b"X"
    other_type = dataitem.build(signer, target=pid, tags=[("Data-Protocol", "ao"), ("Type", "Module")])
    no_protocol = dataitem.build(signer, target=pid, tags=[("Type", "Message"), ("Action", "Ping")])
    unknown_target = client.message_item("z" * 43, [("Action", "Ping")])
    unknown_module = dataitem.build(
        signer,
        tags=[("Data-Protocol", "ao"), ("Type", "Process"), ("Module", "m" * 43), ("Scheduler", SCHEDULER)],
    )
    binary = client.message_item(pid, [("Action", "Ping")], data="\udcff".encode("utf-8", "surrogatepass").decode(
        "utf-8", "replace"))  # fmt: skip
    not_utf8 = dataitem.build(signer, target=pid, tags=[("Data-Protocol", "ao"), ("Type", "Message")],
                              data=b"\xff\xfe")  # fmt: skip
    del binary
    mu, cu, su, gw = (client.urls[u] for u in ("MU", "CU", "SU", "gateway"))
    octet, js = "application/octet-stream", "application/json"
    return [
        ("POST", mu, b"", octet, 400, "must be provided"),
        ("POST", mu, b"garbage" * 20, octet, 400, "invalid data item"),
        ("POST", mu, unsigned, octet, 400, "not signed"),
        ("POST", mu, tampered, octet, 400, "signature does not match"),
        ("POST", mu, other_type, octet, 400, "Type tag is 'Module'"),
        ("POST", mu, no_protocol, octet, 400, "Data-Protocol"),
        ("POST", mu, unknown_target, octet, 404, "unknown process"),
        ("POST", mu, unknown_module, octet, 400, "--module-profile"),
        ("POST", mu, not_utf8, octet, 400, "not UTF-8"),
        ("POST", mu, good, "text/plain", 415, "octet-stream"),
        ("POST", mu, b"x" * (10 * 1024 * 1024 + 1), octet, 413, "at most"),
        ("POST", f"{mu}?process-id={pid}", b"", octet, 400, "both process-id and assign"),
        ("POST", f"{mu}?process-id={pid}&assign={'q' * 43}", b"", octet, 404, "unknown message"),
        ("POST", f"{mu}/monitor/{pid}", b"", octet, 400, "must be provided"),
        ("GET", f"{cu}/result/{'q' * 43}?process-id={pid}", None, None, 404, "no result"),
        ("GET", f"{cu}/result/{'q' * 43}", None, None, 400, "process-id"),
        ("GET", f"{cu}/results/{'z' * 43}", None, None, 404, "unknown process"),
        ("GET", f"{cu}/results/{pid}?sort=UP", None, None, 400, "sort must be"),
        ("GET", f"{cu}/results/{pid}?limit=x", None, None, 400, "limit must be"),
        ("GET", f"{cu}/results/{pid}?from=notacursor", None, None, 400, "not a cursor"),
        ("POST", f"{cu}/dry-run?process-id={pid}", b"{}", "text/plain", 415, "application/json"),
        ("POST", f"{cu}/dry-run?process-id={pid}", b"{nope", js, 400, "not JSON"),
        ("POST", f"{cu}/dry-run?process-id={pid}", b"[1]", js, 400, "JSON object"),
        ("POST", f"{cu}/dry-run?process-id={pid}", b'{"Tags":[{"name":"A","value":1}]}', js, 400, "Tags"),
        ("POST", f"{cu}/dry-run?process-id={'z' * 43}", b"{}", js, 404, "unknown process"),
        ("POST", f"{cu}/dry-run?process-id={pid}", b"{" + b" " * (1024 * 1024) + b"}", js, 413, "at most"),
        ("GET", f"{cu}/state/{'z' * 43}", None, None, 404, "unknown process"),
        ("GET", f"{cu}/nowhere", None, None, 404, "does not serve"),
        ("PUT", f"{cu}/dry-run", b"{}", js, 405, "not allowed"),
        ("GET", f"{su}/{'z' * 43}", None, None, 404, "unknown process"),
        ("GET", f"{su}/{pid}?from=yesterday", None, None, 400, "timestamp"),
        ("GET", f"{su}/{'q' * 43}?process-id={pid}", None, None, 404, "not scheduled"),
        ("POST", f"{gw}/graphql", b"{}", js, 400, "query"),
        ("POST", f"{gw}/graphql", b'{"query":"{ blocks { edges { node { id } } } }"}', js, 501, "only"),
        ("POST", f"{gw}/graphql", b"{}", "text/plain", 415, "application/json"),
        ("POST", f"{gw}/graphql", json.dumps({"query": "q", "variables": {"transactionIds": ["m" * 43]}}).encode(),
         js, 404, "--module-profile"),
        ("GET", f"{gw}/{'q' * 43}", None, None, 404, "no transaction"),
        ("POST", f"{gw}/~harness/advance", b'{"ms":-5}', js, 400, ">= 0"),
        ("POST", f"{gw}/~harness/advance", b'{"ms":"5"}', js, 400, "integer"),
    ]


def test_bad_input_gets_a_reason_and_changes_nothing(client: Client, devnet: Devnet) -> None:
    pid = loaded(client)
    state = client.state(pid)
    records = devnet.devnet.store.count()  # type: ignore[union-attr]
    processes = set(devnet.devnet.net.processes)
    failures = []
    for method, url, body, ctype, status, reason in bad_requests(client, pid):
        reply = http(method, url, body, ctype)
        error = reply.json().get("error", "") if reply.content_type == "application/json" else ""
        if reply.status != status or reason not in error or "\n" in error:
            failures.append(f"{method} {url[:90]}: {reply.status} {reply.body[:200]!r} (want {status} ~{reason!r})")
    assert not failures, "\n".join(failures)
    assert client.state(pid) == state
    assert devnet.devnet.store.count() == records  # type: ignore[union-attr]
    assert set(devnet.devnet.net.processes) == processes
    # and the server still works
    assert client.result(pid, client.send(pid, [("Action", "Ping")]))["Messages"][0]["Data"] == "pong 1"


def test_a_data_item_is_accepted_once(client: Client) -> None:
    pid = loaded(client)
    raw = client.message_item(pid, [("Action", "Ping")])
    assert client.post_item(raw).status == 202
    again = client.post_item(raw)
    assert again.status == 400 and "already accepted" in again.json()["error"]
    assert client.dry_run(pid, [("Action", "Eval")], "return Pings", owner=client.address)["Output"]["data"] == "1"


# -- persistence -------------------------------------------------------------------------------


def test_restart_replays_the_log(tmp_path: Path, arweave_signer: dataitem.Signer) -> None:
    data = tmp_path / "data"
    first = start(data=data, port=free_base_port(), clock="manual", root=REPO)
    try:
        client = client_for(first, arweave_signer)
        pid = loaded(client)
        mids = [client.send(pid, [("Action", "Ping")]) for _ in range(3)]
        results = [client.result(pid, m) for m in mids]
        state = client.state(pid)
    finally:
        first.shutdown()
    second = start(data=data, port=free_base_port(), clock="manual", root=REPO)
    try:
        assert second.devnet.replayed == 5  # spawn, eval, three pings
        client = client_for(second, arweave_signer)
        assert [client.result(pid, m) for m in mids] == results
        assert client.state(pid) == state
        assert client.result(pid, client.send(pid, [("Action", "Ping")]))["Messages"][0]["Data"] == "pong 4"
    finally:
        second.shutdown()


def test_a_second_server_on_the_same_data_dir_refuses(devnet: Devnet) -> None:
    with pytest.raises(DataDirBusy, match=r"in use by another ao-harness serve \(pid \d+\)"):
        start(data=devnet.devnet.data_dir, port=free_base_port(), clock="manual")


def test_serve_cli_reports_a_busy_data_dir(devnet: Devnet, capsys: pytest.CaptureFixture[str]) -> None:
    from harness.cli import main

    code = main(["serve", "--data", str(devnet.devnet.data_dir), "--port", str(free_base_port())])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("ao-harness serve: the data directory") and err.count("\n") == 1


def test_manifest_system_is_spawned_once_and_replayed(tmp_path: Path, arweave_signer: dataitem.Signer) -> None:
    data = tmp_path / "data"
    first = start(data=data, port=free_base_port(), clock="manual", root=REPO, manifest=REPO / "aoform.yaml")
    try:
        system = dict(first.devnet.system)
        assert set(system) == {"mock-usda", "lock-manager", "token-manager", "coordinator", "state-manager"}
        client = client_for(first, arweave_signer)
        mid = client.send(system["mock-usda"], [("Action", "Mint"), ("Quantity", "5000000")])
        assert "Error" not in client.result(system["mock-usda"], mid)
        state = client.state(system["mock-usda"])
    finally:
        first.shutdown()
    second = start(data=data, port=free_base_port(), clock="manual", root=REPO, manifest=REPO / "aoform.yaml")
    try:
        assert second.devnet.system == system  # same ids, not a second system
        assert len(second.devnet.net.processes) == 5
        assert client_for(second, arweave_signer).state(system["mock-usda"]) == state
    finally:
        second.shutdown()


def test_wall_clock_ticks_are_logged_and_replayed(
    tmp_path: Path, arweave_signer: dataitem.Signer, monkeypatch: pytest.MonkeyPatch
) -> None:
    import harness.devnet.node as node_mod

    now = [1_800_000_000.0]
    monkeypatch.setattr(node_mod.time, "time", lambda: now[0])
    data = tmp_path / "data"
    first = start(data=data, port=free_base_port(), clock="wall", root=REPO)
    try:
        client = client_for(first, arweave_signer)
        pid = client.spawn(tags=[("Cron-Interval", "1-minute"), ("Cron-Tag-Action", "Tick")])
        client.send(pid, [("Action", "Eval")], 'Handlers.add("t", "Tick", function() Ticks = (Ticks or 0) + 1 end)')
        assert first.devnet.tick() == 0  # the clock has not moved
        now[0] += 150  # two and a half minutes later
        assert first.devnet.tick() == 2
        ticks = client.dry_run(pid, [("Action", "Eval")], "return Ticks", owner=client.address)
        assert ticks["Output"]["data"] == "2"
        state = client.state(pid)
    finally:
        first.shutdown()
    now[0] += 30  # restart within the next minute: the replay alone brings back two ticks
    second = start(data=data, port=free_base_port(), clock="wall", root=REPO)
    try:
        assert client_for(second, arweave_signer).state(pid) == state
    finally:
        second.shutdown()


def test_a_harness_refusal_is_the_messages_error_and_survives_restart(
    tmp_path: Path, arweave_signer: dataitem.Signer
) -> None:
    data = tmp_path / "data"
    first = start(data=data, port=free_base_port(), clock="manual", root=REPO)
    try:
        client = client_for(first, arweave_signer)
        pid = loaded(client)
        bad = client.send(pid, [("Action", "Eval")], 'Send({ Target = ao.id, Action = "N", Amount = 5 })')
        res = client.result(pid, bad)
        assert res["Error"].startswith("harness: ") and "string tag values" in res["Error"]
        ok = client.send(pid, [("Action", "Ping")])
        assert client.result(pid, ok)["Messages"][0]["Data"] == "pong 1"
    finally:
        first.shutdown()
    second = start(data=data, port=free_base_port(), clock="manual", root=REPO)
    try:
        client = client_for(second, arweave_signer)
        assert client.result(pid, bad) == res
        assert client.result(pid, ok)["Messages"][0]["Data"] == "pong 1"
    finally:
        second.shutdown()


def test_module_profile_maps_another_module(tmp_path: Path, arweave_signer: dataitem.Signer) -> None:
    module = "M" * 43
    running = start(data=tmp_path / "d", port=free_base_port(), clock="manual", root=REPO,
                    module_profiles={module: "legacy"})  # fmt: skip
    try:
        client = client_for(running, arweave_signer)
        pid = client.spawn(module=module)
        assert "Error" not in client.result(pid, client.send(pid, [("Action", "Eval")], HI))
        assert client.dry_run(pid, [("action", "Hi")])["Messages"] == []  # legacy: no Title-Case
        assert client.dry_run(pid, [("Action", "Hi")])["Messages"][0]["Data"] == "hi"
    finally:
        running.shutdown()


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--module-profile", "nope"], 2, "--module-profile wants ID=PROFILE, got 'nope'"),
        (["--module-profile", "m=nope"], 2, "unknown aos profile 'nope'"),
        # a module id may start with "-" (base64url): still the option's value
        (["--module-profile", "-" + "m" * 42 + "=nope"], 2, "unknown aos profile 'nope'"),
        (["--clock", "manual", "does-not-exist.yaml"], 2, "does-not-exist.yaml"),
    ],
)
def test_serve_cli_refuses_bad_options_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], code: int, message: str
) -> None:
    from harness.cli import main

    assert main(["serve", "--data", str(tmp_path / "d"), "--port", str(free_base_port()), *args]) == code
    err = capsys.readouterr().err
    assert err.startswith("ao-harness serve: ") and message in err and err.count("\n") == 1, err
    if (tmp_path / "d").exists():  # a failed start leaves the data dir usable and empty
        running = start(data=tmp_path / "d", port=free_base_port(), clock="manual")
        assert running.devnet.replayed == 0
        running.shutdown()
