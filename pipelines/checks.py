"""ContentChecksPipeline: a 200 response is not always a page; say what was wrong with it.

Runs after extraction (so it can see what the extractor made of the page) and
before storage. Every HTML page (capture kind "page", status 200) is checked for:

- ``empty_body`` / ``empty_page``: nothing, or HTML without a visible word;
- ``soft_404``: a 200 whose title or heading says the page does not exist; such a
  page is never stored as an article, whatever the extractor thought;
- ``charset_bom``, ``charset_conflict`` (header vs ``<meta>``), ``charset_undeclared``
  (non-UTF-8 bytes and no declaration anywhere), ``charset_mixed`` (UTF-8 with runs
  of windows-1256 bytes): the page is decoded anyway (pipelines/extraction/charset.py)
  and the reason says how;
- ``malformed_html``: unclosed ``<script>``, unbalanced or runaway nested tables,
  hundreds of unclosed ``<div>``s, pages that are mostly inline script;
- ``session_ids``: links carrying session ids (recorded once per site; the ids
  are stripped from every URL by ``crawler.urls.canonicalize_url``);
- ``too_large_to_extract``: stored but too big for the extractor.

The checks run on the reactor, so each is linear in the page: byte-level regexes
without nested or overlapping quantifiers, and lxml where markup must be read (the
visible text, the title and headings); a charset is decoded again only when the
declarations disagree or are missing.
Each finding goes to ``crawler.failures.record_failure``.
"""

from __future__ import annotations

import codecs
import logging
import re
from typing import TYPE_CHECKING

import lxml.etree
import lxml.html

from crawler.failures import record_failure
from pipelines.extraction.charset import _codec_name, _declared_charset, _pretty, decode_html

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from typing_extensions import Self

    from crawler.items import PageItem

logger = logging.getLogger(__name__)

EXTRACT_MAX_BYTES = 20_000_000  # pipelines/extraction/core.py _MAX_BYTES

_TAGS = re.compile(rb"<(/?)(table|div|script)\b", re.IGNORECASE)
_INVISIBLE = ("script", "style", "noscript", "template", lxml.etree.Comment)
# the head is handed over decoded: a <meta charset> in it must not decode it again
_UTF8_PARSER = lxml.html.HTMLParser(encoding="utf-8")
SOFT_404 = re.compile(
    r"(?:الصفحة|صفحة)\s+(?:المطلوبة\s+)?(?:غير\s+موجودة|غير\s+متوفرة|لم\s+يتم\s+العثور)"
    r"|لم\s+(?:يتم|نتمكن\s+من)\s+العثور\s+على\s+(?:الصفحة|المحتوى|المقال)"
    r"|(?:خطأ|error)\s*404|\b404\s*(?:[-–:|]\s*)?(?:not\s+found|غير\s+موجود|الصفحة)"
    r"|\bpage\s+not\s+found\b|\bnot\s+found\b|\bno\s+longer\s+available\b",
    re.IGNORECASE,
)
SESSION_ID = re.compile(
    rb"[?&;](PHPSESSID|jsessionid|sessionid|session_id|sessid|osCsid|zenid|CFID|CFTOKEN|ASPSESSIONID\w*"
    rb"|sid)=([0-9A-Za-z_-]{8,})",
    re.IGNORECASE,
)
SOFT_404_MAX_WORDS = 150
LATIN = {"cp1252", "latin_1", "iso8859-15"}  # what default headers say; never right for Arabic bytes
BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))


def malformed(body: bytes) -> str | None:
    """What is broken in the markup, or None when it looks sane enough."""
    opens: dict[bytes, int] = {b"table": 0, b"div": 0, b"script": 0}
    closes = dict.fromkeys(opens, 0)
    depth = max_depth = 0
    script_bytes, script_start = 0, None
    for match in _TAGS.finditer(body):
        name = match.group(2).lower()
        closing = bool(match.group(1))
        if name == b"script":
            if closing and script_start is not None:
                script_bytes += match.start() - script_start
                script_start = None
            elif not closing and script_start is None:
                script_start = match.end()
            elif not closing:
                continue  # "<script" inside a script: text, not a tag
        elif script_start is not None:
            continue  # markup written by a script is not markup of the page
        if closing:
            closes[name] += 1
        else:
            opens[name] += 1
        if name == b"table":
            depth = max(0, depth + (-1 if closing else 1))
            max_depth = max(max_depth, depth)
    problems = []
    if script_start is not None or opens[b"script"] > closes[b"script"]:
        problems.append("unclosed <script>")
    if opens[b"table"] != closes[b"table"]:
        problems.append(f"{opens[b'table']} <table> opened, {closes[b'table']} closed")
    if max_depth >= 6:
        problems.append(f"tables nested {max_depth} deep")
    if opens[b"div"] - closes[b"div"] >= 20:
        problems.append(f"{opens[b'div'] - closes[b'div']} unclosed <div>")
    if opens[b"script"] >= 30 and script_bytes * 2 > len(body):
        problems.append(f"script soup: {opens[b'script']} scripts, {100 * script_bytes // len(body)}% of the page")
    return "; ".join(problems) or None


def _parse(html: bytes, parser: lxml.html.HTMLParser | None = None) -> lxml.html.HtmlElement | None:
    try:
        return lxml.html.fromstring(html, parser=parser)
    except (lxml.etree.ParserError, ValueError):  # nothing but comments, or not markup at all
        return None


def has_visible_text(body: bytes) -> bool:
    """Whether a page shows any text once scripts, styles and comments are gone. lxml, not
    regexes: lazy ``<!--.*?-->`` and ``<[^>]*>`` took 5-12 s on 64 KB of unclosed ``<!--``/``<``."""
    root = _parse(body)
    if root is None:
        return False
    lxml.etree.strip_elements(root, *_INVISIBLE, with_tail=False)
    return any(text.strip() for text in root.itertext())


def _head_text(body: bytes, header_charset: str | None) -> str:
    codec = _codec_name(header_charset) or _declared_charset(body[:4096]) or "utf-8"
    try:
        return body[:32768].decode(codec, errors="replace")
    except LookupError:
        return body[:32768].decode("utf-8", errors="replace")


def page_heading(body: bytes, header_charset: str | None) -> str:
    """The page's ``<title>`` and ``<h1>`` texts, for the soft-404 test (lxml: a lazy
    ``<title[^>]*>(.*?)</title>`` took 1.6 s on 32 KB of unclosed ``<title>``)."""
    root = _parse(_head_text(body, header_charset).encode("utf-8", "surrogatepass"), _UTF8_PARSER)
    if root is None:
        return ""
    texts = [" ".join(element.itertext()) for tag in ("title", "h1") for element in root.iter(tag)]
    return " | ".join(" ".join(t.split()) for t in texts if t.strip())


def charset_problems(body: bytes, header_charset: str | None, decoded_as: str | None = None) -> list[tuple[str, str]]:
    """How the page's bytes and its charset declarations disagree."""
    if body.isascii():
        return []
    declared = _declared_charset(body[:4096])
    header = _codec_name(header_charset)
    for bom, codec in BOMS:
        if body.startswith(bom):
            others = [f"the {where} says {_pretty(said)}" for where, said in (("header", header), ("page", declared))
                      if said and said != codec]
            return [("charset_bom", f"{codec.upper()} byte-order mark; decoded as {codec.upper()}"
                     + (f" although {' and '.join(others)}" if others else ""))]
    try:
        body.decode("utf-8")
        valid_utf8 = True
    except UnicodeDecodeError as exc:
        valid_utf8 = False
        first_bad = exc.start
    conflict = bool(header and declared and header != declared)
    said = declared or header
    if not conflict and (valid_utf8 or (said not in (None, "utf-8") and said not in LATIN)):
        return []  # consistent: UTF-8, or an Arabic single-byte charset declared once (the old-site case)
    used = decoded_as or decode_html(body, header_charset)[1]  # only when there is something to say
    problems = []
    if conflict:
        problems.append(("charset_conflict", f"HTTP header says {_pretty(header)}, the page says "
                                             f"{_pretty(declared)}; decoded as {used}"))
    elif said in LATIN and _codec_name(used) != said:
        where = "the page" if declared else "the HTTP header"
        problems.append(("charset_conflict", f"{where} says {_pretty(said)} (a server default), the bytes "
                                             f"are not; decoded as {used}"))
    elif not header and not declared and not valid_utf8:
        problems.append(("charset_undeclared", f"no charset in the header or the page and the bytes are "
                                               f"not UTF-8; decoded as {used}"))
    if not valid_utf8 and "utf-8" in used.lower():
        problems.append(("charset_mixed", f"UTF-8 page with bytes that are not UTF-8 (the first at offset "
                                          f"{first_bad}); decoded as {used}"))
    return problems


def page_problems(item: PageItem) -> list[tuple[str, str]]:
    """``[(reason, detail)]`` for one fetched HTML page."""
    body = item.body or b""
    if not body.strip():
        return [("empty_body", f"HTTP {item.status} with {len(body)} bytes of body")]
    problems: list[tuple[str, str]] = []
    if len(body) > EXTRACT_MAX_BYTES:
        problems.append(("too_large_to_extract", f"{len(body)} bytes; stored, not extracted"))
    article = item.article
    problems += charset_problems(body, item.header_charset, (article or {}).get("encoding"))
    broken = malformed(body)
    if broken:
        problems.append(("malformed_html", broken + ("; extracted anyway" if article else "")))
    if article is None and len(body) < 65536 and not has_visible_text(body):
        problems.append(("empty_page", f"{len(body)} bytes of HTML without visible text"))
    words = (article or {}).get("word_count") or 0
    if article is None or words < SOFT_404_MAX_WORDS:
        heading = page_heading(body, item.header_charset)
        if heading and SOFT_404.search(heading):
            problems.append(("soft_404", f"HTTP {item.status} but the page says: {heading[:200]}"))
    return problems


class ContentChecksPipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.session_sites: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_item(self, item: PageItem) -> PageItem:
        if item.kind != "page" or item.status != 200:
            return item
        for reason, detail in page_problems(item):
            if reason == "soft_404" and item.article is not None:
                item.article = None
                self.crawler.stats.inc_value("extract/soft_404_not_article")
                detail += "; not stored as an article"
            record_failure(self.crawler, item.url, reason, detail, site=item.site, status=item.status)
        self._session_ids(item)
        return item

    def _session_ids(self, item: PageItem) -> None:
        match = SESSION_ID.search(item.body)
        if match is None or (match.group(1).lower() == b"sid" and len(match.group(2)) < 16):
            return
        self.crawler.stats.inc_value("arshif/session_id_pages")
        site = getattr(self.crawler.spider, "sites", {}).get(item.site)
        url = site.base_url if site is not None else item.url
        name = match.group(1).decode("ascii")
        record_failure(self.crawler, url, "session_ids",
                       f"links carry {name}=... (as on {item.url}); stripped from every URL",
                       site=item.site)
