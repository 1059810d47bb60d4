"""Per-site budgets of discovery: how much of a crawl a site's sitemaps and feeds may take.

A sitemap index can name thousands of sitemaps, each of 50,000 URLs, or name itself
again and again; pages can each link a feed of their own. Per site and crawl:

- ``ARSHIF_SITEMAP_MAX_DEPTH`` (2): how deep sitemap indexes are followed. The
  configured and robots.txt sitemaps are depth 0, what an index names is one deeper;
  sitemaps.org allows no index in an index, some CMSs nest one level.
- ``ARSHIF_DISCOVERY_MAX_FILES`` (100): sitemaps and feeds fetched beyond the
  configured ones (those named by robots.txt, sitemap indexes and ``<link rel=alternate>``).
- ``ARSHIF_DISCOVERY_MAX_URLS`` (50,000): URLs queued from sitemaps and feeds. The
  scheduler keeps every queued request in memory (~1-2 KB each); a site with more
  articles than this gets the rest through its pages' links and in the next crawls.

What goes over a budget is not fetched and is recorded once per document as
``discovery_budget``; what one file holds beyond the parser's limits
(crawler/discovery.py) as ``discovery_truncated``. Stats: ``discovery/over_budget/*``.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from crawler.failures import record_failure

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


class DiscoveryBudget:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.max_depth = settings.getint("ARSHIF_SITEMAP_MAX_DEPTH", 2)
        self.max_files = settings.getint("ARSHIF_DISCOVERY_MAX_FILES", 100)
        self.max_urls = settings.getint("ARSHIF_DISCOVERY_MAX_URLS", 50_000)
        self.files: Counter[str] = Counter()  # site -> discovered documents queued
        self.urls: Counter[str] = Counter()  # site -> URLs queued from documents
        self.cuts: Counter[tuple[str, str]] = Counter()  # (site, document) -> URLs not queued
        self.unread: set[tuple[str, str]] = set()  # documents left unread once the budget was spent

    def _refuse(self, site: str, what: str, url: str, detail: str, count: int = 1) -> None:
        self.crawler.stats.inc_value(f"discovery/over_budget/{what}", count)
        record_failure(self.crawler, url, "discovery_budget", detail, site=site)

    def document(self, site: str, url: str, depth: int, source: str) -> bool:
        """May the sitemap or feed ``url``, named by ``source`` at sitemap depth ``depth``, be fetched?"""
        if depth > self.max_depth:
            self._refuse(site, "depth", url, f"a sitemap index nested {depth} deep (named by {source}); "
                                             f"ARSHIF_SITEMAP_MAX_DEPTH is {self.max_depth}: not fetched")
            return False
        if self.files[site] >= self.max_files:
            self._refuse(site, "files", url, f"named by {source}; ARSHIF_DISCOVERY_MAX_FILES "
                                             f"({self.max_files}) sitemaps and feeds already fetched: not fetched")
            return False
        self.files[site] += 1
        return True

    def urls_left(self, site: str) -> int:
        return max(0, self.max_urls - self.urls[site])

    def queued(self, site: str, count: int) -> None:
        self.urls[site] += count

    def cut(self, site: str, source: str, count: int) -> None:
        """``count`` URLs of the document ``source`` were not queued: the site's URL budget is spent."""
        self.cuts[site, source] += count

    def spent(self, site: str, source: str) -> bool:
        """True (and the rest of ``source`` is not read) when no URL is left in the site's budget."""
        if self.urls_left(site):
            return False
        self.unread.add((site, source))
        return True

    def document_read(self, site: str, source: str) -> None:
        """Record what the budget cut from the document ``source``, now that all of it was read."""
        count, unread = self.cuts.pop((site, source), 0), (site, source) in self.unread
        self.unread.discard((site, source))
        if count or unread:
            rest = "; the rest of the file not read" if unread else ""
            self._refuse(site, "urls", source, f"{count:,} URLs not queued{rest}: ARSHIF_DISCOVERY_MAX_URLS "
                                               f"({self.max_urls:,}) URLs from sitemaps and feeds already "
                                               "queued", count)


def record_truncated(crawler: Crawler, site: str, url: str, detail: str) -> None:
    crawler.stats.inc_value("discovery/truncated")
    record_failure(crawler, url, "discovery_truncated", detail, site=site)
