"""The sample-site farm: pre-rendered Arabic news sites served on 127.0.0.11-17.

Each publisher gets its own loopback address on one shared port, so the crawler sees
separate hosts. Pages are rendered once into bytes (`build_farm`); serving is a
dict lookup on aiohttp's low-level server, so benchmarks measure the crawler.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import socket
import threading
from collections.abc import Callable, Iterator

from aiohttp import web

from samples.publishers import DEFAULT_PORT, PUBLISHERS, split_articles
from samples.rendered import RENDERERS, Farm, Site
from samples.stories import make_articles
from samples.timeline import build_timeline_farm

__all__ = ["Farm", "Site", "build_farm", "running_farm", "serve"]

logger = logging.getLogger(__name__)


def build_farm(articles: int | None = None, port: int = DEFAULT_PORT, day: int = 0) -> Farm:
    """Render every page of the farm for `articles` in all (None: each publisher's default).

    `port` goes into absolute URLs (canonical links, feeds, sitemaps, redirects).
    `day` > 0 renders the farm as it is that many days later (samples/timeline.py).
    """
    if day:
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
