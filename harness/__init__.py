"""ao-harness: a faithful local AO network for pytest.

Public API: ``Network``, ``Process``, ``Result``, ``Message``, ``Delivery`` and the errors in
``harness.errors``.  Everything else is internal.

The names are imported on first use (``from harness import Network`` imports the network then):
a pytest run that only needs ``harness.errors`` or the busted plugin does not import lupa and the
network stack at start-up.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import TYPE_CHECKING, Any

try:  # let pytest rewrite asserts in our helpers (must happen before they are imported)
    import pytest as _pytest

    _pytest.register_assert_rewrite("harness.assertions")
except ImportError:  # pragma: no cover
    pass

if TYPE_CHECKING:
    from harness.assertions import (
        ANY,
        assert_error,
        assert_no_errors,
        assert_not_sent,
        assert_sent,
        find_messages,
    )
    from harness.errors import (
        HarnessError,
        InputError,
        MessageStormError,
        ProcessLoadError,
        ProcessNotFound,
        TagValueError,
        UnexpectedDeliveryErrors,
    )
    from harness.messages import Delivery, Message, Result
    from harness.network import Network
    from harness.process import Process

#: each public name -> the module that defines it
_PUBLIC = {
    "ANY": "harness.assertions",
    "assert_error": "harness.assertions",
    "assert_no_errors": "harness.assertions",
    "assert_not_sent": "harness.assertions",
    "assert_sent": "harness.assertions",
    "find_messages": "harness.assertions",
    "HarnessError": "harness.errors",
    "InputError": "harness.errors",
    "MessageStormError": "harness.errors",
    "ProcessLoadError": "harness.errors",
    "ProcessNotFound": "harness.errors",
    "TagValueError": "harness.errors",
    "UnexpectedDeliveryErrors": "harness.errors",
    "Delivery": "harness.messages",
    "Message": "harness.messages",
    "Result": "harness.messages",
    "Network": "harness.network",
    "Process": "harness.process",
}

__all__ = [
    "ANY",
    "Delivery",
    "HarnessError",
    "InputError",
    "Message",
    "MessageStormError",
    "Network",
    "Process",
    "ProcessLoadError",
    "ProcessNotFound",
    "Result",
    "TagValueError",
    "UnexpectedDeliveryErrors",
    "assert_error",
    "assert_no_errors",
    "assert_not_sent",
    "assert_sent",
    "find_messages",
]


def __getattr__(name: str) -> Any:
    """A public name, imported from its module on first use; or a submodule (``harness.network``
    after a bare ``import harness``, as when this package imported them all).  Not kept here: each
    use reads the module as ``sys.modules`` has it now, so a module that a pytester run imported and
    then took back out of ``sys.modules`` is never served after it is gone."""
    module = _PUBLIC.get(name)
    if module is not None:
        return getattr(importlib.import_module(module), name)
    if not name.startswith("_") and importlib.util.find_spec(f"{__name__}.{name}") is not None:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
