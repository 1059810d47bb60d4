"""The ``failures`` table: why a URL was not archived normally, and how often.

One row per ``(url, reason)``: recording the same failure again bumps ``count``
and ``last_seen`` and keeps the latest ``detail``, ``status`` and ``crawl_id``.
The reasons and their categories are listed in ``crawler.failures.REASONS`` and
explained in docs/failures.md. Pure code (no Scrapy): the crawler's
``FailureLog`` extension and ``arshif repair`` call it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlite_utils import Database

__all__ = ["failure_counts", "record_failure"]

_UPSERT = """
INSERT INTO failures (url, site, reason, category, detail, status, first_seen, last_seen,
                      count, crawl_id)
VALUES (:url, :site, :reason, :category, :detail, :status, :now, :now, :count, :crawl_id)
ON CONFLICT (url, reason) DO UPDATE SET
    site = coalesce(excluded.site, site),
    category = excluded.category,
    detail = excluded.detail,
    status = coalesce(excluded.status, status),
    last_seen = excluded.last_seen,
    count = count + excluded.count,
    crawl_id = coalesce(excluded.crawl_id, crawl_id)
"""


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def record_failure(db: Database, *, url: str, reason: str, category: str, site: str | None = None,
                   detail: str = "", status: int | None = None, crawl_id: str | None = None,
                   count: int = 1) -> None:
    """Insert or bump the ``(url, reason)`` row, in its own write transaction.

    ``count=0`` refreshes detail and ``last_seen`` without counting another
    occurrence (a trap's final tally, for example).
    """
    if not url or not reason:
        raise ValueError("a failure needs a url and a reason")
    params = {"url": url, "site": site, "reason": reason, "category": category,
              "detail": (detail or "")[:2000], "status": status, "now": _now(), "count": count,
              "crawl_id": crawl_id or None}
    conn = db.conn
    if conn.in_transaction:
        conn.execute(_UPSERT, params)
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute(_UPSERT, params)
    except BaseException:
        conn.rollback()
        raise
    conn.commit()


def failure_counts(db: Database, crawl_id: str | None = None) -> dict[str, int]:
    """``{reason: rows}``, for one crawl or all of them."""
    sql = "SELECT reason, count(*) FROM failures"
    params: list[str] = []
    if crawl_id:
        sql += " WHERE crawl_id = ?"
        params.append(crawl_id)
    return dict(db.execute(sql + " GROUP BY reason ORDER BY reason", params).fetchall())
