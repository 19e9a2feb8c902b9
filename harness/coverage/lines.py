"""Executable lines of a Lua file, exactly as the Lua that ran the tests sees them.

A line can only be reported by a line hook if some bytecode instruction of some function
prototype carries it.  We compile the file with the same Lua (through lupa) and walk every
prototype, nested ones included:

* PUC Lua 5.1-5.5: ``string.dump`` of the compiled chunk, parsed here (each version has its own
  binary layout; 5.4/5.5 store line deltas plus absolute anchors, and a vararg function's first
  instruction, VARARGPREP, is skipped like ``debug.getinfo(f, "L")`` does).
* LuaJIT: ``jit.util.funcinfo``/``funck`` walk the prototypes inside Lua (no dump parsing).

The set for a function equals ``debug.getinfo(f, "L").activelines`` on every version (the tests
check that), so a line is a statement exactly when a line hook can fire on it.
"""

from __future__ import annotations

import struct
import threading
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from harness.errors import LuaCompileError  # defined in harness.errors; importable from here too
from harness.lua_versions import new_runtime, normalise


@dataclass(frozen=True)
class Proto:
    """One function prototype: where it is defined and the lines its instructions carry."""

    linedefined: int
    lastlinedefined: int
    lines: frozenset[int]
    children: tuple[Proto, ...] = field(default=())

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()

    def all_lines(self) -> set[int]:
        out: set[int] = set()
        for p in self.walk():
            out |= p.lines
        return out


# -- binary chunk readers ------------------------------------------------------------------------


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0
        self.little = True
        self.int_size = 4
        self.sizet_size = 8
        self.instr_size = 4
        self.number_size = 8
        self.integer_size = 8

    def byte(self) -> int:
        b = self.data[self.pos]
        self.pos += 1
        return b

    def take(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise ValueError("truncated Lua binary chunk")
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out

    def uint(self, size: int) -> int:
        return int.from_bytes(self.take(size), "little" if self.little else "big", signed=False)

    def sint(self, size: int) -> int:
        return int.from_bytes(self.take(size), "little" if self.little else "big", signed=True)

    def cint(self) -> int:
        return self.sint(self.int_size)

    def sizet(self) -> int:
        return self.uint(self.sizet_size)

    def varint54(self) -> int:
        # Lua 5.4: most significant group first, the LAST byte has 0x80 set
        x = 0
        while True:
            b = self.byte()
            x = (x << 7) | (b & 0x7F)
            if b & 0x80:
                return x

    def varint55(self) -> int:
        # Lua 5.5: most significant group first, 0x80 marks "more bytes follow"
        x = 0
        while True:
            b = self.byte()
            x = (x << 7) | (b & 0x7F)
            if not b & 0x80:
                return x


def _header(r: _Reader, version: int) -> None:
    if r.take(4) != b"\x1bLua":
        raise ValueError("not a Lua binary chunk")
    got = r.byte()
    if got != version:
        raise ValueError(f"binary chunk of Lua version {got:#x}, expected {version:#x}")
    r.byte()  # format
    if version == 0x51:
        r.little = r.byte() == 1
        r.int_size, r.sizet_size, r.instr_size, r.number_size = r.byte(), r.byte(), r.byte(), r.byte()
        r.byte()  # integral flag
    elif version == 0x52:
        r.little = r.byte() == 1
        r.int_size, r.sizet_size, r.instr_size, r.number_size = r.byte(), r.byte(), r.byte(), r.byte()
        r.byte()  # integral flag
        r.take(6)  # LUAC_TAIL
    elif version == 0x53:
        r.take(6)  # LUAC_DATA
        r.int_size, r.sizet_size, r.instr_size = r.byte(), r.byte(), r.byte()
        r.integer_size, r.number_size = r.byte(), r.byte()
        probe = r.take(r.integer_size)
        r.little = probe[0] == 0x78
        r.take(r.number_size)
        r.byte()  # upvalue count of the main closure
    elif version == 0x54:
        r.take(6)
        r.instr_size, r.integer_size, r.number_size = r.byte(), r.byte(), r.byte()
        probe = r.take(r.integer_size)
        r.little = probe[0] == 0x78
        r.take(r.number_size)
        r.byte()
    elif version == 0x55:
        r.take(6)
        r.int_size = r.byte()
        r.take(r.int_size)
        r.instr_size = r.byte()
        probe = r.take(r.instr_size)
        r.little = probe[0] == 0x78
        r.integer_size = r.byte()
        r.take(r.integer_size)
        r.number_size = r.byte()
        r.take(r.number_size)
        r.byte()
    else:  # pragma: no cover - guarded by the caller
        raise ValueError(f"unsupported Lua version {version:#x}")


# Lua 5.1 ---------------------------------------------------------------------------------------


def _str51(r: _Reader) -> None:
    n = r.sizet()
    if n:
        r.take(n)


def _skip_constants_51(r: _Reader, version: str) -> None:
    """The constant list of a 5.1/5.2 prototype (nil, boolean, number, string)."""
    for _ in range(r.cint()):
        t = r.byte()
        if t == 1:
            r.byte()
        elif t == 3:
            r.take(r.number_size)
        elif t == 4:
            _str51(r)
        elif t != 0:
            raise ValueError(f"bad constant type {t} in Lua {version} chunk")


def _skip_locals_and_upvalue_names_51(r: _Reader) -> None:
    """The debug tail of a 5.1/5.2 prototype: local variables (name, startpc, endpc), upvalue names."""
    for _ in range(r.cint()):
        _str51(r)
        r.cint()
        r.cint()
    for _ in range(r.cint()):
        _str51(r)


def _fn51(r: _Reader) -> Proto:
    _str51(r)  # source
    linedefined, lastline = r.cint(), r.cint()
    r.take(4)  # nups, numparams, is_vararg, maxstacksize
    r.take(r.cint() * r.instr_size)
    _skip_constants_51(r, "5.1")
    children = tuple(_fn51(r) for _ in range(r.cint()))
    lines = frozenset(r.cint() for _ in range(r.cint()))
    _skip_locals_and_upvalue_names_51(r)
    return Proto(linedefined, lastline, lines, children)


# Lua 5.2 ---------------------------------------------------------------------------------------


def _fn52(r: _Reader) -> Proto:
    linedefined, lastline = r.cint(), r.cint()
    r.take(3)  # numparams, is_vararg, maxstacksize
    r.take(r.cint() * r.instr_size)
    _skip_constants_51(r, "5.2")
    children = tuple(_fn52(r) for _ in range(r.cint()))
    r.take(r.cint() * 2)  # upvalues: instack, idx
    _str51(r)  # source
    lines = frozenset(r.cint() for _ in range(r.cint()))
    _skip_locals_and_upvalue_names_51(r)
    return Proto(linedefined, lastline, lines, children)


# Lua 5.3 ---------------------------------------------------------------------------------------


def _str53(r: _Reader) -> None:
    n = r.byte()
    if n == 0xFF:
        n = r.sizet()
    if n:
        r.take(n - 1)


def _fn53(r: _Reader) -> Proto:
    _str53(r)
    linedefined, lastline = r.cint(), r.cint()
    r.take(3)
    r.take(r.cint() * r.instr_size)
    for _ in range(r.cint()):
        t = r.byte()
        if t == 1:
            r.byte()
        elif t == 3:
            r.take(r.number_size)
        elif t == 0x13:
            r.take(r.integer_size)
        elif t in (4, 0x14):
            _str53(r)
        elif t != 0:
            raise ValueError(f"bad constant type {t} in Lua 5.3 chunk")
    r.take(r.cint() * 2)
    children = tuple(_fn53(r) for _ in range(r.cint()))
    lines = frozenset(r.cint() for _ in range(r.cint()))
    for _ in range(r.cint()):
        _str53(r)
        r.cint()
        r.cint()
    for _ in range(r.cint()):
        _str53(r)
    return Proto(linedefined, lastline, lines, children)


# Lua 5.4 / 5.5 ---------------------------------------------------------------------------------

_ABSLINEINFO = -0x80


def _delta_lines(linedefined: int, deltas: bytes, absolute: dict[int, int], vararg: bool) -> frozenset[int]:
    line = linedefined
    out: set[int] = set()
    for pc, d in enumerate(deltas):
        delta = d - 256 if d > 127 else d
        line = absolute[pc] if delta == _ABSLINEINFO else line + delta
        if pc == 0 and vararg:
            continue  # OP_VARARGPREP: the hook never reports it
        out.add(line)
    return frozenset(out)


def _str54(r: _Reader) -> None:
    n = r.varint54()
    if n:
        r.take(n - 1)


def _fn54(r: _Reader) -> Proto:
    _str54(r)
    linedefined, lastline = r.varint54(), r.varint54()
    r.byte()  # numparams
    vararg = r.byte() != 0
    r.byte()
    r.take(r.varint54() * r.instr_size)
    for _ in range(r.varint54()):
        t = r.byte()
        if t == 3:
            r.take(r.integer_size)
        elif t == 0x13:
            r.take(r.number_size)
        elif t in (4, 0x14):
            _str54(r)
        elif t not in (0, 1, 0x11):
            raise ValueError(f"bad constant type {t} in Lua 5.4 chunk")
    r.take(r.varint54() * 3)
    children = tuple(_fn54(r) for _ in range(r.varint54()))
    deltas = r.take(r.varint54())
    absolute = {}
    for _ in range(r.varint54()):
        pc = r.varint54()
        absolute[pc] = r.varint54()
    for _ in range(r.varint54()):
        _str54(r)
        r.varint54()
        r.varint54()
    for _ in range(r.varint54()):
        _str54(r)
    return Proto(linedefined, lastline, _delta_lines(linedefined, deltas, absolute, vararg), children)


def _str55(r: _Reader) -> None:
    n = r.varint55()
    if n == 0:
        r.varint55()  # index of a string saved earlier (0 = NULL)
    else:
        r.take(n)  # n - 1 bytes of text and the terminating NUL


def _fn55(r: _Reader) -> Proto:
    linedefined, lastline = r.varint55(), r.varint55()
    r.byte()  # numparams
    vararg = r.byte() & 0x03 != 0  # PF_VAHID | PF_VATAB
    r.byte()
    ncode = r.varint55()
    if ncode:
        r.pos += (-r.pos) % r.instr_size  # code is aligned in the dump
    r.take(ncode * r.instr_size)
    for _ in range(r.varint55()):
        t = r.byte()
        if t == 3:
            r.varint55()  # zig-zag integer
        elif t == 0x13:
            r.take(r.number_size)
        elif t in (4, 0x14):
            _str55(r)
        elif t not in (0, 1, 0x11):
            raise ValueError(f"bad constant type {t} in Lua 5.5 chunk")
    r.take(r.varint55() * 3)
    children = tuple(_fn55(r) for _ in range(r.varint55()))
    _str55(r)  # source
    deltas = r.take(r.varint55())
    absolute = {}
    nabs = r.varint55()
    if nabs:
        r.pos += (-r.pos) % r.int_size
        for _ in range(nabs):
            pc, line = struct.unpack_from("<ii" if r.little else ">ii", r.data, r.pos)
            r.pos += 8
            absolute[pc] = line
    for _ in range(r.varint55()):
        _str55(r)
        r.varint55()
        r.varint55()
    for _ in range(r.varint55()):
        _str55(r)
    return Proto(linedefined, lastline, _delta_lines(linedefined, deltas, absolute, vararg), children)


_PARSERS = {"5.1": (0x51, _fn51), "5.2": (0x52, _fn52), "5.3": (0x53, _fn53), "5.4": (0x54, _fn54),
            "5.5": (0x55, _fn55)}


def parse_dump(dump: bytes, version: str) -> Proto:
    """The prototype tree of a ``string.dump`` produced by PUC Lua *version*."""
    code, fn = _PARSERS[version]
    r = _Reader(dump)
    _header(r, code)
    return fn(r)


# -- compiling -----------------------------------------------------------------------------------

_JIT_WALK = b"""
local loadstring = loadstring
local funcinfo, funck = require("jit.util").funcinfo, require("jit.util").funck
local function walk(p, out)
  local info = funcinfo(p)
  local lines = {}
  for pc = 1, info.bytecodes - 1 do
    local l = funcinfo(p, pc).currentline
    if l then lines[#lines + 1] = l end
  end
  local node = { info.linedefined, info.lastlinedefined, lines, {} }
  if info.children then
    local i = -1
    while true do
      local k = funck(p, i)
      if k == nil then break end
      if type(k) == "proto" then node[4][#node[4] + 1] = walk(k) end
      i = i - 1
    end
    -- funck lists child prototypes last-to-first
    local kids, n = node[4], #node[4]
    for j = 1, math.floor(n / 2) do kids[j], kids[n + 1 - j] = kids[n + 1 - j], kids[j] end
  end
  return node
end
return function(src, name)
  local f, err = loadstring(src, name)
  if not f then return nil, err end
  return walk(f)
end
"""

_PUC_DUMP = b"""
local load = (_VERSION == "Lua 5.1") and loadstring or load
return function(src, name)
  local f, err = load(src, name)
  if not f then return nil, err end
  return string.dump(f)
end
"""


class _Compiler:
    def __init__(self, version: str) -> None:
        self.version = version
        self.lua = new_runtime(version, encoding=None)
        self.lock = threading.Lock()
        self.fn = self.lua.execute(_JIT_WALK if version == "jit" else _PUC_DUMP)

    def protos(self, source: bytes, chunkname: bytes) -> Proto:
        with self.lock:
            out = self.fn(source, chunkname)
            res, err = out if isinstance(out, tuple) else (out, None)
            if res is None:
                raise LuaCompileError(err.decode("utf-8", "replace") if err else "syntax error")
            if self.version == "jit":
                return _from_lua_tree(res)
            return parse_dump(bytes(res), self.version)


def _from_lua_tree(node) -> Proto:
    lines = frozenset(int(v) for v in node[3].values())
    kids = tuple(_from_lua_tree(k) for k in node[4].values())
    return Proto(int(node[1]), int(node[2]), lines, kids)


@cache
def _compiler(version: str) -> _Compiler:
    return _Compiler(version)


def prototypes(source: str | bytes, version: str | float | None = None, chunkname: str = "=?") -> Proto:
    """The prototype tree of *source* compiled by Lua *version* (raises ``LuaCompileError``)."""
    v = normalise(version)
    data = source.encode("utf-8") if isinstance(source, str) else source
    return _compiler(v).protos(data, chunkname.encode("utf-8"))


_file_cache: dict[tuple[str, str], tuple[tuple[int, int], Proto | None]] = {}


def file_prototypes(path: str | Path, version: str | float | None = None) -> Proto | None:
    """Prototype tree of a file (cached by path, mtime and size); ``None`` if it does not compile."""
    p = Path(path)
    v = normalise(version)
    st = p.stat()
    key = (str(p), v)
    stamp = (st.st_mtime_ns, st.st_size)
    hit = _file_cache.get(key)
    if hit is not None and hit[0] == stamp:
        return hit[1]
    try:
        proto: Proto | None = prototypes(p.read_bytes(), v, "@" + p.name)
    except LuaCompileError:
        proto = None
    _file_cache[key] = (stamp, proto)
    return proto


def executable_lines(path: str | Path, version: str | float | None = None) -> set[int]:
    """Lines of *path* that carry bytecode under Lua *version* (empty if it does not compile)."""
    proto = file_prototypes(path, version)
    return proto.all_lines() if proto is not None else set()
