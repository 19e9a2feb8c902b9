"""harness.flow: causal links between deliveries, the sequence diagram, and --ao-flow-html."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from harness import Network
from harness.flow import Linker, _file_name, causal_flow, lifelines, network_html, render_svg, steps

LUAS = ["5.1", "5.2", "5.3", "5.4", "5.5", "jit"]

ALICE = """
Handlers.add("Ping", "Ping", function(msg)
  Send({Target = msg.From, Action = "Pong"})
  Send({Target = msg.Peer, Action = "Boom"})
  Send({Target = msg.Peer, Action = "Echo", Data = "two"})
end)
Handlers.add("Pong", "Pong", function(msg) print("got pong") end)
Handlers.add("Echoed", "Echoed", function(msg) Send({Target = msg.Wallet, Action = "Done"}) end)
"""

BOB = """
Handlers.add("Boom", "Boom", function(msg) error("kaboom <b>") end)
Handlers.add("Ping", "Ping", function(msg) msg.reply({Action = "Pong"}) end)
Handlers.add("Echo", "Echo", function(msg) Send({Target = msg.From, Action = "Echoed", Wallet = "WALLET"}) end)
"""


def _two(lua: str = "5.3") -> tuple[Network, str, str]:
    net = Network(lua=lua)
    a = net.spawn(source=ALICE, name="alice")
    wallet = net.wallet("carol")
    b = net.spawn(source=BOB.replace("WALLET", wallet), name="bob")
    return net, a.id, b.id


@pytest.mark.parametrize("lua", LUAS)
def test_steps_link_each_outbox_message_to_the_delivery_that_sent_it(lua: str) -> None:
    net, a, b = _two(lua)
    first = len(net.trace)
    net.process(a).send({"Action": "Ping", "Peer": b}, sender=net.process(b))
    net.run()
    all_steps = steps(net.trace)
    flow = all_steps[first:]
    by_action = {s.action: s for s in flow}
    ping = by_action["Ping"]
    assert ping.parent is None and ping.source == b and ping.target == a
    # Pong, Boom and Echo were sent by the Ping delivery; Echoed by Echo's; Done by Echoed's
    assert by_action["Pong"].parent == ping.seq
    assert by_action["Boom"].parent == ping.seq
    assert by_action["Echo"].parent == ping.seq
    assert by_action["Echoed"].parent == by_action["Echo"].seq
    done = by_action["Done"]
    assert done.parent == by_action["Echoed"].seq and done.kind == "wallet"
    assert done.target == net.wallet("carol")
    assert sorted(ping.children) == sorted(by_action[x].seq for x in ("Pong", "Boom", "Echo"))
    # the Lua error is the Boom delivery's, and only that one's
    assert [s.action for s in flow if s.error is not None] == ["Boom"]
    assert "kaboom" in (by_action["Boom"].error or "")
    # the spawns and their Evals came from the owner wallet: nothing caused them
    assert [s.parent for s in all_steps[:first]] == [None] * first
    assert [s.kind for s in all_steps[:first]] == ["spawn", "message", "spawn", "message"]


def test_a_linker_fed_piece_by_piece_links_as_steps_does() -> None:
    net, a, b = _two()
    linker = Linker()
    linker.extend(net.trace)
    net.process(a).send({"Action": "Ping", "Peer": b}, sender=net.process(b))
    linker.extend(net.trace[len(linker.steps) :])  # the Ping only: its outbox is still queued
    net.run()
    linker.extend(net.trace[len(linker.steps) :])
    whole = steps(net.trace)
    assert [(s.seq, s.parent, s.children) for s in linker.steps] == [(s.seq, s.parent, s.children) for s in whole]
    assert sum(1 for s in whole if s.parent is not None) == 5  # Pong, Boom, Echo, Echoed, Done


def test_causal_flow_keeps_one_message_and_what_it_caused() -> None:
    net, a, b = _two()
    net.process(a).send({"Action": "Ping", "Peer": b}, sender=net.process(b))
    net.run()
    second = net.process(b).send({"Action": "Ping"})
    net.run()
    all_steps = steps(net.trace)
    root = next(s for s in all_steps if s.message_id == second.message.id)
    flow = causal_flow(all_steps, root.seq)
    assert [(s.action, net.name_of(s.source), net.name_of(s.target)) for s in flow] == [
        ("Ping", "owner", "bob"),
        ("Pong", "bob", "owner"),
    ]
    assert causal_flow(all_steps, 10_000) == []
    assert lifelines(flow) == [net.process(b).owner, b]


def test_a_spawned_child_and_the_spawned_notice_belong_to_the_spawning_message() -> None:
    net = Network()
    parent = net.spawn(
        source="""
        Handlers.add("Make", "Make", function(msg)
          Spawn(ao.env.Module.Id, {Data = "", Name = "kid"})
        end)
        Handlers.add("Spawned", "Spawned", function(msg) print("kid is " .. msg.Process) end)
        """,
        name="parent",
    )
    r = parent.send({"Action": "Make"})
    net.run()
    all_steps = steps(net.trace)
    make = next(s for s in all_steps if s.message_id == r.message.id)
    flow = causal_flow(all_steps, make.seq)
    kinds = [(s.kind, net.name_of(s.source), net.name_of(s.target), s.action) for s in flow]
    assert kinds == [
        ("message", "owner", "parent", "Make"),
        ("spawn", "parent", "kid", None),
        ("message", "parent", "parent", "Spawned"),
    ]
    assert flow[2].parent == flow[1].seq and flow[1].parent == make.seq


def test_assignments_and_cron_ticks() -> None:
    net = Network()
    watcher = net.spawn(source='Handlers.add("Note", "Note", function(msg) print("seen") end)', name="watcher")
    hub = net.spawn(
        source=f"""
        Handlers.add("Note", "Note", function(msg) ao.assign({{Processes = {{"{watcher.id}"}}, Message = msg.Id}}) end)
        """,
        name="hub",
    )
    r = hub.send({"Action": "Note"})
    net.run()
    hub.cron()
    all_steps = steps(net.trace)
    note = next(s for s in all_steps if s.message_id == r.message.id and s.target == hub.id)
    assigned = [s for s in all_steps if s.kind == "assignment"]
    assert [(s.target, s.parent, s.message_id) for s in assigned] == [(watcher.id, note.seq, r.message.id)]
    tick = all_steps[-1]
    assert tick.kind == "cron" and tick.parent is None and tick.label == "cron tick"


def test_the_svg_marks_errors_in_red_and_lists_every_tag_on_hover() -> None:
    net, _a, b = _two()
    net.process(b).send({"Action": "Boom", "Note": "<script>x</script>"})
    all_steps = steps(net.trace)
    svg = render_svg(all_steps, net.name_of, is_process=lambda x: x in net.processes)
    boom = re.search(r'<g class="step message error"[^>]*>\s*<title>(.*?)</title>', svg, re.S)
    assert boom is not None, svg
    assert "Note = &lt;script&gt;x&lt;/script&gt;" in boom.group(1)
    assert "ERROR:" in boom.group(1) and "kaboom &lt;b&gt;" in boom.group(1)
    assert "<script>" not in svg
    assert svg.count('class="step ') == len(all_steps)
    assert svg.count(" error\"") == 1 and 'stroke="#d1242f"' in svg
    assert svg.count('class="lifeline process"') == 2 and svg.count('class="lifeline wallet"') == 1
    assert ">alice</text>" in svg and ">bob</text>" in svg and ">owner</text>" in svg


def test_long_flows_keep_the_last_arrows() -> None:
    net, _a, b = _two()
    for _ in range(5):
        net.process(b).send({"Action": "Nothing"})
    svg = render_svg(steps(net.trace), net.name_of, max_steps=3)
    assert svg.count('class="step ') == 3
    assert "6 earlier deliveries not shown" in svg
    assert 'data-seq="9"' in svg and 'data-seq="6"' not in svg


def test_file_names_are_safe_and_unique() -> None:
    assert _file_name("tests/test_x.py::test_a[5.3-x/y]") == "tests_test_x.py_test_a_5.3-x_y.html"
    long_a, long_b = "t.py::test_" + "a" * 300, "t.py::test_" + "b" * 300
    assert len(_file_name(long_a)) < 160 and _file_name(long_a) != _file_name(long_b)


FAILING = """
import pytest

SOURCE = '''
Handlers.add("Ask", "Ask", function(msg) Send({Target = msg.Ledger, Action = "Debit"}) end)
'''
LEDGER = '''
Handlers.add("Debit", "Debit", function(msg) error("insufficient funds") end)
'''

def test_saga_fails(ao):
    wallet = ao.spawn(source=SOURCE, name="purse")
    ledger = ao.spawn(source=LEDGER, name="ledger")
    wallet.send({"Action": "Ask", "Ledger": ledger.id})
    ao.run()
    assert ao.trace[-1].result.error is None, "the debit failed"

def test_passes(ao):
    p = ao.spawn(source=SOURCE, name="quiet")
    assert p.send({"Action": "Nothing"}).ok

def test_fails_without_ao():
    assert 1 == 2
"""


def test_ao_flow_html_writes_one_page_per_failing_ao_test(
    pytester: pytest.Pytester, plugin_args: list[str]
) -> None:
    pytester.makepyfile(test_saga=FAILING)
    result = pytester.runpytest(*plugin_args, "--ao-flow-html=flows", "-p", "no:randomly")
    result.assert_outcomes(passed=1, failed=2)
    files = sorted(Path(pytester.path, "flows").iterdir())
    assert [f.name for f in files] == ["test_saga.py_test_saga_fails.html"]
    page = files[0].read_text(encoding="utf-8")
    result.stdout.fnmatch_lines(["*message flow diagram: *test_saga.py_test_saga_fails.html*"])
    assert "test_saga.py::test_saga_fails" in page
    assert ">purse</text>" in page and ">ledger</text>" in page
    assert "insufficient funds" in page and "the debit failed" in page
    assert page.count('class="step message error"') == 1
    # self-contained: no scripts, styles, images or links to anywhere but the page itself
    assert not re.search(r"<(script|link|img|iframe)\b", page)
    assert not re.search(r"\bsrc\s*=", page)
    hrefs = re.findall(r'href\s*=\s*"([^"]*)"', page)
    assert hrefs and all(h.startswith("#") for h in hrefs)
    assert "url(" not in page.replace("url(#ah", "")


@pytest.mark.skipif(importlib.util.find_spec("xdist") is None, reason="pytest-xdist is not installed")
def test_ao_flow_html_under_xdist_workers(
    pytester: pytest.Pytester, plugin_args: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # the subprocess imports this checkout's harness, not another installed copy
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).resolve().parents[2]))
    pytester.makepyfile(test_saga=FAILING)
    result = pytester.runpytest_subprocess(*plugin_args, "-n", "2", "--ao-flow-html=flows", "-p", "no:randomly")
    result.assert_outcomes(passed=1, failed=2)
    files = [f.name for f in Path(pytester.path, "flows").iterdir()]
    assert files == ["test_saga.py_test_saga_fails.html"]


def test_without_the_option_nothing_is_written(pytester: pytest.Pytester, plugin_args: list[str]) -> None:
    pytester.makepyfile(test_saga=FAILING)
    result = pytester.runpytest(*plugin_args, "-p", "no:randomly")
    result.assert_outcomes(passed=1, failed=2)
    assert not Path(pytester.path, "flows").exists()
    assert "message flow diagram" not in result.stdout.str()


def test_network_html_of_a_quiet_network() -> None:
    page = network_html(Network(), "nothing happened")
    assert "0 deliveries, 0 with errors" in page and "<h1>nothing happened</h1>" in page
