"""The sealed environment of a process (harness/lua/env/sandbox.lua) on every Lua.

Process code gets the global surface of the live aos module (Lua 5.3.4 in WebAssembly: an empty
in-memory filesystem, emscripten's environment, no processes, no native code) and nothing of the
host.  Each host-reaching function of a stock Lua has a test here that points it at a temporary
path (or a sentinel environment variable) and asserts that the host is untouched and that the
value is the one the live binary returns (the expected strings below were read from it).
"""

from __future__ import annotations

import locale
import os
import re
import sys
from pathlib import Path
from typing import Any

import lupa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness import Network, ProcessLoadError
from harness.chunks import BINARY_REFUSED, compiler
from harness.cli import main
from harness.errors import ReplayDivergenceError
from harness.lua_versions import lupa_module
from harness.process import Process
from tests.harness.lualib_helpers import VERSION_PARAMS

pytestmark = pytest.mark.parametrize("version", VERSION_PARAMS)

# S(...) shows values as the live probe did: "<count>: v1 | v2 | ..."
SHOW = """
function S(...)
  local n = select("#", ...)
  local t = { ... }
  for i = 1, n do t[i] = tostring(t[i]) end
  return n .. ": " .. table.concat(t, " | ", 1, n)
end
"""


def spawn(version: str, **kw: Any) -> Process:
    return Network(lua=version, **kw).spawn(source=SHOW)


def ev(p: Process, code: str) -> str:
    """Eval *code* (an expression) in *p* and return its text; the Eval must succeed."""
    r = p.eval(code)
    assert r.error is None, r.error
    return str(r.output)


def lua_path(path: Path) -> str:
    return str(path).replace("\\", "/")


# -- no Python ---------------------------------------------------------------------------------


def test_python_global_is_gone(version: str) -> None:
    p = spawn(version)
    assert ev(p, 'S(python, rawget(_G, "python"), package.loaded.python)') == "3: nil | nil | nil"


WALK = """
local found, seen = {}, {}
local getmt, getup, getuv = debug.getmetatable, debug.getupvalue, debug.getuservalue
local function walk(v)
  local tv = type(v)
  if (tv ~= "table" and tv ~= "function" and tv ~= "userdata" and tv ~= "thread") or seen[v] then return end
  seen[v] = true
  if tv == "userdata" then
    found[#found + 1] = v
    if getuv then walk(getuv(v)) end
  end
  local mt = getmt(v)
  if mt ~= nil then walk(mt) end
  if tv == "table" then
    for k, x in next, v do walk(k); walk(x) end
  elseif tv == "function" then
    local i = 1
    while true do
      local name, x = getup(v, i)
      if name == nil then break end
      walk(x)
      i = i + 1
    end
  end
end
walk(_G); walk(package.loaded); walk(debug.getregistry()); walk(getmetatable(""))
return found
"""


def test_no_python_object_is_reachable_from_lua(version: str) -> None:
    """Walk everything Lua can reach (globals, loaded modules, the registry, metatables, upvalues,
    user values): every userdata found is a Lua one (lupa hands a wrapped Python object back to
    Python as that object, never as a Lua userdata)."""
    net = Network(lua=version)
    p = net.spawn(source=SHOW + "Handlers.add('x', 'X', function(m) m.reply({ Data = 'ok' }) end)")
    p.send({"Action": "X"})
    p.dryrun({"Action": "X"})  # a discarded state, rebuilt by replay
    p.send({"Action": "X"})
    lua_type = lupa_module(version).lua_type
    fn = p.lua.globals().load(WALK)
    found = fn()
    values = list(found.values())
    assert values, "the walk found no userdata at all (io.stdout at least is one)"
    for v in values:
        assert lua_type(v) == "userdata", f"a Python object is reachable from Lua: {v!r}"


def test_python_attributes_are_refused_even_if_an_object_leaked(version: str) -> None:
    """Belt and braces: lupa's attribute filter refuses every attribute of a Python object."""
    p = spawn(version)
    lua = p.lua
    probe = lua.eval("function(o) return pcall(function() return o.__class__ end) end")
    ok, err = probe(object())
    assert ok is False
    assert "cannot access Python attribute" in str(err)


# -- io ----------------------------------------------------------------------------------------


def test_io_open_for_writing_creates_nothing(version: str, tmp_path: Path) -> None:
    target = tmp_path / "written.txt"
    p = spawn(version)
    out = ev(p, f'S(io.open("{lua_path(target)}", "w"))')
    assert out == f"3: nil | {lua_path(target)}: No error information | 0"  # live's answer
    assert ev(p, f'S(io.open("{lua_path(target)}", "a+b"))').startswith("3: nil |")
    assert not target.exists()


def test_io_open_for_reading_reads_nothing(version: str, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("host secret")
    p = spawn(version)
    assert ev(p, f'S(io.open("{lua_path(secret)}"))') == f"3: nil | {lua_path(secret)}: No error information | 0"
    assert ev(p, 'S(io.open("/etc/passwd", "r"))') == "3: nil | /etc/passwd: No error information | 0"
    r = p.eval('io.open("x", "rw")')
    assert r.error is not None and "bad argument #2 to 'open' (invalid mode)" in r.error


def test_io_lines_opens_nothing(version: str, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("line one\n")
    p = spawn(version)
    out = ev(p, f'S(pcall(io.lines, "{lua_path(secret)}"))')
    assert out == f"2: false | cannot open file '{lua_path(secret)}' (No error information)"
    # with no name it reads live's empty stdin: no line at all
    assert ev(p, "(function() local n = 0 for _ in io.lines() do n = n + 1 end return n end)()") == "0"


@pytest.fixture
def host_stdin_with_data(tmp_path: Path) -> Any:
    """Put data on the host's standard input (fd 0) for the duration of a test."""
    src = tmp_path / "stdin.txt"
    src.write_text("host stdin line\n")
    saved = os.dup(0)
    fd = os.open(src, os.O_RDONLY)
    os.dup2(fd, 0)
    os.close(fd)
    try:
        yield
    finally:
        os.dup2(saved, 0)
        os.close(saved)


def test_io_read_never_reads_host_stdin(version: str, host_stdin_with_data: Any) -> None:
    p = spawn(version)
    assert ev(p, "S(io.read())") == "1: nil"
    assert ev(p, 'S(io.read("a"))') == "1: "
    assert ev(p, 'S(io.read("n", "l"))') == "1: nil"
    assert ev(p, 'S(io.stdin:read("l", "l"))') == "1: nil"  # live
    assert ev(p, "S(io.stdin:read(0))") == "1: nil"  # live
    assert ev(p, 'S(io.input():read("L"))') == "1: nil"
    assert os.read(0, 100) == b"host stdin line\n"  # nothing consumed it


FILE_RE = r"file \((0x)?[0-9a-f]+\)"


def test_io_write_writes_nothing_to_host_stdout(version: str, capfd: pytest.CaptureFixture[str]) -> None:
    p = spawn(version)
    capfd.readouterr()
    out = ev(p, 'S(io.write("SENTINEL-io.write", 1))')
    assert re.fullmatch(r"1: " + FILE_RE, out)  # live returns the file
    assert ev(p, "io.type(io.stdout)") == "file"
    captured = capfd.readouterr()
    assert "SENTINEL" not in captured.out + captured.err


def test_io_stdout_and_stderr_methods_write_nothing(version: str, capfd: pytest.CaptureFixture[str]) -> None:
    p = spawn(version)
    capfd.readouterr()
    assert re.fullmatch(r"1: " + FILE_RE, ev(p, 'S(io.stdout:write("SENTINEL-stdout"))'))
    assert re.fullmatch(r"1: " + FILE_RE, ev(p, 'S(io.stderr:write("SENTINEL-stderr"))'))
    assert ev(p, "S(io.stdout:flush(), io.flush(), io.stdout:setvbuf('no'))") == "3: true | true | true"
    assert ev(p, "S(io.stdout:seek())") == "1: 0"
    assert ev(p, 'S(io.stdin:seek("set", 0))') == "3: nil | Invalid seek | 70"
    assert ev(p, "S(io.stdout:read())") == "3: nil | No error information | 0"
    assert ev(p, 'S(io.stdin:write("x"))') == "3: nil | No error information | 0"
    captured = capfd.readouterr()
    assert "SENTINEL" not in captured.out + captured.err


def test_file_handles_reached_through_the_registry_are_harmless(
    version: str, capfd: pytest.CaptureFixture[str]
) -> None:
    """The shared FILE* methods are replaced, so even a handle found via debug.getregistry()
    (lupa's io keeps the default output there) cannot write to the host."""
    p = spawn(version)
    capfd.readouterr()
    code = """(function()
      local n = 0
      for _, v in next, debug.getregistry() do
        if io.type(v) == "file" then v:write("SENTINEL-registry"); v:flush(); n = n + 1 end
      end
      return n
    end)()"""
    ev(p, code)
    captured = capfd.readouterr()
    assert "SENTINEL" not in captured.out + captured.err


def test_io_close_cannot_close_standard_files(version: str) -> None:
    p = spawn(version)
    assert ev(p, "S(io.close())") == "2: nil | cannot close standard file"  # live
    assert ev(p, "S(io.stdin:close())") == "2: nil | cannot close standard file"  # live
    assert ev(p, "io.type(io.stdout)") == "file"


def test_io_popen_runs_nothing(version: str, tmp_path: Path) -> None:
    marker = tmp_path / "popen-ran"
    p = spawn(version)
    out = ev(p, f'S(pcall(io.popen, "touch {lua_path(marker)}"))')
    assert out == "2: false | 'popen' not supported"  # live
    assert not marker.exists()


def test_io_tmpfile_is_an_in_memory_file(version: str) -> None:
    """Live makes an anonymous file in its in-memory filesystem; so do we, inside the Lua state:
    nothing is opened on the host."""
    p = spawn(version)
    fds = Path("/proc/self/fd")
    before = set(os.listdir(fds)) if fds.is_dir() else set()
    code = """(function()
      local f = io.tmpfile()
      local out = { io.type(f), tostring(tostring(f:write("hello\\n", 42, "\\nworld")) == tostring(f)) }
      out[#out + 1] = f:seek("set")
      out[#out + 1] = f:read("l")
      out[#out + 1] = f:read("n")
      out[#out + 1] = f:read("a")
      out[#out + 1] = tostring(f:read(0))
      out[#out + 1] = f:seek("end", -2)
      out[#out + 1] = select(2, f:seek("set", -1))
      f:seek("set")
      local n = 0
      for _ in f:lines() do n = n + 1 end
      out[#out + 1] = n
      out[#out + 1] = tostring(f:close())
      out[#out + 1] = io.type(f)
      out[#out + 1] = tostring(f)
      out[#out + 1] = select(2, pcall(f.read, f))
      return table.concat(out, ",")
    end)()"""
    out = ev(p, code)
    assert out.split(",")[:13] == [
        "file", "true", "0", "hello", "42", "\nworld", "nil", "12", "Invalid argument", "3", "true",
        "closed file", "file (closed)",
    ]
    assert out.endswith("attempt to use a closed file")
    if fds.is_dir():
        assert set(os.listdir(fds)) <= before  # no file was opened for it


def test_io_input_and_output_open_nothing(version: str, tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    p = spawn(version)
    out = ev(p, f'S(pcall(io.output, "{lua_path(target)}"))')
    assert out == f"2: false | cannot open file '{lua_path(target)}' (No error information)"
    assert not target.exists()
    assert re.fullmatch(r"2: " + FILE_RE + " \\| " + FILE_RE, ev(p, "S(io.output(), io.input())"))


# -- dofile / loadfile -------------------------------------------------------------------------


def test_dofile_runs_no_host_file(version: str, tmp_path: Path) -> None:
    script = tmp_path / "evil.lua"
    script.write_text("Pwned = true")
    p = spawn(version)
    out = ev(p, f'S(pcall(dofile, "{lua_path(script)}"))')
    assert out == f"2: false | cannot open {lua_path(script)}: No error information"  # live
    assert ev(p, "S(Pwned, pcall(dofile))") == "2: nil | true"  # no name: live's empty stdin


def test_loadfile_loads_no_host_file(version: str, tmp_path: Path) -> None:
    script = tmp_path / "evil.lua"
    script.write_text("return 42")
    p = spawn(version)
    out = ev(p, f'S(loadfile("{lua_path(script)}"))')
    assert out == f"2: nil | cannot open {lua_path(script)}: No error information"  # live
    assert ev(p, "S(type(loadfile()), loadfile()())") == "1: function"


# -- os ----------------------------------------------------------------------------------------


def test_os_execute_runs_no_command(version: str, tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    p = spawn(version)
    assert ev(p, "S(os.execute())") == "1: false"  # live: no shell
    out = ev(p, f'S(os.execute("touch {lua_path(marker)}"))')
    assert out == "3: nil | Function not implemented | 52"  # live
    assert not marker.exists()


def test_os_exit_fails_only_that_message(version: str) -> None:
    p = spawn(version)
    r = p.eval("os.exit(1)")
    assert r.error is not None and "os.exit is not available" in r.error
    assert ev(p, "1 + 1") == "2"  # the process (and the test run) carry on


def test_os_remove_deletes_nothing(version: str, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    p = spawn(version)
    out = ev(p, f'S(os.remove("{lua_path(victim)}"))')
    assert out == f"3: nil | {lua_path(victim)}: No such file or directory | 44"  # live
    assert ev(p, 'S(os.remove("/"))') == "3: nil | /: Resource busy | 10"  # live
    assert victim.read_text() == "keep me"


def test_os_rename_moves_nothing(version: str, tmp_path: Path) -> None:
    victim, moved = tmp_path / "victim.txt", tmp_path / "moved.txt"
    victim.write_text("keep me")
    p = spawn(version)
    out = ev(p, f'S(os.rename("{lua_path(victim)}", "{lua_path(moved)}"))')
    assert out == "3: nil | No such file or directory | 44"  # live
    assert victim.exists() and not moved.exists()


def test_os_getenv_sees_emscripten_not_the_host(version: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AO_HARNESS_SANDBOX_SENTINEL", "host value")
    p = spawn(version)
    assert ev(p, 'S(os.getenv("AO_HARNESS_SANDBOX_SENTINEL"), os.getenv("SHELL"))') == "2: nil | nil"
    out = ev(p, "S(" + ", ".join(f'os.getenv("{n}")' for n in ("HOME", "USER", "LOGNAME", "PATH", "PWD", "LANG")) + ")")
    assert out == "6: /home/web_user | web_user | web_user | / | / | C.UTF-8"  # live


def test_os_tmpname_creates_nothing(version: str) -> None:
    p = spawn(version)
    names = ev(p, "S(os.tmpname(), os.tmpname())").removeprefix("2: ").split(" | ")
    assert len(set(names)) == 2
    for name in names:
        assert re.fullmatch(r"/tmp/tmpnam_[A-Za-z0-9]{6}", name)  # live's form
        assert not os.path.exists(name)


def test_os_setlocale_leaves_the_host_locale_alone(version: str) -> None:
    before = locale.setlocale(locale.LC_ALL)
    p = spawn(version)
    out = ev(
        p,
        'S(os.setlocale("xx_YY"), os.setlocale("POSIX"), os.setlocale("C.UTF-8"), os.setlocale(), '
        'os.setlocale(nil, "numeric"), os.setlocale("", "numeric"))',
    )
    assert out == "6: xx_YY | C | C.UTF-8;C;C;C;C;C | C.UTF-8;C;C;C;C;C | C | C"  # live
    msg = ev(p, 'select(2, pcall(os.setlocale, "C", "foo"))')
    assert msg.endswith("(invalid option 'foo')")
    assert locale.setlocale(locale.LC_ALL) == before


def test_os_date_uses_live_clock(version: str) -> None:
    p = spawn(version)
    assert ev(p, "os.date()") == "Thu Jan 01 00:00:10 1970"  # live: the loader's counter clock
    assert ev(p, 'os.date("%Y-%m-%d %H:%M:%S")') == "1970-01-01 00:00:10"
    assert ev(p, 'os.date("!%c")') == "Thu Jan 01 00:00:10 1970"
    assert ev(p, 'os.date("%x %X %p %A %B %j %Z")') == "01/01/70 00:00:10 AM Thursday January 001 UTC"
    assert ev(p, 'os.date("%c", 86400 * 365)') == "Fri Jan 01 00:00:00 1971"
    assert ev(p, 'os.date("!%Y-%m-%dT%H:%M:%S", 1700000000)') == "2023-11-14T22:13:20"
    assert ev(p, 'os.date("*t").year .. "/" .. os.date("!*t").hour') == "1970/0"
    assert ev(p, 'select(2, pcall(os.date, "%Q"))').endswith("(invalid conversion specifier '%Q')")


def test_os_clock_counts_like_live(version: str) -> None:
    p = spawn(version)
    assert ev(p, "S(os.clock(), os.clock(), os.clock())") == "3: 0.001 | 0.002 | 0.003"  # live


def test_os_time_and_difftime(version: str) -> None:
    p = spawn(version)
    # aos replaces os.time with the message's Timestamp; a date table is ignored, as on live
    assert ev(p, "S(os.time() == os.time{year = 2020, month = 1, day = 1})") == "1: true"
    assert ev(p, "os.difftime(10, 3) == 7") == "true"
    # live: called from C, a function is named by its library (LuaJIT shows no tail call, so the
    # sandbox keeps its functions' own names there)
    name = "difftime" if version == "jit" else "os.difftime"
    assert ev(p, "select(2, pcall(os.difftime, 5))").endswith(
        f"bad argument #2 to '{name}' (number expected, got no value)"
    )


# -- package -----------------------------------------------------------------------------------


def test_package_loadlib_loads_no_native_code(version: str) -> None:
    lib = lupa.__file__ if lupa.__file__ else "/lib/x86_64-linux-gnu/libc.so.6"
    native = next(Path(lib).parent.glob("lua5*.so"), Path(lib))
    p = spawn(version)
    out = ev(p, f'S(package.loadlib("{lua_path(native)}", "luaopen_lupa"))')
    assert out == "3: nil | dynamic libraries not enabled; check your Lua installation | absent"  # live


def test_package_is_shaped_as_live(version: str) -> None:
    p = spawn(version)
    assert ev(p, "package.path") == (
        "/usr/local/share/lua/5.3/?.lua;/usr/local/share/lua/5.3/?/init.lua;/usr/local/lib/lua/5.3/?.lua;"
        "/usr/local/lib/lua/5.3/?/init.lua;./?.lua;./?/init.lua"
    )
    assert ev(p, "package.cpath") == "/usr/local/lib/lua/5.3/?.so;/usr/local/lib/lua/5.3/loadall.so;./?.so"
    assert ev(p, "package.config == '/\\n;\\n?\\n!\\n-\\n'") == "true"
    assert ev(p, "#package.searchers") == "5"
    r = p.eval('require("missing.mod")')
    assert r.error is not None
    for line in (
        "module 'missing.mod' not found:",
        "no field package.preload['missing.mod']",
        "no file '/usr/local/share/lua/5.3/missing/mod.lua'",
        "no file './missing/mod.so'",
        "no file '/usr/local/lib/lua/5.3/missing.so'",
    ):
        assert line in r.error


@pytest.mark.parametrize("name", ["..secret", "a..b", "/etc/passwd", "\\0x", ".hidden", "a/b"])
def test_project_searcher_refuses_names_that_leave_its_dirs(version: str, tmp_path: Path, name: str) -> None:
    (tmp_path / "secret.lua").write_text("return 'escaped'")
    proc_dir = tmp_path / "proc"
    proc_dir.mkdir()
    (proc_dir / "process.lua").write_text(SHOW)
    net = Network(lua=version, root=proc_dir)
    p = net.spawn(proc_dir / "process.lua")
    lua_name = name.replace("\\0", "\\0")
    r = p.eval(f'require("{lua_name}")')
    assert r.error is not None and "escaped" not in r.error


FILE_METHOD_CALLS = [
    "f:read('*x')",
    "f.read(f, {})",
    "f:read('l', {})",
    "f:write({})",
    "f:write('a', {})",
    "f:seek('bogus')",
    "f:seek('set', {})",
    "f:setvbuf('bogus')",
    "f.read({})",
    "f.close(42)",
    "(function() local t = { read = f.read } local r = t:read() return r end)()",
    "(function() local rd = f.read local r = rd(f, '*x') return r end)()",
]


@pytest.mark.parametrize("call", FILE_METHOD_CALLS)
def test_file_method_errors_read_as_the_c_library(version: str, call: str) -> None:
    """The sandbox's in-memory files raise what Lua's own C io library raises for a real file (the
    same Lua, run plainly): an argument counted without self for a method call, 'calling ... on
    bad self' for a bad self, the name the caller used.  (Live takes the loader down when such a
    file is collected, so the live binary cannot be asked.)"""
    if version not in ("5.3", "5.4"):
        pytest.skip("the sandbox words its errors as live's Lua 5.3 on every Lua; 5.3 and 5.4 agree")
    code = f"local f = io.tmpfile() local ok, e = pcall(function() local r = {call} return r end) return e"
    native = lupa_module(version).LuaRuntime()
    answer = native.execute(code)
    want = ("nil" if answer is None else str(answer)).replace('[string "<python>"]', '[string "aos"]')
    got = ev(spawn(version), f"tostring((function() {code} end)())")
    assert got == want


def test_project_modules_still_load(version: str, tmp_path: Path) -> None:
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "helper.lua").write_text("return { answer = 42 }")
    (tmp_path / "process.lua").write_text(SHOW + "Helper = require('lib.helper')")
    p = Network(lua=version, root=tmp_path).spawn(tmp_path / "process.lua")
    assert ev(p, "Helper.answer") == "42"


# -- LuaJIT's extras and other non-live globals ------------------------------------------------


@pytest.mark.parametrize(
    "module", ["ffi", "jit", "jit.util", "jit.profile", "jit.opt", "bit", "string.buffer", "table.new", "table.clear"]
)
def test_luajit_modules_are_not_requirable(version: str, module: str) -> None:
    p = spawn(version)
    out = ev(p, f'S(pcall(require, "{module}"))')
    assert out.startswith(f"2: false | module '{module}' not found:")


def test_luajit_globals_are_gone(version: str) -> None:
    p = spawn(version)
    assert ev(p, 'S(rawget(_G, "jit"), rawget(_G, "ffi"), rawget(_G, "bit"))') == "3: nil | nil | nil"


def test_package_preload_starts_empty(version: str) -> None:
    """As on live: no LuaJIT extras, and the harness's own modules come from the second searcher."""
    p = spawn(version)
    assert ev(p, "next(package.preload) == nil") == "true"
    assert ev(p, 'type(package.searchers and package.searchers[2] or package.loaders[2])') == "function"
    assert ev(p, 'type(require(".utils").map)') == "function"


# -- the global surface ------------------------------------------------------------------------

# live's standard names (read from the binary: _G, each library table), without aos's globals
LIVE_SURFACE = {
    "_G": "_G _VERSION assert bit32 collectgarbage coroutine debug dofile error getmetatable io ipairs load "
    "loadfile math next os package pairs pcall print rawequal rawget rawlen rawset require select "
    "setmetatable string table tonumber tostring type utf8 xpcall",
    "string": "byte char dump find format gmatch gsub len lower match pack packsize rep reverse sub unpack upper",
    "table": "concat insert move pack remove sort unpack",
    "math": "abs acos asin atan2 atan ceil cos cosh deg exp floor fmod frexp huge ldexp log10 log max "
    "maxinteger min mininteger modf pi pow rad random randomseed sin sinh sqrt tan tanh tointeger type ult",
    "os": "clock date difftime execute exit getenv remove rename setlocale time tmpname",
    "io": "close flush input lines open output popen read stderr stdin stdout tmpfile type write",
    "coroutine": "create isyieldable resume running status wrap yield",
    "debug": "debug gethook getinfo getlocal getmetatable getregistry getupvalue getuservalue sethook "
    "setlocal setmetatable setupvalue setuservalue traceback upvalueid upvaluejoin",
    "package": "config cpath loaded loadlib path preload searchers searchpath",
    "utf8": "char charpattern codepoint codes len offset",
    "bit32": "arshift band bnot bor btest bxor extract lrotate lshift replace rrotate rshift",
}
_AOS = "Assign Bell Colors Dump Errors HANDLER_PRINT_LOGS Handlers Inbox Name Owner Prompt Receive Seeded Send"
AOS_GLOBALS = set(_AOS.split()) | {"Spawn", "Tab", "Utils", "Version", "ao", "handle", "S"}

# What each Lua cannot provide faithfully in Lua code (README, Limits): live has these names.
MISSING = {
    "5.1": {
        "string": {"pack", "packsize", "unpack"},
        "math": {"maxinteger", "mininteger", "tointeger", "type", "ult"},
        "coroutine": {"isyieldable"},
        "debug": {"getuservalue", "setuservalue", "upvalueid", "upvaluejoin"},
    },
    "5.2": {
        "string": {"pack", "packsize", "unpack"},
        "math": {"maxinteger", "mininteger", "tointeger", "type", "ult"},
        "coroutine": {"isyieldable"},
    },
    "jit": {
        "string": {"pack", "packsize", "unpack"},
        "math": {"maxinteger", "mininteger", "tointeger", "type", "ult"},
        "debug": {"getuservalue", "setuservalue"},
    },
}
# Names a Lua keeps beyond live's because removing them would break it (README, Limits).
EXTRA = {"5.1": {"package": {"loaders"}}, "jit": {"package": {"loaders"}}}

DUMP = """(function()
  local out = {}
  for _, lib in ipairs({"_G", "string", "table", "math", "os", "io", "coroutine", "debug", "package",
                        "utf8", "bit32"}) do
    local t = lib == "_G" and _G or rawget(_G, lib)
    local names = {}
    if type(t) == "table" then for k in next, t do names[#names + 1] = tostring(k) end end
    out[#out + 1] = lib .. "=" .. table.concat(names, " ")
  end
  return table.concat(out, "\\n")
end)()"""


def test_global_surface_is_live_s(version: str) -> None:
    p = spawn(version)
    ours = {}
    for line in ev(p, DUMP).splitlines():
        lib, _, names = line.partition("=")
        ours[lib] = set(names.split())
    for lib, names in LIVE_SURFACE.items():
        live = set(names.split())
        have = ours[lib] - AOS_GLOBALS if lib == "_G" else ours[lib]
        missing = MISSING.get(version, {}).get(lib, set())
        extra = EXTRA.get(version, {}).get(lib, set())
        assert live - have == missing, f"{lib}: missing {sorted(live - have)}"
        assert have - live == extra, f"{lib}: not on live {sorted(have - live)}"


@pytest.mark.parametrize(
    "name", ["setfenv", "getfenv", "loadstring", "unpack", "module", "newproxy", "gcinfo", "warn"]
)
def test_non_live_globals_are_absent(version: str, name: str) -> None:
    p = spawn(version)
    assert ev(p, f'S(rawget(_G, "{name}"))') == "1: nil"


def test_older_luas_get_faithful_53_functions(version: str) -> None:
    p = spawn(version)
    assert ev(p, "S(table.unpack(table.pack(1, nil, 3), 1, 3))") == "3: 1 | nil | 3"
    assert ev(p, "table.pack(1, nil).n") == "2"
    assert ev(p, "table.concat(table.move({1, 2, 3}, 1, 3, 2), ',')") == "1,1,2,3"
    assert ev(p, "rawlen({1, 2}) + rawlen('abc')") == "5"
    assert ev(p, "S(xpcall(function(a, b) return a + b end, debug.traceback, 2, 3))") == "2: true | 5"
    assert ev(p, "S(utf8.char(72, 228, 8364, 128512))") == "1: H\u00e4\u20ac\U0001f600"
    assert ev(p, 'S(utf8.codepoint("h\u00e4\u20ac", 1, -1))') == "3: 104 | 228 | 8364"
    assert ev(p, 'S(utf8.len("h\u00e4\u20ac"), utf8.len("\\255"), utf8.offset("h\u00e4\u20ac", 3))') == (
        "3: 3 | nil | 4"
    )
    codes = "(function() local t = {} for p, c in utf8.codes('a\u00e4') do t[#t+1] = p .. ':' .. c end "
    codes += "return table.concat(t, ',') end)()"
    assert ev(p, codes) == "1:97,2:228"


# -- binary chunks -----------------------------------------------------------------------------


def test_load_refuses_a_binary_string(version: str) -> None:
    p = spawn(version)
    out = ev(p, "S(load(string.dump(function() return 1 end)))")
    assert out == f"2: nil | {BINARY_REFUSED}"


def test_load_refuses_binary_from_a_reader(version: str) -> None:
    p = spawn(version)
    code = """(function()
      local s, done = string.dump(function() return 1 end), false
      return S(load(function() if done then return nil end done = true return s end))
    end)()"""
    assert ev(p, code) == f"2: nil | {BINARY_REFUSED}"


def test_load_modes(version: str) -> None:
    p = spawn(version)
    assert ev(p, 'S(load("return 1", "x", "b"))') == "2: nil | attempt to load a text chunk (mode is 'b')"  # live
    dump = "string.dump(function() return 1 end)"
    assert ev(p, f'S(load({dump}, "x", "b"))') == f"2: nil | {BINARY_REFUSED}"
    assert ev(p, f'S(load({dump}, "x", "bt"))') == f"2: nil | {BINARY_REFUSED}"
    assert ev(p, 'load("return 7", "x", "t")()') == "7"
    assert ev(p, 'load("return V", "x", "t", { V = 8 })()') == "8"
    # an explicit nil environment: every global access fails
    out = ev(p, 'select(2, pcall(load("return V", "=x", "t", nil)))')
    assert "attempt to index" in out and "_ENV" in out


def test_eval_of_binary_source_is_refused(version: str) -> None:
    p = spawn(version)
    r = p.eval("\x1bLuaS\x00garbage")
    assert r.error is not None and "binary (precompiled) chunks are refused" in r.error
    assert ev(p, "1") == "1"
    comp = compiler(version).compile("\x1breturn 1", "=x")
    assert comp.bytecode is None and comp.error == BINARY_REFUSED


def test_process_file_of_bytecode_is_refused(version: str, tmp_path: Path) -> None:
    path = tmp_path / "process.lua"
    path.write_bytes(b"\x1bLua" + b"return 1")
    with pytest.raises(ProcessLoadError, match="binary"):
        Network(lua=version, root=tmp_path).spawn(path)


def test_project_module_of_bytecode_is_refused(version: str, tmp_path: Path) -> None:
    (tmp_path / "mod.lua").write_bytes(b"\x1bLua\x53\x00junk")
    (tmp_path / "process.lua").write_text(SHOW)
    p = Network(lua=version, root=tmp_path).spawn(tmp_path / "process.lua")
    r = p.eval('require("mod")')
    assert r.error is not None and "binary (precompiled) chunks are refused" in r.error


FUZZ = """(function(...)
  local cut, flips = ...
  local s = string.dump(function(a, b) local t = {a, b, 'k'} for i = 1, #t do t[i] = tostring(t[i]) end
    return table.concat(t) end)
  s = string.sub(s, 1, cut)
  local bytes = { string.byte(s, 1, -1) }
  for i = 1, #flips - 1, 2 do
    local at = flips[i] % #bytes + 1
    if at > 1 then bytes[at] = flips[i + 1] end
  end
  local chunk = string.char(table.unpack(bytes))
  local fn, err = load(chunk)
  local reader_done = false
  local fn2, err2 = load(function() if reader_done then return nil end reader_done = true return chunk end)
  return S(fn, err == err2, err)
end)"""


@given(cut=st.integers(min_value=1, max_value=400), flips=st.lists(st.integers(0, 255), max_size=12))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_fuzzed_bytecode_is_refused_never_crashes(version: str, cut: int, flips: list[int]) -> None:
    p = _fuzz_process(version)
    fn = p.lua.globals().load("return " + FUZZ)()
    out = fn(cut, p.lua.table_from(flips))
    assert out == f"3: nil | true | {BINARY_REFUSED}"


_fuzz_cache: dict[str, Process] = {}


def _fuzz_process(version: str) -> Process:
    if version not in _fuzz_cache:
        _fuzz_cache[version] = spawn(version)
    return _fuzz_cache[version]


# -- replay ------------------------------------------------------------------------------------


def test_replay_notices_a_message_that_now_fails(version: str, tmp_path: Path) -> None:
    """A message whose outcome depends on something outside the log (here: a project module the
    test edits in between) is caught when a rollback replays the log."""
    (tmp_path / "rule.lua").write_text("return { limit = 10 }")
    (tmp_path / "process.lua").write_text(
        SHOW
        + """
Handlers.add("check", "Check", function(m)
  package.loaded.rule = nil
  local rule = require("rule")
  assert(tonumber(m.Tags.N) <= rule.limit, "over the limit")
  m.reply({ Data = "fine" })
end)
Handlers.add("boom", "Boom", function() error("boom") end)
"""
    )
    p = Network(lua=version, root=tmp_path).spawn(tmp_path / "process.lua")
    assert p.send({"Action": "Check", "N": "5"}).error is None
    (tmp_path / "rule.lua").write_text("return { limit = 1 }")
    assert p.send({"Action": "Boom"}).error is not None  # rollback: the state is rebuilt on next use
    with pytest.raises(ReplayDivergenceError) as info:
        p.send({"Action": "Check", "N": "0"})
    text = str(info.value)
    assert "diverged at logged message" in text and "Action Check" in text
    assert "fails on replay" in text and "over the limit" in text
    assert p.id in text


def test_replay_notices_a_different_reply(version: str, tmp_path: Path) -> None:
    (tmp_path / "rule.lua").write_text("return { word = 'first' }")
    (tmp_path / "process.lua").write_text(
        SHOW
        + """
Handlers.add("say", "Say", function(m)
  package.loaded.rule = nil
  m.reply({ Data = require("rule").word })
end)
"""
    )
    p = Network(lua=version, root=tmp_path).spawn(tmp_path / "process.lua")
    assert p.send({"Action": "Say"}).error is None
    (tmp_path / "rule.lua").write_text("return { word = 'second' }")
    assert p.eval("error('roll back')").error is not None  # rollback: rebuilt on next use
    with pytest.raises(ReplayDivergenceError, match=r"its outbox \(messages, spawns or assignments\) differs from the first run"):
        p.send({"Action": "Say"})


def test_table_addresses_in_output_are_not_divergence(version: str) -> None:
    """tostring({}) differs between Lua states; a replay that prints other addresses is the same
    outcome (documented decision), so the rollback goes through."""
    p = spawn(version)
    r = p.eval("print(tostring({}), tostring(print)); Seen = (Seen or 0) + 1; return tostring({})")
    assert r.error is None
    assert re.search(r"table: (0x)?[0-9a-f]+", str(r.output))
    assert p.eval("error('rollback')").error is not None
    assert ev(p, "Seen") == "1"  # replayed without a divergence error


def test_replay_of_an_unchanged_log_is_silent(version: str) -> None:
    p = spawn(version)
    p.eval("Count = 0")
    for _ in range(3):
        p.eval("Count = Count + 1; print(Count)")
    assert p.eval("error('x')").error is not None
    assert ev(p, "Count") == "3"
    assert p.rebuilds >= 1


# -- a hostile manifest ------------------------------------------------------------------------


def test_hostile_manifest_leaves_the_host_untouched(
    version: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    touched, written, popened = tmp_path / "touched", tmp_path / "written", tmp_path / "popened"
    (tmp_path / "evil.lua").write_text(
        f"""
os.execute("touch {lua_path(touched)}")
local f = io.open("{lua_path(written)}", "w")
if f then f:write("pwned") f:close() end
pcall(io.popen, "touch {lua_path(popened)}")
os.remove("{lua_path(victim)}")
os.rename("{lua_path(victim)}", "{lua_path(tmp_path / 'moved')}")
pcall(dofile, "{lua_path(victim)}")
Handlers.add("pwn", "Pwn", function(m)
  assert(io.open("{lua_path(written)}", "w")):write("pwned")
end)
"""
    )
    (tmp_path / "aoform.yaml").write_text(
        "processes:\n  - {name: evil, source: evil.lua}\n"
        "scenario:\n  - {title: attack, from: mallory, to: evil, tags: {Action: Pwn}}\n"
    )
    monkeypatch.chdir(tmp_path)
    code = main(["run", str(tmp_path / "aoform.yaml"), "--lua", version])
    out = capsys.readouterr().out
    assert "ERROR" in out and "No error information" in out, out  # the handler's io.open failed, reported
    assert code in (0, 1)
    assert not touched.exists() and not written.exists() and not popened.exists()
    assert victim.read_text() == "keep me" and not (tmp_path / "moved").exists()


def test_hostile_manifest_that_fails_to_load_is_reported(
    version: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    touched = tmp_path / "touched"
    (tmp_path / "evil.lua").write_text(f'assert(os.execute("touch {lua_path(touched)}"))\n')
    (tmp_path / "aoform.yaml").write_text("processes:\n  - {name: evil, source: evil.lua}\n")
    code = main(["run", str(tmp_path / "aoform.yaml"), "--lua", version])
    err = capsys.readouterr().err
    assert code == 2  # a process that fails to load is a usage error: exit 2, one line
    assert err.count("\n") == 1
    assert "evil.lua" in err and "failed to load" in err and "Function not implemented" in err
    assert not touched.exists()


if sys.platform == "win32":  # pragma: no cover
    pytestmark = [pytestmark, pytest.mark.skip(reason="the sandbox tests use POSIX paths and /proc")]
