"""pytest plugin for --ao-cov (placeholder until the collector lands)."""
