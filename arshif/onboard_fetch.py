"""The add-site dry run's fetcher: one polite request at a time over urllib, robots.txt obeyed.

Plain Python, no Scrapy, with the crawler's own User-Agent, so a site sees the dry run
exactly as it will see the crawl (arshif/onboard.py).
"""

from __future__ import annotations

import http.client
import logging
import re
import time
import urllib.error
import urllib.request
import zlib
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from protego import Protego

logger = logging.getLogger(__name__)

MAX_BODY = 20 * 1024 * 1024  # as DOWNLOAD_MAXSIZE in crawler/settings.py


class OnboardError(Exception):
    """A problem the user can act on; the message is one line."""


class FetchError(OnboardError):
    pass


@dataclass
class Fetched:
    url: str            # after redirects
    status: int
    content_type: str
    body: bytes

    @property
    def charset(self) -> str | None:
        match = re.search(r"charset=[\"']?([\w.:-]+)", self.content_type, re.I)
        return match.group(1).lower() if match else None

    @property
    def is_html(self) -> bool:
        if self.content_type:
            return "html" in self.content_type.lower()
        return b"<html" in self.body[:4096].lower()


def _reason(exc: BaseException) -> str:
    inner = getattr(exc, "reason", exc)
    if isinstance(inner, BaseException):
        inner = getattr(inner, "strerror", None) or str(inner) or type(inner).__name__
    return str(inner)


def _decode(raw: bytes, encoding: str) -> bytes:
    encoding = encoding.lower().strip()
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompress(raw, 16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        try:
            return zlib.decompress(raw)
        except zlib.error:  # raw deflate without the zlib header, as some servers send
            return zlib.decompress(raw, -zlib.MAX_WBITS)
    return raw


class Fetcher:
    """One request at a time, ``delay`` seconds apart, robots.txt obeyed once loaded."""

    def __init__(self, user_agent: str, *, delay: float = 1.0, timeout: float = 20.0) -> None:
        self.user_agent = user_agent
        self.delay = delay
        self.timeout = timeout
        self.robots: dict[str, Protego] = {}
        self.crawl_delay: float | None = None  # the last robots.txt's Crawl-delay
        self._opener = urllib.request.build_opener()
        self._last = 0.0

    def get(self, url: str) -> Fetched:
        """Fetch ``url``; HTTP errors come back as a status, network failures raise FetchError."""
        wait = self._last + self.delay - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        request = urllib.request.Request(url, headers={
            "User-Agent": self.user_agent, "Accept-Encoding": "gzip, deflate", "Accept": "*/*"})
        try:
            try:
                response = self._opener.open(request, timeout=self.timeout)
            except urllib.error.HTTPError as exc:
                response = exc
            with response:
                raw = response.read(MAX_BODY + 1) if response.fp else b""
                headers = response.headers
                status = response.status if hasattr(response, "status") else response.code
                final = response.geturl() or url
            body = _decode(raw, headers.get("Content-Encoding", ""))
        except (urllib.error.URLError, OSError, http.client.HTTPException, zlib.error, ValueError) as exc:
            raise FetchError(f"cannot reach {url}: {_reason(exc)}") from None
        finally:
            self._last = time.monotonic()
        logger.debug("GET %s -> %s (%d bytes)", url, status, len(body))
        return Fetched(final, status, headers.get("Content-Type", ""), body)

    def load_robots(self, url: str) -> Fetched:
        """Read the host's robots.txt; a missing one allows everything, as in Scrapy."""
        robots_url = urljoin(url, "/robots.txt")
        fetched = self.get(robots_url)
        text = fetched.body.decode("utf-8", "replace") if fetched.status == 200 else ""
        parser = Protego.parse(text)
        self.robots[urlsplit(url).netloc] = parser
        self.crawl_delay = float(parser.crawl_delay(self.user_agent) or 0) or None
        self.delay = max(self.delay, self.crawl_delay or 0)
        return fetched

    def allowed(self, url: str) -> bool:
        parser = self.robots.get(urlsplit(url).netloc)
        return parser is None or parser.can_fetch(url, self.user_agent)
