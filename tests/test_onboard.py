"""arshif add-site: on every farm publisher, on a small local test site, and on its pure helpers."""

from __future__ import annotations

import socket
import sqlite3
import subprocess
import sys
import threading
import tomllib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from arshif.cli.extra import add_site
from arshif.onboard import Onboarding
from arshif.onboard_fetch import Fetcher, OnboardError
from arshif.onboard_report import default_name
from arshif.site_entry import append_entry, render_entry, site_entry
from arshif.url_shapes import guess_pattern, url_shape
from crawler.settings import USER_AGENT
from crawler.sites import load_sites
from tests.conftest import REPO

ADD_SITE = "from arshif.cli.extra import add_site; add_site()"


def key(url: str) -> str:
    parts = urlsplit(url)
    return parts.hostname + parts.path + (f"?{parts.query}" if parts.query else "")


def run_add_site(*args: str, input: str | None = None):
    return CliRunner().invoke(add_site, [*args, "--delay", "0"], input=input, catch_exceptions=False)


# --- the farm ---------------------------------------------------------------
def publishers():
    from samples.publishers import PUBLISHERS

    return PUBLISHERS


@pytest.mark.parametrize("publisher", publishers(), ids=lambda p: p.name)
def test_add_site_on_farm_publisher_gives_a_working_entry(farm, gold, tmp_path, publisher):
    config = tmp_path / "sites.toml"
    result = run_add_site(publisher.base_url(farm.port), "--name", publisher.name, "--config", str(config), "--yes")
    assert result.exit_code == 0, result.output
    site = load_sites(config)[publisher.name]
    assert site.base_url == publisher.base_url(farm.port)
    assert site.allowed_domains == (publisher.host,)
    assert site.verified is False and "add-site" in site.notes
    # the publisher's own feeds and sitemaps, when it has any, were found
    wanted = {publisher.base_url(farm.port) + p.lstrip("/") for p in [*publisher.feeds, *publisher.sitemaps]}
    assert {*site.feeds, *site.sitemaps} >= {u for u in wanted if "sitemap" in u or u in result.output}
    if not publisher.feeds:
        assert "(probe): HTTP 404" in result.stderr  # probes are reported as probes
    stored = [line for line in result.stdout.splitlines() if line.split()[1:2] == ["yes"]]
    assert len(stored) >= 5, result.stdout

    # a real crawl of that entry alone stores exactly the publisher's articles
    data = tmp_path / "data"
    crawl = subprocess.run(
        [sys.executable, "-m", "arshif", "crawl", "--config", str(config), "--data", str(data),
         "--set", "AUTOTHROTTLE_ENABLED=False", publisher.name],
        cwd=REPO, capture_output=True, text=True, timeout=600)
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    with sqlite3.connect(data / "archive.db") as conn:
        rows = conn.execute("select site, canonical_url from articles").fetchall()
    assert {site for site, _ in rows} == {publisher.name}
    assert {key(url) for _, url in rows} == {key(g["url"]) for g in gold if publisher.host in g["url"]}


def test_asks_before_writing(farm, tmp_path):
    from samples.publishers import PUBLISHERS

    config = tmp_path / "sites.toml"
    url = PUBLISHERS[2].base_url(farm.port)
    result = run_add_site(url, "--config", str(config), "--sample", "3", input="n\n")
    assert result.exit_code == 0 and "Nothing written." in result.output
    assert not config.exists()
    result = run_add_site(url, "--config", str(config), "--sample", "3", input="y\n")
    assert result.exit_code == 0, result.output
    assert list(load_sites(config)) == [default_name(url)] == ["site-127-0-0-13"]
    result = run_add_site(url, "--config", str(config), "--name", "site-127-0-0-13", "--yes")
    assert result.exit_code != 0 and "already has a site named 'site-127-0-0-13'" in result.output


# --- a small local site: User-Agent, robots.txt, errors, the pattern decision -
PAGE = "<html lang='ar'><head><title>{title}</title>{head}</head><body>{body}</body></html>"
FEED = ("<?xml version='1.0'?><rss version='2.0'><channel><title>t</title>"
        + "".join(f"<item><title>خبر {i}</title><link>/news/{i}</link></item>" for i in range(101, 105))
        + "</channel></rss>")


class LocalSite(BaseHTTPRequestHandler):
    requests: list[tuple[str, str]] = []

    def do_GET(self):  # noqa: N802 (http.server's naming)
        LocalSite.requests.append((self.path, self.headers.get("User-Agent", "")))
        links = "".join(f"<a href='/news/{i}'>خبر {i}</a>" for i in range(101, 105))
        pages = {
            "/robots.txt": ("text/plain", "User-agent: *\nDisallow: /private/\nCrawl-delay: 0.05\n"),
            "/": ("text/html", PAGE.format(title="الرئيسية | موقع الاختبار", body=links
                                           + "<a href='/private/x'>x</a><a href='/section/a'>قسم</a>",
                                           head="<link rel='alternate' type='application/rss+xml' href='/rss'>")),
            "/rss": ("application/rss+xml", FEED),
            "/section/a": ("text/html", PAGE.format(title="قسم", head="", body=links)),
        }
        if self.path.startswith(("/news/", "/print/")):
            number = self.path.rsplit("/", 1)[1]
            body = f"<p>نص قصير.</p><a href='/print/{number}'>طباعة</a><a href='mailto:?body={number}'>m</a>"
            pages[self.path] = ("text/html", PAGE.format(title="خبر", head="", body=body))
        if self.path == "/forbidden/":
            self.send_response(403)
            self.end_headers()
            return
        content_type, body = pages.get(self.path, ("text/html", None))
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", f"{content_type}; charset=utf-8")
        self.end_headers()
        self.wfile.write((body or "").encode("utf-8"))

    def log_message(self, *args):
        pass


@pytest.fixture
def local_site():
    server = ThreadingHTTPServer(("127.0.0.1", 0), LocalSite)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    LocalSite.requests = []
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


def fake_extract(is_article):
    def extract(body, url, *, header_charset=None):
        return {"title": "خبر", "text": "نص", "word_count": 1, "is_article": is_article(url)}
    return extract


def test_sends_the_crawler_user_agent_and_obeys_robots(local_site):
    report = Onboarding(local_site + "/", Fetcher(USER_AGENT, delay=0), extract=fake_extract(lambda u: True)).run()
    assert {ua for _, ua in LocalSite.requests} == {USER_AGENT}
    paths = [p for p, _ in LocalSite.requests]
    assert paths[0] == "/robots.txt" and "/private/x" not in paths
    assert report.title == "موقع الاختبار" and report.language == "ar"
    assert report.feeds() == [local_site + "/rss"]
    assert report.crawl_delay == 0.05  # honoured in the dry run, passed on in the notes
    assert "DOWNLOAD_DELAY=0.05" in site_entry(report, "2026-01-01")["notes"]


def dry_run(url, is_article):
    return Onboarding(url, Fetcher(USER_AGENT, delay=0), extract=fake_extract(is_article)).run()


def test_pattern_added_only_when_page_signals_get_pages_wrong(local_site):
    agree = dry_run(local_site, lambda u: "/news/" in u)
    assert agree.pattern is None and agree.suggested_pattern == r"^https?://[^/]+/news/\d+/?$"
    # 4 feed items, 1 control (the section page), 1 print copy of the first item
    assert [(s.origin, s.stored) for s in agree.samples] == [("feed/sitemap", True)] * 4 + [
        ("control", False), ("twin", False)]
    assert "no article_pattern needed" in agree.decisions[-1]

    listing_taken_for_article = dry_run(local_site, lambda u: "/section/" in u)
    assert listing_taken_for_article.pattern == r"^https?://[^/]+/news/\d+/?$"
    assert [s.stored for s in listing_taken_for_article.samples] == [True] * 4 + [False]
    assert "get 5 of 5 sampled pages wrong" in listing_taken_for_article.decisions[-1]


def test_print_copies_of_articles_call_for_a_pattern(local_site):
    report = dry_run(local_site, lambda u: "/section/" not in u)
    (twin,) = [s for s in report.samples if s.origin == "twin"]
    assert twin.url.endswith("/print/101") and twin.note.startswith("a copy of") and not twin.stored
    assert report.pattern == r"^https?://[^/]+/news/\d+/?$"
    assert len(report.articles) == 4


def test_http_error_and_robots_refusal_are_one_line_errors(local_site):
    with pytest.raises(OnboardError, match=r"answered HTTP 403 \(the site may block"):
        Onboarding(local_site + "/forbidden/", Fetcher(USER_AGENT, delay=0)).run()
    with pytest.raises(OnboardError, match="disallows"):
        Onboarding(local_site + "/private/", Fetcher(USER_AGENT, delay=0)).run()


def test_unreachable_site_says_so_once_without_traceback(tmp_path):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = subprocess.run([sys.executable, "-c", ADD_SITE, f"http://127.0.0.1:{port}/", "--yes",
                             "--config", str(tmp_path / "s.toml")], cwd=REPO, capture_output=True, text=True)
    assert result.returncode != 0
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert errors == [f"Error: cannot reach http://127.0.0.1:{port}/robots.txt: Connection refused"]
    assert "Traceback" not in result.stderr and not (tmp_path / "s.toml").exists()


def test_bad_existing_config_is_reported_with_file_and_problem(tmp_path):
    config = tmp_path / "sites.toml"
    config.write_text('[[site]]\nname = "x"\n', encoding="utf-8")
    result = run_add_site("http://127.0.0.1:9/", "--config", str(config), "--yes")
    assert result.exit_code != 0 and str(config) in result.output and "'base_url' is required" in result.output


# --- pure helpers -----------------------------------------------------------
@pytest.mark.parametrize("urls, pattern", [
    (["https://x.org/news/12", "https://x.org/news/13/"], r"^https?://[^/]+/news/\d+/?$"),
    (["http://h/2022/01/20/water-cuts-in-hasakah/", "http://h/2023/11/02/bread-prices-raqqa/"],
     r"^https?://[^/]+/\d+/\d+/\d+/[^/]+/?$"),
    (["http://h/article.php?id=12", "http://h/article.php?id=3040"], r"^https?://[^/]+/article\.php\?id=\d+$"),
    (["http://h/politics/1", "http://h/economy/2", "http://h/sports/3"], r"^https?://[^/]+/[^/]+/\d+/?$"),
    (["http://h/news/1", "http://h/news/2", "http://h/video/3", "http://h/video/4"], r"^https?://[^/]+/[^/]+/\d+/?$"),
    (["http://h/%D8%AE%D8%A8%D8%B1", "http://h/خبر-آخر"], None),  # slugs alone also match section pages
    (["http://h/news/1", "http://h/news/2", "http://h/video/x", "http://h/about"], None),  # no shape covers 90%
])
def test_guess_pattern(urls, pattern):
    assert guess_pattern(urls) == pattern


def test_url_shape_keeps_query_keys():
    assert url_shape("http://h/a/article-12.html?id=5&lang=ar") == ("a", r"article-\d+\.html", r"?id=\d+", "?lang=ar")


@pytest.mark.parametrize("url, name", [
    ("https://www.enabbaladi.net/", "enabbaladi"), ("https://nna-leb.gov.lb/ar/", "nna-leb"),
    ("https://www.alquds.co.uk/", "alquds"), ("http://127.0.0.11:8400/", "site-127-0-0-11"),
    ("https://localhost/", "localhost"),
])
def test_default_name(url, name):
    assert default_name(url) == name


def test_entry_round_trips_through_the_site_loader(tmp_path):
    entry = {"name": "x", "title": 'صدى "الخابور"\t\\', "base_url": "https://x.example/",
             "allowed_domains": ["x.example"], "feeds": ["https://x.example/feed/"],
             "article_pattern": r"^https?://[^/]+/news/\d+/?$", "language": "ar", "verified": False,
             "notes": "it's fine"}
    text = render_entry(entry, suggested_pattern=None)
    assert "article_pattern = '^https?://[^/]+/news/\\d+/?$'" in text  # literal string: no doubled backslashes
    assert tomllib.loads(text)["site"][0] == entry
    config = tmp_path / "sites.toml"
    config.write_text('# my sites\n[[site]]\nname = "a"\nbase_url = "https://a.example/"\n', encoding="utf-8")
    append_entry(config, text)
    sites = load_sites(config)
    assert list(sites) == ["a", "x"] and sites["x"].looks_like_article_url("https://x.example/news/4")
    assert config.read_text(encoding="utf-8").startswith("# my sites\n")
    before = config.read_text(encoding="utf-8")
    with pytest.raises(OnboardError, match="defined twice"):
        append_entry(config, text)
    assert config.read_text(encoding="utf-8") == before and not list(tmp_path.glob("*.new"))


def test_suggested_pattern_is_a_comment(tmp_path):
    entry = {"name": "x", "base_url": "https://x.example/", "allowed_domains": ["x.example"]}
    text = render_entry(entry, suggested_pattern=r"^https?://[^/]+/a'b/\d+$")
    assert "# article_pattern = \"^https?://[^/]+/a'b/\\\\d+$\"" in text
    assert "article_pattern" not in tomllib.loads(text)["site"][0]
