"""The farm in memory: each publisher's rendered pages (`Site`) and all of them (`Farm`).

`RENDERERS` maps a publisher's name to the function that renders its pages; both
samples/farm.py (the default farm) and samples/timeline.py (later days) build from it.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote

from aiohttp import web

from samples.pages import Page, redirect
from samples.publishers import DEFAULT_PORT, Publisher
from samples.sites import baladna, rafidain, furat, khabour, maraya, nabd
from samples.sites.common import SiteBuild
from samples.stories import Article

RENDERERS = {
    "furat": furat.render, "khabour": khabour.render, "nabd": nabd.render,
    "maraya": maraya.render, "baladna": baladna.render, "rafidain": rafidain.render,
}


@dataclass
class Site:
    publisher: Publisher
    articles: list[Article]
    build: SiteBuild
    port: int = DEFAULT_PORT

    def __post_init__(self) -> None:
        # Percent-encoded paths also answer in their decoded (or re-encoded) spelling.
        self.decoded = {unquote(p): page for p, page in self.build.pages.items() if "%" in p}

    def lookup(self, raw_path: str) -> Page:
        pages = self.build.pages
        page = pages.get(raw_path)
        if page is not None:
            return page
        path, _, query = raw_path.partition("?")
        candidates = [unquote(raw_path)]
        if self.build.ignore_query and query:
            candidates += [path, unquote(path)]
        for key in candidates:
            page = pages.get(key) or self.decoded.get(key)
            if page is not None:
                return page
        if self.build.trailing_slash and not path.endswith("/") and (path + "/") in pages:
            location = self.publisher.base_url(self.port) + path[1:] + "/" + (f"?{query}" if query else "")
            return redirect(location)
        return self.build.not_found


class Farm:
    """Rendered sites plus, while served, `port` and `request_counts`.

    `request_counts` counts requests by (host, raw path with query), e.g.
    `farm.request_counts[("127.0.0.13", "/robots.txt")]`.
    """

    def __init__(self, port: int, sites: list[Site]) -> None:
        self.port = port
        self.sites = sites
        self.publishers = [s.publisher for s in sites]
        self.articles = [a for s in sites for a in s.articles]
        self.request_counts: Counter[tuple[str, str]] = Counter()
        self._by_host = {s.publisher.host: s for s in sites}

    @property
    def article_count(self) -> int:
        return len(self.articles)

    @property
    def base_urls(self) -> list[str]:
        return [p.base_url(self.port) for p in self.publishers]

    def site(self, host_or_name: str) -> Site:
        for s in self.sites:
            if host_or_name in (s.publisher.host, s.publisher.name):
                return s
        raise KeyError(host_or_name)

    def lookup(self, host: str, raw_path: str) -> Page:
        return self._by_host[host].lookup(raw_path)

    def boilerplate(self, article: Article) -> list[str]:
        """Strings visible on the article's page that are not part of its body."""
        return self.site(article.publisher.name).build.boilerplate[article.name]

    def requests_to(self, host: str, prefix: str = "/") -> int:
        """How many requests the farm served for `host` paths starting with `prefix`."""
        return sum(n for (h, p), n in self.request_counts.items() if h == host and p.startswith(prefix))

    def fingerprint(self) -> str:
        """SHA-256 over every path, status, header and body: equal builds, equal prints."""
        digest = hashlib.sha256()
        for site in self.sites:
            for path in sorted(site.build.pages):
                page = site.build.pages[path]
                digest.update(f"{site.publisher.host}{path}{page.status}{sorted(page.headers.items())}".encode())
                digest.update(page.body)
                digest.update(page.gz_body or b"")
        return digest.hexdigest()

    # the opt-in hostile publisher on 127.0.0.14 (samples/sites/hostile.py), set by serve()
    hostile = None

    def handler(self, host: str) -> Callable[[web.BaseRequest], object]:
        if self.hostile is not None and host == self.hostile.publisher.host:
            return self.hostile.handle
        site, counts = self._by_host[host], self.request_counts

        async def handle(request: web.BaseRequest) -> web.StreamResponse:
            raw = request.raw_path
            counts[(host, raw)] += 1
            return site.lookup(raw).respond(request)

        return handle
