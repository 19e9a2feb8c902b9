"""What the probe modules of ``.crypto`` (tests/live_module/test_crypto_*.py) share: the Lua
helpers every probe has, the message lengths around the block sizes, and the reasons a probe
cannot compare on one of the harness's Luas, as rules.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Set
from dataclasses import dataclass

from tests.live_module.probes import LUA_ALL, LUA_KEYS, LUA_REFUSED, NO_INTEGERS, NotOn, Probe

__all__ = ["LENGTHS", "LUA_CRYPTO", "NO_INTEGERS", "Skip", "bit32_rounds", "not_on", "prober"]

#: Lua: ``msg(n, s)``: n bytes that go through every value, another sequence for each length (and
#: each s); ``ALL``: the bytes 0-255 in order
LUA_MSG = (
    "local function msg(n, s) local t = {} for i = 1, n do t[i] = string.char((i * 151 + n * 7 + (s or 0)) % 256) end"
    " return table.concat(t) end"
    " local ALL do local t = {} for i = 0, 255 do t[i + 1] = string.char(i) end ALL = table.concat(t) end "
)
#: the helpers every crypto probe has: ``refused``, ``all``, ``keys`` (probes.py), ``msg``, ``ALL``
LUA_CRYPTO = LUA_REFUSED + LUA_ALL + LUA_KEYS + LUA_MSG


def prober(requires: str, helpers: str = "", *, prefix: str = "crypto.") -> Callable[[str, str], Probe]:
    """A probe module's ``_p(key, code)``: the probe ``prefix + key`` whose code runs after
    *requires* (the module's locals), LUA_CRYPTO and the module's own *helpers*."""
    head = requires + LUA_CRYPTO + helpers

    def probe(key: str, code: str) -> Probe:
        return Probe(prefix + key, head + code)

    return probe


#: the brief's lengths: around the 64- and 128-byte blocks and where a length field starts (56, 112-120)
LENGTHS = [0, 1, 3, 55, 56, 63, 64, 65, 111, 112, 119, 120, 127, 128, 129, 200, 1000]


@dataclass(frozen=True)
class Skip:
    """A probe of *keys* cannot compare on the Luas *luas*, for *reason* (``{lua}``: the Lua)."""

    luas: Set[str]
    keys: Set[str]
    reason: str


def bit32_rounds(keys: Set[str]) -> Skip:
    """Probes that give live's bit32 a fractional argument: Lua 5.2's own bit32 rounds it."""
    return Skip(
        {"5.2"}, keys, "Lua 5.2's own bit32 rounds a fractional argument, live's refuses it (README, Limits)"
    )


def not_on(probes: Collection[Probe], *skips: Skip) -> NotOn:
    """``probe_suite``'s *not_on* from rules: the reason of the first that names the probe and the
    Lua, or None.  Every key a rule names must be a probe's (checked at import)."""
    keys = {p.key for p in probes}
    unknown = sorted(k for skip in skips for k in skip.keys if k not in keys)
    assert not unknown, f"skips name no probe: {unknown}"

    def reason(lua: str, probe: Probe) -> str | None:
        for skip in skips:
            if lua in skip.luas and probe.key in skip.keys:
                return skip.reason.format(lua=lua)
        return None

    return reason
