"""VersionsPipeline: article versions, unchanged re-fetches and removals, after the archive pipeline."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.exceptions import NotConfigured

from archive import versions
from crawler.incremental.state import ArticleInfo, Known, state_for
from crawler.urls import canonicalize_url
from pipelines.writer import archive_writer

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from sqlite_utils import Database


class VersionsPipeline:
    """After the archive pipeline: versions, unchanged re-fetches, removals, counts.

    The SQL runs on the crawl's archive writer thread (pipelines/writer.py); the
    in-memory state the middlewares read is updated here, on the reactor.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.state = state_for(crawler)
        if not self.state.enabled:
            raise NotConfigured("ARSHIF_ARCHIVE_ENABLED is off")
        self.writer = archive_writer(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler):
        return cls(crawler)

    async def process_item(self, item):
        state = self.state
        site = item.site
        if item.status >= 400:
            state.count(site, f"error:http_{item.status}")
        if item.kind not in ("page", "error", "other") or not site:
            return item
        state.load()
        known = state.known.get(item.url)
        known_article = known.article_id if known else None
        article = state.articles.get(known_article) if known_article else None
        if item.article is not None:
            action = "version"
        elif known_article and (item.status == 304 or state.payload_unchanged(item)):
            action = "seen"
        elif article is not None and item.status in (404, 410):
            action = "removed"
        else:
            action = None
        validators = state.validators.pop(item.url, None)
        if action is None and not validators:
            return item
        article_id, outcome = await self.writer.run(
            write_versions, item, action, validators, known_article, state.run_id)
        if outcome is None:
            return item
        if action == "version":
            self._count_version(item, site, article_id, outcome)
        elif action == "seen":
            if item.status == 200:
                state.count(site, "revisits")
            state.article_outcome(site, known_article, "unchanged")
        elif outcome:  # removed now (not already)
            article.status = "removed"
            state.count(site, "removed")
        return item

    def _count_version(self, item, site: str, article_id: int, outcome: tuple[str, str]) -> None:
        state = self.state
        change, canonical = outcome
        if change == versions.NEW:
            state.new_articles[article_id] = site
        elif change == versions.ALIAS:
            self.crawler.stats.inc_value("incremental/alias_differs")
        state.article_outcome(site, article_id, versions.UNCHANGED if change == versions.ALIAS else change)
        if state.articles.get(article_id) is None:
            state.articles[article_id] = ArticleInfo(article_id, item.url, canonical, site, None, "ok")
        state.known.setdefault(canonical, Known(article_id=article_id)).article_id = article_id


def _capture(db: Database, item) -> tuple[int | None, int | None, str | None]:
    record_id = (item.warc or {}).get("record_id")
    if record_id:
        row = db.execute("SELECT id, article_id, fetched_at FROM captures WHERE warc_record_id = ?",
                         [record_id]).fetchone()
    else:
        row = db.execute("SELECT id, article_id, fetched_at FROM captures WHERE url = ? "
                         "ORDER BY id DESC LIMIT 1", [item.url]).fetchone()
    return tuple(row) if row else (None, None, None)


def write_versions(db: Database, item, action: str | None, validators, known_article: int | None,
                   run_id: int | None) -> tuple[int | None, object]:
    """On the writer thread: the capture's validators, and its version / re-fetch / removal.

    Returns (article id, outcome): for "version" (change, canonical URL) or None when the
    capture is not an article's; for "seen" True; for "removed" whether it is newly removed.
    """
    capture_id, article_id, fetched_at = _capture(db, item)
    if capture_id is not None and validators:
        db.execute("UPDATE captures SET http_etag = ?, http_last_modified = ? WHERE id = ?",
                   [validators[0], validators[1], capture_id])
        db.conn.commit()
    if action == "version":
        if article_id is None:
            return None, None
        extraction = item.article
        canonical, content_hash = db.execute(
            "SELECT canonical_url, content_hash FROM articles WHERE id = ?", [article_id]).fetchone()
        change = versions.record_version(
            db, article_id, capture_id=capture_id, fetched_at=fetched_at, url=item.url,
            title=extraction.get("title"), text=extraction.get("text"), content_hash=content_hash,
            modified=extraction.get("modified"), word_count=extraction.get("word_count"),
            alias=canonicalize_url(item.url) != canonical, run_id=run_id,
        )
        return article_id, (change, canonical)
    if action == "seen":
        versions.mark_seen(db, known_article, capture_id, fetched_at)
        return known_article, True
    if action == "removed":
        return known_article, versions.mark_removed(
            db, known_article, when=fetched_at, reason=f"http {item.status}", capture_id=capture_id)
    return None, None
