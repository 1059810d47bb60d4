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
