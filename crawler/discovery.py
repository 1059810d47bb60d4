"""Parse discovery documents: robots.txt, sitemaps (incl. news sitemaps) and feeds.

Scrapy's own sitemap parser drops the Google News fields, and feeds come in
RSS and Atom flavours, so both are read here with lxml in recover mode: a
broken feed still yields the links it has.
"""

from __future__ import annotations

import gzip
import io
import logging
from dataclasses import dataclass
from urllib.parse import urljoin

import lxml.etree

logger = logging.getLogger(__name__)

MAX_SITEMAP_BYTES = 50 * 1024 * 1024  # the sitemaps.org limit, uncompressed


@dataclass(frozen=True)
class Discovered:
    """A URL found in a discovery document, with what that document said of it."""

    url: str
    lastmod: str | None = None
    title: str | None = None
    published: str | None = None


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _parse_xml(body: bytes) -> lxml.etree._Element | None:
    if body[:2] == b"\x1f\x8b":
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(body)) as fh:
                body = fh.read(MAX_SITEMAP_BYTES)
        except (OSError, EOFError):
            return None
    parser = lxml.etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)
    try:
        return lxml.etree.fromstring(body, parser=parser)
    except lxml.etree.XMLSyntaxError:
        return None


def robots_sitemaps(body: bytes, base_url: str) -> list[str]:
    """The ``Sitemap:`` URLs a robots.txt declares."""
    found = []
    for line in body.decode("utf-8", "replace").splitlines():
        key, _, value = line.partition(":")
        if key.strip().lower() == "sitemap" and value.strip():
            found.append(urljoin(base_url, value.strip()))
    return found


def parse_sitemap(body: bytes, base_url: str) -> tuple[str, list[Discovered]]:
    """Return ``(kind, entries)``; kind is ``sitemapindex``, ``urlset`` or ``invalid``."""
    root = _parse_xml(body)
    if root is None or _local(root.tag) not in ("sitemapindex", "urlset"):
        return "invalid", []
    entries = []
    for node in root:
        if _local(node.tag) not in ("sitemap", "url"):
            continue
        fields: dict[str, str] = {}
        for child in node.iter():
            name = _local(child.tag)
            if name in ("loc", "lastmod", "title", "publication_date") and child.text:
                fields.setdefault(name, child.text.strip())
        if fields.get("loc"):
            entries.append(Discovered(
                url=urljoin(base_url, fields["loc"]),
                lastmod=fields.get("lastmod"),
                title=fields.get("title"),
                published=fields.get("publication_date"),
            ))
    return _local(root.tag), entries


def parse_feed(body: bytes, base_url: str) -> list[Discovered]:
    """Item links of an RSS 2.0, RSS 1.0 (RDF) or Atom feed; empty when not a feed."""
    root = _parse_xml(body)
    if root is None:
        return []
    entries = []
    for node in root.iter():
        name = _local(node.tag)
        if name == "item":
            fields = {_local(c.tag): (c.text or "").strip() for c in node}
            link = fields.get("link") or fields.get("guid", "")
            if link.startswith(("http", "/")):
                entries.append(Discovered(
                    url=urljoin(base_url, link), title=fields.get("title") or None,
                    published=fields.get("pubDate") or fields.get("date") or None,
                ))
        elif name == "entry":
            entries.extend(_atom_entry(node, base_url))
    return entries


def _atom_entry(node: lxml.etree._Element, base_url: str) -> list[Discovered]:
    href, fields = None, {}
    for child in node:
        name = _local(child.tag)
        if name == "link" and child.get("rel", "alternate") == "alternate" and href is None:
            href = child.get("href")
        elif child.text:
            fields.setdefault(name, child.text.strip())
    if not href:
        return []
    return [Discovered(
        url=urljoin(base_url, href), title=fields.get("title"),
        published=fields.get("published") or fields.get("updated"),
        lastmod=fields.get("updated"),
    )]
