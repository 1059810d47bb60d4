"""Schema of the archive database, as sqlite-utils migrations.

Change the schema only by adding a migration at the end of this module; applied
migrations are recorded in ``_sqlite_migrations`` under the set name ``arshif``.
``archive.db.open_archive`` applies them.

Full-text search: ``articles_fts`` is an FTS5 table whose content is the ``articles``
table itself (external content, so the 820 MB of text per 100k articles is stored
once) but whose index holds ``arshif_normalize(title)`` and ``arshif_normalize(text)``.
Triggers keep it in sync; they call the ``arshif_normalize`` SQL function, which
``open_archive`` registers. A connection without it cannot write to ``articles``
("no such function: arshif_normalize"), which is what we want: a write that skipped
the normalisation would corrupt the index.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sqlite_utils import Migrations

from archive.text import FTS_TOKENCHARS, normalize_arabic

if TYPE_CHECKING:
    from sqlite_utils import Database

logger = logging.getLogger(__name__)

NORMALIZE_FUNCTION = "arshif_normalize"
FTS_TABLE = "articles_fts"
# unicode61 folds case and Latin diacritics; the Arabic marks become token characters
# so that the original text tokenizes like the normalised one (see archive/text.py).
FTS_TOKENIZE = f"unicode61 tokenchars '{FTS_TOKENCHARS}'"

migrations = Migrations("arshif")


def sql_normalize(value: str | None) -> str | None:
    """``normalize_arabic`` as a SQL function: NULL stays NULL."""
    return None if value is None else normalize_arabic(str(value))


@migrations()
def create_tables(db: Database) -> None:
    db["sites"].create(
        {
            "name": str,
            "title": str,
            "base_url": str,
            "language": str,
            "config": str,  # JSON
        },
        pk="name",
    )
    db["captures"].create(
        {
            "id": int,
            "url": str,
            "site": str,
            "warc_file": str,  # relative to data/warc
            "warc_offset": int,
            "warc_length": int,
            "warc_record_id": str,
            "request_record_id": str,
            "status": int,
            "content_type": str,
            "fetched_at": str,  # ISO 8601 UTC
            "payload_digest": str,
            "article_id": int,
        },
        pk="id",
        not_null=["url"],
        foreign_keys=[("site", "sites", "name")],
    )
    db["articles"].create(
        {
            "id": int,
            "url": str,
            "canonical_url": str,
            "site": str,
            "title": str,
            "author": str,
            "source": str,
            "published": str,  # ISO 8601, as published (may carry an offset)
            "modified": str,
            "section": str,
            "tags": str,  # JSON list
            "image": str,
            "language": str,
            "text": str,
            "word_count": int,
            "content_hash": str,  # sha256 of text
            "first_seen": str,
            "last_seen": str,
            "capture_id": int,  # latest capture
            "status": str,
        },
        pk="id",
        not_null=["url", "canonical_url"],
        foreign_keys=[("site", "sites", "name"), ("capture_id", "captures", "id")],
    )
    # captures and articles point at each other: the second key needs both tables
    db["captures"].add_foreign_key("article_id", "articles", "id")
    db["warc_files"].create(
        {"name": str, "sha256": str, "size": int, "closed_at": str}, pk="name"
    )

    articles = db.table("articles")
    articles.create_index(["canonical_url"], unique=True)
    # sort_desc=published and the facets in metadata.yml, and search filters
    articles.create_index(["published"])
    articles.create_index(["site", "published"])
    articles.create_index(["section"])
    articles.create_index(["author"])
    articles.create_index(["language"])
    articles.create_index(["content_hash"])
    articles.create_index(["capture_id"])
    captures = db.table("captures")
    captures.create_index(["warc_record_id"], unique=True)
    captures.create_index(["url"])
    captures.create_index(["article_id"])
    captures.create_index(["site", "fetched_at"])


@migrations()
def create_articles_fts(db: Database) -> None:
    db.table("articles").enable_fts(["title", "text"], tokenize=FTS_TOKENIZE)
    fn = NORMALIZE_FUNCTION
    db.executescript(
        f"""
        CREATE TRIGGER articles_fts_ai AFTER INSERT ON articles BEGIN
          INSERT INTO {FTS_TABLE} (rowid, title, text)
          VALUES (new.id, {fn}(new.title), {fn}(new.text));
        END;
        -- FTS5 can only delete an external-content row given the indexed values
        CREATE TRIGGER articles_fts_ad AFTER DELETE ON articles BEGIN
          INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rowid, title, text)
          VALUES ('delete', old.id, {fn}(old.title), {fn}(old.text));
        END;
        -- re-crawls mostly touch last_seen: re-index only when the words change
        CREATE TRIGGER articles_fts_au AFTER UPDATE OF title, text ON articles
        WHEN old.title IS NOT new.title OR old.text IS NOT new.text BEGIN
          INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rowid, title, text)
          VALUES ('delete', old.id, {fn}(old.title), {fn}(old.text));
          INSERT INTO {FTS_TABLE} (rowid, title, text)
          VALUES (new.id, {fn}(new.title), {fn}(new.text));
        END;
        """
    )


@migrations()
def add_capture_provenance(db: Database) -> None:
    # What the crawler fetched the URL as, and how it found it
    captures = db.table("captures")
    captures.add_column("kind", str)  # page, feed, sitemap or robots
    captures.add_column("via", str)  # seed, feed, sitemap, link...
    captures.add_column("referrer", str)
    captures.create_index(["kind"])


def rebuild_fts(db: Database) -> None:
    """Re-index every article with the current ``normalize_arabic``.

    FTS5's own ``'rebuild'`` command would index the raw text: never use it here.
    Call this from a new migration whenever the normalisation changes.
    """
    with db.atomic():
        db.execute(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('delete-all')")
        db.execute(
            f"INSERT INTO {FTS_TABLE} (rowid, title, text) SELECT id, "
            f"{NORMALIZE_FUNCTION}(title), {NORMALIZE_FUNCTION}(text) FROM articles"
        )
    logger.info("Rebuilt %s", FTS_TABLE)


@migrations()
def add_capture_evidence(db: Database) -> None:
    # Evidence (issue 3): revisit records, the exact WARC-Date, the payload's
    # SHA-256 for citations, where the capture's metadata record is, and which
    # crawl each WARC file belongs to.
    captures = db.table("captures")
    captures.add_column("record_type", str)  # response or revisit
    captures.add_column("revisit_of", int)  # the original capture of a revisit
    captures.add_column("warc_date", str)  # WARC-Date of the response/revisit record
    captures.add_column("payload_sha256", str)  # hex SHA-256 of the HTTP payload as sent
    captures.add_column("metadata_warc_file", str)
    captures.add_column("metadata_offset", int)
    captures.add_column("metadata_length", int)
    captures.add_column("metadata_record_id", str)
    db.execute("UPDATE captures SET record_type = 'response' WHERE record_type IS NULL")
    captures.create_index(["url", "payload_digest"])
    warc_files = db.table("warc_files")
    warc_files.add_column("crawl_id", str)
    warc_files.create_index(["crawl_id"])


@migrations()
def add_versions_runs_and_listings(db: Database) -> None:
    # Incremental crawls (issue 6): every distinct version of an article, removals
    # and moves, crawl runs with per-site counts, what sitemaps and feeds listed
    # (with lastmod), and the HTTP validators of each capture.
    articles = db.table("articles")
    for column, kind in (
        ("version_count", int),  # distinct versions kept in article_versions
        ("changed_at", str),  # fetch time of the latest version after the first
        ("title_changed", int),  # 1 once a later version changed the title
        ("silent_edit", int),  # 1 once the text changed with no new modification date
        ("removed_at", str),  # first fetch that found it gone (404/410/redirect away)
        ("removed_reason", str),
        ("removed_capture_id", int),  # the capture that showed it gone
        ("moved_to", str),  # the new URL of a moved article
        ("last_checked", str),  # latest fetch of any kind, 304 and revisits included
    ):
        articles.add_column(column, kind)
    articles.create_index(["status"])
    captures = db.table("captures")
    captures.add_column("http_etag", str)
    captures.add_column("http_last_modified", str)
    db["article_versions"].create(
        {
            "id": int,
            "article_id": int,
            "version": int,  # 1, 2, ... per article
            "capture_id": int,
            "fetched_at": str,
            "url": str,
            "title": str,
            "text": str,
            "content_hash": str,
            "word_count": int,
            "modified": str,  # the publisher's modification date on that version
            "change": str,  # new, edited, moved
            "title_changed": int,
            "text_changed": int,
            "silent": int,  # text changed, modification date did not
            "words_added": int,
            "words_removed": int,
            "diff": str,  # unified diff from the previous version, one paragraph per line
            "moved_from": str,
            "crawl_run_id": int,
        },
        pk="id",
        not_null=["article_id", "version"],
        foreign_keys=[("article_id", "articles", "id"), ("capture_id", "captures", "id")],
    )
    db["article_versions"].create_index(["article_id", "version"], unique=True)
    db["article_versions"].create_index(["change"])
    db["crawl_runs"].create(
        {
            "id": int,
            "crawl_id": str,
            "started": str,
            "ended": str,
            "status": str,  # running, or Scrapy's finish reason
            "mode": str,  # incremental or full
            "trigger": str,  # cli or schedule
            "sites": str,  # JSON list
            "now": str,  # the reference time of the re-visit policy
            "requests": int,
            "pages": int,
            "new": int,
            "changed": int,
            "unchanged": int,
            "removed": int,
            "moved": int,
            "errors": int,
            "stats": str,  # JSON: selected Scrapy stats
        },
        pk="id",
    )
    db["crawl_runs"].create_index(["started"])
    db["crawl_run_sites"].create(
        {
            "run_id": int,
            "site": str,
            "requests": int,
            "pages": int,
            "new": int,
            "changed": int,
            "unchanged": int,
            "not_modified": int,
            "revisits": int,
            "removed": int,
            "moved": int,
            "skipped": int,
            "errors": int,
            "errors_by_kind": str,  # JSON {kind: count}
        },
        pk=("run_id", "site"),
        foreign_keys=[("run_id", "crawl_runs", "id"), ("site", "sites", "name")],
    )
    db["listings"].create(
        {
            "url": str,
            "site": str,
            "source": str,  # sitemap (a urlset entry), sitemapindex or feed
            "listed_in": str,  # the sitemap or feed URL
            "lastmod": str,  # as last fetched (UTC ISO 8601 when parseable)
            "first_listed": str,
            "last_listed": str,
        },
        pk="url",
    )
    db["listings"].create_index(["site", "source", "last_listed"])
    db["listings"].create_index(["listed_in"])
    # Archives from before this migration: each article's current text is version 1
    db.execute(
        """INSERT INTO article_versions (article_id, version, capture_id, fetched_at, url, title,
               text, content_hash, word_count, modified, change, title_changed, text_changed, silent)
           SELECT id, 1, capture_id, coalesce(last_seen, first_seen), url, title, text, content_hash,
               word_count, modified, 'new', 0, 0, 0 FROM articles"""
    )
    db.execute("UPDATE articles SET version_count = 1, title_changed = 0, silent_edit = 0")


@migrations()
def add_failures(db: Database) -> None:
    # The hostile web (issue 7): why a URL was not archived normally, one row per
    # (url, reason) with how often and when it happened (archive/failures.py).
    db["failures"].create(
        {
            "id": int,
            "url": str,
            "site": str,
            "reason": str,  # e.g. timeout, decompression_bomb, soft_404 (docs/failures.md)
            "category": str,  # fetch, http, content, trap, policy, transient, archive
            "detail": str,  # what exactly happened, for a person to read
            "status": int,  # HTTP status when there was a response
            "first_seen": str,  # ISO 8601 UTC
            "last_seen": str,
            "count": int,  # times recorded (across crawls)
            "crawl_id": str,  # the crawl that recorded it last
        },
        pk="id",
        not_null=["url", "reason"],
    )
    failures = db.table("failures")
    failures.create_index(["url", "reason"], unique=True)
    failures.create_index(["site", "reason"])
    failures.create_index(["reason"])
    failures.create_index(["category"])
    failures.create_index(["crawl_id"])
