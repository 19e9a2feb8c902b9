"""The tokenizer and the operators never touch a string or a comment (hypothesis over generated Lua)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness import chunks
from harness.mutate.lexer import LuaSyntaxError, lex, tokenize
from harness.mutate.operators import mutants_of

# text that would be mutated if it were code: every operator's trigger
TRAPS = ["<", "<=", ">", ">=", "==", "~=", " and ", " or ", "not ", "+", "-", "*", "/", "%", "//", " 0 ", " 1 ",
         "true", "false", '"7"', "if x then return end", "Send({})", "msg.reply({})", "State = 1", "]]", "]=]",
         "--", "[[", "\\", "'", '"', "\n"]  # fmt: skip
CODE = [  # no string literals here: the generator places (and records) them
    "local a = 1",
    "if a < b then return end",
    "local c = (a + 1) * 2 - b / 3 % 4",
    "X = a == b and c ~= d or not e",
    "Send({ Target = t, Quantity = q })",
    "msg.reply({ Action = a })",
    "Balances[k] = amount.add(Balances[k] or z, q)",
    "local f = a >= 0 and b <= 1",
    "if not ok then error(e) end",
]


@st.composite
def string_literal(draw: st.DrawFn) -> str:
    body = "".join(draw(st.lists(st.sampled_from([*TRAPS, "x", " ", "é"]), max_size=6)))
    kind = draw(st.sampled_from(["dq", "sq", "long"]))
    if kind == "long":
        level = draw(st.integers(0, 3))
        close = "]" + "=" * level + "]"
        body = body.replace(close, "")
        # a body ending in "]" followed by the closing bracket would close early for "]]"
        while body.endswith("]") or close in body + close[:-1]:
            body = body[:-1].replace(close, "")
        return "[" + "=" * level + "[" + body + close
    quote = '"' if kind == "dq" else "'"
    escaped = ""
    for ch in body:
        if ch == "\\":
            escaped += draw(st.sampled_from(["\\\\", "\\n", "\\z  ", "\\x41", "\\65", "\\u{48}"]))
        elif ch == quote:
            escaped += "\\" + quote
        elif ch == "\n":
            escaped += "\\\n"
        else:
            escaped += ch
    return quote + escaped + quote


@st.composite
def comment(draw: st.DrawFn) -> str:
    body = "".join(draw(st.lists(st.sampled_from([t for t in TRAPS if t != "\n"] + ["x"]), max_size=6)))
    if draw(st.booleans()):
        level = draw(st.integers(0, 3))
        close = "]" + "=" * level + "]"
        body = (body + "\n" + body).replace(close, "")
        while body.endswith("]") or close in body + close[:-1]:
            body = body[:-1].replace(close, "")
        return "--[" + "=" * level + "[" + body + close
    return "--" + body.replace("[", "(") + "\n"


@st.composite
def program(draw: st.DrawFn) -> tuple[str, list[tuple[int, int]]]:
    """Lua text and the (start, end) of every string and comment in it."""
    text = ""
    spans: list[tuple[int, int]] = []
    for _ in range(draw(st.integers(1, 8))):
        choice = draw(st.sampled_from(["code", "string", "comment"]))
        if choice == "code":
            text += draw(st.sampled_from(CODE)) + "\n"
        elif choice == "string":
            lit = draw(string_literal())
            prefix = "local s = "
            spans.append((len(text) + len(prefix), len(text) + len(prefix) + len(lit)))
            text += prefix + lit + "\n"
        else:
            c = draw(comment())
            spans.append((len(text), len(text) + len(c.rstrip("\n"))))
            text += c + ("" if c.endswith("\n") else "\n")
    return text, spans


@settings(max_examples=300, deadline=None)
@given(program())
def test_no_token_or_mutant_inside_a_string_or_comment(generated: tuple[str, list[tuple[int, int]]]) -> None:
    text, spans = generated
    tokens = tokenize(text)
    strings = {(t.start, t.end) for t in tokens if t.kind == "string"}
    for s, e in spans:
        for t in tokens:
            if (t.start, t.end) == (s, e):
                continue  # a whole string literal is one token
            assert t.end <= s or t.start >= e, (t, text[s:e])
    assert strings <= set(spans)
    for m in mutants_of(text, "gen.lua"):
        for s, e in spans:
            if m.operator == "constant" and (m.start, m.end) == (s, e):
                continue  # a string amount replaced as a whole
            inside = s < m.start < e or s < m.end < e
            # a deleted statement may contain a whole string, never cut one
            assert not inside, (m, text[s:e])


@settings(max_examples=100, deadline=None)
@given(program())
def test_every_mutant_of_valid_lua_is_applied_at_token_boundaries(
    generated: tuple[str, list[tuple[int, int]]],
) -> None:
    text, _ = generated
    compiler = chunks.compiler("5.3")
    assert compiler.compile_eval(text, "=gen").bytecode is not None, text
    starts = {t.start for t in tokenize(text)}
    for m in mutants_of(text, "gen.lua"):
        assert m.start in starts
        assert text[m.start : m.end] == m.original


@pytest.mark.parametrize(
    ("lit", "value"),
    [
        ('"a\\"b"', 'a"b'),
        ("'it\\'s'", "it's"),
        ('"x\\z   \n  y"', "xy"),
        ("[==[ ]] ]=] ]==]", " ]] ]=] "),
        ("[[\nline]]", "line"),
        ('"\\65\\x42\\u{43}"', "ABC"),
    ],
)
def test_string_tokens_are_the_literals_lua_reads(lit: str, value: str) -> None:
    toks = tokenize(f"local s = {lit} -- after")
    assert [t.kind for t in toks] == ["keyword", "name", "symbol", "string"]
    assert toks[3].text == lit
    from lupa import LuaRuntime

    assert LuaRuntime().execute(f"return {lit}") == value


def test_long_comment_hides_code_and_numbers_lex_whole() -> None:
    toks, spans = lex("--[==[ if a < b then return end ]] ]==] x = 0x1F + 1e3 .. 2.5 // 3")
    assert [t.text for t in toks] == ["x", "=", "0x1F", "+", "1e3", "..", "2.5", "//", "3"]
    assert spans[0].kind == "comment"


@pytest.mark.parametrize("bad", ['local s = "open', "--[[ never closed", "x = [==[ a ]=]", "x = $"])
def test_unfinished_text_is_a_one_line_error_with_its_position(bad: str) -> None:
    with pytest.raises(LuaSyntaxError, match=r"^line 1, column \d+: "):
        tokenize(bad)
