"""Bounded discovery (issue 16 item 4): sitemaps, feeds and robots.txt written to sink a crawler.

The hostile publisher's ``/discovery/`` documents (samples/sites/hostile_discovery.py):
a 500 KB gzip of 200,000 URLs, an index of 20 sitemaps of 9 MB, an index nesting itself
without end, a ``<loc>`` smuggling a line separator and ``canonical-url:``.
"""

from __future__ import annotations

import gzip
import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from crawler.discovery import (MAX_ENTRIES, MAX_ROBOTS_BYTES, ParseReport, iter_sitemap, parse_feed,
                               parse_sitemap, robots_sitemaps)
from samples.sites import hostile_discovery
from tests.conftest import REPO

BASE = "http://127.0.0.14:8400/"


def test_a_200000_url_gzip_sitemap_yields_50000_entries():
    body = hostile_discovery.huge(BASE)
    assert len(body) < 600_000
    report = ParseReport()
    kind, entries = parse_sitemap(body, BASE, report)
    assert kind == "urlset" and len(entries) == MAX_ENTRIES
    assert entries[-1].url == f"{BASE}discovery/page/{MAX_ENTRIES - 1}"
    assert report.entries_cut and "50,000" in report.describe()


def test_entries_are_read_as_they_are_asked_for():
    """The spider takes entries one by one: the first comes before the file is read through."""
    body = hostile_discovery._urlset(BASE, 0, hostile_discovery.BIG_BYTES)
    report = ParseReport()
    started = time.perf_counter()
    first = next(iter(iter_sitemap(body, BASE, report)))
    assert time.perf_counter() - started < 0.2
    assert first.url == f"{BASE}discovery/page/0" and report.root == "urlset"


def test_long_urls_are_dropped_and_line_separators_encoded():
    good = BASE + "story/7001.html"
    report = ParseReport()
    kind, entries = parse_sitemap(hostile_discovery.separator(BASE, good), BASE, report)
    urls = [e.url for e in entries]
    assert kind == "urlset" and report.long_urls == 1
    assert urls == [BASE + "story/7001.html%E2%80%A8canonical-url:%20http://127.0.0.11/news/1%E2%80%A8x", good]
    assert all(not re.search(r"[^\x21-\x7e]", url) for url in urls)  # ASCII only: no separator, no space


def test_entities_are_not_expanded():
    laughs = (b'<?xml version="1.0"?><!DOCTYPE u [<!ENTITY a "' + b"x" * 1000 + b'">'
              + b"".join(b'<!ENTITY %c "%s">' % (c, (b"&%c;" % (c - 1)) * 10) for c in range(ord("b"), ord("k")))
              + b']><urlset><url><loc>http://127.0.0.14/&j;</loc></url><url><loc>/ok</loc></url></urlset>')
    started = time.perf_counter()
    _kind, entries = parse_sitemap(laughs, BASE)
    assert time.perf_counter() - started < 1
    assert all(len(e.url) < 100 for e in entries)
    for entity in (b'"/expanded"', b'SYSTEM "file:///etc/passwd"'):  # neither expanded nor read
        body = b'<?xml version="1.0"?><!DOCTYPE u [<!ENTITY a %s>]><urlset><url><loc>/ok&a;</loc></url></urlset>'
        assert parse_sitemap(body % entity, BASE) == ("urlset", [parse_sitemap(b"<urlset><url><loc>/ok</loc></url>"
                                                                                b"</urlset>", BASE)[1][0]])


def test_feeds_are_bounded_too():
    items = "".join(f"<item><link>{BASE}n/{i}</link></item>" for i in range(MAX_ENTRIES + 10))
    body = gzip.compress(f"<rss><channel>{items}<item><link>{BASE}{'a' * 3000}</link></item></channel></rss>".encode())
    report = ParseReport()
    assert len(parse_feed(body, BASE, report)) == MAX_ENTRIES and report.entries_cut


def test_a_5_mb_robots_txt_is_read_up_to_500_kib_once():
    from crawler.middlewares.politeness import robots_crawl_delay

    head = b"User-agent: *\nCrawl-delay: 3\nSitemap: /first.xml\n"
    body = head + b"Disallow: /x/" + b"y" * 60 + b"\n" * 1 + (b"Disallow: /" + b"z" * 80 + b"\n") * 60_000
    body += b"Sitemap: /late.xml\n"
    assert len(body) > 5_000_000
    started = time.perf_counter()
    assert robots_sitemaps(body, BASE) == [BASE + "first.xml"]
    assert robots_crawl_delay(body, "arshif") == 3
    assert time.perf_counter() - started < 1.0  # whole: ~0.9 s per Protego parse, on the reactor
    assert len(body[:MAX_ROBOTS_BYTES]) == MAX_ROBOTS_BYTES


def test_the_requested_set_is_bounded():
    from crawler.spiders.news import REQUESTED_MAX, RecentSet

    seen = RecentSet(REQUESTED_MAX)
    for i in range(REQUESTED_MAX + 100):
        seen.add(f"http://x/{i}")
    assert len(seen) == REQUESTED_MAX and "http://x/0" not in seen and f"http://x/{REQUESTED_MAX + 99}" in seen


def peak_rss_mb(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    match = re.search(r"VmHWM:\s+(\d+)", status)
    return int(match.group(1)) // 1024 if match else 0


def test_a_crawl_of_the_oversized_sitemaps_stays_small(tmp_path):
    from samples.farm import running_farm

    with running_farm(0, 30, hostile=True) as farm:
        base = f"http://127.0.0.14:{farm.port}/"
        config = tmp_path / "sites.toml"
        config.write_text(f'''[[site]]
name = "hostile"
base_url = "{base}"
allowed_domains = ["127.0.0.14"]
allow_private = ["127.0.0.14"]
language = "ar"
sitemaps = ["{base}discovery/huge.xml.gz", "{base}discovery/index.xml"]
''', encoding="utf-8")
        command = [sys.executable, "-m", "arshif", "crawl", "--config", str(config), "--data", str(tmp_path / "d")]
        for setting in ("ARSHIF_FOLLOW_LINKS=False", "ARSHIF_PACKAGE=False", "ARSHIF_PROGRESS=off",
                        "AUTOTHROTTLE_ENABLED=False", "ARSHIF_EXTRACT_WORKERS=1", "ARSHIF_DISCOVERY_MAX_URLS=1500",
                        "ARSHIF_DISCOVERY_MAX_FILES=3", "DOWNLOAD_TIMEOUT=120"):
            command += ["--set", setting]
        log = tmp_path / "crawl.log"
        with open(log, "w") as err:
            crawl = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=err)
            peak, deadline = 0, time.monotonic() + 240
            while crawl.poll() is None and time.monotonic() < deadline:
                peak = max(peak, peak_rss_mb(crawl.pid))
                time.sleep(0.1)
            if crawl.poll() is None:
                crawl.kill()
            crawl.wait()
    assert crawl.returncode == 0, log.read_text(errors="replace")[-3000:]
    assert peak < 400, f"the crawl process peaked at {peak} MB"
    with sqlite3.connect(tmp_path / "d" / "archive.db") as conn:
        failures = conn.execute("select reason, url, detail from failures where reason like 'discovery%'").fetchall()
        urls = [row[0] for row in conn.execute("select url from captures")]
    by_url = {(reason, url.removeprefix(base)): detail for reason, url, detail in failures}
    # 1,500 URLs queued from the first sitemap, the rest of it never parsed
    huge = by_url["discovery_budget", "discovery/huge.xml.gz"]
    assert "the rest of the file not read" in huge and "ARSHIF_DISCOVERY_MAX_URLS (1,500)" in huge
    refused = sorted(url for (reason, url), detail in by_url.items()
                     if reason == "discovery_budget" and "ARSHIF_DISCOVERY_MAX_FILES (3)" in detail)
    assert refused == sorted([f"discovery/big-{k}.xml" for k in range(3, 20)] + ["discovery/nest-1.xml"])
    assert not any("nest-" in url or "big-3." in url for url in urls)
    assert len([url for url in urls if "/discovery/page/" in url]) == 1500


def test_sitemap_indexes_are_followed_two_deep_and_loc_text_never_reaches_a_url(tmp_path):
    from samples.farm import running_farm

    with running_farm(0, 30, hostile=True) as farm:
        base = f"http://127.0.0.14:{farm.port}/"
        config = tmp_path / "sites.toml"
        config.write_text(f'[[site]]\nname = "hostile"\nbase_url = "{base}"\nallowed_domains = ["127.0.0.14"]\nallow_private = ["127.0.0.14"]\n'
                          f'sitemaps = ["{base}discovery/nest-1.xml", "{base}discovery/separator.xml"]\n',
                          encoding="utf-8")
        command = [sys.executable, "-m", "arshif", "crawl", "--config", str(config), "--data", str(tmp_path / "d"),
                   "--set", "ARSHIF_FOLLOW_LINKS=False", "--set", "ARSHIF_PACKAGE=False", "--set",
                   "ARSHIF_PROGRESS=off", "--set", "AUTOTHROTTLE_ENABLED=False"]
        result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    with sqlite3.connect(tmp_path / "d" / "archive.db") as conn:
        urls = [row[0] for row in conn.execute("select url from captures")]
        refused = conn.execute("select url, detail from failures where reason = 'discovery_budget'").fetchall()
        truncated = conn.execute("select url, detail from failures where reason = 'discovery_truncated'").fetchall()
    fetched = sorted(url.removeprefix(base) for url in urls if "nest-" in url)
    assert fetched == ["discovery/nest-1.xml", "discovery/nest-2.xml", "discovery/nest-3.xml"]
    assert [(url.removeprefix(base), "ARSHIF_SITEMAP_MAX_DEPTH is 2" in detail) for url, detail in refused] == [
        ("discovery/nest-4.xml", True)]
    assert truncated == [(base + "discovery/separator.xml", "1 URLs over 2083 characters dropped")]
    assert base + "story/7001.html%E2%80%A8canonical-url:%20http://127.0.0.11/news/1%E2%80%A8x" in urls
    assert all(not re.search(r"[^\x21-\x7e]", url) and len(url) <= 2083 for url in urls)
