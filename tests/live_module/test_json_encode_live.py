"""json.encode on the harness (every Lua) against the live module's json (aos 2.0.6), text for text.

A seeded generator writes a few hundred Lua values as constructor source: arrays (nested, with
every scalar: integers, floats, 1e300, binary strings with control bytes, quotes, backslashes,
UTF-8 and invalid bytes, booleans), objects, and the tables the encoder refuses (mixed keys,
sparse arrays, infinities, functions, cycles).  Objects hold at most one entry the encoder writes
(plus function-valued fields, which it skips), so live's `pairs` order (its string hashes) cannot
make the texts differ.  One Eval per side encodes them all; the texts travel as hex, error
messages lose their `chunk:line:` position.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest

from tests.live_module.twin import Twin

LUAS = ["5.3", "5.1", "5.2", "5.4", "5.5", "jit"]
SEED = 20261202
COUNT = 400

_SCRIPT = r"""
local json = require("json")
local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end
local out = {}
for i, make in ipairs(CASES) do
  local ok, r = pcall(function() return json.encode(make()) end)
  if ok then
    out[i] = "ok " .. hex(r)
  else
    out[i] = "error " .. hex((tostring(r):gsub("^[^\n]-:%d+: ", "")))
  end
end
return table.concat(out, "\n")
"""


def lua_string(data: bytes) -> str:
    return '"' + "".join(f"\\{b:03d}" for b in data) + '"'  # decimal escapes read alike on every Lua


class Writer:
    """Random Lua value expressions (the same ones for a given seed)."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def string(self) -> str:
        r = self.rng
        pool = [b"", b"a", b"key", b'q"uote', b"back\\slash", b"tab\tnl\nnul\x00", b"\x01\x1f\x7f",
                "é€😀".encode(), b"\xff\xfe", b"/slash", b"\x08\x0c\r"]  # fmt: skip
        if r.random() < 0.5:
            return lua_string(r.choice(pool))
        return lua_string(bytes(r.randrange(256) for _ in range(r.randrange(8))))

    def number(self) -> str:
        r = self.rng
        choice = r.randrange(6)
        if choice == 0:
            return str(r.randint(-1000, 1000))
        if choice == 1:
            return str(r.randint(-(10**15), 10**15))
        if choice == 2:
            return repr(r.uniform(-1e6, 1e6))
        if choice == 3:
            return r.choice(
                ["0.1", "1/3", "1e300", "-1e-300", "2^53", "99999999999999", "100000000000000", "3.0"]
            )
        if choice == 4:
            return repr(r.random() * 10 ** r.randint(-20, 20))
        return str(r.randint(0, 9))

    def scalar(self) -> str:
        r = self.rng.random()
        if r < 0.4:
            return self.string()
        if r < 0.85:
            return self.number()
        return self.rng.choice(["true", "false"])

    def value(self, depth: int = 0) -> str:
        r = self.rng.random()
        if depth >= 3 or r < 0.4:
            return self.scalar()
        if r < 0.75:
            return self.array(depth)
        return self.obj(depth)

    def array(self, depth: int) -> str:
        items = [self.value(depth + 1) for _ in range(self.rng.randrange(5))]
        return "{" + ", ".join(items) + "}"

    def obj(self, depth: int) -> str:
        r = self.rng
        keys: list[str] = []
        for _ in range(3):  # distinct keys: which of two equal keys a constructor keeps varies
            key = self.string()
            if key not in keys:
                keys.append(key)
        values = [self.value(depth + 1) if r.random() < 0.85 else "print"]
        values += ["print"] * r.randrange(len(keys))
        entries = [f"[{k}] = {v}" for k, v in zip(keys, values, strict=False)]
        r.shuffle(entries)
        return "{" + ", ".join(entries) + "}"

    def refused(self) -> str:
        """A value the encoder refuses (whatever live's `pairs` order)."""
        r = self.rng
        v = self.value(2)
        return r.choice(
            [
                f"{{{v}, x = 1}}",  # mixed keys in an array
                f"{{[1] = {v}, [3] = 1}}",  # sparse
                f"{{[1] = {v}, [1.5] = 1}}",
                f"{{[0] = {v}}}",  # a number key without [1]: an object with a number key
                f"{{[true] = {v}}}",
                f"{{{v}, 1/0}}",
                "{-1/0}",
                "{a = 1/0}",
                f"{{{v}, print}}",
                "print",
                "coroutine.create(print)",
                "(function() local t = {} t[1] = t return t end)()",
                "(function() local t = {} t.me = {t} return t end)()",
            ]
        )

    def cases(self, n: int) -> list[str]:
        out = []
        for i in range(n):
            out.append(self.refused() if i % 5 == 4 else self.value())
        out += ["nil", "{}", "{f = print}", "(function() local s = {1} return {s, s, {s}} end)()"]
        return out


def script(cases: list[str]) -> str:
    makers = ",\n".join(f"function() return {c} end" for c in cases)
    return f"local CASES = {{\n{makers}\n}}\n{_SCRIPT}"


CASES = Writer(SEED).cases(COUNT)
_LIVE: dict[str, list[str]] = {}


@pytest.fixture(scope="module", params=LUAS, ids=lambda v: f"lua{v}")
def answers(live_module, request: pytest.FixtureRequest) -> Iterator[tuple[list[str], list[str]]]:
    """(harness lines, live lines): live evaluated once, the harness on each Lua."""
    from harness import Network

    pair = Twin(live_module, Network(lua=request.param))
    try:
        text = script(CASES)
        if "live" not in _LIVE:
            proc, _ = pair.spawn(None)
            step = pair.eval(proc, text)
            assert step.live.error is None, f"the Eval failed on live: {step.live.error}"
            assert step.harness.error is None, f"the Eval failed on the harness: {step.harness.error}"
            _LIVE["live"] = step.live.output.split("\n")
            harness = step.harness.output
        else:
            result = pair.net.spawn().eval(text)
            assert result.error is None, f"the Eval failed on the harness: {result.error}"
            harness = result.output
        yield harness.split("\n"), _LIVE["live"]
    finally:
        pair.close()


def _show(line: str) -> str:
    kind, _, payload = line.partition(" ")
    return f"{kind} {bytes.fromhex(payload)!r}"


def test_encode_texts_equal_live(answers: tuple[list[str], list[str]]) -> None:
    harness, live = answers
    assert len(live) == len(CASES) and len(harness) == len(CASES)
    wrong = [
        f"{CASES[i][:120]}\n    harness {_show(h)}\n    live    {_show(lv)}"
        for i, (h, lv) in enumerate(zip(harness, live, strict=True))
        if h != lv
    ]
    assert not wrong, f"{len(wrong)} of {len(CASES)} differ:\n" + "\n".join(wrong[:10])
    # the generator reaches both outcomes, and the escapes
    assert sum(line.startswith("ok ") for line in live) > COUNT // 2
    assert sum(line.startswith("error ") for line in live) > COUNT // 10
    assert any("5c75303030" in line for line in live)  # a \u000 escape was written
