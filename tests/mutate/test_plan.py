"""The operators on small chunks, and the pragma forms."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.mutate.operators import mutants_of
from harness.mutate.plan import MutateError, make_plan, pragmas


def described(text: str) -> set[tuple[str, str]]:
    return {(m.operator, m.apply(text)) for m in mutants_of(text, "x.lua")}


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("local a = b < c", {("relational", "local a = b <= c")}),
        ("local a = b >= c", {("relational", "local a = b > c")}),
        ("local a = b == c", {("equality", "local a = b ~= c")}),
        ("local a = b and c", {("logical", "local a = b or c")}),
        ("local a = not b", {("not", "local a = b")}),
        ("local a = b - c", {("arithmetic", "local a = b + c")}),
        ("local a = -b", set()),
        ("local a = b // c", {("arithmetic", "local a = b / c")}),
        ("local a = 0", {("constant", "local a = 1")}),
        ("local a = 7", set()),
        ("local a = true", {("constant", "local a = false")}),
        ('local a = "42"', {("constant", 'local a = "43"')}),
        ('local a = "4x"', set()),
        ("X = y", {("assign", "do end")}),
        ("t.k = y", {("assign", "do end")}),
        ("x = y", set()),
        ("local x = y", set()),
        ("Send({ Target = t })", {("send", "do end")}),
        ("msg.reply({ Action = a })", {("send", "do end")}),
        ("local r = ao.send({ Target = t })", set()),
        ("if a then return end", {("guard", "if false then return end")}),
        ("if a then b() end", set()),
    ],
)
def test_each_operator(code: str, expected: set[tuple[str, str]]) -> None:
    assert described(code) == expected


def test_assignment_deletion_covers_the_whole_expression() -> None:
    text = "T[k] = f(a, { b = function() return 1 end }) .. 'x' and y:z(1)[2]\nlocal after = 1\n"
    (m,) = [m for m in mutants_of(text, "x.lua") if m.operator == "assign"]
    assert m.apply(text) == "do end\nlocal after = 1\n"


def test_pragma_forms() -> None:
    text = (
        "local a = b and c or d -- ao-mutate: skip(logical:or) only the or\n"
        "-- ao-mutate: skip every mutant of the next code line\n"
        "\n"
        "local e = f < g\n"
    )
    marks = pragmas(text, "x.lua")
    assert sorted(marks) == [1, 4]
    (first,) = marks[1]
    kinds = {(m.operator, m.original): first.matches(m) for m in mutants_of(text, "x.lua") if m.line == 1}
    assert kinds == {("logical", "and"): False, ("logical", "or"): True}
    at = pragmas('local z = "0" .. "0" -- ao-mutate: skip(constant@18) the second\n', "x.lua")[1][0]
    assert [at.matches(m) for m in mutants_of('local z = "0" .. "0"\n', "x.lua")] == [False, True]
    assert marks[4][0].operators is None and marks[4][0].reason == "every mutant of the next code line"


@pytest.mark.parametrize(
    ("comment", "error"),
    [
        ("-- ao-mutate: skip(nope) why", "x.lua:1: ao-mutate pragma names unknown operator(s) nope"),
        ("-- ao-mutate: keep", "x.lua:1: unknown ao-mutate pragma 'keep'"),
        ("-- ao-mutate: skip(guard)", "x.lua:1: the ao-mutate pragma needs a reason"),
    ],
)
def test_bad_pragmas(comment: str, error: str) -> None:
    with pytest.raises(MutateError) as info:
        pragmas(f"local a = 1 {comment}\n", "x.lua")
    assert str(info.value).startswith(error)
    assert "\n" not in str(info.value)


def test_plan_skips_marked_mutants_and_keeps_the_reason(tmp_path: Path) -> None:
    (tmp_path / "a.lua").write_text("local x = y < z -- ao-mutate: skip(relational) proven\nlocal w = 0\n")
    plan = make_plan(tmp_path, ["a.lua"])
    assert [(m.operator, why) for m, why in plan.skipped] == [("relational", "proven")]
    assert [m.operator for m in plan.mutants] == ["constant"]
