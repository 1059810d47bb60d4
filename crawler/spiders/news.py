"""The generic news spider: one spider for every configured site.

Discovery order per site: robots.txt (for ``Sitemap:`` lines), configured
feeds and sitemaps, then the home page; from every HTML page in-scope links
are followed up to ``ARSHIF_MAX_DEPTH`` hops. Every fetched document becomes a
``PageItem``; whether a page is an article is decided by the extraction
pipeline (page signals, plus the site's optional ``article_pattern``).

Usage: ``scrapy crawl news [-a site=NAME[,NAME...]] [-a config=sites.toml]``.
"""

from __future__ import annotations

import functools
import logging
import posixpath
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.http import HtmlResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.response import get_base_url
from w3lib.html import strip_html5_whitespace
from w3lib.url import safe_url_string

from crawler.budget import DiscoveryBudget, record_truncated
from crawler.discovery import ParseReport, iter_feed, iter_sitemap, robots_sitemaps, sitemap_kind
from crawler.failures import category_of, classify_failure, record_failure
from crawler.items import PageItem
from crawler.sites import Site, load_sites, select_sites
from crawler.urls import canonicalize_url

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator

    from scrapy.http import Response

    from crawler.discovery import Discovered

logger = logging.getLogger(__name__)

# Links to these never lead to articles, and fetching them wastes the site's bandwidth.
SKIP_EXTENSIONS = [
    "jpg", "jpeg", "png", "gif", "webp", "svg", "ico", "pdf", "mp3", "mp4", "webm", "avi",
    "zip", "rar", "gz", "doc", "docx", "xls", "xlsx", "ppt", "css", "js", "woff", "woff2", "ttf",
]
_SKIP_SUFFIXES = frozenset(f".{ext}" for ext in SKIP_EXTENSIONS)
# AMP versions (/amp/..., .../amp, ?amp=1, page.amp.html) are fetched after the other
# links: by then their article has usually been extracted, and the twin need not be
# (pipelines/twins.py). The AMP page is still captured.
AMP_URL = re.compile(r"/amp(?:/|$)|[?&]amp(?:=|&|$)|\.amp(?:\.html?)?$", re.IGNORECASE)
# URLs remembered as requested: a site's menus fit many times over; the duplicate
# filter, not this, is what keeps a URL from being fetched twice.
REQUESTED_MAX = 1 << 16


class RecentSet(dict):
    """A set of the ``limit`` most recently added keys."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def add(self, key: str) -> None:
        if key not in self:
            if len(self) >= self.limit:
                del self[next(iter(self))]
            self[key] = None


def page_links(response: HtmlResponse) -> list[str]:
    """Canonical http(s) URLs of the page's ``<a>``/``<area>`` links, in page order.

    What ``LinkExtractor(deny_extensions=SKIP_EXTENSIONS, unique=True)`` returns
    (same base URL, same encoding rules), at a fraction of its cost: it works on
    the tree Scrapy already parsed, and a site's menus and footers repeat the same
    links on every page, so resolved links are cached across pages.
    """
    base, encoding = get_base_url(response), response.encoding
    origin = urljoin(base, "/")
    urls = {}
    for href in response.selector.root.xpath("//a/@href|//area/@href"):
        href = strip_html5_whitespace(href)
        # the key holds just the part of the base URL that the link's resolution uses
        if href.startswith(("http://", "https://")):
            url = resolve_link("", href, encoding)
        elif href.startswith("/") and not href.startswith("//"):
            url = resolve_link(origin, href, encoding)
        else:
            url = resolve_link(base, href, encoding)
        if url:
            urls[url] = None
    return list(urls)


@functools.lru_cache(maxsize=1 << 12)
def resolve_link(base: str, href: str, encoding: str) -> str | None:
    """The canonical URL ``href`` leads to from ``base``; None for links not to follow."""
    try:
        url = urljoin(base, href)
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or posixpath.splitext(parts.path)[1].lower() in _SKIP_SUFFIXES:
            return None
        if not url.isascii():  # percent-encode as the Request would (query in the page's encoding)
            url = safe_url_string(url, encoding)
    except ValueError:  # bogus link, e.g. a port that is not a number
        return None
    return canonicalize_url(url)


class NewsSpider(scrapy.Spider):
    name = "news"
    # the methods a request read back from outside the process may name (crawler/jobs.py)
    callbacks = frozenset({"parse_robots", "parse_sitemap", "parse_feed", "parse_page", "on_error"})

    def __init__(self, site: str = "", config: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.site_names = [n.strip() for n in site.split(",") if n.strip()]
        self.config_path = config
        self.sites: dict[str, Site] = {}
        # URLs already requested: a page links to ~20 URLs, nearly all seen before, and
        # each Request costs ~0.3 ms in the middlewares before the dupefilter drops it.
        self.requested = RecentSet(REQUESTED_MAX)

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any):
        spider = super().from_crawler(crawler, *args, **kwargs)
        # loaded here, not in start(): pipelines' open_spider runs first and records the sites
        path = spider.config_path or spider.settings.get("ARSHIF_SITES_CONFIG")
        spider.sites = {s.name: s for s in select_sites(load_sites(path), spider.site_names)}
        spider.budget = DiscoveryBudget(crawler)
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        self.max_hops = self.settings.getint("ARSHIF_MAX_DEPTH")
        self.follow_links = self.settings.getbool("ARSHIF_FOLLOW_LINKS")
        for site in self.sites.values():
            for request in self.seed_requests(site):
                yield request

    def seed_requests(self, site: Site) -> Iterator[scrapy.Request]:
        yield self.make(site, urljoin(site.base_url, "/robots.txt"), self.parse_robots, "seed", dont_filter=True)
        for url in site.feeds:
            yield self.make(site, url, self.parse_feed, "seed")
        for url in site.sitemaps:
            yield self.make(site, url, self.parse_sitemap, "seed")
        yield self.make(site, site.base_url, self.parse_page, "seed")

    def make(self, site: Site, url: str, callback, via: str, referrer: str | None = None,
             hops: int = 0, hints: dict | None = None, sitemap_depth: int = 0, **kwargs: Any) -> scrapy.Request:
        meta = {"site": site.name, "via": via, "referrer": referrer, "hops": hops, "hints": hints or {}}
        if sitemap_depth:
            meta["sitemap_depth"] = sitemap_depth
        url = canonicalize_url(url)
        self.requested.add(url)
        return scrapy.Request(url, callback=callback, meta=meta,
                              errback=self.on_error, **kwargs)

    def item_for(self, response: Response, kind: str, outlinks: list[str] | None = None) -> PageItem:
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
        charset = None
        if "charset=" in content_type.lower():
            charset = content_type.lower().split("charset=", 1)[1].split(";")[0].strip(" \"'") or None
        meta = response.meta
        return PageItem(
            site=meta["site"], url=response.url, status=response.status, kind=kind,
            content_type=content_type, header_charset=charset, body=response.body,
            warc=meta.get("warc"), via=meta.get("via", "seed"), referrer=meta.get("referrer"),
            outlinks=outlinks or [], hints=meta.get("hints", {}),
        )

    def parse_robots(self, response: Response) -> Iterator[Any]:
        site = self.sites[response.meta["site"]]
        yield self.item_for(response, "robots")
        if response.status == 200:
            for url in robots_sitemaps(response.body, response.url):
                if site.in_scope(url) and self.budget.document(site.name, url, 0, response.url):
                    yield self.make(site, url, self.parse_sitemap, "robots", response.url)

    # Sitemaps and feeds are read entry by entry as Scrapy consumes the callback's output,
    # so a large one never stalls the reactor; their item, with every URL they listed,
    # comes last.
    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        site = self.sites[response.meta["site"]]
        report, listed = ParseReport(), []
        depth = response.meta.get("sitemap_depth", 0) + 1
        pages = []
        for entry in iter_sitemap(response.body, response.url, report):
            listed.append(entry.url)
            if report.root != "sitemapindex":
                pages.append(entry)
                if len(pages) >= 1000:
                    yield from self.queue_entries(site, response.url, pages, "sitemap")
                    pages = []
                    if self.budget.spent(site.name, response.url):
                        break
            elif site.in_scope(entry.url) and self.budget.document(site.name, entry.url, depth, response.url):
                yield self.make(site, entry.url, self.parse_sitemap, "sitemap", response.url,
                                hints=self.hints(entry), sitemap_depth=depth)
        yield from self.queue_entries(site, response.url, pages, "sitemap")
        self.crawler.stats.inc_value(f"discovery/sitemap_{sitemap_kind(report)}")
        self.note_truncated(site, response.url, report)
        yield self.item_for(response, "sitemap", listed)

    def parse_feed(self, response: Response) -> Iterator[Any]:
        site = self.sites[response.meta["site"]]
        report = ParseReport()
        entries = list(iter_feed(response.body, response.url, report))  # feeds are short: tens of items
        self.crawler.stats.inc_value("discovery/feed_entries", len(entries))
        yield from self.queue_entries(site, response.url, entries, "feed")
        self.note_truncated(site, response.url, report)
        yield self.item_for(response, "feed", [e.url for e in entries])

    @staticmethod
    def hints(entry: Discovered) -> dict:
        return {"title": entry.title, "published": entry.published, "lastmod": entry.lastmod}

    def queue_entries(self, site: Site, source: str, entries: list[Discovered], via: str) -> Iterator[scrapy.Request]:
        """Requests for the in-scope entries of a sitemap or feed, within the site's URL budget."""
        left = self.budget.urls_left(site.name)
        fresh = [e for e in entries if site.in_scope(e.url)]
        if len(fresh) > left:
            self.budget.cut(site.name, source, len(fresh) - left)
            fresh = fresh[:left]
        self.budget.queued(site.name, len(fresh))
        for entry in fresh:
            yield self.make(site, entry.url, self.parse_page, via, source, hints=self.hints(entry))

    def note_truncated(self, site: Site, url: str, report: ParseReport) -> None:
        self.budget.document_read(site.name, url)
        if report:
            record_truncated(self.crawler, site.name, url, report.describe())

    def parse_page(self, response: Response) -> Iterator[Any]:
        if response.status == 304:  # a conditional re-fetch found the page unchanged
            yield self.item_for(response, "page")
            return
        if not isinstance(response, HtmlResponse):
            yield from self.parse_other(response)
            return
        site = self.sites[response.meta["site"]]
        in_scope = [url for url in page_links(response) if site.in_scope(url)]
        yield self.item_for(response, "page", in_scope)
        for link in response.xpath('//link[@rel="alternate"][@href]'):
            url = canonicalize_url(response.urljoin(link.attrib["href"]))
            if site.in_scope(url) and "xml" in link.attrib.get("type", "") and (
                    url in self.requested or self.budget.document(site.name, url, 0, response.url)):
                yield self.make(site, url, self.parse_feed, "feed-link", response.url)
        hops = response.meta.get("hops", 0) + 1
        if self.follow_links and hops <= self.max_hops:
            for url in in_scope:
                if url not in self.requested:
                    yield self.make(site, url, self.parse_page, "link", response.url, hops=hops,
                                    priority=-1 if AMP_URL.search(url) else 0)

    def parse_other(self, response: Response) -> Iterator[Any]:
        """A link led to a non-HTML document: read it as a feed or sitemap if it is one."""
        head = response.body[:512].lstrip().lower()
        if b"<urlset" in head or b"<sitemapindex" in head:
            yield from self.parse_sitemap(response)
        elif b"<rss" in head or b"<feed" in head or b"<rdf" in head:
            yield from self.parse_feed(response)
        else:
            self.crawler.stats.inc_value("discovery/non_html_pages")
            yield self.item_for(response, "other")

    def on_error(self, failure) -> Iterator[Any]:
        """Count the failure by reason; an HTTP error response is still a capture."""
        request = failure.request
        # the reason and its record: crawler/failures.py (failures table, docs/failures.md)
        reason, detail, status = classify_failure(failure, self.settings.getint("DOWNLOAD_MAXSIZE"))
        if category_of(reason) == "policy":
            # a policy decision (robots.txt, offsite), not a failure of the site
            self.crawler.stats.inc_value("arshif/skipped")
            logger.debug("Skipped %s: %s", request.url, failure.getErrorMessage())
            record_failure(self.crawler, request.url, reason, detail, status=status, request=request)
            return
        if failure.check(HttpError):
            response = failure.value.response
            if "site" in response.meta:
                yield self.item_for(response, "error")
        record_failure(self.crawler, request.url, reason, detail, status=status, request=request)
        self.crawler.stats.inc_value(f"arshif/fetch_error/{reason}")
        logger.warning("Fetch failed for %s: %s (%s)", request.url, reason, detail)
