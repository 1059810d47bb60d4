"""Rebuild the SQLite archive from the WARC files alone: the WARCs are the source of truth.

Every capture the crawler stored has, in its WARC file, a ``response`` (or
``revisit``) record, a ``request`` record and, written by the crawler's
pipelines right before it stored the capture, a ``metadata`` record
(``via``, ``referrer``, ``site``, ``kind``, ``is-article``...). ``reindex``
reads them (``arshif.warc_captures``) in file order and replays the crawl's
store step *in the order of the metadata records*, which is the order the crawl
wrote the archive in, so
ids, ``first_seen``/``last_seen`` and the winner among an article's captures
(an AMP twin and its page) come out the same. Pages are extracted again, in a
process pool, with the same extractor and the same rules as the crawl
(``pipelines.extract.is_article``, ``pipelines.store.article_record``); the
sites come from the ``site-config`` field of the ``warcinfo`` records.

Pages the crawl judged not to be articles (``is-article: no``) are not
extracted again unless ``reclassify`` is set: that keeps reindexing at the cost
of the articles alone; likewise an article capture that a later capture of the same
article overwrites (its AMP twin, an earlier crawl) is stored without being extracted
(``last_article_captures``), and so is an AMP twin the crawl did not extract
(``twin-of``: linked to its article, pipelines/twins.py). Each page has the crawl's time
budget (``extract_timeout``, pipelines/workers.py): a page over it (WARC contents are
untrusted input) is stored without an article, and the rebuild goes on. Responses without a
metadata record (redirects, robots.txt fetched by Scrapy's middleware) never were
captures, and are skipped. The new database is built in a temporary file beside the target and
moved over it only when complete.

What it rebuilds: ``sites``, ``captures`` and ``articles`` with their full-text
index. What it does not replay: the bookkeeping of incremental re-crawls
(``crawler/incremental/``: article versions, ``removed``/``moved`` status, crawl
runs) and the ``failures`` table; after a single crawl those hold nothing the
articles do not.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
import time
from collections import deque
from concurrent.futures import Future
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from pipelines.workers import KillablePool, TaskTimeout, WorkerDied
from arshif.reindex_stats import ReindexStats
from arshif.warc_captures import first_field, iter_captures, last_article_captures, warc_paths

if TYPE_CHECKING:
    from collections.abc import Callable

    from crawler.items import PageItem

logger = logging.getLogger(__name__)

NOT_LAST = ()  # an article capture that a later capture of the same article overwrites
CHUNK = 8  # pages per pool task: fewer, larger messages between processes
WINDOW = 64  # chunks in flight; bounds the bodies held in memory
MAX_QUEUED_BYTES = 256 << 20  # and so does this, as bodies can be up to MAX_RECORD_SIZE each
COMMIT_EVERY = 2000  # captures per transaction


def _extract_chunk(tasks: list[tuple[bytes, str, str | None, str]]) -> list[tuple[dict, tuple]]:
    """In a worker: the crawl's extraction call for each (body, url, charset, fetched_at),
    with the normalised (title, text) the full-text index holds for it."""
    from archive.schema import sql_normalize
    from pipelines.extraction import extract_article

    results = []
    for body, url, charset, fetched in tasks:
        extraction = extract_article(body, url, header_charset=charset, fetched_at=datetime.fromisoformat(fetched))
        results.append((extraction, (sql_normalize(extraction.get("title")), sql_normalize(extraction.get("text")))))
    return results


class _Writer:
    """The crawl's ArchivePipeline.process_item, replayed on a fresh database."""

    def __init__(self, db, sites: dict, stats: ReindexStats) -> None:
        from crawler.items import article_canonical_url
        from pipelines.store import article_record, capture_record

        self.db, self.sites, self.stats = db, sites, stats
        self.article_record, self.capture_record = article_record, capture_record
        self.canonical_url = article_canonical_url
        self.capture_ids: dict[str, int] = {}  # WARC-Record-ID -> new capture id (revisits)
        self.in_batch = 0
        # False once a row may change after it was indexed: the index is rebuilt at the end
        self.index_complete = True
        self.indexed: set[int] = set()

    def write(self, item: PageItem, indexed: tuple | None = None) -> None:
        """Store one capture. ``indexed``: for an article's last capture, its normalised
        (title, text), which go into the full-text index now; ``NOT_LAST`` for an earlier
        capture; None when unknown (the index is then rebuilt at the end)."""
        from archive.db import link_capture, record_capture, upsert_article
        from archive.schema import FTS_TABLE

        if self.in_batch == 0:
            self.db.execute("BEGIN")
        refers_to = item.warc.pop("refers_to", None)
        if refers_to:
            item.warc["revisit_of"] = {"capture_id": self.capture_ids.get(refers_to)}
        capture_id = record_capture(self.db, self.capture_record(item))
        self.capture_ids[item.warc["record_id"]] = capture_id
        self.stats.captures += 1
        if item.article is not None:
            canonical = self.canonical_url(item, self.sites.get(item.site))
            article_id = upsert_article(self.db, self.article_record(item, canonical), capture_id)
            self.stats.articles += 1
            if indexed and article_id not in self.indexed:
                self.db.execute(f"INSERT INTO {FTS_TABLE} (rowid, title, text) VALUES (?, ?, ?)",
                                [article_id, *indexed])
                self.indexed.add(article_id)
            elif indexed or (indexed is None and "text" in item.article):
                # two "last" captures of one row (the extractor changed since the crawl), or an
                # extracted capture nothing placed: a later write may change the row
                self.index_complete = False
        elif item.twin_of is not None:
            link_capture(self.db, capture_id, item.twin_of)
            self.stats.twins += 1
        self.in_batch += 1
        if self.in_batch >= COMMIT_EVERY:
            self.commit()

    def commit(self) -> None:
        if self.in_batch:
            self.db.conn.commit()
            self.in_batch = 0


def rebuild(data_dir: str | Path, output: str | Path | None = None, *, workers: int = 0,
            reclassify: bool = False, progress: Callable[[ReindexStats], None] | None = None,
            extract_timeout: float = 20.0, sites_config: str | Path | None = None) -> ReindexStats:
    """Rebuild ``DATA/archive.db`` (or ``output``) from ``DATA/warc/*.warc.gz``.

    Args:
        data_dir: The data directory (WARCs in ``warc/``).
        output: The database to write; default ``DATA/archive.db``. Replaced atomically.
        workers: Extraction processes (0 = one per CPU core).
        reclassify: Extract every page again, also those the crawl judged not articles and
            the earlier captures of articles captured again (after an extractor change, the
            last capture alone may no longer be an article).
        progress: Called about twice a second with the running stats.
        extract_timeout: The longest extraction (s) of one page, as the crawl's
            ``ARSHIF_EXTRACT_TIMEOUT`` (0 = no bound).
        sites_config: A sites file (TOML) whose entries are used instead of those the
            WARC files' warcinfo records carry (an ``article_pattern`` from a WARC is
            untrusted: matched under a time limit, see ``archive.untrusted_pattern``).

    Returns:
        The counts of what was rebuilt.
    """
    from archive.db import open_archive, upsert_site
    from crawler.sites import load_sites
    from pipelines.extract import is_article

    data_dir = Path(data_dir)
    warc_dir = data_dir / "warc"
    paths = warc_paths(warc_dir)
    if not paths:
        raise FileNotFoundError(f"no WARC files in {warc_dir}")
    output = Path(output) if output else data_dir / "archive.db"
    tmp = output.with_name(f".{output.name}.reindex-{os.getpid()}")
    stats = ReindexStats(warc_files=len(paths), bytes_total=sum(p.stat().st_size for p in paths))
    sites: dict = load_sites(sites_config) if sites_config else {}
    workers = workers or os.cpu_count() or 1
    # each worker imports the extractor (a second or two) while the main process reads ahead
    pool = KillablePool(workers, preload=("pipelines.extraction", "archive.schema"))
    # which capture of each article is its last: read by a worker while the others start
    # extracting (until it is known, every article capture is extracted)
    last_captures = None if reclassify else pool.submit(last_article_captures, paths)
    db = open_archive(tmp)
    try:
        # Checked once at the end: row by row, the foreign-key checks cost a fifth of
        # this process's CPU (issue 8: 22.6 -> 17.8 s at 20,000 articles)
        db.execute("PRAGMA foreign_keys = OFF")
        fts_triggers = _suspend_fts(db)
        writer = _Writer(db, sites, stats)
        written_sites: set[str] = set()
        queue: deque[tuple[PageItem, dict, list | None, int]] = deque()
        chunk: list = []  # [tasks, future]
        last_report = 0.0
        queued_bytes = 0  # bodies in the queue

        def write_ready(limit: int) -> None:
            """Store the captures at the head of the queue whose extraction is done;
            wait for the head while more than ``limit`` captures are queued."""
            nonlocal last_report, queued_bytes
            while queue:
                item, fields, batch, index = queue[0]
                indexed = None
                if batch is not None:
                    if batch[1] is None or not batch[1].done():
                        if len(queue) <= limit and queued_bytes <= MAX_QUEUED_BYTES:
                            break
                        if batch[1] is None:  # still being filled: send it as it is
                            batch[1] = submit(batch[0])
                    indexed = finish(item, fields, chunk_results(batch)[index])
                queue.popleft()
                queued_bytes -= len(item.body)
                for name, site in sites.items():
                    if name not in written_sites:
                        upsert_site(db, site.to_dict())
                        written_sites.add(name)
                writer.write(item, indexed)
            if progress is not None and time.perf_counter() - last_report > 0.5:
                last_report = time.perf_counter()
                progress(stats)

        def submit(tasks: list) -> Future:
            return pool.submit(_extract_chunk, tasks, timeout=extract_timeout * len(tasks))

        def chunk_results(batch: list) -> list:
            """The chunk's extractions. A chunk over its budget (or whose worker died) is
            extracted again page by page: the page at fault gets None."""
            try:
                return batch[1].result()
            except (TaskTimeout, WorkerDied):
                singles = [submit([task]) for task in batch[0]]
            results = []
            for task, single in zip(batch[0], singles):
                try:
                    results.extend(single.result())
                except (TaskTimeout, WorkerDied) as exc:
                    logger.warning("Not extracted, stored as a capture: %s (%s)", task[1], exc)
                    stats.unextracted += 1
                    results.append(None)
            batch[1] = Future()
            batch[1].set_result(results)
            return results

        def finish(item: PageItem, fields: dict, result: tuple[dict, tuple] | None) -> tuple | None:
            """Apply the crawl's article rule. Returns what ``_Writer.write`` indexes: the
            normalised (title, text) of an article's last capture, ``NOT_LAST``, or None."""
            if result is None:
                return None
            extraction, normalized = result
            stats.extracted += 1
            site = sites.get(item.site)
            hint = site.looks_like_article_url(item.url) if site is not None else None
            if not is_article(extraction, hint):
                return None
            item.article = extraction
            crawl_hash = first_field(fields, "extracted-text-sha256")
            text_hash = hashlib.sha256((extraction.get("text") or "").encode("utf-8")).hexdigest()
            stats.text_changed += bool(crawl_hash and crawl_hash != text_hash)
            if last_captures is None or not first_field(fields, "canonical-url"):
                return None  # unknown: the index is rebuilt at the end
            return normalized if item.warc["metadata_record_id"] in last_captures.result() else NOT_LAST

        for item, fields in iter_captures(paths, warc_dir, stats, sites):
            site = sites.get(item.site)
            wanted = (item.kind == "page" and item.status == 200 and item.warc["record_type"] == "response"
                      and item.twin_of is None  # an AMP twin the crawl stored unextracted
                      and (site is None or site.looks_like_article_url(item.url) is not False)
                      and (reclassify or first_field(fields, "is-article") != "no"))
            canonical = first_field(fields, "canonical-url")
            if wanted and canonical and last_captures is not None and last_captures.done() \
                    and item.warc["metadata_record_id"] not in last_captures.result():
                # a later capture overwrites this row: store the capture, skip its extraction
                item.article = {"canonical_url": canonical}
                stats.superseded += 1
                wanted = False
            if wanted:
                if not chunk or chunk[1] is not None or len(chunk[0]) >= CHUNK:
                    chunk = [[], None]
                chunk[0].append((item.body, item.url, item.header_charset, item.warc["fetched_at"]))
                queue.append((item, fields, chunk, len(chunk[0]) - 1))
                if len(chunk[0]) >= CHUNK:
                    chunk[1] = submit(chunk[0])
            else:
                queue.append((item, fields, None, 0))
            item.body = item.body if wanted else b""
            queued_bytes += len(item.body)
            write_ready(WINDOW * CHUNK)
        write_ready(0)
        writer.commit()
        for name, site in sites.items():  # sites seen only in warcinfo
            if name not in written_sites:
                upsert_site(db, site.to_dict())
        _record_skipped(db, stats)
        stats.article_rows = db.execute("select count(*) from articles").fetchone()[0]
        stats.index_rebuilt = not writer.index_complete
        _resume_fts(db, fts_triggers, rebuild=stats.index_rebuilt)
        check_foreign_keys(db)
    except BaseException:
        db.close()
        pool.shutdown(cancel_futures=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{tmp}{suffix}").unlink(missing_ok=True)
        raise
    db.close()
    pool.shutdown()
    _replace(tmp, output)
    if progress is not None:
        progress(stats)
    logger.info("Rebuilt %s from %d WARC file(s): %d captures, %d article writes in %.1f s",
                output, stats.warc_files, stats.captures, stats.articles, stats.elapsed)
    return stats


def _record_skipped(db, stats: ReindexStats) -> None:
    """One ``failures`` row per WARC file with records the rebuild could not read."""
    from archive.failures import record_failure

    for warc_file, reasons in stats.skip_reasons.items():
        record_failure(db, url=f"warc/{warc_file}", reason="warc_record_skipped", category="archive",
                       detail="; ".join(reasons), count=stats.skip_counts[warc_file])


def _suspend_fts(db) -> list[str]:
    """Drop the triggers that keep the full-text index in step with ``articles``.

    Row by row they re-index an article each time one of its captures is stored (an AMP
    twin and its page: twice). Instead each article's last capture is indexed once, with
    the text the extraction worker normalised (``_Writer.write``); when the WARCs do not
    say which capture is last, one bulk ``rebuild_fts`` at the end builds the index.
    Returns the triggers' SQL.
    """
    from archive.schema import FTS_TABLE

    triggers = db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                          "AND tbl_name = 'articles'").fetchall()
    suspended = [(name, sql) for name, sql in triggers if FTS_TABLE in sql]
    for name, _ in suspended:
        db.execute(f'DROP TRIGGER "{name}"')
    return [sql for _, sql in suspended]


def _resume_fts(db, triggers: list[str], *, rebuild: bool) -> None:
    from archive.schema import rebuild_fts

    if rebuild:
        rebuild_fts(db)
    with db.atomic():
        for sql in triggers:
            db.execute(sql)


def check_foreign_keys(db) -> None:
    """Raise when a row references one that does not exist (the rebuild writes with the
    checks off)."""
    violations = db.execute("PRAGMA foreign_key_check").fetchall()
    if violations:
        table, rowid, parent, _ = violations[0]
        raise RuntimeError(f"rebuilt archive is inconsistent: {len(violations)} row(s) reference missing "
                           f"rows, e.g. {table} row {rowid} -> {parent}")


def _replace(tmp: Path, output: Path) -> None:
    """Move the finished database over ``output`` without leaving a stale WAL behind."""
    if output.exists():
        # An old -wal beside the new file would be replayed into it: empty it first.
        with sqlite3.connect(output) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
    os.replace(tmp, output)
    for suffix in ("-wal", "-shm"):
        Path(f"{tmp}{suffix}").unlink(missing_ok=True)


ARTICLE_KEYS = ("canonical_url", "url", "site", "title", "author", "published", "text", "content_hash",
                "language", "first_seen", "last_seen")


def compare_archives(expected: str | Path, actual: str | Path) -> dict[str, int]:
    """Differences between two archives' articles (by canonical URL) and capture counts; {} = equal."""
    def load(path):
        with sqlite3.connect(path) as conn:
            conn.row_factory = sqlite3.Row
            rows = {r["canonical_url"]: tuple(r[k] for k in ARTICLE_KEYS)
                    for r in conn.execute(f"select {', '.join(ARTICLE_KEYS)} from articles")}
            captures = conn.execute("select count(*) from captures").fetchone()[0]
            links = conn.execute("select count(*) from captures where article_id is not null").fetchone()[0]
        conn.close()
        return rows, captures, links

    (a, a_captures, a_links), (b, b_captures, b_links) = load(expected), load(actual)
    differences = {
        "missing_articles": len(a.keys() - b.keys()),
        "extra_articles": len(b.keys() - a.keys()),
        "different_articles": sum(1 for key in a.keys() & b.keys() if a[key] != b[key]),
        "capture_count_difference": b_captures - a_captures,
        "linked_capture_difference": b_links - a_links,
    }
    return {key: value for key, value in differences.items() if value}
