"""End to end: crawl the real farm into real WARC files and a real SQLite archive."""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
from base64 import b32encode
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator

from tests.conftest import REPO


def rows(crawl, sql, *params):
    with sqlite3.connect(crawl.db_path) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute(sql, params)]


def key(url: str) -> str:
    parts = urlsplit(url)
    return parts.hostname + parts.path + (f"?{parts.query}" if parts.query else "")


def test_every_gold_article_stored_once_with_its_title(crawled, gold):
    articles = rows(crawled, "select canonical_url, title, site from articles")
    stored = {}
    for article in articles:
        stored.setdefault(key(article["canonical_url"]), []).append(article)
    missing = [g["url"] for g in gold if key(g["url"]) not in stored]
    assert not missing, f"{len(missing)} gold articles not stored, e.g. {missing[:3]}"
    for g in gold:
        (article,) = stored[key(g["url"])]
        assert article["title"] in [g["title"], *g.get("title_variants", [])], g["url"]


def test_no_listing_or_alias_page_stored_as_article(crawled, gold):
    gold_keys = {key(g["url"]) for g in gold}
    extra = [a["canonical_url"] for a in rows(crawled, "select canonical_url from articles")
             if key(a["canonical_url"]) not in gold_keys]
    assert extra == []
    urls = [a["url"] + " " + a["canonical_url"] for a in rows(crawled, "select url, canonical_url from articles")]
    assert not [u for u in urls if "utm_" in u or "fbclid" in u]


def test_amp_twins_are_captures_of_their_article_not_extracted_again(crawled):
    twins = rows(crawled, "select c.url, a.url article_url, a.capture_id, c.id from captures c "
                          "join articles a on a.id = c.article_id where c.url like '%/amp/%'")
    assert len(twins) >= 10  # the farm's nabd publisher serves an AMP twin of each article
    for twin in twins:
        assert twin["article_url"] == twin["url"].replace("/amp/", "/", 1)  # the row is the page's
        assert twin["capture_id"] != twin["id"]
    assert f"'extract/skipped_twin': {len(twins)}," in crawled.stdout + crawled.stderr


def test_windows_1256_site_is_decoded(crawled, gold):
    texts = {key(a["canonical_url"]): a["text"] for a in rows(crawled, "select canonical_url, text from articles")}
    cp1256 = [g for g in gold if "127.0.0.12" in g["url"]]
    assert cp1256
    for g in cp1256:
        for sentence in g["must_contain"]:
            assert " ".join(sentence.split()) in " ".join(texts[key(g["url"])].split())


def test_robots_disallowed_paths_never_fetched(crawled):
    assert rows(crawled, "select url from captures where url like '%/search%'") == []


def test_warc_files_pass_warcio_check_and_index(crawled):
    files = sorted((crawled.data_dir / "warc").glob("*.warc.gz"))
    assert files
    for path in files:
        for command in ("check", "index"):
            result = subprocess.run([sys.executable, "-m", "warcio.cli", command, str(path)],
                                    capture_output=True, text=True)
            assert result.returncode == 0, result.stdout + result.stderr


def sha1_b32(data: bytes) -> str:
    return "sha1:" + b32encode(hashlib.sha1(data).digest()).decode()


def test_each_capture_offset_reads_back_its_response(crawled):
    captures = rows(crawled, "select * from captures")
    assert len(captures) > 60
    for capture in captures:
        with open(crawled.data_dir / "warc" / capture["warc_file"], "rb") as fh:
            fh.seek(capture["warc_offset"])
            record = next(iter(ArchiveIterator(fh)))
            assert record.rec_type == "response"
            assert record.rec_headers.get_header("WARC-Target-URI") == capture["url"]
            assert record.rec_headers.get_header("WARC-Record-ID") == capture["warc_record_id"]
            assert sha1_b32(record.raw_stream.read()) == capture["payload_digest"]


def test_gzip_bodies_kept_as_sent_with_real_status_lines(crawled):
    (capture,) = rows(crawled, "select * from captures where url like 'http://127.0.0.13%' "
                               "and status = 200 and kind = 'page' limit 1")
    with open(crawled.data_dir / "warc" / capture["warc_file"], "rb") as fh:
        fh.seek(capture["warc_offset"])
        record = next(iter(ArchiveIterator(fh)))
        assert record.http_headers.get_header("Content-Encoding") == "gzip"
        assert record.raw_stream.read(2) == b"\x1f\x8b"
        assert record.http_headers.protocol == "HTTP/1.1"


def test_redirect_and_404_are_recorded_in_warc(crawled):
    statuses = set()
    for path in (crawled.data_dir / "warc").glob("*.warc.gz"):
        with open(path, "rb") as fh:
            statuses |= {r.http_headers.get_statuscode() for r in ArchiveIterator(fh) if r.rec_type == "response"}
    assert {"200", "301", "404"} <= statuses


def test_summary_is_printed(crawled):
    assert "articles in archive" in crawled.stdout
    assert "pages fetched" in crawled.stdout


def test_scrapy_crawl_from_repo_root(farm, tmp_path, gold):
    from samples.config import sites_config
    from samples.publishers import PUBLISHERS

    config = tmp_path / "sites.toml"
    config.write_text(sites_config(farm.port), encoding="utf-8")
    name = PUBLISHERS[1].name
    result = subprocess.run(
        [sys.executable, "-m", "scrapy.cmdline", "crawl", "news", "-a", f"site={name}",
         "-s", f"ARSHIF_SITES_CONFIG={config}", "-s", f"ARSHIF_DATA_DIR={tmp_path / 'data'}",
         "-s", "AUTOTHROTTLE_ENABLED=False"],
        cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    with sqlite3.connect(tmp_path / "data" / "archive.db") as conn:
        sites = {row[0] for row in conn.execute("select site from articles")}
        count = conn.execute("select count(*) from articles").fetchone()[0]
    assert sites == {name}
    assert count == len([g for g in gold if PUBLISHERS[1].host in g["url"]])


def test_bad_config_is_a_clear_error(tmp_path):
    from tests.conftest import arshif

    config = tmp_path / "sites.toml"
    config.write_text('[[site]]\nname = "x"\n', encoding="utf-8")
    result = arshif("crawl", "--config", str(config), "--data", str(tmp_path / "d"))
    assert result.returncode != 0
    assert "'base_url' is required" in result.stderr and "Traceback" not in result.stderr
