"""busted spec files under pytest (being built)."""
