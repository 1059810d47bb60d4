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
    ARSHIF_EXTRACT_TIMEOUT (20 s; 0 = no bound): the longest one page may take in a
    worker. A farm page takes ~5-10 ms and a 2 MB page about a second; a page over the
    budget is stored unextracted and recorded as ``extraction_timeout``, and its worker
    is killed and replaced (pipelines/workers.py) while the other workers go on.

Pages whose outcome is known before extraction are not sent to the workers: a URL the
site's ``article_pattern`` rules out, a home/tag/author/search/paging URL (never an
article, pipelines/extraction/classify.py), and the AMP twin of an article this crawl
has extracted (pipelines/twins.py), stored as a capture of that article (``twin_of``).
"""

from __future__ import annotations

import asyncio
import logging
import os
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from scrapy import signals

from crawler.failures import record_failure
from crawler.incremental import payload_unchanged
from pipelines.extraction import extract_article
from pipelines.extraction.classify import listing_url
from pipelines.twins import AmpTwins
from pipelines.workers import KillablePool, TaskTimeout, WorkerDied

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
    def __init__(self, crawler: Crawler, workers: int, nice: int = 0, timeout: float = 0) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.workers = workers
        self.nice = nice
        self.timeout = timeout
        self.pool: KillablePool | None = None
        self.twins = AmpTwins()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        workers = crawler.settings.getint("ARSHIF_EXTRACT_WORKERS") or max(1, (os.cpu_count() or 1) - 1)
        settings = crawler.settings
        pipeline = cls(crawler, workers, settings.getint("ARSHIF_EXTRACT_NICE"),
                       settings.getfloat("ARSHIF_EXTRACT_TIMEOUT"))
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self) -> None:
        self.pool = KillablePool(self.workers, initializer=os.nice, initargs=(self.nice,),
                                 preload=("pipelines.extraction",))

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
        site = self.crawler.spider.sites[item.site]
        url_hint = site.looks_like_article_url(item.url)
        if url_hint is False or (url_hint is None and listing_url(item.url) == "hard"):
            # is_article below would say no whatever the page holds: the site's
            # article_pattern rules the URL out, or it is a home/tag/paging URL
            self.stats.inc_value("extract/not_article")
            return item
        item.twin_of = await self.twins.twin_of(item)
        if item.twin_of is not None:
            self.stats.inc_value("extract/skipped_twin")
            return item
        self.twins.extracting_page(item)
        try:
            extraction = await self._extract(item)
            if extraction is not None and is_article(extraction, url_hint):
                item.article = extraction
                self.stats.inc_value("extract/articles")
            elif extraction is not None:
                self.stats.inc_value("extract/not_article")
        finally:  # an AMP twin may be waiting for this page's outcome
            self.twins.extracted(item, site)
        return item

    async def _extract(self, item: PageItem) -> dict | None:
        """The page's extraction from a worker; None (failure recorded) when it overran or died."""
        fetched_at = datetime.fromisoformat(item.warc["fetched_at"]) if item.warc else datetime.now(timezone.utc)
        try:
            return await asyncio.wrap_future(self.pool.submit(
                extract_article, item.body, item.url, header_charset=item.header_charset, fetched_at=fetched_at,
                timeout=self.timeout))
        except TaskTimeout:
            logger.error("Extraction of %s took over %g s; its worker was replaced", item.url, self.timeout)
            self.stats.inc_value("extract/timeout")
            record_failure(self.crawler, item.url, "extraction_timeout",
                           f"extraction ran over ARSHIF_EXTRACT_TIMEOUT ({self.timeout:g} s) on this page "
                           f"({len(item.body)} bytes); worker killed and replaced; stored unextracted",
                           site=item.site, status=item.status)
        except WorkerDied:
            logger.error("Extraction worker died on %s; another one took its place", item.url)
            self.stats.inc_value("extract/worker_crashed")
            record_failure(self.crawler, item.url, "extraction_crashed",
                           f"the extraction process died on this page ({len(item.body)} bytes); stored unextracted",
                           site=item.site, status=item.status)
        return None
