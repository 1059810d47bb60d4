"""The SQLite archive: open it, and write sites, captures, articles and WARC files.

One writer (the crawler's pipeline) and any number of readers (Datasette, the CLI)
share the file: WAL mode lets readers see the last commit while a write is under
way, and ``busy_timeout`` makes a second writer wait instead of failing with
"database is locked". Every write function takes the write lock up front
(``BEGIN IMMEDIATE``), so a read-then-write never fails on a stale snapshot.

The schema lives in ``archive.schema``; ranked search in ``archive.search``
(``search_articles`` is re-exported here).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlite_utils import Database

from archive.schema import NORMALIZE_FUNCTION, migrations, sql_normalize
from archive.search import search_articles

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

__all__ = [
    "open_archive",
    "record_capture",
    "record_warc_file",
    "search_articles",
    "upsert_article",
    "upsert_site",
    "write_transaction",
    "insert_row",
    "update_row",
]

logger = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 15_000

SITE_COLUMNS = ("name", "title", "base_url", "language")
CAPTURE_COLUMNS = (
    "url", "site", "warc_file", "warc_offset", "warc_length", "warc_record_id",
    "request_record_id", "status", "content_type", "fetched_at", "payload_digest",
    "article_id", "kind", "via", "referrer",
    # evidence (issue 3): see archive.schema.add_capture_evidence
    "record_type", "revisit_of", "warc_date", "payload_sha256", "metadata_warc_file",
    "metadata_offset", "metadata_length", "metadata_record_id",
)  # fmt: skip
# Set by the caller; word_count, content_hash, first_seen, last_seen and
# capture_id are set by upsert_article.
ARTICLE_COLUMNS = (
    "url", "canonical_url", "site", "title", "author", "source", "published",
    "modified", "section", "tags", "image", "language", "text", "status",
)  # fmt: skip


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def open_archive(path: str | Path) -> Database:
    """Open (creating or migrating if needed) the archive database at ``path``.

    The connection has WAL mode, a busy timeout, foreign keys on and the
    ``arshif_normalize`` SQL function that the full-text triggers need.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    db = Database(path)
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    db.execute("PRAGMA foreign_keys = ON")
    db.enable_wal()
    # In WAL mode NORMAL cannot corrupt the file; a power cut may lose the last
    # commits, which the next crawl re-fetches. FULL costs an fsync per article.
    db.execute("PRAGMA synchronous = NORMAL")
    db.register_function(sql_normalize, deterministic=True, name=NORMALIZE_FUNCTION)
    if migrations.pending(db):
        # Two processes opening a new archive at once: the second waits here for
        # the lock, then finds nothing left to apply.
        with write_transaction(db):
            migrations.apply(db)
        logger.info("Archive schema up to date in %s", path)
    return db


@contextlib.contextmanager
def write_transaction(db: Database) -> Iterator[None]:
    # Inside a caller's transaction the caller commits or rolls back the whole; a
    # savepoint per call cost two statements per write (issue 8).
    if db.conn.in_transaction:
        yield
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.rollback()
        raise
    db.commit()


def _pick(record: Mapping[str, Any], columns: tuple[str, ...]) -> dict[str, Any]:
    return {key: record[key] for key in columns if key in record}


@functools.lru_cache(maxsize=256)
def _insert_sql(table: str, columns: tuple[str, ...]) -> str:
    names = ", ".join(f'"{name}"' for name in columns)
    return f'INSERT INTO "{table}" ({names}) VALUES ({", ".join("?" * len(columns))})'


@functools.lru_cache(maxsize=256)
def _update_sql(table: str, columns: tuple[str, ...]) -> str:
    assignments = ", ".join(f'"{name}" = ?' for name in columns)
    return f'UPDATE "{table}" SET {assignments} WHERE id = ?'


def insert_row(db: Database, table: str, record: Mapping[str, Any]) -> int:
    """INSERT ``record`` (column -> SQLite value) into ``table``; return the new rowid.

    What ``db.table(t).insert()`` does for rows of known columns, without its
    per-call schema reads: the crawl writes rows at hundreds per second (issue 8).
    """
    columns = tuple(record)
    return db.conn.execute(_insert_sql(table, columns), [record[c] for c in columns]).lastrowid


def update_row(db: Database, table: str, row_id: int, record: Mapping[str, Any]) -> None:
    """UPDATE the columns in ``record`` of ``table``'s row ``id = row_id``."""
    columns = tuple(record)
    db.conn.execute(_update_sql(table, columns), [*(record[c] for c in columns), row_id])


def _ensure_site(db: Database, name: str | None) -> None:
    # Keeps the site foreign keys valid when a capture arrives before upsert_site
    if name:
        db.execute("INSERT OR IGNORE INTO sites (name) VALUES (?)", [name])


def upsert_site(db: Database, site: Mapping[str, Any]) -> None:
    """Insert or update a site, keyed on ``name``.

    ``title``, ``base_url`` and ``language`` become columns; ``config`` (a dict) and
    every other key are stored together as JSON in ``config``.
    """
    if not site.get("name"):
        raise ValueError("site needs a name")
    record = _pick(site, SITE_COLUMNS)
    extra = {k: v for k, v in site.items() if k not in (*SITE_COLUMNS, "config")}
    config = {**extra, **(site.get("config") or {})}
    record["config"] = json.dumps(config, ensure_ascii=False, default=str)
    with write_transaction(db):
        db.table("sites").upsert(record, pk="name")


def record_capture(db: Database, capture: Mapping[str, Any]) -> int:
    """Record one fetched response stored in a WARC file; return its id.

    Recording the same ``warc_record_id`` twice returns the first row's id.
    ``fetched_at`` defaults to now (ISO 8601 UTC).
    """
    if not capture.get("url"):
        raise ValueError("capture needs a url")
    record = _pick(capture, CAPTURE_COLUMNS)
    record.setdefault("fetched_at", utc_now())
    with write_transaction(db):
        if record.get("warc_record_id"):
            row = db.execute(
                "SELECT id FROM captures WHERE warc_record_id = ?",
                [record["warc_record_id"]],
            ).fetchone()
            if row:
                return row[0]
        _ensure_site(db, record.get("site"))
        return insert_row(db, "captures", record)


def upsert_article(
    db: Database, article: Mapping[str, Any], capture_id: int | None
) -> int:
    """Insert or update the article for ``canonical_url``; return its id.

    ``canonical_url`` defaults to ``url``. Keys outside the articles columns are
    ignored; ``tags`` may be a list. Sets ``first_seen`` on insert, and
    ``last_seen`` (the capture's ``fetched_at``, else now), ``word_count``,
    ``content_hash`` and ``capture_id`` every time; links the capture back to the
    article. The full-text index follows through the schema's triggers.
    """
    record = _pick(article, ARTICLE_COLUMNS)
    record["canonical_url"] = record.get("canonical_url") or record.get("url")
    if not record["canonical_url"]:
        raise ValueError("article needs a url or canonical_url")
    record.setdefault("url", record["canonical_url"])
    if isinstance(record.get("tags"), (list, tuple)):
        record["tags"] = json.dumps(list(record["tags"]), ensure_ascii=False)
    if "text" in record:
        text = record["text"] or ""
        record["word_count"] = len(text.split())
        record["content_hash"] = hashlib.sha256(text.encode("utf-8")).hexdigest()

    with write_transaction(db):
        seen = None
        if capture_id is not None:
            row = db.execute(
                "SELECT fetched_at FROM captures WHERE id = ?", [capture_id]
            ).fetchone()
            if row is None:
                raise ValueError(f"no capture with id {capture_id}")
            seen = row[0]
            record["capture_id"] = capture_id
        record["last_seen"] = seen or utc_now()
        _ensure_site(db, record.get("site"))
        row = db.execute(
            "SELECT id FROM articles WHERE canonical_url = ?",
            [record["canonical_url"]],
        ).fetchone()
        if row:
            article_id = row[0]
            update_row(db, "articles", article_id, record)
        else:
            record["first_seen"] = record["last_seen"]
            record.setdefault("status", "ok")
            article_id = insert_row(db, "articles", record)
        if capture_id is not None:
            update_row(db, "captures", capture_id, {"article_id": article_id})
    return article_id


def link_capture(db: Database, capture_id: int, canonical_url: str) -> None:
    """Link a capture to the article stored under ``canonical_url`` (an AMP twin that
    was not extracted) without touching the article's row."""
    db.execute("UPDATE captures SET article_id = (SELECT id FROM articles WHERE canonical_url = ?) "
               "WHERE id = ?", [canonical_url, capture_id])


def record_warc_file(
    db: Database, name: str, sha256: str, size: int, crawl_id: str | None = None
) -> None:
    """Record a closed WARC file (``name`` relative to data/warc) and its checksum."""
    if not name:
        raise ValueError("warc file needs a name")
    record = {"name": name, "sha256": sha256, "size": size, "closed_at": utc_now()}
    if crawl_id:
        record["crawl_id"] = crawl_id
    with write_transaction(db):
        db.table("warc_files").upsert(record, pk="name")
