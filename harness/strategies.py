"""Hypothesis strategies for AO tests: ids, tag names and values (awkward ones included),
amounts (canonical and every malformed kind), whole messages, and delivery orders.

    from hypothesis import given, strategies as st
    from harness import strategies as aos

    @given(aos.amounts(), aos.malformed_amounts())
    def test_amounts(good, bad): ...

``st.from_type`` works for ``Address``, ``Amount``, ``TagName`` and ``TagValue`` (``NewType``s
of ``str`` defined here) and for ``harness.Message``.
"""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from typing import Any, NewType

from hypothesis import strategies as st

from harness.messages import Message
from harness.mu import DeliveryOrder

Address = NewType("Address", str)
Amount = NewType("Amount", str)
TagName = NewType("TagName", str)
TagValue = NewType("TagValue", str)

_B64URL = string.ascii_letters + string.digits + "-_"

#: Tag names aos treats specially: non-extractable ones, and root fields a tag overwrites.
RESERVED_TAG_NAMES = (
    "Data-Protocol",
    "Variant",
    "Type",
    "From-Process",
    "From-Module",
    "From",
    "Owner",
    "Anchor",
    "Target",
    "Data",
    "Tags",
    "Read-Only",
    "Timestamp",
    "Id",
    "Nonce",
    "Cron",
    "Module",
    "Block-Height",
    "Reference",
    "X-Reference",
    "Reply-To",
    "Content-Type",
)

COMMON_TAG_NAMES = ("Action", "Quantity", "Recipient", "Sender", "Target", "Amount", "User", "TokenId")


def addresses() -> st.SearchStrategy[str]:
    """43-character base64url ids, as wallets and processes have."""
    return st.text(alphabet=_B64URL, min_size=43, max_size=43)


wallet_ids = addresses
process_ids = addresses


def _case_variants(name: str) -> st.SearchStrategy[str]:
    snake = name.lower().replace("-", "_")
    return st.sampled_from([name, name.lower(), name.upper(), name.replace("-", "_"), name.swapcase(), snake])


def tag_names(*, awkward: bool = True) -> st.SearchStrategy[str]:
    """Tag names: common ones, their case and underscore variants, reserved names, free text
    (non-ASCII included) when *awkward*."""
    plain = st.sampled_from(COMMON_TAG_NAMES)
    if not awkward:
        return plain
    return st.one_of(
        plain,
        st.sampled_from(COMMON_TAG_NAMES + RESERVED_TAG_NAMES).flatmap(_case_variants),
        st.text(min_size=1, max_size=24).filter(lambda s: s.strip() != ""),
    )


AWKWARD_VALUES = (" ", "\t", "\n", "null", "true", "[]", "{}", "0", "-1", "1e3", "0x10", "ümlaut", "💸")


def tag_values(*, awkward: bool = True) -> st.SearchStrategy[str]:
    """Tag values (always strings, as the MU requires): plain words, digits, and when *awkward*
    empty strings, whitespace, unicode, long strings and JSON-looking text."""
    plain = st.one_of(st.text(alphabet=string.ascii_letters + string.digits + "-_", min_size=1, max_size=20))
    if not awkward:
        return plain
    return st.one_of(
        plain,
        st.just(""),
        st.sampled_from(AWKWARD_VALUES),
        st.text(max_size=64),
        st.text(max_size=2000).map(lambda s: s * 3),
    )


def tags(
    *,
    names: st.SearchStrategy[str] | None = None,
    values: st.SearchStrategy[str] | None = None,
    min_size: int = 0,
    max_size: int = 8,
    duplicates: bool = True,
) -> st.SearchStrategy[list[tuple[str, str]]]:
    """A list of ``(name, value)`` tags; with *duplicates* the same name may appear twice."""
    pair = st.tuples(names or tag_names(), values or tag_values())
    if duplicates:
        return st.lists(pair, min_size=min_size, max_size=max_size)
    return st.lists(pair, min_size=min_size, max_size=max_size, unique_by=lambda t: t[0])


def amounts(*, min_value: int = 0, max_value: int = 10**30) -> st.SearchStrategy[str]:
    """Canonical base-unit amounts: decimal digits, no sign, no leading zeros (``"0"`` allowed)."""
    return st.integers(min_value=min_value, max_value=max_value).map(str)


#: Each kind of malformed amount, by name (``malformed_amounts(kinds=[...])`` picks some).
MALFORMED_AMOUNTS: dict[str, st.SearchStrategy[str]] = {
    "empty": st.just(""),
    "sign": st.integers(0, 10**12).flatmap(lambda n: st.sampled_from([f"-{n}", f"+{n}"])),
    "whitespace": st.integers(0, 10**12).flatmap(
        lambda n: st.sampled_from([f" {n}", f"{n} ", f"{n}\n", f"1 {n}"])
    ),
    "hex": st.integers(0, 10**12).map(lambda n: f"0x{n:x}"),
    "exponent": st.integers(1, 30).map(lambda e: f"1e{e}"),
    "decimal": st.integers(0, 10**9).map(lambda n: f"{n}.0"),
    "leading-zero": st.integers(0, 10**12).map(lambda n: f"0{n}"),
    "absurd-length": st.integers(80, 400).map(lambda k: "9" * k),
    "letters": st.text(alphabet=string.ascii_letters, min_size=1, max_size=8),
    "unicode-digits": st.integers(1, 10**6).map(lambda n: "".join(chr(0xFF10 + int(c)) for c in str(n))),
    "infinity-nan": st.sampled_from(["inf", "-inf", "nan", "NaN", "Infinity"]),
}


def malformed_amounts(kinds: Sequence[str] | None = None) -> st.SearchStrategy[str]:
    """Amount strings every TIM3 process must reject (see ``MALFORMED_AMOUNTS`` for the kinds)."""
    chosen = list(kinds) if kinds is not None else list(MALFORMED_AMOUNTS)
    unknown = [k for k in chosen if k not in MALFORMED_AMOUNTS]
    if unknown:
        raise ValueError(f"unknown malformed-amount kinds {unknown}; known: {sorted(MALFORMED_AMOUNTS)}")
    return st.one_of(*(MALFORMED_AMOUNTS[k] for k in chosen))


def messages(
    actions: Sequence[str] | Mapping[str, Mapping[str, st.SearchStrategy[str]]],
    *,
    extra_tags: bool = True,
) -> st.SearchStrategy[dict[str, str]]:
    """Tag dicts for ``Process.send``: an ``Action`` from *actions* plus, when *actions* maps
    each action to ``{tag: strategy}``, those tags; with *extra_tags* some arbitrary ones too."""
    if isinstance(actions, Mapping):
        per_action = [
            st.fixed_dictionaries({"Action": st.just(a), **dict(spec)}) for a, spec in actions.items()
        ]
        base = st.one_of(*per_action)
    else:
        base = st.fixed_dictionaries({"Action": st.sampled_from(list(actions))})
    if not extra_tags:
        return base
    return st.tuples(base, st.dictionaries(tag_names(), tag_values(), max_size=3)).map(
        lambda pair: {**pair[1], **pair[0]}
    )


def ao_messages() -> st.SearchStrategy[Message]:
    """Whole ``Message`` objects (as ``st.from_type(Message)`` draws them)."""
    return st.builds(
        Message,
        target=addresses(),
        tag_list=tags().map(tuple),
        data=st.text(max_size=200),
        sender=addresses(),
    )


def delivery_order(data: Any) -> DeliveryOrder:
    """A delivery order that asks hypothesis which candidate goes next, so it explores (and
    shrinks) interleavings.  Use inside ``@given(st.data())``::

        ao.set_delivery_order(delivery_order(data))
    """

    def choose(candidates: list[Message]) -> int:
        return data.draw(st.integers(min_value=0, max_value=len(candidates) - 1), label="next delivery")

    return choose


st.register_type_strategy(Address, addresses())
st.register_type_strategy(Amount, amounts())
st.register_type_strategy(TagName, tag_names())
st.register_type_strategy(TagValue, tag_values())
st.register_type_strategy(Message, ao_messages())
