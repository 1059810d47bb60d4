"""The article page, the month facet and the read-only configuration, on a real
Datasette (in-process) over the crawled farm archive."""

from __future__ import annotations

import re
import sqlite3

import pytest
from datasette import hookimpl
from datasette.plugins import pm
from datasette.utils.asgi import Response

from archive.web.article_page import arabic_date
from archive.web.plugin import SETTINGS, build_datasette, load_metadata
from archive.db import open_archive, record_capture, upsert_article
from archive.web.facets import month_label


pytestmark = pytest.mark.usefixtures("arshif_plugin")


@pytest.fixture
async def ds(crawled):
    ds = build_datasette(crawled.db_path)
    yield ds
    for database in ds.databases.values():
        database.close()


def gold_article(crawled, gold, name: str) -> tuple[dict, dict]:
    record = next(g for g in gold if g["page"] == f"{name}.html")
    path = record["url"].split(":", 2)[2].split("/", 1)[1]
    with sqlite3.connect(crawled.db_path) as conn:
        conn.row_factory = sqlite3.Row
        row = conn.execute(
            "SELECT * FROM articles WHERE canonical_url LIKE ?", [f"%/{path}"]
        ).fetchone()
    assert row is not None, record["url"]
    return dict(row), record


async def test_article_page_shows_the_article_right_to_left(ds, crawled, gold):
    article, record = gold_article(crawled, gold, "furat-001")
    response = await ds.client.get(f"/-/article/{article['id']}")
    assert response.status_code == 200
    html = response.text
    assert '<article class="arshif-article" dir="rtl" lang="ar">' in html
    assert f'<h1 class="arshif-article-title">{record["title"]}</h1>' in html
    assert record["author"] in html and "بقلم" in html
    assert "5 شباط 2021" in html  # 2021-02-05, Levantine month name
    assert f'datetime="{article["published"]}"' in html
    # every gold paragraph is a paragraph of the page
    for paragraph in record["body"].splitlines()[:3]:
        assert f"<p>{paragraph}</p>" in html
    assert f'href="{article["canonical_url"]}"' in html
    # links into the faceted table
    assert "/archive/articles?author=" in html and "published__startswith=2021-02" in html
    # capture history: the capture the article came from, with its WARC position
    with sqlite3.connect(crawled.db_path) as conn:
        warc_file, offset = conn.execute(
            "SELECT warc_file, warc_offset FROM captures WHERE id = ?", [article["capture_id"]]
        ).fetchone()
    assert f"{warc_file} @{offset}" in html
    # downloads: the snapshot path issue 3 serves (a link once its route exists)
    assert f"/-/snapshot/{article['capture_id']}.warc.gz" in html
    if 'class="arshif-citation"' in html:  # issue 3's citation line
        # the Arabic title is isolated inside the left-to-right citation
        assert f"«<bdi>{record['title']}</bdi>»" in html


async def test_article_json_and_not_found(ds, crawled, gold):
    article, record = gold_article(crawled, gold, "nabd-003")
    data = (await ds.client.get(f"/-/article/{article['id']}.json")).json()
    assert data["article"]["title"] == record["title"]
    assert data["direction"] == "rtl"
    assert data["captures"] and all(c["snapshot"]["url"] for c in data["captures"])
    assert {c["id"] for c in data["captures"]} >= {article["capture_id"]}
    assert (await ds.client.get("/-/article/999999")).status_code == 404
    assert (await ds.client.get("/-/article/abc")).status_code == 404


class SnapshotPlugin:
    """Stands in for issue 3's download route."""

    __name__ = "test_snapshot_plugin"  # Datasette lists plugins by module name

    @hookimpl
    def register_routes(self):
        async def snapshot(request):
            return Response.text("warc")

        return [(r"^/-/snapshot/(?P<id>\d+)\.warc\.gz$", snapshot)]


async def test_download_links_light_up_when_the_route_exists(crawled, gold):
    article, _ = gold_article(crawled, gold, "khabour-002")
    pm.register(SnapshotPlugin(), name="test-snapshot")
    ds = None
    try:
        ds = build_datasette(crawled.db_path)
        html = (await ds.client.get(f"/-/article/{article['id']}")).text
        link = f'<a href="/-/snapshot/{article["capture_id"]}.warc.gz" dir="ltr" download>'
        assert link in html
    finally:
        pm.unregister(name="test-snapshot")
        for database in ds.databases.values() if ds else ():
            database.close()


async def test_scraped_text_is_escaped_on_the_article_page(tmp_path):
    db = open_archive(tmp_path / "archive.db")
    capture = record_capture(db, {"url": "https://x.example/1", "site": "x"})
    article_id = upsert_article(
        db,
        {"url": "https://x.example/1", "site": "x", "title": "عنوان <script>alert(1)</script>",
         "text": "سطر <b>أول</b>\n\nسطر ثان", "language": "ar"},
        capture,
    )  # fmt: skip
    db.close()
    ds = build_datasette(tmp_path / "archive.db")
    try:
        html = (await ds.client.get(f"/-/article/{article_id}")).text
        assert "<script>alert" not in html and "&lt;script&gt;alert(1)" in html
        assert "<p>سطر &lt;b&gt;أول&lt;/b&gt;</p>" in html and "<p>سطر ثان</p>" in html
    finally:
        for database in ds.databases.values():
            database.close()


async def test_search_results_and_table_titles_link_to_the_article_page(ds):
    html = (await ds.client.get("/-/search", params={"q": "الحسكة"})).text
    assert re.search(r'class="arshif-hit-link" href="/-/article/\d+"', html)
    hits = (await ds.client.get("/-/search.json", params={"q": "الحسكة"})).json()["results"]
    assert hits[0]["article_url"] == f"/-/article/{hits[0]['id']}"
    table = (await ds.client.get("/archive/articles", params={"_search": "الحسكة"})).text
    assert re.search(r'<a class="arshif-article-link" href="/-/article/\d+"><span class="arshif-title"', table)


async def test_month_facet(ds, crawled):
    data = (await ds.client.get("/archive/articles.json", params={"_size": "0"})).json()
    facets = data["facet_results"]
    assert {"site", "section", "author", "published"} <= facets.keys()
    months = facets["published"]
    assert months["type"] == "month"
    values = [v["value"] for v in months["results"]]
    assert values == sorted(values, reverse=True) and all(re.fullmatch(r"\d{4}-\d\d", v) for v in values)
    first = months["results"][0]
    assert first["label"].startswith(first["value"] + " (\u2067")
    assert "published__startswith=" + first["value"] in first["toggle_url"]
    # choosing the month filters the table to it
    chosen = (
        await ds.client.get(
            "/archive/articles.json",
            params={"published__startswith": first["value"], "_shape": "array", "_col": "published"},
        )
    ).json()
    assert len(chosen) == first["count"]
    assert all(row["published"].startswith(first["value"]) for row in chosen)
    html = (await ds.client.get("/archive/articles")).text
    assert "published (month)" in html


def test_month_label_and_arabic_date():
    assert month_label("2023-04") == "2023-04 (\u2067نيسان 2023\u2069)"
    assert month_label("n/a") == "n/a"
    assert arabic_date("2023-12-05T09:07:00+03:00") == "5 كانون الأول 2023، 09:07"
    assert arabic_date("2022-02-26") == "26 شباط 2022"
    assert arabic_date("yesterday") == "yesterday"


async def test_archive_is_read_only(ds):
    for sql in (
        "DELETE FROM articles",
        "UPDATE articles SET title = 'x'",
        "INSERT INTO sites (name) VALUES ('x')",
        "DROP TABLE articles",
    ):
        response = await ds.client.get("/archive.json", params={"sql": sql})
        assert response.status_code == 400, sql
    # past the SELECT check, a write still meets a read-only connection
    db = ds.get_database("archive")
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        await db.execute("DELETE FROM articles WHERE id = -1")
    metadata = load_metadata()
    queries = [
        q for database in metadata.get("databases", {}).values()
        for q in (database.get("queries") or {}).values()
    ]  # fmt: skip
    assert not any(isinstance(q, dict) and q.get("write") for q in queries)
    plugins = {p["name"] for p in (await ds.client.get("/-/plugins.json")).json()}
    assert not {name for name in plugins if "write" in name or "upload" in name or "insert" in name}
    assert ds.setting("default_page_size") == SETTINGS["default_page_size"] == 20
    assert 0 < ds.setting("sql_time_limit_ms") <= 5000
    assert (await ds.client.get("/archive.db")).status_code in (403, 404)


# The backbone's columns (issue 2); later issues add their own with descriptions
DESCRIBED = {
    "articles": ("url", "canonical_url", "site", "title", "author", "published", "section",
                 "language", "text", "word_count", "content_hash", "first_seen", "last_seen",
                 "capture_id"),
    "captures": ("url", "site", "warc_file", "warc_offset", "warc_length", "warc_record_id",
                 "status", "fetched_at", "payload_digest", "article_id"),
    "sites": ("name", "title", "base_url"),
}  # fmt: skip


def test_metadata_describes_the_tables(crawled):
    tables = load_metadata()["databases"]["archive"]["tables"]
    with sqlite3.connect(crawled.db_path) as conn:
        for table, required in DESCRIBED.items():
            columns = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
            described = tables[table].get("columns", {})
            assert not set(required) - described.keys(), table
            stale = set(described) - columns
            assert not stale, f"archive/web/metadata.yml describes no such {table} column {stale}"
            assert tables[table].get("title") and tables[table].get("description")
    metadata = load_metadata()
    assert metadata.get("license") and metadata.get("source") and metadata.get("title")


async def test_removed_article_and_versions_are_flagged(tmp_path):
    db = open_archive(tmp_path / "archive.db")
    columns = {row[1] for row in db.execute("PRAGMA table_info(articles)")}
    if not {"removed_at", "removed_reason", "version_count"} <= columns:
        db.close()
        pytest.skip("the archive schema has no removal/version columns (issue 6)")
    capture = record_capture(db, {"url": "https://x.example/2", "site": "x"})
    article_id = upsert_article(
        db, {"url": "https://x.example/2", "site": "x", "title": "خبر محذوف", "text": "نص",
             "language": "ar"}, capture)  # fmt: skip
    with db.conn:
        db.execute(
            "UPDATE articles SET removed_at = '2024-05-01T10:00:00Z', removed_reason = 'http 404',"
            " version_count = 3 WHERE id = ?", [article_id])  # fmt: skip
    db.close()
    ds = build_datasette(tmp_path / "archive.db")
    try:
        html = (await ds.client.get(f"/-/article/{article_id}")).text
        assert 'class="arshif-removed"' in html and "http 404" in html and "2024-05-01" in html
        assert f'href="/-/diff/{article_id}"' in html and "3 نسخ" in html
    finally:
        for database in ds.databases.values():
            database.close()
