"""The Lua layout a newcomer can name: harness/lua/aos/ holds aos's modules, file for file as
upstream aos's process/*.lua, and nothing else; the harness's private bridge lives in
harness/lua/bridge/, one job a file, none of it requirable by process code."""

from __future__ import annotations

import pytest

from harness import Network
from harness.chunks import BRIDGE_ENTRY, BRIDGE_PARTS, LUA_DIR, RUNTIME_MODULES
from tests.harness.lualib_helpers import VERSION_PARAMS

#: aos's own process modules (their package names in the live aos 2.0.6 binary)
AOS_MODULES = {".ao", ".assignment", ".boot", ".default", ".eval", ".handlers", ".handlers-utils", ".process",
               ".utils"}


def test_aos_dir_maps_file_for_file_to_aos_modules() -> None:
    files = {p.name for p in (LUA_DIR / "aos").glob("*.lua")}
    by_file = {rel: name for name, rel in RUNTIME_MODULES.items()}
    names = set()
    for f in sorted(files):
        name = by_file.get(f"aos/{f}")
        assert name is not None, f"harness/lua/aos/{f} is not registered in chunks.RUNTIME_MODULES"
        assert name == "." + f.removesuffix(".lua"), f"aos/{f} is registered as {name!r}"
        names.add(name)
    assert names == AOS_MODULES


def test_bridge_dir_holds_the_entry_and_the_registered_parts() -> None:
    files = {f"bridge/{p.name}" for p in (LUA_DIR / "bridge").glob("*.lua")}
    assert files == {BRIDGE_ENTRY, *BRIDGE_PARTS.values()}
    assert all(name.startswith("bridge.") for name in BRIDGE_PARTS)


@pytest.mark.parametrize("version", VERSION_PARAMS)
def test_bridge_parts_are_not_requirable(version: str) -> None:
    p = Network(lua=version).spawn(source="")
    names = ", ".join(f'"{n}"' for n in BRIDGE_PARTS)
    r = p.eval(
        f"local out = {{}}\n"
        f"for _, n in ipairs({{ {names} }}) do\n"
        f"  local ok = pcall(require, n)\n"
        f"  out[#out + 1] = n .. '=' .. tostring(ok) .. '/' .. type(package.preload[n]) .. '/' .. type(package.loaded[n])\n"
        f"end\n"
        f"return table.concat(out, ' ')"
    )
    assert r.error is None, r.error
    assert r.output == " ".join(f"{n}=false/nil/nil" for n in BRIDGE_PARTS)
