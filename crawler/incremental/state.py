"""What the archive knows and what this run observed, shared by the incremental components."""

from __future__ import annotations

import email.utils
import logging
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archive.db import open_archive

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response
    from sqlite_utils import Database

logger = logging.getLogger(__name__)

STATE_ATTR = "_arshif_incremental"
HOME_PATH = re.compile(r"^/?(index\.(php|html?|aspx?|jsp))?$", re.IGNORECASE)
# Rechecks are skipped when more than this share of a site's listed URLs vanished at
# once: that is a broken or truncated sitemap, not a wave of deletions.
MAX_VANISHED_SHARE = 0.5
KEPT_STATS = ("downloader/request_count", "downloader/response_count", "item_scraped_count",
              "elapsed_time_seconds", "finish_reason", "warc/revisits", "warc/bytes_written",
              "extract/articles", "extract/skipped_unchanged", "incremental/skipped",
              "incremental/rechecks", "incremental/conditional", "incremental/not_modified")

def parse_time(value: str | None) -> datetime | None:
    """ISO 8601 (``Z`` allowed, date-only allowed) or RFC 822 to an aware UTC datetime."""
    if not value:
        return None
    text = str(value).strip()
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            moment = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def normalize_lastmod(value: str | None) -> str | None:
    """One spelling per instant, so a feed's and a sitemap's lastmod compare equal."""
    if not value:
        return None
    moment = parse_time(value)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else str(value).strip()


def callback_name(request: Request) -> str:
    return getattr(request.callback, "__name__", "") or ""


@dataclass
class Known:
    """What the archive knows about one URL."""

    status: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    digest: str | None = None  # payload digest of the latest 200 capture
    article_id: int | None = None


@dataclass
class ArticleInfo:
    id: int
    url: str
    canonical: str
    site: str | None
    published: datetime | None
    status: str


@dataclass
class Listing:
    site: str
    source: str  # sitemap, sitemapindex or feed
    listed_in: str | None
    lastmod: str | None

class IncrementalState:
    """Shared by the incremental components of one crawler: the archive's knowledge
    (loaded once) and this run's observations."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.enabled = settings.getbool("ARSHIF_ARCHIVE_ENABLED")
        self.incremental = settings.getbool("ARSHIF_INCREMENTAL", True)
        self.revisit_days = settings.getfloat("ARSHIF_REVISIT_DAYS", 7)
        self.revisit_depth = settings.getint("ARSHIF_REVISIT_DEPTH", 0)
        self.trigger = settings.get("ARSHIF_RUN_TRIGGER") or "cli"
        self.now = parse_time(settings.get("ARSHIF_NOW")) or datetime.now(UTC)
        self.now_given = bool(settings.get("ARSHIF_NOW"))
        self.db_path = Path(settings.get("ARSHIF_DATA_DIR") or "data") / "archive.db"
        self.db: Database | None = None
        self.loaded = False
        self.run_id: int | None = None
        # from the archive
        self.known: dict[str, Known] = {}
        self.articles: dict[int, ArticleInfo] = {}
        self.listings: dict[str, Listing] = {}
        self._by_sitemap: dict[str | None, list[str]] | None = None
        # this run
        self.listed: dict[str, Listing] = {}
        self.requested: set[str] = set()
        self.fetched_ok: set[str] = set()
        self.validators: dict[str, tuple[str | None, str | None]] = {}
        self.redirects: dict[str, tuple[str, str]] = {}  # known article URL -> (location, when)
        self.counts: dict[str, Counter] = defaultdict(Counter)
        self.outcomes: dict[int, str] = {}  # article id -> new/changed/unchanged in this run
        self.new_articles: dict[int, str] = {}  # article id -> site, first stored in this run

    # --- loading --------------------------------------------------------------

    def database(self) -> Database:
        if self.db is None:
            self.db = open_archive(self.db_path)
        return self.db

    def load(self) -> None:
        if self.loaded or not self.enabled:
            return
        self.loaded = True
        if not self.db_path.exists():
            return
        db = self.database()
        for url, status, etag, last_modified, digest, article_id in db.execute(
            "SELECT url, status, http_etag, http_last_modified, payload_digest, article_id "
            "FROM captures ORDER BY id"
        ):
            known = self.known.setdefault(url, Known())
            known.status = status
            if etag or last_modified:
                known.etag, known.last_modified = etag, last_modified
            if status == 200 and digest:
                known.digest = digest
            if article_id:
                known.article_id = article_id
        for aid, url, canonical, site, published, first_seen, status in db.execute(
            "SELECT id, url, canonical_url, site, published, first_seen, status FROM articles"
        ):
            self.articles[aid] = ArticleInfo(aid, url, canonical, site,
                                             parse_time(published) or parse_time(first_seen),
                                             status or "ok")
            self.known.setdefault(canonical, Known(article_id=aid))
        for url, site, source, listed_in, lastmod in db.execute(
            "SELECT url, site, source, listed_in, lastmod FROM listings"
        ):
            self.listings[url] = Listing(site, source, listed_in, lastmod)
        logger.info("Incremental: %d known URLs, %d articles, %d listed URLs in the archive",
                    len(self.known), len(self.articles), len(self.listings))

    # --- policy ---------------------------------------------------------------

    def site_setting(self, site: str | None, key: str, default: Any) -> Any:
        sites = getattr(self.crawler.spider, "sites", None) or {}
        value = getattr(sites.get(site), key, None) if site else None
        return default if value is None else value

    def is_recent(self, article: ArticleInfo) -> bool:
        days = self.site_setting(article.site, "revisit_days", self.revisit_days)
        return article.published is not None and article.published >= self.now - timedelta(days=days)

    def note_listing(self, request: Request, response: Response | None) -> None:
        meta = request.meta
        via = meta.get("via")
        if via not in ("sitemap", "feed") or "site" not in meta:
            return
        if via == "feed":
            source = "feed"
        else:
            source = "sitemapindex" if callback_name(request) == "parse_sitemap" else "sitemap"
        lastmod = normalize_lastmod((meta.get("hints") or {}).get("lastmod"))
        previous = self.listed.get(request.url)
        if previous is not None and previous.source == "sitemap" and source == "feed":
            source = "sitemap"  # a sitemap listing is what vanishing is judged by
        self.listed[request.url] = Listing(meta["site"], source, response.url if response else None,
                                           lastmod or (previous.lastmod if previous else None))

    def decide(self, request: Request) -> str | None:
        """Why to fetch ``request``, or None to skip it."""
        url, meta = request.url, request.meta
        known = self.known.get(url)
        if known is None:
            return "new"
        if not self.incremental:
            return "full"
        callback = callback_name(request)
        if callback in ("parse_robots", "parse_feed"):
            return "discovery"
        hints = meta.get("hints") or {}
        lastmod = normalize_lastmod(hints.get("lastmod"))
        stored = self.listings.get(url)
        lastmod_changed = bool(lastmod) and (stored is None or stored.lastmod != lastmod)
        if callback == "parse_sitemap":
            if meta.get("via") == "sitemap" and not lastmod_changed and lastmod and known.status == 200:
                self.carry_over(url)
                return None
            return "discovery"
        if lastmod_changed:
            return "lastmod"
        if known.article_id is not None:
            article = self.articles.get(known.article_id)
            if article is None or article.status != "ok":
                return None
            if meta.get("recheck"):
                return "recheck"
            if url != article.canonical:
                return None  # an alias (AMP twin, old spelling): the canonical URL is what is re-checked
            if self.is_recent(article):
                return "recent"
            return None
        if meta.get("via") == "seed":
            return "seed"
        depth = self.site_setting(meta.get("site"), "revisit_depth", self.revisit_depth)
        if meta.get("via") == "link" and (meta.get("hops", 0) or 0) <= depth:
            return "listing"
        return None

    def carry_over(self, sitemap_url: str) -> None:
        """An unchanged child sitemap: what it listed last time counts as listed now."""
        if self._by_sitemap is None:
            self._by_sitemap = defaultdict(list)
            for url, listing in self.listings.items():
                self._by_sitemap[listing.listed_in].append(url)
        for url in self._by_sitemap.get(sitemap_url, ()):
            if url not in self.listed:
                listing = self.listings[url]
                self.listed[url] = Listing(listing.site, listing.source, listing.listed_in, listing.lastmod)

    def payload_unchanged(self, item) -> bool:
        """The page's payload is byte-identical to its latest capture: nothing to re-extract."""
        if not self.enabled or item.status != 200:
            return False
        warc = item.warc or {}
        known = self.known.get(item.url)
        digest = warc.get("payload_digest")
        return bool(known and known.digest and digest and digest == known.digest)

    def count(self, site: str | None, key: str, n: int = 1) -> None:
        if site:
            self.counts[site][key] += n

    RANK = {"unchanged": 0, "changed": 1, "new": 2}

    def article_outcome(self, site: str, article_id: int, outcome: str) -> None:
        """Count each article once per run (an AMP twin and its page are one article):
        new beats changed beats unchanged."""
        previous = self.outcomes.get(article_id)
        if previous is not None and self.RANK[previous] >= self.RANK[outcome]:
            return
        if previous is not None:
            self.count(site, previous, -1)
        self.outcomes[article_id] = outcome
        self.count(site, outcome)

    # --- re-checks at idle ----------------------------------------------------

    def recheck_urls(self, site: str) -> list[tuple[str, str]]:
        """(url, reason) of known articles of ``site`` to fetch although nothing linked them."""
        seen = self.requested
        out: dict[str, str] = {}
        for article in self.articles.values():
            if (article.site == site and article.status == "ok" and self.is_recent(article)
                    and article.canonical not in seen and article.url not in seen):
                out.setdefault(article.canonical, "recent")
        listed_now = {u for u, entry in self.listed.items() if entry.site == site and entry.source == "sitemap"}
        listed_before = [u for u, entry in self.listings.items() if entry.site == site and entry.source == "sitemap"]
        if listed_now and listed_before:
            vanished = [u for u in listed_before if u not in listed_now]
            if len(vanished) > MAX_VANISHED_SHARE * len(listed_before):
                logger.warning("%s: %d of %d sitemap URLs vanished at once; not re-checking them",
                               site, len(vanished), len(listed_before))
            else:
                for url in vanished:
                    known = self.known.get(url)
                    article = self.articles.get(known.article_id) if known and known.article_id else None
                    if article is not None and article.status == "ok" and url not in seen:
                        out.setdefault(url, "vanished")
        return sorted(out.items())


def state_for(crawler: Crawler) -> IncrementalState:
    state = getattr(crawler, STATE_ATTR, None)
    if state is None:
        state = IncrementalState(crawler)
        setattr(crawler, STATE_ATTR, state)
    return state


def payload_unchanged(crawler: Crawler, item) -> bool:
    """For ExtractPipeline: True when ``item`` need not be extracted again."""
    state = getattr(crawler, STATE_ATTR, None)
    return state is not None and state.payload_unchanged(item)
