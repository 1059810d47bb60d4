"""The Redis frontier of a distributed crawl (crawler/distributed.py) holds JSON, never pickle.

scrapy-redis stores each request as ``pickle.dumps(request.to_dict())`` unless told
otherwise, and unpickling runs whatever code the bytes name: anyone who can write to
the Redis of a crawl would run code in every worker. Here each entry is the JSON that
``crawler.request_json.request_to_json`` writes (the job journal's format): a URL, the name of
one of the spider's callbacks, JSON meta. ``SCHEDULER_SERIALIZER`` names this module
(``dumps``/``loads``) and ``SCHEDULER_QUEUE_CLASS`` its ``JsonPriorityQueue``; both
are set by ``RedisAddon`` and imported only in distributed mode.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING

from scrapy_redis.queue import PriorityQueue

from crawler.failures import record_failure
from crawler.request_json import request_from_json, request_to_json

if TYPE_CHECKING:
    from scrapy.http import Request

logger = logging.getLogger(__name__)

MAX_ENTRY_BYTES = 64 * 1024  # an arshif request is well under 4 KB
# What only means something in the process that fetched: a request scheduled again by a
# retry or a redirect keeps its retry_times, redirect_ttl and depth on the way through Redis.
_PROCESS_META = frozenset({"download_slot", "download_latency", "download_timeout", "arshif_bytes_received",
                           "arshif_first_byte", "arshif_last_byte", "warc"})


def dumps(obj: dict) -> bytes:
    """scrapy-redis serializer: JSON (its default, pickle, runs what Redis hands it)."""
    return json.dumps(obj, ensure_ascii=False, allow_nan=False, default=str).encode("utf-8")


def loads(data: bytes) -> dict:
    if len(data) > MAX_ENTRY_BYTES:
        raise ValueError(f"{len(data)} bytes")
    obj = json.loads(data.decode("utf-8"))  # a pickle is not UTF-8 JSON: ValueError
    if not isinstance(obj, dict):
        raise ValueError("not a JSON object")
    return obj


class JsonPriorityQueue(PriorityQueue):
    """scrapy-redis's priority queue, holding what ``crawler.request_json.request_to_json`` writes.

    Whoever can write to Redis can put entries in the frontier: an entry that is not
    such a request (a pickle, another class, a method that is not a callback) is
    dropped, logged and recorded as ``queue_rejected``, and the worker goes on.
    """

    def _encode_request(self, request: Request) -> bytes:
        return dumps(request_to_json(request, self.spider, drop=_PROCESS_META))

    def _decode_request(self, encoded_request: bytes) -> Request | None:
        try:
            return request_from_json(loads(encoded_request), self.spider, dont_filter=False)
        except (ValueError, TypeError, AttributeError, KeyError, ImportError) as exc:
            self.reject(encoded_request, exc)
            return None

    def reject(self, entry: bytes, exc: Exception) -> None:
        crawler = self.spider.crawler
        crawler.stats.inc_value("distributed/rejected")
        logger.error("Dropped an entry of the Redis frontier %s that is not an arshif request (%s: %s): %r",
                     self.key, type(exc).__name__, exc, entry[:80])
        record_failure(crawler, f"redis:{self.key}", "queue_rejected",
                       f"{type(exc).__name__}: {exc}; {len(entry)} bytes starting {entry[:40]!r}; not run")
