"""Publisher 4, "صوت البادية": every way a news site can be broken, on 127.0.0.14 (opt-in).

Served only when asked for (``arshif samples serve --hostile``, ``build_farm(hostile=True)``,
``sites_config(port, hostile=True)``), so the default farm, its gold and the demo do
not change. Unlike the other publishers its responses are made per request: some
hang, trickle, stream 50 MB, flap or count their visitors.

Articles (each must end up stored once, with its title and text):

- ``/story/<id>.html``: three plain ones, linked from the home page with a fresh
  ``PHPSESSID`` on every visit and from each other with ``;jsessionid=``;
- ``/story/broken.html``: 25 unclosed ``<div>``s, the body inside tables nested 8
  deep, 40 inline scripts that ``document.write`` markup, an unclosed ``<script>``;
- ``/story/undeclared.html``: windows-1256, no charset in the header or the page;
- ``/story/conflict.html``: windows-1256 with ``<meta charset=windows-1256>`` but a
  header that says ``charset=utf-8``;
- ``/story/latin-header.html``: windows-1256, no ``<meta>``, the header says
  ``charset=ISO-8859-1`` (a server's default);
- ``/story/bom.html``: UTF-8 with a BOM, ``<meta>`` says windows-1256;
- ``/story/mixed.html``: UTF-8 with one paragraph in windows-1256 bytes;
- ``/story/flaky.html``: 503 for the first ``flap_failures`` requests, then 200;
- ``/story/busy.html``: 429 with ``Retry-After: <retry_after>`` the first time;
- ``/story/slow.html``: the whole page trickled out over ``slow_seconds``;
- ``/story/comments.html``: opens with a comment, ~100 adjacent comments (hostile_pages.py).

Faults (never an article; each has a reason in the failures table):
``/empty`` (200, no body), ``/blank.html`` (HTML, no text), ``/missing.html`` and
every unknown path (soft 404: 200 "الصفحة غير موجودة"), ``/huge.html`` (``huge_mb``
MB streamed, no Content-Length), ``/huge-declared.html`` (same with Content-Length),
``/bomb.html`` (gzip bomb: ~1 MB that inflates to ``bomb_mb`` MB), ``/report.html``
(a PDF served as text/html), ``/hang.html`` (headers, then nothing), ``/trickle.html``
(a byte every ``trickle_interval`` s, forever), ``/down.html`` (always 503),
``/limit.html`` (429 with a day-long Retry-After), ``/loop/a`` <-> ``/loop/b``,
``/loop/self``, ``/chain/1`` -> ``/chain/2`` -> ... (endless redirects),
``/calendar/2023/05/`` (months and days without end), ``/list?...`` (sort, order,
view and page in every combination), ``/private/...`` (disallowed by robots.txt),
``/scope/...`` (redirects, a meta refresh and a comment's link to loopback: hostile_scope.py).
``/discovery/...`` (oversized and injected sitemaps, samples/sites/hostile_discovery.py).

``request_log`` keeps (start, end, method, path, User-Agent) of every request and
``max_in_flight`` the most requests served at once, for politeness tests.
"""

from __future__ import annotations

import gzip
import json
import os
import time
from dataclasses import dataclass, fields, replace
from datetime import datetime, timedelta, timezone
from html import escape
from typing import Any

from aiohttp import web

from samples.publishers import BY_NAME, Publisher
from samples.sites import hostile_discovery, hostile_scope
from samples.sites.hostile_pages import comment_heavy
from samples.sites.hostile_streams import HTML_UTF8, SlowResponses
from samples.stories import make_story

HOST = "127.0.0.14"
HOSTILE = Publisher(
    "hostile", HOST, "صوت البادية", default_count=12,
    article_path="/story/{ident}.html", id_base=7000, id_step=5,
)
SYRIA = timezone(timedelta(hours=3))
SOFT_404_TITLE = "الصفحة غير موجودة"
SOFT_404_TEXT = "عذراً، الصفحة المطلوبة غير موجودة. ربما تم نقلها أو حذفها."
# Stories come from the furat generator (its staff and pools), from indexes the
# default farm never reaches, so no text repeats another publisher's.
STORY_BASE = 900

# name -> path of the article-shaped cases, in story order
ARTICLES = (
    ("plain-1", "/story/7001.html"), ("plain-2", "/story/7002.html"), ("plain-3", "/story/7003.html"),
    ("broken", "/story/broken.html"), ("undeclared", "/story/undeclared.html"),
    ("conflict", "/story/conflict.html"), ("bom", "/story/bom.html"), ("mixed", "/story/mixed.html"),
    ("flaky", "/story/flaky.html"), ("busy", "/story/busy.html"), ("slow", "/story/slow.html"),
    ("latin-header", "/story/latin-header.html"), ("comments", "/story/comments.html"),
)
FAULTS = (
    "/empty", "/blank.html", "/missing.html", "/huge.html", "/huge-declared.html", "/bomb.html",
    "/report.html", "/hang.html", "/trickle.html", "/down.html", "/limit.html", "/loop/a", "/loop/self",
    "/chain/1", "/calendar/2023/05/", "/list?sort=date&order=desc&view=list&page=1", "/private/secret.html",
)
FAULTS += hostile_scope.PATHS
PDF = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] "
       b"/Count 0 >> endobj\nstream\n" + bytes(range(256)) * 16 + b"\nendstream\n%%EOF\n")


@dataclass
class Switches:
    """Fault switches; ``arshif samples serve --hostile --switch NAME=VALUE``."""

    crawl_delay: float = 0.0  # robots.txt Crawl-delay for every agent (0: no such line)
    retry_after: int = 2  # seconds in the first 429 of /story/busy.html
    flap_failures: int = 1  # 503s before /story/flaky.html answers
    huge_mb: int = 50  # size of /huge.html and /huge-declared.html
    bomb_mb: int = 1024  # decompressed size of /bomb.html
    hang_seconds: float = 3600.0  # how long /hang.html keeps the connection silent
    trickle_interval: float = 0.5  # seconds between the bytes of /trickle.html
    slow_seconds: float = 1.0  # how long /story/slow.html takes to arrive

    @classmethod
    def parse(cls, pairs: list[str] | tuple[str, ...]) -> Switches:
        kinds = {f.name: f.type for f in fields(cls)}
        values: dict[str, Any] = {}
        for pair in pairs:
            name, sep, value = pair.partition("=")
            name = name.strip().replace("-", "_")
            if not sep or name not in kinds:
                raise ValueError(f"unknown switch {pair!r}; known: {', '.join(kinds)}")
            values[name] = float(value) if kinds[name] in ("float", float) else int(value)
        return replace(cls(), **values)


@dataclass(frozen=True)
class Story:
    name: str
    path: str
    title: str
    author: str
    paragraphs: tuple[str, ...]
    must_contain: tuple[str, ...]
    published: datetime


def make_stories() -> list[Story]:
    source = BY_NAME["furat"]
    stories = []
    for i, (name, path) in enumerate(ARTICLES):
        story = make_story(source, STORY_BASE + i)
        published = datetime(2023, 5, 1, 9, tzinfo=SYRIA) + timedelta(days=i, hours=i % 5)
        stories.append(Story(name, path, story.title, story.author.name if story.author else "",
                             story.paragraphs, story.must_contain, published))
    return stories


class HostileSite(SlowResponses):
    """The hostile publisher: ``await site.handle(request)`` answers one request."""

    publisher = HOSTILE

    def __init__(self, port: int, switches: Switches | None = None) -> None:
        self.port = port
        self.switches = switches or Switches()
        self.base = HOSTILE.base_url(port)
        self.stories = make_stories()
        self.by_path = {s.path: s for s in self.stories}
        self.hits: dict[str, int] = {}
        self.request_log: list[tuple[float, float, str, str, str]] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._bomb: bytes | None = None

    # --- what the tests compare against -----------------------------------
    def gold(self) -> list[dict[str, Any]]:
        return [{"name": s.name, "url": self.base + s.path.lstrip("/"), "title": s.title,
                 "must_contain": list(s.must_contain)} for s in self.stories]

    def fault_urls(self) -> list[str]:
        return [self.base + path.lstrip("/") for path in FAULTS]

    def requests_for(self, prefix: str) -> list[tuple[float, float, str, str, str]]:
        return [entry for entry in self.request_log if entry[3].startswith(prefix)]

    # --- pages ---------------------------------------------------------------
    def token(self) -> str:
        return os.urandom(13).hex()

    def chrome(self, title: str, main: str, *, charset: str = "utf-8", head: str = "") -> str:
        meta = f'<meta charset="{charset}">\n' if charset else ""
        return (f'<!DOCTYPE html>\n<html lang="ar" dir="rtl">\n<head>\n{meta}'
                f"<title>{escape(title)} - {HOSTILE.title}</title>\n{head}</head>\n<body>\n"
                f'<header><a href="/">{HOSTILE.title}</a> <a href="/calendar/2023/05/">الأرشيف</a></header>\n'
                f"<main>\n{main}\n</main>\n<footer><p>جميع الحقوق محفوظة © صوت البادية</p></footer>\n"
                "</body>\n</html>\n")

    def home(self) -> str:
        items = []
        for k, story in enumerate(self.stories):
            href = story.path
            if story.name.startswith("plain"):  # old PHP session handling: a new id every visit
                href += f"?PHPSESSID={self.token()}"
            items.append(f'<li><a href="{href}">{escape(story.title)}</a></li>')
        faults = "".join(f'<li><a href="{path.replace("&", "&amp;")}">{path}</a></li>' for path in FAULTS)
        main = (f"<h1>{HOSTILE.title}</h1>\n<h2>آخر الأخبار</h2>\n<ul>{''.join(items)}</ul>\n"
                f'<h2>روابط</h2>\n<ul>{faults}<li><a href="/no-such-page.html">صفحة قديمة</a></li></ul>')
        return self.chrome("الرئيسية", main)

    def article_html(self, story: Story, *, charset: str = "utf-8", broken: bool = False) -> str:
        others = [s for s in self.stories if s.name.startswith("plain") and s is not story][:2]
        related = "".join(f'<li><a href="{s.path};jsessionid={self.token().upper()}">{escape(s.title)}</a></li>'
                          for s in others)
        jsonld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", "headline": story.title,
                             "datePublished": story.published.isoformat(),
                             "author": {"@type": "Person", "name": story.author}}, ensure_ascii=False)
        head = (f'<meta property="og:type" content="article">\n'
                f'<meta property="og:title" content="{escape(story.title)}">\n'
                f'<meta property="article:published_time" content="{story.published.isoformat()}">\n'
                f'<link rel="canonical" href="{self.base}{story.path.lstrip("/")}">\n'
                f'<script type="application/ld+json">{jsonld}</script>\n')
        paragraphs = "\n".join(f"<p>{escape(p)}</p>" for p in story.paragraphs)
        byline = f'<p class="byline">بقلم: {escape(story.author)}</p>' if story.author else ""
        if not broken:
            main = (f"<article>\n<h1>{escape(story.title)}</h1>\n{byline}\n"
                    f'<time datetime="{story.published.isoformat()}">{story.published:%Y-%m-%d}</time>\n'
                    f"<div class=\"body\">\n{paragraphs}\n</div>\n</article>\n"
                    f"<aside><h2>اقرأ أيضاً</h2><ul>{related}</ul></aside>")
            return self.chrome(story.title, main, charset=charset, head=head)
        # Broken on purpose: never-closed divs, spans and paragraphs, the body eight
        # tables deep, script soup that writes markup, and a script that never ends.
        soup = "\n".join(f'<script>var ad{k} = "<div class=\\"ad\\">"; document.write(ad{k} + "</td></tr>");'
                         f" if (a < {k}) {{ b = '<table>'; }}</script>" for k in range(40))
        opened = "".join(f'<div class="wrap{k}">' for k in range(25))
        nest_open = "".join(f'<table class="t{k}"><tr><td>' for k in range(8))
        nest_close = "</td></tr></table>" * 7  # one table left open
        body = "\n".join(f"<p><span>{escape(p)}" for p in story.paragraphs)  # no </span></p>
        main = (f"{opened}\n{soup}\n{nest_open}\n<h1>{escape(story.title)}</h1>\n{byline}\n"
                f'<time datetime="{story.published.isoformat()}">{story.published:%Y-%m-%d}</time>\n'
                f'<div class="body">\n{body}\n{nest_close}\n<font color=red><b>عاجل</font></b>\n'
                f"<aside><h2>اقرأ أيضاً</h2><ul>{related}</ul></aside>\n<script>var tail = 1;")
        return self.chrome(story.title, main, head=head)

    def soft_404(self) -> bytes:
        main = f"<h1>{SOFT_404_TITLE}</h1>\n<p>{SOFT_404_TEXT}</p>\n<p><a href=\"/\">العودة إلى الرئيسية</a></p>"
        return self.chrome(SOFT_404_TITLE, main).encode("utf-8")

    def calendar(self, year: int, month: int, day: int | None) -> bytes:
        first = datetime(year, month, 1)
        prev = (first - timedelta(days=1)).replace(day=1)
        nxt = (first + timedelta(days=32)).replace(day=1)
        days = "".join(f'<a href="/calendar/{year}/{month:02d}/{d:02d}/">{d}</a> ' for d in range(1, 29))
        heading = f"أرشيف {year}/{month:02d}" + (f"/{day:02d}" if day else "")
        main = (f"<h1>{heading}</h1>\n<p>لا توجد أخبار في هذا التاريخ.</p>\n<nav>{days}</nav>\n"
                f'<a href="/calendar/{prev:%Y/%m}/">الشهر السابق</a> <a href="/calendar/{nxt:%Y/%m}/">الشهر التالي</a>')
        return self.chrome(heading, main).encode("utf-8")

    def listing(self, query: dict[str, str]) -> bytes:
        page = int(query.get("page", "1") or 1) if (query.get("page") or "1").isdigit() else 1
        links = []
        for sort in ("date", "title", "views"):
            for order in ("asc", "desc"):
                for view in ("list", "grid"):
                    links.append(f'<a href="/list?sort={sort}&amp;order={order}&amp;view={view}&amp;page={page + 1}">'
                                 f"{sort} {order} {view}</a>")
        main = f"<h1>قائمة الأخبار - صفحة {page}</h1>\n<p>لا نتائج.</p>\n<nav>{' '.join(links)}</nav>"
        return self.chrome(f"قائمة - {page}", main).encode("utf-8")

    def bomb(self) -> bytes:
        if self._bomb is None:
            # gzip members concatenate: one 1 MiB member of zeros, repeated
            member = gzip.compress(b"<html><body>" + b"\0" * (1024 * 1024 - 12), compresslevel=9, mtime=0)
            self._bomb = member * max(1, self.switches.bomb_mb)
        return self._bomb

    # --- serving -------------------------------------------------------------
    async def handle(self, request: web.BaseRequest) -> web.StreamResponse:
        start = time.time()
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        raw = request.raw_path
        try:
            return await self._answer(request, raw)
        finally:
            self.in_flight -= 1
            self.request_log.append((start, time.time(), request.method, raw,
                                     request.headers.get("User-Agent", "")))

    def _count(self, path: str) -> int:
        self.hits[path] = self.hits.get(path, 0) + 1
        return self.hits[path]

    async def _answer(self, request: web.BaseRequest, raw: str) -> web.StreamResponse:
        path, _, query_string = raw.partition("?")
        path = path.split(";", 1)[0]
        s = self.switches
        html = {"Content-Type": HTML_UTF8, "Server": "Apache/2.4.10 (Debian)"}
        if path == "/robots.txt":
            lines = ["User-agent: *", "Disallow: /private/"]
            if s.crawl_delay:
                lines.append(f"Crawl-delay: {s.crawl_delay:g}")
            return web.Response(text="\n".join(lines) + "\n", content_type="text/plain")
        if path in ("/", "/index.php"):
            return web.Response(body=self.home().encode("utf-8"), headers=html)
        story = self.by_path.get(path)
        if story is not None:
            return await self._article(request, story, html)
        if path == "/empty":
            return web.Response(body=b"", headers=html)
        if path == "/blank.html":
            return web.Response(body=b"<html><head><title></title></head><body>\n  \n</body></html>", headers=html)
        if path in ("/huge.html", "/huge-declared.html"):
            return await self._huge(request, declared=path == "/huge-declared.html")
        if path == "/bomb.html":
            return web.Response(body=self.bomb(), headers={**html, "Content-Encoding": "gzip"})
        if path == "/report.html":
            return web.Response(body=PDF, headers=html)
        if path == "/hang.html":
            return await self._hang(request)
        if path == "/trickle.html":
            return await self._trickle(request)
        if path == "/down.html":
            return web.Response(status=503, body=b"<h1>Service Unavailable</h1>", headers=html)
        if path == "/limit.html":
            return web.Response(status=429, body=b"<h1>Too Many Requests</h1>",
                                headers={**html, "Retry-After": "86400"})
        if path.startswith(("/loop/", "/chain/")):
            return self._redirect(path)
        if path.startswith("/calendar/"):
            parts = [p for p in path.split("/")[2:] if p]
            if len(parts) in (2, 3) and all(p.isdigit() for p in parts) and 1 <= int(parts[1]) <= 12:
                day = int(parts[2]) if len(parts) == 3 else None
                return web.Response(body=self.calendar(int(parts[0]), int(parts[1]), day), headers=html)
        if path.startswith("/scope/"):
            return hostile_scope.answer(self, path)
        if path == "/list":
            query = dict(pair.partition("=")[::2] for pair in query_string.split("&") if pair)
            return web.Response(body=self.listing(query), headers=html)
        if path.startswith("/discovery/"):  # oversized and injected sitemaps (hostile_discovery.py)
            return hostile_discovery.answer(path, self.base, self.base + self.stories[0].path.lstrip("/"))
        if path.startswith("/private/"):
            main = "<h1>منطقة خاصة</h1><p>هذه الصفحة ممنوعة على الزواحف.</p>"
            return web.Response(body=self.chrome("خاص", main).encode("utf-8"), headers=html)
        return web.Response(body=self.soft_404(), headers=html)  # soft 404: every unknown path

    async def _article(self, request: web.BaseRequest, story: Story, html: dict[str, str]) -> web.StreamResponse:
        s = self.switches
        n = self._count(story.path)
        if story.name == "flaky" and n <= s.flap_failures:
            return web.Response(status=503, body=b"<h1>503 Service Temporarily Unavailable</h1>", headers=html)
        if story.name == "busy" and n == 1:
            return web.Response(status=429, body=b"<h1>429 Too Many Requests</h1>",
                                headers={**html, "Retry-After": str(s.retry_after)})
        if story.name == "undeclared":
            return web.Response(body=self.article_html(story, charset="").encode("cp1256"),
                                headers={"Content-Type": "text/html"})
        if story.name == "conflict":
            return web.Response(body=self.article_html(story, charset="windows-1256").encode("cp1256"),
                                headers={"Content-Type": "text/html; charset=utf-8"})
        if story.name == "latin-header":  # a server default header, no meta, windows-1256 bytes
            return web.Response(body=self.article_html(story, charset="").encode("cp1256"),
                                headers={"Content-Type": "text/html; charset=ISO-8859-1"})
        if story.name == "bom":
            return web.Response(body=b"\xef\xbb\xbf" + self.article_html(story, charset="windows-1256").encode(),
                                headers={"Content-Type": "text/html"})
        if story.name == "mixed":
            page = self.article_html(story)
            last = escape(story.paragraphs[-1])
            head, _, tail = page.partition(f"<p>{last}</p>")
            # the closing paragraph pasted from the old windows-1256 site
            body = head.encode() + f"<p>{last}</p>".encode("cp1256") + tail.encode()
            return web.Response(body=body, headers=html)
        if story.name == "comments":
            return web.Response(body=comment_heavy(self.article_html(story)).encode(), headers=html)
        if story.name == "broken":
            return web.Response(body=self.article_html(story, broken=True).encode(), headers=html)
        page = self.article_html(story).encode("utf-8")
        if story.name == "slow":
            return await self._stream(request, page, html, pieces=20, seconds=s.slow_seconds)
        return web.Response(body=page, headers=html)

    def _redirect(self, path: str) -> web.Response:
        if path == "/loop/a":
            target = "/loop/b"
        elif path == "/loop/b":
            target = "/loop/a"
        elif path == "/loop/self":
            target = "/loop/self"
        else:
            tail = path.rsplit("/", 1)[-1]
            target = f"/chain/{int(tail) + 1 if tail.isdigit() else 1}"
        return web.Response(status=302, headers={"Location": self.base + target.lstrip("/"),
                                                 "Content-Type": HTML_UTF8})
