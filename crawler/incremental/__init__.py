"""Incremental crawling: fetch only what is new or changed, keep versions, notice removals.

The archive DB says what is already known: every captured URL with its latest
validators (ETag, Last-Modified) and payload digest, every article with its
publication date and status, and what each sitemap and feed listed last time
(with ``lastmod``). From that, a crawl:

1. always fetches the discovery documents (robots.txt, feeds, sitemaps) and the
   home page, except child sitemaps whose ``lastmod`` in the sitemap index has not
   changed (their entries count as listed again);
2. fetches every URL it does not know;
3. fetches a known article again only when it is due: its sitemap/feed ``lastmod``
   changed, it is recent (published within ``ARSHIF_REVISIT_DAYS``), or it dropped
   out of a sitemap that listed it (a deletion or a move shows up like that);
   recent articles and dropped-out ones are re-checked even when no page links to
   them any more;
4. fetches known non-article pages (listings) only within ``ARSHIF_REVISIT_DEPTH``
   link hops of a seed (0: the home page and configured seeds only);
5. sends known article pages a conditional request (If-None-Match /
   If-Modified-Since from the last capture): a 304 is recorded as a capture;
6. does not re-extract a page whose payload is byte-identical to the last capture
   (issue 3's WARC writer stores it as a ``revisit`` record);
7. keeps every distinct version of an article (``archive.versions``), marks
   articles that answer 404/410 or redirect to a home/listing page as removed and
   those that redirect to another article as moved, and writes a ``crawl_runs``
   row with per-site counts (``archive.runs``).

``ARSHIF_INCREMENTAL = False`` (``arshif crawl --full``) fetches everything in
reach again; versions, removals, conditional requests and the runs table still work.

Components (all enabled in crawler/settings.py; one module each in this package): ``IncrementalSpiderMiddleware``
(the re-visit policy, before the scheduler so skipped URLs never reach the
dupefilter), ``IncrementalDownloaderMiddleware`` (conditional headers, validators,
redirects of known articles, per-site counts), ``VersionsPipeline`` (after the
archive pipeline) and the ``IncrementalCrawl`` extension (run row, re-checks when
the crawl goes idle, final bookkeeping). They share one ``IncrementalState``.

Settings:
    ARSHIF_INCREMENTAL (True), ARSHIF_REVISIT_DAYS (7), ARSHIF_REVISIT_DEPTH (0),
    ARSHIF_NOW ("": the wall clock; an ISO 8601 time for replays and the farm's
    timeline), ARSHIF_RUN_TRIGGER ("cli"; the scheduler sets "schedule").
    Per site (sites.toml): ``revisit_days``, ``revisit_depth``.
"""

from crawler.incremental.extension import IncrementalCrawl
from crawler.incremental.middlewares import IncrementalDownloaderMiddleware, IncrementalSpiderMiddleware
from crawler.incremental.pipeline import VersionsPipeline
from crawler.incremental.state import (
    ArticleInfo,
    IncrementalState,
    Known,
    Listing,
    normalize_lastmod,
    parse_time,
    payload_unchanged,
    state_for,
)

__all__ = [
    "ArticleInfo", "IncrementalCrawl", "IncrementalDownloaderMiddleware", "IncrementalSpiderMiddleware",
    "IncrementalState", "Known", "Listing", "VersionsPipeline", "normalize_lastmod", "parse_time",
    "payload_unchanged", "state_for",
]
