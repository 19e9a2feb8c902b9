"""Argument errors of the library functions the harness writes in Lua (the sandbox's os, io, load
and package functions, bit32 and the 5.2 math functions, the guards' debug wrappers) read as live's
C functions' do, on Lua 5.3 (live's Lua): luaL_argerror names the function as its caller called it
(a field `date`, a local `fn`) and, called from C (`pcall(os.date, ...)`), by its name in
package.loaded (`os.date`, `load`).  Each function is called three ways: by pcall, from a Lua
function, and through a local alias.  A tail call (`return os.date(x)`) is left out: a Lua function
loses its caller's frame there, which live's C function keeps (see test_wrapped_errors.py).  A
file's methods are compared with plain Lua 5.3's in tests/harness/test_sandbox.py: on live a file
from io.tmpfile takes the loader down when it is collected (it has no WeaveDrive to close it)."""

from __future__ import annotations

from tests.live_module.probes import Probe, probe_suite_53

#: function -> argument lists that each make it raise (or, for a few, answer) as live's
CALLS: dict[str, list[str]] = {
    "os.date": ["'%Ez'", "{}", "'%c', {}"],
    "os.time": ["1", "{}"],
    "os.getenv": ["{}", ""],
    "os.remove": ["{}"],
    "os.rename": ["'a'", "{}"],
    "os.exit": ["{}", "1.5", "'x'"],
    "os.execute": ["{}"],
    "os.difftime": ["'x'", ""],
    "os.setlocale": ["{}", "'C', 'bogus'"],
    "io.open": ["{}", "'x', 'z'", "'x', {}"],
    "io.lines": ["{}"],
    "io.read": ["'*x'", "{}"],
    "io.write": ["{}", "1, {}"],
    "io.type": [""],
    "io.input": ["{}"],
    "io.output": ["{}"],
    "io.close": ["{}"],
    "io.popen": ["{}", "'ls', {}", "'ls', 'rw'"],
    "load": ["{}", "'x', {}", "'x', 'n', {}"],
    "loadfile": ["{}"],
    "dofile": ["{}"],
    "ipairs": [""],
    "setmetatable": ["1", "{}, 1"],
    "require": ["{}"],
    "package.loadlib": ["{}", "'a'"],
    "package.searchpath": ["{}", "'a', {}"],
    "collectgarbage": ["'bogus'", "{}"],
    "bit32.band": ["{}"],
    "bit32.extract": ["1, 40", "1, -1"],
    "bit32.lshift": ["{}", "1.5, 1"],
    "math.pow": ["{}"],
    "math.ldexp": ["1, 1.5"],
    "debug.setupvalue": ["{}", "print, 1", "print, 'x', 1"],
    "debug.upvalueid": ["print, 9", "{}, 1"],
    "debug.upvaluejoin": ["print, 1, print, 1", "{}"],
    "debug.getupvalue": ["{}"],
}


def _probes() -> list[Probe]:
    out = []
    for fn, argsets in CALLS.items():
        for i, args in enumerate(argsets):
            key = f"{fn}#{i}"
            comma = f", {args}" if args else ""
            out.append(Probe(f"{key}.pcall", f"return pcall({fn}{comma})"))
            out.append(Probe(f"{key}.call", f"return pcall(function() local r = {fn}({args}) return r end)"))
            out.append(
                Probe(f"{key}.alias", f"local fn = {fn} return pcall(function() local r = fn({args}) return r end)")
            )
    return out


PROBES = _probes()


answers, test_stand_in_errors = probe_suite_53(PROBES)
