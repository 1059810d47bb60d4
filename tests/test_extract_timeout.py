"""A page over the extraction budget (ARSHIF_EXTRACT_TIMEOUT) does not stall the crawl.

One real crawl (``python -m arshif crawl``) of the farm plus a small publisher on
127.0.0.1 whose home page links a normal article and a page that legitimately takes
long to extract: ~12 MB of linked items (an archive page of a big site; at least
seconds of extraction however fast the extractor gets, minutes today). The budget is set to
2 s (farm pages take ~10-40 ms) and the crawl has a single extraction worker, so
every page after the slow one is extracted only if its worker was really replaced.
"""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from tests.conftest import REPO

BUDGET = 2
ITEMS = 100_000  # ~12 MB


def slow_page() -> bytes:
    items = "".join(f'<div class="item"><p>الخبر رقم {k} من أرشيف الموقع <a href="/archive/{k}.html">'
                    f"التفاصيل {k}</a> والمزيد من النص</p></div>\n" for k in range(ITEMS))
    return ("<!DOCTYPE html><html lang=ar dir=rtl><head><meta charset=utf-8><title>أرشيف الأخبار الكامل</title>"
            f"</head><body><article><h1>أرشيف الأخبار الكامل</h1>{items}</article></body></html>").encode()


OK_TITLE = "افتتاح جسر جديد فوق نهر الفرات في دير الزور"
OK_TEXT = ("افتتحت محافظة دير الزور صباح اليوم جسراً جديداً فوق نهر الفرات بعد عامين من العمل المتواصل. "
           "ويربط الجسر بين ضفتي النهر ويختصر على السكان رحلة كانت تستغرق ساعة كاملة بالعبّارة. "
           "وقال مهندس المشروع إن الجسر صُمم ليتحمل فيضانات النهر في الربيع وحركة الشاحنات الثقيلة. ")
OK_PAGE = (f"<!DOCTYPE html><html lang=ar dir=rtl><head><meta charset=utf-8><title>{OK_TITLE}</title>"
           '<meta property="og:type" content="article"></head><body><article>'
           f"<h1>{OK_TITLE}</h1>" + "".join(f"<p>{s}.</p>" for s in OK_TEXT.split(". ") if s)
           + "</article></body></html>").encode()
HOME = ('<!DOCTYPE html><html lang=ar><head><meta charset=utf-8><title>الأرشيف</title></head><body>'
        '<a href="/story/slow.html">الأرشيف الكامل</a> <a href="/story/ok.html">الجسر</a></body></html>').encode()


class Handler(BaseHTTPRequestHandler):
    pages = {"/": HOME, "/story/ok.html": OK_PAGE, "/story/slow.html": slow_page()}

    def do_GET(self):  # noqa: N802 - http.server's name
        body = self.pages.get(self.path)
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body or b"")))
        self.end_headers()
        self.wfile.write(body or b"")

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def slow_site():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def crawl(slow_site, tmp_path_factory):
    from samples.config import sites_config
    from samples.farm import running_farm

    data = tmp_path_factory.mktemp("timeout") / "data"
    data.mkdir()
    with running_farm(0) as farm:
        config = data / "sites.toml"
        config.write_text(sites_config(farm.port) + f'\n[[site]]\nname = "slowpoke"\ntitle = "الأرشيف"\n'
                          f'base_url = "{slow_site}"\nallowed_domains = ["127.0.0.1"]\nallow_private = ["127.0.0.1"]\nlanguage = "ar"\n',
                          encoding="utf-8")
        settings = {"ARSHIF_EXTRACT_TIMEOUT": BUDGET, "ARSHIF_EXTRACT_WORKERS": 1, "ARSHIF_EXTRACT_NICE": 0,
                    "ARSHIF_PACKAGE": "False", "AUTOTHROTTLE_ENABLED": "False"}
        args = [arg for key, value in settings.items() for arg in ("--set", f"{key}={value}")]
        started = time.monotonic()
        result = subprocess.run([sys.executable, "-m", "arshif", "crawl", "--config", str(config),
                                 "--data", str(data), *args], cwd=REPO, capture_output=True, text=True, timeout=600)
        elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stderr[-3000:]
    return data, result, elapsed, farm.port


def query(data: Path, sql: str, *params) -> list[dict]:
    with sqlite3.connect(data / "archive.db") as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute(sql, params)]


def stat(result, key: str) -> int:
    match = re.search(rf"'{re.escape(key)}': (\d+)", result.stderr)
    return int(match.group(1)) if match else 0


def test_the_slow_page_is_recorded_and_the_crawl_finishes(crawl, slow_site):
    data, result, elapsed, _ = crawl
    assert "(finished)" in result.stdout
    (row,) = query(data, "select * from failures where reason = 'extraction_timeout'")
    assert row["url"] == slow_site + "story/slow.html"
    assert "ARSHIF_EXTRACT_TIMEOUT (2 s)" in row["detail"] and "worker killed and replaced" in row["detail"]
    assert row["crawl_id"] and row["status"] == 200
    assert stat(result, "extract/timeout") == 1 and stat(result, "arshif/failure/extraction_timeout") == 1
    assert elapsed < 300


def test_the_slow_page_stays_in_the_warc_and_in_captures(crawl, slow_site):
    data, _, _, _ = crawl
    url = slow_site + "story/slow.html"
    (capture,) = query(data, "select * from captures where url = ?", url)
    assert capture["status"] == 200 and capture["article_id"] is None
    assert not query(data, "select 1 from articles where url = ?", url)
    bodies = []
    for path in sorted((data / "warc").glob("*.warc.gz")):
        with path.open("rb") as stream:
            bodies += [r.content_stream().read() for r in ArchiveIterator(stream)
                       if r.rec_type == "response" and r.rec_headers.get_header("WARC-Target-URI") == url]
    assert bodies == [Handler.pages["/story/slow.html"]]


def test_every_other_article_is_stored(crawl, slow_site):
    from samples.gold import iter_gold

    data, _, _, port = crawl
    stored = {r["canonical_url"]: r["title"] for r in query(data, "select canonical_url, title from articles")}
    assert stored.get(slow_site + "story/ok.html") == OK_TITLE
    gold = list(iter_gold(port))
    missing = [g["url"] for g in gold if g["url"] not in stored]
    assert missing == []
    assert len(stored) == len(gold) + 1


def test_reindex_bounds_each_page_too(crawl, tmp_path):
    from arshif.reindex import rebuild

    data, _, _, _ = crawl
    # reclassify: the slow page (is-article: no in the WARC) is extracted again
    stats = rebuild(data, tmp_path / "rebuilt.db", workers=1, reclassify=True, extract_timeout=BUDGET)
    assert stats.unextracted == 1
    with sqlite3.connect(tmp_path / "rebuilt.db") as conn:
        rebuilt = {url for (url,) in conn.execute("select canonical_url from articles")}
    assert rebuilt == {r["canonical_url"] for r in query(data, "select canonical_url from articles")}
