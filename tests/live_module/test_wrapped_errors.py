"""The errors of the C functions the harness wraps read as live's (the live aos binary on every
Lua the harness runs): string.find/match/gmatch/gsub (a pattern that may backtrack for long in C
moves to the thread watchdog), setmetatable and debug.setmetatable (a __gc finalizer is guarded),
coroutine.create/wrap (every coroutine gets the budget's hook), debug.getupvalue/getlocal (they
hide the harness's values; their results counted as live's), string.dump (live cannot dump a C
function: the harness's Lua stand-ins refuse too); and load, which the sandbox writes
in Lua (it refuses binary chunks).  Their C functions run below a
frame of the harness's, so an error they raise is raised again at the caller's line with the name
the caller used, as luaL_argerror words it.  A tail call (`return s:find(x)`) is the one
difference: a Lua wrapper replaces the caller's frame, where live's C function keeps it.
(debug.sethook's probes live in test_debug_hooks.py: a process hook moves its process to the
thread watchdog, where these wrappers are not needed, so they need a process of their own.)"""

from __future__ import annotations

from tests.live_module.probes import OLD_WORDING, Probe, caught, probe_suite

WRAPPED_PROBES = [
    Probe("gsub.nil", caught('string.gsub(nil, "a", "b")')),
    Probe("gsub.self", "local t = { gsub = string.gsub } " + caught('t:gsub("a", "b")')),
    Probe("gsub.repl.type", caught('string.gsub("abc", "a", true)')),
    Probe("gsub.n.float", caught('("abc"):gsub("a", "b", 1.5)')),
    Probe("gsub.repl.capture", caught('("abc"):gsub("a", "%2")')),
    Probe("gsub.repl.percent", caught('("abc"):gsub("a", "%")')),
    Probe("gsub.repl.error", caught('("abc"):gsub("a", function() error("boom") end)')),
    Probe(
        "gsub.repl.error.table",
        'local ok, e = pcall(function() local r = ("abc"):gsub("a", function() error({}) end) return r end)'
        " return type(e)",
    ),
    Probe("gsub.repl.value", caught('("abc"):gsub("a", function() return {} end)')),
    Probe("gsub.from.c", 'return select(2, pcall(string.gsub, nil, "a", "b"))'),
    Probe("gsub.results", 'return ("hello world"):gsub("o", "0"), select("#", ("x"):gsub("x", "y"))'),
    Probe(
        "gsub.tail",
        'local ok, e = pcall(function() return string.gsub(nil, "a", "b") end) return e',
        deviation=(
            "ok \"bad argument #1 to 'gsub' (string expected, got nil)\"",
            "ok \"probe:1: bad argument #1 to 'gsub' (string expected, got nil)\"",
        ),
    ),
    Probe("find.method.arg", 'local s = "abc" ' + caught("s:find(nil)")),
    Probe("find.nil", caught('string.find("abc", nil)')),
    Probe("find.no.value", caught('string.find("abc")')),
    Probe("find.alias", "local f = string.find " + caught('f("abc", {})')),
    Probe("find.init.float", caught('string.find("abc", "b", 1.5)')),
    Probe("find.init.string", caught('string.find("abc", "b", "2")')),
    Probe("find.plain.bad.pattern", caught('string.find("a(b", "(", 1, true)')),
    Probe("find.pattern.percent", caught('string.find("abc", "%")')),
    Probe("find.pattern.set", caught('string.find("abc", "[a")')),
    Probe("find.arity", 'return select("#", string.find("abc", "(b)(c)")), select("#", string.find("abc", "x"))'),
    Probe("match.pattern", caught('string.match("abc", "(")')),
    Probe("match.frontier", caught('string.match("abc", "%f")')),
    Probe("match.balance", caught('string.match("abc", "%b")')),
    Probe("match.arity", 'return select("#", ("abc"):match("((a)(b))")), select("#", ("abc"):match("z"))'),
    Probe(
        "match.tail",
        'local ok, e = pcall(function() return string.match("abc", "(") end) return e',
        deviation=('ok "unfinished capture"', 'ok "probe:1: unfinished capture"'),
    ),
    Probe("gmatch.nil", caught('string.gmatch(nil, "a")')),
    Probe("setmetatable.number", caught("setmetatable(1, {})")),
    Probe("setmetatable.bad.mt", caught("setmetatable({}, 1)")),
    Probe("setmetatable.none", caught("setmetatable()")),
    Probe("setmetatable.protected", caught("setmetatable(setmetatable({}, { __metatable = 'no' }), {})")),
    Probe("setmetatable.alias", "local smt = setmetatable " + caught("smt({}, 'x')")),
    Probe("setmetatable.from.c", "return select(2, pcall(setmetatable, 1))"),
    Probe("setmetatable.result", "local t = {} return setmetatable(t, {}) == t, select('#', setmetatable({}, nil))"),
    Probe("debug.setmetatable.bad", caught("debug.setmetatable(1, 2)")),
    Probe("coroutine.create.number", caught("coroutine.create(1)")),
    Probe("coroutine.create.none", caught("coroutine.create()")),
    Probe("coroutine.create.from.c", "return select(2, pcall(coroutine.create, 1))"),
    Probe("coroutine.wrap.number", caught("coroutine.wrap(1)")),
    Probe("coroutine.wrap.runs", "return coroutine.wrap(function(a) return a + 1 end)(41)"),
    Probe("debug.getupvalue.range", 'return select("#", debug.getupvalue(print, 99)), select("#", debug.getupvalue(function() end, 1))'),
    Probe("debug.getupvalue.value", "local up = 7 local function f() return up end return debug.getupvalue(f, 1)"),
    Probe("debug.getupvalue.bad", caught("debug.getupvalue(1, 1)")),
    Probe("debug.getlocal.range", 'return select("#", debug.getlocal(1, 99))'),
    # (not in a tail call: `return debug.getlocal(1, 1)` lets the wrapper replace that frame)
    Probe("debug.getlocal.value", "local mine = 'here' local n, v = debug.getlocal(1, 1) return n, v"),
    Probe(
        "debug.getlocal.nested",
        "local function f(a, b) local c = a .. b local n, v = debug.getlocal(1, 3) return n, v end"
        " local n, v = f('x', 'y') return n, v",
    ),
    Probe(
        "debug.getlocal.caller",
        "local outer = 5 local function g() local n, v = debug.getlocal(2, 1) return n, v end"
        " local n, v = g() return n, v",
    ),
    Probe("debug.getlocal.param", 'return debug.getlocal(function(p, q) end, 2), select("#", debug.getlocal(print, 1))'),
    Probe("debug.getlocal.level", caught("debug.getlocal(50, 1)")),
    Probe("debug.getlocal.bad", caught("debug.getlocal('x', 1)")),
    # string.dump refuses what is C on live (the harness writes some of these in Lua) and dumps
    # what is Lua on live too (aos's print, os.time, math.random, Send ...)
    *[
        Probe(f"dump.{fn}", f"local ok, e = pcall(string.dump, {fn}) return ok and 'dumped' or e")
        for fn in (
            "print", "pairs", "ipairs", "next", "load", "require", "tostring", "select", "pcall", "setmetatable",
            "getmetatable", "collectgarbage", "dofile", "loadfile", "os.time", "os.date", "os.clock", "os.exit",
            "os.getenv", "io.open", "io.write", "string.find", "string.gsub", "string.format", "string.dump",
            "table.sort", "table.concat", "coroutine.create", "coroutine.wrap", "coroutine.resume",
            "debug.getinfo", "debug.sethook", "debug.getupvalue", "debug.getlocal", "debug.traceback",
            "debug.getregistry", "debug.setmetatable", "bit32.band", "bit32.rshift", "math.random",
            "math.floor", "math.pow", "utf8.char", "Handlers.add", "Send", "Prompt", "ao.send", "Dump",
        )
    ],
    Probe("dump.number", caught("string.dump(1)")),
    Probe("load.number", "local f, e = load(12) return type(f), e"),
    Probe("load.float", "local f, e = load(1.5) return type(f), e"),
    Probe("load.table", caught("load({})")),
    Probe("load.nil", "return select(2, pcall(load, nil))"),
    Probe("load.none", "return select(2, pcall(load))"),
    Probe(
        "gmatch.pairs",
        'local t = {} for a, b in ("k=v, x=y"):gmatch("(%w+)=(%w+)") do t[#t+1] = a .. b end'
        ' return table.concat(t, ",")',
    ),
]


#: what each Lua's own string library says differently from live's 5.3, per probe
NATIVE: dict[tuple[str, str], str] = {
    **{
        (lua, key): f"Lua {lua} truncates a float argument that 5.3 refuses ('number has no integer representation')"
        for lua in OLD_WORDING
        for key in ("find.init.float", "gsub.n.float")
    },
    **{
        (lua, "gsub.repl.capture"): f"Lua {lua} says 'invalid capture index' without the index"
        for lua in OLD_WORDING
    },
    **{
        (lua, "gsub.repl.percent"): f"Lua {lua} keeps a '%' before a non-digit in a replacement"
        for lua in ("5.1", "jit")
    },
    **{(lua, "match.balance"): f"Lua {lua} says 'unbalanced pattern'" for lua in ("5.1", "jit")},
    **{
        (lua, key): f"Lua {lua} names a function called from C '?'"
        for lua in ("5.1", "jit")
        for key in ("gsub.from.c", "setmetatable.from.c", "coroutine.create.from.c")
    },
    **{
        (lua, key): f"Lua {lua} adds the type it got ('..., got boolean')"
        for lua in ("5.4", "5.5")
        for key in ("gsub.repl.type", "setmetatable.bad.mt", "setmetatable.alias", "debug.setmetatable.bad")
    },
    **{
        ("5.1", key): "Lua 5.1 says 'Lua function expected'"
        for key in ("coroutine.create.number", "coroutine.create.none", "coroutine.wrap.number")
    },
    ("jit", "coroutine.wrap.number"): "on LuaJIT the C-depth guard wraps coroutine.wrap again (its local's name shows)",
    ("5.1", "debug.getlocal.param"): "Lua 5.1's debug.getlocal takes no function",
    **{
        ("5.5", f"dump.{fn}"): "Lua 5.5 refuses to dump a C function in its own words ('Lua function expected')"
        for fn in (
            "collectgarbage", "coroutine.resume", "debug.getinfo", "debug.traceback", "getmetatable", "math.floor",
            "next", "number", "pcall", "require", "select", "string.format", "table.concat", "table.sort",
            "tostring", "utf8.char",
        )
    },
    ("jit", "load.table"): "on LuaJIT load runs under the C-depth guard, whose pcall hides the caller",
}
#: LuaJIT: string.gsub also runs under the harness's C-depth guard (a pcall), below which a C
#: function's error has no position and no name ('?')
JIT_GSUB = "on LuaJIT string.gsub runs under the harness's C-depth guard, whose pcall hides the caller"


def _not_on(lua: str, probe: Probe) -> str | None:
    """Why *probe* cannot compare on the harness's Lua *lua* (the live binary is Lua 5.3)."""
    if probe.deviation is not None and lua != "5.3":
        return f"the tail-call difference is recorded on Lua 5.3 (live's Lua); Lua {lua} words it itself"
    if (lua, probe.key) in NATIVE:
        return NATIVE[(lua, probe.key)]
    if lua == "jit" and probe.key.startswith("gsub.") and probe.key not in ("gsub.results", "gsub.repl.error",
                                                                            "gsub.repl.error.table"):
        return JIT_GSUB
    return None


answers, test_wrapped_errors = probe_suite(WRAPPED_PROBES, not_on=_not_on)
