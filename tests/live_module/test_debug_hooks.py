"""debug.sethook and debug.gethook as live's (the live aos binary on every Lua the harness runs).
The harness runs a process's hooks from its own master hook (the instruction budget's), so both
are Lua functions of the harness's: their checks come in live's order with live's words, named as
the caller called them, and gethook with no hook returns what live's does (nil, "", 0).  A process
hook moves its process to the thread watchdog, so these probes have a process of their own."""

from __future__ import annotations

from tests.live_module.probes import Probe, caught, probe_suite

HOOK_PROBES = [
    Probe("debug.sethook.number", "return select(2, pcall(debug.sethook, 1))"),
    Probe("debug.sethook.no.mask", caught("debug.sethook(function() end)")),
    Probe("debug.sethook.not.function", caught('debug.sethook(1, "c")')),
    Probe("debug.sethook.count.float", caught('debug.sethook(function() end, "c", 1.5)')),
    Probe("debug.sethook.count.string", caught('debug.sethook(function() end, "c", "x")')),
    Probe("debug.sethook.thread", "local co = coroutine.create(print) " + caught("debug.sethook(co, 1)")),
    Probe(
        "debug.sethook.set",
        'debug.sethook(function() end, "c", 2) local f, m, c = debug.gethook() debug.sethook() return type(f), m',
    ),
    Probe("debug.gethook.none", 'return select("#", debug.gethook()), select(2, debug.gethook())'),
    Probe("debug.sethook.mask.number", "debug.sethook(function() end, 5) local f, m = debug.gethook() return f, m"),
]


def _not_on(lua: str, probe: Probe) -> str | None:
    """Why *probe* cannot compare on the harness's Lua *lua* (the live binary is Lua 5.3)."""
    if probe.key == "debug.sethook.number" and lua in ("5.1", "jit"):
        return f"Lua {lua} names a function called from C '?'"
    return None


answers, test_debug_hooks = probe_suite(HOOK_PROBES, not_on=_not_on)
