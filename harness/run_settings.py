"""What a pytest run sets for every ``Network`` in it: the per-message limits (checked as given to
``Network`` or a marker, parsed as written on a command line or in an ini file) and the run-wide
defaults a ``Network`` built without arguments takes.  Apart from the network so that the pytest
plugin reads and checks its options without importing lupa and the network at start-up."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from harness.errors import InputError

#: The per-message limits: option name -> (unit, whether fractions are allowed).
LIMITS: dict[str, tuple[str, bool]] = {
    "instruction_budget": ("Lua instructions", False),
    "memory_limit": ("bytes", False),
    "timeout": ("seconds", True),
}


def check_limit(option: str, value: Any, *, none: str = "None") -> int | float | None:
    """Validate a per-message limit: ``None`` means no limit; otherwise a positive number
    (whole for instructions and bytes).  Raises ``ValueError`` naming the option and value."""
    if value is None:
        return None
    unit, fractions = LIMITS[option]
    ok = isinstance(value, int | float) and not isinstance(value, bool) and value > 0
    if ok and not fractions and not isinstance(value, int):
        ok = False
    if ok and isinstance(value, float) and value != value:  # NaN
        ok = False
    if not ok:
        kind = "a positive number of" if fractions else "a positive whole number of"
        raise InputError(f"{option}={value!r} is not valid; give {kind} {unit}, or {none} for no limit")
    return value


def parse_limit(option: str, text: str | int | float | None) -> int | float | None:
    """A limit as written on a command line or in an ini file: ``none`` (no limit) or a number."""
    if text is None or isinstance(text, int | float):
        return check_limit(option, text)
    word = text.strip().lower().replace("_", "")
    if word in ("none", "off", "unlimited"):
        return None
    unit, fractions = LIMITS[option]
    value: int | float
    try:
        value = int(word)
    except ValueError:
        try:
            value = float(word)
        except ValueError:
            value = -1
        if not fractions or value == -1:
            kind = "a positive number of" if fractions else "a positive whole number of"
            raise InputError(
                f"{option}={text!r} is not valid; give {kind} {unit}, or 'none' for no limit"
            ) from None
    return check_limit(option, value, none="'none'")


#: The settings of the pytest run in progress (``--lua``, ``--ao-profile``, ``ao_root``, the
#: limits, ``--ao-pairs``, ``--ao-builds``), which a ``Network`` built without those arguments
#: takes, so a network built inside a test (a hypothesis state machine) follows the run's Lua.
#: Only ``harness.plugin`` writes it (at configure; restored at unconfigure); empty outside pytest.
_run_defaults: dict[str, Any] = {}


def run_defaults() -> dict[str, Any]:
    """The run-wide Network defaults in force (a copy; empty outside a pytest run)."""
    return dict(_run_defaults)


def set_run_defaults(values: Mapping[str, Any]) -> dict[str, Any]:
    """Replace the run-wide Network defaults; returns the previous ones (to restore later).
    For the pytest plugin: tests give arguments or use the ``ao`` fixture instead."""
    previous = dict(_run_defaults)
    _run_defaults.clear()
    _run_defaults.update(values)
    return previous
