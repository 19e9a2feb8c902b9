"""The devnet's browser view in a real headless browser: Debian's chromium driven by selenium.

One devnet and one browser session serve the whole module.  Where chromium, chromedriver or
selenium is missing the tests skip with one line; with ``AO_BROWSER_REQUIRED=1`` (CI) they fail.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from devnet_helpers import REPO, Client, client_for, free_base_port, http

from harness import Network
from harness.devnet import dataitem
from harness.devnet.server import Devnet, start
from harness.flow import network_html
from harness.ids import MU_ADDRESS

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,900",
]

CODE = """
Handlers.add("Ping", "Ping", function(msg)
  msg.reply({Action = "Pong", Data = "pong"})
  Send({Target = ao.id, Action = "Echo", Data = "echo"})
end)
Handlers.add("Echo", "Echo", function(msg) print("echo seen") end)
Handlers.add("Boom", "Boom", function(msg) error("kaboom from the view test") end)
Ledger = Ledger or {total = 7, owners = {"alice", "bob"}, limits = {daily = {max = 100}}}
"""


def _missing() -> str | None:
    for name in ("chromium", "chromedriver"):
        if shutil.which(name) is None:
            return f"{name} is not installed (apt-get install chromium chromium-driver)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e .[dev])"
    return None


def _need_browser() -> None:
    """Skip with the reason where the browser is missing; fail instead under AO_BROWSER_REQUIRED."""
    reason = _missing()
    if reason is not None:
        if os.environ.get("AO_BROWSER_REQUIRED"):
            pytest.fail(f"AO_BROWSER_REQUIRED is set, but {reason}", pytrace=False)
        pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless chromium for the module, with a fresh profile directory."""
    _need_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ.setdefault("SE_OFFLINE", "true")  # selenium must never download a driver
    profile = tempfile.mkdtemp(prefix="ao-harness-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "chromium"
    for flag in [*FLAGS, f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    service = Service(executable_path=shutil.which("chromedriver") or "chromedriver")
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Devnet, Client, str]]:
    """A devnet with one process (spawned and loaded through the MU by an Ed25519 wallet)."""
    running = start(data=tmp_path_factory.mktemp("view") / "data", port=free_base_port(), clock="manual",
                    root=REPO)  # fmt: skip
    client = client_for(running, dataitem.Signer.ed25519())
    pid = client.spawn(tags=[("Name", "pinger"), ("Authority", MU_ADDRESS)])
    assert "Error" not in client.result(pid, client.send(pid, [("Action", "Eval")], CODE))
    yield running, client, pid
    running.shutdown()


def _wait(driver: Any, condition: Any, timeout: float = 10) -> Any:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout, poll_frequency=0.05).until(condition)


def _css(driver: Any, selector: str) -> list[Any]:
    from selenium.webdriver.common.by import By

    return driver.find_elements(By.CSS_SELECTOR, selector)


def _open(driver: Any, running: Devnet, route: str, view: str) -> None:
    # a fresh page load: a get() that changes only the hash would keep the previous view on screen
    driver.get("about:blank")
    driver.get(f"{running.url('gateway')}/#/{route}")
    _wait(driver, lambda d: d.find_element("id", "view").get_attribute("data-view") == view)


def _send_from_form(driver: Any, pid: str, action: str, tags: str = "", data: str = "") -> None:
    from selenium.webdriver.support.ui import Select

    _wait(driver, lambda d: any(o.get_attribute("value") == pid for o in _css(d, "#send-process option")))
    Select(driver.find_element("id", "send-process")).select_by_value(pid)
    for field, value in (("send-action", action), ("send-tags", tags), ("send-data", data)):
        el = driver.find_element("id", field)
        el.clear()
        if value:
            el.send_keys(value)
    before = driver.current_url
    driver.find_element("id", "send-button").click()
    _wait(driver, lambda d: d.current_url != before and "#/flow/" in d.current_url)
    # the new flow is on screen (not the previous page's diagram while its fetch is under way)
    seq = driver.current_url.rsplit("/", 1)[-1]
    _wait(driver, lambda d: any(h.text == f"Flow of #{seq}" for h in _css(d, "#view h1")))
    _wait(driver, lambda d: _css(d, "#flow-diagram svg .step"))


def test_the_page_and_its_assets_load_from_the_server_only(browser: Any, served: tuple) -> None:
    running, _, pid = served
    _open(browser, running, "", "processes")
    row = _wait(browser, lambda d: _css(d, f'#processes tr[data-pid="{pid}"]'))[0]
    cells = [c.text for c in row.find_elements("css selector", "td")]
    assert cells[0] == "pinger" and cells[1] == pid and cells[2] == "default"
    assert int(cells[4]) >= 2  # the spawn and the Eval
    # every resource the page loaded came from the devnet itself (no CDN)
    urls = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert urls and all(u.startswith(running.url("gateway")) for u in urls), urls
    assert browser.execute_script("return getComputedStyle(document.body).margin") == "0px"  # app.css applied


def test_the_process_view_shows_handlers_state_inbox_and_recent_messages(browser: Any, served: tuple) -> None:
    running, _, pid = served
    _open(browser, running, f"process/{pid}", "process")
    handlers = {
        r.find_elements("css selector", "td")[0].text: int(r.find_elements("css selector", "td")[1].text)
        for r in _css(browser, "#handlers tr")[1:]
    }
    assert {"Ping", "Echo", "Boom"} <= set(handlers)
    assert handlers["_eval"] >= 1
    state = browser.find_element("id", "state").text
    assert "Ledger" in state and "total = 7" in state
    # the tree opens: the nested table is a <details> that shows its keys once opened
    nested = next(d for d in _css(browser, "#state details") if d.text.startswith("limits"))
    nested.find_element("css selector", "summary").click()
    _wait(browser, lambda d: "daily" in nested.text)
    inbox = browser.find_element("id", "inbox").text
    assert inbox.startswith("Inbox (1)") and "from " in inbox and "Name=pinger" in inbox  # the spawn message
    recent = browser.find_element("id", "recent").text
    assert "Eval" in recent and "spawn" in recent


def test_a_message_sent_from_the_form_is_signed_stored_and_its_flow_drawn(browser: Any, served: tuple) -> None:
    running, client, pid = served
    stored = running.devnet.store.count()  # type: ignore[union-attr]
    _open(browser, running, f"process/{pid}", "process")
    _send_from_form(browser, pid, "Ping", tags="Note=from the form", data="hello")
    steps = _css(browser, "#flow-diagram svg .step")
    labels = [s.find_element("css selector", "text:last-of-type").text for s in steps]
    assert labels == ["Ping", "Pong", "Echo"]
    assert not _css(browser, "#flow-diagram .step.error")
    lanes = [t.text for t in _css(browser, "#flow-diagram .lifeline text")]
    assert lanes == ["dev wallet", "pinger"]
    # arrows go between the right lifelines, in delivery order (top to bottom)
    ys = [s.rect["y"] for s in steps]
    assert ys == sorted(ys) and len(set(ys)) == len(ys)
    seqs = [int(s.get_attribute("data-seq")) for s in steps]
    assert seqs == sorted(seqs)
    # the same path as an aoconnect message: a signed item in the log, a result on the CU
    assert running.devnet.store.count() == stored + 1  # type: ignore[union-attr]
    seq = int(browser.current_url.rsplit("/", 1)[1])
    mid = steps[0].get_attribute("data-mid")
    item = running.devnet.items[mid]
    assert item.signature and item.target == pid
    view_wallet = http("GET", f"{running.url('gateway')}/~harness/api/status").json()["wallet"]["address"]
    assert item.owner == view_wallet
    result = client.result(pid, mid)
    assert any({"name": "Action", "value": "Pong"} in m["Tags"] for m in result["Messages"])
    assert int(steps[0].get_attribute("data-seq")) == seq
    # tags are on hover: the arrow's <title>
    title = steps[0].find_element("css selector", "title").get_attribute("textContent")
    assert "Note = from the form" in title and "Data: hello" in title


def test_a_lua_error_is_marked_red_in_the_flow_and_the_message(browser: Any, served: tuple) -> None:
    running, _, pid = served
    _open(browser, running, "", "processes")
    _send_from_form(browser, pid, "Boom")
    errors = _css(browser, "#flow-diagram .step.error")
    assert len(errors) == 1
    line = errors[0].find_element("css selector", "line, path")
    assert browser.execute_script("return getComputedStyle(arguments[0]).stroke", line) == "rgb(209, 36, 47)"
    assert "✗ Boom" in errors[0].text
    assert "kaboom from the view test" in errors[0].find_element("css selector", "title").get_attribute(
        "textContent"
    )
    assert browser.find_element("id", "flow-errors").text == "1 errors"
    assert "error" in _css(browser, "#flow-steps tr")[1].get_attribute("class")
    # clicking the arrow opens the message: its tags and the error
    browser.execute_script("arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}))", errors[0])
    _wait(browser, lambda d: d.find_element("id", "view").get_attribute("data-view") == "message")
    _wait(browser, lambda d: _css(d, "#result-error"))
    assert "kaboom from the view test" in browser.find_element("id", "result-error").text
    assert browser.execute_script(
        "return getComputedStyle(document.getElementById('result-error')).color"
    ) == "rgb(209, 36, 47)"
    assert "Action" in browser.find_element("css selector", "table.tags").text


def test_the_message_view_shows_tags_data_and_the_result(browser: Any, served: tuple) -> None:
    running, client, pid = served
    mid = client.send(pid, [("Action", "Ping"), ("Color", "blue")], "some data")
    seq = http("GET", f"{running.url('gateway')}/~harness/api/message/{mid}?process-id={pid}").json()["seq"]
    _open(browser, running, f"message/{seq}", "message")
    _wait(browser, lambda d: _css(d, "#result"))
    tags = browser.find_element("css selector", "table.tags").text
    assert "Color blue" in tags and "Action Ping" in tags
    assert browser.find_element("id", "message-data").text == "some data"
    result = browser.find_element("id", "result").text
    assert "Messages (2)" in result and "Action=Pong" in result and "Action=Echo" in result
    assert "no error" in result


def test_the_view_updates_live(browser: Any, served: tuple) -> None:
    running, client, pid = served
    _open(browser, running, "", "processes")

    def count(d: Any) -> int:  # read in one script: a live redraw replaces the table at any time
        text = d.execute_script(
            "const c = document.querySelector(arguments[0]); return c ? c.textContent : '-1'",
            f'#processes tr[data-pid="{pid}"] td.count',
        )
        return int(text)

    start_count = _wait(browser, lambda d: count(d) if count(d) > 0 else None)
    client.send(pid, [("Action", "Echo")])  # from outside the page: aoconnect's way
    _wait(browser, lambda d: count(d) == start_count + 1, timeout=5)


def test_spawn_from_the_form(browser: Any, served: tuple) -> None:
    running, _, _ = served
    _open(browser, running, "", "processes")
    name = browser.find_element("id", "spawn-name")
    name.clear()
    name.send_keys("made-in-browser")
    browser.find_element("id", "spawn-button").click()
    _wait(browser, lambda d: d.find_element("id", "view").get_attribute("data-view") == "process")
    _wait(browser, lambda d: d.find_element("css selector", "h1").text.startswith("made-in-browser"))
    pid = browser.current_url.rsplit("/", 1)[1]
    proc = running.devnet.net.process(pid)
    wallet = http("GET", f"{running.url('gateway')}/~harness/api/status").json()["wallet"]["address"]
    assert proc.owner == wallet and proc.name == "made-in-browser"


def test_an_unknown_route_shows_the_reason(browser: Any, served: tuple) -> None:
    running, _, _ = served
    browser.get(f"{running.url('gateway')}/#/message/99999")
    err = _wait(browser, lambda d: _css(d, "#view-error"))[0]
    assert "no delivery #99999" in err.text


def test_a_flow_html_page_of_a_failing_test_stands_alone(browser: Any, tmp_path: Path) -> None:
    net = Network()
    caller = net.spawn(source='Handlers.add("Go", "Go", function(m) Send({Target = m.Peer, Action = "Crash"}) end)',
                       name="caller")  # fmt: skip
    callee = net.spawn(source='Handlers.add("Crash", "Crash", function(m) error("deep failure") end)', name="callee")
    caller.send({"Action": "Go", "Peer": callee.id})
    net.run()
    page = tmp_path / "flow.html"
    page.write_text(network_html(net, "tests/test_x.py::test_go", summary="AssertionError: boom"), encoding="utf-8")
    browser.get(page.as_uri())
    errors = _wait(browser, lambda d: _css(d, "svg .step.error"))
    assert len(errors) == 1 and "✗ Crash" in errors[0].text
    line = errors[0].find_element("css selector", "line")
    assert browser.execute_script("return getComputedStyle(arguments[0]).stroke", line) == "rgb(209, 36, 47)"
    assert [t.text for t in _css(browser, "svg .lifeline text")] == ["owner", "caller", "callee"]
    # nothing was fetched and nothing runs: the file is the whole page
    assert browser.execute_script("return performance.getEntriesByType('resource').length") == 0
    assert browser.execute_script("return document.scripts.length") == 0
    # an arrow links to its row in the details table, which shows the error
    seq = errors[0].get_attribute("data-seq")
    browser.execute_script("arguments[0].closest('a').dispatchEvent(new MouseEvent('click', {bubbles: true}))",
                           errors[0])  # fmt: skip
    _wait(browser, lambda d: d.execute_script("return location.hash") == f"#detail-{seq}")
    row = browser.find_element("id", f"detail-{seq}")
    assert "deep failure" in row.text and "error" in row.get_attribute("class")


def test_a_missing_browser_skips_in_one_line_and_fails_where_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None if name == "chromedriver" else f"/usr/bin/{name}")
    monkeypatch.delenv("AO_BROWSER_REQUIRED", raising=False)
    with pytest.raises(pytest.skip.Exception) as skipped:
        _need_browser()
    assert str(skipped.value) == "chromedriver is not installed (apt-get install chromium chromium-driver)"
    monkeypatch.setenv("AO_BROWSER_REQUIRED", "1")
    with pytest.raises(pytest.fail.Exception) as failed:
        _need_browser()
    assert str(failed.value).startswith("AO_BROWSER_REQUIRED is set, but chromedriver is not installed")

