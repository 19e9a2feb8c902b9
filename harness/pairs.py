"""The order in which ``pairs`` walks a table inside processes (``--ao-pairs``).

``sorted`` (the default): keys in sorted order, the same in every run.  ``shuffled:<seed>``: each
table in a pseudo-random order that depends only on the seed and on the table's keys, so a run is
still reproducible, but code that silently relies on iteration order (live aos has one fixed,
arbitrary order) meets other orders under other seeds.  ``shuffled`` without a seed picks one at
random, once per Python process (one pytest session); the plugin prints it so a failure can be
replayed with ``--ao-pairs=shuffled:<seed>``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from harness.errors import InputError

#: the Lua side mixes seeds modulo this (harness/lua/env/pairs.lua, Park-Miller steps)
_LUA_MODULUS = 2**31 - 1

_session_seed: int | None = None


def session_seed() -> int:
    """The random seed of this Python process (chosen on first use)."""
    global _session_seed
    if _session_seed is None:
        _session_seed = random.SystemRandom().randrange(1, 100_000)
    return _session_seed


@dataclass(frozen=True)
class PairsOrder:
    """How ``pairs`` orders keys: ``sorted``, or ``shuffled`` with a seed."""

    mode: str = "sorted"
    seed: int | None = None

    @property
    def shuffled(self) -> bool:
        return self.mode == "shuffled"

    @property
    def lua_seed(self) -> int | None:
        """What the Lua runtime gets (``None``: sorted)."""
        if self.seed is None:
            return None
        return self.seed % _LUA_MODULUS

    def __str__(self) -> str:
        return self.mode if self.seed is None else f"{self.mode}:{self.seed}"


SORTED = PairsOrder()


def parse_pairs(value: str | PairsOrder | None) -> PairsOrder:
    """``None``/``"sorted"`` -> sorted; ``"shuffled:42"`` -> shuffled with seed 42; ``"shuffled"``
    -> shuffled with this session's random seed.  Anything else raises ``ValueError`` (one line)."""
    if isinstance(value, PairsOrder):
        return value
    if value is not None and not isinstance(value, str):
        raise InputError(
            f"pairs order {value!r} is not understood; use 'sorted', 'shuffled' or 'shuffled:<seed>'"
        )
    text = (value or "sorted").strip().lower()
    mode, sep, seed_text = text.partition(":")
    if mode == "sorted" and not sep:
        return SORTED
    if mode == "shuffled":
        if not sep:
            return PairsOrder("shuffled", session_seed())
        if seed_text.isdigit():
            return PairsOrder("shuffled", int(seed_text))
    raise InputError(
        f"pairs order {value!r} is not understood; use 'sorted', 'shuffled' or 'shuffled:<seed>' "
        "(a non-negative integer seed)"
    )
