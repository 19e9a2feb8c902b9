"""aoform.yaml plays on the local network: wiring from the file, every scenario expectation holds."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from harness import Network
from tests.tim3.conftest import Tim3

AOFORM = Path(__file__).resolve().parents[2] / "aoform.yaml"


def test_aoform_scenario(ao: Network) -> None:
    spec = yaml.safe_load(AOFORM.read_text())
    procs = {p["name"]: ao.spawn(p["source"], tags={k: v for k, v in p["tags"].items() if k != "Cron-Interval"})
             for p in spec["processes"]}
    assert all(Path(p["source"]).name == "process.lua" for p in spec["processes"])

    def sub(value: str) -> str:
        value = re.sub(r"\$\{wallet:([^}]+)\}", lambda m: ao.wallet(m.group(1)), value)
        return re.sub(r"\$\{([^}]+)\}", lambda m: procs[m.group(1)].id, value)

    def holder(name: str) -> str:
        return procs[name].id if name in procs else ao.wallet(name)

    for step in spec["wiring"]:
        tags = {k: sub(str(v)) for k, v in step.items() if k != "to"}
        assert procs[step["to"]].send(tags).reply.action == "Configure-Response"
    ao.run()
    t = Tim3(ao, procs["mock-usda"], procs["lock-manager"], procs["token-manager"], procs["coordinator"],
             procs["state-manager"], ao.wallet("owner"))
    for step in spec["scenario"]:
        sender = ao.wallet(step["from"])
        start = {w: len(ao.mailbox(ao.wallet(w))) for w in step.get("expect", {}).get("received", {})}
        r = procs[step["to"]].send({k: sub(str(v)) for k, v in step["tags"].items()}, sender=sender)
        assert r.error is None, (step["title"], r.error)
        ao.run()
        expect: dict[str, Any] = step.get("expect", {})
        for token, holders in expect.get("balances", {}).items():
            for who, amount in holders.items():
                assert procs[token].globals["Balances"].get(holder(who), "0") == amount, (step["title"], who)
        for wallet, actions in expect.get("received", {}).items():
            got = [m.action for m in ao.mailbox(ao.wallet(wallet))[start[wallet]:]]
            assert got == actions, (step["title"], got)
        t.check()
