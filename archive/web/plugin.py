"""Datasette plugin (entry point ``arshif``) publishing the archive read-only.

Hooks:
- ``prepare_connection``: the SQL function ``arshif_normalize(text)`` (up to 2 M
  characters, see archive/web/guard.py); on a database with ``articles_fts`` it also replaces
  Datasette's ``escape_fts``, which the table view wraps around ``?_search=`` and
  ``?_search_<column>=``, by ``archive.query.normalize_query``. So ``?_search=أحمد``
  finds احمد/أحمد/أَحْمَد and clitic forms while the page, the search box and every
  link keep the query as typed. (``_searchmode=raw`` skips it: raw FTS5 over the
  normalised index.)
- ``render_cell``: article title and text right-to-left in an Arabic font stack,
  one ``<p>`` per paragraph. The scraped text is always escaped, never trusted.
- ``register_routes``: ``/-/search`` and ``/-/search.json``, ranked search with
  snippets through ``archive.search``; ``/-/arshif/<file>`` serves archive/web/static.
  Ids out of SQLite's range answer 404; ``/-/databases``, ``/-/versions`` and
  ``/-/threads`` answer 403 but to the actors ``permission_allowed`` lets see
  ``arshif-instance-details`` (archive/web/guard.py).
- ``extra_css_urls``, ``prepare_jinja2_environment``: our CSS and templates
  (Datasette only finds a plugin's static/ and templates/ by itself when the
  plugin is a package).

``serve_args`` and ``build_datasette`` are what ``arshif serve`` calls.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.utils.asgi import Response, asgi_static
from jinja2 import ChoiceLoader, FileSystemLoader
from markupsafe import Markup

from archive.query import normalize_query
from archive.schema import NORMALIZE_FUNCTION
from archive.search import FTS_TABLE, format_hit, search_sql
from archive.search_limits import MAX_PAGE
from archive.web.article_page import ROUTE as ARTICLE_ROUTE
from archive.web.article_page import article_path, article_view
from archive.web.database import archive_database
from archive.web.facets import MonthFacet
from archive.web.guard import (
    INSTANCE_DETAILS,
    INSTANCE_DETAILS_ROUTE,
    bounded_normalize,
    guard_ids,
    instance_details_allowed,
    instance_details_view,
    search_slots,
)

if TYPE_CHECKING:
    from datasette.app import Datasette

logger = logging.getLogger(__name__)

# `rich` (installed with wacz -> frictionless -> typer) makes Datasette 0.65's
# default exception handler call rich's print_exception() outside an except
# block for a plain 404 (a path no route matches), which raises ValueError and
# turns the 404 into a 500. Datasette only uses rich to pretty-print tracebacks
# on the console, so it is switched off, at startup: datasette.handle_exception
# imports datasette.plugins, which loads the plugin entry points, this module
# included. Imported here at module level, that registered this module half
# initialised, with none of its hooks, whenever archive.web.plugin was
# imported before datasette.plugins (tests/test_browser.py, then any
# in-process Datasette had no /-/search or /-/article routes).


@hookimpl
def startup():
    import datasette.handle_exception as handle_exception

    handle_exception.rich = None

HERE = Path(__file__).parent
METADATA_PATH = HERE / "metadata.yml"
DB_FILENAME = "archive.db"
PAGE_SIZE = 20
# search_articles keyword <- /-/search query parameter
SEARCH_FILTERS = (
    ("site", "site"),
    ("section", "section"),
    ("author", "author"),
    ("date_from", "from"),
    ("date_to", "to"),
)
RTL_LANGUAGES = ("ar", "fa", "ur", "he", "ps", "ckb", "syr")
# Passed as --setting: metadata cannot carry settings in Datasette 0.65
SETTINGS: dict[str, Any] = {
    "sql_time_limit_ms": 3000,
    "facet_time_limit_ms": 500,
    # Suggestions cost ~1 s per table page on 100k articles (FINDINGS.md)
    "suggest_facets": False,
    "default_page_size": 20,
    "allow_download": False,  # a GB-sized file; the WARCs are the real export
}


@hookimpl(trylast=True)  # after Datasette's own escape_fts, so ours replaces it
def prepare_connection(conn, database):
    conn.create_function(NORMALIZE_FUNCTION, 1, bounded_normalize, deterministic=True)
    has_fts = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [FTS_TABLE]
    ).fetchone()
    if has_fts:
        # '""' matches nothing, where an empty MATCH is a syntax error. A query
        # over archive.search_limits raises: a 400 "Invalid SQL" on the table page
        conn.create_function(
            "escape_fts", 1, lambda q: normalize_query(q or "") or '""'
        )
        logger.debug("escape_fts normalises Arabic in database %s", database)


def _direction(row) -> tuple[str, str]:
    try:
        language = row["language"] or "ar"
    except (IndexError, KeyError):  # column left out with ?_col=
        language = "ar"
    rtl = language.split("-")[0].lower() in RTL_LANGUAGES
    return ("rtl" if rtl else "auto"), language


@hookimpl
def render_cell(row, value, column, table, datasette, database):
    if table in ("article_versions", "articles") and column in ("version", "version_count"):
        # issue 6: link a version to its diff from the one before it
        from archive.versions import version_cell

        return version_cell(datasette, row, value, column, table)
    if table == "articles" and column == "capture_id" and value is not None:
        # issue 3: snapshot, WACZ and citation of the article's latest capture
        from archive.web.snapshot import evidence_cell

        return evidence_cell(datasette, database, row, value)
    if table != "articles" or column not in ("title", "text"):
        return None
    if not isinstance(value, str) or not value:
        return None
    direction, language = _direction(row)
    if column == "title":
        title = Markup('<span class="arshif-title" dir="{}" lang="{}">{}</span>').format(
            direction, language, value
        )
        try:  # the title links to the reader's page of the article
            article_id = int(row["id"])
        except (IndexError, KeyError, TypeError, ValueError):
            return title
        return Markup('<a class="arshif-article-link" href="{}">{}</a>').format(
            article_path(datasette, article_id), title
        )
    paragraphs = Markup("").join(
        Markup("<p>{}</p>").format(line.strip())
        for line in value.splitlines()
        if line.strip()
    )
    return Markup('<div class="arshif-text" dir="{}" lang="{}">{}</div>').format(
        direction, language, paragraphs
    )


@hookimpl
def register_facet_classes():
    # ?_facet_month=published and {"month": "published"} in metadata facets
    return [MonthFacet]


@hookimpl
def extra_css_urls(datasette):
    return [datasette.urls.path("/-/arshif/arshif.css")]


@hookimpl
def prepare_jinja2_environment(env):
    # Appended, so a --template-dir can still override our templates
    env.loader = ChoiceLoader([env.loader, FileSystemLoader(str(HERE / "templates"))])


@hookimpl
def extra_template_vars(view_name, request, datasette):
    # issue 3: the citation line on the article page
    if view_name != "arshif_article":
        return None
    from archive.web.snapshot import article_template_vars

    return article_template_vars(datasette, request)


@hookimpl
def register_routes():
    from archive.web.snapshot import (
        CITE_ROUTE,
        SNAPSHOT_ROUTE,
        WACZ_ROUTE,
        citation_view,
        snapshot_view,
        wacz_view,
    )

    return [
        (r"^/-/search(?P<format>\.json)?$", search_view),
        (ARTICLE_ROUTE, guard_ids(article_view)),
        # issue 3: evidence downloads (archive/web/snapshot.py)
        (SNAPSHOT_ROUTE, guard_ids(snapshot_view)),
        (WACZ_ROUTE, wacz_view),
        (CITE_ROUTE, guard_ids(citation_view)),
        # issue 6: the change between two versions of an article (archive/versions.py)
        (r"^/-/diff/(?P<article_id>\d+)(?P<format>\.json)?$", guard_ids(diff_view)),
        (r"^/-/arshif/(?P<path>[\w.-]+)$", asgi_static(HERE / "static")),
        # issue 16: shadows Datasette's own pages, which show the data directory
        (INSTANCE_DETAILS_ROUTE, instance_details_view),
    ]


@hookimpl
def permission_allowed(datasette, actor, action):
    if action == INSTANCE_DETAILS:
        return instance_details_allowed(datasette, actor)
    return None


async def diff_view(datasette, request):
    from archive.versions import diff_view as view

    return await view(datasette, request)


async def search_view(datasette, request):
    as_json = request.url_vars.get("format") == ".json"
    db = await archive_database(datasette)
    if db is None:
        return Response.text("No archive database with articles_fts", status=404)
    await datasette.ensure_permissions(
        request.actor,
        [
            ("view-table", (db.name, "articles")),
            ("view-database", db.name),
            "view-instance",
        ],
    )
    args = request.args
    q = args.get("q", "").strip()
    filters = {key: args.get(param) for key, param in SEARCH_FILTERS if args.get(param)}
    try:  # refuses a query over archive.search_limits before any work
        fts_query = normalize_query(q)
    except ValueError as error:
        return _error(as_json, str(error))
    data = {
        "query": q,
        "fts_query": fts_query,
        "filters": filters,
        "sort": args.get("sort") or "relevance",
        "page": 1,
        "results": [],
        "next_url": None,
    }
    # An empty form shows the form, not the whole archive
    if q or filters:
        try:
            data["page"] = max(1, int(args.get("page") or 1))
            if data["page"] > MAX_PAGE:
                raise ValueError(f"page goes up to {MAX_PAGE}: add words or filters")
            # one row more than a page tells whether there is a next page
            sql, params = search_sql(
                q,
                **filters,
                sort=data["sort"],
                limit=PAGE_SIZE + 1,
                offset=(data["page"] - 1) * PAGE_SIZE,
            )
            async with search_slots(datasette):
                results = await db.execute(sql, params)
        except ValueError as error:
            return _error(as_json, str(error))
        except QueryInterrupted:  # over sql_time_limit_ms
            return _error(as_json, "Search took too long: add words or filters")
        hits = [format_hit(row) for row in results.rows]
        for hit in hits:
            hit["row_url"] = datasette.urls.row(db.name, "articles", hit["id"])
            hit["article_url"] = article_path(datasette, hit["id"])
        data["results"] = hits[:PAGE_SIZE]
        if len(hits) > PAGE_SIZE:
            path = datasette.urls.path("/-/search" + (".json" if as_json else ""))
            next_args = {**dict(args), "page": str(data["page"] + 1)}
            data["next_url"] = f"{path}?{urlencode(next_args)}"
    if as_json:
        return Response.json(data)
    for hit in data["results"]:
        # Built by archive.search from html.escape()d text plus <mark> tags
        hit["title_html"] = Markup(hit["title_html"])
        hit["snippet_html"] = Markup(hit["snippet_html"])
    return Response.html(
        await datasette.render_template(
            "arshif_search.html", {**data, "database": db.name}, request=request
        )
    )


def _error(as_json: bool, message: str) -> Response:
    if as_json:
        return Response.json({"ok": False, "error": message}, status=400)
    return Response.text(message, status=400)


# --- serving ---------------------------------------------------------------


def load_metadata(database: str = "archive") -> dict[str, Any]:
    """metadata.yml as a dict, its ``archive`` database renamed to ``database``."""
    import yaml

    metadata = yaml.safe_load(METADATA_PATH.read_text(encoding="utf-8"))
    databases = metadata.get("databases", {})
    if database != "archive" and "archive" in databases:
        databases[database] = databases.pop("archive")
    return metadata


def serve_args(
    data_dir: str | Path, *, port: int = 8001, host: str = "127.0.0.1"
) -> list[str]:
    """Arguments for the ``datasette`` command serving ``<data_dir>/archive.db``.

    Run ``open_archive`` on the file first so the schema exists. The database is
    not opened ``--immutable``: the crawler keeps writing to it. Nothing is
    writable through Datasette (no write plugins, no canned write queries).
    """
    args = [
        "serve",
        str(Path(data_dir) / DB_FILENAME),
        "--metadata",
        str(METADATA_PATH),
    ]
    args += ["--host", host, "--port", str(port)]
    for name, value in SETTINGS.items():
        if isinstance(value, bool):
            value = "on" if value else "off"
        args += ["--setting", name, str(value)]
    return args


def build_datasette(db_path: str | Path, **settings: Any) -> Datasette:
    """An in-process Datasette on the archive at ``db_path`` (created if missing),
    with our metadata and ``SETTINGS`` (overridden by keyword arguments)."""
    # Imported here: Datasette imports this module while loading its plugins
    from datasette.app import Datasette

    from archive.db import open_archive

    open_archive(db_path).close()
    return Datasette(
        [str(db_path)],
        metadata=load_metadata(Path(db_path).stem),
        settings={**SETTINGS, **settings},
    )
