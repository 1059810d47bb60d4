"""Evidence downloads from Datasette (issue 3): snapshots, WACZ, citations.

A real Datasette (in-process, through ``datasette.client``) over the real
archive of a farm crawl; the snapshot is parsed back with warcio.
"""

from __future__ import annotations

import hashlib
import io
import shutil
import sqlite3

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.web.plugin import build_datasette
from tests.evidence_support import rows, twice_crawled


pytestmark = pytest.mark.usefixtures("arshif_plugin")


@pytest.fixture(scope="module")
def twice(farm, tmp_path_factory):
    return twice_crawled(farm, tmp_path_factory)


async def datasette_on(db_path):
    ds = build_datasette(db_path)
    await ds.invoke_startup()
    return ds


def records_of(body: bytes) -> list:
    out = []
    for record in ArchiveIterator(io.BytesIO(body), check_digests=True):
        payload = record.raw_stream.read()
        out.append((record, payload))
        assert record.digest_checker.passed is not False, record.digest_checker.problems
    return out


def article_capture(db_path, site_prefix="http://127.0.0.11"):
    return rows(db_path, """
        select a.id as article_id, a.title, c.* from articles a join captures c on c.id = a.capture_id
        where a.url like ? order by a.id limit 1""", site_prefix + "%")[0]


async def test_snapshot_holds_exactly_the_articles_records(crawled):
    ds = await datasette_on(crawled.db_path)
    for prefix in ("http://127.0.0.11", "http://127.0.0.12", "http://127.0.0.13"):
        capture = article_capture(crawled.db_path, prefix)
        response = await ds.client.get(f"/-/snapshot/{capture['id']}.warc.gz")
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/warc"
        assert ".warc.gz" in response.headers["content-disposition"]
        records = records_of(response.content)
        assert [r.rec_type for r, _ in records] == ["response", "request", "metadata"]
        response_record, payload = records[0]
        record_id = capture["warc_record_id"]
        assert response_record.rec_headers.get_header("WARC-Record-ID") == record_id
        assert records[1][0].rec_headers.get_header("WARC-Concurrent-To") == record_id
        assert records[2][0].rec_headers.get_header("WARC-Concurrent-To") == record_id
        assert records[2][0].rec_headers.get_header("WARC-Record-ID") == capture["metadata_record_id"]
        assert {r.rec_headers.get_header("WARC-Target-URI") for r, _ in records} == {capture["url"]}
        assert hashlib.sha256(payload).hexdigest() == capture["payload_sha256"]
        # served by byte range: the members are the WARC file's own bytes
        raw = (crawled.data_dir / "warc" / capture["warc_file"]).read_bytes()
        start = capture["warc_offset"]
        assert response.content.startswith(raw[start:start + capture["warc_length"]])
        # the latest capture of the article, by article id
        by_article = await ds.client.get(f"/-/snapshot/article/{capture['article_id']}.warc.gz")
        assert by_article.status_code == 200 and by_article.content == response.content


async def test_snapshot_of_a_revisit_carries_the_original_response(twice):
    capture = rows(twice.db_path, """
        select * from captures where record_type = 'revisit' and article_id is not null limit 1""")[0]
    original = rows(twice.db_path, "select * from captures where id = ?", capture["revisit_of"])[0]
    ds = await datasette_on(twice.db_path)
    response = await ds.client.get(f"/-/snapshot/{capture['id']}.warc.gz")
    assert response.status_code == 200, response.text
    records = records_of(response.content)
    assert [r.rec_type for r, _ in records] == ["response", "revisit", "request", "metadata"]
    assert records[0][0].rec_headers.get_header("WARC-Record-ID") == original["warc_record_id"]
    assert records[1][0].rec_headers.get_header("WARC-Refers-To") == original["warc_record_id"]
    assert hashlib.sha256(records[0][1]).hexdigest() == capture["payload_sha256"]


async def test_article_pages_link_snapshot_wacz_and_citation(crawled):
    capture = article_capture(crawled.db_path)
    crawl_id = rows(crawled.db_path, "select crawl_id from warc_files where name = ?",
                    capture["warc_file"])[0]["crawl_id"]
    ds = await datasette_on(crawled.db_path)
    row_page = (await ds.client.get(f"/archive/articles/{capture['article_id']}")).text
    article_page = (await ds.client.get(f"/-/article/{capture['article_id']}")).text
    for html in (row_page, article_page):
        assert f'href="/-/snapshot/{capture["id"]}.warc.gz"' in html
        assert capture["payload_sha256"] in html
        assert capture["url"] in html
    assert f'href="/-/wacz/{crawl_id}.wacz"' in row_page
    assert f'href="/-/cite/{capture["article_id"]}.txt"' in row_page

    cite = await ds.client.get(f"/-/cite/{capture['article_id']}.txt")
    assert cite.status_code == 200
    line = cite.text.strip()
    assert capture["url"] in line and capture["payload_sha256"] in line and "(UTC)" in line
    assert capture["fetched_at"][:19] in line.replace("Z", "")
    assert capture["title"] in line
    data = (await ds.client.get(f"/-/cite/{capture['article_id']}.json")).json()
    assert data["payload_sha256"] == capture["payload_sha256"]
    assert data["captured_at"].endswith("Z") and data["crawl_id"] == crawl_id


async def test_wacz_download_is_the_crawls_package(crawled):
    (crawl,) = rows(crawled.db_path, "select distinct crawl_id from warc_files")
    crawl_id = crawl["crawl_id"]
    warc_name = rows(crawled.db_path, "select name from warc_files")[0]["name"]
    stamp = warc_name.split("-")[1]
    ds = await datasette_on(crawled.db_path)
    expected = (crawled.data_dir / "wacz" / f"{crawl_id}.wacz").read_bytes()
    for key in (crawl_id, stamp):  # the crawl id, or the stamp archive.web.article_page shows
        response = await ds.client.get(f"/-/wacz/{key}.wacz")
        assert response.status_code == 200, key
        assert response.content == expected


@pytest.mark.parametrize("path", [
    "/-/snapshot/999999.warc.gz",
    "/-/snapshot/article/999999.warc.gz",
    "/-/wacz/19990101T000000Z.wacz",
    "/-/wacz/..%2F..%2Farchive.db.wacz",
    "/-/wacz/../archive.db.wacz",
    "/-/cite/999999.txt",
])
async def test_unknown_ids_and_paths_are_refused(crawled, path):
    ds = await datasette_on(crawled.db_path)
    response = await ds.client.get(path)
    assert response.status_code == 404


async def test_paths_outside_the_archive_are_refused(crawled, tmp_path):
    """A database pointing a capture (or a crawl) outside data/warc gets a 404, not the file."""
    data = tmp_path / "data"
    shutil.copytree(crawled.data_dir, data)
    (tmp_path / "secret.warc.gz").write_bytes(b"secret")
    (data / "wacz" / "secret.wacz").symlink_to(tmp_path / "secret.warc.gz")
    conn = sqlite3.connect(data / "archive.db")
    with conn:
        conn.execute("update captures set warc_file = '../../secret.warc.gz' where id = 1")
        conn.execute("update captures set warc_file = '/etc/passwd' where id = 2")
        conn.execute("update captures set warc_file = '../archive.db' where id = 3")
        conn.execute("insert into warc_files (name, sha256, size, crawl_id) values ('x', '', 0, 'secret')")
    conn.close()
    ds = await datasette_on(data / "archive.db")
    for capture_id in (1, 2, 3):
        response = await ds.client.get(f"/-/snapshot/{capture_id}.warc.gz")
        assert response.status_code == 404, (capture_id, response.text)
        assert b"secret" not in response.content and b"root:" not in response.content
    # a known crawl whose package is a link out of data/wacz
    assert (await ds.client.get("/-/wacz/secret.wacz")).status_code == 404
