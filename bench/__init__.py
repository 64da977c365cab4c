"""Benchmarks for issue #4 and the synthetic corpus they run on (`python -m bench --help`)."""
