"""ProgressReporter: a live progress line on a terminal, a periodic stats line in logs otherwise.

Shows pages fetched, article pages stored (``archive/article_writes``: AMP twins
and re-captures included, so more than the archive's article rows), errors
(``arshif/fetch_error/*`` plus ``log_count/ERROR``), the recent page rate, the
requests still queued and, from those, an ETA. The queue grows as links are
discovered, so the ETA is that of the work known so far.

Settings:
    ARSHIF_PROGRESS ("auto"): "bar" draws one live line on stderr, "log" logs an
        INFO line every interval, "auto" picks "bar" when stderr is a terminal and
        "log" otherwise, "off" disables the extension.
    ARSHIF_PROGRESS_INTERVAL (5.0): seconds between log lines; the live line is
        redrawn every second, or every interval when that is shorter.

``LiveLine`` and ``format_progress`` need no crawler, so long loops outside
Scrapy (re-indexing, exports) can show the same display.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections import deque
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import create_looping_call

if TYPE_CHECKING:
    from collections.abc import Callable

    from scrapy.crawler import Crawler
    from typing_extensions import Self

logger = logging.getLogger(__name__)

MODES = ("auto", "bar", "log", "off")
RATE_WINDOW = 10.0  # seconds of history behind the displayed rate: recent, yet steady
CLEAR_TO_EOL = "\x1b[K"


@dataclass
class Progress:
    elapsed: float
    pages: int = 0
    articles: int = 0
    errors: int = 0
    rate: float = 0.0               # pages per second, recently
    pending: int | None = None      # requests queued or in flight; None when unknown

    @property
    def eta(self) -> float | None:
        if self.pending is None or self.rate <= 0:
            return None
        return self.pending / self.rate


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{seconds:02d}s"


def format_progress(p: Progress) -> str:
    """One line, e.g. ``1,204 pages · 310 article pages · 2 errors · 38.5 pages/s · 420 queued · ETA 0m11s``."""
    parts = [f"{p.pages:,} pages", f"{p.articles:,} article pages", f"{p.errors:,} errors",
             f"{p.rate:.1f} pages/s"]
    if p.pending is not None:
        parts.append(f"{p.pending:,} queued")
        eta = p.eta
        parts.append(f"ETA {_duration(eta)}" if eta is not None else "ETA ?")
    parts.append(f"elapsed {_duration(p.elapsed)}")
    return " · ".join(parts)


def counts_from_stats(stats: dict) -> tuple[int, int, int]:
    """(pages fetched, articles stored, errors) from a Scrapy stats dict."""
    errors = sum(v for k, v in stats.items() if k.startswith("arshif/fetch_error/"))
    return (stats.get("downloader/response_count", 0), stats.get("archive/article_writes", 0),
            errors + stats.get("log_count/ERROR", 0))


class LiveLine:
    """One line redrawn in place on a terminal with ``\\r``; log records clear it before they print."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.drawn = False

    def width(self) -> int:
        try:
            columns = os.get_terminal_size(self.stream.fileno()).columns
        except (OSError, ValueError, AttributeError):
            columns = 0
        return columns or 120  # a pty without a size reports 0

    def draw(self, text: str) -> None:
        # one column short of the width: writing the last column wraps on some terminals
        self.stream.write("\r" + text[: self.width() - 1] + CLEAR_TO_EOL)
        self.stream.flush()
        self.drawn = True

    def clear(self) -> None:
        if self.drawn:
            self.stream.write("\r" + CLEAR_TO_EOL)
            self.stream.flush()
            self.drawn = False

    def finish(self, text: str) -> None:
        self.draw(text)
        self.stream.write("\n")
        self.stream.flush()
        self.drawn = False


class _ClearBeforeLog(logging.Filter):
    """Attached to the handlers that share the live line's stream, so log lines never land mid-line."""

    def __init__(self, line: LiveLine) -> None:
        super().__init__()
        self.line = line

    def filter(self, record: logging.LogRecord) -> bool:
        self.line.clear()
        return True


class ProgressReporter:
    def __init__(self, stats, mode: str, interval: float, *, stream: IO[str] | None = None,
                 pending: Callable[[], int | None] | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.stats = stats
        self.stream = stream or sys.stderr
        if mode == "auto":
            isatty = getattr(self.stream, "isatty", None)
            mode = "bar" if isatty and isatty() else "log"
        self.mode = mode
        self.interval = interval
        self.pending = pending or (lambda: None)
        self.clock = clock
        self.line = LiveLine(self.stream) if mode == "bar" else None
        self._filter = _ClearBeforeLog(self.line) if self.line else None
        self._history: deque[tuple[float, int]] = deque()
        self._started = clock()
        self.task = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        mode = str(crawler.settings.get("ARSHIF_PROGRESS", "auto")).lower()
        if mode == "off":
            raise NotConfigured("ARSHIF_PROGRESS is off")
        if mode not in MODES:
            logger.warning("ARSHIF_PROGRESS=%r is not one of %s; using 'auto'", mode, ", ".join(MODES))
            mode = "auto"
        interval = crawler.settings.getfloat("ARSHIF_PROGRESS_INTERVAL", 5.0)
        if interval <= 0:
            raise NotConfigured("ARSHIF_PROGRESS_INTERVAL is not positive")

        def pending() -> int | None:
            try:
                engine = crawler.engine
            except RuntimeError:  # not crawling yet
                return None
            scheduler = getattr(engine, "scheduler", None) if engine else None
            if scheduler is None or not hasattr(scheduler, "__len__"):
                return None  # e.g. a distributed queue that cannot count cheaply
            return len(scheduler) + len(getattr(engine.downloader, "active", ()))

        reporter = cls(crawler.stats, mode, interval, pending=pending)
        crawler.signals.connect(reporter.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(reporter.spider_closed, signal=signals.spider_closed)
        return reporter

    @property
    def period(self) -> float:
        return min(self.interval, 1.0) if self.mode == "bar" else self.interval

    def spider_opened(self) -> None:
        self._started = self.clock()
        self._history.clear()
        if self._filter:
            for handler in logging.getLogger().handlers:
                if getattr(handler, "stream", None) is self.stream:
                    handler.addFilter(self._filter)
        self.task = create_looping_call(self.tick)
        self.task.start(self.period, now=False)

    def snapshot(self) -> Progress:
        now = self.clock()
        pages, articles, errors = counts_from_stats(self.stats.get_stats())
        self._history.append((now, pages))
        while len(self._history) > 2 and now - self._history[0][0] > RATE_WINDOW:
            self._history.popleft()
        first_time, first_pages = self._history[0]
        if now - first_time > 0:
            rate = (pages - first_pages) / (now - first_time)
        else:
            rate = pages / (now - self._started) if now > self._started else 0.0
        return Progress(now - self._started, pages, articles, errors, rate, self.pending())

    def tick(self) -> None:
        progress = self.snapshot()
        if self.line is not None:
            self.line.draw(format_progress(progress))
        else:
            logger.info("Progress: %s", format_progress(progress))

    def spider_closed(self, reason: str = "finished") -> None:
        if self.task is not None and self.task.running:
            self.task.stop()
        progress = self.snapshot()
        progress.pending = None  # nothing is left to wait for
        elapsed = max(progress.elapsed, 1e-9)
        progress.rate = progress.pages / elapsed
        text = f"Crawl {reason}: {format_progress(progress)}"
        if self.line is not None:
            self.line.finish(text)
            for handler in logging.getLogger().handlers:
                handler.removeFilter(self._filter)
        else:
            logger.info(text)
