"""Politeness Scrapy leaves to the user: a contact in the User-Agent, Crawl-delay, Retry-After.

- ``ContactUserAgent`` (add-on): ``USER_AGENT`` becomes ``arshif/<version>
  (+ARSHIF_CONTACT_URL)`` unless ``USER_AGENT`` itself is set on the command line,
  so ``--set ARSHIF_CONTACT_URL=...`` is enough to name the operator.
- ``PolitenessMiddleware`` (downloader middleware, 560: sees responses after
  decompression and before ``RetryMiddleware``):

  * robots.txt ``Crawl-delay`` for our User-Agent becomes the minimum delay of the
    host's download slot, without random jitter. Scrapy parses robots.txt but
    ignores Crawl-delay; AutoThrottle lowers a slot's delay after every response,
    so the floor is applied again after each one.
  * a 429 or 503 with ``Retry-After`` (ASCII seconds or an HTTP date, read as at most
    a year) pauses the whole host that long, then the request is retried (Scrapy
    retries 429/503 at once); any other value counts as no Retry-After.
    A Retry-After above ``ARSHIF_RETRY_AFTER_MAX`` is not waited for: the URL is
    given up and recorded as ``rate_limited``.
  * every retryable status or exception is remembered in
    ``request.meta["arshif_attempts"]``, so failures and recoveries name them.

Settings:
    ARSHIF_CONTACT_URL, ARSHIF_RETRY_AFTER_MAX (300 s), ARSHIF_CRAWL_DELAY_MAX (60 s).
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from time import monotonic
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from protego import Protego
from scrapy import signals
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import IgnoreRequest
from scrapy.settings import SETTINGS_PRIORITIES

from crawler.discovery import MAX_ROBOTS_BYTES, robots_head, robots_text
from crawler.failures import record_failure
from crawler.urls import url_host

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response
    from scrapy.settings import BaseSettings
    from typing_extensions import Self

logger = logging.getLogger(__name__)

# Scrapy only waits between requests of a slot that has a delay.
_TINY_DELAY = 0.001
# A server's Retry-After is read as at most a year: beyond ARSHIF_RETRY_AFTER_MAX it is
# given up anyway, and the failures table shows a number, not "inf".
RETRY_AFTER_CAP = 365 * 86400.0
_RETRY_AFTER_LEN = 64  # the longest HTTP-date is 29 characters
_DELTA_SECONDS = re.compile(r"[0-9]{1,12}")
# IMF-fixdate, RFC 850 date, asctime: letters, ASCII digits, spaces, commas, colons, dashes
_HTTP_DATE = re.compile(r"[A-Za-z]{3,9},? [0-9A-Za-z :-]{10,40}")


def user_agent(contact_url: str) -> str:
    """``arshif/0.1 (+https://...)``: the project, its version and whom to contact."""
    try:
        from importlib.metadata import version

        release = ".".join(version("arshif").split(".")[:2])
    except Exception:  # noqa: BLE001 - not installed (running from a checkout)
        release = "0.1"
    return f"arshif/{release} (+{contact_url})" if contact_url else f"arshif/{release}"


class ContactUserAgent:
    """Scrapy add-on: derive ``USER_AGENT`` from ``ARSHIF_CONTACT_URL`` at crawl time."""

    def update_settings(self, settings: BaseSettings) -> None:
        priority = settings.getpriority("USER_AGENT") or 0
        if priority > SETTINGS_PRIORITIES["project"]:
            return  # USER_AGENT given explicitly (-s / --set): keep it
        settings.set("USER_AGENT", user_agent(settings.get("ARSHIF_CONTACT_URL", "")), priority="project")


def retry_after_seconds(value: str | bytes, now: datetime | None = None) -> float | None:
    """Seconds to wait for a ``Retry-After`` value, at most ``RETRY_AFTER_CAP``; None if invalid.

    Strictly RFC 9110: ASCII digits (``str.isdigit`` also takes ``²`` and ``١٢``,
    which ``float`` then refuses or reads) or an HTTP-date in ASCII.
    """
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    value = value.strip(" \t")  # HTTP's whitespace; str.strip() also takes U+00A0 and U+2028
    if len(value) > _RETRY_AFTER_LEN or not value.isascii():
        return None
    if _DELTA_SECONDS.fullmatch(value):
        return min(float(value), RETRY_AFTER_CAP)
    if not _HTTP_DATE.fullmatch(value):
        return None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return min(RETRY_AFTER_CAP, max(0.0, (when - (now or datetime.now(UTC))).total_seconds()))


def robots_crawl_delay(body: bytes, agent: str) -> float | None:
    """The Crawl-delay robots.txt sets for ``agent`` (or ``*``), if any."""
    try:
        delay = Protego.parse(robots_text(body)).crawl_delay(agent)
    except Exception:  # noqa: BLE001 - a broken robots.txt sets no delay
        return None
    return float(delay) if delay else None


class PolitenessMiddleware:
    def __init__(self, crawler: Crawler, retry_after_max: float, crawl_delay_max: float) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.retry_after_max = retry_after_max
        self.crawl_delay_max = crawl_delay_max
        settings = crawler.settings
        self.agent = settings.get("ROBOTSTXT_USER_AGENT") or settings.get("USER_AGENT") or "arshif"
        self.retry_codes = {int(code) for code in settings.getlist("RETRY_HTTP_CODES")}
        self.maxsize = settings.getint("DOWNLOAD_MAXSIZE")
        self.crawl_delays: dict[str, float] = {}  # download slot -> robots.txt Crawl-delay
        self.robots_read: set[str] = set()  # download slots whose robots.txt was read

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        middleware = cls(crawler, settings.getfloat("ARSHIF_RETRY_AFTER_MAX", 300.0),
                         settings.getfloat("ARSHIF_CRAWL_DELAY_MAX", 60.0))
        # Connected after AutoThrottle's receiver (extensions exist before the
        # downloader), so the floor is put back after each of its adjustments.
        crawler.signals.connect(middleware.response_downloaded, signal=signals.response_downloaded)
        return middleware

    # --- Crawl-delay --------------------------------------------------------
    def _slot(self, key: str | None):
        engine = self.crawler.engine
        if key is None or engine is None:
            return None
        return engine.downloader.slots.get(key)

    def _apply_floor(self, key: str) -> None:
        delay, slot = self.crawl_delays.get(key), self._slot(key)
        if delay and slot is not None and (slot.delay < delay or slot.jitter):
            slot.delay = max(slot.delay, delay)
            slot.jitter = 0.0  # a random 50% shorter wait would break the Crawl-delay

    def response_downloaded(self, response: Response, request: Request) -> None:
        if self.crawl_delays:
            key = request.meta.get("download_slot")
            if key in self.crawl_delays:
                self._apply_floor(key)

    def _read_robots(self, request: Request, response: Response) -> Response:
        """Read robots.txt once per host (Scrapy and the spider each fetch it), and cut it to
        MAX_ROBOTS_BYTES for everyone after: Protego took ~0.9 s per 5 MB, on the reactor."""
        if len(response.body) > MAX_ROBOTS_BYTES:
            response = response.replace(body=robots_head(response.body))
            self.stats.inc_value("arshif/robots_truncated")
        key = request.meta.get("download_slot") or url_host(request.url)
        if not key or key in self.robots_read:
            return response
        self.robots_read.add(key)
        delay = robots_crawl_delay(response.body, self.agent)
        if not delay:
            return response
        self.crawl_delays[key] = min(delay, self.crawl_delay_max)
        self.stats.set_value(f"arshif/crawl_delay/{key}", self.crawl_delays[key])
        logger.info("robots.txt of %s asks for Crawl-delay %s s: honoured (%s s)", key, delay,
                    self.crawl_delays[key])
        self._apply_floor(key)
        return response

    # --- Retry-After --------------------------------------------------------
    def pause(self, key: str, seconds: float) -> None:
        """Send nothing more to download slot ``key`` for ``seconds``."""
        slot = self._slot(key)
        if slot is None:
            return
        if not slot.delay:
            slot.delay = _TINY_DELAY
        slot.lastseen = max(slot.lastseen, monotonic() + seconds)

    def process_response(self, request: Request, response: Response) -> Request | Response:
        if response.status == 200 and urlsplit(request.url).path == "/robots.txt":
            response = self._read_robots(request, response)
        if response.status not in self.retry_codes or "site" not in request.meta:
            return response
        request.meta["arshif_attempts"] = [*request.meta.get("arshif_attempts", ()), str(response.status)]
        value = response.headers.get(b"Retry-After")
        if response.status not in (429, 503) or not value or request.meta.get("dont_retry"):
            return response
        wait = retry_after_seconds(value)
        if wait is None:  # RetryMiddleware retries it as a plain 429/503
            self.stats.inc_value("arshif/retry_after/invalid")
            return response
        header = value.decode("latin-1")[:_RETRY_AFTER_LEN]
        if wait > self.retry_after_max:
            request.meta["dont_retry"] = True  # RetryMiddleware would retry at once
            record_failure(self.crawler, request.url, "rate_limited",
                           f"HTTP {response.status} with Retry-After: {header} ({wait:.0f} s), more than "
                           f"ARSHIF_RETRY_AFTER_MAX ({self.retry_after_max:.0f} s): given up",
                           status=response.status, request=request)
            return response
        retry = get_retry_request(request, spider=self.crawler.spider,
                                  reason=f"{response.status} Retry-After")
        if retry is None:
            return response  # retries exhausted: RetryMiddleware passes it on as an error
        key = request.meta.get("download_slot") or url_host(request.url)
        self.pause(key, wait)
        self.stats.inc_value("arshif/retry_after/paused")
        self.stats.inc_value("arshif/retry_after/seconds", wait)
        record_failure(self.crawler, request.url, "retry_after",
                       f"HTTP {response.status} with Retry-After: {header}; {key} paused {wait:.1f} s, "
                       f"then retried", status=response.status, request=request)
        return retry

    def process_exception(self, request: Request, exception: BaseException) -> None:
        maxsize = request.meta.get("download_maxsize", self.maxsize)
        if maxsize and request.meta.get("arshif_bytes_received", 0) > maxsize:
            request.meta["dont_retry"] = True  # too large is not bad luck: fetching it again will not help
        if "site" in request.meta and not isinstance(exception, IgnoreRequest):
            request.meta["arshif_attempts"] = [*request.meta.get("arshif_attempts", ()),
                                               type(exception).__name__]
