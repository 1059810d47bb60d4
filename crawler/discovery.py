"""Parse discovery documents: robots.txt, sitemaps (incl. news sitemaps) and feeds.

Scrapy's own sitemap parser drops the Google News fields, and feeds come in
RSS and Atom flavours, so both are read here with lxml in recover mode: a
broken feed still yields the links it has.

A discovery document is written by whoever runs the site, and a few hundred KB of
gzip can hold millions of URLs, so every read is bounded (issue 16):

- sitemaps and feeds are parsed as a stream (``XMLPullParser``): each entry is
  read and then dropped from the tree, so a large file never sits whole in memory
  as a tree; no entity expansion, no network, lxml's ``huge_tree`` off;
- at most ``MAX_SITEMAP_BYTES`` (50 MB, the sitemaps.org limit) of XML are read,
  gzip included, and at most ``MAX_ENTRIES`` (50,000, the same limit) entries kept;
- a URL longer than ``MAX_URL_LENGTH`` (2,083 characters) is dropped while parsing,
  the others are percent-encoded as a request would be, so no raw line separator or
  control character in a ``<loc>`` reaches a request, an outlink or a record;
- only the first ``MAX_ROBOTS_BYTES`` (500 KiB, Google's limit) of a robots.txt are read.

What was cut is counted in a ``ParseReport``; the spider records it
(``discovery_truncated``) and applies the per-site budgets.
"""

from __future__ import annotations

import gzip
import io
import logging
import re
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import urljoin

import lxml.etree
from w3lib.url import safe_url_string

logger = logging.getLogger(__name__)

MAX_SITEMAP_BYTES = 50 * 1024 * 1024  # the sitemaps.org limit, uncompressed
MAX_ENTRIES = 50_000  # the sitemaps.org limit of URLs per file
MAX_URL_LENGTH = 2_083  # the longest URL browsers and sitemaps.org accept
MAX_ROBOTS_BYTES = 500 * 1024  # what Google reads of a robots.txt
_CHUNK = 64 * 1024
_UNSAFE = re.compile(r"[^\x21-\x7e]")  # non-ASCII, controls, spaces, line separators
_SITEMAP_ROOTS = frozenset({"sitemapindex", "urlset"})
_FEED_ROOTS = frozenset({"rss", "RDF", "feed"})


@dataclass(frozen=True)
class Discovered:
    """A URL found in a discovery document, with what that document said of it."""

    url: str
    lastmod: str | None = None
    title: str | None = None
    published: str | None = None


@dataclass
class ParseReport:
    """What a bounded parse left out of a document."""

    entries_cut: int = 0  # entries after the first MAX_ENTRIES
    long_urls: int = 0  # URLs over MAX_URL_LENGTH, dropped
    bytes_cut: bool = False  # the XML went on past MAX_SITEMAP_BYTES
    root: str = ""  # the document's root element, without namespace

    def __bool__(self) -> bool:
        return bool(self.entries_cut or self.long_urls or self.bytes_cut)

    def describe(self) -> str:
        parts = []
        if self.entries_cut:
            parts.append(f"entries after the first {MAX_ENTRIES:,} ignored")
        if self.long_urls:
            parts.append(f"{self.long_urls} URLs over {MAX_URL_LENGTH} characters dropped")
        if self.bytes_cut:
            parts.append(f"read up to {MAX_SITEMAP_BYTES // 2**20} MB of XML")
        return "; ".join(parts)


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _chunks(body: bytes, report: ParseReport) -> Iterator[bytes]:
    """The XML of ``body`` (gunzipped if gzip) in chunks, at most MAX_SITEMAP_BYTES of it."""
    if body[:2] != b"\x1f\x8b":  # in chunks too: the parser's events hold what one chunk built
        report.bytes_cut = len(body) > MAX_SITEMAP_BYTES
        for start in range(0, min(len(body), MAX_SITEMAP_BYTES), _CHUNK):
            yield body[start:start + _CHUNK]
        return
    read = 0
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(body)) as fh:
            while read < MAX_SITEMAP_BYTES:
                chunk = fh.read(min(_CHUNK, MAX_SITEMAP_BYTES - read))
                if not chunk:
                    return
                read += len(chunk)
                yield chunk
            report.bytes_cut = bool(fh.read(1))
    except (OSError, EOFError, zlib.error):
        return  # a broken gzip stream: what came before the break still counts


def _entries(body: bytes, roots: frozenset[str], names: frozenset[str],
             report: ParseReport) -> Iterator[lxml.etree._Element]:
    """Each element named in ``names``, parsed as a stream; ``report.root`` names the root.

    Nothing when the root element is not one of ``roots``. Each entry is complete when
    yielded; it and every other finished element outside an entry are then removed
    from the tree, which so holds only the path to the current element.
    """
    parser = lxml.etree.XMLPullParser(events=("start", "end"), recover=True, resolve_entities=False,
                                      no_network=True, huge_tree=False, remove_comments=True, remove_pis=True)
    root, depth = None, 0  # depth: entries open around the current element
    for chunk in _chunks(body, report):
        try:
            parser.feed(chunk)
        except lxml.etree.XMLSyntaxError:
            return
        for event, element in parser.read_events():
            name = _local(element.tag)
            if root is None:
                root = report.root = name
                if root not in roots:
                    return
            if event == "start":
                depth += name in names
            elif name in names:
                depth -= 1
                if depth == 0:
                    yield element
                    _drop(element)
            elif depth == 0:
                _drop(element)


def _drop(element: lxml.etree._Element) -> None:
    element.clear()
    parent = element.getparent()
    if parent is not None:
        parent.remove(element)


def _url(base_url: str, value: str, report: ParseReport) -> str | None:
    value = value.strip()
    if len(value) > MAX_URL_LENGTH or len(base_url) > MAX_URL_LENGTH:
        report.long_urls += 1
        return None
    try:
        url = value if value.startswith(("http://", "https://")) else urljoin(base_url, value)
        if _UNSAFE.search(url):  # as a Request would encode it; most URLs need nothing
            url = safe_url_string(url)
    except ValueError:
        return None
    if len(url) > MAX_URL_LENGTH:  # percent-encoding makes a URL up to 9 times longer
        report.long_urls += 1
        return None
    return url


def _bounded(entries: Iterator[Discovered | None], report: ParseReport) -> Iterator[Discovered]:
    kept = 0
    for entry in entries:
        if entry is None:
            continue
        if kept >= MAX_ENTRIES:
            report.entries_cut += 1
            return
        kept += 1
        yield entry


def robots_sitemaps(body: bytes, base_url: str) -> list[str]:
    """The ``Sitemap:`` URLs a robots.txt declares (in its first MAX_ROBOTS_BYTES)."""
    found, report = [], ParseReport()
    for line in robots_text(body).splitlines():
        key, _, value = line.partition(":")
        if key.strip().lower() == "sitemap" and value.strip():
            url = _url(base_url, value, report)
            if url:
                found.append(url)
    return found


def robots_head(body: bytes) -> bytes:
    """The part of a robots.txt that is read: its first MAX_ROBOTS_BYTES, up to the last whole line."""
    return body[:MAX_ROBOTS_BYTES].rsplit(b"\n", 1)[0] if len(body) > MAX_ROBOTS_BYTES else body


def robots_text(body: bytes) -> str:
    return robots_head(body).decode("utf-8", "replace")


def sitemap_kind(report: ParseReport) -> str:
    """``sitemapindex``, ``urlset`` or ``invalid``: known once the first entry is read."""
    return report.root if report.root in _SITEMAP_ROOTS else "invalid"


def iter_sitemap(body: bytes, base_url: str, report: ParseReport) -> Iterator[Discovered]:
    """The entries of a sitemap or sitemap index, parsed as they are asked for.

    A crawl's reactor reads them one by one between its other work: a 50,000-URL file
    takes ~1 s of CPU to read, which must not be one stall.
    """
    return _bounded((_sitemap_entry(node, base_url, report)
                     for node in _entries(body, _SITEMAP_ROOTS, frozenset({"sitemap", "url"}), report)), report)


def parse_sitemap(body: bytes, base_url: str, report: ParseReport | None = None) -> tuple[str, list[Discovered]]:
    """Return ``(kind, entries)``; kind is ``sitemapindex``, ``urlset`` or ``invalid``."""
    report = report if report is not None else ParseReport()
    found = list(iter_sitemap(body, base_url, report))
    return sitemap_kind(report), found


def _sitemap_entry(node: lxml.etree._Element, base_url: str, report: ParseReport) -> Discovered | None:
    fields: dict[str, str] = {}
    for child in node.iter():
        name = _local(child.tag)
        if name in ("loc", "lastmod", "title", "publication_date") and child.text:
            fields.setdefault(name, child.text.strip())
    url = _url(base_url, fields["loc"], report) if fields.get("loc") else None
    if url is None:
        return None
    return Discovered(url=url, lastmod=fields.get("lastmod"), title=fields.get("title"),
                      published=fields.get("publication_date"))


def iter_feed(body: bytes, base_url: str, report: ParseReport) -> Iterator[Discovered]:
    """Item links of an RSS 2.0, RSS 1.0 (RDF) or Atom feed, parsed as they are asked for."""
    readers: dict[str, Callable] = {"item": _rss_item, "entry": _atom_entry}
    return _bounded((readers[_local(node.tag)](node, base_url, report)
                     for node in _entries(body, _FEED_ROOTS, frozenset(readers), report)), report)


def parse_feed(body: bytes, base_url: str, report: ParseReport | None = None) -> list[Discovered]:
    """Item links of an RSS 2.0, RSS 1.0 (RDF) or Atom feed; empty when not a feed."""
    return list(iter_feed(body, base_url, report if report is not None else ParseReport()))


def _rss_item(node: lxml.etree._Element, base_url: str, report: ParseReport) -> Discovered | None:
    fields = {_local(c.tag): (c.text or "").strip() for c in node}
    link = fields.get("link") or fields.get("guid", "")
    url = _url(base_url, link, report) if link.startswith(("http", "/")) else None
    if url is None:
        return None
    return Discovered(url=url, title=fields.get("title") or None,
                      published=fields.get("pubDate") or fields.get("date") or None)


def _atom_entry(node: lxml.etree._Element, base_url: str, report: ParseReport) -> Discovered | None:
    href, fields = None, {}
    for child in node:
        name = _local(child.tag)
        if name == "link" and child.get("rel", "alternate") == "alternate" and href is None:
            href = child.get("href")
        elif child.text:
            fields.setdefault(name, child.text.strip())
    url = _url(base_url, href, report) if href else None
    if url is None:
        return None
    return Discovered(url=url, title=fields.get("title"),
                      published=fields.get("published") or fields.get("updated"),
                      lastmod=fields.get("updated"))
