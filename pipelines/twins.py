"""AMP twins: an article's AMP page is stored as a capture of the article, not extracted again.

A news site serves most articles twice, the page and its AMP version (``rel=amphtml``
one way, ``rel=canonical`` back). Both are captured (evidence), but extracting both
doubles the extraction work and lets whichever comes last decide the article's row.
Once the canonical page has been extracted as an article, its AMP URL is known; an AMP
page arriving while that extraction still runs waits for it. An AMP page fetched first
is extracted as before, and the canonical page's extraction overwrites it: either way
the row holds the canonical page.

A crawl resumed after kill -9 (or an incremental one that finds the canonical page
unchanged) fetches AMP pages whose article an earlier process stored: nothing in
memory knows them, so they are extracted, and the archive pipeline keeps them from
taking over the row (``pipelines.amp.canonical_row_kept``).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from crawler.items import article_canonical_url
from crawler.urls import canonicalize_url
from pipelines.amp import declared_canonical

if TYPE_CHECKING:
    from crawler.items import PageItem
    from crawler.sites import Site

# Bounded so that memory stays flat on long crawls; a twin fetched after its entry fell
# out is extracted, as every twin was before (issue 8).
TWINS_MAX = 1 << 16


class AmpTwins:
    def __init__(self) -> None:
        self.articles: dict[str, str] = {}  # AMP URL -> the article's canonical URL
        self.extracting: dict[str, asyncio.Future] = {}  # page URL -> done when its row is known

    async def twin_of(self, item: PageItem) -> str | None:
        """The canonical URL of the article ``item`` is the AMP twin of, if already extracted."""
        url = canonicalize_url(item.url)
        if url not in self.articles:
            pending = self.extracting.get(declared_canonical(item.body, item.url) or "")
            if pending is not None:
                await asyncio.shield(pending)
        return self.articles.get(url)

    def extracting_page(self, item: PageItem) -> None:
        # kept if the URL is already being extracted (two redirects to one page): a twin
        # waiting on that future is released when the first of the two is done
        self.extracting.setdefault(canonicalize_url(item.url), asyncio.get_running_loop().create_future())

    def extracted(self, item: PageItem, site: Site) -> None:
        """After an extraction (successful or not); notes the AMP URL of an article."""
        url = canonicalize_url(item.url)
        amp_url = (item.article or {}).get("amp_url")
        if amp_url:
            amp_url = canonicalize_url(urljoin(item.url, amp_url))
            if site.in_scope(amp_url) and amp_url != url:
                if len(self.articles) >= TWINS_MAX:
                    del self.articles[next(iter(self.articles))]
                self.articles[amp_url] = article_canonical_url(item, site)
        done = self.extracting.pop(url, None)
        if done is not None and not done.done():
            done.set_result(None)
