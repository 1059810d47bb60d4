"""Crawler traps: endless calendars, pagination and query-parameter variants.

A trap is a URL *shape* that keeps producing new URLs that are never articles:
``/calendar/2023/05/`` -> ``/calendar/2023/04/`` -> ..., ``/list?sort=..&view=..&page=N``
in every combination, ``/archive?date=...`` for every day since 1970. The shape of a
URL is its path with digit runs replaced by ``N`` plus the sorted names of its query
parameters (``/calendar/N/N/``, ``/list?page&sort&view``).

``TrapGuardMiddleware`` (spider middleware) counts, per site and shape, the URLs
the spider follows from links. Once a shape has had ``ARSHIF_TRAP_MAX_URLS`` of them
without proving itself an article shape (at least as many articles as other pages
among those fetched), further links of that shape are held back and the shape is
recorded as ``crawler_trap``. Held URLs (up to ``ARSHIF_TRAP_HOLD`` per shape) are
released if the shape later turns out to hold articles; URLs matching the site's
``article_pattern``, and URLs from sitemaps and feeds (the site's own lists), are
never held. Session ids and tracking parameters never get this far: they are
removed by ``crawler.urls.canonicalize_url``.

``ARSHIF_MAX_DEPTH`` still bounds link hops; this guard is what makes a deep crawl
safe on sites with traps.

Settings:
    ARSHIF_TRAP_MAX_URLS (500; 0 disables the guard), ARSHIF_TRAP_HOLD (1000).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from scrapy import Request, signals
from scrapy.exceptions import NotConfigured

from crawler.failures import record_failure

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterable, Iterator

    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from typing_extensions import Self

logger = logging.getLogger(__name__)

_DIGITS = re.compile(r"\d+")


def url_shape(url: str) -> str:
    """``/calendar/N/N/`` for ``/calendar/2023/05/``; ``/list?page&sort`` for ``/list?sort=a&page=2``."""
    parts = urlsplit(url)
    names = sorted({name for name, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return _DIGITS.sub("N", parts.path or "/") + ("?" + "&".join(names) if names else "")


@dataclass
class Shape:
    followed: int = 0  # link URLs let through
    articles: int = 0  # fetched pages of this shape that were articles
    others: int = 0  # ... that were not
    held: list[Request] = field(default_factory=list)
    held_total: int = 0
    first_held: str | None = None

    @property
    def proven(self) -> bool:
        return self.articles > 0 and self.articles >= self.others


class TrapGuardMiddleware:
    def __init__(self, crawler: Crawler, max_urls: int, hold: int) -> None:
        self.crawler = crawler
        self.max_urls = max_urls
        self.hold = hold
        self.shapes: dict[tuple[str, str], Shape] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        max_urls = crawler.settings.getint("ARSHIF_TRAP_MAX_URLS", 500)
        if max_urls <= 0:
            raise NotConfigured("ARSHIF_TRAP_MAX_URLS is 0")
        guard = cls(crawler, max_urls, crawler.settings.getint("ARSHIF_TRAP_HOLD", 1000))
        crawler.signals.connect(guard.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(guard.spider_closed, signal=signals.spider_closed)
        return guard

    def _shape(self, site: str, url: str) -> tuple[tuple[str, str], Shape]:
        key = (site, url_shape(url))
        shape = self.shapes.get(key)
        if shape is None:
            shape = self.shapes[key] = Shape()
        return key, shape

    def allow(self, request: Request) -> bool:
        meta = request.meta
        site_name = meta.get("site")
        if meta.get("via") != "link" or not site_name:
            return True
        key, shape = self._shape(site_name, request.url)
        if shape.proven:
            return True
        site = getattr(self.crawler.spider, "sites", {}).get(site_name)
        if site is not None and site.looks_like_article_url(request.url):
            return True
        if shape.followed < self.max_urls:
            shape.followed += 1
            return True
        shape.held_total += 1
        if len(shape.held) < self.hold:
            shape.held.append(request)
        self.crawler.stats.inc_value("arshif/trap/held")
        if shape.first_held is None:
            shape.first_held = request.url
            self.crawler.stats.inc_value("arshif/trap/shapes")
            logger.warning("Crawler trap on %s: more than %d URLs shaped %s, none proven an article; "
                           "holding further ones back", site_name, self.max_urls, key[1])
            self._record(key, shape)
        return False

    def _record(self, key: tuple[str, str], shape: Shape, final: bool = False) -> None:
        site, pattern = key
        detail = (f"{shape.followed} URLs shaped {pattern} followed ({shape.articles} articles, "
                  f"{shape.others} other pages fetched); "
                  f"{shape.held_total if final else 'further'} URLs held back (ARSHIF_TRAP_MAX_URLS={self.max_urls})")
        record_failure(self.crawler, shape.first_held or pattern, "crawler_trap", detail, site=site,
                       count=0 if final else 1)

    def item_scraped(self, item: Any) -> None:
        url, site = getattr(item, "url", None), getattr(item, "site", None)
        if not url or not site or getattr(item, "kind", None) != "page" or getattr(item, "status", 0) != 200:
            return
        key, shape = self._shape(site, url)
        was_proven = shape.proven
        if getattr(item, "article", None) is not None:
            shape.articles += 1
        else:
            shape.others += 1
        if shape.proven and not was_proven and shape.held:
            logger.info("%s: URLs shaped %s are articles after all; releasing %d held URLs",
                        site, key[1], len(shape.held))
            held, shape.held = shape.held, []
            for request in held:
                self.crawler.engine.crawl(request)

    def _filter(self, result: Iterable[Any]) -> Iterator[Any]:
        for element in result:
            if not isinstance(element, Request) or self.allow(element):
                yield element

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterator[Any]:
        return self._filter(result)

    async def process_spider_output_async(self, response: Response,
                                          result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for element in result:
            if not isinstance(element, Request) or self.allow(element):
                yield element

    def spider_closed(self) -> None:
        for key, shape in self.shapes.items():
            if shape.first_held is not None:
                self._record(key, shape, final=True)
