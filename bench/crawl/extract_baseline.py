"""Same-run baseline for ``arshif reindex``: bare trafilatura over the same article pages.

This VM's speed drifts by ~30% within an hour, so an articles/s figure alone does not
compare across runs. Beside it the bench times ``trafilatura.extract()`` (default
options) of each article's stored page, bodies already in memory, in a pool of one
process per core: the least work any rebuild from the WARCs must do. The ratio of the
two rates is what to compare.
"""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator


def article_pages(data_dir: Path) -> list[tuple[bytes, str]]:
    """(body, url) of the capture each article row was last written from."""
    with sqlite3.connect(data_dir / "archive.db") as conn:
        rows = conn.execute("select c.warc_file, c.warc_offset, c.url from articles a "
                            "join captures c on c.id = a.capture_id order by c.warc_file, c.warc_offset").fetchall()
    conn.close()
    pages = []
    for warc_file, offset, url in rows:
        with open(data_dir / "warc" / warc_file, "rb") as fh:
            fh.seek(offset)
            record = next(iter(ArchiveIterator(fh)))
            pages.append((record.content_stream().read(), url))
    return pages


def _extract(page: tuple[bytes, str]) -> int:
    import trafilatura

    return len(trafilatura.extract(page[0], url=page[1]) or "")


def time_extraction(pages: list[tuple[bytes, str]], workers: int = 0) -> dict:
    """Wall time of extracting ``pages`` in a fresh spawn pool, start-up included (as reindex)."""
    workers = workers or os.cpu_count() or 1
    started = time.perf_counter()
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        extracted = sum(1 for size in pool.map(_extract, pages, chunksize=8) if size)
    wall = time.perf_counter() - started
    return {"pages": len(pages), "with_text": extracted, "workers": workers, "wall_s": wall,
            "pages_per_s": len(pages) / wall}
