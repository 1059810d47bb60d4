"""Crawl benchmark: arshif against ``wget --recursive --warc-file`` on the sample farm.

Usage::

    python -m bench.crawl [--articles N] [--quick] [--set KEY=VALUE ...]

One run generates a farm of N articles (default 20,000; ``--quick``: 2,000) in
its own process on 127.0.0.11-17 and measures, one after the other:

(a) ``wget --recursive --level=inf --no-parent -e robots=on --warc-file`` with the
    three hosts' home pages as start URLs: one command, as an archivist would run it
    (the issue's baseline; wget fetches one URL at a time);
(a') the same with one wget per host, the three at once: a stricter baseline (three
    downloads in flight), shown beside it as ``wall/a_``;
(b) arshif fetch + WARC only (``ITEM_PIPELINES={}``, no archive DB);
(c) arshif's full pipeline (fetch, WARC, extraction in a process pool, SQLite + FTS),
    which must archive every article of the farm;

then ``arshif reindex`` of (c)'s WARCs (articles/s, and whether the rebuilt
archive equals the crawl's) beside bare ``trafilatura.extract()`` of the same article
pages (the same-run baseline of its rate, ``extract_baseline``), (c) once more on a 2,000-article farm to compare
peak RSS, and (c) under cProfile to show where the main process spends its time.
For each run it prints pages/s, wall seconds, CPU seconds of the whole process
tree (main process / workers), peak RSS (largest process, and the summed tree)
and the ratios to (a) and (a'); the JSON goes to ``bench/results/`` (gitignored).
"""
