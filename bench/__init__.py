"""Benchmarks for arshif (run as modules, e.g. ``python -m bench.extraction``)."""
