"""ao/lib/amount.lua: exact amount arithmetic, checked against Python ints on every Lua."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness.lua_versions import new_runtime

AMOUNT_LUA = Path(__file__).resolve().parents[2] / "ao" / "lib" / "amount.lua"
VERSIONS = ["5.1", "5.2", "5.3", "5.4", "jit"]
MAX_DIGITS = 30

_modules: dict[str, Any] = {}


def load(version: str) -> Any:
    """The amount module loaded into a plain runtime of *version* (cached per version)."""
    if version not in _modules:
        rt = new_runtime(version)
        _modules[version] = rt.execute(AMOUNT_LUA.read_text())
    return _modules[version]


@pytest.fixture(params=VERSIONS)
def amt(request: pytest.FixtureRequest) -> Any:
    return load(request.param)


# Values up to MAX_DIGITS digits, biased towards edges (0, powers of ten, carries).
values = st.one_of(
    st.integers(min_value=0, max_value=10**MAX_DIGITS - 1),
    st.integers(min_value=0, max_value=10**6),
    st.sampled_from([0, 1, 9, 10, 99, 100, 999_999, 10**6, 10**15, 2**53, 2**53 + 1, 2**63, 10**29, 10**30 - 1]),
)
HYP = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def test_module_shape(amt: Any) -> None:
    assert amt.MAX_DIGITS == MAX_DIGITS
    for name in ("check", "check_positive", "cmp", "add", "sub", "mul", "divmod", "ratio"):
        assert amt[name] is not None, name


@HYP
@given(a=values, b=values)
def test_arithmetic_matches_python(amt: Any, a: int, b: int) -> None:
    sa, sb = str(a), str(b)
    assert amt.add(sa, sb) == str(a + b)
    assert amt.mul(sa, sb) == str(a * b)
    assert amt.cmp(sa, sb) == (a > b) - (a < b)
    assert amt.lt(sa, sb) is (a < b)
    assert amt.ge(sa, sb) is (a >= b)
    assert amt.eq(sa, sb) is (a == b)
    hi, lo = max(a, b), min(a, b)
    assert amt.sub(str(hi), str(lo)) == str(hi - lo)
    if hi != lo:
        assert amt.try_sub(str(lo), str(hi)) is None
    if b > 0:
        q, r = amt.divmod(sa, sb)
        assert (q, r) == (str(a // b), str(a % b))
        assert amt.div(sa, sb) == str(a // b)


@HYP
@given(a=values, b=st.integers(min_value=1, max_value=10**MAX_DIGITS - 1), places=st.integers(0, 8))
def test_ratio_matches_python(amt: Any, a: int, b: int, places: int) -> None:
    scaled = a * 10**places // b
    assert amt.scaled_ratio(str(a), str(b), places) == str(scaled)
    whole, frac = divmod(scaled, 10**places)
    expected = str(whole)
    frac_text = str(frac).rjust(places, "0").rstrip("0") if places else ""
    if frac_text:
        expected += "." + frac_text
    assert amt.ratio(str(a), str(b), places) == expected


def test_ratio_examples(amt: Any) -> None:
    assert amt.ratio("3650", "4000", 6) == "0.9125"
    assert amt.ratio("1000", "1000", 6) == "1"
    assert amt.ratio("750", "500", 6) == "1.5"
    assert amt.ratio("1", "3", 6) == "0.333333"  # truncated, never rounded
    assert amt.ratio("5", "0", 6) == "0"
    assert amt.format_scaled("5", 6) == "0.000005"


@HYP
@given(a=values)
def test_check_accepts_every_canonical_value(amt: Any, a: int) -> None:
    assert amt.check(str(a)) == str(a)
    assert amt.is_canonical(str(a)) is True
    if a > 0:
        assert amt.check_positive(str(a)) == str(a)


MALFORMED = {
    "": "is empty",
    "-1": "'-'",
    "+1": "'+'",
    "-0": "'-'",
    " 5": "a space",
    "5 ": "a space",
    "\t5": "byte 9",
    "5\n": "byte 10",
    "1 000": "a space",
    "0x10": "'x'",
    "0X1F": "'X'",
    "ff": "'f'",
    "1e3": "'e'",
    "1E3": "'E'",
    "1e+3": "'e'",
    "1.5": "'.'",
    "1.0": "'.'",
    "100.": "'.'",
    ".5": "'.'",
    "1,000": "','",
    "1_000": "'_'",
    "007": "leading zero",
    "00": "leading zero",
    "0123456": "leading zero",
    "1" * (MAX_DIGITS + 1): "too long",
    "9" * 1000: "too long",
    "inf": "'i'",
    "nan": "'n'",
    "١٢": "byte",  # Arabic-Indic digits are not ASCII digits
}


@pytest.mark.parametrize("text", list(MALFORMED), ids=[repr(t)[:24] for t in MALFORMED])
def test_check_rejects_malformed(amt: Any, text: str) -> None:
    result = amt.check(text)
    assert isinstance(result, tuple), f"{text!r} was accepted"
    value, why = result
    assert value is None
    assert MALFORMED[text] in why
    value, why = amt.check_positive(text)
    assert value is None
    assert MALFORMED[text] in why
    assert amt.is_canonical(text) is False


def test_check_positive_rejects_zero(amt: Any) -> None:
    assert amt.check("0") == "0"
    value, why = amt.check_positive("0")
    assert value is None
    assert why == "must be greater than zero"


def test_check_rejects_non_strings(amt: Any) -> None:
    for bad in (5, 1.5, None, True):
        value, why = amt.check(bad)
        assert value is None
        assert "must be a string of digits" in why


def test_max_length_is_accepted(amt: Any) -> None:
    assert amt.check("9" * MAX_DIGITS) == "9" * MAX_DIGITS


@HYP
@given(text=st.text(max_size=40))
def test_check_agrees_with_python_definition(amt: Any, text: str) -> None:
    canonical = (
        0 < len(text.encode()) <= MAX_DIGITS
        and all(c in "0123456789" for c in text)
        and (text == "0" or not text.startswith("0"))
    )
    result = amt.check(text)
    if canonical:
        assert result == text
    else:
        assert isinstance(result, tuple) and result[0] is None


def test_arithmetic_rejects_non_canonical_arguments(amt: Any) -> None:
    from lupa import LuaError  # every lupa flavour shares this exception type name

    for fn, args in (("add", ("01", "1")), ("sub", ("5", "1.0")), ("mul", ("1e3", "2")), ("cmp", (" 1", "1"))):
        with pytest.raises(Exception) as info:
            amt[fn](*args)
        assert "not a canonical amount" in str(info.value)
        assert info.type.__name__ == LuaError.__name__


def test_sub_never_goes_negative(amt: Any) -> None:
    with pytest.raises(Exception, match="would be negative"):
        amt.sub("1", "2")
    with pytest.raises(Exception, match="division by zero"):
        amt.divmod("1", "0")


def test_helpers(amt: Any) -> None:
    assert amt.from_whole("50000", 6) == "50000000000"
    assert amt.from_whole("0", 6) == "0"
    assert amt.pow10(6) == "1000000"
    assert amt.from_int(0) == "0"
    assert amt.from_int(4) == "4"
    assert amt.from_int(2**52) == str(2**52)
    with pytest.raises(Exception, match="non-negative integer"):
        amt.from_int(1.5)
    assert amt.min("10", "9") == "9"
    assert amt.max("10", "9") == "10"
    assert amt.is_zero("0") is True
    assert amt.is_zero("10") is False


def test_no_forbidden_constructs_in_source() -> None:
    """Exact on every Lua: no floats parsed from amounts, no 5.3-only operators."""
    code = "\n".join(line.split("--", 1)[0] for line in AMOUNT_LUA.read_text().splitlines())
    assert "tonumber" not in code
    assert "//" not in code
    for op in ("~", "<<", ">>", "&", "|"):
        stripped = code.replace("~=", "")
        assert op not in stripped, f"operator {op!r} in amount.lua"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1", "1000000"), ("1.0", "1000000"), ("0.95", "950000"), ("2.0", "2000000"), ("0", "0"),
     ("0.000001", "1"), ("12.5", "12500000")],
)
def test_parse_decimal_accepts(amt: Any, text: str, expected: str) -> None:
    assert amt.parse_decimal(text, 6) == expected


@pytest.mark.parametrize("text", ["", "-1", "+1", "1e3", "0x1", "1.", ".5", "01.5", "1.0000001", " 1", "1.5.5", "1,5"])
def test_parse_decimal_rejects(amt: Any, text: str) -> None:
    value, why = amt.parse_decimal(text, 6)
    assert value is None
    assert why
