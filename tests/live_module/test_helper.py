"""The node helper's failure modes each come back as one readable line, never a traceback dump."""

from __future__ import annotations

import os
import signal
import threading

import pytest

from tests.live_module.live import LOADER_VERSION, WASM_BYTES, WASM_SHA256, LiveModule, LiveModuleError
from tests.live_module.twin import cu_message

PID = "P" * 43
OWNER = "O" * 43
TAGS = [("Data-Protocol", "ao"), ("Variant", "ao.TN.1"), ("Type", "Process"),
        ("Module", "ISShJH1ij-hPPt9St5UFFr_8Ys3Kj5cyg7zrMGt7H9s")]


def _message(nonce: int, **fields: object) -> dict[str, object]:
    base: dict[str, object] = {
        "Id": PID if nonce == 0 else f"M{nonce}".ljust(43, "m"), "Owner": OWNER, "From": OWNER, "Target": PID,
        "Tags": [{"name": k, "value": v} for k, v in TAGS] if nonce == 0 else [{"name": "Action", "value": "Eval"}],
        "Data": "", "Epoch": 0, "Nonce": nonce, "Timestamp": 1_700_000_000_000 + nonce, "Block-Height": 7,
        "Cron": False, "Read-Only": False,
    }
    base.update(fields)
    return base


@pytest.fixture
def fresh(live_module: LiveModule) -> LiveModule:
    module = LiveModule(timeout=60)
    yield module
    module.close()


def test_live_module_runs(live_module: LiveModule) -> None:
    """The pinned loader runs the binary with the right sha256 (where the binary is missing,
    this is the one test that reports why)."""
    info = live_module.request("hello")
    assert info["loader"] == LOADER_VERSION
    assert info["wasm"]["sha256"] == WASM_SHA256 and info["wasm"]["bytes"] == WASM_BYTES


def test_unknown_process_is_one_line(live_module: LiveModule) -> None:
    with pytest.raises(LiveModuleError) as err:
        live_module.handle("nobody".ljust(43, "x"), _message(1))
    text = str(err.value)
    assert "\n" not in text and text.startswith("live module: handle nobody") and "no open process" in text


def test_a_thrown_evaluation_becomes_the_error(live_module: LiveModule) -> None:
    """aos answers ok=false for a message without Tags (outside its handler pcall); the loader
    throws, and the CU turns the throw into the result's Error and keeps the previous memory."""
    live_module.open(PID, OWNER, TAGS)
    try:
        assert live_module.handle(PID, _message(0)).error is None
        bad = _message(1)
        del bad["Tags"]
        res = live_module.handle(PID, bad)
        assert res.thrown is not None and res.error == res.thrown
        ok = live_module.handle(PID, _message(2, Data="return 6 * 7"))
        assert ok.error is None and ok.output == "42"
        assert ok.instances == 2, "the throw dropped the instance; the next message ran on a new one"
    finally:
        live_module.close_process(PID)


def test_node_dying_is_one_line(fresh: LiveModule) -> None:
    fresh.request("hello")
    assert fresh._proc is not None
    first = fresh._proc.pid
    os.kill(first, signal.SIGKILL)  # the node this test started
    fresh._proc.wait(timeout=10)
    fresh.open(PID, OWNER, TAGS)  # a dead node is restarted for the next request ...
    assert fresh._proc is not None and fresh._proc.pid != first
    fresh.handle(PID, _message(0))
    killer = threading.Timer(1.0, os.kill, (fresh._proc.pid, signal.SIGKILL))
    killer.start()  # ... and one that dies in the middle of a request is reported
    try:
        with pytest.raises(LiveModuleError) as err:
            fresh.handle(PID, _message(1, Data="while true do end"))
    finally:
        killer.cancel()
    text = str(err.value)
    assert "\n" not in text and text.startswith("live module: node died during handle"), text


def test_an_endless_loop_times_out_in_one_line(fresh: LiveModule) -> None:
    fresh.open(PID, OWNER, TAGS)
    fresh.handle(PID, _message(0))
    fresh.timeout = 2
    with pytest.raises(LiveModuleError) as err:
        fresh.handle(PID, _message(1, Data="while true do end"))
    text = str(err.value)
    assert "\n" not in text and "no answer to handle" in text and "node was stopped" in text
    assert fresh.request("hello")["loader"] == LOADER_VERSION, "the next request starts a new node"


def test_cu_message_follows_the_cu_schema() -> None:
    """Numbers stay numbers, From/Owner tags are dropped, Forwarded-By only with From-Process."""
    from harness.messages import Message

    msg = Message("T" * 43, (("Action", "X"), ("From", "f"), ("From-Process", "p")), "d", sender="p",
                  id="I" * 43, owner="MU", timestamp=5, block_height=6, nonce=3)
    out = cu_message(msg)
    assert out["Timestamp"] == 5 and out["Block-Height"] == 6 and out["Nonce"] == 3 and out["Epoch"] == 0
    assert [t["name"] for t in out["Tags"]] == ["Action", "From-Process"]
    assert out["Forwarded-By"] == "MU" and out["Cron"] is False and out["Read-Only"] is False
    tick = cu_message(Message("T" * 43, (), None, sender="o", owner="o", timestamp=1, block_height=2, cron=True))
    assert "Id" not in tick and "Nonce" not in tick and "Epoch" not in tick and tick["Cron"] is True
