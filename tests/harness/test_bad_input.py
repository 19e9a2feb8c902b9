"""Every bad input is a one-line error that names what was wrong and where (issue 10, item 4).

Three tables: the Python API (``Network``, ``spawn``, ``send``, ``eval``, ``dryrun``, ``advance``,
...), the manifest (``aoform.yaml``) and the ``ao-harness`` command line.  Each row gives the bad
input, the error it must raise (a ``HarnessError`` subclass; for the CLI exit status 2 and one
line on stderr) and the fragments the message must contain: where the mistake is and what it was.
Below the tables: a failed spawn leaves nothing behind, ``build`` writes all bundles or none, and
``ao-harness run`` reads decimals from the token and prints cron ticks.

The argument and manifest checks run in Python before any Lua does, so the tables use the default
Lua; the failed-spawn test, where Lua's load error matters, runs on every supported Lua.
"""

from __future__ import annotations

import io
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from harness import Network, Process
from harness.bundle import build_all
from harness.cli import main
from harness.errors import (
    HarnessError,
    InputError,
    ProcessLoadError,
    ProcessNotFound,
    TagValueError,
    UnknownProcess,
)
from harness.lua_versions import LUA_MODULES, UnknownLuaVersion
from harness.manifest import ManifestError, load_manifest
from harness.scenario import run_manifest

ROOT = Path(__file__).resolve().parents[2]
LUAS = [pytest.param(v, id=f"lua{v}") for v in sorted(LUA_MODULES)]

ECHO = "Handlers.add('x', 'X', function(m) m.reply({ Data = 'ok' }) end)"


@dataclass
class Ctx:
    net: Network
    p: Process
    tmp: Path


@pytest.fixture
def ctx(tmp_path: Path) -> Ctx:
    net = Network(root=tmp_path)
    return Ctx(net, net.spawn(source=ECHO, name="echo"), tmp_path)


def _one_line(text: str) -> None:
    assert "\n" not in text.strip(), f"not one line:\n{text}"
    assert "Traceback" not in text


# -- the Python API ---------------------------------------------------------------------------

BYTES = "bytes are not a Lua string; decode them (b.decode()) or send text"


def _write(name: str, text: str | bytes) -> Callable[[Ctx], Path]:
    def make(c: Ctx) -> Path:
        path = c.tmp / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text)
        return path

    return make


API: list[tuple[str, Callable[[Ctx], Any], type[HarnessError], list[str]]] = [
    # tags and Data of a message
    ("send-tag-bytes", lambda c: c.p.send({"Action": b"X"}), TagValueError, ["message to echo", "'Action'", BYTES]),
    ("send-data-bytes", lambda c: c.p.send({"Action": "X"}, data=b"hi"), TagValueError, ["echo", "Data", BYTES]),
    ("send-tag-name-bytes", lambda c: c.p.send({b"A": "x"}), TagValueError, ["tag name b'A'", BYTES]),
    ("send-tag-int", lambda c: c.p.send({"Quantity": 5}), TagValueError, ["'Quantity' = 5", "a number, not a string", "str(...)"]),
    # outbox entries process code wrote itself, which live's host hands over and the MU cannot carry
    ("outbox-message-number", lambda c: c.p.eval("ao.outbox.Messages[1] = 5"), TagValueError, ["process echo", "outbox message #1: the outbox message is a number, not a table", "MU could not carry it"]),
    ("outbox-messages-string", lambda c: c.p.eval("ao.outbox.Messages = 's'"), TagValueError, ["outbox message #1: the outbox's Messages is a string, not a table"]),
    ("outbox-tags-number", lambda c: c.p.eval("ao.outbox.Messages[1] = { Target = 'x', Tags = 7 }"), TagValueError, ["outbox message #1: its Tags is a number, not a list of {name, value} tables"]),
    ("outbox-tag-entry-number", lambda c: c.p.eval("ao.outbox.Messages[1] = { Target = 'x', Tags = { 5 } }"), TagValueError, ["echo", "sending to x", "tag name 5 is a number, not a string"]),
    ("outbox-target-table", lambda c: c.p.eval("Send({ Target = {}, Data = 'x' })"), TagValueError, ["sending to a Target that is not a string", "is a Lua table, not a string", "process id"]),
    ("outbox-spawn-number", lambda c: c.p.eval("ao.outbox.Spawns[1] = 7"), TagValueError, ["outbox spawn request #1: the spawn request is a number, not a table"]),
    ("outbox-assignment-processes-string", lambda c: c.p.eval("ao.outbox.Assignments[1] = { Processes = 'x', Message = 'm' }"), TagValueError, ["outbox assignment #1: its Processes is a string, not a list of process ids"]),
    ("outbox-assignment-process-number", lambda c: c.p.eval("ao.outbox.Assignments[1] = { Processes = { 5 }, Message = 'm' }"), TagValueError, ["outbox assignment #1: process id 5 is a number, not a string"]),
    ("outbox-assignment-message-table", lambda c: c.p.eval("ao.outbox.Assignments[1] = { Processes = { 'p' }, Message = {} }"), TagValueError, ["outbox assignment #1: Message", "is a Lua table, not a string"]),
    ("outbox-assignment-number", lambda c: c.p.eval("ao.outbox.Assignments[1] = 7"), TagValueError, ["outbox assignment #1: the assignment is a number, not a table"]),
    ("send-tag-kw-int", lambda c: c.p.send(Action="X", Quantity=5), TagValueError, ["message to echo", "'Quantity'"]),
    ("send-tag-float", lambda c: c.p.send({"Q": 1.5}), TagValueError, ["'Q' = 1.5", "a number"]),
    ("send-tag-bool", lambda c: c.p.send({"Ok": True}), TagValueError, ["'Ok' = True", "a boolean"]),
    ("send-tag-none", lambda c: c.p.send({"X": None}), TagValueError, ["'X' = None", "nil, not a string"]),
    ("send-tag-list", lambda c: c.p.send({"X": [1]}), TagValueError, ["'X' = [1]", "a Python list"]),
    ("send-tag-name-int", lambda c: c.p.send({1: "X"}), TagValueError, ["tag name 1", "tag names must be strings"]),
    ("send-data-int", lambda c: c.p.send({"Action": "X"}, data=5), TagValueError, ["Data 5", "must be a string"]),
    ("send-data-dict", lambda c: c.p.send({"Action": "X"}, data={"a": 1}), TagValueError, ["a Python dict", "json.dumps"]),
    ("send-data-none", lambda c: c.p.send({"Action": "X"}, data=None), InputError, ["message to echo", "Data is None", '""']),
    ("send-sender-int", lambda c: c.p.send({"Action": "X"}, sender=5), InputError, ["sender=5 is not an address", "net.wallet"]),
    ("send-sender-bytes", lambda c: c.p.send({"Action": "X"}, sender=b"bob"), InputError, ["sender=b'bob'", BYTES]),
    ("send-sender-empty", lambda c: c.p.send({"Action": "X"}, sender=""), InputError, ["sender='' is not an address"]),
    ("send-long-data-shortened", lambda c: c.p.send({"Action": "X"}, data=b"x" * 500), TagValueError, ["…", BYTES]),
    ("eval-bytes", lambda c: c.p.eval(b"return 1"), TagValueError, ["message to echo", BYTES]),
    ("eval-none", lambda c: c.p.eval(None), InputError, ["message to echo", "Data is None"]),  # type: ignore[arg-type]
    ("eval-int", lambda c: c.p.eval(5), TagValueError, ["Data 5 is a number"]),  # type: ignore[arg-type]
    ("dryrun-tag-bytes", lambda c: c.p.dryrun({"Action": b"X"}), TagValueError, ["dry-run of echo", BYTES]),
    ("dryrun-data-dict", lambda c: c.p.dryrun({"Action": "X"}, data={"a": 1}), TagValueError, ["dry-run of echo", "dict"]),
    ("dryrun-sender-int", lambda c: c.p.dryrun({"Action": "X"}, sender=7), InputError, ["dry-run of echo", "sender=7"]),
    ("cron-tag-bytes", lambda c: c.p.cron({"A": b"x"}), TagValueError, ["cron tick to echo", BYTES]),
    ("cron-tag-int", lambda c: c.p.cron({"A": 1}), TagValueError, ["cron tick to echo", "'A' = 1"]),
    # spawn
    ("spawn-int", lambda c: c.net.spawn(5), InputError, ["Network.spawn(5)", "not a process name or path"]),  # type: ignore[arg-type]
    ("spawn-unknown-name", lambda c: c.net.spawn("nope"), ProcessNotFound, ["Network.spawn('nope')", "tried", "ao/nope/src/process.lua"]),
    ("spawn-missing-file", lambda c: c.net.spawn("x/y.lua"), ProcessNotFound, ["Network.spawn('x/y.lua')", "no Lua process file"]),
    ("spawn-file-and-source", lambda c: c.net.spawn("a.lua", source="X = 1"), InputError, ["Network.spawn('a.lua', source=...)", "give one"]),
    ("spawn-source-bytes", lambda c: c.net.spawn(source=b"X = 1"), InputError, ["Network.spawn(source=...)", BYTES]),  # type: ignore[arg-type]
    ("spawn-source-int", lambda c: c.net.spawn(source=1), InputError, ["source is a int", "give Lua code as a str"]),  # type: ignore[arg-type]
    ("spawn-name-int", lambda c: c.net.spawn(source="", name=5), InputError, ["Network.spawn(name=5)", "non-empty string"]),  # type: ignore[arg-type]
    ("spawn-name-empty", lambda c: c.net.spawn(source="", name=""), InputError, ["Network.spawn(name='')"]),
    ("spawn-owner-int", lambda c: c.net.spawn(source="", owner=5), InputError, ["Network.spawn(owner=5)", "not an address"]),  # type: ignore[arg-type]
    ("spawn-tags-str", lambda c: c.net.spawn(source="", tags="Name=x"), InputError, ["Network.spawn(tags='Name=x')", "mapping"]),  # type: ignore[arg-type]
    ("spawn-tags-bad-pairs", lambda c: c.net.spawn(source="", tags=[("A",)]), InputError, ["Network.spawn(tags=[('A',)])", "(name, value) pairs"]),  # type: ignore[list-item]
    ("spawn-tags-int", lambda c: c.net.spawn(source="", tags=5), InputError, ["Network.spawn(tags=5)", "mapping"]),  # type: ignore[arg-type]
    ("spawn-tags-generator-bad", lambda c: c.net.spawn(source="", tags=(t for t in ["AB"])), InputError, ["Network.spawn(tags=['AB'])"]),
    ("spawn-tag-bytes", lambda c: c.net.spawn(source="", tags={"A": b"x"}), TagValueError, ["spawn of aos", "'A'", BYTES]),
    ("spawn-tag-int", lambda c: c.net.spawn(source="", tags={"Version": 2}), TagValueError, ["spawn of aos", "'Version' = 2"]),
    ("spawn-data-bytes", lambda c: c.net.spawn(source="", data=b"x"), TagValueError, ["spawn of aos", "Data", BYTES]),  # type: ignore[arg-type]
    ("spawn-cron-unknown-unit", lambda c: c.net.spawn(source="", tags={"Cron-Interval": "5-fortnights"}), InputError, ["spawn of aos", "Cron-Interval '5-fortnights' is not understood", "'<n>-minutes'"]),
    ("spawn-cron-blocks", lambda c: c.net.spawn(source="", tags={"Cron-Interval": "10-blocks"}), InputError, ["Cron-Interval '10-blocks'", "block intervals are not supported"]),
    ("spawn-cron-zero", lambda c: c.net.spawn(source="", tags={"Cron-Interval": "0-seconds"}), InputError, ["spawn of aos", "is zero", "positive interval"]),
    ("spawn-syntax-error", lambda c: c.net.spawn(source="X = = 1", name="bad"), ProcessLoadError, ["<source of bad>:1", "failed to load", "bad:1:"]),
    ("spawn-runtime-error", lambda c: c.net.spawn(source="\nerror('boom')", name="bad"), ProcessLoadError, ["<source of bad>:2", "bad:2: boom"]),
    ("spawn-file-syntax-error", lambda c: c.net.spawn(_write("bad.lua", "local x = 1\nlocal y = = 2\n")(c)), ProcessLoadError, ["bad.lua:2", "failed to load"]),
    ("spawn-file-not-utf8", lambda c: c.net.spawn(_write("latin.lua", b"X = '\xe9'\n")(c)), ProcessLoadError, ["latin.lua", "not UTF-8 text"]),
    ("spawn-missing-build", lambda c: Network(root=c.tmp, use_builds=True).spawn("calc"), ProcessNotFound, ["Network.spawn('calc')", "ao-harness build calc"]),
    # Network(...)
    ("network-lua", lambda c: Network(lua="6.0"), UnknownLuaVersion, ["unknown Lua version '6.0'", "choose one of 5.1"]),
    ("network-lua-int", lambda c: Network(lua=9), UnknownLuaVersion, ["unknown Lua version 9"]),
    ("network-profile", lambda c: Network(profile="nope"), InputError, ["unknown aos profile 'nope'", "default, legacy, head"]),
    ("network-profile-int", lambda c: Network(profile=5), InputError, ["aos profile 5 is not a name"]),  # type: ignore[arg-type]
    ("network-pairs", lambda c: Network(pairs="random"), InputError, ["pairs order 'random' is not understood", "'shuffled:<seed>'"]),
    ("network-pairs-int", lambda c: Network(pairs=5), InputError, ["pairs order 5"]),  # type: ignore[arg-type]
    ("network-budget-zero", lambda c: Network(instruction_budget=0), InputError, ["instruction_budget=0 is not valid", "None for no limit"]),
    ("network-budget-negative", lambda c: Network(instruction_budget=-1), InputError, ["instruction_budget=-1"]),
    ("network-budget-fraction", lambda c: Network(instruction_budget=1.5), InputError, ["instruction_budget=1.5", "whole number"]),  # type: ignore[arg-type]
    ("network-budget-bool", lambda c: Network(instruction_budget=True), InputError, ["instruction_budget=True"]),
    ("network-memory-zero", lambda c: Network(memory_limit=0), InputError, ["memory_limit=0 is not valid", "bytes"]),
    ("network-memory-str", lambda c: Network(memory_limit="1GB"), InputError, ["memory_limit='1GB'"]),  # type: ignore[arg-type]
    ("network-timeout-zero", lambda c: Network(timeout=0), InputError, ["timeout=0 is not valid", "seconds"]),
    ("network-timeout-nan", lambda c: Network(timeout=float("nan")), InputError, ["timeout=nan"]),
    ("network-max-deliveries-zero", lambda c: Network(max_deliveries=0), InputError, ["Network(max_deliveries=0)", "positive whole number"]),
    ("network-max-deliveries-str", lambda c: Network(max_deliveries="5"), InputError, ["Network(max_deliveries='5')"]),  # type: ignore[arg-type]
    ("network-seed-int", lambda c: Network(seed=5), InputError, ["Network(seed=5)", "non-empty string"]),  # type: ignore[arg-type]
    ("network-seed-empty", lambda c: Network(seed=""), InputError, ["Network(seed='')"]),
    ("network-root-missing", lambda c: Network(root=c.tmp / "nowhere"), InputError, ["Network(root=", "nowhere", "does not exist"]),
    ("network-root-file", lambda c: Network(root=_write("f.txt", "x")(c)), InputError, ["f.txt", "is a file, not a directory"]),
    ("network-root-int", lambda c: Network(root=5), InputError, ["Network(root=5)", "not a path"]),  # type: ignore[arg-type]
    ("network-use-builds-str", lambda c: Network(use_builds="yes"), InputError, ["Network(use_builds='yes')", "True or False"]),  # type: ignore[arg-type]
    ("network-replay-log-str", lambda c: Network(replay_log="no"), InputError, ["Network(replay_log='no')", "not a boolean", "True", "False"]),  # type: ignore[arg-type]
    ("network-replay-log-none", lambda c: Network(replay_log=None), InputError, ["Network(replay_log=None)"]),  # type: ignore[arg-type]
    ("network-trace-limit-zero", lambda c: Network(trace_limit=0), InputError, ["trace_limit=0 is not valid", "or None"]),
    # the clock, wallets, inspection
    ("advance-negative", lambda c: c.net.advance(-1), InputError, ["Network.advance(-1)", "can't go backwards"]),
    ("advance-str", lambda c: c.net.advance("5"), InputError, ["Network.advance('5')", "whole number of milliseconds"]),  # type: ignore[arg-type]
    ("advance-fraction", lambda c: c.net.advance(1.5), InputError, ["Network.advance(1.5)"]),  # type: ignore[arg-type]
    ("advance-none", lambda c: c.net.advance(None), InputError, ["Network.advance(None)"]),  # type: ignore[arg-type]
    ("advance-bool", lambda c: c.net.advance(True), InputError, ["Network.advance(True)"]),
    ("block-height-backwards", lambda c: setattr(c.net, "block_height", 0), InputError, ["Network.block_height = 0", "can't go backwards"]),
    ("wallet-int", lambda c: c.net.wallet(5), InputError, ["Network.wallet(5)", "non-empty string"]),  # type: ignore[arg-type]
    ("wallet-empty", lambda c: c.net.wallet(""), InputError, ["Network.wallet('')"]),
    ("process-unknown", lambda c: c.net.process("nope"), UnknownProcess, ["Network.process('nope')", "no process with this id"]),
    ("run-max-zero", lambda c: c.net.run(max_deliveries=0), InputError, ["Network.run(max_deliveries=0)"]),
    ("cron-not-a-process", lambda c: c.net.cron("echo"), InputError, ["Network.cron('echo')", "not a Process"]),  # type: ignore[arg-type]
    ("cron-tags-list", lambda c: c.p.cron([("A", "b")]), InputError, ["cron tick to echo", "is not a mapping"]),  # type: ignore[arg-type]
    ("delivery-order-int", lambda c: c.net.set_delivery_order(0), InputError, ["Network.set_delivery_order(0)", "not callable"]),  # type: ignore[arg-type]
    ("drop-str", lambda c: c.net.drop("Transfer"), InputError, ["Network.drop('Transfer')", "function of a Message"]),  # type: ignore[arg-type]
    ("mailbox-int", lambda c: c.net.mailbox(5), InputError, ["Network.mailbox(5)", "not an address"]),  # type: ignore[arg-type]
    ("spawn-system-missing", lambda c: c.net.spawn_system(c.tmp / "none.yaml"), ManifestError, ["none.yaml: no such file"]),
    (
        "spawn-system-missing-source",
        lambda c: c.net.spawn_system(_write("m.yaml", "processes:\n  - {name: a, source: gone.lua}\n")(c)),
        ManifestError,
        ["m.yaml: processes[0] (a): source: no file gone.lua", "paths start at"],
    ),
]  # fmt: skip


@pytest.mark.parametrize(("make", "error", "fragments"), [pytest.param(*row[1:], id=row[0]) for row in API])
def test_api_bad_input(ctx: Ctx, make: Callable[[Ctx], Any], error: type[HarnessError], fragments: list[str]) -> None:
    assert issubclass(error, HarnessError)
    with pytest.raises(error) as info:
        make(ctx)
    text = str(info.value)
    _one_line(text)
    for fragment in fragments:
        assert fragment in text, f"{fragment!r} not in {text!r}"


def test_input_errors_stay_value_and_type_errors() -> None:
    # code written against the ValueError/TypeError the harness raised before keeps working
    with pytest.raises(ValueError, match="instruction_budget=0"):
        Network(instruction_budget=0)
    with pytest.raises(TypeError, match=r"Network\.advance"):
        Network().advance("5")  # type: ignore[arg-type]


def test_send_tags_that_are_not_a_mapping(ctx: Ctx) -> None:
    with pytest.raises(InputError, match=r"message to echo: tags must be a mapping .* got str 'Action=X'"):
        ctx.p.send("Action=X")  # type: ignore[arg-type]
    with pytest.raises(InputError, match=r"dry-run of echo: tags must be a mapping .* got list"):
        ctx.p.dryrun([("Action", "X")])  # type: ignore[arg-type]


# -- the manifest -----------------------------------------------------------------------------

P = "processes:\n  - {name: a, source: a.lua}\n"

MANIFEST: list[tuple[str, str, list[str]]] = [
    ("empty-file", "", ["top level: the file is empty"]),
    ("top-level-list", "- a\n", ["top level: expected a mapping", "got a list"]),
    ("top-typo-processes", "proceses: []\n", ["top level: unknown key 'proceses'; did you mean 'processes'?"]),
    ("top-typo-scenario", P + "scenarios: []\n", ["unknown key 'scenarios'; did you mean 'scenario'?"]),
    ("top-unknown-key", P + "deploy: yes\n", ["unknown key 'deploy'; the keys are processes, wiring, scenario"]),
    ("no-processes", "wiring: []\n", ["processes: a non-empty list is required"]),
    ("processes-empty", "processes: []\n", ["processes: a non-empty list is required"]),
    ("processes-mapping", "processes: {a: b}\n", ["processes: a non-empty list is required, got a mapping"]),
    ("process-not-mapping", "processes: [a.lua]\n", ["processes[0]: each process is a mapping, got a string"]),
    ("process-typo-source", "processes:\n  - {name: a, soruce: a.lua}\n", ["processes[0]: unknown key 'soruce'; did you mean 'source'?"]),
    ("process-typo-tags", "processes:\n  - {name: a, source: a.lua, tag: {}}\n", ["unknown key 'tag'; did you mean 'tags'?"]),
    ("process-typo-name", "processes:\n  - {nmae: a, source: a.lua}\n", ["unknown key 'nmae'; did you mean 'name'?"]),
    ("process-no-name", "processes:\n  - {source: a.lua}\n", ["processes[0]: name: is required"]),
    ("process-name-int", "processes:\n  - {name: 5, source: a.lua}\n", ["processes[0]: name: expected a string (the process handle), got a number 5"]),
    ("process-duplicate", P + "  - {name: a, source: b.lua}\n", ["processes[1]: duplicate process name 'a'"]),
    ("process-no-source", "processes:\n  - {name: a}\n", ["processes[0] (a): source: (a Lua file) is required"]),
    ("process-source-list", "processes:\n  - {name: a, source: [a.lua]}\n", ["processes[0] (a): source: expected a string (a Lua file), got a list"]),
    ("process-build-int", "processes:\n  - {name: a, source: a.lua, build: 1}\n", ["(a): build: expected a string (a Lua file), got a number"]),
    ("process-tags-list", "processes:\n  - {name: a, source: a.lua, tags: [x]}\n", ["(a): tags: expected a mapping of name: value, got a list"]),
    ("tag-bool", "processes:\n  - {name: a, source: a.lua, tags: {Pause: yes}}\n", ["(a): tag 'Pause' is a boolean", "quote it"]),
    ("tag-float", "processes:\n  - {name: a, source: a.lua, tags: {Version: 2.10}}\n", ["(a): tag 'Version' = 2.1", "quote it"]),
    ("tag-null", "processes:\n  - {name: a, source: a.lua, tags: {Value: }}\n", ["(a): tag 'Value' must be a string, got empty (null)"]),
    ("tag-list", "processes:\n  - {name: a, source: a.lua, tags: {N: [1]}}\n", ["tag 'N' must be a string, got a list"]),
    ("tag-name-int", "processes:\n  - {name: a, source: a.lua, tags: {1: x}}\n", ["(a): tag name 1 is a number"]),
    ("cron-interval-bad", "processes:\n  - {name: a, source: a.lua, tags: {Cron-Interval: 5-fortnights}}\n", ["processes[0] (a): tags: Cron-Interval '5-fortnights' is not understood"]),
    ("cron-interval-zero", "processes:\n  - {name: a, source: a.lua, tags: {Cron-Interval: 0-minutes}}\n", ["(a): tags: Cron-Interval '0-minutes' is zero"]),
    ("wiring-not-list", P + "wiring: {to: a}\n", ["wiring: must be a list of steps, got a mapping"]),
    ("wiring-step-not-mapping", P + "wiring: [a]\n", ["wiring[0]: each step is a mapping, got a string"]),
    ("wiring-no-to", P + "wiring:\n  - {Action: Configure}\n", ["wiring[0]: to: is required"]),
    ("wiring-unknown-to", P + "wiring:\n  - {to: b, Action: X}\n", ["wiring[0]: to: 'b' is not a process of this manifest; the processes are a"]),
    ("wiring-from", P + "wiring:\n  - {to: a, from: alice, Action: X}\n", ["wiring[0]: from: is not a wiring key", "owner"]),
    ("wiring-tags", P + "wiring:\n  - {to: a, tags: {Action: X}}\n", ["wiring[0]: tags: is not a wiring key", "inline"]),
    ("wiring-unknown-ref", P + "wiring:\n  - {to: a, Value: '${b}'}\n", ["wiring[0]: tag 'Value': ${b} names no process; the processes are a"]),
    ("wiring-tag-bool", P + "wiring:\n  - {to: a, Pause: true}\n", ["wiring[0]: tag 'Pause' is a boolean"]),
    ("scenario-typo-expect", P + "scenario:\n  - {to: a, expct: {}}\n", ["scenario[0]: unknown key 'expct'; did you mean 'expect'?"]),
    ("scenario-typo-from", P + "scenario:\n  - {to: a, form: alice}\n", ["scenario[0]: unknown key 'form'; did you mean 'from'?"]),
    ("scenario-typo-to", P + "scenario:\n  - {too: a}\n", ["scenario[0]: unknown key 'too'; did you mean 'to'?"]),
    ("scenario-tag-at-top", P + "scenario:\n  - {to: a, Action: X}\n", ["scenario[0]: unknown key 'Action'; the keys are title, from, to, tags"]),
    ("scenario-unknown-to", P + "scenario:\n  - {to: b}\n", ["scenario[0]: to: 'b' is not a process"]),
    ("scenario-from-int", P + "scenario:\n  - {to: a, from: 5}\n", ["scenario[0]: from: expected a string (a wallet name), got a number 5"]),
    ("scenario-title-list", P + "scenario:\n  - {to: a, title: [x]}\n", ["scenario[0]: title: expected a string"]),
    ("scenario-advance-negative", P + "scenario:\n  - {to: a, advance: -5}\n", ["scenario[0]: advance: expected a whole number of milliseconds >= 0, got a number -5"]),
    ("scenario-advance-str", P + "scenario:\n  - {to: a, advance: 5 minutes}\n", ["scenario[0]: advance:", "got a string '5 minutes'"]),
    ("scenario-wallet-ref-empty", P + "scenario:\n  - {to: a, tags: {R: '${wallet:}'}}\n", ["scenario[0]: tag 'R': ${wallet:} needs a wallet name"]),
    ("scenario-unknown-ref", P + "scenario:\n  - {to: a, tags: {R: 'x ${nope}'}}\n", ["scenario[0]: tag 'R': ${nope} names no process"]),
    ("expect-list", P + "scenario:\n  - {to: a, expect: [balances]}\n", ["scenario[0]: expect: expected a mapping", "got a list"]),
    ("expect-typo-balances", P + "scenario:\n  - {to: a, expect: {balance: {}}}\n", ["scenario[0]: expect: unknown key 'balance'; did you mean 'balances'?"]),
    ("expect-typo-received", P + "scenario:\n  - {to: a, expect: {recieved: {}}}\n", ["expect: unknown key 'recieved'; did you mean 'received'?"]),
    ("balances-unknown-token", P + "scenario:\n  - {to: a, expect: {balances: {usda: {}}}}\n", ["scenario[0]: expect: balances: 'usda' is not a process"]),
    ("balances-holders-list", P + "scenario:\n  - {to: a, expect: {balances: {a: [x]}}}\n", ["scenario[0]: expect: balances: a: expected a mapping of holder: amount"]),
    ("balances-amount-fraction", P + "scenario:\n  - {to: a, expect: {balances: {a: {alice: '1.5'}}}}\n", ["expect: balances: a: alice: expected an amount in base units", "'1.5'"]),
    ("received-not-list", P + "scenario:\n  - {to: a, expect: {received: {alice: Credit-Notice}}}\n", ["scenario[0]: expect: received: alice: expected a list of Action names"]),
    ("received-not-mapping", P + "scenario:\n  - {to: a, expect: {received: [alice]}}\n", ["expect: received: expected a mapping of wallet"]),
    ("yaml-syntax", "processes: [\n", ["not valid YAML", "fix the YAML syntax"]),
    ("yaml-bad-indent", "processes:\n  - name: a\n source: a.lua\n", [":3:2: not valid YAML"]),
]  # fmt: skip


@pytest.mark.parametrize(("text", "fragments"), [pytest.param(*row[1:], id=row[0]) for row in MANIFEST])
def test_manifest_bad_input(tmp_path: Path, text: str, fragments: list[str]) -> None:
    path = tmp_path / "aoform.yaml"
    path.write_text(text)
    with pytest.raises(ManifestError) as info:
        load_manifest(path)
    message = str(info.value)
    _one_line(message)
    assert message.startswith(str(path)), message
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"


@pytest.mark.parametrize(
    ("make", "fragment"),
    [
        pytest.param(lambda t: t / "none.yaml", "none.yaml: no such file", id="missing"),
        pytest.param(lambda t: t, "is a directory", id="directory"),
        pytest.param(lambda t: _bytes(t / "l.yaml", b"processes: ['\xe9']\n"), "l.yaml: not UTF-8 text", id="latin1"),
    ],
)
def test_manifest_file_errors(tmp_path: Path, make: Callable[[Path], Path], fragment: str) -> None:
    with pytest.raises(ManifestError, match=r"give the path|save the manifest") as info:
        load_manifest(make(tmp_path))
    _one_line(str(info.value))
    assert fragment in str(info.value)


def _bytes(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_the_repository_manifest_still_loads() -> None:
    manifest = load_manifest(ROOT / "aoform.yaml")
    assert [p.name for p in manifest.processes][:2] == ["mock-usda", "lock-manager"]
    assert manifest.scenario[0].expect == {"balances": {"mock-usda": {"alice": "100000000"}}}


# -- the command line -------------------------------------------------------------------------


def _project(tmp: Path) -> Path:
    """A one-process project: ``t.lua`` (a token with a Mint handler) and manifests."""
    (tmp / "t.lua").write_text(
        "Balances = Balances or {}\nHandlers.add('m', 'Mint', function(m) Balances[m.From] = '5' end)\n"
    )
    (tmp / "ok.yaml").write_text("processes:\n  - {name: t, source: t.lua}\n")
    (tmp / "typo.yaml").write_text("processes:\n  - {name: t, source: t.lua}\nscenario:\n  - {to: t, expct: {}}\n")
    (tmp / "bad.yaml").write_text("processes: [\n")
    (tmp / "gone.yaml").write_text("processes:\n  - {name: t, source: gone.lua}\n")
    (tmp / "boom.lua").write_text("error('boom at load')\n")
    (tmp / "boom.yaml").write_text("processes:\n  - {name: b, source: boom.lua}\n")
    (tmp / "fail.yaml").write_text(
        "processes:\n  - {name: t, source: t.lua}\nscenario:\n"
        "  - {from: alice, to: t, tags: {Action: Mint}, expect: {balances: {t: {alice: '6'}}}}\n"
    )
    (tmp / "built.yaml").write_text("processes:\n  - {name: t, source: t.lua, build: build/t.lua}\n")
    (tmp / "r.lua").write_text(
        "Handlers.add('c', 'Configure', function(m) m.reply({ Action = 'Configure-Error', Error = 'no' }) end)\n"
    )
    (tmp / "refuse.yaml").write_text("processes:\n  - {name: r, source: r.lua}\nwiring:\n  - {to: r, Action: Configure}\n")
    (tmp / "ao" / "a" / "src").mkdir(parents=True)
    (tmp / "ao" / "a" / "src" / "process.lua").write_text("X = 1\n")
    return tmp


CLI: list[tuple[str, list[str], list[str]]] = [
    ("no-command", [], ["ao-harness: the following arguments are required: command", "see ao-harness --help"]),
    ("unknown-command", ["frob"], ["ao-harness: argument command: invalid choice: 'frob'"]),
    ("run-no-manifest", ["run"], ["ao-harness run: the following arguments are required: manifest"]),
    ("run-unknown-option", ["run", "{t}/ok.yaml", "--bogus"], ["unrecognized arguments: --bogus"]),
    ("run-missing-file", ["run", "{t}/missing.yaml"], ["ao-harness run: ", "missing.yaml: no such file"]),
    ("run-directory", ["run", "{t}"], ["ao-harness run: ", "is a directory"]),
    ("run-bad-yaml", ["run", "{t}/bad.yaml"], ["bad.yaml:2:1: not valid YAML"]),
    ("run-manifest-typo", ["run", "{t}/typo.yaml"], ["typo.yaml: scenario[0]: unknown key 'expct'; did you mean 'expect'?"]),
    ("run-missing-source", ["run", "{t}/gone.yaml"], ["gone.yaml: processes[0] (t): source: no file gone.lua"]),
    ("run-load-error", ["run", "{t}/boom.yaml"], ["ao-harness run: process file boom.lua:1 failed to load", "boom at load"]),
    ("run-bad-lua", ["run", "{t}/ok.yaml", "--lua", "9"], ["ao-harness run: --lua: unknown Lua version '9'"]),
    ("run-bad-profile", ["run", "{t}/ok.yaml", "--profile", "x"], ["ao-harness run: --profile: unknown aos profile 'x'"]),
    ("run-bad-pairs", ["run", "{t}/ok.yaml", "--pairs", "z"], ["ao-harness run: --pairs: pairs order 'z'"]),
    ("run-bad-timeout", ["run", "{t}/ok.yaml", "--timeout", "0"], ["ao-harness run: --timeout: timeout=0 is not valid"]),
    ("run-bad-budget", ["run", "{t}/ok.yaml", "--instruction-budget", "-1"], ["--instruction-budget: instruction_budget=-1 is not valid"]),
    ("run-bad-memory", ["run", "{t}/ok.yaml", "--memory-limit", "lots"], ["--memory-limit: memory_limit='lots' is not valid"]),
    ("run-builds-missing", ["run", "{t}/built.yaml", "--builds"], ["built.yaml: processes[0] (t): build: no file build/t.lua; run `ao-harness build` first"]),
    ("run-wiring-refused", ["run", "{t}/refuse.yaml"], ["refuse.yaml: wiring[0] to r was refused: no"]),
    ("build-unknown-name", ["build", "--root", "{t}", "nope"], ["ao-harness build: no ao/<name>/src/process.lua for nope; the processes are a"]),
    ("build-no-ao-dir", ["build", "--root", "{t}/ao/a"], ["ao-harness build: --root", "no ao/ directory there"]),
    ("build-unknown-option", ["build", "--bogus"], ["unrecognized arguments: --bogus"]),
    ("serve-bad-module-profile", ["serve", "--module-profile", "nope"], ["ao-harness serve: --module-profile wants ID=PROFILE"]),
]  # fmt: skip


@pytest.mark.parametrize(("argv", "fragments"), [pytest.param(*row[1:], id=row[0]) for row in CLI])
def test_cli_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], fragments: list[str]
) -> None:
    t = _project(tmp_path)
    assert main([a.replace("{t}", str(t)) for a in argv]) == 2
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1, captured.err
    _one_line(captured.err)
    for fragment in fragments:
        assert fragment in captured.err, f"{fragment!r} not in {captured.err!r}"


def test_cli_failed_expectation_is_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    t = _project(tmp_path)
    assert main(["run", str(t / "fail.yaml")]) == 1
    captured = capsys.readouterr()
    assert "FAILED: t balance of alice: expected 6, got 5" in captured.out
    assert captured.err == ""
    assert main(["run", str(t / "ok.yaml")]) == 0


def test_cli_user_error_prints_no_traceback(tmp_path: Path) -> None:
    t = _project(tmp_path)
    proc = subprocess.run(
        [sys.executable, "-m", "harness.cli", "run", str(t / "typo.yaml")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert "did you mean 'expect'?" in proc.stderr


# -- a failed spawn leaves nothing registered -------------------------------------------------


@pytest.mark.parametrize("lua", LUAS)
@pytest.mark.parametrize(
    ("source", "tags"),
    [
        pytest.param("X = = 1", {}, id="syntax"),
        pytest.param("Send({ Target = 'x', Data = 'hi' })\nerror('late')", {"Cron-Interval": "1-minute"}, id="runtime"),
        pytest.param("X = 1", {"Cron-Interval": "1-fortnight"}, id="cron-interval"),
    ],
)
def test_failed_spawn_leaves_nothing(lua: str, source: str, tags: dict[str, str]) -> None:
    failed, fresh = Network(lua=lua), Network(lua=lua)
    with pytest.raises(HarnessError):
        failed.spawn(source=source, name="bad", tags=tags)
    # nothing registered: no process, no name, no delivery, nothing queued, no cron
    assert failed.processes == {}
    assert failed.trace == [] and failed.pending == []
    assert failed.advance(5 * 60_000) == []
    # and no id consumed: what follows is what a network without the failed spawn does
    for net in (failed, fresh):
        net.spawn(source=ECHO, name="bad")
        net.run()
    a, b = (n.processes for n in (failed, fresh))
    assert list(a) == list(b)
    (pa,), (pb,) = a.values(), b.values()
    assert failed.name_of(pa.id) == "bad"  # not "bad#2"
    ra, rb = pa.send({"Action": "X"}), pb.send({"Action": "X"})
    assert ra.message.id == rb.message.id and ra.reply.data == rb.reply.data == "ok"
    assert [d.describe(None) for d in failed.trace] == [d.describe(None) for d in fresh.trace]


def test_failed_file_spawn_then_fixed_file_spawns(tmp_path: Path) -> None:
    path = tmp_path / "p.lua"
    path.write_text("error('not yet')\n")
    net = Network(root=tmp_path)
    with pytest.raises(ProcessLoadError, match=r"p\.lua:1: not yet"):
        net.spawn(path)
    path.write_text("Ready = true\n")
    p = net.spawn(path)
    assert p.globals["Ready"] is True and net.name_of(p.id) == "p" and len(net.processes) == 1


# -- build writes every bundle or none --------------------------------------------------------


def _build_project(tmp: Path) -> Path:
    for name in ("a", "b"):
        (tmp / "ao" / name / "src").mkdir(parents=True)
    (tmp / "ao" / "a" / "src" / "process.lua").write_text("local lib = require('lib.one')\nX = lib\n")
    (tmp / "ao" / "lib").mkdir()
    (tmp / "ao" / "lib" / "one.lua").write_text("return 1\n")
    # b requires a cycle: bundling it fails after a has been bundled
    (tmp / "ao" / "b" / "src" / "process.lua").write_text("require('lib.c1')\n")
    (tmp / "ao" / "lib" / "c1.lua").write_text("return require('lib.c2')\n")
    (tmp / "ao" / "lib" / "c2.lua").write_text("return require('lib.c1')\n")
    return tmp


def test_build_writes_nothing_when_one_bundle_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _build_project(tmp_path)
    assert main(["build", "--root", str(root)]) == 2
    err = capsys.readouterr().err
    assert "require cycle lib.c1 -> lib.c2 -> lib.c1" in err and "nothing was written" in err
    assert not (root / "ao" / "a" / "build" / "process.lua").exists()
    # an existing build is left as it was, and no temporary file stays behind
    (root / "ao" / "a" / "build").mkdir(exist_ok=True)
    (root / "ao" / "a" / "build" / "process.lua").write_text("-- old build\n")
    assert main(["build", "--root", str(root)]) == 2
    assert (root / "ao" / "a" / "build" / "process.lua").read_text() == "-- old build\n"
    assert sorted(p.name for p in (root / "ao").rglob("*") if p.is_file() and "build" in p.parts) == ["process.lua"]
    # once b is fixed, both are written
    (root / "ao" / "lib" / "c2.lua").write_text("return 2\n")
    written = build_all(root)
    assert [p.parent.parent.name for p in written] == ["a", "b"]
    assert "package.preload" in (root / "ao" / "a" / "build" / "process.lua").read_text()
    assert not list((root / "ao").rglob(".*.tmp"))


# -- ao-harness run: decimals from the token, cron ticks in the output ------------------------

TOKEN = """
Balances = Balances or {{ [ao.id] = "1234567" }}
{denomination}
Handlers.add("Info", "Info", function(msg)
  msg.reply({{ Action = "Info-Response", Ticker = "TKN", {info} }})
end)
"""


@pytest.mark.parametrize(
    ("global_line", "info", "shown", "title"),
    [
        pytest.param("", 'Denomination = "2"', "12,345.67", "t (TKN)", id="info-reply"),
        pytest.param('Denomination = "3"', "", "1,234.567", "t (TKN)", id="global"),
        pytest.param('Denomination = "3"', 'Denomination = "0"', "1,234,567", "t (TKN)", id="reply-first"),
        pytest.param("", "", "1234567", "t (TKN, base units: no Denomination)", id="unknown"),
    ],
)
def test_run_reads_decimals_from_the_token(
    tmp_path: Path, global_line: str, info: str, shown: str, title: str
) -> None:
    (tmp_path / "t.lua").write_text(TOKEN.format(denomination=global_line, info=info))
    (tmp_path / "m.yaml").write_text("processes:\n  - {name: t, source: t.lua}\n")
    out = io.StringIO()
    assert run_manifest(tmp_path / "m.yaml", out=out) == 0
    line = next(ln for ln in out.getvalue().splitlines() if ln.startswith("  t ("))
    assert line == f"  {title}: t {shown}", line


def test_run_prints_cron_ticks_as_they_happen(tmp_path: Path) -> None:
    (tmp_path / "c.lua").write_text(
        "Ticks = Ticks or 0\n"
        "Handlers.add('tick', function(m) return m.Cron end, function(m)\n"
        "  Ticks = Ticks + 1\n  Send({ Target = m.From, Action = 'Ticked', N = tostring(Ticks) })\nend)\n"
        "Handlers.add('hi', 'Hi', function(m) m.reply({ Action = 'Hello', N = tostring(Ticks) }) end)\n"
    )
    (tmp_path / "m.yaml").write_text(
        "processes:\n  - {name: c, source: c.lua, tags: {Cron-Interval: 1-minute, Cron-Tag-Kind: sweep}}\n"
        "scenario:\n"
        "  - {title: two minutes pass, from: alice, to: c, advance: 150000, tags: {Action: Hi},\n"
        "     expect: {received: {alice: [Hello]}}}\n"
    )
    out = io.StringIO()
    assert run_manifest(tmp_path / "m.yaml", out=out) == 0
    text = out.getvalue()
    assert "advance 150,000 ms: 2 cron ticks" in text
    lines = text.splitlines()
    ticks = [i for i, ln in enumerate(lines) if "[cron tick]" in ln]
    assert len(ticks) == 2 and "owner -> c" in lines[ticks[0]] and "Kind=sweep" in lines[ticks[0]]
    hello = next(i for i, ln in enumerate(lines) if "Action=Hello" in ln)
    assert ticks[1] < hello  # the ticks are printed where they happen: before the step's message
    assert "Action=Hello N=2" in lines[hello]
    assert "(2 cron ticks)" in lines[-1]


def test_spawn_still_takes_tag_pairs_from_any_iterable() -> None:
    net = Network()
    tags = {"Kind": "a", "Extra": "b"}
    for given in (tags, list(tags.items()), tags.items(), ((k, v) for k, v in tags.items())):
        p = net.spawn(source="", tags=given)
        assert ("Kind", "a") in p.spawn_tags and ("Extra", "b") in p.spawn_tags
