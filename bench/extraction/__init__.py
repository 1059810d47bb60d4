"""Extraction benchmark: arshif vs trafilatura (with metadata, and plain extract()),
readability-lxml, newspaper4k and jusText.

Usage::

    python -m bench.extraction [FOLDER ...] [--peers arshif,trafilatura] [--repeat 5]
    python -m bench.extraction --against-trafilatura DIR   # gold-free guard, see guard.py

Each FOLDER holds ``NAME.html`` + ``NAME.gold.json`` pairs (the format of the
shared eval pages). Without folders the farm corpus is exported to a
temporary directory through ``samples.gold.export_corpus`` when that exists.
Peers that are not installed are skipped (``pip install -e .[bench]``).
"""
