"""Strings that are not UTF-8, which Python cannot take as text as they are.

A result holding one is decoded as live's host decodes it (tests/live_module/test_non_utf8_live.py
asks the binary): each invalid sequence becomes U+FFFD, the message stands, a ``NonUTF8Warning``
names the process and the message, and replaying the log (a rollback, a clone) gives the same
result without warning again.  Reading state keeps the bytes: ``Process.globals``, ``inbox`` and
``handlers`` give such a string as text with its bytes as surrogate escapes, as
``Process.snapshot`` does, never a bare ``UnicodeDecodeError``.
"""

from __future__ import annotations

import warnings

import pytest

from harness import Network
from harness.errors import NonUTF8Warning
from harness.lua_versions import LUA_MODULES

VERSIONS = sorted(LUA_MODULES)

BINARY = r"""
Blob = "a\255b"
Nested = { ["k\200"] = { "ok", "\192\128", 7 }, plain = "caf\195\169" }
Handlers.add("bin\255", "Bin", function(msg)
  Count = (Count or 0) + 1
  msg.reply({ Data = "r\255" .. Count, ["T\200"] = "v" })
end)
"""


def raw(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


@pytest.mark.parametrize("version", VERSIONS)
def test_a_result_that_is_not_utf8_stands_with_replacement_characters(version: str) -> None:
    net = Network(lua=version)
    p = net.spawn(source=BINARY, name="bin")
    alice = net.wallet("alice")
    with pytest.warns(NonUTF8Warning) as caught:
        r = p.send({"Action": "Bin"}, sender=alice)
    (warning,) = caught
    assert warning.filename == __file__  # the test's own line, not the harness's
    assert str(warning.message).startswith("process bin: the result of its message (id ")
    assert "Action Bin" in str(warning.message) and "U+FFFD" in str(warning.message)
    assert r.error is None and r.reply.data == "r\ufffd1" and r.reply.tags["T\ufffd"] == "v"
    assert p.globals["Count"] == 1  # the state is kept, as on live
    net.run()
    assert net.mailbox(alice)[0].data == "r\ufffd1"


@pytest.mark.parametrize("version", VERSIONS)
def test_replaying_such_results_neither_diverges_nor_warns_again(version: str) -> None:
    net = Network(lua=version)
    p = net.spawn(source=BINARY, name="bin")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NonUTF8Warning)
        p.send({"Action": "Bin"})
        p.send({"Action": "Bin"})
        net.run()
    with warnings.catch_warnings():
        warnings.simplefilter("error", NonUTF8Warning)
        clone = net.clone()
        q = clone.process(p.id)
        assert q.globals["Count"] == 2  # rebuilt by replaying both messages
        rebuilt = q.rebuilds
        assert q.eval("Count = 99 error('x')").error  # rolled back: the log is replayed
        assert q.globals["Count"] == 2 and q.rebuilds == rebuilt + 1


@pytest.mark.parametrize("version", VERSIONS)
def test_state_reads_keep_the_bytes(version: str) -> None:
    p = Network(lua=version).spawn(source=BINARY, name="bin")
    assert raw(p.globals["Blob"]) == b"a\xffb"
    nested = p.globals["Nested"]
    inner = nested["k\udcc8"]
    assert [raw(inner[0]), raw(inner[1]), inner[2]] == [b"ok", b"\xc0\x80", 7]
    assert nested["plain"] == "café"
    assert p.globals.get("Blob") == p.globals["Blob"]
    assert raw(next(h for h in p.handlers if h.startswith("bin"))) == b"bin\xff"
    assert 'Blob = "a' in p.snapshot("Blob")


@pytest.mark.parametrize("version", VERSIONS)
def test_inbox_entries_holding_bytes_read_as_messages(version: str) -> None:
    net = Network(lua=version)
    p = net.spawn(source="", name="plain")
    p.send({"Action": "Hello", "Note": "n"}, data="d", sender=net.wallet("alice"))
    p.eval('Inbox[#Inbox].Data = "x\\255" Inbox[#Inbox].Tags.Note = "\\200"')
    (m,) = [m for m in p.inbox if m.action == "Hello"]
    assert raw(m.data) == b"x\xff"
    assert m.sender == net.wallet("alice")


@pytest.mark.parametrize("version", VERSIONS)
def test_global_names_that_are_not_utf8_iterate_and_read(version: str) -> None:
    p = Network(lua=version).spawn(source='_G["\\255x"] = 1 _G["caf\\195\\169"] = 2 Plain = 3', name="names")
    names = [k for k in p.globals if not k.isascii()]
    assert sorted(raw(k) for k in names) == [b"caf\xc3\xa9", b"\xffx"]
    assert p.globals["\udcffx"] == 1 and p.globals["café"] == 2 and p.globals["Plain"] == 3
    assert len(p.globals) > 3
