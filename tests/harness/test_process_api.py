"""The public seams of a ``Process``: ``deliver`` for messages ``send`` never builds, globals
read without metamethods, and no test reaching into private state."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest

from harness import Message, Network
from harness.ids import MU_ADDRESS
from harness.lua_versions import LUA_MODULES

VERSIONS = sorted(LUA_MODULES)


def test_deliver_takes_the_message_as_given(ao: Network) -> None:
    p = ao.spawn(source="Handlers.add('t', 'T', function(m) Got = { m.From, m.Owner, m.Target, m.Id } end)")
    alice = ao.wallet("alice")
    r = p.deliver(Message(target=None, tag_list=(("Action", "T"),), sender=alice))
    got = p.globals["Got"]
    assert got[:3] == [alice, alice, p.id] and got[3] == r.message.id and r.message.id
    assert ao.trace[-1].result is r
    # pushed by the MU from another process: Owner is the MU, nothing added to the tags
    other = ao.spawn(source="", name="other")
    r = p.deliver(Message(target=None, tag_list=(("Action", "T"),), sender=other.id), pushed_by=other)
    assert p.globals["Got"][:2] == [other.id, MU_ADDRESS]
    assert [k for k, _ in r.message.tag_list] == ["Action"]
    # a forged From with its own Owner, and another Target (an assignment as the CU sees it)
    r = p.deliver(Message(target="another-process", tag_list=(("Action", "T"),), sender=alice, owner=alice))
    assert r.ok and [(m.target, m.data) for m in r.messages] == [(alice, "Assignment is not trusted by this process!")]


#: tests of the harness's own caches: they compare a process's cached answers with its state's
#: uncached path, and a clone's states with the original's, which no public API exposes
WHITE_BOX = {
    "test_snapshot_cache.py", "test_dryrun_isolation.py", "test_trace_limit.py", "test_clone.py",
    "test_clone_reuse.py",
}


def test_tests_use_no_private_state() -> None:
    """Tests use the public API: no test reads a Process's or Network's private state."""
    root = Path(__file__).resolve().parents[1]
    pattern = re.compile(r"\.(_state|_send_direct|_deliver|_dryrun|_names|_trace|_mu|_processes)\b")
    offenders = [
        f"{path.relative_to(root)}:{n}"
        for path in root.rglob("*.py")
        if path.name != Path(__file__).name and path.name not in WHITE_BOX
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []


@pytest.mark.parametrize("version", VERSIONS)
def test_globals_with_a_looping_index_metamethod_do_not_hang(version: str) -> None:
    net = Network(lua=version)
    p = net.spawn(
        source="Answer = 42\nsetmetatable(_G, { __index = function(t, k) while true do end end })",
        name="looper",
    )
    got: dict[str, object] = {}

    def read() -> None:
        got["missing"] = p.globals.get("Missing", "default")
        got["answer"] = p.globals["Answer"]
        got["in"] = "Nope" in p.globals
        got["inbox"] = len(p.inbox)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout=20)
    assert not reader.is_alive(), "reading a global ran _G's looping __index"
    assert got == {"missing": "default", "answer": 42, "in": False, "inbox": 1}  # the spawn message


@pytest.mark.parametrize("version", VERSIONS)
def test_globals_when_the_process_dropped_rawget(version: str) -> None:
    p = Network(lua=version).spawn(source="Answer = 42\nrawget = nil", name="norawget")
    assert p.globals["Answer"] == 42 and p.globals.get("rawget") is None


def test_rebuilds_counts_replays(ao: Network) -> None:
    p = ao.spawn(source="N = 0")
    before = p.rebuilds
    p.dryrun({"Action": "Anything"})  # a dry-run puts the state back: no rebuild
    assert p.globals["N"] == 0 and p.rebuilds == before
    r = p.eval("N = 1 error('boom')")  # a failed message's state is discarded ...
    assert "boom" in (r.error or "")
    assert p.globals["N"] == 0  # ... and rebuilt by replay when next read
    assert p.rebuilds == before + 1


def test_version_moves_when_the_state_may_have_changed(ao: Network) -> None:
    p = ao.spawn(source="N = 0")
    v = p.version
    assert p.snapshot() and p.globals["N"] == 0 and p.dryrun({"Action": "X"}).ok
    assert p.version == v  # reads and dry-runs change nothing
    p.eval("N = 1")
    assert p.version != v
    v = p.version
    assert "boom" in (p.eval("error('boom')").error or "")
    assert p.version != v  # rolled back: the state was rebuilt
