"""ExtractPipeline: turn fetched HTML pages into article records, off the reactor.

Extraction (trafilatura + Arabic metadata) costs ~4-10 ms of CPU per page, so
it runs in a pool of worker processes; the reactor only awaits the result and
keeps downloading meanwhile.

Settings:
    ARSHIF_EXTRACT_WORKERS (0 = one process per CPU core but one: the reactor process
    is the crawl's critical path and keeps a core; on the 10,000-article farm, 2 cores,
    one worker crawled in 105-108 s, two in 125-131 s).
    ARSHIF_EXTRACT_NICE (10): niceness added to the workers, so that they take only the
    CPU the reactor leaves when they outnumber the free cores (more workers than the
    default, or other jobs on the machine).
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime, timezone
from functools import partial
from typing import TYPE_CHECKING

from scrapy import signals

from crawler.incremental import payload_unchanged
from pipelines.extraction import extract_article

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from typing_extensions import Self

    from crawler.items import PageItem

logger = logging.getLogger(__name__)


def is_article(extraction: dict, url_hint: bool | None) -> bool:
    """The site's URL pattern, when it has one, overrides the page's own signals."""
    if not extraction.get("text"):
        return False
    if url_hint is not None:
        return url_hint
    return bool(extraction.get("is_article"))


class ExtractPipeline:
    def __init__(self, crawler: Crawler, workers: int, nice: int = 0) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.workers = workers
        self.nice = nice
        self.pool: ProcessPoolExecutor | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        workers = crawler.settings.getint("ARSHIF_EXTRACT_WORKERS") or max(1, (os.cpu_count() or 1) - 1)
        pipeline = cls(crawler, workers, crawler.settings.getint("ARSHIF_EXTRACT_NICE"))
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def _new_pool(self) -> ProcessPoolExecutor:
        # spawn, not fork: forking a process that runs a reactor copies its sockets and threads
        return ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=os.nice, initargs=(self.nice,))

    def open_spider(self) -> None:
        self.pool = self._new_pool()

    def spider_closed(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None

    async def process_item(self, item: PageItem) -> PageItem:
        if item.kind != "page" or item.status != 200:
            return item
        if payload_unchanged(self.crawler, item):
            # byte-identical to the page's last capture: its extraction is in the archive
            self.stats.inc_value("extract/skipped_unchanged")
            return item
        if self.crawler.spider.sites[item.site].looks_like_article_url(item.url) is False:
            # the site's article_pattern rules the URL out whatever the page says
            # (is_article below): listings, print views... need no extraction
            self.stats.inc_value("extract/not_article")
            return item
        fetched_at = datetime.fromisoformat(item.warc["fetched_at"]) if item.warc else datetime.now(timezone.utc)
        loop = asyncio.get_running_loop()
        try:
            extraction = await loop.run_in_executor(self.pool, partial(
                extract_article, item.body, item.url,
                header_charset=item.header_charset, fetched_at=fetched_at,
            ))
        except BrokenProcessPool:
            logger.error("Extraction worker died on %s; restarting the pool", item.url)
            self.stats.inc_value("extract/worker_crashed")
            self.pool = self._new_pool()
            from crawler.failures import record_failure  # issue 7: the failures table

            record_failure(self.crawler, item.url, "extraction_crashed",
                           f"the extraction process died on this page ({len(item.body)} bytes); stored unextracted",
                           site=item.site, status=item.status)
            return item
        site = self.crawler.spider.sites[item.site]
        if is_article(extraction, site.looks_like_article_url(item.url)):
            item.article = extraction
            self.stats.inc_value("extract/articles")
        else:
            self.stats.inc_value("extract/not_article")
        return item
