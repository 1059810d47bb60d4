"""The archive database: schema, writes, full-text sync and concurrent access."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading

import pytest
from sqlite_utils import Database

from archive.db import (
    open_archive,
    record_capture,
    record_warc_file,
    upsert_article,
    upsert_site,
)
from archive.schema import migrations, rebuild_fts
from archive.search import search_articles


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "data" / "archive.db"


@pytest.fixture
def db(db_path):
    db = open_archive(db_path)
    yield db
    db.close()


def capture(db, n=1, **extra):
    return record_capture(
        db,
        {
            "url": f"https://hasaka.example/{n}",
            "site": "hasaka",
            "warc_file": "arshif-20240301-00000.warc.gz",
            "warc_offset": 1000 * n,
            "warc_length": 900,
            "warc_record_id": f"<urn:uuid:{n:08d}-0000-0000-0000-000000000000>",
            "status": 200,
            "content_type": "text/html; charset=utf-8",
            "fetched_at": f"2024-03-0{n}T10:00:00Z",
            **extra,
        },
    )


ARTICLE = {
    "url": "https://hasaka.example/1?utm_source=feed",
    "canonical_url": "https://hasaka.example/1",
    "site": "hasaka",
    "title": "افتتاح جسر جديد",
    "text": "افتُتح اليوم جسرٌ جديد فوق نهر الخابور.\nويربط الجسر ضفتي المدينة.",
    "tags": ["جسور", "الخابور"],
    "published": "2024-03-01T09:00:00+03:00",
    "html": "<p>not a column: ignored</p>",
}


def test_open_archive_creates_schema(db, db_path):
    assert db_path.exists()
    assert {"sites", "articles", "captures", "warc_files", "articles_fts"} <= set(
        db.table_names()
    )
    # later migrations add columns (versions, evidence): the backbone's must all be there
    assert set(db["articles"].columns_dict) >= {
        "id", "url", "canonical_url", "site", "title", "author", "source", "published",
        "modified", "section", "tags", "image", "language", "text", "word_count",
        "content_hash", "first_seen", "last_seen", "capture_id", "status",
    }  # fmt: skip
    assert set(db["captures"].columns_dict) >= {
        "id", "url", "site", "warc_file", "warc_offset", "warc_length", "warc_record_id",
        "request_record_id", "status", "content_type", "fetched_at", "payload_digest",
        "article_id", "kind", "via", "referrer",
    }  # fmt: skip
    assert db["sites"].pks == ["name"] and db["warc_files"].pks == ["name"]
    fks = {(fk.column, fk.other_table) for fk in db["articles"].foreign_keys}
    assert fks == {("site", "sites"), ("capture_id", "captures")}
    assert db.journal_mode == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    assert migrations.pending(db) == []


def test_open_archive_twice_applies_nothing_new(db, db_path):
    applied = [m.name for m in migrations.applied(db)]
    again = open_archive(db_path)
    assert [m.name for m in migrations.applied(again)] == applied
    again.close()


def test_upsert_site_keeps_extra_keys_as_config(db):
    upsert_site(db, {"name": "hasaka", "title": "الحسكة بوست", "country": "sy",
                     "config": {"feeds": ["https://hasaka.example/rss"]}})  # fmt: skip
    upsert_site(db, {"name": "hasaka", "base_url": "https://hasaka.example/"})
    row = db["sites"].get("hasaka")
    assert row["title"] == "الحسكة بوست"
    assert row["base_url"] == "https://hasaka.example/"
    assert json.loads(row["config"]) == {}  # the last call's config wins
    with pytest.raises(ValueError):
        upsert_site(db, {"title": "no name"})


def test_record_capture_is_idempotent_per_record_id(db):
    first = capture(db)
    assert capture(db) == first
    assert capture(db, 2) != first
    assert db["captures"].count == 2
    row = db["captures"].get(first)
    assert row["warc_offset"] == 1000 and row["article_id"] is None
    assert db["sites"].get("hasaka")  # created so the foreign key holds
    no_record_id = record_capture(db, {"url": "https://x.example/"})
    assert db["captures"].get(no_record_id)["fetched_at"].endswith("Z")
    with pytest.raises(ValueError):
        record_capture(db, {"site": "hasaka"})


def test_upsert_article_inserts_then_updates_by_canonical_url(db):
    first_capture = capture(db, 1)
    article_id = upsert_article(db, ARTICLE, first_capture)
    row = db["articles"].get(article_id)
    assert row["first_seen"] == row["last_seen"] == "2024-03-01T10:00:00Z"
    assert row["capture_id"] == first_capture
    assert row["word_count"] == 11
    assert row["content_hash"] == hashlib.sha256(ARTICLE["text"].encode()).hexdigest()
    assert json.loads(row["tags"]) == ["جسور", "الخابور"]
    assert db["captures"].get(first_capture)["article_id"] == article_id

    second_capture = capture(db, 2)
    changed = {**ARTICLE, "url": "https://hasaka.example/1", "text": "نص معدّل عن السد."}
    assert upsert_article(db, changed, second_capture) == article_id
    row = db["articles"].get(article_id)
    assert db["articles"].count == 1
    assert row["first_seen"] == "2024-03-01T10:00:00Z"
    assert row["last_seen"] == "2024-03-02T10:00:00Z"
    assert row["capture_id"] == second_capture
    assert row["url"] == "https://hasaka.example/1"
    assert row["title"] == ARTICLE["title"]


def test_full_text_index_follows_inserts_updates_and_deletes(db):
    article_id = upsert_article(db, ARTICLE, None)
    assert [h["id"] for h in search_articles(db, "الخابور")] == [article_id]
    upsert_article(db, {**ARTICLE, "text": "نص معدّل عن السد."}, None)
    assert search_articles(db, "الخابور") == []
    assert [h["id"] for h in search_articles(db, "السد")] == [article_id]
    # an update that leaves title and text alone leaves the index alone
    upsert_article(
        db, {"canonical_url": ARTICLE["canonical_url"], "section": "محليات"}, None
    )
    assert [h["id"] for h in search_articles(db, "جسر")] == [article_id]
    db["articles"].delete(article_id)
    assert search_articles(db, "السد") == []
    assert db.execute("SELECT count(*) FROM articles_fts_docsize").fetchone()[0] == 0


def test_rebuild_fts(db):
    upsert_article(db, ARTICLE, None)
    rebuild_fts(db)
    assert len(search_articles(db, "جسر")) == 1
    assert db.execute("SELECT count(*) FROM articles_fts_docsize").fetchone()[0] == 1


def test_upsert_article_validates(db):
    assert (
        db["articles"].get(upsert_article(db, {"url": "https://a.example/"}, None))[
            "canonical_url"
        ]
        == "https://a.example/"
    )
    with pytest.raises(ValueError):
        upsert_article(db, {"title": "بلا رابط"}, None)
    with pytest.raises(ValueError):
        upsert_article(db, ARTICLE, 999)
    assert db["articles"].count == 1  # the failed call rolled back


def test_record_warc_file(db):
    record_warc_file(db, "arshif-1.warc.gz", "ab" * 32, 1234)
    record_warc_file(db, "arshif-1.warc.gz", "cd" * 32, 5678)
    row = db["warc_files"].get("arshif-1.warc.gz")
    assert (row["sha256"], row["size"]) == ("cd" * 32, 5678)
    assert row["closed_at"].endswith("Z")


def test_writes_without_the_normalizer_fail_loudly(db, db_path):
    # A writer that bypassed open_archive would corrupt the normalised index
    plain = Database(db_path)
    with pytest.raises(sqlite3.OperationalError, match="arshif_normalize"):
        plain["articles"].insert({"url": "u", "canonical_url": "u", "text": "نص"})
    plain.close()


def test_concurrent_writers_and_reader(db, db_path):
    errors: list[BaseException] = []

    def write(prefix: str) -> None:
        writer = open_archive(db_path)
        try:
            for i in range(150):
                upsert_article(
                    writer,
                    {"url": f"https://{prefix}.example/{i}", "site": prefix,
                     "title": f"خبر رقم {i}", "text": "مياه الشرب في الحسكة " * 50},
                    None,
                )  # fmt: skip
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            writer.close()

    writers = [threading.Thread(target=write, args=(p,)) for p in ("one", "two")]
    for thread in writers:
        thread.start()
    reader = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    reads = 0
    try:
        while any(t.is_alive() for t in writers):
            search_articles(reader, "الحسكة", limit=5)
            reads += 1
        for thread in writers:
            thread.join()
    finally:
        reader.close()
    assert errors == []
    assert reads > 0
    assert db["articles"].count == 300
    assert len(search_articles(db, "مياه", limit=500)) == 300


def test_two_processes_creating_the_archive_at_once(db_path):
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def open_new() -> None:
        start.wait()
        try:
            open_archive(db_path).close()
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=open_new) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    db = open_archive(db_path)
    assert migrations.pending(db) == [] and len(migrations.applied(db)) >= 3
    db.close()
