"""Items the spider yields: one ``PageItem`` per fetched document."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from crawler.urls import canonicalize_url

if TYPE_CHECKING:
    from crawler.sites import Site


@dataclass
class PageItem:
    """A fetched document on its way to extraction and storage.

    ``body`` holds the decoded-transfer but otherwise raw bytes (HTML pages are
    decoded by the extractor, which knows Arabic charsets better than Scrapy).
    ``article`` is filled by ``ExtractPipeline`` when the page is an article.
    """

    site: str
    url: str
    status: int
    kind: str  # "page", "feed", "sitemap" or "robots"
    content_type: str = ""
    header_charset: str | None = None
    body: bytes = b""
    warc: dict | None = None
    via: str = "seed"  # how the URL was discovered: seed, feed, sitemap, link, redirect
    referrer: str | None = None
    outlinks: list[str] = field(default_factory=list)
    hints: dict = field(default_factory=dict)
    article: dict | None = None
    # canonical URL of the article this page is the AMP twin of (stored, not extracted)
    twin_of: str | None = None


def article_canonical_url(item: PageItem, site: Site | None) -> str:
    """The URL an article is stored under: the page's rel=canonical when it stays on
    the site, else the page's own URL (both canonicalised)."""
    declared = (item.article or {}).get("canonical_url")
    if declared and site is not None and site.in_scope(declared):
        return canonicalize_url(declared)
    return canonicalize_url(item.url)
