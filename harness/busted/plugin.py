"""pytest plugin: collect busted spec files (placeholder until the collector lands)."""
