"""harness/lua/lib/base64.lua: base64 as the live aos module has it, on every Lua.

Valid padded base64 (standard or with ``makeencoder``'s digits) is Python's.  What live does with
anything else is pinned here from the binary's answers (tests/live_module/test_libraries.py asks
the binary itself): characters that are not digits are dropped, an inner ``=`` is the digit 64,
and text that is not whole groups of four (unpadded base64 included) fails with Lua's own error.
"""

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


def error_of(version: str, fn: bytes, *args: Any) -> str:
    """The error *fn* (``encode``, ``decode``, ...) raises on *args*."""
    lua, _ = b64(version)
    ok, err = lua.eval(b"function(f, ...) return pcall(require('.base64')[f], ...) end")(fn, *args)
    assert ok is False, f"{fn.decode()}{args!r} should raise"
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
    assert sorted(lua.eval("function(m) local t = {} for k in pairs(m) do t[#t + 1] = k end return t end")(mod).values()) == [
        "decode",
        "encode",
        "makedecoder",
        "makeencoder",
    ]


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
        assert m.encode(raw, None, True) == encoded  # usecaching changes nothing
        assert m.decode(encoded, None, True) == raw


@pytest.mark.parametrize("version", VERSION_PARAMS)
@given(data=st.binary(max_size=200))
@settings(max_examples=60, deadline=None)
def test_matches_python(version: str, data: bytes) -> None:
    _, m = b64(version)
    encoded = pybase64.b64encode(data)
    assert m.encode(data) == encoded
    assert m.decode(encoded) == data
    # whitespace (line breaks every 8 characters, as in MIME) is dropped
    wrapped = b"\r\n ".join(encoded[i : i + 8] for i in range(0, len(encoded), 8))
    assert m.decode(wrapped) == data
    # the URL-safe digits, padding kept
    url = pybase64.urlsafe_b64encode(data)
    assert m.encode(data, m.makeencoder(b"-", b"_")) == url
    assert m.decode(url, m.makedecoder(b"-", b"_")) == data


#: what the live binary answered (bytes in, bytes out)
LENIENT = {
    b"aGVs!bG8=": b"hello",  # not a digit: dropped
    b"aGVs\x00bG8=": b"hello",
    b"aGVs\xc8bG8=": b"hello",
    b"-_-_": b"",  # the URL-safe digits are not the standard decoder's
    b"aG=sbG8=": b"hp,lo",  # an inner "=" is the digit 64
    b"aGVsbG8=aGVs": b"hello@hel",
    b"====": b"\x04",
    b"x===": b"\xc8",
    b"Zm9vY===": b"foo\x64",
    b"Zm9v=": b"foo\x9b\xdb",
    b"Zm9v==": b"foo\xf6",
    b"ab==": b"\x69",
    b"abc=": b"\x69\xb7",
}


@pytest.mark.parametrize(("text", "expected"), list(LENIENT.items()), ids=[k.decode("latin-1") for k in LENIENT])
def test_decode_is_as_lenient_as_live(version: str, text: bytes, expected: bytes) -> None:
    _, m = b64(version)
    assert m.decode(text) == expected


@pytest.mark.parametrize("text", [b"aGVsbG8", b"Zg", b"a", b"Zg=", b"=", b"==", b"a=", b"Zm9vY"])
def test_text_not_in_whole_groups_fails_with_luas_arithmetic_error(version: str, text: bytes) -> None:
    """Unpadded base64 included: live's decode raises, so a process that relies on it fails there."""
    message = error_of(version, b"decode", text)
    assert "perform arithmetic on" in message and "nil value" in message


@pytest.mark.parametrize(
    ("fn", "arg", "words"),
    [
        (b"encode", 123, ("length", "str")),
        (b"decode", 123, ("index", "b64")),
        (b"decode", None, ("index", "b64")),
    ],
)
def test_non_string_arguments_fail_with_luas_own_error(version: str, fn: bytes, arg: Any, words: tuple[str, str]) -> None:
    message = error_of(version, fn, arg)
    assert all(w in message for w in words), message


def test_a_table_of_length_zero_encodes_as_nothing(version: str) -> None:
    lua, m = b64(version)
    assert m.encode(lua.table()) == b""  # (#{} is 0: live's answer too)


def test_makeencoder_and_makedecoder(version: str) -> None:
    lua, m = b64(version)
    enc = m.makeencoder()
    digits = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="
    assert [enc[i] for i in range(65)] == list(digits)
    dec = m.makedecoder()
    assert {int(k): v for k, v in dec.items()} == {c: i for i, c in enumerate(digits)}
    url = m.makeencoder(b"-", b"_", b".")
    assert (url[62], url[63], url[64]) == (ord("-"), ord("_"), ord("."))
    first = m.makeencoder(b"ab")
    assert first[62] == ord("a")
    # where two digits share a character, the decoder keeps the digit 0 (live's answer)
    assert m.makedecoder(b"A", b"/")[ord("A")] == 0
    assert m.encode(b"\xff\xfe\xfd\xfc", m.makeencoder(b"-", b"_", b".")) == b"__79_A.."
    # a custom padding character is not padding to decode: only "=" is
    assert m.decode(b"Zg==", m.makedecoder(None, None, b".")) == b"f"
    assert "nil value" in error_of(version, b"decode", b"__79_A..", m.makedecoder(b"-", b"_", b"."))
    assert "char" in error_of(version, b"decode", b"aa", lua.table())  # a decoder without digits 62, 63
