"""ao/lib/amount.lua as a process loads it (``require("lib.amount")`` through the harness, so
``--ao-cov`` and ``ao-harness mutate`` see these tests run it): every function against Python
ints, exact error texts, and each boundary of the canonical form."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness import Network

CALLER = """
local json = require("json")
local amount = require("lib.amount")
Handlers.add("Call", "Call", function(msg)
  local call = json.decode(msg.Data)
  local n = call.n or #call.args
  local r = table.pack(pcall(amount[call.fn], table.unpack(call.args, 1, n)))
  if not r[1] then
    msg.reply({ Data = json.encode({ error = tostring(r[2]) }) })
  else
    local out = {}
    for i = 2, r.n do
      if r[i] ~= nil then out[tostring(i - 1)] = r[i] end
    end
    msg.reply({ Data = json.encode({ values = out, n = r.n - 1 }) })
  end
end)
"""

HYP = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
values = st.one_of(
    st.integers(min_value=0, max_value=10**30 - 1),
    st.integers(min_value=0, max_value=10**4),
    st.sampled_from([0, 1, 9, 10, 99, 100, 10**6 - 1, 10**6, 10**29, 10**30 - 1]),
)


class Amount:
    def __init__(self, ao: Network) -> None:
        self.proc = ao.spawn(source=CALLER, name="amount-caller")

    def __call__(self, fn: str, *args: Any) -> Any:
        body = {"fn": fn, "args": list(args), "n": len(args)}
        out = json.loads(self.proc.send({"Action": "Call"}, data=json.dumps(body)).reply.data)
        if "error" in out:
            raise ValueError(out["error"])
        vals = out["values"] or {}
        got = tuple(vals.get(str(i)) for i in range(1, out["n"] + 1))
        return got[0] if len(got) == 1 else got


@pytest.fixture
def amt(ao: Network) -> Amount:
    return Amount(ao)


@pytest.mark.parametrize(
    ("value", "why"),
    [
        (5, "must be a string of digits, got number"),
        ("", "is empty"),
        ("1" * 31, "is too long (31 characters, at most 30 digits)"),
        ("1 2", "has a space at position 2 (only digits 0-9 are allowed)"),
        ("/", "has '/' at position 1 (only digits 0-9 are allowed)"),
        ("9:", "has ':' at position 2 (only digits 0-9 are allowed)"),
        ("1\x1f", "has byte 31 at position 2 (only digits 0-9 are allowed)"),
        ("!", "has '!' at position 1 (only digits 0-9 are allowed)"),
        ("~", "has '~' at position 1 (only digits 0-9 are allowed)"),
        ("\x7f", "has byte 127 at position 1 (only digits 0-9 are allowed)"),
        ("01", "has a leading zero"),
    ],
)
def test_check_reasons_exactly(amt: Amount, value: Any, why: str) -> None:
    assert amt("check", value) == (None, why)
    assert amt("check_positive", value) == (None, why)
    assert amt("is_canonical", value) is False


def test_check_accepts_the_edges(amt: Amount) -> None:
    for ok in ("0", "9", "10", "1" * 30):
        assert amt("check", ok) == ok
        assert amt("is_canonical", ok) is True
    assert amt("check_positive", "1") == "1"
    assert amt("check_positive", "0") == (None, "must be greater than zero")


@pytest.mark.parametrize(
    ("fn", "args"),
    [("add", ["01", "1"]), ("add", ["1", "/"]), ("sub", ["5", ":"]), ("mul", ["", "2"]), ("cmp", [1, "1"]),
     ("lt", ["1", "00"]), ("divmod", ["1", "a"]), ("from_whole", ["x", 6]), ("ratio", ["1", " 1"])],
)  # fmt: skip
def test_arithmetic_refuses_non_canonical_arguments(amt: Amount, fn: str, args: list[Any]) -> None:
    shown = "cmp" if fn == "lt" else fn  # lt checks its arguments through cmp
    with pytest.raises(ValueError, match=rf"amount\.{shown}: argument \d is not a canonical amount: "):
        amt(fn, *args)


def test_error_texts_of_the_guards(amt: Amount) -> None:
    with pytest.raises(ValueError, match=r"amount\.sub: .*would be negative"):
        amt("sub", "1", "2")
    with pytest.raises(ValueError, match=r"amount\.divmod: division by zero"):
        amt("divmod", "1", "0")
    with pytest.raises(ValueError, match=r"amount\.scaled_ratio: division by zero"):
        amt("scaled_ratio", "1", "0", 6)
    for bad in (-1, 1.5, 2**53):
        with pytest.raises(ValueError, match=r"amount\.from_int: need a non-negative integer below 2\^53"):
            amt("from_int", bad)
    for bad in (-1, 0.5):
        with pytest.raises(ValueError, match=r"amount\.pow10: need a non-negative integer exponent"):
            amt("pow10", bad)
    assert amt("from_int", 2**53 - 1) == str(2**53 - 1)
    assert amt("from_int", 0) == "0"
    assert amt("pow10", 0) == "1"


@HYP
@given(a=values, b=values)
def test_arithmetic_and_comparisons_match_python(amt: Amount, a: int, b: int) -> None:
    sa, sb = str(a), str(b)
    assert amt("add", sa, sb) == str(a + b)
    assert amt("mul", sa, sb) == str(a * b)
    assert amt("cmp", sa, sb) == (a > b) - (a < b)
    assert (amt("lt", sa, sb), amt("le", sa, sb), amt("gt", sa, sb), amt("ge", sa, sb), amt("eq", sa, sb)) == (
        a < b, a <= b, a > b, a >= b, a == b)  # fmt: skip
    assert amt("min", sa, sb) == str(min(a, b)) and amt("max", sa, sb) == str(max(a, b))
    if a >= b:
        assert amt("sub", sa, sb) == str(a - b) == amt("try_sub", sa, sb)
    else:
        assert amt("try_sub", sa, sb) is None
    if b:
        assert amt("divmod", sa, sb) == (str(a // b), str(a % b))
        assert amt("div", sa, sb) == str(a // b)
        assert amt("scaled_ratio", sa, sb, 6) == str(a * 10**6 // b)
    assert amt("sum", [sa, sb, "1"]) == str(a + b + 1)


@pytest.mark.parametrize(
    ("args", "expected"),
    [(("912500", 6), "0.9125"), (("1000000", 6), "1"), (("5", 6), "0.000005"), (("123", 0), "123"),
     (("0", 6), "0"), (("1234567", 6), "1.234567"), (("100", 2), "1")],
)  # fmt: skip
def test_format_scaled(amt: Amount, args: tuple[str, int], expected: str) -> None:
    assert amt("format_scaled", *args) == expected


@pytest.mark.parametrize(
    ("args", "expected"),
    [(("1", "3"), "0.333333"), (("2", "1"), "2"), (("0", "5"), "0"), (("5", "0"), "0"), (("3", "2", 1), "1.5"),
     (("10", "4", 0), "2")],
)  # fmt: skip
def test_ratio(amt: Amount, args: tuple[Any, ...], expected: str) -> None:
    assert amt("ratio", *args) == expected


def test_from_whole_and_helpers(amt: Amount) -> None:
    assert amt("from_whole", "50000", 6) == "50000000000"
    assert amt("from_whole", "0", 6) == "0"
    assert amt("is_zero", "0") is True and amt("is_zero", "10") is False
    assert amt("sum", []) == "0"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1", "1000000"), ("0.95", "950000"), ("2.0", "2000000"), ("0", "0"), ("0.000001", "1"), ("0.0", "0"),
     ("1.123456", "1123456")],
)  # fmt: skip
def test_parse_decimal(amt: Amount, text: str, expected: str) -> None:
    assert amt("parse_decimal", text, 6) == expected


@pytest.mark.parametrize(
    ("text", "why"),
    [(5, "must be a decimal string, got number"), ("1.1234567", "has more than 6 decimals"), ("01.5", "has a leading zero"),
     ("", "is empty"), ("1.", "has '.' at position 2 (only digits 0-9 are allowed)"), ("-1", "has '-' at position 1 (only digits 0-9 are allowed)")],
)  # fmt: skip
def test_parse_decimal_refusals(amt: Amount, text: Any, why: str) -> None:
    assert amt("parse_decimal", text, 6) == (None, why)


@pytest.mark.parametrize(
    ("fn", "extra"),
    [("add", []), ("sub", []), ("try_sub", []), ("mul", []), ("divmod", []), ("cmp", []),
     ("scaled_ratio", [6]), ("ratio", [6])],
)  # fmt: skip
def test_errors_name_the_bad_argument(amt: Amount, fn: str, extra: list[Any]) -> None:
    with pytest.raises(ValueError, match=rf"amount\.{fn}: argument 1 is not a canonical amount: 'x'$"):
        amt(fn, "x", "1", *extra)
    with pytest.raises(ValueError, match=rf"amount\.{fn}: argument 2 is not a canonical amount: number$"):
        amt(fn, "1", 7, *extra)


@pytest.mark.parametrize(("fn", "args"), [("from_whole", ["x", 6]), ("format_scaled", ["x", 6])])
def test_one_argument_errors(amt: Amount, fn: str, args: list[Any]) -> None:
    with pytest.raises(ValueError, match=rf"amount\.{fn}: argument 1 is not a canonical amount: 'x'$"):
        amt(fn, *args)


def test_powers_and_scaled_ratios(amt: Amount) -> None:
    assert amt("pow10", 6) == "1000000" and amt("pow10", 1) == "10"
    assert amt("scaled_ratio", "0", "1", 6) == "0"
    assert amt("scaled_ratio", "1", "1", 6) == "1000000"
    assert amt("scaled_ratio", "1", "1", 0) == "1"
    assert amt("min", "5", "5") == "5" and amt("max", "5", "5") == "5"


def test_is_zero_checks_its_argument(amt: Amount) -> None:
    with pytest.raises(ValueError, match=r"amount\.is_zero: argument 1 is not a canonical amount: 'x'$"):
        amt("is_zero", "x")


def test_multiplication_by_one_and_zero(amt: Amount) -> None:
    assert (amt("mul", "1", "7"), amt("mul", "7", "1"), amt("mul", "1", "1")) == ("7", "7", "1")
    assert (amt("mul", "0", "5"), amt("mul", "5", "0")) == ("0", "0")
