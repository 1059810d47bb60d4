"""The crawl runs table: one row per crawl, one ``crawl_run_sites`` row per site in it.

A run is inserted as ``running`` when the crawl opens and completed when it closes,
so a crawl that died (kill -9, power cut) stays visible as ``running`` with no end.
Per-site counts:

- requests: requests sent to the site; pages: responses received (any status);
- new: articles first stored; changed: articles with a new version; unchanged:
  known articles fetched again with the same title and text, of which
  not_modified answered 304 and revisits had a byte-identical payload (WARC revisit
  record, no re-extraction);
- removed: articles found gone (404/410, redirect to a home or listing page); moved:
  articles that redirect to a new URL;
- skipped: known pages the re-visit policy did not fetch again;
- errors / errors_by_kind: failed fetches by reason (http_404, TimeoutError, ...).
"""

from __future__ import annotations

import json
import os
from collections import Counter
from typing import TYPE_CHECKING, Any

from archive.db import _ensure_site, write_transaction, utc_now

if TYPE_CHECKING:
    from sqlite_utils import Database

SITE_COUNTS = ("requests", "pages", "new", "changed", "unchanged", "not_modified", "revisits",
               "removed", "moved", "skipped")
RUN_TOTALS = ("requests", "pages", "new", "changed", "unchanged", "removed", "moved", "errors")


def start_run(db: Database, *, crawl_id: str, mode: str, trigger: str, sites: list[str],
              now: str | None) -> int:
    with write_transaction(db):
        return db.table("crawl_runs").insert({
            "crawl_id": crawl_id, "started": utc_now(), "status": "running", "mode": mode,
            "trigger": trigger, "sites": json.dumps(sites), "now": now,
            "stats": json.dumps({"pid": os.getpid()}),
        }).last_pk


def finish_run(db: Database, run_id: int, *, status: str, sites: list[str],
               per_site: dict[str, Counter], stats: dict[str, Any] | None = None) -> dict[str, int]:
    """Write the per-site rows and the run's totals; return the totals."""
    totals: Counter = Counter()
    with write_transaction(db):
        for site in sites:
            counts = per_site.get(site, Counter())
            errors = {k.split(":", 1)[1]: v for k, v in counts.items() if k.startswith("error:")}
            row = {name: counts.get(name, 0) for name in SITE_COUNTS}
            row.update(run_id=run_id, site=site, errors=sum(errors.values()),
                       errors_by_kind=json.dumps(dict(sorted(errors.items()))))
            _ensure_site(db, site)
            db.table("crawl_run_sites").upsert(row, pk=("run_id", "site"))
            totals.update({name: row[name] for name in RUN_TOTALS})
        record = {name: totals.get(name, 0) for name in RUN_TOTALS}
        record.update(ended=utc_now(), status=status, sites=json.dumps(sites),
                      stats=json.dumps(stats or {}, default=str, sort_keys=True))
        db.table("crawl_runs").update(run_id, record)
    return dict(record)


def last_runs(db: Database, limit: int = 10) -> list[dict]:
    rows = db.execute(
        "SELECT id, crawl_id, started, ended, status, mode, new, changed, unchanged, removed, "
        "moved, errors FROM crawl_runs ORDER BY id DESC LIMIT ?", [limit]).fetchall()
    keys = ("id", "crawl_id", "started", "ended", "status", "mode", "new", "changed", "unchanged",
            "removed", "moved", "errors")
    return [dict(zip(keys, row)) for row in rows]
