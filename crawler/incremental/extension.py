"""IncrementalCrawl: the run row, re-checks when the crawl goes idle, and the closing bookkeeping."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured

from archive import versions
from archive.db import utc_now
from archive.runs import finish_run, start_run
from crawler.incremental.state import HOME_PATH, KEPT_STATS, state_for
from crawler.urls import canonicalize_url

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from sqlite_utils import Database

logger = logging.getLogger(__name__)


class IncrementalCrawl:
    """Extension: opens the run, re-checks due articles when the crawl goes idle, and
    settles moves, listings and the run's counts when it closes."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.state = state_for(crawler)
        self.rechecked = False
        if not self.state.enabled:
            raise NotConfigured("ARSHIF_ARCHIVE_ENABLED is off")

    @classmethod
    def from_crawler(cls, crawler: Crawler):
        extension = cls(crawler)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider) -> None:
        state = self.state
        state.load()
        settings = self.crawler.settings
        crawl_id = (settings.get("ARSHIF_CRAWL_ID") or self.crawler.stats.get_value("arshif/crawl_id")
                    or datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ"))
        state.run_id = start_run(
            state.database(), crawl_id=crawl_id, mode="incremental" if state.incremental else "full",
            trigger=state.trigger, sites=list(getattr(spider, "site_names", []) or []),
            now=state.now.strftime("%Y-%m-%dT%H:%M:%SZ") if state.now_given else None,
        )

    def spider_idle(self, spider) -> None:
        if self.rechecked or not getattr(spider, "sites", None):
            return
        self.rechecked = True
        requests = []
        for name, site in spider.sites.items():
            for url, reason in self.state.recheck_urls(name):
                request = spider.make(site, url, spider.parse_page, "recheck")
                request.meta["recheck"] = reason
                requests.append(request)
                self.crawler.stats.inc_value(f"incremental/rechecks/{reason}")
        if not requests:
            return
        self.crawler.stats.inc_value("incremental/rechecks", len(requests))
        logger.info("Re-checking %d known articles (recent or dropped out of a sitemap)", len(requests))
        for request in requests:
            self.crawler.engine.crawl(request)
        raise DontCloseSpider

    def spider_closed(self, spider, reason: str) -> None:
        state = self.state
        if state.db is None and not state.db_path.exists():
            return
        db = state.database()
        try:
            self.settle_redirects(db, spider)
            self.save_listings(db)
            sites = list(getattr(spider, "sites", {}) or {}) or sorted(state.counts)
            stats = self.crawler.stats.get_stats()
            kept = {k: stats[k] for k in KEPT_STATS if k in stats}
            kept["revisit_days"] = state.revisit_days
            if state.run_id is not None:
                totals = finish_run(db, state.run_id, status=reason, sites=sites, per_site=state.counts,
                                    stats=kept)
                for key, value in totals.items():
                    if isinstance(value, int):
                        self.crawler.stats.set_value(f"incremental/run/{key}", value)
        finally:
            db.close()
            state.db = None

    def settle_redirects(self, db: Database, spider) -> None:
        """A known article that redirected: moved to another article, or removed."""
        state = self.state
        sites = getattr(spider, "sites", {}) or {}
        for source, (location, when) in sorted(state.redirects.items()):
            known = state.known.get(source)
            article = state.articles.get(known.article_id) if known and known.article_id else None
            if article is None or article.status != "ok":
                continue
            target = canonicalize_url(location)
            if target in (article.canonical, canonicalize_url(source)):
                continue
            row = db.execute("SELECT id FROM articles WHERE canonical_url = ?", [target]).fetchone() or \
                db.execute("SELECT article_id FROM captures WHERE url = ? AND article_id IS NOT NULL "
                           "ORDER BY id DESC LIMIT 1", [target]).fetchone()
            site = article.site
            if row and row[0] != article.id:
                if versions.mark_removed(db, article.id, when=when, reason="moved", status="moved",
                                         moved_to=target):
                    article.status = "moved"
                    state.count(site, "moved")
                    if row[0] in state.new_articles:  # the new URL is the same article, moved
                        versions.mark_moved_version(db, row[0], article.canonical)
                        state.count(state.new_articles.pop(row[0]), "new", -1)
                        state.outcomes.pop(row[0], None)
                continue
            base = sites.get(site).base_url if site in sites else None
            target_known = state.known.get(target)
            if urlsplit(target).netloc == urlsplit(source).netloc and (
                    HOME_PATH.match(urlsplit(target).path) or (base and target == canonicalize_url(base))):
                reason = "redirect to home page"
            elif target_known is not None and target_known.article_id is None:
                reason = "redirect to listing page"
            else:
                reason = f"redirect to {target}"
            if versions.mark_removed(db, article.id, when=when, reason=reason):
                article.status = "removed"
                state.count(site, "removed")

    def save_listings(self, db: Database) -> None:
        """What sitemaps and feeds listed in this run, with the lastmod of what was fetched."""
        state = self.state
        now = utc_now()
        rows = []
        for url, listing in state.listed.items():
            stored = state.listings.get(url)
            lastmod = listing.lastmod
            if stored is not None and url in state.known and url not in state.fetched_ok:
                lastmod = stored.lastmod  # not fetched: keep what the archive holds
            row = {"url": url, "site": listing.site, "source": listing.source,
                   "listed_in": listing.listed_in or (stored.listed_in if stored else None),
                   "lastmod": lastmod, "last_listed": now}
            if stored is None:
                row["first_listed"] = now
            rows.append(row)
        with db.atomic():
            for row in rows:
                db.table("listings").upsert(row, pk="url")
