"""The sample-site farm: three pre-rendered Arabic news sites served on 127.0.0.11-13.

Each publisher gets its own loopback address on one shared port, so the crawler sees
three separate hosts. Pages are rendered once into bytes (`build_farm`); serving is a
dict lookup on aiohttp's low-level server, so benchmarks measure the crawler.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import hashlib
import logging
import socket
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import unquote

from aiohttp import web

from samples.pages import Page, redirect
from samples.publishers import DEFAULT_PORT, PUBLISHERS, Publisher, split_articles
from samples.sites import furat, khabour, nabd
from samples.sites.common import SiteBuild
from samples.stories import Article, make_articles

logger = logging.getLogger(__name__)

RENDERERS = {"furat": furat.render, "khabour": khabour.render, "nabd": nabd.render}


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


def build_farm(articles: int | None = None, port: int = DEFAULT_PORT, day: int = 0) -> Farm:
    """Render every page of the farm for `articles` in all (None: 25/20/20).

    `port` goes into absolute URLs (canonical links, feeds, sitemaps, redirects).
    `day` > 0 renders the farm as it is that many days later (samples/timeline.py).
    """
    if day:
        from samples.timeline import build_timeline_farm

        return build_timeline_farm(day, port, articles)
    counts = split_articles(articles)
    sites = []
    for publisher in PUBLISHERS:
        items = make_articles(publisher, counts[publisher.name])
        build = RENDERERS[publisher.name](publisher, items, port)
        sites.append(Site(publisher, items, build, port))
    return Farm(port, sites)


def bind_sockets(port: int, attempts: int = 50, hosts: list[str] | None = None) -> list[socket.socket]:
    """Listening sockets for every publisher host (or `hosts`) on one port (0: a free one)."""
    for _ in range(attempts):
        socks: list[socket.socket] = []
        chosen = port
        try:
            for host in hosts or [p.host for p in PUBLISHERS]:
                sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                socks.append(sock)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                sock.bind((host, chosen))
                chosen = sock.getsockname()[1]
                sock.listen(1024)
                sock.setblocking(False)
            return socks
        except OSError as exc:
            for sock in socks:
                sock.close()
            # With port 0 the first host's free port may be taken on another host: retry.
            if port or exc.errno != errno.EADDRINUSE:
                raise
    raise OSError(errno.EADDRINUSE, f"no port free on all farm hosts after {attempts} attempts")


async def serve(
    port: int = DEFAULT_PORT,
    articles: int | None = None,
    ready: Callable[[Farm], object] | None = None,
    *,
    farm: Farm | None = None,
    day: int = 0,
    hostile: bool = False,
    switches=None,
) -> None:
    """Serve the farm until cancelled; `ready(farm)` runs once every host listens.

    The sockets are bound before the (possibly long) build, so port 0 can be resolved
    first and baked into the pages' absolute URLs. A prebuilt `farm` is used when its
    port matches the bound one.
    """
    hosts = [p.host for p in PUBLISHERS]
    if hostile:  # opt-in 4th publisher (samples/sites/hostile.py)
        from samples.sites.hostile import HOST as HOSTILE_HOST

        hosts.append(HOSTILE_HOST)
    socks = bind_sockets(port, hosts=hosts)
    bound = socks[0].getsockname()[1]
    servers: list[tuple[asyncio.AbstractServer, web.Server]] = []
    try:
        if farm is None or farm.port != bound:
            farm = build_farm(articles, port=bound, day=day)
        if hostile:
            from samples.sites.hostile import HostileSite

            farm.hostile = HostileSite(bound, switches)
        loop = asyncio.get_running_loop()
        for host, sock in zip(hosts, socks):
            low_level = web.Server(farm.handler(host), access_log=None)
            servers.append((await loop.create_server(low_level, sock=sock), low_level))
        logger.info("farm serving %d articles on port %d", farm.article_count, bound)
        if ready is not None:
            ready(farm)
        await asyncio.Event().wait()
    finally:
        for server, low_level in servers:
            server.close()
            await low_level.shutdown(1.0)
            await server.wait_closed()
        for sock in socks[len(servers):]:
            sock.close()
        logger.info("farm on port %d stopped", bound)


class FarmThread(threading.Thread):
    """The farm served from a background thread with its own event loop (for tests)."""

    def __init__(self, port: int = 0, articles: int | None = None, *, hostile: bool = False,
                 switches=None) -> None:
        super().__init__(name="arshif-farm", daemon=True)
        self._port, self._articles = port, articles
        self._hostile, self._switches = hostile, switches
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task | None = None
        self.farm: Farm | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        self._loop, self._task = asyncio.get_running_loop(), asyncio.current_task()
        try:
            await serve(self._port, self._articles, ready=self._on_ready, hostile=self._hostile,
                        switches=self._switches)
        except asyncio.CancelledError:
            pass
        except BaseException as exc:  # handed to the starting thread
            self.error = exc
        finally:
            self._ready.set()

    def _on_ready(self, farm: Farm) -> None:
        self.farm = farm
        self._ready.set()

    def start_serving(self, timeout: float = 300) -> Farm:
        self.start()
        if not self._ready.wait(timeout) or self.farm is None:
            raise RuntimeError(f"farm did not start: {self.error!r}") from self.error
        return self.farm

    def stop(self) -> None:
        if self._loop is not None and self._task is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._task.cancel)
        self.join(30)


@contextlib.contextmanager
def running_farm(port: int = 0, articles: int | None = None, *, hostile: bool = False,
                 switches=None) -> Iterator[Farm]:
    """`with running_farm() as farm:` serves the farm; `farm.port` is the bound port.

    `hostile=True` adds the hostile publisher (`farm.hostile`, samples/sites/hostile.py)."""
    thread = FarmThread(port, articles, hostile=hostile, switches=switches)
    try:
        yield thread.start_serving()
    finally:
        thread.stop()
