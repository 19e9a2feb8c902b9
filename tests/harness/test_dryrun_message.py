"""``Process.dryrun`` builds the message aoconnect's ``dryrun`` sends and the CU evaluates:
``Id``/``Owner``/``Data`` default to "1234", ``Anchor`` to "0", the caller's tags come first and
``Data-Protocol``/``Type``/``Variant`` are appended; the CU adds ``Read-Only = true``,
``Cron = false``, the Timestamp and Block-Height of the last evaluated message, and ``From``."""

from __future__ import annotations

import pytest

from harness import Network
from harness.lua_versions import LUA_MODULES

LUAS = [pytest.param(v, id=f"lua{v}") for v in sorted(LUA_MODULES)]

# Replies with every field of the message it got, one "name=type:value" a line.
RECORDER = """
local fields = { "Id", "Owner", "From", "Target", "Anchor", "Data", "Read-Only", "Cron", "Nonce", "Epoch",
  "Signature", "Timestamp", "Block-Height" }
Handlers.add("show", "Show", function(m)
  local out = {}
  for _, f in ipairs(fields) do
    out[#out + 1] = f .. "=" .. type(m[f]) .. ":" .. tostring(m[f])
  end
  local names = {}
  for _, t in ipairs(m.TagArray) do names[#names + 1] = t.name .. ":" .. t.value end
  out[#out + 1] = "Tags=" .. table.concat(names, ",")
  m.reply({ Data = table.concat(out, "\\n") })
end)
"""


def fields(text: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in text.splitlines())


@pytest.fixture(params=LUAS)
def net(request: pytest.FixtureRequest) -> Network:
    return Network(lua=request.param)


def test_defaults_are_aoconnects(net: Network) -> None:
    p = net.spawn(source=RECORDER)
    last = p.send({"Action": "Noop"})
    net.advance(10 * 60_000)  # the clock moves on; a dry-run keeps the last evaluated message's time
    r = p.dryrun({"Action": "Show", "Extra": "x"})
    got = fields(r.reply.data)
    assert got == {
        "Id": "string:1234",
        "Owner": "string:1234",
        "From": "string:1234",
        "Target": f"string:{p.id}",
        "Anchor": "string:0",
        "Data": "string:1234",
        "Read-Only": "boolean:true",
        "Cron": "boolean:false",
        "Nonce": "nil:nil",
        "Epoch": "nil:nil",
        "Signature": "nil:nil",
        "Timestamp": f"number:{last.message.timestamp}",
        "Block-Height": f"number:{last.message.block_height}",
        "Tags": "Action:Show,Extra:x,Data-Protocol:ao,Type:Message,Variant:ao.TN.1",
    }
    assert r.reply.target == "1234"
    assert (r.message.id, r.message.owner, r.message.sender, r.message.data) == ("1234", "1234", "1234", "1234")
    assert net.now > last.message.timestamp
    assert net.pending == [] and p.globals.get("Inbox") is not None


def test_sender_sets_owner_and_from_process_sets_from(net: Network) -> None:
    p = net.spawn(source=RECORDER)
    alice = net.wallet("alice")
    got = fields(p.dryrun({"Action": "Show"}, sender=alice, data="hello").reply.data)
    assert (got["Owner"], got["From"], got["Data"]) == (f"string:{alice}", f"string:{alice}", "string:hello")
    # From-Process is not a trusted authority here, so aos only warns (and shows From and Owner)
    r = p.dryrun({"Action": "Show", "From-Process": "some-process"}, sender=alice)
    assert r.messages == [] and f"From: some-process - Owner: {alice}" in r.output
    other = net.spawn(source="")
    got = fields(p.dryrun({"Action": "Show"}, sender=other).reply.data)
    assert (got["Owner"], got["From"]) == (f"string:{other.id}", f"string:{other.id}")


def test_json_content_type_without_data_decodes_the_placeholder(net: Network) -> None:
    # read from the aos 2.0.6 module: a dry-run with Content-Type application/json and no data
    # reaches the handler with Data = 1234, a number (json.decode("1234"))
    p = net.spawn(source="Handlers.add('j', 'J', function(m) m.reply({ Data = type(m.Data) .. ':' .. tostring(m.Data) }) end)")
    r = p.dryrun({"Action": "J", "Content-Type": "application/json"})
    assert r.reply.data == "number:1234"
    r = p.dryrun({"Action": "J", "Content-Type": "application/json"}, data='{"a":1}')
    assert r.reply.data.startswith("table:")


def test_dryrun_persists_nothing_and_uses_no_nonce(net: Network) -> None:
    p = net.spawn(source="N = 0\nHandlers.add('b', 'Bump', function(m) N = N + 1; m.reply({ Data = tostring(N) }) end)")
    nonce = p.nonce
    assert p.dryrun({"Action": "Bump"}).reply.data == "1"
    assert p.globals["N"] == 0 and p.nonce == nonce and net.trace[-1].message.id != "1234"
    assert p.send({"Action": "Bump"}).reply.data == "1"


def test_non_string_tag_values_are_refused(net: Network) -> None:
    p = net.spawn(source="")
    with pytest.raises(Exception, match="dry-run of aos: tag 'Qty' = 5 is"):
        p.dryrun({"Action": "X", "Qty": 5})
