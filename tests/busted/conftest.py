"""The busted collector's tests.  ``project/`` and ``extra/`` hold spec files that the tests run
through pytester (and real busted); some fail on purpose, so the main run does not collect them.
``pytester`` itself is enabled by tests/conftest.py (pytest_plugins is only allowed there)."""

collect_ignore = ["project", "extra", "assertions", "generated", "options", "corpus"]
