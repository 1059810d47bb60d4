"""Scope on every request: the site's own hosts, on public addresses only (issue 16).

``ScopeMiddleware`` (downloader middleware, 50: before robots.txt's at 100, so an
off-scope URL does not even get its robots.txt fetched) checks every request the
crawler is about to download: seeds, links, feeds, sitemaps, robots.txt, and the
targets of redirects and meta refreshes, which come back through the downloader
as new requests. It reads ``request.url``, the URL exactly as it will be requested,
with ``crawler.urls.url_host``, and refuses:

- ``unsafe_url``: a backslash, userinfo (``user@``) or non-ASCII that is no
  international domain name in the authority;
- ``off_scope_redirect``: a redirect or meta refresh to a host outside the site's
  ``allowed_domains`` (and the hosts of the feeds and sitemaps its entry lists);
  the 3xx itself is already in the WARC: it is written when it is downloaded.
  ``offsite`` for any other request outside them;
- ``private_address``: an address that is not on the public internet (loopback,
  link-local, private, CGNAT, unique-local, unspecified, multicast, IPv4-mapped),
  written in the URL or resolved from its host name, unless the site lists it
  in ``allow_private`` (crawler/sites.py).

Each refusal raises ``ArshifIgnore``; the spider's errback records it in the
``failures`` table with the refused URL (for a request without an errback, such
as Scrapy's own robots.txt fetch, this middleware records it).

``ScopedResolver`` (``TWISTED_DNS_RESOLVER``) is Scrapy's caching resolver with the
same address check on every answer, including the one the download connects to:
the middleware's lookup fills the DNS cache the connection then reads, so the
check and the connection see the same address, and a name whose next answer is
a private address (DNS rebinding, or ``DNSCACHE_ENABLED = False``) is refused at
the connection too (it fails there as ``dns_error``; counted in
``arshif/scope/refused_at_connect``). Behind a proxy (``HTTP_PROXY``) names are
resolved by the proxy and only addresses written in URLs are checked.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.resolver import CachingThreadedResolver
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.error import DNSLookupError

from crawler.failures import ArshifIgnore, record_failure
from crawler.urls import address_kind, parse_address, url_host

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from scrapy.crawler import Crawler
    from scrapy.http import Request
    from scrapy.statscollectors import StatsCollector
    from twisted.internet.defer import Deferred
    from typing_extensions import Self

    from crawler.sites import Site

logger = logging.getLogger(__name__)


class PrivateAddressRefused(DNSLookupError):
    """A host name resolved to an address the crawl may not connect to."""

    def __init__(self, refusal: str, address: str) -> None:
        super().__init__(refusal)
        self.address = address


def address_refusal(host: str, address: str, sites: Iterable[Site]) -> str | None:
    """Why ``host`` at ``address`` is out of bounds for every site in ``sites``; None if one allows it."""
    for ip in {parse_address(host), parse_address(address)} - {None}:
        kind = address_kind(ip)
        if kind is not None and not any(s.allows_address(ip) and s.serves(host) for s in sites):
            at = "" if str(ip) == host else f"{host} resolves to "
            return f"{at}{ip}, a {kind} address, not in allow_private"
    return None


class ScopedResolver(CachingThreadedResolver):
    """Scrapy's IPv4 caching resolver that refuses answers no crawled site allows."""

    def __init__(self, reactor, cache_size: int, timeout: float) -> None:
        super().__init__(reactor, cache_size, timeout)
        self.sites: list[Site] = []
        self.stats: StatsCollector | None = None

    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> Deferred[str]:
        return super().getHostByName(name, timeout).addCallback(self._check, name)

    def _check(self, address: str, name: str) -> str:
        refusal = address_refusal(name.lower().rstrip("."), address, self.sites)
        if refusal is None:
            return address
        if self.stats is not None:
            self.stats.inc_value("arshif/scope/refused_at_connect")
        logger.warning("DNS answer refused: %s", refusal)
        raise PrivateAddressRefused(refusal, address)


class ScopeMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.sites: dict[str, Site] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        middleware = cls(crawler)
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        return middleware

    def spider_opened(self, spider) -> None:
        from twisted.internet import reactor

        self.sites = dict(getattr(spider, "sites", {}))
        resolver = reactor.resolver
        if isinstance(resolver, ScopedResolver):
            resolver.sites.extend(self.sites.values())
            resolver.stats = self.crawler.stats
        else:
            logger.warning("TWISTED_DNS_RESOLVER is not crawler.middlewares.scope.ScopedResolver: addresses "
                           "are checked before each download, not at the connection (no DNS rebinding guard)")

    async def process_request(self, request: Request) -> None:
        refusal = await self._refusal(request)
        if refusal is None:
            return
        reason, detail = refusal
        logger.log(logging.INFO if reason == "offsite" else logging.WARNING, "Refused %s: %s", request.url, detail)
        self.crawler.stats.inc_value(f"arshif/scope/refused/{reason}")
        if request.errback is None:  # nobody else will record it (Scrapy's robots.txt fetch)
            record_failure(self.crawler, request.url, reason, detail, request=request)
        raise ArshifIgnore(reason, detail)

    async def _refusal(self, request: Request) -> tuple[str, str] | None:
        url = request.url
        host = url_host(url)
        if not host:
            return "unsafe_url", f"{url}: no host, or a backslash, userinfo or non-ASCII in the authority"
        sites = self._sites_for(request, host)
        if not sites:
            chain = request.meta.get("redirect_urls")
            if chain:
                chain = " -> ".join([*chain, url])
                return "off_scope_redirect", f"{chain}: {host} is outside the site's domains"[-2000:]
            return "offsite", f"{host} is outside the site's domains"
        address = host if parse_address(host) is not None else await self._resolve(host)
        if address is None:
            return None  # no answer: the download fails as dns_error
        refusal = address_refusal(host, address, sites)
        return None if refusal is None else ("private_address", refusal)

    def _sites_for(self, request: Request, host: str) -> list[Site]:
        """The request's site if ``host`` is in its scope; for a request of no site, every site it is in."""
        name = request.meta.get("site")
        if name is None:
            candidates = list(self.sites.values())
        else:
            candidates = [self.sites[name]] if name in self.sites else []
        return [site for site in candidates if site.serves(host)]

    async def _resolve(self, host: str) -> str | None:
        """The address the download will connect to (the resolver's cache keeps it); None if none."""
        from twisted.internet import reactor

        try:
            return await maybe_deferred_to_future(reactor.resolve(host))
        except PrivateAddressRefused as exc:
            return exc.address
        except DNSLookupError:
            return None
