"""What keeps one request from stalling or unmasking a public arshif instance.

Used by ``archive.web.plugin`` (issue 16, items 6 and 10):

- ``guard_ids``: a route's numeric ids beyond SQLite's 64-bit integers answer 404
  (sqlite3 raised OverflowError on binding them: a 500).
- ``search_slots``: ``/-/search`` runs on Datasette's SQL threads (3 by default);
  it may hold all but one, so a burst of costly searches, each up to
  ``sql_time_limit_ms``, never leaves table, row and article pages waiting.
- ``bounded_normalize``: ``arshif_normalize`` for Datasette's connections, whose
  SQL anyone may write: a Python SQL function holds the GIL, and so the event loop,
  for as long as it runs (~40 ms per MB), which SQLite's time limit cannot stop.
- ``instance_details_view``: ``/-/databases`` (the data directory's path),
  ``/-/versions`` and ``/-/threads`` (software versions, server internals) answer
  403 unless the actor may ``arshif-instance-details``: ``root`` (``datasette
  --root``), or whoever ``plugins: arshif: instance_details`` (an allow block,
  ``true`` for everyone) names in the metadata.
"""

from __future__ import annotations

import asyncio
import functools
from typing import TYPE_CHECKING, Any

from datasette.utils import actor_matches_allow
from datasette.utils.asgi import Forbidden, NotFound

from archive.schema import sql_normalize
from archive.search_limits import sqlite_int

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from datasette.app import Datasette

INSTANCE_DETAILS = "arshif-instance-details"
INSTANCE_DETAILS_ROUTE = r"^/-/(?P<detail>databases|versions|threads)(\.(?P<format>json))?$"
# Twice the longest article text seen: beyond, arshif_normalize refuses its input
MAX_NORMALIZE_CHARS = 2_000_000
# url_vars of arshif's routes that hold a row id
ID_VARS = ("id", "article_id")


def guard_ids(view: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """``view`` answering 404 when one of its ids is no SQLite integer."""

    @functools.wraps(view)
    async def guarded(datasette, request):
        for name in ID_VARS:
            value = request.url_vars.get(name)
            if value is not None and sqlite_int(value) is None:
                raise NotFound(f"No such {name.replace('_', ' ')}: out of range")
        return await view(datasette, request)

    return guarded


def search_slots(datasette: Datasette) -> asyncio.Semaphore:
    """How many searches may run at once on this instance's SQL threads."""
    slots = getattr(datasette, "_arshif_search_slots", None)
    if slots is None:
        threads = datasette.setting("num_sql_threads") or 1
        slots = asyncio.Semaphore(max(1, threads - 1))
        datasette._arshif_search_slots = slots
    return slots


def bounded_normalize(value: str | None) -> str | None:
    if value is not None and len(str(value)) > MAX_NORMALIZE_CHARS:
        raise ValueError(f"arshif_normalize takes at most {MAX_NORMALIZE_CHARS:,} characters")
    return sql_normalize(value)


def instance_details_allowed(datasette: Datasette, actor: dict | None) -> bool:
    if actor and actor.get("id") == "root":
        return True
    allow = (datasette.plugin_config("arshif") or {}).get("instance_details")
    return allow is not None and actor_matches_allow(actor, allow)


async def instance_details_view(datasette: Datasette, request):
    """Datasette's own ``/-/databases``, ``/-/versions``, ``/-/threads`` pages, for
    the actors allowed to see them (this route shadows Datasette's)."""
    from datasette.views.special import JsonDataView

    if not await datasette.permission_allowed(request.actor, INSTANCE_DETAILS, default=False):
        raise Forbidden(f"{request.path} is not public on this instance")
    detail = request.url_vars["detail"]
    data = {
        "databases": datasette._connected_databases,
        "versions": datasette._versions,
        "threads": datasette._threads,
    }[detail]
    return await JsonDataView(datasette, f"{detail}.json", data).get(request)
