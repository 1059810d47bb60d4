"""Items the spider yields: one ``PageItem`` per fetched document."""

from __future__ import annotations

from dataclasses import dataclass, field


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
