"""`arshif reindex`: the archive rebuilt from the crawl's WARC files equals the crawl's."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from arshif.cli.reindex import reindex
from archive.db import open_archive, search_articles
from arshif.reindex import compare_archives, rebuild
from arshif.warc_captures import last_article_captures, warc_fields, warc_paths

CAPTURE_KEYS = ("url", "site", "kind", "status", "via", "referrer", "warc_file", "warc_offset",
                "warc_length", "warc_record_id", "request_record_id", "payload_digest", "fetched_at",
                "metadata_record_id", "metadata_offset", "article_id")


def rows(path, sql):
    with sqlite3.connect(path) as conn:
        conn.row_factory = sqlite3.Row
        result = [dict(r) for r in conn.execute(sql)]
    conn.close()
    return result


def columns(path, table):
    return {r["name"] for r in rows(path, f"pragma table_info({table})")}


@pytest.fixture(scope="module")
def rebuilt(crawled, tmp_path_factory):
    output = tmp_path_factory.mktemp("reindex") / "rebuilt.db"
    stats = rebuild(crawled.data_dir, output, workers=2)
    return output, stats


def test_rebuilt_archive_equals_the_crawls(crawled, rebuilt):
    output, stats = rebuilt
    assert compare_archives(crawled.db_path, output) == {}
    assert stats.article_rows == rows(crawled.db_path, "select count(*) n from articles")[0]["n"] > 60
    assert stats.text_changed == 0  # same extractor: same text as the crawl's metadata records say


def test_each_article_is_extracted_once_from_its_last_capture(crawled, rebuilt):
    _, stats = rebuilt
    article_captures = rows(crawled.db_path, "select count(*) n from captures where article_id is not null "
                                             "and status = 200 and record_type = 'response'")[0]["n"]
    assert article_captures > stats.article_rows  # the farm's AMP twins
    # the crawl stored AMP twins unextracted; captures that the pre-pass found overwritten
    # by a later one were stored unextracted too
    assert stats.twins > 0
    assert stats.extracted + stats.superseded + stats.twins == article_captures


def test_pre_pass_finds_each_articles_last_capture(crawled):
    last = last_article_captures(warc_paths(crawled.data_dir / "warc"))
    stored = rows(crawled.db_path, "select c.metadata_record_id from articles a join captures c on c.id = a.capture_id")
    assert last == {row["metadata_record_id"] for row in stored}


def test_captures_are_replayed_in_the_crawls_order(crawled, rebuilt):
    output, _ = rebuilt
    keys = [k for k in CAPTURE_KEYS if k in columns(crawled.db_path, "captures")]
    query = f"select id, {', '.join(keys)} from captures order by id"
    assert rows(output, query) == rows(crawled.db_path, query)


def test_articles_keep_ids_and_search_works(crawled, rebuilt):
    output, _ = rebuilt
    query = "select id, canonical_url, capture_id, word_count, first_seen, last_seen from articles order by id"
    assert rows(output, query) == rows(crawled.db_path, query)
    word = rows(output, "select text from articles limit 1")[0]["text"].split()[3]

    db = open_archive(output)
    try:
        assert search_articles(db, word)
    finally:
        db.close()


def test_full_text_index_answers_as_the_crawls(crawled, rebuilt):
    output, stats = rebuilt
    assert not stats.index_rebuilt  # each article's last capture was indexed as it was written
    queries = json.loads((Path(__file__).parent / "search_queries.json").read_text(encoding="utf-8"))["queries"]
    crawl_db, rebuilt_db = open_archive(crawled.db_path), open_archive(output)
    try:
        for query in queries:
            expected = [r["id"] for r in search_articles(crawl_db, query["query"], limit=100)]
            assert [r["id"] for r in search_articles(rebuilt_db, query["query"], limit=100)] == expected
        assert sum(1 for q in queries if search_articles(rebuilt_db, q["query"])) == len(queries)
    finally:
        crawl_db.close()
        rebuilt_db.close()


def test_sites_come_from_warcinfo(crawled, rebuilt):
    output, _ = rebuilt
    names = "select name from sites order by name"
    assert rows(output, names) == rows(crawled.db_path, names)
    from crawler.sites import load_sites

    configured = load_sites(crawled.config)
    for site in rows(output, "select name, title, base_url, language from sites"):
        expected = configured[site["name"]]
        assert (site["title"], site["base_url"], site["language"]) == (
            expected.title, expected.base_url, expected.language)


def test_cli_replaces_the_archive_in_place(crawled, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(crawled.data_dir / "warc", data / "warc")
    from archive.db import upsert_site

    db = open_archive(data / "archive.db")  # an archive the rebuild must not keep anything of
    upsert_site(db, {"name": "stale"})
    db.close()
    result = CliRunner().invoke(reindex, ["--data", str(data), "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert "articles" in result.output and "articles/s" in result.output
    assert compare_archives(crawled.db_path, data / "archive.db") == {}
    assert "stale" not in {r["name"] for r in rows(data / "archive.db", "select name from sites")}
    assert not list(data.glob(".archive.db.reindex-*"))  # the temporary file is gone


def test_cli_without_warc_files_fails_clearly(tmp_path):
    (tmp_path / "warc").mkdir()
    result = CliRunner().invoke(reindex, ["--data", str(tmp_path)])
    assert result.exit_code != 0
    assert "no WARC files" in result.output
    assert not (tmp_path / "archive.db").exists()


def test_warc_fields_keep_repeated_names():
    fields = warc_fields(b"via: link\r\noutlink: http://a/1\r\noutlink: http://a/2\r\nsite: furat\r\n")
    assert fields == {"via": ["link"], "outlink": ["http://a/1", "http://a/2"], "site": ["furat"]}


def test_foreign_key_check_catches_a_dangling_reference(tmp_path):
    from archive.db import record_capture
    from arshif.reindex import check_foreign_keys

    db = open_archive(tmp_path / "archive.db")
    try:
        capture_id = record_capture(db, {"url": "http://example.test/a", "site": None})
        check_foreign_keys(db)  # consistent
        db.execute("PRAGMA foreign_keys = OFF")
        db.execute("UPDATE captures SET article_id = 999 WHERE id = ?", [capture_id])
        with pytest.raises(RuntimeError, match="captures row 1 -> articles"):
            check_foreign_keys(db)
    finally:
        db.close()
