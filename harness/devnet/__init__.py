"""``ao-harness serve``: a local AO devnet that speaks the legacy unit HTTP protocol.

Modules, one job each: ``dataitem`` (ANS-104 parsing, verification, signing), ``store`` (the
SQLite log and the data-dir lock), ``node`` (the MU, CU, SU and gateway logic on one
``Network``), ``routes`` (HTTP routes), ``server`` (start/serve/stop).
"""
