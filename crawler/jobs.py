"""Resumable crawls: a write-ahead journal of the frontier, safe against kill -9.

``arshif crawl`` keeps its job state in ``DATA/jobs/<site-set>/`` (``ARSHIF_JOB_DIR``):
``journal.jsonl`` and ``state.json``. ``arshif crawl --resume`` (``ARSHIF_RESUME``)
continues an unfinished job, however it ended: Ctrl-C, a crash, kill -9, a reboot.
With nothing to resume it just starts a crawl. A job that finishes is deleted; a
plain ``arshif crawl`` discards an unfinished one and starts afresh.

Why not Scrapy's ``JOBDIR`` alone: it persists the scheduler's queues and the
duplicate filter for a *graceful* pause. The queue indexes (``active.json``,
queuelib's ``info.json``/size headers) are written only when the spider closes,
and ``requests.seen`` is written through a buffer. After kill -9 the resumed crawl
starts with an empty queue and a duplicate filter that remembers URLs nobody
fetched, so those pages (and what they link to) are never crawled.

The journal is a line-buffered JSON-lines file; a torn last line is ignored:

- ``{"s": fp, "r": {...}}`` when a request is scheduled (URL, callback, meta ...);
- ``{"d": fp}`` when it is done: its callback's output was consumed, so every
  request it yielded is in the journal, *and* every item it yielded went through
  the pipelines (is in the archive); or it failed for good (timeout, robots ...).

On resume, ``pending = scheduled - done`` is crawled first (the journal is compacted
to that), and the duplicate filter starts out knowing every journalled fingerprint,
so nothing done is fetched again and nothing pending is lost. A request killed
half-way is simply done again; the archive stores each article once per canonical
URL whatever happens. Settings: ARSHIF_JOB_DIR ("" = off), ARSHIF_RESUME (False).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import Request, signals
from scrapy.dupefilters import RFPDupeFilter
from scrapy.exceptions import NotConfigured

from crawler.extensions import enabled_extension
from crawler.failures import category_of, failure_recorded
from crawler.request_json import request_from_json, request_to_json

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterable, Iterator

    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from typing_extensions import Self

logger = logging.getLogger(__name__)

JOURNAL = "journal.jsonl"
STATE = "state.json"
def job_dir_for(data_dir: str | Path, sites: list[str] | tuple[str, ...]) -> Path:
    """``DATA/jobs/<site-set>``: one resumable job per set of sites crawled together."""
    key = "+".join(sorted(set(sites))) or "all"
    return Path(data_dir) / "jobs" / key


def read_journal(path: Path) -> tuple[dict[str, dict], set[str]]:
    """``(scheduled {fp: request dict}, done {fp})`` from a journal, torn lines ignored."""
    scheduled: dict[str, dict] = {}
    done: set[str] = set()
    if not path.exists():
        return scheduled, done
    with open(path, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            try:
                entry = json.loads(line)
            except ValueError:
                continue  # the line a crash cut short
            if "d" in entry:
                done.add(entry["d"])
            elif "s" in entry and isinstance(entry.get("r"), dict):
                scheduled[entry["s"]] = entry["r"]
    return scheduled, done


def _running_owner(job_dir: Path) -> int | None:
    """The pid of another live process that is running the job in ``job_dir``, if any."""
    try:
        state = json.loads((job_dir / STATE).read_text(encoding="utf-8"))
        pid = int(state.get("pid") or 0)
    except (OSError, ValueError, TypeError):
        return None
    if state.get("status") != "running" or not pid or pid == os.getpid():
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return pid
    try:  # a pid reused by some other program since the crawl died does not count
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return pid
    return pid if any(word in cmdline for word in (b"arshif", b"archive", b"scrapy")) else None


class JobJournal:
    """Extension: writes the journal and ``state.json``; holds what a resume needs."""

    def __init__(self, crawler: Crawler, job_dir: Path, resume: bool) -> None:
        self.crawler = crawler
        self.job_dir = job_dir
        self.path = job_dir / JOURNAL
        self.resuming = False
        self.pending: list[dict] = []
        self.known: set[bytes] = set()  # fingerprints the duplicate filter starts with
        self._fh = None
        self._owner: dict[int, str] = {}  # id(item) -> fp of the request that yielded it
        self._outstanding: Counter[str] = Counter()
        self._exhausted: set[str] = set()
        self._prepare(resume)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        job_dir = crawler.settings.get("ARSHIF_JOB_DIR")
        if not job_dir:
            raise NotConfigured("ARSHIF_JOB_DIR is not set")
        owner = _running_owner(Path(job_dir))
        if owner:
            logger.warning("Another crawl (pid %d) is running the job in %s: this one keeps no journal "
                           "and cannot be resumed", owner, job_dir)
            raise NotConfigured("the job directory belongs to a running crawl")
        journal = cls(crawler, Path(job_dir), crawler.settings.getbool("ARSHIF_RESUME"))
        connect = crawler.signals.connect
        connect(journal.spider_opened, signal=signals.spider_opened)
        connect(journal.spider_closed, signal=signals.spider_closed)
        connect(journal.request_scheduled, signal=signals.request_scheduled)
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            connect(journal.item_finished, signal=signal)
        connect(journal.failure_recorded, signal=failure_recorded)
        return journal

    @staticmethod
    def of(crawler: Crawler) -> JobJournal | None:
        return enabled_extension(crawler, JobJournal)

    # --- start and end ----------------------------------------------------
    def _prepare(self, resume: bool) -> None:
        state = self._read_state()
        if resume and self.path.exists():
            scheduled, done = read_journal(self.path)
            self.pending = [r for fp, r in scheduled.items() if fp not in done]
            self.known = {bytes.fromhex(fp) for fp in (*scheduled, *done)}
            self.resuming = True
            self._compact(scheduled, done)
            logger.info("Resuming the job in %s (last run: %s): %d requests done, %d pending",
                        self.job_dir, state.get("status", "unknown"), len(done), len(self.pending))
            self.crawler.stats.set_value("arshif/job/resumed_pending", len(self.pending))
            self.crawler.stats.set_value("arshif/job/resumed_done", len(done))
            return
        if self.job_dir.exists():
            if resume:
                logger.info("Nothing to resume in %s: starting a new crawl", self.job_dir)
            else:
                logger.warning("Discarding the unfinished job in %s (arshif crawl --resume continues one)",
                               self.job_dir)
            shutil.rmtree(self.job_dir)
        elif resume:
            logger.info("Nothing to resume in %s: starting a new crawl", self.job_dir)
        self.job_dir.mkdir(parents=True, exist_ok=True)

    def _compact(self, scheduled: dict[str, dict], done: set[str]) -> None:
        tmp = self.path.with_suffix(".tmp")
        with open(tmp, "w", encoding="utf-8") as fh:
            for fp in done:
                fh.write(json.dumps({"d": fp}) + "\n")
            for fp, data in scheduled.items():
                if fp not in done:
                    fh.write(json.dumps({"s": fp, "r": data}, ensure_ascii=False, default=str) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path)

    def _read_state(self) -> dict:
        try:
            return json.loads((self.job_dir / STATE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def _write_state(self, **fields: Any) -> None:
        state = {**self._read_state(), **fields}
        tmp = self.job_dir / (STATE + ".tmp")
        tmp.write_text(json.dumps(state, indent=1), encoding="utf-8")
        os.replace(tmp, self.job_dir / STATE)

    def spider_opened(self) -> None:
        self._fh = open(self.path, "a", encoding="utf-8", buffering=1)  # a line reaches the OS at once
        now = datetime.now(UTC).isoformat(timespec="seconds")
        fields = {"status": "running", "pid": os.getpid(), "crawl_id": self.crawler.settings.get("ARSHIF_CRAWL_ID"),
                  "updated": now}
        if not self.resuming:
            fields["started"] = now
        self._write_state(**fields)

    def spider_closed(self, reason: str) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
        if reason == "finished":
            shutil.rmtree(self.job_dir, ignore_errors=True)
            logger.info("Job finished: removed %s", self.job_dir)
        else:
            self._write_state(status=reason, updated=datetime.now(UTC).isoformat(timespec="seconds"))
            logger.info("Job %s (%s): arshif crawl --resume continues it", self.job_dir, reason)

    # --- journal ------------------------------------------------------------
    def fingerprint(self, request: Request) -> str:
        return self.crawler.request_fingerprinter.fingerprint(request).hex()

    def _write(self, entry: dict) -> None:
        if self._fh is not None:
            self._fh.write(json.dumps(entry, ensure_ascii=False, default=str) + "\n")

    def request_scheduled(self, request: Request) -> None:
        if "site" not in request.meta:
            return
        try:
            data = request_to_json(request, self.crawler.spider)
        except ValueError:
            logger.debug("Not journalled (callback outside the spider): %s", request)
            return
        self._write({"s": self.fingerprint(request), "r": data})

    def done(self, request: Request) -> None:
        self._write({"d": self.fingerprint(request)})
        for url in request.meta.get("redirect_urls", ()):  # the chain that led here is done too
            self._write({"d": self.fingerprint(Request(url, method=request.method))})

    def output_item(self, request: Request, item: Any) -> None:
        fp = self.fingerprint(request)
        self._owner[id(item)] = fp
        self._outstanding[fp] += 1

    def output_consumed(self, request: Request) -> None:
        fp = self.fingerprint(request)
        if self._outstanding[fp] > 0:
            self._exhausted.add(fp)
        else:
            self._outstanding.pop(fp, None)
            self.done(request)

    def item_finished(self, item: Any, response: Any = None) -> None:
        fp = self._owner.pop(id(item), None)
        if fp is None:
            request = getattr(response, "request", None)  # an item from a download errback
            if request is not None:
                self.done(request)
            return
        self._outstanding[fp] -= 1
        if self._outstanding[fp] <= 0 and fp in self._exhausted:
            self._exhausted.discard(fp)
            del self._outstanding[fp]
            self._write({"d": fp})

    def failure_recorded(self, reason: str, request: Request | None = None, **_: Any) -> None:
        # a download that failed for good; HTTP errors come back through the spider
        # middleware (their error page is an item), notes like retry_after are not final
        if request is not None and category_of(reason) in ("fetch", "policy"):
            self.done(request)


class JobJournalMiddleware:
    """Spider middleware: the resumed frontier first, and when a callback's output is used up."""

    def __init__(self, journal: JobJournal) -> None:
        self.journal = journal

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        journal = JobJournal.of(crawler)
        if journal is None:
            raise NotConfigured("no JobJournal extension")
        return cls(journal)

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        # the seeds first: the spider reads its sites config in start(); those already
        # fetched are dropped by the duplicate filter, robots.txt is fetched again
        async for element in start:
            yield element
        if self.journal.resuming:
            spider = self.journal.crawler.spider
            for data in self.journal.pending:
                try:
                    yield request_from_json(data, spider)
                except (AttributeError, KeyError, TypeError, ValueError) as exc:
                    logger.warning("Cannot resume %s: %s", data.get("url"), exc)
            self.journal.pending = []

    def _track(self, response: Response, element: Any) -> None:
        if not isinstance(element, Request) and response is not None and response.request is not None:
            self.journal.output_item(response.request, element)

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterator[Any]:
        for element in result:
            self._track(response, element)
            yield element
        if response.request is not None:
            self.journal.output_consumed(response.request)

    async def process_spider_output_async(self, response: Response,
                                          result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for element in result:
            self._track(response, element)
            yield element
        if response.request is not None:
            self.journal.output_consumed(response.request)


class JournalDupeFilter(RFPDupeFilter):
    """Scrapy's duplicate filter, starting out with the resumed job's fingerprints."""

    known: frozenset[bytes] | set[bytes] = frozenset()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        dupefilter = super().from_crawler(crawler)
        journal = JobJournal.of(crawler)
        if journal is not None and journal.known:
            dupefilter.known = journal.known
        return dupefilter

    def request_seen(self, request: Request) -> bool:
        if self.known and self._fingerprint(request) in self.known:
            return True
        return super().request_seen(request)
