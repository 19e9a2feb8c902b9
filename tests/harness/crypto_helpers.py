"""What the offline tests of ``.crypto`` (tests/harness/test_lua_crypto_*.py) share: a process per
Lua that evaluates batches of Lua expressions, through the public API only (``Network``, ``spawn``,
``eval``), the check that a call fits in one message's default instruction budget, Python bytes
as Lua literals, the Lua helpers that show a digest's forms, and the 64-bit pieces the reference
models are built of.
"""

from __future__ import annotations

from harness import Network, Process
from tests.harness.lualib_helpers import VERSION_PARAMS

__all__ = [
    "INTEGER_LUAS",
    "LENGTHS",
    "LUA_HEX",
    "LUA_TYPED",
    "M64",
    "QUARTER_ROUNDS",
    "VERSION_PARAMS",
    "Luas",
    "lua_bytes",
    "lua_string",
    "message",
    "number_type",
    "rotl64",
    "rotr64",
]

#: the Luas with an integer subtype (on the others every number is a double)
INTEGER_LUAS = frozenset({"5.3", "5.4", "5.5"})

#: message lengths: around AES's blocks (16, 32), the 32-bit digests' length field (56) and blocks
#: (64, 128), sha2_512's (112-120), and a few more
LENGTHS = sorted(
    {0, 1, 3, 111, 112, 119, 120, 200, 256, 1000, *(n + d for n in (16, 32, 56, 64, 128) for d in (-1, 0, 1))}
)


# --- the reference models' 64-bit words -------------------------------------------------------

M64 = (1 << 64) - 1

#: the state words each G of a round mixes, on a 4x4 state (BLAKE2b's and NORX's rounds): the
#: columns, then the diagonals
QUARTER_ROUNDS = [(0, 4, 8, 12), (1, 5, 9, 13), (2, 6, 10, 14), (3, 7, 11, 15)]
QUARTER_ROUNDS += [(0, 5, 10, 15), (1, 6, 11, 12), (2, 7, 8, 13), (3, 4, 9, 14)]


def rotr64(x: int, n: int) -> int:
    """The 64-bit word *x* rotated right by *n* (0-63) bits."""
    return ((x >> n) | (x << (64 - n))) & M64


def rotl64(x: int, n: int) -> int:
    """The 64-bit word *x* rotated left by *n* (0-63) bits."""
    return ((x << n) | (x >> (64 - n))) & M64


# --- the harness, through its public API ------------------------------------------------------


def number_type(version: str) -> str:
    """What ``math.type`` (or ``type`` where there is none) says of a whole number on Lua *version*."""
    return "integer" if version in INTEGER_LUAS else "number"


def message(n: int, step: int = 53) -> bytes:
    """*n* bytes that go through every value, a different sequence for each length."""
    return bytes((i * step + n) % 256 for i in range(n))


def lua_string(data: bytes) -> str:
    """*data* as a Lua string literal (decimal escapes: every Lua reads them)."""
    return '"' + "".join(f"\\{b:03d}" for b in data) + '"'


def lua_bytes(data: bytes) -> str:
    """*data* as a Lua table of byte numbers."""
    return "{" + ", ".join(str(b) for b in data) + "}"


#: Lua: ``hex(s)``, the bytes of the string s in lower-case hex
LUA_HEX = "local function hex(s) return (s:gsub('.', function(ch) return string.format('%02x', ch:byte()) end)) end "
#: Lua: ``typed(t)``, the entries 1..#t as ``type:value`` joined by commas (``math.type`` where
#: there is one; a whole number as ``%d`` on a Lua with integers, ``%.17g`` otherwise)
LUA_TYPED = (
    "local function typed(t) local o = {} for i = 1, #t do local v = t[i]"
    " local kind = math.type and math.type(v) or type(v)"
    " o[i] = kind .. ':' .. string.format(kind == 'integer' and '%d' or '%.17g', v) end"
    " return table.concat(o, ',') end "
)


class Luas:
    """A process per Lua, spawned on first use and kept for the test module, in which every Eval
    runs *prelude* first.  *budget* off: no instruction budget (bit32 is Lua code on most harness
    Luas, and a batch runs past one message's budget; ``fits_one_message`` measures one message)."""

    def __init__(self, prelude: str = "", *, budget: bool = True) -> None:
        self.prelude = prelude
        self.budget = budget
        self._procs: dict[str, Process] = {}

    def run(self, version: str, code: str) -> str:
        """The text an Eval of *code* (after the prelude) returns on the process of Lua *version*."""
        if version not in self._procs:
            net = Network(lua=version) if self.budget else Network(lua=version, instruction_budget=None)
            self._procs[version] = net.spawn()
        result = self._procs[version].eval(self.prelude + code)
        assert result.error is None, result.error
        return result.output

    def values(self, version: str, calls: list[str]) -> list[str]:
        """Each call's value (Lua expressions giving strings without a newline), in one Eval."""
        body = " ".join(f"out[{i + 1}] = ({call})" for i, call in enumerate(calls))
        return self.run(version, f"local out = {{}} {body} return table.concat(out, '\\n')").split("\n")

    def hexes(self, version: str, calls: list[str]) -> list[str]:
        """The ``asHex()`` of each call's result, in one Eval."""
        return self.values(version, [f"({call}).asHex()" for call in calls])

    def fits_one_message(self, version: str, runs: dict[str, str], *, setup: str = "") -> None:
        """Each call of *runs* (a Lua expression giving a string, after the prelude and *setup*)
        answers the text it maps to in one Eval of a fresh process under the default instruction
        budget."""
        net = Network(lua=version)
        for call, want in runs.items():
            result = net.spawn().eval(f"{self.prelude}{setup} return {call}")
            assert result.error is None, (call[:60], result.error)
            assert result.output == want, call[:60]
