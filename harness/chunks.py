"""Compile Lua source to bytecode once per Lua version, and keep it (a chunk loads 4-6x faster
than its source compiles)."""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from harness.lua_versions import new_runtime, normalise

LUA_DIR = Path(__file__).parent / "lua"

#: aos module name -> (file under harness/lua, chunk name used in error positions).
RUNTIME_MODULES: dict[str, str] = {
    ".process": "aos/process.lua",
    ".handlers": "aos/handlers.lua",
    ".handlers-utils": "aos/handlers-utils.lua",
    ".utils": "aos/utils.lua",
    ".ao": "aos/ao.lua",
    ".assignment": "aos/assignment.lua",
    ".eval": "aos/eval.lua",
    ".default": "aos/default.lua",
    ".boot": "aos/boot.lua",
    "json": "lib/json.lua",
    ".bint": "lib/bint.lua",
    ".chance": "lib/chance.lua",
    ".base64": "lib/base64.lua",
    ".stringify": "lib/stringify.lua",
    ".dump": "lib/dump.lua",
    ".pretty": "lib/pretty.lua",
    # aos's crypto library: one file a module, named as live names them
    ".crypto": "lib/crypto/init.lua",
    ".crypto.init": "lib/crypto/init.lua",
    ".crypto.util.init": "lib/crypto/util/init.lua",
    ".crypto.util.bit": "lib/crypto/util/bit.lua",
    ".crypto.util.queue": "lib/crypto/util/queue.lua",
    ".crypto.util.stream": "lib/crypto/util/stream.lua",
    ".crypto.util.hex": "lib/crypto/util/hex.lua",
    ".crypto.util.array": "lib/crypto/util/array.lua",
    ".crypto.digest.init": "lib/crypto/digest/init.lua",
    ".crypto.digest.md2": "lib/crypto/digest/md2.lua",
    ".crypto.digest.md4": "lib/crypto/digest/md4.lua",
    ".crypto.digest.md5": "lib/crypto/digest/md5.lua",
    ".crypto.digest.sha1": "lib/crypto/digest/sha1.lua",
    ".crypto.digest.sha2_256": "lib/crypto/digest/sha2_256.lua",
    ".crypto.digest.sha2_512": "lib/crypto/digest/sha2_512.lua",
    ".crypto.digest.sha3": "lib/crypto/digest/sha3.lua",
    ".crypto.digest.blake2b": "lib/crypto/digest/blake2b.lua",
    ".crypto.mac.init": "lib/crypto/mac/init.lua",
    ".crypto.mac.hmac": "lib/crypto/mac/hmac.lua",
    ".crypto.kdf.init": "lib/crypto/kdf/init.lua",
    ".crypto.kdf.pbkdf2": "lib/crypto/kdf/pbkdf2.lua",
    ".crypto.cipher.init": "lib/crypto/cipher/init.lua",
    ".crypto.cipher.aes": "lib/crypto/cipher/aes.lua",
    ".crypto.cipher.aes128": "lib/crypto/cipher/aes128.lua",
    ".crypto.cipher.aes192": "lib/crypto/cipher/aes192.lua",
    ".crypto.cipher.aes256": "lib/crypto/cipher/aes256.lua",
    ".crypto.cipher.mode.cbc": "lib/crypto/cipher/mode/cbc.lua",
    ".crypto.cipher.mode.cfb": "lib/crypto/cipher/mode/cfb.lua",
    ".crypto.cipher.mode.ctr": "lib/crypto/cipher/mode/ctr.lua",
    ".crypto.cipher.mode.ecb": "lib/crypto/cipher/mode/ecb.lua",
    ".crypto.cipher.mode.ofb": "lib/crypto/cipher/mode/ofb.lua",
    ".crypto.padding.zero": "lib/crypto/padding/zero.lua",
    ".crypto.cipher.issac": "lib/crypto/cipher/issac.lua",
    ".crypto.cipher.morus": "lib/crypto/cipher/morus.lua",
    ".crypto.cipher.norx": "lib/crypto/cipher/norx.lua",
    # its private parts (bridge/modules.lua's H.private; never requirable): code several of its
    # modules share and live has no module for
    "harness.lib.crypto.digest32": "lib/crypto/private/digest32.lua",
    "harness.lib.crypto.word64": "lib/crypto/private/word64.lua",
    "harness.lib.crypto.sha2": "lib/crypto/private/sha2.lua",
    "harness.lib.crypto.aes": "lib/crypto/private/aes.lua",
    "harness.lib.crypto.bytexor": "lib/crypto/private/bytexor.lua",
    "harness.lib.crypto.hexpairs": "lib/crypto/private/hexpairs.lua",
    # the harness's own environment (bridge/iteration.lua loads it and drops it from package.preload)
    "harness.pairs": "env/pairs.lua",
    # the sealed environment, run by the bridge before anything else (never requirable)
    ".env.sandbox": "env/sandbox.lua",
    ".env.compat": "env/compat.lua",
    # private: the bridge runs it and removes it from the table before package.preload sees it
    "env.guard": "env/guard.lua",
    # private likewise: the dry-run recorder (bridge.dry_save / bridge.dry_restore)
    "env.dryrun": "env/dryrun.lua",
}

#: Private library parts compiled once for each module that uses them, under a chunk name Lua shows
#: as that module's own (``=[string "<module>"]`` reads ``[string "<module>"]`` in an error, as
#: the module's chunk ``<module>`` does): shared code that meets the caller's values, so that an
#: error it raises names the module, as on live, where each module holds its own copy of such
#: code.  Registered as ``harness.lib.<part>@<module>``, which that module asks H.private for.
PER_MODULE_PARTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "harness.lib.crypto.hasher": (
        "lib/crypto/private/hasher.lua",
        (".crypto.digest.md4", ".crypto.digest.md5", ".crypto.digest.sha1", ".crypto.digest.sha2_256"),
    ),
    "harness.lib.crypto.blockcipher": (
        "lib/crypto/private/blockcipher.lua",
        (".crypto.cipher.aes128", ".crypto.cipher.aes192", ".crypto.cipher.aes256"),
    ),
    "harness.lib.crypto.mode": (
        "lib/crypto/private/mode.lua",
        (
            ".crypto.cipher.mode.ecb",
            ".crypto.cipher.mode.cbc",
            ".crypto.cipher.mode.cfb",
            ".crypto.cipher.mode.ofb",
            ".crypto.cipher.mode.ctr",
        ),
    ),
}
for _part, (_rel, _users) in PER_MODULE_PARTS.items():
    for _user in _users:
        RUNTIME_MODULES[f"{_part}@{_user}"] = _rel


def chunk_name(name: str) -> str:
    """The chunk name the registered module *name* compiles under: its own name, or for a part
    compiled for one module (``harness.lib.<part>@<module>``) the one shown as that module's."""
    _, at, user = name.partition("@")
    return f'=[string "{user}"]' if at else name


def runtime_file(chunk: str) -> str | None:
    """The file (under harness/lua) of a registered module's chunk name, if it is one."""
    return _FILE_OF_CHUNK.get(chunk)


#: The bridge's parts (harness/lua/bridge/, not aos): private chunks that bridge/main.lua, the
#: entry chunk Python runs (chunk name ``=harness``), takes out of the module table and runs
#: itself, so process code can never ``require`` them.
BRIDGE_PARTS: dict[str, str] = {
    "bridge.hooks": "bridge/hooks.lua",
    "bridge.modules": "bridge/modules.lua",
    "bridge.iteration": "bridge/iteration.lua",
    "bridge.message": "bridge/message.lua",
    "bridge.snapshot": "bridge/snapshot.lua",
}
RUNTIME_MODULES.update(BRIDGE_PARTS)
_FILE_OF_CHUNK = {chunk_name(name): rel for name, rel in RUNTIME_MODULES.items()}

#: The bridge's entry chunk and the chunk name it runs under.
BRIDGE_ENTRY = "bridge/main.lua"
BRIDGE_CHUNKNAME = "=harness"

#: what process code gets when it offers a precompiled chunk as source (see env/sandbox.lua)
BINARY_REFUSED = (
    "harness: binary (precompiled) chunks are refused: load Lua source text instead "
    "(live aos would load them, but a malformed one can crash the test run)"
)


@dataclass(frozen=True)
class Compiled:
    """The outcome of compiling one chunk: bytecode, or the Lua error message."""

    bytecode: bytes | None
    error: str | None


class _Compiler:
    """One ``encoding=None`` runtime per Lua version, used only to compile and ``string.dump``."""

    def __init__(self, version: str) -> None:
        self.version = version
        self._lua = new_runtime(version, encoding=None)
        self._compile = self._lua.eval(
            b"""function(src, name, as_expression, refused)
              local text = src
              if as_expression then text = 'return ' .. src end
              -- source text only: a chunk starting with ESC would be read as bytecode
              if string.byte(text, 1) == 27 then return nil, refused end
              local fn, err
              if _VERSION == 'Lua 5.1' and not jit then
                fn, err = loadstring(text, name)
              else
                fn, err = load(text, name, 't')
              end
              if not fn then return nil, err end
              return string.dump(fn), false
            end"""
        )
        self._refused = BINARY_REFUSED.encode()
        self._cache: dict[tuple[bytes, bytes, bool], Compiled] = {}
        self._lock = threading.Lock()

    def compile(self, source: str, chunkname: str, *, as_expression: bool = False) -> Compiled:
        key = (hashlib.sha256(source.encode()).digest(), chunkname.encode(), as_expression)
        with self._lock:
            hit = self._cache.get(key)
            if hit is None:
                code, err = self._compile(source.encode(), chunkname.encode(), as_expression, self._refused)
                hit = Compiled(
                    bytes(code) if code is not None else None,
                    err.decode("utf-8", "replace") if err else None,
                )
                self._cache[key] = hit
            return hit

    def compile_eval(self, source: str, chunkname: str) -> Compiled:
        """Compile like aos Eval: as ``return <source>`` first, then as a chunk."""
        first = self.compile(source, chunkname, as_expression=True)
        if first.bytecode is not None:
            return first
        return self.compile(source, chunkname)


@cache
def compiler(version: str) -> _Compiler:
    return _Compiler(normalise(version))


@cache
def runtime_modules(version: str) -> tuple[tuple[str, bytes, str], ...]:
    """Bytecode of our aos layer for *version*: ``(module name, bytecode, chunk name)``."""
    comp = compiler(version)
    out = []
    for name, rel in RUNTIME_MODULES.items():
        path = LUA_DIR / rel
        if not path.exists():
            continue
        chunk = chunk_name(name)
        result = comp.compile(path.read_text(encoding="utf-8"), chunk)
        if result.bytecode is None:
            raise RuntimeError(f"harness runtime module {rel} does not compile: {result.error}")
        out.append((name, result.bytecode, chunk))
    return tuple(out)


@cache
def runtime_bytecode(version: str) -> dict[str, bytes]:
    """Module name -> bytecode of ``runtime_modules`` (what a Lua state fetches on first load)."""
    return {name: code for name, code, _ in runtime_modules(version)}


@cache
def bridge_bytecode(version: str) -> bytes:
    comp = compiler(version)
    result = comp.compile((LUA_DIR / BRIDGE_ENTRY).read_text(encoding="utf-8"), BRIDGE_CHUNKNAME)
    if result.bytecode is None:
        raise RuntimeError(f"harness bridge does not compile: {result.error}")
    return result.bytecode
