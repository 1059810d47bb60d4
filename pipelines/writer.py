"""ArchiveWriter: the crawl's per-item archive writes, on a thread of their own.

SQLite does its part of a write (full-text index, B-trees, the WAL, the commit)
without holding the GIL, so while one item is being stored the reactor goes on
downloading and parsing. The reactor was the crawl's critical path, and these writes
were about a tenth of its CPU time (issue 8).

One thread, one connection: the archive pipeline and the versions pipeline submit
functions of the connection (``await writer.run(fn, *args)`` calls ``fn(db, *args)``),
which run one after the other, each committed before its ``await`` returns, so an
item is stored when its pipeline step ends, as before. Both pipelines share the
writer of their crawler (``archive_writer``); it closes after the spider.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import signals

from archive.db import open_archive

if TYPE_CHECKING:
    from collections.abc import Callable

    from scrapy.crawler import Crawler
    from sqlite_utils import Database

_ATTR = "_arshif_archive_writer"


class ArchiveWriter:
    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self.db: Database | None = None
        self.executor = ThreadPoolExecutor(1, thread_name_prefix="arshif-archive")

    def _call(self, fn: Callable[..., Any], args: tuple) -> Any:
        if self.db is None:  # opened in the writer thread, which alone uses it
            self.db = open_archive(self.db_path)
        return fn(self.db, *args)

    async def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.wrap_future(self.executor.submit(self._call, fn, args))

    def run_now(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Outside the reactor's loop (opening, closing): wait for the result."""
        return self.executor.submit(self._call, fn, args).result()

    def close(self) -> None:
        def close_db(db: Database) -> None:
            db.close()
            self.db = None

        if self.db is not None:
            self.run_now(close_db)
        self.executor.shutdown(wait=True)


def archive_writer(crawler: Crawler) -> ArchiveWriter:
    """The crawler's one writer (DATA/archive.db), closed once the spider has closed."""
    writer = getattr(crawler, _ATTR, None)
    if writer is None:
        writer = ArchiveWriter(Path(crawler.settings.get("ARSHIF_DATA_DIR") or "data") / "archive.db")
        crawler.signals.connect(writer.close, signal=signals.spider_closed)
        setattr(crawler, _ATTR, writer)
    return writer
