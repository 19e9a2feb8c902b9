"""Our .bint: 256-bit two's complement integers with lua-bint's API, exact on every Lua."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness import Network
from harness.lua_versions import new_runtime

LIB = Path(__file__).resolve().parents[2] / "harness" / "lua" / "lib" / "bint.lua"
M = 2**256
I256 = st.integers(min_value=-(2**255), max_value=2**255 - 1)


def wrap(n: int) -> int:
    n %= M
    return n - M if n >= 2**255 else n


_cache: dict[str, tuple[Any, Any]] = {}


def lua_ops(version: str) -> tuple[Any, Any]:
    if version not in _cache:
        rt = new_runtime(version)
        bint = rt.execute(LIB.read_text())(256)
        ops = rt.eval(
            """function(bint, a, b)
              local x, y = bint(a), bint(b)
              local q, r = bint.tdivmod(x, y)
              local fq, fr = bint.idivmod(x, y)
              return tostring(x + y), tostring(x - y), tostring(x * y), tostring(fq), tostring(fr),
                     tostring(q), tostring(r), x < y, x <= y, x == bint(a), tostring(-x)
            end"""
        )
        _cache[version] = (bint, ops)
    return _cache[version]


@pytest.mark.parametrize("version", ["5.1", "5.2", "5.3", "5.4", "jit"])
@settings(max_examples=80, deadline=None)
@given(a=I256, b=I256.filter(lambda n: n != 0))
def test_arithmetic_matches_python_modulo_2_256(version: str, a: int, b: int) -> None:
    bint, ops = lua_ops(version)
    tq = abs(a) // abs(b) * (1 if (a >= 0) == (b >= 0) else -1)
    expected = (
        str(wrap(a + b)),
        str(wrap(a - b)),
        str(wrap(a * b)),
        str(a // b),
        str(a % b),
        str(tq),
        str(a - tq * b),
        a < b,
        a <= b,
        True,
        str(wrap(-a)),
    )
    assert tuple(ops(bint, str(a), str(b))) == expected


def test_parsing_and_conversions() -> None:
    bint, _ = lua_ops("5.3")
    assert bint.tostring(bint("0xff")) == "255"
    assert bint.tobase(bint(255), 16) == "ff"
    assert bint.tostring(bint(-5)) == "-5"
    assert bint.tobint("1.5") is None
    assert bint.tobint("abc") is None
    assert bint.tonumber(bint("123")) == 123
    assert bint.tostring(bint.ipow(bint(2), 255)) == str(-(2**255))  # wraps
    assert bint.tostring(bint.frombase("777", 8)) == "511"
    for bad in ("1.5", "abc", ""):
        with pytest.raises(Exception, match="value cannot be represented by a bint"):
            bint(bad)
    with pytest.raises(Exception, match="divide by zero"):
        bint.udivmod(bint(1), bint(0))


def test_processes_use_it_like_the_token_blueprint(ao: Network) -> None:
    p = ao.spawn(
        source="""
        local bint = require('.bint')(256)
        Balance = Balance or '10000000000000000'
        Handlers.add('add', 'Add', function(msg)
          Balance = tostring(bint(Balance) + bint(msg.Tags.Quantity))
        end)
        """
    )
    p.send({"Action": "Add", "Quantity": "99999999999999999999"})
    assert p.globals["Balance"] == str(10000000000000000 + 99999999999999999999)
    r = p.send({"Action": "Add", "Quantity": "1.5"})
    assert r.error is not None and "cannot be represented by a bint" in r.error
    assert p.globals["Balance"] == str(10000000000000000 + 99999999999999999999)
