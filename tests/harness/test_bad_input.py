"""Every bad input is a one-line error that names what was wrong and where (issue 10, item 4).

Three tables: the Python API (``Network``, ``spawn``, ``send``, ``eval``, ``dryrun``, ``advance``,
...), the manifest (``aoform.yaml``) and the ``ao-harness`` command line.  Each row gives the bad
input, the error it must raise (a ``HarnessError`` subclass; for the CLI exit status 2 and one
line on stderr) and the fragments the message must contain: where the mistake is and what it was.
Below the tables: a failed spawn leaves nothing behind, ``build`` writes all bundles or none, and
``ao-harness run`` reads decimals from the token and prints cron ticks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from harness import Network, Process
from harness.errors import (
    HarnessError,
    InputError,
    ProcessLoadError,
    ProcessNotFound,
    TagValueError,
    UnknownProcess,
)
from harness.lua_versions import LUA_MODULES, UnknownLuaVersion

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
    ("spawn-tags-bad-pairs", lambda c: c.net.spawn(source="", tags=[("A",)]), InputError, ["Network.spawn(tags=", "(name, value) pairs"]),  # type: ignore[list-item]
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
    # the clock, wallets, inspection
    ("advance-negative", lambda c: c.net.advance(-1), InputError, ["Network.advance(-1)", "can't go backwards"]),
    ("advance-str", lambda c: c.net.advance("5"), InputError, ["Network.advance('5')", "whole number of milliseconds"]),  # type: ignore[arg-type]
    ("advance-fraction", lambda c: c.net.advance(1.5), InputError, ["Network.advance(1.5)"]),  # type: ignore[arg-type]
    ("advance-none", lambda c: c.net.advance(None), InputError, ["Network.advance(None)"]),  # type: ignore[arg-type]
    ("advance-bool", lambda c: c.net.advance(True), InputError, ["Network.advance(True)"]),
    ("block-height-backwards", lambda c: setattr(c.net, "block_height", 0), InputError, ["Network.block_height = 0", "can't go backwards"]),
    ("wallet-int", lambda c: c.net.wallet(5), InputError, ["Network.wallet(5)", "non-empty string"]),  # type: ignore[arg-type]
    ("wallet-empty", lambda c: c.net.wallet(""), InputError, ["Network.wallet('')"]),
    ("process-unknown", lambda c: c.net.process("nope"), UnknownProcess, ["'nope'", "no process"]),
    ("run-max-zero", lambda c: c.net.run(max_deliveries=0), InputError, ["Network.run(max_deliveries=0)"]),
    ("mailbox-int", lambda c: c.net.mailbox(5), InputError, ["Network.mailbox(5)", "not an address"]),  # type: ignore[arg-type]
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


@pytest.mark.xfail(
    strict=True,
    raises=ValueError,
    reason="Process.send builds dict(tags) in harness/process.py, outside this branch: tags that are "
    "not a mapping give Python's 'dictionary update sequence' error (fix: check the type there)",
)
def test_send_tags_that_are_not_a_mapping(ctx: Ctx) -> None:
    with pytest.raises(InputError, match="message to echo"):
        ctx.p.send("Action=X")  # type: ignore[arg-type]


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
