"""A small Lua tokenizer for coverage.py's HTML report (``FileReporter.source_token_lines``).

Token classes are coverage.py's: ``key`` keyword, ``nam`` name, ``num`` number, ``str`` string,
``com`` comment, ``op`` operator, ``ws`` whitespace, ``txt`` anything else.  Long strings and
comments that span lines are split at the line breaks.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

KEYWORDS = frozenset(
    ("and", "break", "do", "else", "elseif", "end", "false", "for", "function", "goto", "if", "in",
     "local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while")
)

_TOKEN = re.compile(
    r"""
    (?P<ws>[ \t\r\f\v]+)
  | (?P<nl>\n)
  | (?P<lcom>--\[(?P<ceq>=*)\[)
  | (?P<com>--[^\n]*)
  | (?P<lstr>\[(?P<seq>=*)\[)
  | (?P<str>"(?:\\(?:.|\n)|[^"\\\n])*"?|'(?:\\(?:.|\n)|[^'\\\n])*'?)
  | (?P<num>0[xX](?:[0-9a-fA-F]*\.?[0-9a-fA-F]*)(?:[pP][+-]?\d+)?|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<nam>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>::|\.\.\.|\.\.|==|~=|<=|>=|<<|>>|//|[-+*/%^\#&~|<>=(){}\[\];:,.])
  | (?P<txt>.)
    """,
    re.VERBOSE,
)


def tokens(text: str) -> Iterator[tuple[str, str]]:
    """``(class, text)`` pairs for the whole source; ``("nl", "\\n")`` separates lines."""
    pos = 0
    n = len(text)
    while pos < n:
        m = _TOKEN.match(text, pos)
        assert m is not None  # the last alternative matches any character
        kind = m.lastgroup
        if kind in ("lcom", "lstr"):
            eq = m.group("ceq" if kind == "lcom" else "seq")
            close = text.find("]" + eq + "]", m.end())
            end = n if close < 0 else close + len(eq) + 2
            yield ("com" if kind == "lcom" else "str"), text[pos:end]
            pos = end
            continue
        if kind in ("ceq", "seq"):  # pragma: no cover - inner groups never end a match
            kind = "txt"
        value = m.group(0)
        if kind == "nam" and value in KEYWORDS:
            kind = "key"
        yield kind or "txt", value
        pos = m.end()


def token_lines(text: str) -> list[list[tuple[str, str]]]:
    """Per source line, the list of ``(class, text)`` tokens (coverage.py's format)."""
    lines: list[list[tuple[str, str]]] = [[]]
    for kind, value in tokens(text):
        if kind == "nl":
            lines.append([])
            continue
        parts = value.split("\n")
        for i, part in enumerate(parts):
            if i:
                lines.append([])
            if part:
                lines[-1].append((kind, part))
    if text.endswith("\n"):
        lines.pop()
    return lines
