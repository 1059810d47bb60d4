"""Hostile WARC contents (issue 16, items 5 and 9): every WARC byte is untrusted input.

- Item 5: a value written into a ``metadata`` record (an outlink from a sitemap ``<loc>``)
  that holds a line separator must stay one value: it cannot add a ``canonical-url`` field
  that hides another site's article from search after ``arshif reindex``.
- Item 9: ``verify``, ``repair`` and ``reindex`` read gzip members (and gzip-encoded bodies)
  with size caps; a record without ``WARC-Target-URI`` is skipped, not fatal; an
  ``article_pattern`` from a WARC's warcinfo is not compiled when it can backtrack.
"""

from __future__ import annotations

import gzip
import json
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from archive.db import open_archive, search_articles
from arshif.reindex import rebuild
from archive.warc import Exchange, WarcFileWriter, json_field_value
from arshif.warc_captures import last_article_captures, warc_fields
from tests.conftest import REPO

START = datetime(2026, 3, 1, tzinfo=timezone.utc)
SITES = [
    {"name": "other", "base_url": "http://other.test/", "allowed_domains": ["other.test"],
     "article_pattern": r"/news/\d+"},
    {"name": "evil", "base_url": "http://evil.test/", "allowed_domains": ["evil.test"]},
]
ARTICLE = ("<html><head><title>سد الفرات يرفع منسوب المياه</title></head><body><article>"
           "<h1>سد الفرات يرفع منسوب المياه</h1>"
           + "".join(f"<p>قالت إدارة السد إن منسوب المياه ارتفع {k} سنتيمترات خلال الأسبوع الماضي "
                     "بعد هطول أمطار غزيرة في المنطقة الشمالية من البلاد.</p>" for k in range(8))
           + "</article></body></html>").encode("utf-8")
INJECTED = "http://evil.test/x\u2028canonical-url: http://other.test/news/1"


def rows_of(db_path: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute(sql).fetchall()
    conn.close()
    return rows


class CrawlWriter:
    """Writes captures as the crawl does: response, request, then the metadata record."""

    def __init__(self, warc_dir: Path, sites=SITES) -> None:
        self.writer = WarcFileWriter(warc_dir, prefix="t", warcinfo={"site-config": json_field_value(sites)})
        self.clock = START

    def capture(self, url: str, body: bytes, fields: dict, *, headers=(), content_type="text/html; charset=utf-8"):
        self.clock += timedelta(seconds=1)
        written = self.writer.write_exchange(Exchange(
            url=url, method="GET", request_headers=[("User-Agent", "arshif")], status=200,
            response_headers=[("Content-Type", content_type), *headers], body=body, fetched_at=self.clock))
        return self.writer.write_metadata(url, written.record_id, {"via": "link", **fields})

    def close(self) -> Path:
        path = self.writer.current_path
        self.writer.close()
        return path


def article_then_injecting_sitemap(data: Path) -> Path:
    crawl = CrawlWriter(data / "warc")
    crawl.capture("http://other.test/news/1", ARTICLE, {
        "site": "other", "kind": "page", "is-article": "yes", "canonical-url": "http://other.test/news/1"})
    crawl.capture("http://evil.test/sitemap.xml", b"<urlset></urlset>", {
        "site": "evil", "kind": "sitemap", "is-article": "no", "outlink": [INJECTED, "http://evil.test/y"]},
        content_type="application/xml")
    return crawl.close()


# --- item 5: metadata injection --------------------------------------------------------

def sitemap_metadata_payload(path: Path) -> bytes:
    from warcio.archiveiterator import ArchiveIterator

    with open(path, "rb") as fh:
        for record in ArchiveIterator(fh):
            if record.rec_type == "metadata" and "sitemap" in record.rec_headers.get_header("WARC-Target-URI"):
                return record.content_stream().read()
    raise AssertionError("no sitemap metadata record")


def test_line_separator_in_an_outlink_stays_one_value(tmp_path):
    path = article_then_injecting_sitemap(tmp_path)
    payload = sitemap_metadata_payload(path)
    assert "\u2028".encode() not in payload  # written percent-encoded, as in a URL
    fields = warc_fields(payload)
    assert "canonical-url" not in fields
    assert fields["outlink"] == ["http://evil.test/x%E2%80%A8canonical-url: http://other.test/news/1",
                                 "http://evil.test/y"]


def test_reader_splits_fields_on_crlf_only():
    # a file written before values were encoded: the separator stays inside the value
    payload = f"site: evil\r\noutlink: {INJECTED}\r\noutlink: http://a/1\nkind: page\r\n".encode()
    assert warc_fields(payload) == {"site": ["evil"], "outlink": [INJECTED, "http://a/1\nkind: page"]}


def test_injected_canonical_url_does_not_hide_the_article_after_reindex(tmp_path):
    path = article_then_injecting_sitemap(tmp_path)
    assert len(last_article_captures([path])) == 1  # the article's own capture, not the sitemap's
    stats = rebuild(tmp_path, workers=1)
    assert stats.article_rows == 1 and stats.superseded == 0
    db = open_archive(tmp_path / "archive.db")
    try:
        hits = search_articles(db, "منسوب")
        assert [hit["url"] for hit in hits] == ["http://other.test/news/1"]
    finally:
        db.close()


def test_control_characters_in_warcinfo_values_stay_on_their_line(tmp_path):
    sites = [{**SITES[1], "title": "عنوان\u2028site-config: []", "notes": "a\r\nb"}]
    crawl = CrawlWriter(tmp_path, sites)
    crawl.capture("http://evil.test/", b"<html></html>", {"site": "evil"})
    path = crawl.close()
    with gzip.open(path) as fh:
        head = fh.read(4096)
    info = warc_fields(head.split(b"\r\n\r\n", 1)[1])
    assert len(info["site-config"]) == 1
    assert json.loads(info["site-config"][0]) == sites


# --- item 9: hostile WARC files ---------------------------------------------------------

def run_peak(code: str, timeout: float = 120) -> tuple[int, str]:
    """Run ``code`` in a fresh interpreter from the repository; (its peak RSS in MB, stdout).

    The peak is the process's own VmHWM, which exec resets; ru_maxrss is not: Linux keeps
    the forking test process's high-water mark in it (a 470 MB pytest read 467 MB).
    """
    script = (f"{code}\nimport re\nstatus = open('/proc/self/status').read()\n"
              "print(int(re.search(r'VmHWM:\\s+(\\d+)', status).group(1)) // 1024)")
    result = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True,
                            timeout=timeout)
    assert result.returncode == 0, result.stderr[-2000:]
    *lines, peak = result.stdout.strip().splitlines()
    return int(peak), "\n".join(lines)


def hostile_data_dir(tmp_path: Path, content: bytes) -> Path:
    (tmp_path / "warc").mkdir()
    (tmp_path / "warc" / "hostile-1-999999.warc.gz").write_bytes(content)
    return tmp_path


def test_reindex_skips_a_body_that_decodes_to_gigabytes_in_bounded_memory(tmp_path):
    from tests.hostile_warcs import body_bomb

    data = hostile_data_dir(tmp_path, body_bomb(512 << 20))
    assert (data / "warc" / "hostile-1-999999.warc.gz").stat().st_size < 8000
    peak, out = run_peak(f"from arshif.reindex import rebuild\n"
                         f"print(rebuild({str(data)!r}, workers=1).skipped)")
    assert out == "1" and peak < 400, (out, peak)  # the body alone is 512 MB
    rows = rows_of(data / "archive.db", "select reason, detail from failures")
    assert rows[0][0] == "warc_record_skipped" and "body decodes to more than" in rows[0][1]


def test_verify_and_repair_read_a_member_that_inflates_to_gigabytes_in_bounded_memory(tmp_path):
    from tests.hostile_warcs import member_bomb

    data = hostile_data_dir(tmp_path, member_bomb(384 << 20))
    peak, out = run_peak(f"from archive.verify import verify_archive\n"
                         f"print('\\n'.join(verify_archive({str(data)!r}).lines()))")
    assert peak < 250 and "over the 67,108,864-byte limit: not loaded" in out, (peak, out)
    peak, out = run_peak(f"from archive.repair import repair_warc_dir\n"
                         f"print(repair_warc_dir({str(data / 'warc')!r}).lines())")
    assert peak < 120 and "repaired" not in out, (peak, out)  # a whole record: nothing to cut


def test_a_record_without_target_uri_is_skipped_not_fatal(tmp_path):
    from tests.hostile_warcs import response_with_metadata, warcinfo

    good = CrawlWriter(tmp_path / "warc")
    good.capture("http://other.test/news/1", ARTICLE, {
        "site": "other", "kind": "page", "is-article": "yes", "canonical-url": "http://other.test/news/1"})
    good.close()
    (tmp_path / "warc" / "hostile-1-999999.warc.gz").write_bytes(
        warcinfo() + response_with_metadata(None, b"<html></html>"))
    stats = rebuild(tmp_path, workers=1)
    assert stats.article_rows == 1 and stats.skipped == 1
    assert "no WARC-Target-URI" in rows_of(tmp_path / "archive.db", "select detail from failures")[0][0]


def test_article_pattern_from_warcinfo_cannot_hang_reindex(tmp_path):
    sites = [{**SITES[0], "article_pattern": "/news/(a|aa)+$"}]
    crawl = CrawlWriter(tmp_path / "warc", sites)
    crawl.capture("http://other.test/news/1", ARTICLE, {
        "site": "other", "kind": "page", "is-article": "yes", "canonical-url": "http://other.test/news/1"})
    for k in range(3):  # each URL takes Python's re longer than the age of the universe
        crawl.capture(f"http://other.test/news/{'a' * (60 + k)}b", ARTICLE, {"site": "other", "kind": "page"})
    crawl.close()
    started = time.monotonic()
    _, out = run_peak(f"from arshif.reindex import rebuild\n"
                      f"print(rebuild({str(tmp_path)!r}, workers=1).captures)", timeout=90)
    assert out == "4" and time.monotonic() - started < 60
