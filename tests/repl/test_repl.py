"""`ao-harness repl` driven through a pseudo-terminal: Evals, multi-line chunks, `.load`, incoming
messages, errors, `.switch`/`.advance`, history, completion, and `--connect` to a running serve."""

from __future__ import annotations

import io
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from repl_pty import MORE, PROMPT, REPO, ReplPty

from harness import cli
from harness.devnet.server import Devnet, start
from harness.lua_versions import LUA_MODULES
from harness.profiles import get_profile
from harness.repl import parse_duration

sys.path.insert(0, str(REPO / "tests" / "devnet"))
from devnet_helpers import Client, free_base_port
from devnet_proc import ServeProcess

from harness.devnet import dataitem
from harness.devnet.server import PORT_OFFSETS

VERSIONS = list(LUA_MODULES)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    h = tmp_path / "home"
    h.mkdir()
    return h


@pytest.fixture
def repl(tmp_path: Path, home: Path) -> Iterator[ReplPty]:
    """A REPL on a bare aos process of a fresh local network, at its first prompt."""
    r = ReplPty(cwd=tmp_path, home=home)
    r.expect(PROMPT)
    yield r
    r.close()


def test_an_expression_prints_its_value_and_the_prompt_is_aos(repl: ReplPty) -> None:
    assert repl.ask("1+1").strip() == "2"
    assert re.search(r"^aos@aos-[\d.]+\[Inbox:\d+\]> $", repl.text, re.MULTILINE)
    assert repl.ask('Name .. "!"').strip() == "aos!"


def test_state_persists_between_lines(repl: ReplPty) -> None:
    assert repl.ask("Counter = 41").strip() == ""
    assert repl.ask("Counter + 1").strip() == "42"


@pytest.mark.parametrize("lua", VERSIONS)
def test_an_unfinished_chunk_continues_on_the_next_line(tmp_path: Path, home: Path, lua: str) -> None:
    r = ReplPty("--lua", lua, cwd=tmp_path, home=home)
    try:
        r.expect(PROMPT)
        assert r.ask("function double(x)", until=MORE).strip() == ""
        assert r.ask("  Said = [[two", until=MORE).strip() == ""
        assert r.ask("lines]]", until=MORE).strip() == ""
        assert r.ask("  return x * 2", until=MORE).strip() == ""
        assert r.ask("end").strip() == ""
        assert r.ask("double(21)").strip() == "42"
        assert r.ask("Said").strip() == "two\nlines"
        # a complete chunk with a syntax error is sent (and fails) rather than waiting for more
        assert "near" in r.ask("x = = 1")
    finally:
        r.close()


def test_ctrl_c_drops_an_unfinished_chunk(repl: ReplPty) -> None:
    repl.ask("function broken(", until=MORE)
    assert "(chunk dropped)" in repl.interrupt()
    assert repl.ask("broken == nil").strip() == "true"


def test_a_lua_error_prints_the_message_and_line_and_the_prompt_continues(repl: ReplPty) -> None:
    out = repl.ask('local a = 1; error("boom " .. a)')
    assert "boom 1" in out
    assert re.search(r'^\s*1 \| local a = 1; error\("boom " \.\. a\)$', out, re.MULTILINE), out
    assert repl.ask("1+2").strip() == "3"
    assert "attempt to" in repl.ask("nothing.here")


def test_send_to_a_handler_prints_its_output_and_unhandled_messages_arrive_in_the_inbox(
    repl: ReplPty,
) -> None:
    out = repl.ask('Handlers.add("ping", "Ping", function(msg) print("pong to " .. msg.Action) end)')
    assert out.strip().isdigit()
    out = repl.ask('Send({ Target = ao.id, Action = "Ping" })')
    assert 'output = "Message added to outbox"' in out
    assert "pong to Ping" in out.splitlines()[-1]
    before = int(re.findall(r"\[Inbox:(\d+)\]", repl.text)[-1])
    out = repl.ask('Send({ Target = ao.id, Action = "Hello" })')
    assert re.search(r"^New Message From \w{3}\.\.\.\w{3}: Action = Hello$", out, re.MULTILINE), out
    assert int(re.findall(r"\[Inbox:(\d+)\]", repl.text)[-1]) == before + 1
    assert repl.ask("Inbox[#Inbox].Action").strip() == "Hello"


def test_load_inlines_required_modules_as_aos_does(tmp_path: Path, home: Path) -> None:
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "greet.lua").write_text(
        'local M = {}\nfunction M.hello(who) return "hello " .. who end\nreturn M\n'
    )
    (tmp_path / "main.lua").write_text('local greet = require("lib.greet")\nGreeting = greet.hello("ao")\n')
    (tmp_path / "lib" / "bad.lua").write_text("local M = {}\nerror('kaput')\nreturn M\n")
    (tmp_path / "broken.lua").write_text('local bad = require("lib.bad")\n')
    r = ReplPty(cwd=tmp_path, home=home)
    try:
        r.expect(PROMPT)
        out = r.ask(".load main.lua")
        assert "Loading... main.lua" in out
        assert "lib.greet" in out
        assert r.ask("Greeting").strip() == "hello ao"
        assert r.ask('package.loaded["lib.greet"].hello("you")').strip() == "hello you"
        out = r.ask(".load broken.lua")
        assert "kaput" in out
        assert "error in lib/bad.lua" in out
        assert re.search(r"^\s*2 \| error\('kaput'\)$", out, re.MULTILINE), out
        assert "no file" in r.ask(".load missing.lua")
        assert r.ask("1").strip() == "1"
    finally:
        r.close()


def test_a_process_file_is_loaded_at_start(tmp_path: Path, home: Path) -> None:
    (tmp_path / "counter.lua").write_text("Count = Count or 7\n")
    r = ReplPty("counter.lua", cwd=tmp_path, home=home)
    try:
        r.expect(PROMPT)
        assert "process counter" in r.text
        assert r.ask("Count").strip() == "7"
        assert r.ask("Name").strip() == "counter"
    finally:
        r.close()


def test_exit_leaves_with_status_0_and_writes_the_history(tmp_path: Path, home: Path) -> None:
    r = ReplPty(cwd=tmp_path, home=home)
    r.expect(PROMPT)
    r.ask("Answer = 6 * 7")
    r.type(".exit\r")
    assert r.wait() == 0
    history = (home / ".ao-harness_history").read_text()
    assert "Answer = 6 * 7" in history
    assert ".exit" in history
    # the next session reads it back: Up recalls the last line before .exit
    again = ReplPty(cwd=tmp_path, home=home)
    try:
        again.expect(PROMPT)
        again.type("\x1b[A\x1b[A\r")
        out = again.expect(PROMPT)
        assert "Answer = 6 * 7" in out
        again.type(".exit\r")
        assert again.wait() == 0
    finally:
        again.close()


def test_ctrl_d_leaves_with_status_0(repl: ReplPty) -> None:
    repl.type("\x04")
    assert repl.wait() == 0


def test_tab_completes_globals_fields_and_commands(repl: ReplPty) -> None:
    repl.type("#Handl\t.li\t\r")
    out = repl.expect(PROMPT)
    assert "#Handlers.list" in out
    assert out.splitlines()[-1].strip().isdigit()
    repl.type(".he\t\r")
    out = repl.expect(PROMPT)
    assert ".help" in out and ".advance DURATION" in out


SYSTEM = """\
processes:
  - name: clock
    source: clock.lua
    tags:
      Cron-Interval: 10-minutes
      Cron-Tag-Action: Tick
  - name: echo
    source: echo.lua
"""


def test_a_manifest_spawns_the_system_switch_picks_the_process_advance_runs_cron(
    tmp_path: Path, home: Path
) -> None:
    (tmp_path / "aoform.yaml").write_text(SYSTEM)
    (tmp_path / "clock.lua").write_text(
        'Ticks = 0\nHandlers.add("tick", "Tick", function(msg) Ticks = Ticks + 1 print("tick " .. Ticks) end)\n'
    )
    (tmp_path / "echo.lua").write_text("Role = 'echo'\n")
    r = ReplPty("aoform.yaml", cwd=tmp_path, home=home)
    try:
        r.expect(PROMPT)
        assert r.ask("Ticks").strip() == "0"
        out = r.ask(".advance 1h")
        assert [line for line in out.splitlines() if line.startswith("tick")] == [
            f"tick {i}" for i in range(1, 7)
        ]
        assert "6 cron tick(s)" in out
        assert r.ask("Ticks").strip() == "6"
        listing = r.ask(".switch")
        assert re.search(r"^\* clock ", listing, re.MULTILINE) and re.search(
            r"^  echo ", listing, re.MULTILINE
        )
        assert "now evaluating in echo" in r.ask(".switch echo")
        assert r.ask("Role").strip() == "echo"
        assert "no process 'nope'" in r.ask(".switch nope")
        assert "not a duration" in r.ask(".advance soon")
    finally:
        r.close()


def test_editor_mode_sends_the_lines_on_done(repl: ReplPty) -> None:
    repl.type(".editor\r")
    repl.expect("editor mode")
    repl.type("local t = {}\r")
    repl.type("for i = 1, 3 do t[#t + 1] = i * i end\r")
    repl.type("return table.concat(t, ',')\r")
    repl.type(".done\r")
    out = repl.expect(PROMPT)
    assert out.splitlines()[-1].strip() == "1,4,9"


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["missing.lua"], "no file missing.lua"),
        (["no-such-process"], "Network.spawn('no-such-process'): no Lua process file there"),
        (["missing.yaml"], "no file missing.yaml"),
        (["--lua", "6.0"], "unknown Lua version"),
        (["--connect", "ftp://example"], "give the devnet's gateway URL"),
        (["--connect", "http://127.0.0.1:notaport"], "the port is not a number"),
        (["--process", "abc"], "--process and --wallet go with --connect"),
        # a process id may start with "-" (base64url): still the id, not an option
        (["--process", "-" + "a" * 42], "--process and --wallet go with --connect"),
        (["--process", "--" + "b" * 41], "--process and --wallet go with --connect"),
        (["--connect", "http://127.0.0.1:9", "aoform.yaml"], "give aoform.yaml to `ao-harness serve`"),
        (["--connect", "http://127.0.0.1:9", "--profile", "nope"], "unknown aos profile 'nope'"),
        (["--profile", "nope"], "unknown aos profile 'nope'"),
    ],
)
def test_bad_input_is_one_line_and_status_2(
    args: list[str],
    says: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    assert cli.main(["repl", *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("ao-harness repl: "), err
    assert says in err


def test_a_server_that_is_down_is_one_line_and_status_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    port = free_base_port()
    assert cli.main(["repl", "--connect", f"http://127.0.0.1:{port}"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot reach an ao-harness serve" in err, err
    assert not (tmp_path / ".ao-harness").exists()  # no wallet made for a server that is not there


def test_connect_drives_a_running_serve(tmp_path: Path, home: Path) -> None:
    server = ServeProcess(tmp_path / "data")
    try:
        (tmp_path / "lib").mkdir()
        (tmp_path / "lib" / "twice.lua").write_text("return function(x) return 2 * x end\n")
        (tmp_path / "app.lua").write_text('local twice = require("lib.twice")\nDoubled = twice(21)\n')
        r = ReplPty("--connect", f"http://127.0.0.1:{server.port}", cwd=tmp_path, home=home)
        try:
            r.expect(PROMPT)
            pid = re.search(r"process ([\w-]{43}) on http", r.text)
            assert pid, r.text
            assert (home / ".ao-harness" / "wallet.json").is_file()
            assert r.ask("1+1").strip() == "2"
            assert r.ask("function inc(x)", until=MORE).strip() == ""
            assert r.ask("return x + 1 end").strip() == ""
            assert r.ask("inc(41)").strip() == "42"
            r.ask('Handlers.add("ping", "Ping", function(msg) print("pong " .. msg.From:sub(1, 4)) end)')
            out = r.ask('Send({ Target = ao.id, Action = "Ping" })')
            assert out.splitlines()[-1] == f"pong {pid.group(1)[:4]}", out
            out = r.ask('Send({ Target = ao.id, Action = "Hello" })')
            assert re.search(r"^New Message From \S+: Action = Hello$", out, re.MULTILINE), out
            assert "boom" in r.ask('error("boom")')
            out = r.ask(".load app.lua")
            assert "Loading... app.lua" in out
            assert r.ask("Doubled").strip() == "42"
            assert "clock now 2025-" in r.ask(".advance 1m")  # serve runs with --clock manual
            # a message from someone else arrives while the prompt waits: printed, prompt redrawn
            r.type("Dou")
            stranger = Client("http://127.0.0.1", {u: server.port + o for u, o in PORT_OFFSETS.items()},
                              dataitem.Signer.ed25519())  # fmt: skip
            stranger.send(pid.group(1), [("Action", "Knock")])
            r.expect(r"\x1b\[2KNew Message From \S+: Action = Knock\r\n", timeout=15, raw=True)
            r.expect(r"\[Inbox:\d+\]> Dou$", raw=True)  # the prompt and the half-typed line again
            r.type("bled\r")
            out = r.expect(PROMPT)
            assert out.splitlines()[-1] == "42", out
            r.type(".exit\r")
            assert r.wait() == 0
        finally:
            r.close()
        # the process is really on the server: the CU has its state, driven by our wallet's Evals
        from devnet_helpers import http

        reply = http("GET", f"{server.urls['CU']}/state/{pid.group(1)}")
        assert reply.status == 200 and "Doubled" in reply.body.decode()
        # a process file given with --connect is spawned (named after it) and loaded, bundled
        loaded = ReplPty("--connect", f"http://127.0.0.1:{server.port}", "app.lua", cwd=tmp_path, home=home)
        try:
            loaded.expect(PROMPT)
            assert loaded.ask("Name .. Doubled").strip() == "app42"
        finally:
            loaded.close()
        # the same wallet attaches again with --process
        again = ReplPty("--connect", f"http://127.0.0.1:{server.port}", "--process", pid.group(1), cwd=tmp_path,
                        home=home)  # fmt: skip
        try:
            again.expect(PROMPT)
            assert again.ask("Doubled + inc(0)").strip() == "43"
        finally:
            again.close()
    finally:
        server.stop()


@pytest.mark.parametrize(
    ("text", "ms"),
    [("1h", 3_600_000), ("30m", 1_800_000), ("30min", 1_800_000), ("1h30m", 5_400_000), ("500ms", 500),
     ("2 days", 172_800_000), ("5-minutes", 300_000), ("90s", 90_000), ("1.5h", 5_400_000)],
)  # fmt: skip
def test_advance_durations(text: str, ms: int) -> None:
    assert parse_duration(text) == ms


@pytest.mark.parametrize("text", ["5", "", "soon", "1x", "h", "1h soon"])
def test_a_duration_needs_a_unit(text: str) -> None:
    with pytest.raises(ValueError, match="is not a duration"):
        parse_duration(text)


def test_load_completes_file_names(tmp_path: Path, home: Path) -> None:
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "greeting.lua").write_text("Greeted = true\n")
    r = ReplPty(cwd=tmp_path, home=home)
    try:
        r.expect(PROMPT)
        r.type(".load lib/gr\t\r")
        out = r.expect(PROMPT)
        assert "Loading... lib/greeting.lua" in out, out
        assert r.ask("Greeted").strip() == "true"
    finally:
        r.close()


@pytest.fixture
def devnet(tmp_path: Path) -> Iterator[Devnet]:
    running = start(data=tmp_path / "data", port=free_base_port(), clock="manual", root=REPO)
    yield running
    running.shutdown()


@pytest.mark.parametrize(
    ("wallet", "says"),
    [
        (None, "no wallet file at"),
        ("{not json", "is not a readable JWK JSON file"),
        ('{"kty": "EC"}', "not an Arweave (RSA) JWK"),
        ('{"kty": "RSA", "n": "AQAB"}', "the JWK has no 'e'"),
        ('{"kty": "RSA", "n": "AQAB", "e": "AQAB"}', "an Arweave key has a 4096-bit modulus"),
    ],
)
def test_a_bad_wallet_is_one_line_and_status_2(
    devnet: Devnet, wallet: str | None, says: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "wallet.json"
    if wallet is not None:
        path.write_text(wallet)
    assert cli.main(["repl", "--connect", f"http://127.0.0.1:{devnet.port}", "--wallet", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and says in err, err


def test_attaching_to_a_process_of_another_wallet_warns(
    devnet: Devnet, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ports = {u: devnet.port + o for u, o in PORT_OFFSETS.items()}
    pid = Client("http://127.0.0.1", ports, dataitem.Signer.ed25519()).spawn()
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setattr(sys, "stdin", io.StringIO("Owner\n.exit\n"))
    code = cli.main(["repl", "--connect", f"http://127.0.0.1:{devnet.port}", "--process", pid, "--no-color"])
    captured = capsys.readouterr()
    assert code == 0
    assert f"does not own process {pid}" in captured.err
    wallet = (tmp_path / ".ao-harness" / "wallet.json").read_text()
    assert '"kty": "RSA"' in wallet
    # the Eval from a stranger is not run: aos files it in the Inbox
    assert "New Message From" in captured.out


@pytest.mark.parametrize(("profile", "version"), [("default", "2.0.4"), ("legacy", "2.0.1")])
def test_connect_spawns_the_module_of_the_profile(
    devnet: Devnet, profile: str, version: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setattr(sys, "stdin", io.StringIO("Prompt()\nao.env.Process.Tags.Module\n.exit\n"))
    url = f"http://127.0.0.1:{devnet.port}"
    assert cli.main(["repl", "--connect", url, "--profile", profile, "--no-color"]) == 0
    out = capsys.readouterr().out
    assert f"aos@aos-{version}[Inbox:1]> " in out
    assert re.search(rf"^(.*> )?{get_profile(profile).module}$", out, re.MULTILINE), out


def test_a_message_storm_is_reported_and_does_not_carry_on_into_the_next_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    lines = [
        'Handlers.add("loop", "Loop", function(m) Send({ Target = ao.id, Action = "Loop" }) end)',
        'Send({ Target = ao.id, Action = "Loop" })',
        "Handlers.remove('loop')",
        "40 + 2",
        ".exit",
    ]
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(lines) + "\n"))
    assert cli.main(["repl", "--history", "", "--no-color"]) == 0
    out = capsys.readouterr().out
    assert "harness: Network.run() made 10000 deliveries" in out
    assert "(the 1 message(s) still queued were dropped)" in out
    assert out.count("made 10000 deliveries") == 1
    assert re.search(r"> 42$", out, re.MULTILINE), out
