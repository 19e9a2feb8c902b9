"""Single-point mutants of a Lua chunk, from its tokens (never inside a string or a comment).

Operators (names as the reports show them):

* ``relational``: ``<`` <-> ``<=``, ``>`` <-> ``>=`` (the boundary moves by one)
* ``equality``: ``==`` <-> ``~=``
* ``logical``: ``and`` <-> ``or``
* ``not``: a ``not`` removed
* ``arithmetic``: ``+`` <-> ``-`` (binary), ``*`` <-> ``/``, ``%`` -> ``*``, ``//`` -> ``/``
* ``constant``: ``0`` <-> ``1``, ``true`` <-> ``false``,
  a string amount (``"123"``) -> the next integer (``"124"``)
* ``guard``: ``if cond then ... return/error ... end`` with ``cond`` made ``false``
* ``send``: a ``Send(...)`` / ``ao.send(...)`` / ``msg.reply(...)`` / ``reply_error(...)`` statement deleted
* ``assign``: a state assignment deleted (a capitalised global, or a field / index of a table)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from harness.mutate.lexer import Token, tokenize

OPERATORS = ("relational", "equality", "logical", "not", "arithmetic", "constant", "guard", "send", "assign")

_SWAP = {
    "<": ("relational", "<="),
    "<=": ("relational", "<"),
    ">": ("relational", ">="),
    ">=": ("relational", ">"),
    "==": ("equality", "~="),
    "~=": ("equality", "=="),
    "and": ("logical", "or"),
    "or": ("logical", "and"),
    "+": ("arithmetic", "-"),
    "-": ("arithmetic", "+"),
    "*": ("arithmetic", "/"),
    "/": ("arithmetic", "*"),
    "%": ("arithmetic", "*"),
    "//": ("arithmetic", "/"),
}
_SEND_NAMES = frozenset({"Send", "send", "reply", "reply_error"})
_BINARY = frozenset(
    [
        "+",
        "-",
        "*",
        "/",
        "//",
        "%",
        "^",
        "..",
        "==",
        "~=",
        "<",
        "<=",
        ">",
        ">=",
        "&",
        "|",
        "~",
        "<<",
        ">>",
        "and",
        "or",
    ]
)
_OPEN = {"(": ")", "{": "}", "[": "]"}


@dataclass(frozen=True)
class Mutant:
    """One change of one file: replace ``text[start:end]`` with ``replacement``."""

    file: str  # path relative to the project root (posix)
    operator: str
    start: int
    end: int
    replacement: str
    line: int
    end_line: int
    col: int
    original: str

    @property
    def key(self) -> str:
        return f"{self.file}:{self.line}:{self.col}:{self.operator}:{self.replacement}"

    def apply(self, text: str) -> str:
        return text[: self.start] + self.replacement + text[self.end :]

    def describe(self) -> str:
        old = " ".join(self.original.split())
        if len(old) > 60:
            old = old[:57] + "..."
        new = self.replacement if self.replacement != "do end" else "(deleted)"
        return f"{old} -> {new}"


def _ends_operand(tok: Token) -> bool:
    if tok.kind in ("name", "number", "string"):
        return True
    if tok.kind == "keyword":
        return tok.text in ("nil", "true", "false", "end")
    return tok.text in (")", "]", "}", "...")


def _starts_statement(tokens: list[Token], k: int) -> bool:
    """Can a statement begin at token *k* (judged from the token before it)?"""
    if k == 0:
        return True
    prev = tokens[k - 1]
    if prev.kind in ("name", "number", "string"):
        return True
    if prev.kind == "keyword":
        return prev.text in ("end", "then", "do", "else", "break", "nil", "true", "false", "repeat")
    return prev.text in (")", "]", "}", ";", "...")


def _match(tokens: list[Token], k: int) -> int:
    """Index of the bracket closing the one at *k*."""
    want = _OPEN[tokens[k].text]
    opener = tokens[k].text
    depth = 0
    for j in range(k, len(tokens)):
        t = tokens[j].text if tokens[j].kind == "symbol" else ""
        if t == opener:
            depth += 1
        elif t == want:
            depth -= 1
            if depth == 0:
                return j
    raise ValueError(f"line {tokens[k].line}: unbalanced {opener!r}")


def _block_end(tokens: list[Token], k: int) -> int:
    """Index of the ``end`` / ``until`` closing the block opened by the keyword at *k*."""
    depth = 0
    j = k
    while j < len(tokens):
        t = tokens[j]
        if t.kind == "keyword":
            if t.text in ("function", "if", "do", "repeat"):
                # `while ... do` / `for ... do`: the `do` opens the block; count it, not the while
                depth += 1
            elif t.text in ("end", "until"):
                depth -= 1
                if depth == 0:
                    return j
        j += 1
    raise ValueError(f"line {tokens[k].line}: {tokens[k].text!r} without its end")


def _suffixes(tokens: list[Token], j: int) -> int:
    """From an operand ending before *j*, skip ``.name``, ``:name(args)``, ``[...]``, call args;
    returns the index after them."""
    n = len(tokens)
    while j < n:
        t = tokens[j]
        if t.kind == "symbol" and t.text in (".", ":"):
            j += 2
        elif t.kind == "symbol" and t.text in ("[", "(", "{"):
            j = _match(tokens, j) + 1
        elif t.kind == "string":
            j += 1
        else:
            break
    return j


def _expression_end(tokens: list[Token], j: int) -> int:
    """Index after the expression starting at token *j*."""
    n = len(tokens)
    while j < n:
        t = tokens[j]
        # unary operators
        while j < n and (
            (tokens[j].text in ("-", "#", "~") and tokens[j].kind == "symbol") or tokens[j].text == "not"
        ):
            j += 1
        if j >= n:
            return j
        t = tokens[j]
        if t.kind == "keyword" and t.text == "function":
            j = _block_end(tokens, j) + 1
        elif t.kind == "symbol" and t.text in ("(", "{"):
            j = _match(tokens, j) + 1
        else:
            j += 1
        j = _suffixes(tokens, j)
        if j < n and (tokens[j].kind in ("symbol", "keyword")) and tokens[j].text in _BINARY:
            j += 1
            continue
        return j
    return j


def _is_amount(tok: Token) -> bool:
    return (
        tok.kind == "string" and tok.text[0] in "\"'" and re.fullmatch(r"[0-9]+", tok.text[1:-1]) is not None
    )


def _guard_has_exit(tokens: list[Token], then_k: int) -> bool:
    """Does the block after ``then`` at *then_k* (up to its else/elseif/end) return or raise?"""
    depth = 0
    for j in range(then_k + 1, len(tokens)):
        t = tokens[j]
        if t.kind == "keyword":
            if t.text in ("function", "if", "do", "repeat"):
                depth += 1
            elif t.text in ("end", "until"):
                if depth == 0:
                    return False
                depth -= 1
            elif t.text in ("else", "elseif") and depth == 0:
                return False
            elif t.text == "return" and depth == 0:
                return True
        elif t.kind == "name" and t.text == "error" and depth == 0:
            return True
    return False


def mutants_of(text: str, file: str) -> list[Mutant]:
    """Every mutant of the Lua chunk *text* (``file``: its path as the reports show it)."""
    tokens = tokenize(text)
    out: list[Mutant] = []

    def add(op: str, first: Token, last: Token, replacement: str) -> None:
        out.append(
            Mutant(
                file=file,
                operator=op,
                start=first.start,
                end=last.end,
                replacement=replacement,
                line=first.line,
                end_line=last.end_line,
                col=first.col,
                original=text[first.start : last.end],
            )
        )

    n = len(tokens)
    for k, tok in enumerate(tokens):
        prev = tokens[k - 1] if k else None
        if tok.kind in ("symbol", "keyword") and tok.text in _SWAP:
            op, new = _SWAP[tok.text]
            # a minus is binary only after an operand (unary minus is a constant's sign)
            if tok.text == "-" and (prev is None or not _ends_operand(prev)):
                pass
            elif tok.kind == "symbol" or tok.text in ("and", "or"):
                add(op, tok, tok, new)
        if tok.kind == "keyword" and tok.text == "not" and k + 1 < n:
            nxt = tokens[k + 1]
            out.append(
                Mutant(
                    file,
                    "not",
                    tok.start,
                    nxt.start,
                    "",
                    tok.line,
                    tok.end_line,
                    tok.col,
                    text[tok.start : nxt.start],
                )
            )
        if tok.kind == "number" and tok.text in ("0", "1"):
            add("constant", tok, tok, "1" if tok.text == "0" else "0")
        if tok.kind == "keyword" and tok.text in ("true", "false"):
            add("constant", tok, tok, "false" if tok.text == "true" else "true")
        if _is_amount(tok):
            q = tok.text[0]
            add("constant", tok, tok, f"{q}{int(tok.text[1:-1]) + 1}{q}")
        if tok.kind == "keyword" and tok.text == "if":
            depth = 0
            j = k + 1
            while j < n:
                t = tokens[j]
                if t.kind == "symbol" and t.text in _OPEN:
                    j = _match(tokens, j) + 1
                    continue
                if t.kind == "keyword" and t.text == "function":
                    j = _block_end(tokens, j) + 1
                    continue
                if t.kind == "keyword" and t.text == "then" and depth == 0:
                    break
                j += 1
            if j < n and j > k + 1 and _guard_has_exit(tokens, j):
                cond = (tokens[k + 1], tokens[j - 1])
                if not (cond[0] is cond[1] and cond[0].text == "false"):
                    add("guard", cond[0], cond[1], "false")
        if tok.kind == "name" and _starts_statement(tokens, k):
            # a call statement or an assignment: name (.name | [..] | :name)* ...
            j = k + 1
            last_name = tok.text
            while j < n:
                t = tokens[j]
                if t.kind == "symbol" and t.text in (".", ":") and j + 1 < n and tokens[j + 1].kind == "name":
                    last_name = tokens[j + 1].text
                    j += 2
                elif t.kind == "symbol" and t.text == "[":
                    last_name = ""
                    j = _match(tokens, j) + 1
                else:
                    break
            if j >= n:
                continue
            t = tokens[j]
            is_args = (t.kind == "symbol" and t.text in ("(", "{")) or t.kind == "string"
            if is_args and last_name in _SEND_NAMES:
                end = _match(tokens, j) if t.kind == "symbol" else j
                after = tokens[end + 1] if end + 1 < n else None
                chained = after is not None and (
                    (after.kind == "symbol" and after.text in (".", ":", "(", "[", "{"))
                    or after.kind == "string"
                )
                if not chained:
                    add("send", tok, tokens[end], "do end")
            elif t.kind == "symbol" and t.text == "=":
                indexed = j > k + 1
                if indexed or tok.text[:1].isupper():
                    end = _expression_end(tokens, j + 1)
                    if end > j + 1 and not (end < n and tokens[end].text == ","):
                        add("assign", tok, tokens[end - 1], "do end")
    return out
