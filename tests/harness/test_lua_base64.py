"""harness/lua/lib/base64.lua: standard padded base64, the same as Python's on every Lua."""

from __future__ import annotations

import base64 as pybase64
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.harness.lualib_helpers import VERSION_PARAMS, global_names, new_lua

_cache: dict[str, tuple[Any, Any]] = {}


def b64(version: str) -> tuple[Any, Any]:
    """(lua, module) in a bytes-in/bytes-out runtime (encoding=None), so any byte string passes."""
    if version not in _cache:
        lua = new_lua(version, encoding=None)
        _cache[version] = (lua, lua.eval(b"(require('.base64'))"))
    return _cache[version]


def decode_error(version: str, text: bytes) -> str:
    lua, _ = b64(version)
    ok, err = lua.eval(b"function(s) return pcall(require('.base64').decode, s) end")(text)
    assert ok is False, f"decode({text!r}) should raise"
    return err.decode()


@pytest.fixture(params=VERSION_PARAMS)
def version(request: pytest.FixtureRequest) -> str:
    return request.param


def test_module_defines_no_globals(version: str) -> None:
    lua = new_lua(version)
    before = global_names(lua)
    mod = lua.eval("(require('.base64'))")
    assert global_names(lua) == before
    assert mod.encode("hi") == "aGk="


def test_rfc4648_vectors(version: str) -> None:
    _, m = b64(version)
    vectors = {
        b"": b"",
        b"f": b"Zg==",
        b"fo": b"Zm8=",
        b"foo": b"Zm9v",
        b"foob": b"Zm9vYg==",
        b"fooba": b"Zm9vYmE=",
        b"foobar": b"Zm9vYmFy",
    }
    for raw, encoded in vectors.items():
        assert m.encode(raw) == encoded
        assert m.decode(encoded) == raw


@pytest.mark.parametrize("version", VERSION_PARAMS)
@given(data=st.binary(max_size=200))
@settings(max_examples=60, deadline=None)
def test_matches_python(version: str, data: bytes) -> None:
    _, m = b64(version)
    encoded = pybase64.b64encode(data)
    assert m.encode(data) == encoded
    assert m.decode(encoded) == data
    assert m.decode(encoded.rstrip(b"=")) == data  # padding may be omitted
    # whitespace (line breaks every 8 characters, as in MIME) is ignored
    wrapped = b"\r\n ".join(encoded[i : i + 8] for i in range(0, len(encoded), 8))
    assert m.decode(wrapped) == data


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b"Zm9v!mFy", "invalid character '!' at position 5"),
        (b"Zm9v\x00mFy", "invalid character byte 0x00 at position 5"),
        (b"Zm9v-_", "invalid character '-' at position 5"),  # URL-safe alphabet is not base64
        (b"Zg==Zm8=", "'=' padding is only allowed at the end"),
        (b"Z===", "'=' padding is only allowed at the end"),
        (b"Zm8==", "multiple of 4"),
        (b"Zm9vY", "truncated input"),
    ],
)
def test_bad_input_raises_with_what_and_where(version: str, text: bytes, message: str) -> None:
    assert message in decode_error(version, text)


def test_non_string_arguments_raise(version: str) -> None:
    lua, _ = b64(version)
    for fn in (b"encode", b"decode"):
        ok, err = lua.eval(b"function(f) return pcall(require('.base64')[f], {}) end")(fn)
        assert ok is False and b"expected a string, got table" in err
