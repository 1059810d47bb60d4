"""The article page: ``/-/article/<id>`` (HTML) and ``/-/article/<id>.json``.

A reader's view of one archived article: headline, byline, date, site and section
(each a link to the articles table filtered on it, so the page is part of facet
navigation), the text right-to-left in an Arabic typeface, the original URL, the
capture history (every capture of its URL or canonical URL, newest first, with
WARC file, offset, status and payload digest) and the downloads.

Downloads are served by other routes (issue 3: a per-capture snapshot
``/-/snapshot/<capture_id>.warc.gz`` and the crawl's WACZ). The page links to a
download only when some plugin route answers its path, and shows it as "not
available yet" otherwise, so it never links to a 404. ``SNAPSHOT_PATH`` and
``WACZ_PATH`` are the contract.

Extension: the template includes ``arshif_article_extra.html`` when such a
template exists (e.g. version history), with the same context.

Registered by ``archive.web.plugin.register_routes``.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from datasette.utils.asgi import NotFound, Response

from archive.web.database import archive_database
from archive.web.facets import LEVANTINE_MONTHS

if TYPE_CHECKING:
    from datasette.app import Datasette

ROUTE = r"^/-/article/(?P<id>\d+)(?P<format>\.json)?$"
# Download routes served elsewhere (issue 3); placeholders until they exist
SNAPSHOT_PATH = "/-/snapshot/{capture_id}.warc.gz"
WACZ_PATH = "/-/wacz/{crawl}.wacz"
MAX_CAPTURES = 200
RTL_LANGUAGES = ("ar", "fa", "ur", "he", "ps", "ckb", "syr")

_CAPTURE_SQL = """
SELECT id, url, status, content_type, fetched_at, warc_file, warc_offset,
       warc_length, warc_record_id, payload_digest, kind, via, article_id
FROM captures
WHERE article_id = :id OR url IN (:url, :canonical_url)
ORDER BY fetched_at DESC, id DESC
LIMIT :limit
"""
# "arshif-20261124235909-00001-21837.warc.gz" -> crawl "20261124235909"
_CRAWL_IN_WARC_NAME = re.compile(r"-(\d{14})-\d+")


def article_path(datasette: Datasette, article_id: int | str) -> str:
    """The article page's path, honouring Datasette's base_url."""
    return datasette.urls.path(f"/-/article/{article_id}")


def arabic_date(value: str | None) -> str:
    """``2023-04-17T09:05:00+03:00`` → ``17 نيسان 2023، 09:05``; the ISO text on
    anything it cannot parse."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    text = f"{moment.day} {LEVANTINE_MONTHS[moment.month - 1]} {moment.year}"
    if "T" in value or " " in value.strip():
        text += f"، {moment:%H:%M}"
    return text


def _route_available(datasette: Datasette, path: str) -> bool:
    """Whether some plugin route answers ``path`` (checked once per pattern)."""
    cache = getattr(datasette, "_arshif_routes", None)
    if cache is None:
        from datasette.plugins import pm

        cache = [
            re.compile(pattern)
            for routes in pm.hook.register_routes(datasette=datasette)
            for pattern, _ in (routes or [])
        ]
        datasette._arshif_routes = cache
    return any(pattern.match(path) for pattern in cache)


def _download(datasette: Datasette, path: str) -> dict[str, Any]:
    return {
        "url": datasette.urls.path(path),
        "available": _route_available(datasette, path),
    }


def _table_link(datasette: Datasette, database: str, **filters: str) -> str:
    return datasette.urls.table(database, "articles") + "?" + urlencode(filters)


def _direction(language: str | None) -> str:
    return "rtl" if (language or "ar").split("-")[0].lower() in RTL_LANGUAGES else "auto"


async def article_context(
    datasette: Datasette, db, article_id: int
) -> dict[str, Any] | None:
    """Everything the page shows, as plain data (also the ``.json`` response)."""
    rows = await db.execute("SELECT * FROM articles WHERE id = :id", {"id": article_id})
    if not rows.rows:
        return None
    article = dict(rows.rows[0])
    site = None
    if article.get("site"):
        site_rows = await db.execute(
            "SELECT name, title, base_url FROM sites WHERE name = :name",
            {"name": article["site"]},
        )
        site = dict(site_rows.rows[0]) if site_rows.rows else {"name": article["site"]}
    captures = [
        dict(row)
        for row in (
            await db.execute(
                _CAPTURE_SQL,
                {
                    "id": article_id,
                    "url": article["url"],
                    "canonical_url": article["canonical_url"],
                    "limit": MAX_CAPTURES,
                },
            )
        ).rows
    ]
    crawls = []
    for capture in captures:
        capture["snapshot"] = _download(
            datasette, SNAPSHOT_PATH.format(capture_id=capture["id"])
        )
        capture["row_url"] = datasette.urls.row(db.name, "captures", capture["id"])
        match = _CRAWL_IN_WARC_NAME.search(capture.get("warc_file") or "")
        if match and match.group(1) not in crawls:
            crawls.append(match.group(1))
    links = {
        "table_row": datasette.urls.row(db.name, "articles", article_id),
        "json": datasette.urls.path(f"/-/article/{article_id}.json"),
        "site": _table_link(datasette, db.name, site=article["site"])
        if article.get("site")
        else None,
        "author": _table_link(datasette, db.name, author=article["author"])
        if article.get("author")
        else None,
        "section": _table_link(datasette, db.name, section=article["section"])
        if article.get("section")
        else None,
        "month": _table_link(
            datasette, db.name, published__startswith=article["published"][:7]
        )
        if (article.get("published") or "")[:4].isdigit()
        else None,
    }
    # issue 6's version history, when the article has more than one version
    diff_path = f"/-/diff/{article_id}"
    if (article.get("version_count") or 0) > 1 and _route_available(datasette, diff_path):
        links["diff"] = datasette.urls.path(diff_path)
    return {
        "article": article,
        "site": site,
        "captures": captures,
        "paragraphs": [line.strip() for line in (article.get("text") or "").splitlines() if line.strip()],
        "published_display": arabic_date(article.get("published")),
        "modified_display": arabic_date(article.get("modified"))
        if article.get("modified") and article.get("modified") != article.get("published")
        else "",
        "direction": _direction(article.get("language")),
        "language": article.get("language") or "ar",
        "links": links,
        "wacz": [
            {"crawl": crawl, **_download(datasette, WACZ_PATH.format(crawl=crawl))}
            for crawl in crawls
        ],
        "database": db.name,
    }


async def article_view(datasette: Datasette, request) -> Response:

    as_json = request.url_vars.get("format") == ".json"
    db = await archive_database(datasette)
    if db is None:
        raise NotFound("No archive database")
    await datasette.ensure_permissions(
        request.actor,
        [
            ("view-table", (db.name, "articles")),
            ("view-database", db.name),
            "view-instance",
        ],
    )
    context = await article_context(datasette, db, int(request.url_vars["id"]))
    if context is None:
        raise NotFound("No such article")
    if as_json:
        return Response.json(context, default=str)
    return Response.html(
        await datasette.render_template(
            "arshif_article.html", context, request=request, view_name="arshif_article"
        )
    )
