"""A Lua 5.1-5.5 tokenizer: the code tokens of a chunk with their offsets, lines and columns.

Strings (short with every escape, long ``[==[ ... ]==]``) are one token each; comments (short and
long ``--[==[ ... ]==]``) and whitespace are skipped.  The mutation operators work on these tokens
only, so no mutant ever lands inside a string or a comment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from harness.errors import LuaSyntaxError  # defined in harness.errors; importable from here too

KEYWORDS = frozenset(
    [
        "and",
        "break",
        "do",
        "else",
        "elseif",
        "end",
        "false",
        "for",
        "function",
        "goto",
        "if",
        "in",
        "local",
        "nil",
        "not",
        "or",
        "repeat",
        "return",
        "then",
        "true",
        "until",
        "while",
    ]
)
#: longest first, so ``...`` wins over ``..`` and ``.``
SYMBOLS = (
    "...", "..", "==", "~=", "<=", ">=", "//", "::", "<<", ">>",
    "+", "-", "*", "/", "%", "^", "#", "&", "~", "|", "<", ">", "=",
    "(", ")", "{", "}", "[", "]", ";", ":", ",", ".",
)  # fmt: skip

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_HEX = re.compile(r"0[xX](?:[0-9a-fA-F]*\.?[0-9a-fA-F]*)(?:[pP][+-]?[0-9]+)?")
_DEC = re.compile(r"(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_LONG_OPEN = re.compile(r"\[(=*)\[")


@dataclass(frozen=True)
class Token:
    kind: str  # "name", "keyword", "number", "string", "symbol"
    text: str
    start: int  # offset of the first character
    end: int  # offset after the last character
    line: int  # 1-based line of the first character
    col: int  # 1-based column of the first character
    end_line: int  # line of the last character


@dataclass(frozen=True)
class Span:
    """A stretch of text that is not code: a comment or a string (for tests and pragmas)."""

    kind: str  # "comment" or "string"
    start: int
    end: int
    line: int
    text: str


class Lexer:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens: list[Token] = []
        self.spans: list[Span] = []
        # line starts, for offset -> (line, col)
        self._starts = [0] + [m.end() for m in re.finditer(r"\r\n|\n|\r", text)]

    def where(self, offset: int) -> tuple[int, int]:
        lo, hi = 0, len(self._starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self._starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return lo + 1, offset - self._starts[lo] + 1

    def _long_bracket(self, pos: int, what: str) -> int | None:
        """If a long bracket opens at *pos*, the offset after its closing bracket."""
        m = _LONG_OPEN.match(self.text, pos)
        if m is None:
            return None
        close = "]" + m.group(1) + "]"
        end = self.text.find(close, m.end())
        if end < 0:
            raise LuaSyntaxError(f"unfinished long {what}", *self.where(pos))
        return end + len(close)

    def _short_string(self, pos: int) -> int:
        quote = self.text[pos]
        i = pos + 1
        n = len(self.text)
        while i < n:
            c = self.text[i]
            if c == "\\":
                nxt = self.text[i + 1 : i + 2]
                if nxt == "\r" and self.text[i + 2 : i + 3] == "\n":
                    i += 3
                elif nxt == "z":
                    i += 2
                    while i < n and self.text[i] in " \t\r\n\f\v":
                        i += 1
                else:
                    i += 2  # \n, \", \\, \ddd's first digit, \x, \u: the rest are plain characters
                continue
            if c == quote:
                return i + 1
            if c in "\r\n":
                break
            i += 1
        raise LuaSyntaxError("unfinished string", *self.where(pos))

    def run(self) -> list[Token]:
        text = self.text
        n = len(text)
        i = 0
        if text.startswith("#"):  # a shebang line
            i = text.find("\n")
            i = n if i < 0 else i
        while i < n:
            c = text[i]
            if c in " \t\r\n\f\v":
                i += 1
                continue
            start = i
            if text.startswith("--", i):
                end = self._long_bracket(i + 2, "comment")
                if end is None:
                    nl = re.compile(r"\r|\n").search(text, i)
                    end = n if nl is None else nl.start()
                self.spans.append(Span("comment", start, end, self.where(start)[0], text[start:end]))
                i = end
                continue
            kind = ""
            if c in "\"'":
                end = self._short_string(i)
                kind = "string"
            elif c == "[" and _LONG_OPEN.match(text, i):
                end = self._long_bracket(i, "string") or i + 1
                kind = "string"
            elif c.isdigit() or (c == "." and text[i + 1 : i + 2].isdigit()):
                m = _HEX.match(text, i) if text.startswith(("0x", "0X"), i) else _DEC.match(text, i)
                assert m is not None
                end = m.end()
                # LuaJIT's ULL/LL/i suffixes
                suffix = re.compile(r"(?:[uU]?[lL][lL]|[iI])").match(text, end)
                if suffix:
                    end = suffix.end()
                kind = "number"
            elif c.isalpha() or c == "_":
                m = _NAME.match(text, i)
                assert m is not None
                end = m.end()
                kind = "keyword" if m.group() in KEYWORDS else "name"
            else:
                for sym in SYMBOLS:
                    if text.startswith(sym, i):
                        end = i + len(sym)
                        kind = "symbol"
                        break
                else:
                    raise LuaSyntaxError(f"unexpected character {c!r}", *self.where(i))
            line, col = self.where(start)
            if kind == "string":
                self.spans.append(Span("string", start, end, line, text[start:end]))
            self.tokens.append(Token(kind, text[start:end], start, end, line, col, self.where(end - 1)[0]))
            i = end
        return self.tokens


def tokenize(text: str) -> list[Token]:
    """The code tokens of *text* (comments and whitespace dropped)."""
    return Lexer(text).run()


def lex(text: str) -> tuple[list[Token], list[Span]]:
    """Tokens and the comment / string spans of *text*."""
    lexer = Lexer(text)
    tokens = lexer.run()
    return tokens, lexer.spans
