"""Delivering a message exactly as given, for the tests of aos's trust and assignment rules."""

from __future__ import annotations

from harness.messages import Message, Result
from harness.process import Process


def raw(
    p: Process,
    *,
    sender: str | None = None,
    owner: str | None = None,
    target: str | None = None,
    tags: list[tuple[str, str]] | None = None,
) -> Result:
    """Deliver one message to *p* exactly as given (``Process.deliver``): for messages ``send``
    never builds (a forged From, another Target, a chosen Owner)."""
    return p.deliver(Message(target=target, tag_list=tuple(tags or ()), sender=sender, owner=owner))
