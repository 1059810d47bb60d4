"""Distributed mode never unpickles Redis (issue 16 item 8).

scrapy-redis's default serializer is pickle: whoever can write to the crawl's Redis
could make every worker run code. The frontier holds JSON requests (crawler/redis_queue.py);
a pickled entry put there is dropped unread and recorded as ``queue_rejected``.
"""

from __future__ import annotations

import pickle
import sqlite3
import subprocess
import sys

import pytest
from scrapy import Request

from tests.conftest import REPO
from tests.test_distributed import redis_url  # noqa: F401 - the real redis-server fixture


class Payload:
    """Unpickling this opens (creates) a file: proof that Redis content ran as code."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self):
        return open, (self.path, "w")


def test_a_pickle_injected_into_the_frontier_is_not_run(redis_url, tmp_path):  # noqa: F811
    import redis

    from arshif.demo import start_farm, stop_farm
    from samples.config import sites_config

    marker = tmp_path / "pwned"
    client = redis.Redis.from_url(redis_url)
    client.delete("inject:requests")
    # top priority (lowest score): the worker pops it before anything it seeds
    client.execute_command("ZADD", "inject:requests", -1000, pickle.dumps(Payload(str(marker)), protocol=4))
    client.execute_command("ZADD", "inject:requests", -999, b'{"url": "http://x/", "callback": "__init__"}')
    farm, port = start_farm(0, 12)
    try:
        config = tmp_path / "sites.toml"
        config.write_text(sites_config(port), encoding="utf-8")
        command = [sys.executable, "-m", "arshif", "crawl", "--config", str(config), "--data", str(tmp_path / "w")]
        for setting in (f"ARSHIF_REDIS_URL={redis_url}", "ARSHIF_REDIS_KEY=inject", "ARSHIF_REDIS_IDLE_CLOSE=1",
                        "ARSHIF_EXTRACT_WORKERS=1", "AUTOTHROTTLE_ENABLED=False", "ARSHIF_PACKAGE=False",
                        "ARSHIF_PROGRESS=off"):
            command += ["--set", setting]
        result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=300)
    finally:
        stop_farm(farm)
    assert not marker.exists(), "the pickled payload ran in the worker"
    assert result.returncode == 0, result.stderr[-3000:]
    assert "not an arshif request" in result.stderr
    with sqlite3.connect(tmp_path / "w" / "archive.db") as conn:
        rejected = conn.execute("select url, count from failures where reason = 'queue_rejected'").fetchall()
        articles = conn.execute("select count(*) from articles").fetchone()[0]
    assert rejected == [("redis:inject:requests", 2)]  # both entries, one row
    assert "b'\\x80\\x04" in result.stderr and "'__init__' is not a callback" in result.stderr
    assert articles == 12  # the crawl went on


def spider():
    from scrapy.utils.test import get_crawler

    from crawler.spiders.news import NewsSpider

    crawler = get_crawler(NewsSpider)
    crawler.stats.open_spider()
    return NewsSpider.from_crawler(crawler, config=str(REPO / "config" / "starter-sites.toml"))


def test_everything_arshif_puts_in_a_request_goes_through_json_unchanged():
    from crawler.redis_queue import _PROCESS_META, dumps, loads
    from crawler.request_json import request_from_json, request_to_json

    news = spider()
    meta = {"site": "nabd", "via": "sitemap", "referrer": "http://127.0.0.13/sitemap.xml", "hops": 2,
            "hints": {"title": "عنوان\u2028", "published": "2026-01-01T10:00:00+03:00", "lastmod": None},
            "discovery_path": ["seed", "sitemap", "link"], "arshif_attempts": ["503", "TimeoutError"],
            "retry_times": 1, "redirect_ttl": 18, "redirect_times": 2, "depth": 3, "dont_retry": True,
            "redirect_urls": ["http://127.0.0.13/old"], "redirect_reasons": [301], "recheck": "revisit",
            "handle_httpstatus_list": [304], "download_slot": "127.0.0.13", "warc": {"offset": 1}}
    request = Request("http://127.0.0.13/news/1?x=%D8%A8", callback=news.parse_page, errback=news.on_error,
                      meta=meta, priority=-1, headers={"Referer": "http://127.0.0.13/"})
    back = request_from_json(loads(dumps(request_to_json(request, news, drop=_PROCESS_META))), news,
                             dont_filter=False)
    assert back.url == request.url and back.priority == -1 and not back.dont_filter
    assert back.callback == news.parse_page and back.errback == news.on_error
    assert back.headers.getlist("Referer") == [b"http://127.0.0.13/"]
    assert back.meta == {k: v for k, v in meta.items() if k not in _PROCESS_META}


@pytest.mark.parametrize("entry, error", [
    ({"url": "http://x/", "callback": "__init__"}, "not a callback"),
    ({"url": "http://x/", "callback": "closed"}, "not a callback"),
    ({"url": "http://x/", "_class": "os.system"}, "refused"),
    ({"url": "http://x/", "_class": "scrapy.http.Response"}, "not a request class"),
    ({"url": "http://x/", "meta": ["site"]}, "must be objects"),
    ({"url": "http://x/", "priority": "1"}, "must be objects"),
    ({"url": ["http://x/"]}, "not a request"),
])
def test_entries_that_are_not_arshif_requests_are_refused(entry, error):
    from crawler.request_json import request_from_json

    with pytest.raises((ValueError, TypeError), match=error):
        request_from_json(entry, spider())


def test_loads_refuses_pickles_and_non_objects():
    from crawler.redis_queue import loads

    for entry in (pickle.dumps({"url": "http://x/"}), b"[1, 2]", b'"x"', b"{" + b" " * 70000 + b"}"):
        with pytest.raises(ValueError):
            loads(entry)
