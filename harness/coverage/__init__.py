"""Lua line and handler coverage (being built)."""
