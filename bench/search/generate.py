"""Generate a large archive for the search benchmark, fast.

Articles come from the sample farm's seeded text generator (``samples.stories``:
Arabic regional news, 250-700 words, ~2.8k characters), so article *i* is the same
in every run. Rows go through the real schema (``archive.db.open_archive``) and the
real full-text triggers (``arshif_normalize`` on title and text), inserted with
``executemany`` in large transactions. Story generation runs in a second process
while the main one writes, so the two cores work at once.
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

logger = logging.getLogger(__name__)

BATCH = 5_000
SYRIA = timezone(timedelta(hours=3))
FIRST_DAY = datetime(2015, 1, 1, tzinfo=SYRIA)
SPAN_MINUTES = 10 * 365 * 24 * 60  # ten years of news
COLUMNS = (
    "url", "canonical_url", "site", "title", "author", "published", "section",
    "language", "text", "word_count", "content_hash", "first_seen", "last_seen", "status",
)  # fmt: skip


def make_rows(start: int, stop: int) -> list[tuple]:
    """Rows for articles ``start`` .. ``stop - 1`` (a pure function of the index)."""
    from samples.publishers import PUBLISHERS
    from samples.stories import make_story

    rows = []
    seen = "2026-01-01T00:00:00Z"
    for i in range(start, stop):
        publisher = PUBLISHERS[i % len(PUBLISHERS)]
        story = make_story(publisher, i // len(PUBLISHERS))
        text = "\n".join(story.paragraphs)
        # spread evenly over ten years, newest last, with a pseudo-random minute
        minute = (i * SPAN_MINUTES) // max(stop, 1_000_000) + (i * 7919) % 1440
        published = (FIRST_DAY + timedelta(minutes=minute)).isoformat()
        url = f"https://{publisher.name}.example/news/{i}"
        rows.append((
            url, url, publisher.name, story.title,
            story.author.name if story.author else None, published, story.topic.name,
            "ar", text, len(text.split()), hashlib.sha256(text.encode()).hexdigest(),
            seen, seen, "ok",
        ))  # fmt: skip
    return rows


def _batches(total: int, start: int = 0) -> Iterator[tuple[int, int]]:
    for first in range(start, total, BATCH):
        yield first, min(first + BATCH, total)


def _make_rows_star(bounds: tuple[int, int]) -> list[tuple]:
    return make_rows(*bounds)


@dataclass
class BuildReport:
    articles: int
    seconds: float
    db_bytes: int

    @property
    def rate(self) -> float:
        return self.articles / self.seconds if self.seconds else 0.0

    @property
    def bytes_per_article(self) -> float:
        return self.db_bytes / self.articles if self.articles else 0.0

    def lines(self) -> list[str]:
        return [
            f"articles           {self.articles:,}",
            f"build time         {self.seconds:,.1f} s  ({self.rate:,.0f} articles/s, "
            "generation + insert + Arabic normalisation + FTS5 index)",
            f"database size      {self.db_bytes / 2**20:,.1f} MiB  "
            f"({self.bytes_per_article / 1024:,.2f} KiB per article)",
        ]


def db_size(path: Path) -> int:
    return sum(
        p.stat().st_size for p in (path, path.with_name(path.name + "-wal")) if p.exists()
    )


def build_archive(path: Path, articles: int, *, workers: int = 1, progress=None) -> BuildReport:
    """Create (or extend to ``articles``) the benchmark archive at ``path``."""
    from archive.db import open_archive, upsert_site
    from samples.publishers import PUBLISHERS

    path = Path(path)
    db = open_archive(path)
    for publisher in PUBLISHERS:
        upsert_site(db, {"name": publisher.name, "title": publisher.title,
                         "base_url": f"https://{publisher.name}.example/", "language": "ar"})
    conn = db.conn
    have = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = OFF")  # a benchmark file: rebuild it after a crash
    conn.execute("PRAGMA cache_size = -262144")  # 256 MiB
    placeholders = ", ".join("?" * len(COLUMNS))
    sql = f"INSERT INTO articles ({', '.join(COLUMNS)}) VALUES ({placeholders})"
    started = time.perf_counter()
    done = have
    pool = multiprocessing.get_context("fork").Pool(workers) if workers > 0 else None
    try:
        batches = _batches(articles, have)
        rows_iter = (
            pool.imap(_make_rows_star, batches, chunksize=1)
            if pool
            else map(_make_rows_star, batches)
        )
        for rows in rows_iter:
            conn.execute("BEGIN")
            conn.executemany(sql, rows)
            conn.execute("COMMIT")
            done += len(rows)
            if progress:
                progress(done, articles, time.perf_counter() - started)
    finally:
        if pool:
            pool.close()
            pool.join()
    # merge the FTS5 b-tree segments, as a long-running archive ends up after automerge
    with conn:
        conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('optimize')")
    seconds = time.perf_counter() - started
    db.close()  # the last connection to close checkpoints the WAL into the file
    return BuildReport(done - have, seconds, db_size(path))
