"""Failures: every URL that was not archived normally gets a reason, a stat and a row.

``record_failure(crawler, url, reason, ...)`` is the one entry point. It counts
``arshif/failure/<reason>`` in the crawl stats and sends the ``failure_recorded``
signal; the ``FailureLog`` extension writes it to the archive's ``failures`` table
(``archive/failures.py``): one row per (url, reason) with a count, first/last seen
and the crawl id. ``classify_failure`` turns a download failure (a Twisted
``Failure`` from an errback) into a reason and a human detail. ``REASONS`` lists
every reason with its category; docs/failures.md explains each case.

The extension also notes requests that only succeeded after retries
(``recovered_after_retry``) and counts the bytes received per request so a
timeout can say whether the page hung or trickled.

Settings:
    ARSHIF_ARCHIVE_ENABLED (True): without it failures are only counted in stats.
"""

from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path
from time import monotonic
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import IgnoreRequest

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response
    from twisted.python.failure import Failure
    from typing_extensions import Self

logger = logging.getLogger(__name__)

# Sent with url, site, reason, category, detail, status, request (may be None).
failure_recorded = object()

# reason -> (category, what happened). HTTP errors are "http_<status>", category "http".
REASONS: dict[str, tuple[str, str]] = {
    # the download did not complete
    "timeout": ("fetch", "no complete response within DOWNLOAD_TIMEOUT (hung or trickling server)"),
    "too_large": ("fetch", "body larger than DOWNLOAD_MAXSIZE; download cancelled"),
    "decompression_bomb": ("fetch", "body grew past DOWNLOAD_MAXSIZE while being decompressed"),
    "connection_refused": ("fetch", "the server refused the connection"),
    "connection_lost": ("fetch", "the connection closed before a complete response"),
    "data_loss": ("fetch", "the body was shorter than its Content-Length"),
    "dns_error": ("fetch", "the host name did not resolve"),
    "redirect_loop": ("fetch", "a redirect pointed back at a URL already in its chain"),
    "too_many_redirects": ("fetch", "more than REDIRECT_MAX_TIMES redirects"),
    "rate_limited": ("http", "429/503 with a Retry-After longer than ARSHIF_RETRY_AFTER_MAX"),
    "download_error": ("fetch", "another download error (see detail)"),
    # it came back, but got better on a second try
    "retry_after": ("transient", "429/503 with Retry-After: the host was paused that long"),
    "recovered_after_retry": ("transient", "an error (5xx, timeout) before a good response"),
    # what came back is not a normal page
    "empty_body": ("content", "200 with an empty (or whitespace-only) body"),
    "empty_page": ("content", "200 with HTML but no visible text"),
    "soft_404": ("content", "200 whose page says it does not exist"),
    "binary_as_html": ("content", "binary data (PDF, image, archive ...) labelled text/html"),
    "malformed_html": ("content", "unclosed tags, runaway table nesting or script soup"),
    "charset_undeclared": ("content", "non-UTF-8 bytes with no charset anywhere; guessed"),
    "charset_conflict": ("content", "the HTTP header charset contradicts the page's own"),
    "charset_bom": ("content", "a byte-order mark; it overrides any declaration"),
    "charset_mixed": ("content", "bytes in more than one encoding in one page"),
    "too_large_to_extract": ("content", "stored, but larger than ARSHIF_EXTRACT_MAX_BYTES"),
    "discovery_truncated": ("content", "a sitemap, feed or robots.txt read only up to its limits"),
    "extraction_crashed": ("content", "the extraction worker process died on this page"),
    "extraction_timeout": ("content", "extraction ran over ARSHIF_EXTRACT_TIMEOUT; stored unextracted"),
    # the crawler chose not to go on
    "crawler_trap": ("trap", "more than ARSHIF_TRAP_MAX_URLS non-article URLs of one shape"),
    "discovery_budget": ("trap", "sitemaps/feeds or their URLs beyond the site's discovery budget"),
    "session_ids": ("trap", "links carry session ids; they are stripped from URLs"),
    "robots_disallowed": ("policy", "robots.txt disallows the URL for our User-Agent"),
    "offsite": ("policy", "the URL is outside the site's allowed domains"),
    # crawler/middlewares/scope.py (issue 16)
    "off_scope_redirect": ("policy", "a redirect or meta refresh led outside the site's allowed domains"),
    "private_address": ("policy", "a loopback, private, link-local ... address not in the site's allow_private"),
    "unsafe_url": ("policy", "a backslash, userinfo or non-ASCII in the URL's authority"),
    "ignored": ("policy", "a middleware dropped the request (see detail)"),
    "queue_rejected": ("policy", "an entry of the Redis frontier that is not an arshif request; not run"),
    # the archive itself
    "warc_truncated_tail": ("archive", "a WARC file ended in a partial record; tail cut and kept aside"),
    "warc_quarantined": ("archive", "a WARC file had no readable record; moved to quarantine"),
    "warc_record_skipped": ("archive", "arshif reindex could not read records of this WARC file"),
}


def category_of(reason: str) -> str:
    if reason.startswith("http_"):
        return "http"
    return REASONS.get(reason, ("fetch", ""))[0]


class ArshifIgnore(IgnoreRequest):
    """A request arshif dropped on purpose, with the failure reason to record."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


# Exception class names (Scrapy's own and Twisted's) -> reason
_EXCEPTION_REASONS = {
    "DownloadTimeoutError": "timeout",
    "TimeoutError": "timeout",
    "TCPTimedOutError": "timeout",
    "DownloadConnectionRefusedError": "connection_refused",
    "ConnectionRefusedError": "connection_refused",
    "CannotResolveHostError": "dns_error",
    "DNSLookupError": "dns_error",
    "ResponseDataLossError": "data_loss",
    "ConnectionLost": "connection_lost",
    "ConnectionDone": "connection_lost",
    "ResponseFailed": "connection_lost",
    "ResponseNeverReceived": "connection_lost",
    "DownloadFailedError": "connection_lost",
    "DownloadCancelledError": "too_large",
}


def _received(request: Request | None) -> int | None:
    return None if request is None else request.meta.get("arshif_bytes_received")


def _timeout_detail(request: Request | None) -> str:
    """Whether a timed-out body never came, stopped coming, or was still trickling in."""
    received = _received(request)
    if not received:
        return " Nothing of the body arrived."
    started, last = request.meta.get("arshif_first_byte"), request.meta.get("arshif_last_byte")
    if started is None or last is None:
        return f" {received} bytes arrived."
    idle = monotonic() - last
    if idle > 1.0 and idle > (monotonic() - started) / 2:
        return f" {received} bytes arrived, then nothing for {idle:.1f} s (the server hung)."
    rate = received / max(last - started, 1e-3)
    return f" {received} bytes arrived and were still trickling in (~{rate:.0f} bytes/s)."


def classify_failure(failure: Failure, maxsize: int = 0) -> tuple[str, str, int | None]:
    """``(reason, detail, http_status)`` for a failure handed to an errback."""
    from scrapy.spidermiddlewares.httperror import HttpError

    exc = failure.value
    request = getattr(failure, "request", None)
    if isinstance(exc, ArshifIgnore):
        return exc.reason, str(exc), None
    if isinstance(exc, HttpError):
        status = exc.response.status
        detail = f"HTTP {status}"
        attempts = (request.meta.get("arshif_attempts") if request is not None else None) or []
        if len(attempts) > 1:
            detail += f"; every attempt failed: {', '.join(attempts)}"
        return f"http_{status}", detail, status
    if isinstance(exc, IgnoreRequest):
        message = str(exc)
        if type(exc.__cause__).__name__ == "_DecompressionMaxSizeExceeded":
            return "decompression_bomb", message, None
        if "robots.txt" in message:
            return "robots_disallowed", message, None
        if "max redirections" in message:
            chain = " -> ".join([*request.meta.get("redirect_urls", []), request.url]) if request else ""
            return "too_many_redirects", f"{message}: {chain}"[:2000], None
        if "offsite" in message:
            return "offsite", message, None
        return "ignored", message or type(exc).__name__, None
    name = type(exc).__name__
    received = _received(request)
    if maxsize and received and received > maxsize and not str(exc).startswith("Expected to receive"):
        # cancelled mid-body; the connection may also just show up as lost
        return "too_large", (f"{received} bytes received without a Content-Length, more than "
                             f"DOWNLOAD_MAXSIZE ({maxsize}): download cancelled ({name})"), None
    reason = _EXCEPTION_REASONS.get(name, "download_error")
    detail = str(exc) or name
    if reason == "timeout":
        detail += _timeout_detail(request)
    elif reason == "download_error":
        detail = f"{name}: {detail}"
    return reason, detail[:2000], None


def record_failure(crawler: Crawler, url: str, reason: str, detail: str = "", *,
                   site: str | None = None, status: int | None = None,
                   request: Request | None = None, count: int = 1) -> None:
    """Count the failure in the stats and hand it to whoever records it.

    ``count=0`` updates the detail of a failure recorded before (a final tally).
    """
    category = category_of(reason)
    if site is None and request is not None:
        site = request.meta.get("site")
    if count:
        crawler.stats.inc_value(f"arshif/failure/{reason}", count)
        crawler.stats.inc_value(f"arshif/failure_category/{category}", count)
    crawler.signals.send_catch_log(
        failure_recorded, url=url, site=site, reason=reason, category=category, detail=detail,
        status=status, request=request, count=count,
    )


class FailureLog:
    """Writes recorded failures to the archive's ``failures`` table.

    The first occurrence of a (url, reason) in a crawl is written at once (so it
    survives a crash); repeats are counted in memory and added at the end.
    """

    def __init__(self, crawler: Crawler, db_path: Path | None) -> None:
        self.crawler = crawler
        self.db_path = db_path
        self.crawl_id = crawler.settings.get("ARSHIF_CRAWL_ID") or None
        self.db = None
        self.written: set[tuple[str, str]] = set()
        self.repeats: Counter[tuple[str, str]] = Counter()
        self.latest: dict[tuple[str, str], dict[str, Any]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        db_path = None
        if settings.getbool("ARSHIF_ARCHIVE_ENABLED"):
            db_path = Path(settings.get("ARSHIF_DATA_DIR")) / "archive.db"
        log = cls(crawler, db_path)
        crawler.signals.connect(log.spider_opened, signal=signals.spider_opened)
        # after spider_closed, so components can still record a final tally then
        crawler.signals.connect(log.engine_stopped, signal=signals.engine_stopped)
        crawler.signals.connect(log.failure_recorded, signal=failure_recorded)
        crawler.signals.connect(log.response_received, signal=signals.response_received)
        crawler.signals.connect(log.bytes_received, signal=signals.bytes_received)
        crawler.signals.connect(log.headers_received, signal=signals.headers_received)
        return log

    def spider_opened(self) -> None:
        if self.db_path is not None:
            from archive.db import open_archive

            self.db = open_archive(self.db_path)
        settings = self.crawler.settings
        if settings.getbool("ARSHIF_REPAIR_ON_START", True) and settings.getbool("WARC_ENABLED"):
            self.repair_warcs(settings.get("WARC_DIR") or Path(settings.get("ARSHIF_DATA_DIR")) / "warc")

    def repair_warcs(self, warc_dir: str | Path) -> None:
        """Cut partial records off WARC files an earlier, killed crawl left behind (archive/repair.py)."""
        from archive.repair import repair_warc_dir

        def on_problem(check, action, where) -> None:
            reason = "warc_quarantined" if action == "quarantined" else "warc_truncated_tail"
            record_failure(self.crawler, f"warc/{check.path.name}", reason,
                           f"{check.problem}; {check.records} complete records from byte {check.start}; "
                           f"{action}, kept in {where}")

        try:
            report = repair_warc_dir(warc_dir, self.db, on_problem=on_problem)
        except Exception:  # noqa: BLE001 - a check that fails must not stop the crawl
            logger.exception("Could not check the WARC files in %s", warc_dir)
            return
        self.crawler.stats.set_value("arshif/warc_repair/checked", len(report.checked))
        if report.repaired or report.quarantined:
            self.crawler.stats.set_value("arshif/warc_repair/repaired", len(report.repaired))
            self.crawler.stats.set_value("arshif/warc_repair/quarantined", len(report.quarantined))
            for line in report.lines():
                logger.warning("WARC check: %s", line)

    # per attempt (a retry copies meta): bytes of body received, first and last byte times
    def headers_received(self, request: Request) -> None:
        request.meta["arshif_bytes_received"] = 0
        request.meta.pop("arshif_first_byte", None)

    def bytes_received(self, data: bytes, request: Request) -> None:
        meta = request.meta
        meta["arshif_bytes_received"] = meta.get("arshif_bytes_received", 0) + len(data)
        meta["arshif_last_byte"] = now = monotonic()
        meta.setdefault("arshif_first_byte", now)

    def response_received(self, response: Response, request: Request) -> None:
        attempts = request.meta.get("arshif_attempts")
        if attempts and response.status < 400 and "site" in request.meta:
            record_failure(self.crawler, request.url, "recovered_after_retry",
                           f"HTTP {response.status} after {', '.join(attempts)}",
                           status=response.status, request=request)

    def failure_recorded(self, url: str, site: str | None, reason: str, category: str,
                         detail: str, status: int | None, request: Request | None = None,
                         count: int = 1) -> None:
        key = (url, reason)
        row = {"url": url, "site": site, "reason": reason, "category": category,
               "detail": detail, "status": status}
        if not count:  # a final tally of something recorded before
            if key in self.repeats:
                self.latest[key] = row
            else:
                self._write(row, 0)
            return
        if key in self.written:
            self.repeats[key] += 1
            self.latest[key] = row
            return
        self.written.add(key)
        self._write(row, 1)

    def _write(self, row: dict[str, Any], count: int) -> None:
        if self.db is None:
            return
        from archive.failures import record_failure as write_failure

        try:
            write_failure(self.db, crawl_id=self.crawl_id, count=count, **row)
        except Exception:  # noqa: BLE001 - a failure log must never stop the crawl
            logger.exception("Could not record failure %s for %s", row["reason"], row["url"])

    def engine_stopped(self) -> None:
        for key, count in self.repeats.items():
            self._write(self.latest[key], count)
        self.repeats.clear()
        if self.db is not None:
            self.db.close()
            self.db = None
