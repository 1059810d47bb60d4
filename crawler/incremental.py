"""Incremental crawling: fetch only what is new or changed, keep versions, notice removals.

The archive DB says what is already known: every captured URL with its latest
validators (ETag, Last-Modified) and payload digest, every article with its
publication date and status, and what each sitemap and feed listed last time
(with ``lastmod``). From that, a crawl:

1. always fetches the discovery documents (robots.txt, feeds, sitemaps) and the
   home page, except child sitemaps whose ``lastmod`` in the sitemap index has not
   changed (their entries count as listed again);
2. fetches every URL it does not know;
3. fetches a known article again only when it is due: its sitemap/feed ``lastmod``
   changed, it is recent (published within ``ARSHIF_REVISIT_DAYS``), or it dropped
   out of a sitemap that listed it (a deletion or a move shows up like that);
   recent articles and dropped-out ones are re-checked even when no page links to
   them any more;
4. fetches known non-article pages (listings) only within ``ARSHIF_REVISIT_DEPTH``
   link hops of a seed (0: the home page and configured seeds only);
5. sends known article pages a conditional request (If-None-Match /
   If-Modified-Since from the last capture): a 304 is recorded as a capture;
6. does not re-extract a page whose payload is byte-identical to the last capture
   (issue 3's WARC writer stores it as a ``revisit`` record);
7. keeps every distinct version of an article (``archive.versions``), marks
   articles that answer 404/410 or redirect to a home/listing page as removed and
   those that redirect to another article as moved, and writes a ``crawl_runs``
   row with per-site counts (``archive.runs``).

``ARSHIF_INCREMENTAL = False`` (``arshif crawl --full``) fetches everything in
reach again; versions, removals, conditional requests and the runs table still work.

Components (all enabled in crawler/settings.py): ``IncrementalSpiderMiddleware``
(the re-visit policy, before the scheduler so skipped URLs never reach the
dupefilter), ``IncrementalDownloaderMiddleware`` (conditional headers, validators,
redirects of known articles, per-site counts), ``VersionsPipeline`` (after the
archive pipeline) and the ``IncrementalCrawl`` extension (run row, re-checks when
the crawl goes idle, final bookkeeping). They share one ``IncrementalState``.

Settings:
    ARSHIF_INCREMENTAL (True), ARSHIF_REVISIT_DAYS (7), ARSHIF_REVISIT_DEPTH (0),
    ARSHIF_NOW ("": the wall clock; an ISO 8601 time for replays and the farm's
    timeline), ARSHIF_RUN_TRIGGER ("cli"; the scheduler sets "schedule").
    Per site (sites.toml): ``revisit_days``, ``revisit_depth``.
"""

from __future__ import annotations

import email.utils
import logging
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from scrapy import signals
from scrapy.exceptions import DontCloseSpider, IgnoreRequest, NotConfigured
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware
from scrapy.utils.misc import load_object

from archive import versions
from archive.db import open_archive, utc_now
from archive.runs import finish_run, start_run
from crawler.urls import canonicalize_url

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


def _callback_name(request: Request) -> str:
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
            source = "sitemapindex" if _callback_name(request) == "parse_sitemap" else "sitemap"
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
        callback = _callback_name(request)
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


class IncrementalSpiderMiddleware(BaseSpiderMiddleware):
    """The re-visit policy, applied to requests before they reach the scheduler."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.state = state_for(crawler)
        if not self.state.enabled:
            raise NotConfigured("ARSHIF_ARCHIVE_ENABLED is off")

    def get_processed_request(self, request: Request, response: Response | None) -> Request | None:
        state = self.state
        if "site" not in request.meta:
            return request
        state.load()
        state.note_listing(request, response)
        reason = state.decide(request)
        if reason is None:
            state.count(request.meta["site"], "skipped")
            self.crawler.stats.inc_value("incremental/skipped")
            return None
        self.crawler.stats.inc_value(f"incremental/fetch/{reason}")
        return request


class IncrementalDownloaderMiddleware:
    """Conditional requests for known articles; validators, redirects and counts per site."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.state = state_for(crawler)
        settings = crawler.settings
        self.max_retries = settings.getint("RETRY_TIMES")
        self.retried = tuple(load_object(x) if isinstance(x, str) else x
                             for x in settings.getlist("RETRY_EXCEPTIONS"))
        if not self.state.enabled:
            raise NotConfigured("ARSHIF_ARCHIVE_ENABLED is off")

    @classmethod
    def from_crawler(cls, crawler: Crawler):
        return cls(crawler)

    def process_request(self, request: Request):
        site = request.meta.get("site")
        if not site:
            return None
        state = self.state
        state.load()
        state.requested.add(request.url)
        known = state.known.get(request.url)
        if request.meta.get("redirect_urls") and known is not None and state.decide(request) is None:
            # a redirect (short link, old spelling) to a known page that is not due
            state.count(site, "skipped")
            self.crawler.stats.inc_value("incremental/skipped")
            raise IgnoreRequest(f"incremental: {request.url} is known and not due")
        state.count(site, "requests")
        if (known is not None and known.article_id is not None and _callback_name(request) == "parse_page"
                and (known.etag or known.last_modified)):
            if known.etag:
                request.headers.setdefault(b"If-None-Match", known.etag.encode("latin-1"))
            if known.last_modified:
                request.headers.setdefault(b"If-Modified-Since", known.last_modified.encode("latin-1"))
            allowed = list(request.meta.get("handle_httpstatus_list", ()))
            if 304 not in allowed:
                request.meta["handle_httpstatus_list"] = [*allowed, 304]
            self.crawler.stats.inc_value("incremental/conditional")
        return None

    def process_response(self, request: Request, response: Response):
        site = request.meta.get("site")
        if not site:
            return response
        state = self.state
        state.count(site, "pages")
        status = response.status
        if status in (200, 304):
            state.fetched_ok.add(request.url)
            etag = response.headers.get(b"ETag")
            last_modified = response.headers.get(b"Last-Modified")
            if etag or last_modified:
                state.validators[response.url] = (etag.decode("latin-1") if etag else None,
                                                  last_modified.decode("latin-1") if last_modified else None)
        if status == 304:
            state.count(site, "not_modified")
            self.crawler.stats.inc_value("incremental/not_modified")
        elif 300 <= status < 400 and response.headers.get(b"Location"):
            known = state.known.get(request.url)
            if known is not None and known.article_id is not None:
                location = urljoin(request.url, response.headers[b"Location"].decode("latin-1"))
                state.redirects[request.url] = (location, datetime.now(UTC).isoformat(timespec="seconds"))
        return response

    def process_exception(self, request: Request, exception: BaseException):
        site = request.meta.get("site")
        if not site or isinstance(exception, IgnoreRequest):
            return None
        retries_left = request.meta.get("retry_times", 0) < request.meta.get("max_retry_times", self.max_retries)
        if not (isinstance(exception, self.retried) and retries_left):
            self.state.count(site, f"error:{type(exception).__name__}")
        return None


class VersionsPipeline:
    """After the archive pipeline: versions, unchanged re-fetches, removals, counts."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.state = state_for(crawler)
        if not self.state.enabled:
            raise NotConfigured("ARSHIF_ARCHIVE_ENABLED is off")

    @classmethod
    def from_crawler(cls, crawler: Crawler):
        return cls(crawler)

    def _capture(self, db: Database, item) -> tuple[int | None, int | None, str | None]:
        record_id = (item.warc or {}).get("record_id")
        if record_id:
            row = db.execute("SELECT id, article_id, fetched_at FROM captures WHERE warc_record_id = ?",
                             [record_id]).fetchone()
        else:
            row = db.execute("SELECT id, article_id, fetched_at FROM captures WHERE url = ? "
                             "ORDER BY id DESC LIMIT 1", [item.url]).fetchone()
        return tuple(row) if row else (None, None, None)

    def process_item(self, item):
        state = self.state
        site = item.site
        if item.status >= 400:
            state.count(site, f"error:http_{item.status}")
        if item.kind not in ("page", "error", "other") or not site:
            return item
        state.load()
        db = state.database()
        capture_id, article_id, fetched_at = self._capture(db, item)
        validators = state.validators.pop(item.url, None)
        if capture_id is not None and validators:
            db.execute("UPDATE captures SET http_etag = ?, http_last_modified = ? WHERE id = ?",
                       [validators[0], validators[1], capture_id])
            db.conn.commit()
        known = state.known.get(item.url)
        known_article = known.article_id if known else None
        if item.article is not None and article_id is not None:
            self._versions(db, item, site, article_id, capture_id, fetched_at)
        elif known_article and (item.status == 304 or state.payload_unchanged(item)):
            versions.mark_seen(db, known_article, capture_id, fetched_at)
            if item.status == 200:
                state.count(site, "revisits")
            state.article_outcome(site, known_article, "unchanged")
        elif known_article and item.status in (404, 410):
            article = state.articles.get(known_article)
            if article is not None and versions.mark_removed(
                    db, known_article, when=fetched_at, reason=f"http {item.status}", capture_id=capture_id):
                article.status = "removed"
                state.count(site, "removed")
        return item

    def _versions(self, db, item, site, article_id, capture_id, fetched_at) -> None:
        state = self.state
        extraction = item.article
        row = db.execute("SELECT canonical_url, content_hash FROM articles WHERE id = ?", [article_id]).fetchone()
        canonical, content_hash = row
        outcome = versions.record_version(
            db, article_id, capture_id=capture_id, fetched_at=fetched_at, url=item.url,
            title=extraction.get("title"), text=extraction.get("text"), content_hash=content_hash,
            modified=extraction.get("modified"), word_count=extraction.get("word_count"),
            alias=canonicalize_url(item.url) != canonical, run_id=state.run_id,
        )
        if outcome == versions.NEW:
            state.new_articles[article_id] = site
        elif outcome == versions.ALIAS:
            self.crawler.stats.inc_value("incremental/alias_differs")
        state.article_outcome(site, article_id, versions.UNCHANGED if outcome == versions.ALIAS else outcome)
        info = state.articles.get(article_id)
        if info is None:
            state.articles[article_id] = ArticleInfo(article_id, item.url, canonical, site, None, "ok")
        state.known.setdefault(canonical, Known(article_id=article_id)).article_id = article_id


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
