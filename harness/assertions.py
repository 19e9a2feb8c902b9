"""Assertion helpers for outboxes and mailboxes.  Their failures print the messages that were
there and the delivery trace that led to them."""

from __future__ import annotations

import re
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


def _messages(source: Any) -> tuple[list[Message], str, dict[str, str] | None]:
    """The messages to search, the context (outbox or trace) to print on failure, and names."""
    from harness.network import Network

    if isinstance(source, Result):
        return list(source.messages), source.describe(), source.names
    if isinstance(source, Network):
        deliveries = source.trace
        return [d.message for d in deliveries], "delivery trace:\n" + source.format_trace(), source.names
    items = list(source)
    if items and isinstance(items[0], Delivery):
        names = next((d.result.names for d in items if d.result is not None), None)
        return [d.message for d in items], "deliveries:\n" + format_trace(items, names), names
    listed = "\n".join(f"  {i}. {m.describe()}" for i, m in enumerate(items, 1))
    return items, "messages:\n" + listed, None


def _why(source: Any) -> str | None:
    """What a failure text leads with: the Result's Lua error or no-handler hint, or the errored
    deliveries of a network (a missing message is often one a process failed to send)."""
    from harness.network import Network

    if isinstance(source, Result):
        return source.explain()
    if isinstance(source, Network) and source.errors:
        failed = [d for d in source.errors if d.result is not None]
        listed = "\n".join(f"  - {d.result.explain()} (#{d.seq})" for d in failed if d.result is not None)
        return f"{len(failed)} {'delivery' if len(failed) == 1 else 'deliveries'} errored:\n{listed}"
    return None


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


def _expectation(
    target: str | None, data: Any, tags: Mapping[str, Any], names: dict[str, str] | None = None
) -> str:
    def shown(value: Any) -> str:
        if isinstance(value, str) and names and value in names:
            return names[value]
        return repr(value)

    parts = []
    if target is not None:
        parts.append(f"Target={names.get(target, target) if names else target}")
    parts += [f"{k}={shown(v)}" for k, v in tags.items()]
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
    msgs, _, _ = _messages(source)
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
    msgs, context, names = _messages(source)
    found = [m for m in msgs if _matches(m, target, data, want)]
    if not found or (count is not None and len(found) != count):
        how = "no message" if not found else f"{len(found)} messages (expected {count})"
        head = _why(source)
        expected = _expectation(target, data, want, names)
        raise AssertionError((f"{head}\n" if head else "") + f"{how} matched {expected}\n{context}")
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
    msgs, context, names = _messages(source)
    found = [m for m in msgs if _matches(m, target, data, want)]
    if found:
        listed = "\n".join(f"  - {m.describe(names=names)}" for m in found)
        raise AssertionError(
            f"{len(found)} unexpected message(s) matched {_expectation(target, data, want, names)}:\n"
            f"{listed}\n{context}"
        )


def assert_no_errors(source: Network | Iterable[Delivery] | Result) -> None:
    """Assert that no delivery (or the given result) ended in an Error."""
    __tracebackhide__ = True
    if isinstance(source, Result):
        if source.error is not None:
            raise AssertionError(f"{source.explain()}\n{source.describe()}")
        return
    from harness.network import Network

    deliveries = source.trace if isinstance(source, Network) else list(source)
    failed = [d for d in deliveries if d.result is not None and d.result.error is not None]
    if failed:
        listed = "\n".join(f"  - {d.result.explain()} (#{d.seq})" for d in failed if d.result is not None)
        first = failed[0].result
        assert first is not None
        raise AssertionError(
            f"{len(failed)} of {len(deliveries)} deliveries errored:\n{listed}\n"
            f"the first, #{failed[0].seq}:\n{first.describe(history=False)}\n"
            f"delivery trace:\n{format_trace(deliveries)}"
        )


def assert_error(source: Result | Delivery | Network, match: str | None = None) -> str:
    """Assert that the message errored (for a ``Network``: that some delivery did), with an
    error matching the regular expression *match* (``re.search``) if given; return the error.

    Reading the error this way tells a strict network the error was expected."""
    __tracebackhide__ = True
    from harness.network import Network

    if isinstance(source, Network):
        errored = [d.result for d in source.errors if d.result is not None]
        hits = [r for r in errored if match is None or re.search(match, r._error or "")]
        if not hits:
            what = "no delivery errored" if not errored else f"no error matched {match!r}; errors:\n" + (
                "\n".join(f"  - {r.explain()}" for r in errored)
            )
            raise AssertionError(f"{what}\ndelivery trace:\n{source.format_trace()}")
        texts = [r.error or "" for r in hits]  # reading marks every matching error expected
        return texts[0]
    result = source.result if isinstance(source, Delivery) else source
    if result is None:
        raise AssertionError(f"the delivery went to a wallet, which runs no code: {source!r}")
    error = result.error
    if error is None:
        raise AssertionError(f"expected the message to error, but it succeeded:\n{result.describe()}")
    if match is not None and not re.search(match, error):
        raise AssertionError(f"the error does not match {match!r}:\n{result.describe()}")
    return error


def where(pred: Callable[[Any], bool]) -> Callable[[Any], bool]:
    """Mark a predicate as a tag/data expectation: ``assert_sent(r, Quantity=where(is_int))``."""
    return pred
