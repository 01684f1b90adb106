"""Benchmarks of eventmap (run them with ``python benchmarks/run.py``; see BENCHMARKS.md)."""
