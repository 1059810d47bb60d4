"""Search benchmarks: ``python -m bench.search`` (latency on a generated archive) and
``python -m bench.search queryset`` (recall/precision of tests/search_queries.json)."""
