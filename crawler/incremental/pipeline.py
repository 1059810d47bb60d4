"""VersionsPipeline: article versions, unchanged re-fetches and removals, after the archive pipeline."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.exceptions import NotConfigured

from archive import versions
from crawler.incremental.state import ArticleInfo, Known, state_for
from crawler.urls import canonicalize_url

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from sqlite_utils import Database


class VersionsPipeline:
    """After the archive pipeline: versions, unchanged re-fetches, removals, counts."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.state = state_for(crawler)
        if not self.state.enabled:
            raise NotConfigured("ARSHIF_ARCHIVE_ENABLED is off")

    @classmethod
    def from_crawler(cls, crawler: Crawler):
        return cls(crawler)

    def _capture(self, db: Database, item) -> tuple[int | None, int | None, str | None]:
        record_id = (item.warc or {}).get("record_id")
        if record_id:
            row = db.execute("SELECT id, article_id, fetched_at FROM captures WHERE warc_record_id = ?",
                             [record_id]).fetchone()
        else:
            row = db.execute("SELECT id, article_id, fetched_at FROM captures WHERE url = ? "
                             "ORDER BY id DESC LIMIT 1", [item.url]).fetchone()
        return tuple(row) if row else (None, None, None)

    def process_item(self, item):
        state = self.state
        site = item.site
        if item.status >= 400:
            state.count(site, f"error:http_{item.status}")
        if item.kind not in ("page", "error", "other") or not site:
            return item
        state.load()
        db = state.database()
        capture_id, article_id, fetched_at = self._capture(db, item)
        validators = state.validators.pop(item.url, None)
        if capture_id is not None and validators:
            db.execute("UPDATE captures SET http_etag = ?, http_last_modified = ? WHERE id = ?",
                       [validators[0], validators[1], capture_id])
            db.conn.commit()
        known = state.known.get(item.url)
        known_article = known.article_id if known else None
        if item.article is not None and article_id is not None:
            self._versions(db, item, site, article_id, capture_id, fetched_at)
        elif known_article and (item.status == 304 or state.payload_unchanged(item)):
            versions.mark_seen(db, known_article, capture_id, fetched_at)
            if item.status == 200:
                state.count(site, "revisits")
            state.article_outcome(site, known_article, "unchanged")
        elif known_article and item.status in (404, 410):
            article = state.articles.get(known_article)
            if article is not None and versions.mark_removed(
                    db, known_article, when=fetched_at, reason=f"http {item.status}", capture_id=capture_id):
                article.status = "removed"
                state.count(site, "removed")
        return item

    def _versions(self, db, item, site, article_id, capture_id, fetched_at) -> None:
        state = self.state
        extraction = item.article
        row = db.execute("SELECT canonical_url, content_hash FROM articles WHERE id = ?", [article_id]).fetchone()
        canonical, content_hash = row
        outcome = versions.record_version(
            db, article_id, capture_id=capture_id, fetched_at=fetched_at, url=item.url,
            title=extraction.get("title"), text=extraction.get("text"), content_hash=content_hash,
            modified=extraction.get("modified"), word_count=extraction.get("word_count"),
            alias=canonicalize_url(item.url) != canonical, run_id=state.run_id,
        )
        if outcome == versions.NEW:
            state.new_articles[article_id] = site
        elif outcome == versions.ALIAS:
            self.crawler.stats.inc_value("incremental/alias_differs")
        state.article_outcome(site, article_id, versions.UNCHANGED if outcome == versions.ALIAS else outcome)
        info = state.articles.get(article_id)
        if info is None:
            state.articles[article_id] = ArticleInfo(article_id, item.url, canonical, site, None, "ok")
        state.known.setdefault(canonical, Known(article_id=article_id)).article_id = article_id
