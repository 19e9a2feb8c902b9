"""Assertion helpers for outboxes and mailboxes.  Their failures print the messages that were
there and the delivery trace that led to them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from harness.messages import Delivery, Message, Result, format_trace

if TYPE_CHECKING:
    from harness.network import Network


class _Anything:
    def __eq__(self, other: object) -> bool:
        return True

    def __repr__(self) -> str:
        return "ANY"


#: Matches any value (present tag of any value) in ``assert_sent`` expectations.
ANY: Any = _Anything()

Source = "Result | Network | Iterable[Message] | Iterable[Delivery]"


def _messages(source: Any) -> tuple[list[Message], str]:
    """The messages to search and the context (outbox or trace) to print on failure."""
    from harness.network import Network

    if isinstance(source, Result):
        return list(source.messages), source.describe()
    if isinstance(source, Network):
        deliveries = source.trace
        return [d.message for d in deliveries], "delivery trace:\n" + source.format_trace()
    items = list(source)
    if items and isinstance(items[0], Delivery):
        return [d.message for d in items], "deliveries:\n" + format_trace(items)
    return items, "messages:\n" + "\n".join(f"  {i}. {m.describe()}" for i, m in enumerate(items, 1))


def _matches(m: Message, target: str | None, data: Any, tags: Mapping[str, Any]) -> bool:
    if target is not None and m.target != target:
        return False
    if data is not None and not _value_matches(data, m.data):
        return False
    have = m.tags
    return all(name in have and _value_matches(want, have[name]) for name, want in tags.items())


def _value_matches(want: Any, got: Any) -> bool:
    if callable(want) and not isinstance(want, _Anything):
        return bool(want(got))
    return bool(want == got)


def _expectation(target: str | None, data: Any, tags: Mapping[str, Any]) -> str:
    parts = []
    if target is not None:
        parts.append(f"Target={target}")
    parts += [f"{k}={v!r}" for k, v in tags.items()]
    if data is not None:
        parts.append(f"Data={data!r}")
    return ", ".join(parts) or "(any message)"


def find_messages(
    source: Any,
    *,
    target: str | None = None,
    data: Any = None,
    tags: Mapping[str, Any] | None = None,
    **tag_kwargs: Any,
) -> list[Message]:
    """Every message of *source* (a Result's outbox, a Network's trace, or a list) that matches.

    Tag expectations come as keywords (``Action="Credit-Notice"``) or, for names with dashes, as
    ``tags={"X-Reference": "1"}``; a value may be ``ANY`` or a predicate."""
    want = {**(tags or {}), **tag_kwargs}
    msgs, _ = _messages(source)
    return [m for m in msgs if _matches(m, target, data, want)]


def assert_sent(
    source: Any,
    *,
    target: str | None = None,
    data: Any = None,
    tags: Mapping[str, Any] | None = None,
    count: int | None = None,
    **tag_kwargs: Any,
) -> Message:
    """Assert that *source* holds a message matching the expectation; return the first one.

    With *count*, exactly that many must match."""
    __tracebackhide__ = True
    want = {**(tags or {}), **tag_kwargs}
    msgs, context = _messages(source)
    found = [m for m in msgs if _matches(m, target, data, want)]
    if not found or (count is not None and len(found) != count):
        how = "no message" if not found else f"{len(found)} messages (expected {count})"
        raise AssertionError(f"{how} matched {_expectation(target, data, want)}\n{context}")
    return found[0]


def assert_not_sent(
    source: Any,
    *,
    target: str | None = None,
    data: Any = None,
    tags: Mapping[str, Any] | None = None,
    **tag_kwargs: Any,
) -> None:
    """Assert that no message of *source* matches the expectation."""
    __tracebackhide__ = True
    want = {**(tags or {}), **tag_kwargs}
    msgs, context = _messages(source)
    found = [m for m in msgs if _matches(m, target, data, want)]
    if found:
        listed = "\n".join(f"  - {m.describe()}" for m in found)
        raise AssertionError(
            f"{len(found)} unexpected message(s) matched {_expectation(target, data, want)}:\n"
            f"{listed}\n{context}"
        )


def assert_no_errors(source: Network | Iterable[Delivery] | Result) -> None:
    """Assert that no delivery (or the given result) ended in an Error."""
    __tracebackhide__ = True
    if isinstance(source, Result):
        if source.error is not None:
            raise AssertionError(f"the message errored:\n{source.describe()}")
        return
    from harness.network import Network

    deliveries = source.trace if isinstance(source, Network) else list(source)
    failed = [d for d in deliveries if d.result is not None and d.result.error is not None]
    if failed:
        first = failed[0]
        assert first.result is not None
        raise AssertionError(
            f"{len(failed)} deliveries errored; the first:\n{first.result.describe()}\n"
            f"delivery trace:\n{format_trace(deliveries)}"
        )


def where(pred: Callable[[Any], bool]) -> Callable[[Any], bool]:
    """Mark a predicate as a tag/data expectation: ``assert_sent(r, Quantity=where(is_int))``."""
    return pred
