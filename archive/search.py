"""Ranked full-text search over the archive, shared by Datasette and the CLI.

``search_sql`` builds the SQL and parameters (Datasette runs them with its time
limit), ``format_hit`` turns a result row into a dict, and ``search_articles`` does
both on a connection. Queries go through ``archive.query.normalize_query``, so they
meet the normalised index; snippets are cut from the original text by FTS5
(see archive/text.py for why the positions line up).
"""

from __future__ import annotations

import html
import re
import sqlite3
from typing import TYPE_CHECKING, Any

from archive.query import normalize_query

if TYPE_CHECKING:
    from collections.abc import Mapping

    from sqlite_utils import Database

__all__ = ["SORTS", "format_hit", "search_articles", "search_sql"]

FTS_TABLE = "articles_fts"
# A title hit outranks body hits: bm25 weights for (title, text)
TITLE_WEIGHT = 10.0
TEXT_WEIGHT = 1.0
SNIPPET_TOKENS = 32
# Control characters never occur in extracted text, so they can mark the hits
# in snippet() output until the text has been HTML-escaped.
_OPEN, _CLOSE = "\x02", "\x03"
SORTS = ("relevance", "date")
# Relevance: a query matching fewer articles than this is ranked by bm25 over all its
# matches; one matching at least this many ranks its this-many newest matches (by
# rowid, crawl order), title matches first (see search_sql). None: bm25 always.
RANK_CANDIDATES: int | None = 20_000
_ISO_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?)?)?")

_COLUMNS = """a.id, a.url, a.canonical_url, a.site, a.title, a.author, a.published,
    a.section, a.language, a.word_count"""


def search_sql(
    query: str | None,
    *,
    site: str | None = None,
    section: str | None = None,
    author: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    sort: str = "relevance",
    limit: int = 20,
    offset: int = 0,
) -> tuple[str, dict[str, Any]]:
    """SQL and named parameters for ``search_articles`` (same arguments)."""
    if sort not in SORTS:
        raise ValueError(f"sort must be one of {', '.join(SORTS)}, not {sort!r}")
    if limit < 1 or offset < 0:
        raise ValueError("limit must be positive and offset not negative")
    for value in (date_from, date_to):
        if value and not _ISO_DATE.fullmatch(value):
            raise ValueError(f"dates must be ISO 8601 (2024-03-01), not {value!r}")

    fts = normalize_query(query or "")
    where, params = [], {"limit": limit, "offset": offset}
    if fts:
        where.append(f"{FTS_TABLE} MATCH :fts")
        params["fts"] = fts
    for column, value in (("site", site), ("section", section), ("author", author)):
        if value:
            where.append(f"a.{column} = :{column}")
            params[column] = value
    if date_from:
        where.append("a.published >= :date_from")
        params["date_from"] = date_from
    if date_to:
        # Compare at the precision given: date_to=2024-03-01 includes that whole day
        where.append("substr(a.published, 1, length(:date_to)) <= :date_to")
        params["date_to"] = date_to
    where_sql = ("WHERE " + " AND ".join(where)) if where else ""
    by_date = "a.published DESC NULLS LAST, a.id DESC"

    # The page's rows are chosen first (CTE "ranked"); only they get snippets and
    # highlights: one per match took 2 s for a common word sorted by date.
    score = f"bm25({FTS_TABLE}, {TITLE_WEIGHT}, {TEXT_WEIGHT})"
    if fts and sort == "relevance" and RANK_CANDIDATES:
        params["candidates"] = RANK_CANDIDATES
        params["fts_title"] = fts if ":" in fts else f"title : ({fts})"
        page = _ranked_candidates(where, where_sql)
        rank, order = "ranked.rank", "ranked.rank, ranked.id DESC"
    elif fts:
        # bm25 over every match, or by date with bm25 for the page's rows alone
        by_rank = sort == "relevance"
        page = f"""ranked AS (
  SELECT a.id AS id{f", {score} AS rank" if by_rank else ""}
  FROM {FTS_TABLE} JOIN articles a ON a.id = {FTS_TABLE}.rowid
  {where_sql}
  ORDER BY {"rank" if by_rank else by_date}
  LIMIT :limit OFFSET :offset)"""
        rank, order = ("ranked.rank", "ranked.rank") if by_rank else (score, by_date)
    if fts:
        sql = f"""WITH {page}
SELECT {_COLUMNS},
    highlight({FTS_TABLE}, 0, char(2), char(3)) AS title_marked,
    snippet({FTS_TABLE}, 1, char(2), char(3), '…', {SNIPPET_TOKENS}) AS snippet_marked,
    {rank} AS rank
FROM ranked JOIN {FTS_TABLE} ON {FTS_TABLE}.rowid = ranked.id
JOIN articles a ON a.id = ranked.id
WHERE {FTS_TABLE} MATCH :fts
ORDER BY {order}"""
    else:
        # No words to match: a filtered listing, newest first
        sql = f"""SELECT {_COLUMNS}, a.title AS title_marked,
    substr(a.text, 1, 300) AS snippet_marked, NULL AS rank
FROM articles a
{where_sql}
ORDER BY {by_date}
LIMIT :limit OFFSET :offset"""
    return sql, params


def _ranked_candidates(where: list[str], where_sql: str) -> str:
    """The ``ranked`` page of a relevance query, in one of two modes.

    Count the matches up to RANK_CANDIDATES:
    - fewer (a "narrow" query): rank every match by bm25;
    - as many (a "broad" query: a common word on a big archive): bm25 would first
      scan the whole posting list of every term for its IDF (~50 ms per common word
      on 1M articles), so rank the RANK_CANDIDATES newest matches instead: title
      matches first, then newest archived.
    """
    # articles is read only to filter: without filters ranking is FTS5 alone
    join_for_filters = (
        f" JOIN articles a ON a.id = {FTS_TABLE}.rowid" if len(where) > 1 else ""
    )
    where_title = where_sql.replace("MATCH :fts", "MATCH :fts_title")
    return f"""matches AS (
  SELECT count(*) AS n FROM (
    SELECT 1 FROM {FTS_TABLE}{join_for_filters} {where_sql} LIMIT :candidates)),
candidates AS (
  SELECT {FTS_TABLE}.rowid AS id,
    CASE WHEN (SELECT n FROM matches) < :candidates
      THEN bm25({FTS_TABLE}, {TITLE_WEIGHT}, {TEXT_WEIGHT}) END AS score
  FROM {FTS_TABLE}{join_for_filters}
  {where_sql}
  ORDER BY {FTS_TABLE}.rowid DESC LIMIT :candidates),
titled AS (
  -- only within the candidates' rowid range: title matches may be rare
  SELECT {FTS_TABLE}.rowid AS id FROM {FTS_TABLE}{join_for_filters}
  {where_title} AND {FTS_TABLE}.rowid >= (SELECT min(id) FROM candidates)
  ORDER BY {FTS_TABLE}.rowid DESC),
ranked AS (
  SELECT id, coalesce(score, CASE WHEN id IN titled THEN -2.0 ELSE -1.0 END) AS rank
  FROM candidates
  ORDER BY rank, id DESC
  LIMIT :limit OFFSET :offset)"""


def _marked_to_html(marked: str | None) -> str:
    # Escape first: the text is scraped and must never reach a page as markup
    escaped = html.escape(marked or "", quote=False)
    return escaped.replace(_OPEN, "<mark>").replace(_CLOSE, "</mark>")


def _unmark(marked: str | None) -> str:
    return (marked or "").replace(_OPEN, "").replace(_CLOSE, "")


def format_hit(row: Mapping[str, Any]) -> dict[str, Any]:
    """One result row as a dict: the article's columns plus ``rank`` (bm25, lower is
    better; None without a query), ``snippet`` (plain text) and ``snippet_html`` /
    ``title_html`` (HTML-escaped, hits wrapped in ``<mark>``)."""
    hit = {key: row[key] for key in row.keys()}
    title_marked = hit.pop("title_marked")
    snippet_marked = hit.pop("snippet_marked")
    hit["title_html"] = _marked_to_html(title_marked)
    hit["snippet"] = _unmark(snippet_marked)
    hit["snippet_html"] = _marked_to_html(snippet_marked)
    return hit


def search_articles(
    db: Database | sqlite3.Connection,
    query: str | None,
    *,
    site: str | None = None,
    section: str | None = None,
    author: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    sort: str = "relevance",
    limit: int = 20,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Search articles by words in their title and text, best match first.

    Args:
        db: the archive, as a sqlite-utils ``Database`` or a plain (read-only is
            fine) ``sqlite3.Connection``.
        query: words as typed, with FTS5 syntax if wanted (see
            ``archive.query.normalize_query``); empty lists the newest articles.
        site, section, author: exact-match filters.
        date_from, date_to: ISO dates or datetimes bounding ``published``, both
            inclusive at the precision given.
        sort: ``"relevance"`` (bm25, title hits weigh 10x) or ``"date"`` (newest).
        limit, offset: paging.

    Returns:
        A list of dicts, see ``format_hit``.

    Raises:
        ValueError: on an unknown sort, bad paging or a malformed date.
    """
    sql, params = search_sql(
        query,
        site=site,
        section=section,
        author=author,
        date_from=date_from,
        date_to=date_to,
        sort=sort,
        limit=limit,
        offset=offset,
    )
    conn = db if isinstance(db, sqlite3.Connection) else db.conn
    cursor = conn.execute(sql, params)
    columns = [d[0] for d in cursor.description]
    return [
        format_hit(dict(zip(columns, row, strict=True))) for row in cursor.fetchall()
    ]
