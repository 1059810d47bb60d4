"""Distributed crawling on scrapy-redis: N crawler processes, one frontier and dupefilter in Redis.

Turned on by one setting, for the same ``news`` spider::

    arshif crawl --set ARSHIF_REDIS_URL=redis://10.0.0.5:6379/0 --set ARSHIF_REDIS_KEY=nightly

``RedisAddon`` (listed in ``ADDONS``) does nothing while ``ARSHIF_REDIS_URL`` is
empty. When it is set, it swaps in scrapy-redis's scheduler and duplicate filter,
so every worker pushes the requests its callbacks yield to one shared priority
queue and pops its next request from it, and a URL any worker has requested is
never requested again. Requests travel through Redis as JSON, never as pickles
(crawler/redis_queue.py; docs/distributed.md says what write access to Redis allows).
Everything else stays per worker: each one writes its own
WARC files (the file name carries the pid), extracts in its own process pool and
stores into the ``archive.db`` of its data directory (see docs/distributed.md
for why, and how archives of several machines are merged with ``arshif reindex``).

``RedisCoordinator`` (an extension the add-on enables) keeps a worker from
closing while others are still finding links, and lets the last worker out
clear the crawl's keys, unless ``ARSHIF_REDIS_PERSIST`` keeps them to resume.

Settings:
    ARSHIF_REDIS_URL (""): Redis URL; empty = distributed mode off.
    ARSHIF_REDIS_KEY ("arshif"): key prefix shared by the workers of one crawl:
        ``KEY:requests`` (frontier), ``KEY:dupefilter``, ``KEY:workers``, ``KEY:active``.
    ARSHIF_REDIS_IDLE_CLOSE (10.0): seconds every worker must have been idle, with the
        frontier empty, before a worker closes.
    ARSHIF_REDIS_PERSIST (False): keep the frontier and dupefilter when the last worker
        leaves (pause/resume); otherwise the last worker deletes them.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import warnings
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured, ScrapyDeprecationWarning
from scrapy.settings import SETTINGS_PRIORITIES

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import Settings
    from typing_extensions import Self

logger = logging.getLogger(__name__)

SCHEDULER = "scrapy_redis.scheduler.Scheduler"
DUPEFILTER = "scrapy_redis.dupefilter.RFPDupeFilter"
QUEUE = "crawler.redis_queue.JsonPriorityQueue"  # scrapy-redis's priority queue, in JSON
SERIALIZER = "crawler.redis_queue"  # its dumps/loads: JSON, never pickle
ACTIVITY_EVERY = 1.0  # seconds between a busy worker's "still active" marks


def redis_keys(prefix: str) -> dict[str, str]:
    """The Redis keys of one distributed crawl."""
    return {name: f"{prefix}:{name}" for name in ("requests", "dupefilter", "workers", "active")}


class RedisAddon:
    """Scrapy add-on: scrapy-redis scheduling when ``ARSHIF_REDIS_URL`` is set."""

    def update_settings(self, settings: Settings) -> None:
        url = settings.get("ARSHIF_REDIS_URL")
        if not url:
            return
        keys = redis_keys(settings.get("ARSHIF_REDIS_KEY") or "arshif")
        for name, value in {
            "SCHEDULER": SCHEDULER,
            "DUPEFILTER_CLASS": DUPEFILTER,
            "SCHEDULER_QUEUE_CLASS": QUEUE,
            "SCHEDULER_SERIALIZER": SERIALIZER,
            "SCHEDULER_QUEUE_KEY": keys["requests"],
            "SCHEDULER_DUPEFILTER_KEY": keys["dupefilter"],
            # Never let scrapy-redis flush the shared keys when *one* worker closes:
            # RedisCoordinator clears them when the last one does.
            "SCHEDULER_PERSIST": True,
            "REDIS_URL": url,
            # The frontier already lives (and survives) in Redis; a local job journal
            # shared by the workers of one data directory would only fight over it.
            "ARSHIF_JOB_DIR": "",
            "ARSHIF_RESUME": False,
        }.items():
            # the project's own DUPEFILTER_CLASS (and arshif crawl's job dir) must give way
            priority = max(settings.getpriority(name) or 0, SETTINGS_PRIORITIES["addon"])
            settings.set(name, value, priority=priority)
        settings.set_in_component_priority_dict("EXTENSIONS", RedisCoordinator, 700)
        # scrapy-redis 0.9.1 still passes spider= to the stats collector, which Scrapy
        # 2.19 deprecates (it works): one line of noise per worker, not our code to fix
        warnings.filterwarnings("ignore", message="Passing a 'spider' argument to StatsCollector",
                                category=ScrapyDeprecationWarning, module="scrapy_redis")


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class RedisCoordinator:
    """Close a worker only when the whole distributed crawl is done; clean up after the last."""

    def __init__(self, crawler: Crawler, server, keys: dict[str, str], idle_close: float,
                 persist: bool) -> None:
        self.crawler = crawler
        self.server = server
        self.keys = keys
        self.idle_close = idle_close
        self.persist = persist
        self.name = worker_name()
        self.last_mark = 0.0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.get("ARSHIF_REDIS_URL"):
            raise NotConfigured("ARSHIF_REDIS_URL is empty")
        from scrapy_redis.connection import get_redis_from_settings

        extension = cls(crawler, get_redis_from_settings(settings),
                        redis_keys(settings.get("ARSHIF_REDIS_KEY") or "arshif"),
                        settings.getfloat("ARSHIF_REDIS_IDLE_CLOSE", 10.0),
                        settings.getbool("ARSHIF_REDIS_PERSIST"))
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.response_received, signal=signals.response_received)
        crawler.signals.connect(extension.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self) -> None:
        self.server.sadd(self.keys["workers"], self.name)
        self.mark_active(force=True)
        logger.info("Distributed crawl %r: worker %s joined (%d workers)", self.keys["requests"],
                    self.name, self.server.scard(self.keys["workers"]))

    def mark_active(self, force: bool = False) -> None:
        # At most one Redis write a second per worker, however fast it fetches
        now = time.time()
        if force or now - self.last_mark >= ACTIVITY_EVERY:
            self.server.hset(self.keys["active"], self.name, now)
            self.last_mark = now

    def response_received(self) -> None:
        self.mark_active()

    def others_active(self) -> bool:
        """Another worker fetched something within the last ``idle_close`` seconds."""
        horizon = time.time() - self.idle_close
        marks = self.server.hgetall(self.keys["active"])
        name = self.name.encode()
        return any(float(stamp) > horizon for worker, stamp in marks.items()
                   if worker not in (name, self.name))

    def spider_idle(self) -> None:
        """Idle here does not mean done: another worker may be about to push new links."""
        pending = self.server.zcard(self.keys["requests"])
        if pending or self.others_active():
            self.crawler.stats.inc_value("distributed/idle_waits")
            raise DontCloseSpider(f"{pending} requests in the shared frontier or other workers busy")

    def spider_closed(self) -> None:
        self.server.srem(self.keys["workers"], self.name)
        self.server.hdel(self.keys["active"], self.name)
        if self.persist or self.server.scard(self.keys["workers"]):
            return
        # The last worker out: the crawl is over, a new one must start from scratch
        self.server.delete(*self.keys.values())
        logger.info("Distributed crawl %r finished: Redis keys cleared", self.keys["requests"])
