"""ao-harness: a faithful local AO network for pytest.

Public API: ``Network``, ``Process``, ``Result``, ``Message``, ``Delivery`` and the errors in
``harness.errors``.  Everything else is internal.
"""

try:  # let pytest rewrite asserts in our helpers (must happen before they are imported)
    import pytest as _pytest

    _pytest.register_assert_rewrite("harness.assertions")
except ImportError:  # pragma: no cover
    pass

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
