"""The published archive: a real Datasette over a real archive file, in-process."""

from __future__ import annotations

import threading

import pytest
from datasette.app import Datasette

import archive.web.plugin as plugin
from archive.web.plugin import (
    METADATA_PATH,
    SETTINGS,
    build_datasette,
    load_metadata,
    serve_args,
)
from archive.db import open_archive, record_capture, upsert_article

ARTICLES = [
    {
        "site": "hasaka",
        "section": "صحة",
        "author": "ليلى حسن",
        "published": "2024-03-06T11:00:00+03:00",
        "title": "نقص الأدوية في مستشفى الحسكة الوطني",
        "text": "يعاني المستشفى الوطني من نقص حاد في الأدوية.\n\n"
        "وقال الطبيب أحمد سليمان إن قسم الإسعاف يستقبل عشرات المرضى يومياً.",
    },
    {
        "site": "deir",
        "section": "خدمات",
        "author": "سارة يوسف",
        "published": "2024-02-01T09:00:00+03:00",
        "title": "انقطاع المياه عن أحياء دير الزور",
        "text": "تعاني أحياء عدة من انقطاع مياه الشرب.\n"
        "<script>alert('xss')</script><b>عطل</b> في محطة الضخ الرئيسية والمدرسة مغلقة.",
    },
    {
        "site": "raqqa",
        "section": "محليات",
        "author": "محمد الأحمد",
        "published": "2023-09-01T10:00:00+03:00",
        "title": "تطـويـر الحدائق العامة في الرقة",
        "text": "قال رئيس المجلس احمد الخليل إن الخطة تشمل إنارة الحدائق والحسكة لاحقاً.",
    },
]


pytestmark = pytest.mark.usefixtures("arshif_plugin")


@pytest.fixture
def db_path(tmp_path):
    path = tmp_path / "archive.db"
    db = open_archive(path)
    for n, article in enumerate(ARTICLES, 1):
        url = f"https://{article['site']}.example/{n}"
        capture_id = record_capture(db, {"url": url, "site": article["site"]})
        upsert_article(db, {**article, "url": url, "language": "ar"}, capture_id)
    db.close()
    return path


@pytest.fixture
def ds(db_path):
    ds = Datasette([str(db_path)], metadata=load_metadata(), settings=SETTINGS)
    yield ds
    for database in ds.databases.values():
        database.close()


async def search_ids(ds, query, param="_search"):
    response = await ds.client.get(
        "/archive/articles.json",
        params={param: query, "_shape": "array", "_col": "title"},
    )
    assert response.status_code == 200, response.text
    return {row["id"] for row in response.json()}


async def test_plugin_and_metadata_are_loaded(ds):
    plugins = (await ds.client.get("/-/plugins.json")).json()
    # "arshif" from the entry point, the module name when registered by hand
    assert {"arshif", plugin.__name__} & {p["name"] for p in plugins}
    index = await ds.client.get("/")
    assert "arshif — أرشيف الأخبار العربية" in index.text
    css = await ds.client.get("/-/arshif/arshif.css")
    assert css.status_code == 200 and "Noto Naskh Arabic" in css.text
    assert "/-/arshif/arshif.css" in index.text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("الأدوية", {1}),  # a word as written in the article
        ("الادويه", {1}),  # without hamza, ه for ة
        ("أحمد", {1, 3}),  # أحمد in 1, احمد in 3
        ("احمد", {1, 3}),
        ("تطوير", {3}),  # written with tatweel
        ("الحسكة", {1, 3}),  # والحسكة in 3
        ("مدرسة", {2}),  # المدرسة
        ("الحدائق OR المياه", {2, 3}),
        ('"الطبيب احمد"', {1}),
    ],
)
async def test_table_search_normalises_arabic(ds, query, expected):
    assert await search_ids(ds, query) == expected


async def test_table_search_by_column_and_raw_mode(ds):
    assert await search_ids(ds, "الحسكة", param="_search_title") == {1}
    # _searchmode=raw skips our normalisation: raw FTS5 over the normalised index
    response = await ds.client.get(
        "/archive/articles.json",
        params={"_search": "احمد", "_searchmode": "raw", "_shape": "array"},
    )
    assert {row["id"] for row in response.json()} == {1, 3}


async def test_table_page_keeps_the_query_as_typed(ds):
    response = await ds.client.get("/archive/articles", params={"_search": "أحمد"})
    assert response.status_code == 200
    assert 'name="_search" value="أحمد"' in response.text
    assert "OR" not in response.text.split("<h3>")[1].split("</h3>")[0]


async def test_row_page_is_right_to_left_and_escaped(ds):
    response = await ds.client.get("/archive/articles/2")
    assert response.status_code == 200
    html = response.text
    assert '<div class="arshif-text" dir="rtl" lang="ar"><p>تعاني أحياء عدة' in html
    assert '<span class="arshif-title" dir="rtl" lang="ar">انقطاع المياه' in html
    assert "<script>alert" not in html and "<b>عطل</b>" not in html
    assert "&lt;script&gt;alert(" in html
    # paragraphs kept, blank lines dropped
    row1 = (await ds.client.get("/archive/articles/1")).text
    assert "نقص حاد في الأدوية.</p><p>وقال الطبيب" in row1


async def test_search_page_html(ds):
    response = await ds.client.get("/-/search", params={"q": "احمد"})
    assert response.status_code == 200
    html = response.text
    assert 'dir="rtl"' in html and 'value="احمد"' in html
    assert "<mark>أحمد</mark> سليمان" in html
    assert 'href="/archive/articles/1"' in html and 'href="/archive/articles/3"' in html
    escaped = (await ds.client.get("/-/search", params={"q": "عطل"})).text
    assert "<script>alert" not in escaped and "&lt;script&gt;" in escaped
    assert "<mark>عطل</mark>" in escaped  # our mark, not the page's <b>


async def test_search_page_json(ds):
    response = await ds.client.get("/-/search.json", params={"q": "الحسكة"})
    data = response.json()
    assert response.status_code == 200
    assert [hit["id"] for hit in data["results"]] == [1, 3]  # title hit first
    assert data["results"][0]["row_url"] == "/archive/articles/1"
    assert "<mark>" in data["results"][0]["title_html"]
    assert data["next_url"] is None
    filtered = await ds.client.get(
        "/-/search.json", params={"q": "احمد", "site": "raqqa", "sort": "date"}
    )
    assert [hit["id"] for hit in filtered.json()["results"]] == [3]
    bad = await ds.client.get("/-/search.json", params={"q": "احمد", "from": "أمس"})
    assert bad.status_code == 400 and bad.json()["ok"] is False


async def test_search_page_pages(ds, monkeypatch):
    monkeypatch.setattr(plugin, "PAGE_SIZE", 2)
    first = (
        await ds.client.get(
            "/-/search.json", params={"q": "", "sort": "date", "site": ""}
        )
    ).json()
    assert first["results"] == []  # no query and no filter: nothing to list
    first = (
        await ds.client.get("/-/search.json", params={"q": "احمد OR المياه"})
    ).json()
    assert len(first["results"]) == 2 and first["next_url"]
    second = (await ds.client.get(first["next_url"])).json()
    assert second["page"] == 2 and len(second["results"]) == 1


async def test_download_is_off(ds):
    assert (await ds.client.get("/archive.db")).status_code in (403, 404)


async def test_build_datasette_and_serve_args(db_path, tmp_path):
    ds = build_datasette(db_path, default_page_size=5)
    try:
        assert ds.setting("default_page_size") == 5
        assert ds.setting("sql_time_limit_ms") == SETTINGS["sql_time_limit_ms"]
        response = await ds.client.get(
            "/archive/articles.json?_search=الادويه&_shape=array"
        )
        assert [row["id"] for row in response.json()] == [1]
    finally:
        for database in ds.databases.values():
            database.close()
    args = serve_args(tmp_path, port=9000)
    assert args[:2] == ["serve", str(tmp_path / "archive.db")]
    assert args[args.index("--metadata") + 1] == str(METADATA_PATH)
    assert ["--port", "9000"] == args[args.index("--port") : args.index("--port") + 2]
    assert ["--setting", "suggest_facets", "off"] == args[
        args.index("suggest_facets") - 1 : args.index("suggest_facets") + 2
    ]
    assert "-i" not in args and "--immutable" not in args  # the crawler keeps writing


async def test_metadata_follows_the_database_name():
    assert "news" in load_metadata("news")["databases"]


async def test_reading_while_the_crawler_writes(ds, db_path):
    errors: list[BaseException] = []

    def crawl() -> None:
        writer = open_archive(db_path)
        try:
            for i in range(200):
                upsert_article(
                    writer,
                    {"url": f"https://new.example/{i}", "site": "new",
                     "title": f"خبر جديد {i}", "text": "أخبار الحسكة اليوم " * 40},
                    None,
                )  # fmt: skip
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            writer.close()

    thread = threading.Thread(target=crawl)
    thread.start()
    statuses = []
    while thread.is_alive():
        for path in ("/archive/articles.json?_search=الحسكة", "/-/search.json?q=اخبار"):
            statuses.append((await ds.client.get(path)).status_code)
    thread.join()
    assert errors == []
    assert statuses and set(statuses) == {200}
    final = await ds.client.get("/-/search.json", params={"q": "اخبار", "site": "new"})
    assert len(final.json()["results"]) == 20
