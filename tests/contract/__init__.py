"""Contract tests: rules that hold across the whole code base (layering, cycles, file sizes, a fresh clone)."""
