"""Incremental crawls through the farm's timeline: days 0-3 with a crawl after each.

The farm (in a thread, so its request counts are readable) moves through
samples/timeline.py's script; real `arshif crawl` subprocesses crawl it into one
data directory with ARSHIF_NOW set to the farm's day. The counts asserted here
follow from that script:

day 1: 5 new (furat 2, khabour 2, nabd 1); changed: a furat text edit (new lastmod)
       and a nabd retitle; removed: a furat article now 404; moved: a nabd article
       301 to a new URL.
day 2: 4 new; changed: a silent edit of a day-1 furat article (same modification
       date) and a retitle of a day-1 khabour article (no sitemap: found by the
       re-visit policy); removed: a furat article redirected to the home page and a
       nabd article answering 410; unchanged: the other three day-1 articles (two
       byte-identical re-fetches, one 304).
day 3: 4 new; changed: a nabd text edit; removed: a day-2 furat and a day-2 khabour
       article (404); unchanged: the 7 other recent articles (5 revisits, 2 x 304).
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from samples.config import sites_config
from samples.farm import build_farm, running_farm
from samples.timeline import UPDATE_LINE, advance, build_timeline_farm, farm_now
from tests.conftest import REPO

EXPECTED = {  # day: (new, changed, unchanged, removed, moved)
    0: (113, 0, 0, 0, 0),
    1: (5, 2, 0, 1, 1),
    2: (4, 2, 3, 2, 0),
    3: (4, 1, 7, 2, 0),
}


def crawl(farm, data: Path, config: Path, day: int, *extra: str) -> dict:
    before = Counter(farm.request_counts)
    result = subprocess.run(
        [sys.executable, "-m", "archive", "crawl", "--config", str(config), "--data", str(data),
         "--set", "AUTOTHROTTLE_ENABLED=False", "--set", f"ARSHIF_NOW={farm_now(day).isoformat()}",
         "--set", "ARSHIF_PACKAGE=False", *extra],
        cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    requested = Counter(farm.request_counts)
    requested.subtract(before)
    return {"requests": sum(requested.values()), "paths": +requested, "stderr": result.stderr}


@pytest.fixture(scope="module")
def timeline(tmp_path_factory):
    root = tmp_path_factory.mktemp("timeline")
    data = root / "data"
    with running_farm(port=0) as farm:
        config = root / "sites.toml"
        config.write_text(sites_config(farm.port), encoding="utf-8")
        crawls = {0: crawl(farm, data, config, 0)}
        for day in (1, 2, 3):
            advance(farm, day)
            crawls[day] = crawl(farm, data, config, day)
            if day == 2:
                # the same day crawled from scratch: what a full re-crawl costs
                crawls["full-2"] = crawl(farm, root / "full", config, 2, "--full")
        yield {"data": data, "crawls": crawls, "port": farm.port}
    shutil.rmtree(root / "full", ignore_errors=True)


def rows(data: Path, sql: str, *params) -> list[dict]:
    with sqlite3.connect(data / "archive.db") as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute(sql, params)]


def test_timeline_day_zero_is_the_default_farm_and_days_are_deterministic():
    assert build_timeline_farm(0).fingerprint() == build_farm().fingerprint()
    assert build_farm(day=0).fingerprint() == build_farm().fingerprint()
    assert build_farm(day=3).fingerprint() == build_farm(day=3).fingerprint()
    assert build_farm(day=2).fingerprint() != build_farm(day=3).fingerprint()
    day3 = build_farm(day=3)
    assert day3.article_count == 113 + 13 - 5 - 0  # 13 new, 5 removed, the moved one still live
    statuses = Counter(page.status for site in day3.sites for page in site.build.pages.values())
    assert statuses[410] == 1


def test_exact_counts_per_day(timeline):
    runs = rows(timeline["data"], "SELECT * FROM crawl_runs ORDER BY id")
    assert [r["status"] for r in runs] == ["finished"] * 4
    got = {day: (r["new"], r["changed"], r["unchanged"], r["removed"], r["moved"]) for day, r in enumerate(runs)}
    assert got == EXPECTED
    assert all(r["mode"] == "incremental" and r["trigger"] == "cli" for r in runs)
    assert runs[3]["now"] == "2024-01-04T09:00:00Z"
    by_site = {(r["run_id"], r["site"]): r for r in rows(timeline["data"], "SELECT * FROM crawl_run_sites")}
    day2 = runs[2]["id"]
    assert (by_site[(day2, "furat")]["revisits"], by_site[(day2, "khabour")]["revisits"]) == (1, 1)
    assert by_site[(day2, "nabd")]["not_modified"] == 1
    assert json.loads(by_site[(day2, "nabd")]["errors_by_kind"]) == {"http_410": 1}
    assert all(by_site[(day2, s)]["skipped"] > 0 for s in ("furat", "khabour", "nabd"))


def test_changed_articles_keep_every_version_with_a_diff(timeline):
    versions = rows(timeline["data"], "SELECT v.*, a.site FROM article_versions v JOIN articles a "
                                      "ON a.id = v.article_id WHERE v.version > 1 ORDER BY v.id")
    assert len(versions) == 5
    by_run = sorted((v["crawl_run_id"], v["site"]) for v in versions)
    assert [site for _, site in by_run] == ["furat", "nabd", "furat", "khabour", "nabd"]
    text_edits = [v for v in versions if v["text_changed"]]
    assert len(text_edits) == 3
    for version in text_edits:
        assert version["text"].splitlines()[-1].startswith(UPDATE_LINE[:20])
        assert version["words_added"] == len(version["text"].splitlines()[-1].split())
        assert "+تحديث: أفادت مصادر محلية لاحقاً" in version["diff"]
        assert version["words_removed"] == 0
    retitles = [v for v in versions if v["title_changed"]]
    assert len(retitles) == 2 and all(v["title"].startswith("بالتفاصيل: ") for v in retitles)
    assert all(v["diff"].startswith("-title: ") for v in retitles)
    silent = [v for v in versions if v["silent"]]
    assert len(silent) == 1 and silent[0]["site"] == "furat"  # same article:modified_time
    flagged = rows(timeline["data"], "SELECT site FROM articles WHERE silent_edit = 1")
    assert flagged == [{"site": "furat"}]
    assert len(rows(timeline["data"], "SELECT id FROM articles WHERE title_changed = 1")) == 2
    # each version is its own capture; the first version stays as it was
    for version in versions:
        first = rows(timeline["data"], "SELECT * FROM article_versions WHERE article_id = ? AND version = 1",
                     version["article_id"])[0]
        assert first["capture_id"] != version["capture_id"]
        assert "تحديث: أفادت" not in first["text"]


def test_unchanged_pages_are_not_reextracted_and_get_revisit_records(timeline):
    data = timeline["data"]
    last = rows(data, "SELECT * FROM crawl_runs ORDER BY id DESC LIMIT 1")[0]
    stats = json.loads(last["stats"])
    # 5 byte-identical article re-fetches (furat 3, khabour 2): none re-extracted
    assert stats["extract/skipped_unchanged"] >= 5
    revisits = rows(data, "SELECT c.* FROM captures c JOIN articles a ON a.id = c.article_id "
                          "WHERE c.record_type = 'revisit' AND c.fetched_at >= ? AND c.status = 200",
                    last["started"].replace("Z", "+00:00"))
    assert len(revisits) == 5
    no_new_versions = rows(data, "SELECT count(*) AS n FROM article_versions WHERE crawl_run_id = ? "
                                 "AND change = 'edited'", last["id"])[0]["n"]
    assert no_new_versions == 1  # only the nabd edit of day 3
    for capture in revisits:
        with open(data / "warc" / capture["warc_file"], "rb") as fh:
            fh.seek(capture["warc_offset"])
            record = next(iter(ArchiveIterator(fh)))
        assert record.rec_type == "revisit"
        assert record.rec_headers.get_header("WARC-Refers-To")
        assert record.rec_headers.get_header("WARC-Target-URI") == capture["url"]
    # the modern site answered conditional requests with 304, recorded as captures
    not_modified = rows(data, "SELECT * FROM captures WHERE status = 304")
    assert len(not_modified) == 1 + 2
    assert all(c["article_id"] and c["kind"] == "page" and "127.0.0.13" in c["url"] for c in not_modified)


def test_conditional_request_headers_are_in_the_warc(timeline):
    data = timeline["data"]
    capture = rows(data, "SELECT * FROM captures WHERE status = 304 LIMIT 1")[0]
    with open(data / "warc" / capture["warc_file"], "rb") as fh:
        for record in ArchiveIterator(fh):
            if record.rec_type == "request" and record.rec_headers.get_header("WARC-Target-URI") == capture["url"]:
                if record.http_headers.get_header("If-None-Match"):
                    break
        else:
            pytest.fail("no conditional request record")
    assert record.http_headers.get_header("If-Modified-Since")


def test_removed_and_moved_articles(timeline):
    data = timeline["data"]
    removed = rows(data, "SELECT * FROM articles WHERE status = 'removed' ORDER BY removed_at, id")
    reasons = Counter(a["removed_reason"] for a in removed)
    assert reasons == {"http 404": 3, "http 410": 1, "redirect to home page": 1}
    assert all(a["removed_at"] for a in removed)
    # a 404/410 is a capture of its own (the 301 of a redirect is in the WARC only)
    assert all(a["removed_capture_id"] for a in removed if a["removed_reason"].startswith("http"))
    (moved,) = rows(data, "SELECT * FROM articles WHERE status = 'moved'")
    assert moved["site"] == "nabd" and moved["removed_reason"] == "moved"
    assert moved["moved_to"].startswith(moved["canonical_url"] + "-")  # the farm renamed its slug
    new_home = rows(data, "SELECT * FROM articles WHERE canonical_url = ?", moved["moved_to"])
    assert len(new_home) == 1 and new_home[0]["status"] == "ok"
    first = rows(data, "SELECT * FROM article_versions WHERE article_id = ?", new_home[0]["id"])
    assert first[0]["change"] == "moved" and first[0]["moved_from"] == moved["canonical_url"]
    # the last good capture stays the article's capture, and still reads back as a 200 response
    for article in [*removed, moved]:
        capture = rows(data, "SELECT * FROM captures WHERE id = ?", article["capture_id"])[0]
        assert capture["status"] == 200
        with open(data / "warc" / capture["warc_file"], "rb") as fh:
            fh.seek(capture["warc_offset"])
            record = next(iter(ArchiveIterator(fh)))
        assert record.rec_type == "response" and record.http_headers.get_statuscode() == "200"


def test_incremental_requests_against_a_full_recrawl(timeline):
    crawls = timeline["crawls"]
    incremental, full = crawls[2]["requests"], crawls["full-2"]["requests"]
    ratio = incremental / full
    print(f"\nday 2: incremental crawl {incremental} requests, full re-crawl {full} ({ratio:.1%}); "
          f"day 1: {crawls[1]['requests']}, day 3: {crawls[3]['requests']}, day 0: {crawls[0]['requests']}")
    assert ratio <= 0.20
    # no category listing is fetched again, and no old article that did not change
    paths = [path for (_, path) in crawls[2]["paths"]]
    assert not [p for p in paths if "/category/" in p or "/section/" in p]
    assert not [p for p in paths if re.match(r"/202[123]/", p) and not p.startswith("/2022/10/04/")]


async def test_datasette_shows_diffs_and_runs(timeline):
    # Datasette first: it loads its plugins (ours among them) on import
    import datasette.app  # noqa: F401

    from archive.datasette_plugin import build_datasette

    ds = build_datasette(timeline["data"] / "archive.db")
    (edited,) = rows(timeline["data"], "SELECT article_id FROM article_versions WHERE silent = 1")
    page = await ds.client.get(f"/-/diff/{edited['article_id']}")
    assert page.status_code == 200
    assert "<ins>تحديث: أفادت مصادر محلية" in page.text and 'dir="rtl"' in page.text
    assert "silent edit" in page.text
    as_json = (await ds.client.get(f"/-/diff/{edited['article_id']}.json")).json()
    assert as_json["from"] == 1 and as_json["to"] == 2 and as_json["silent"] is True
    assert "+تحديث:" in as_json["unified_diff"]
    assert (await ds.client.get("/-/diff/999999")).status_code == 404
    runs = (await ds.client.get("/archive/crawl_runs.json?_shape=array&_sort=id")).json()
    assert [r["new"] for r in runs] == [e[0] for e in EXPECTED.values()]
    versions = await ds.client.get("/archive/article_versions?version__gt=1")
    assert versions.status_code == 200 and "/-/diff/" in versions.text


def test_samples_serve_day_option():
    code = ("import sys; sys.argv = ['arshif', 'samples', 'serve', '--port', '0', '--day', '2'];"
            " from archive.cli import cli; cli()")
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert re.search(r"serving 119 articles on port \d+", line), line
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        proc.stdout.close()
        proc.stderr.close()


def test_revisit_policy_decisions(tmp_path):
    """The policy on its own: which known URLs an incremental crawl fetches again."""
    from datetime import timedelta

    import scrapy
    from scrapy.settings import Settings

    from crawler.incremental import ArticleInfo, IncrementalState, Known, Listing, parse_time

    class Spider:
        sites = {}

        def parse_page(self, response): ...
        def parse_sitemap(self, response): ...
        def parse_feed(self, response): ...

    class Crawler:
        settings = Settings({"ARSHIF_ARCHIVE_ENABLED": True, "ARSHIF_DATA_DIR": str(tmp_path),
                             "ARSHIF_NOW": "2024-01-10T12:00:00Z"})
        spider = Spider()

    state = IncrementalState(Crawler())
    state.loaded = True
    now = parse_time("2024-01-10T12:00:00Z")
    state.articles = {1: ArticleInfo(1, "http://s/old", "http://s/old", "s", now - timedelta(days=30), "ok"),
                      2: ArticleInfo(2, "http://s/new", "http://s/new", "s", now - timedelta(days=2), "ok"),
                      3: ArticleInfo(3, "http://s/gone", "http://s/gone", "s", now - timedelta(days=1), "removed")}
    state.known = {"http://s/old": Known(200, article_id=1), "http://s/new": Known(200, article_id=2),
                   "http://s/gone": Known(404, article_id=3), "http://s/amp/new": Known(200, article_id=2),
                   "http://s/section": Known(200), "http://s/": Known(200), "http://s/post-sitemap.xml": Known(200)}
    state.listings = {"http://s/old": Listing("s", "sitemap", "http://s/post-sitemap.xml", "2023-12-01T00:00:00Z"),
                      "http://s/post-sitemap.xml": Listing("s", "sitemapindex", "http://s/index.xml",
                                                           "2024-01-01T00:00:00Z")}
    spider = Crawler.spider

    def decide(url, callback=spider.parse_page, via="link", hops=1, lastmod=None, **meta):
        request = scrapy.Request(url, callback=callback, meta={"site": "s", "via": via, "hops": hops,
                                                               "hints": {"lastmod": lastmod}, **meta})
        return state.decide(request)

    assert decide("http://s/unknown") == "new"
    assert decide("http://s/old") is None  # old, unchanged: not fetched again
    assert decide("http://s/old", via="sitemap", hops=0, lastmod="2023-12-01T03:00:00+03:00") is None  # same instant
    assert decide("http://s/old", via="sitemap", hops=0, lastmod="2024-01-09") == "lastmod"
    assert decide("http://s/new") == "recent"
    assert decide("http://s/amp/new") is None  # an alias: the canonical URL is re-checked instead
    assert decide("http://s/gone") is None
    assert decide("http://s/old", recheck="vanished") == "recheck"
    assert decide("http://s/") is None and decide("http://s/", via="seed", hops=0) == "seed"
    assert decide("http://s/section") is None
    state.revisit_depth = 1
    assert decide("http://s/section") == "listing"
    # a child sitemap whose lastmod in the index did not change is skipped, its entries carried over
    assert decide("http://s/post-sitemap.xml", spider.parse_sitemap, "sitemap", 0, "2024-01-01T00:00:00Z") is None
    assert "http://s/old" in state.listed
    assert decide("http://s/post-sitemap.xml", spider.parse_sitemap, "sitemap", 0, "2024-01-05T00:00:00Z") == "discovery"
    state.incremental = False
    assert decide("http://s/old") == "full"
