"""Repository-level pytest configuration.

The ``harness`` plugin itself is registered through the ``pytest11`` entry point of the installed
``ao-harness`` distribution; when the package is used from a plain checkout (not installed) we load
it here so ``pytest`` still works.
"""

import importlib.metadata

try:
    _eps = importlib.metadata.entry_points(group="pytest11")
    _installed = any(ep.value == "harness.plugin" for ep in _eps)
except Exception:  # pragma: no cover
    _installed = False

pytest_plugins = [] if _installed else ["harness.plugin", "harness.busted.plugin", "harness.coverage.plugin"]
