"""Deterministic 43-character AO ids (wallets, processes, messages)."""

from __future__ import annotations

import base64
import binascii
import hashlib
from typing import Any

#: base64 to base64url
_URLSAFE = bytes.maketrans(b"+/", b"-_")

#: The scheduler/messenger address used as ``Owner`` on process-to-process messages and put in
#: every process's ``Authority`` tag (the aos CLI's legacynet authority, docs/aos-semantics.md §3.3).
MU_ADDRESS = "fcoN_xJeisVsPXA-trzVAuIiqO3ydLQxM-L4XbrQKzY"
#: The scheduler unit named in spawn tags.
SCHEDULER = "_GQ33BkPtZrqxA84vM8Zk-N2aO0toNNu_C-l-rawrBA"
#: The module id of the live default aos module (docs/aos-semantics.md §0, the `default` profile).
DEFAULT_MODULE = "ISShJH1ij-hPPt9St5UFFr_8Ys3Kj5cyg7zrMGt7H9s"
LEGACY_MODULE = "Do_Uc2Sju_ffp6Ev0AnLVdPtot15rvMjP-a9VVaA5fM"


def make_id(*parts: object) -> str:
    """A 43-character base64url id derived from *parts* (same parts, same id)."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


class IdFactory:
    """Hands out ids in a fixed sequence, so the same test produces the same ids every run."""

    def __init__(self, seed: str = "ao-harness") -> None:
        self._seed = seed
        self._counter = 0
        #: per kind, the hash of the id text up to the counter (copied for each id)
        self._bases: dict[str, Any] = {}

    def wallet(self, name: str) -> str:
        return make_id(self._seed, "wallet", name)

    def mark(self) -> int:
        """Where the sequence is now (for ``rewind``)."""
        return self._counter

    def rewind(self, mark: int) -> None:
        """Hand out the ids after *mark* again (an undone spawn consumed none)."""
        self._counter = mark

    def next(self, kind: str) -> str:
        self._counter += 1
        # sha256(f"{seed}\x1f{kind}\x1f{counter}"), base64url, 43 characters
        base = self._bases.get(kind)
        if base is None:
            base = self._bases[kind] = hashlib.sha256(f"{self._seed}\x1f{kind}\x1f".encode())
        h = base.copy()
        h.update(str(self._counter).encode())
        return binascii.b2a_base64(h.digest(), newline=False)[:43].translate(_URLSAFE).decode()


def short(address: str | None) -> str:
    """``abc...xyz`` form of an address for traces."""
    if not address:
        return str(address)
    return address if len(address) <= 10 else f"{address[:4]}…{address[-4:]}"
