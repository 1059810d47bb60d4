"""CDXJ indexes of the project's WARC files, one per crawl.

``data/indexes/<crawl>.cdxj`` indexes the WARC files of one crawl (those the
``warc_files`` table lists under that crawl id) with the ``cdxj-indexer``
package that pywb and py-wacz use: one line per response, revisit and resource
record, sorted by SURT key and timestamp, each with the URL, MIME type, status,
payload digest, record length and offset and the WARC file name (relative to
``data/warc``). A pywb collection whose ``indexes/`` holds these files and whose
``archive/`` holds ``data/warc`` replays every crawl, revisits included (pywb
resolves a revisit through the other index files).
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from cdxj_indexer.main import CDXJIndexer

INDEX_DIR = "indexes"
WARC_DIR = "warc"


def iso_utc_z(value: str | None) -> str | None:
    """``2026-11-24T23:58:45+00:00`` -> ``2026-11-24T23:58:45Z`` (what py-wacz and citations use).

    Naive times are taken as UTC; an empty or unparsable value gives None.
    """
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def safe_name(crawl_id: str) -> str:
    """A crawl id as a file name: letters, digits, '.', '_' and '-' only."""
    name = re.sub(r"[^A-Za-z0-9._-]", "_", crawl_id).strip(".")
    if not name:
        raise ValueError(f"crawl id {crawl_id!r} cannot name a file")
    return name


def cdxj_path(data_dir: str | Path, crawl_id: str) -> Path:
    return Path(data_dir) / INDEX_DIR / f"{safe_name(crawl_id)}.cdxj"


def backfill_crawl_ids(db, data_dir: str | Path) -> int:
    """Give ``warc_files`` rows recorded without a crawl id (e.g. by ``arshif repair``)
    the one their ``warcinfo`` names (``crawl-id``, else ``isPartOf``); return how many."""
    from archive.verify import parse_record
    from archive.warc_members import read_member

    rows = db.execute("SELECT name FROM warc_files WHERE crawl_id IS NULL OR crawl_id = ''").fetchall()
    found = 0
    for (name,) in rows:
        try:
            _, data = read_member(Path(data_dir) / WARC_DIR / name, 0, keep=1 << 20)  # a warcinfo
        except Exception:  # noqa: BLE001 - missing or unreadable: arshif verify reports it
            continue
        record = parse_record(data)
        if record.type != "warcinfo":
            continue
        # fields end at CRLF only: a description holding U+2028 must not add a crawl-id
        fields = dict(line.split(":", 1) for line in record.block.decode("utf-8", "replace").split("\r\n")
                      if ":" in line)
        crawl_id = (fields.get("crawl-id") or fields.get("isPartOf") or "").strip()
        if crawl_id:
            with db.conn:
                db.execute("UPDATE warc_files SET crawl_id = ? WHERE name = ?", [crawl_id, name])
            found += 1
    return found


def crawl_ids(db) -> list[str]:
    """Crawl ids with recorded WARC files, oldest first."""
    rows = db.execute(
        "SELECT crawl_id FROM warc_files WHERE crawl_id IS NOT NULL "
        "GROUP BY crawl_id ORDER BY min(closed_at), crawl_id"
    ).fetchall()
    return [row[0] for row in rows]


def crawl_warc_files(db, crawl_id: str) -> list[str]:
    """Names (relative to data/warc) of the WARC files recorded for ``crawl_id``."""
    rows = db.execute(
        "SELECT name FROM warc_files WHERE crawl_id = ? ORDER BY name", [crawl_id]
    ).fetchall()
    return [row[0] for row in rows]


@dataclass(frozen=True)
class CdxjLine:
    urlkey: str
    timestamp: str
    fields: dict

    @property
    def url(self) -> str:
        return self.fields.get("url", "")


def parse_cdxj(lines: Iterable[str]) -> list[CdxjLine]:
    import json

    entries = []
    for line in lines:
        line = line.rstrip("\n")
        if not line or line.startswith("!"):
            continue
        urlkey, timestamp, fields = line.split(" ", 2)
        entries.append(CdxjLine(urlkey, timestamp, json.loads(fields)))
    return entries


def write_cdxj(warc_paths: Iterable[str | Path], out: str | Path) -> int:
    """Index ``warc_paths`` into the sorted CDXJ file ``out`` (written atomically); return lines."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    indexer = CDXJIndexer(
        buffer, [str(p) for p in warc_paths], sort=True, post_append=True, fields="referrer",
    )
    indexer.process_all()
    text = buffer.getvalue()
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, out)
    return text.count("\n")


def index_crawl(data_dir: str | Path, crawl_id: str, db=None) -> Path:
    """Write ``data/indexes/<crawl>.cdxj`` for one crawl; return its path."""
    from archive.db import open_archive

    data_dir = Path(data_dir)
    own = db is None
    if own:
        db = open_archive(data_dir / "archive.db")
    try:
        names = crawl_warc_files(db, crawl_id)
    finally:
        if own:
            db.close()
    if not names:
        raise LookupError(f"no WARC files recorded for crawl {crawl_id!r}")
    paths = [data_dir / WARC_DIR / name for name in names]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise FileNotFoundError(f"WARC files of crawl {crawl_id!r} missing: {', '.join(missing)}")
    out = cdxj_path(data_dir, crawl_id)
    write_cdxj(paths, out)
    return out
