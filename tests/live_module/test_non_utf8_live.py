"""Text that is not UTF-8 in a result, on the harness and on the live aos module.

Live's host hands a result over as JSON text: each byte sequence that is not UTF-8 becomes
U+FFFD (a lone continuation byte, a truncated or overlong sequence, a surrogate, a byte that never
starts one), in the output, the Error text, and every message, spawn and assignment; the message
stands and the state keeps its bytes.  The harness does the same, and warns (``NonUTF8Warning``).
"""

from __future__ import annotations

import warnings

import pytest

from harness.errors import NonUTF8Warning
from tests.live_module.twin import Twin, assert_same, assert_same_state

#: byte sequences, each between "<" and ">" in the text a process returns
SEQUENCES = [
    b"\x80", b"\xbf", b"\xc0\x80", b"\xc1\xbf", b"\xc2", b"\xc2A", b"\xe0\x80\x80", b"\xe0\xa0",
    b"\xed\xa0\x80", b"\xed\xbf\xbf", b"\xf0\x80\x80\x80", b"\xf0\x90\x80", b"\xf4\x90\x80\x80",
    b"\xf5\x80", b"\xf8\x88\x80\x80\x80", b"\xfe", b"\xff", b"a\xe2\x82", b"\xf0\x9f\x98",
    b"\xe2(\xa1", b"\x00\xff\x00",
    # valid UTF-8 beside them: taken as it is
    b"\xe2\x82\xac", b"\xf0\x9f\x98\x80", b"\xef\xbf\xbd",
]


def lua_string(b: bytes) -> str:
    return '"' + "".join(f"\\{c}" for c in b) + '"'


def valid(b: bytes) -> bool:
    try:
        b.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def test_output_is_decoded_as_live_decodes_it(twin: Twin) -> None:
    proc, _ = twin.spawn(None)
    for seq in SEQUENCES:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            step = twin.eval(proc, "return " + lua_string(b"<" + seq + b">"))
        assert_same(step)
        assert step.harness.output == step.live.output == (b"<" + seq + b">").decode("utf-8", "replace")
        warned = [w for w in caught if issubclass(w.category, NonUTF8Warning)]
        assert len(warned) == (0 if valid(seq) else 1), (seq, [str(w.message) for w in caught])


@pytest.mark.filterwarnings("ignore::harness.errors.NonUTF8Warning")
def test_outbox_error_and_state_as_on_live(twin: Twin) -> None:
    proc, _ = twin.spawn(
        r"""
        Kept = {}
        Handlers.add("bin", "Bin", function(msg)
          Kept[#Kept + 1] = "x\255" .. msg.Data
          Send({ Target = msg.From, Data = "d\255", ["X-T\200"] = "v\192", Action = "Bin-Done" })
          Spawn("m", { Data = "\255", Foo = "\128" })
          Assign({ Processes = { "p\255" }, Message = msg.Id })
        end)
        Handlers.add("fail", "Fail", function() error("e\255") end)
        """
    )
    alice = twin.net.wallet("alice")
    steps = [
        twin.send(proc, {"Action": "Bin"}, sender=alice, data="1"),
        twin.send(proc, {"Action": "Fail"}, sender=alice),
        twin.send(proc, {"Action": "Bin"}, sender=alice, data="2"),
    ]
    assert_same(steps)
    first = steps[0].harness
    assert first.error is None and first.messages[0].data == "d\ufffd"
    assert first.messages[0].tags["X-T\ufffd"] == "v\ufffd"
    assert first.spawns[0].data == "\ufffd" and first.assignments == [(["p\ufffd"], first.message.id)]
    assert steps[1].harness.error is not None and steps[1].harness.error.endswith("e\ufffd")
    # the state keeps the bytes; reads give them back as surrogate escapes
    assert_same_state(twin, proc, ["Kept"])
    kept = proc.globals["Kept"]
    assert [s.encode("utf-8", "surrogateescape") for s in kept] == [b"x\xff1", b"x\xff2"]
