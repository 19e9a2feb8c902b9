"""Feed the harness and the live module the same messages, and compare what comes out.

A ``Twin`` wraps a ``harness.Network``.  Tests drive the network through its public API
(``twin.spawn``, ``proc.send``, ``proc.eval``, ``proc.cron``, ``net.run()``); ``twin.sync()`` then
replays on the live module every delivery the network made to a twinned process since the last
sync, building each CU message from the fields the harness delivered (``Delivery.message``: id,
owner, from, target, tags, data, timestamp, block height, nonce, cron), so the two sides cannot
drift.  Dry-runs never enter the trace: ``twin.dryrun`` evaluates one on both sides, the live
one as aoconnect's ``dryrun`` builds the request and the CU's ``dryRun`` completes it.

``compare(step)`` lists the differences of one evaluation: error presence, printed text (ANSI
colours stripped on both sides) and the outbox (targets, tags, data, anchors).  ``twin.dump``
evaluates the canonical dump script (``DUMP``) on both sides, for state and Inbox.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from harness import Network
from harness.messages import Delivery, Message, Result
from harness.process import Process
from tests.live_module.live import LiveModule, LiveResult

#: the positions Lua puts in error texts: `[string "aos"]:1:`, `.handlers:723:`, `x.lua:3:`
_POSITION = re.compile(r'(\[string "[^"]*"\]|[^\s:\[\]"]+):\d+:\s?')


def cu_message(msg: Message, *, read_only: bool = False) -> dict[str, Any]:
    """The message object the CU hands the module for *msg*, as the harness delivered it
    (servers/cu model.js messageSchema; ao-su.js mapNode; loadMessages.js for cron)."""
    # the CU drops tags named From or Owner (evaluate.js removeInvalidTags)
    tags = [(k, v) for k, v in msg.tag_list if k not in ("From", "Owner")]
    out: dict[str, Any] = {}
    if not msg.cron:
        out["Id"] = msg.id
        # the harness gives every scheduled message a stand-in signature; live gets the same
        out["Signature"] = f"sig-{msg.id}"
    out["Owner"] = msg.owner
    out["From"] = msg.sender
    out["Target"] = msg.target
    if msg.anchor is not None:
        out["Anchor"] = msg.anchor
    if any(k == "From-Process" for k, _ in msg.tag_list):
        out["Forwarded-By"] = msg.owner
    out["Tags"] = [{"name": k, "value": v} for k, v in tags]
    if not msg.cron:
        out["Data"] = "" if msg.data is None else msg.data
        out["Epoch"] = 0
        out["Nonce"] = msg.nonce if msg.nonce is not None else 0
    out["Timestamp"] = msg.timestamp
    out["Block-Height"] = msg.block_height
    out["Cron"] = bool(msg.cron)
    out["Read-Only"] = read_only
    return out


@dataclass
class Step:
    """One message evaluated on both sides."""

    harness: Result
    live: LiveResult

    @property
    def what(self) -> str:
        return self.harness.message.describe(data_width=40)


def outbox_harness(result: Result) -> list[tuple[str | None, str, list[tuple[str, Any]], Any]]:
    return [(m.target, m.anchor or "", sorted(m.tag_list), m.data) for m in result.messages]


def outbox_live(result: LiveResult) -> list[tuple[str | None, str, list[tuple[str, Any]], Any]]:
    out = []
    for m in result.messages:
        tags = sorted((t["name"], t["value"]) for t in m.get("Tags", []))
        out.append((m.get("Target"), m.get("Anchor", ""), tags, m.get("Data", "")))
    return out


def error_core(text: str | None) -> str | None:
    """The error message without positions, colours or aos's "error:" framing."""
    if text is None:
        return None
    marker = "error:\n"
    idx = text.rfind(marker)
    body = text[idx + len(marker) :] if idx >= 0 else text
    return _POSITION.sub("", body.strip())


def compare(step: Step, *, error_text: bool = True, output: bool = True, tag_order: bool = False) -> list[str]:
    """The differences between the two sides of *step* (empty when they agree)."""
    h, lv = step.harness, step.live
    diffs: list[str] = []
    if lv.thrown is not None and lv.raw_error == lv.thrown and "RuntimeError" in lv.thrown:
        diffs.append(f"live trapped: {lv.thrown}")
    if (h.error is None) != (lv.error is None):
        diffs.append(f"error: harness {h.error!r}, live {lv.error!r}")
    elif error_text and error_core(h.error) != error_core(lv.error):
        diffs.append(f"error text: harness {error_core(h.error)!r}, live {error_core(lv.error)!r}")
    if h.error is None and lv.error is None:
        if output and h.output != lv.output:
            diffs.append(f"output: harness {h.output!r}, live {lv.output!r}")
        ho, lo = outbox_harness(h), outbox_live(lv)
        if ho != lo:
            diffs.append(f"outbox: harness {ho!r}, live {lo!r}")
        if tag_order:
            horder = [[k for k, _ in m.tag_list] for m in h.messages]
            lorder = [[t["name"] for t in m.get("Tags", [])] for m in lv.messages]
            if horder != lorder:
                diffs.append(f"outbox tag order: harness {horder!r}, live {lorder!r}")
        hs = [(sorted(m.tag_list), m.data) for m in h.spawns]
        ls = [(sorted((t["name"], t["value"]) for t in s.get("Tags", [])), s.get("Data")) for s in lv.spawns]
        if hs != ls:
            diffs.append(f"spawns: harness {hs!r}, live {ls!r}")
        ha = [(sorted(p), m) for p, m in h.assignments]
        la = [(sorted(a.get("Processes", [])), a.get("Message")) for a in lv.assignments]
        if ha != la:
            diffs.append(f"assignments: harness {ha!r}, live {la!r}")
    return [f"{step.what}: {d}" for d in diffs]


def assert_same(steps: Step | Iterable[Step], **kw: Any) -> None:
    """Fail with every difference listed when the two sides disagree."""
    items = [steps] if isinstance(steps, Step) else list(steps)
    assert items, "no evaluations to compare"
    diffs = [d for s in items for d in compare(s, **kw)]
    assert not diffs, "harness and live module differ:\n  " + "\n  ".join(diffs)


#: ``__quote(s)``: Lua 5.3's ``%q`` on every Lua, so answers compare as text across Luas
QUOTE_LUA = r"""
-- Lua 5.3's %q on every Lua (5.1's writes control bytes raw and NUL as \000)
local function __quote(s)
  return '"' .. s:gsub('([%c"\\])(%d?)', function(c, digit)
    if c == '"' or c == "\\" or c == "\n" then return "\\" .. c .. digit end
    return string.format(digit == "" and "\\%d" or "\\%03d", c:byte()) .. digit
  end) .. '"'
end
"""

#: A canonical dump of chosen globals, evaluated on both sides: one ``path = value`` line per
#: leaf, keys sorted, scalars typed (integer / float:), functions by type only.  ``__dump(names)``
#: is local to the Eval that runs it.
DUMP_LIB = QUOTE_LUA + r"""
local function __key_order(a, b)
  local ta, tb = type(a), type(b)
  if ta ~= tb then return ta < tb end
  if ta == "number" or ta == "string" then return a < b end
  return tostring(a) < tostring(b)
end
local function __scalar(v)
  local t = type(v)
  if t == "string" then return __quote(v) end
  if t == "number" then
    if math.type and math.type(v) == "integer" then return string.format("%d", v) end
    if v ~= v then return "nan" end
    -- Lua without an integer subtype: a whole number prints as the integer Lua 5.3 would have
    if not math.type and v == math.floor(v) and v > -2^53 and v < 2^53 then
      return string.format("%d", v)
    end
    return "float:" .. string.format("%.17g", v)
  end
  if t == "boolean" or t == "nil" then return tostring(v) end
  return "<" .. t .. ">"
end
local function __walk(path, v, seen, out)
  if type(v) ~= "table" then out[#out + 1] = path .. " = " .. __scalar(v); return end
  if seen[v] then out[#out + 1] = path .. " = <cycle>"; return end
  seen[v] = true
  local keys = {}
  for k in next, v do keys[#keys + 1] = k end
  if #keys == 0 then out[#out + 1] = path .. " = {}" end
  table.sort(keys, __key_order)
  for _, k in ipairs(keys) do __walk(path .. "[" .. __scalar(k) .. "]", v[k], seen, out) end
  seen[v] = nil
end
local function __dump(names)
  local out = {}
  for _, name in ipairs(names) do __walk(name, _G[name], {}, out) end
  return table.concat(out, "\n")
end
"""


class Twin:
    """A harness network and the live module, fed the same messages."""

    def __init__(self, live: LiveModule, network: Network) -> None:
        self.live = live
        self.net = network
        self._synced = 0
        self._pids: dict[str, int] = {}
        #: Timestamp / Block-Height of the last message each twinned process evaluated
        self._last: dict[str, tuple[int, int]] = {}
        self.steps: list[Step] = []

    def close(self) -> None:
        for pid in self._pids:
            self.live.close_process(pid)
        self._pids.clear()

    def spawn(
        self,
        source: str | None = None,
        *,
        owner: str | None = None,
        tags: Mapping[str, str] | None = None,
        data: str | None = None,
    ) -> tuple[Process, list[Step]]:
        """Spawn on the harness (spawn message, then the source as an Eval from the owner) and
        replay both messages on live; returns the process and the two steps."""
        proc = self.net.spawn(source=source, owner=owner, tags=tags, data=data)
        self._pids[proc.id] = self.live.open(proc.id, proc.owner, proc.spawn_tags)
        return proc, self.sync()

    def sync(self) -> list[Step]:
        """Replay on live every delivery to a twinned process since the last sync."""
        trace = self.net.trace
        new: list[Delivery] = trace[self._synced :]
        self._synced = len(trace)
        steps = []
        for d in new:
            msg = d.message
            if d.result is None or msg.target not in self._pids:
                continue
            live = self.live.handle(msg.target, cu_message(msg))
            self._last[msg.target] = (msg.timestamp or 0, msg.block_height or 0)
            steps.append(Step(d.result, live))
        self.steps.extend(steps)
        return steps

    def send(self, proc: Process, tags: Mapping[str, Any], **kw: Any) -> Step:
        """``proc.send`` on the harness, then the same message on live."""
        self.sync()
        result = proc.send(tags, **kw)
        (step,) = self.sync()
        assert step.harness is result
        return step

    def eval(self, proc: Process, code: str) -> Step:
        self.sync()
        result = proc.eval(code)
        (step,) = self.sync()
        assert step.harness is result
        return step

    def cron(self, proc: Process) -> Step:
        self.sync()
        proc.cron()
        (step,) = self.sync()
        return step

    def run(self) -> list[Step]:
        """``Network.run()``; returns the steps of the deliveries to twinned processes."""
        self.sync()
        self.net.run()
        return self.sync()

    def dryrun(
        self,
        proc: Process,
        tags: Mapping[str, str],
        *,
        sender: str | None = None,
        data: str = "",
        aoconnect: bool = True,
    ) -> Step:
        """``proc.dryrun`` on the harness; on live, the message aoconnect's ``dryrun({process,
        tags, data, Owner})`` requests, completed as the CU's ``dryRun`` does (Timestamp and
        Block-Height of the last evaluated message, Cron false, From from Owner, Read-Only true).
        With ``aoconnect=False`` live gets the harness's message fields instead."""
        self.sync()
        result = proc.dryrun(tags, sender=sender, data=data)
        msg = result.message
        if aoconnect:
            ts, height = self._last.get(proc.id, (msg.timestamp or 0, msg.block_height or 0))
            request = {
                "Id": "1234",
                "Owner": msg.owner,
                "Target": proc.id,
                "Data": data or "1234",
                "Tags": [{"name": k, "value": v} for k, v in tags.items()]
                + [
                    {"name": "Data-Protocol", "value": "ao"},
                    {"name": "Type", "value": "Message"},
                    {"name": "Variant", "value": "ao.TN.1"},
                ],
                "Anchor": "0",
            }
            live_msg = {"Timestamp": ts, "Block-Height": height, "Cron": False, **request}
            forged = next((v for k, v in tags.items() if k == "From-Process"), None)
            live_msg["From"] = forged or msg.owner
            if forged:
                live_msg["Forwarded-By"] = msg.owner
            live_msg["Read-Only"] = True
        else:
            live_msg = cu_message(msg, read_only=True)
        live = self.live.handle(proc.id, live_msg, dry=True)
        step = Step(result, live)
        self.steps.append(step)
        return step

    def dump(self, proc: Process, names: Iterable[str]) -> tuple[str, str]:
        """The canonical dump of the globals *names* on (harness, live), evaluated as an Eval
        message on both sides (the dump function is defined by the same Eval)."""
        listed = ", ".join(f'"{n}"' for n in names)
        step = self.eval(proc, DUMP_LIB + f"\nreturn __dump({{{listed}}})")
        assert step.harness.error is None, f"dump failed on the harness: {step.harness.error}"
        assert step.live.error is None, f"dump failed on live: {step.live.error}"
        return step.harness.output, step.live.output


def dump_diff(harness: str, live: str) -> str:
    """The lines of two dumps that differ (``-`` harness, ``+`` live), for assertion messages."""
    lines = difflib.unified_diff(harness.splitlines(), live.splitlines(), "harness", "live", n=0, lineterm="")
    return "\n".join(list(lines)[:60])


def assert_same_state(
    twin: Twin, proc: Process, names: Iterable[str], *, ignore_keys: Iterable[str] = ()
) -> str:
    """Dump *names* on both sides and fail with the differing lines; returns the live dump.
    Lines of a key in *ignore_keys* (at any depth) are left out on both sides."""
    harness, live = twin.dump(proc, names)
    if ignore_keys:
        ends = tuple(f'["{k}"]' for k in ignore_keys)
        harness, live = (
            "\n".join(ln for ln in text.splitlines() if not ln.split(" = ", 1)[0].endswith(ends))
            for text in (harness, live)
        )
    assert harness == live, "state differs:\n" + dump_diff(harness, live)
    return live
