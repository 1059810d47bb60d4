"""Export articles from the archive as JSONL, CSV or Parquet, for NLP work.

Rows are streamed from SQLite and written as they come (Parquet in row groups
of ``BATCH_ROWS``), so memory stays flat however large the archive is. Each
record carries the article's columns plus the latest capture's time, WARC
record id and payload digest, so a corpus built from an export can cite its
sources. ``arshif export`` (arshif/cli/extra.py) is the command line for it.

Crawled text is untrusted: in CSV, a cell starting like a spreadsheet formula is
written with a leading ``'`` (:func:`csv_cell`); JSONL and Parquet keep values as
they are. :func:`open_output` refuses to write over the archive itself.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

logger = logging.getLogger(__name__)

FORMATS = ("jsonl", "csv", "parquet")
BATCH_ROWS = 2000
ARTICLE_COLUMNS = (
    "id", "url", "canonical_url", "site", "title", "author", "source", "published", "modified",
    "section", "tags", "image", "language", "word_count", "content_hash", "first_seen", "last_seen",
    "status", "text",
)  # text last: CSV readers show the short columns first
CAPTURE_COLUMNS = {  # export name -> captures column of the article's latest capture
    "captured_at": "fetched_at", "warc_file": "warc_file",
    "warc_record_id": "warc_record_id", "payload_digest": "payload_digest",
}
INTEGER_COLUMNS = {"id", "word_count"}


class ExportError(Exception):
    """An export that cannot run; the message says what to do."""


def format_for(output: str) -> str:
    """The format an output file name implies (jsonl when it implies none)."""
    suffix = Path(output).suffix.lower().lstrip(".")
    return {"json": "jsonl", "ndjson": "jsonl", "parq": "parquet"}.get(suffix, suffix) \
        if suffix in (*FORMATS, "json", "ndjson", "parq") else "jsonl"


def _require_pyarrow():
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError:
        raise ExportError("Parquet export needs pyarrow: pip install 'arshif[parquet]' "
                          "(or pip install pyarrow)") from None
    return pyarrow


def _columns(conn: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}


def _query(conn: sqlite3.Connection, sites: Iterable[str], since: str | None,
           until: str | None) -> tuple[str, list, list[str]]:
    present = _columns(conn, "articles")
    if not present:
        raise ExportError("the database has no articles table: is it an arshif archive?")
    names = [c for c in ARTICLE_COLUMNS if c in present]
    select = [f"a.{c}" for c in names]
    join = ""
    if "capture_id" in present and _columns(conn, "captures"):
        captures = _columns(conn, "captures")
        extra = [(k, v) for k, v in CAPTURE_COLUMNS.items() if v in captures]
        select += [f"c.{v} AS {k}" for k, v in extra]
        names += [k for k, _ in extra]
        join = " LEFT JOIN captures c ON c.id = a.capture_id"
    where, params = [], []
    sites = list(sites)
    if sites:
        where.append(f"a.site IN ({', '.join('?' * len(sites))})")
        params += sites
    if since:
        where.append("a.published >= ?")
        params.append(since)
    if until:
        where.append("a.published <= ?")
        params.append(until)
    sql = f"SELECT {', '.join(select)} FROM articles a{join}"
    if where:
        sql += " WHERE " + " AND ".join(where)
    # rowid order: no sort step, so the first rows come out at once
    return sql + " ORDER BY a.id", params, names


@contextmanager
def select_articles(db_path: str | Path, *, sites: Iterable[str] = (), since: str | None = None,
                    until: str | None = None) -> Iterator[tuple[list[str], Iterator[dict]]]:
    """``(column names, rows)`` of the selected articles, oldest row first.

    ``since``/``until`` bound ``published`` as ISO text. The archive is opened
    read-only, so an export can run while a crawl writes.
    """
    uri = Path(db_path).resolve().as_uri() + "?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True)
    except sqlite3.Error as exc:
        raise ExportError(f"cannot open {db_path}: {exc}") from None
    try:
        sql, params, names = _query(conn, sites, since, until)
        cursor = conn.execute(sql, params)
        cursor.arraysize = 500
        yield names, (dict(zip(names, row)) for rows in iter(cursor.fetchmany, []) for row in rows)
    except sqlite3.DatabaseError as exc:
        raise ExportError(f"cannot read {db_path}: {exc}") from None
    finally:
        conn.close()


def _tags(value: str | None) -> list[str] | None:
    if not value:
        return None
    try:
        tags = json.loads(value)
    except ValueError:
        return [value]
    return [str(t) for t in tags] if isinstance(tags, list) else [str(tags)]


def write_jsonl(names: list[str], rows: Iterable[dict], out: IO[bytes]) -> int:
    count = 0
    for count, row in enumerate(rows, 1):
        row = {**row, "tags": _tags(row.get("tags"))} if "tags" in row else row
        out.write(json.dumps(row, ensure_ascii=False).encode("utf-8") + b"\n")
    return count


# A cell starting with one of these is a formula to a spreadsheet (CSV injection): a
# crawled title "=HYPERLINK(...)" would run when the file is opened in Excel or LibreOffice.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value):
    """``value`` as a CSV cell that a spreadsheet shows as text: a text cell that starts
    like a formula gets a leading ``'`` (OWASP's advice); numbers are left as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(names: list[str], rows: Iterable[dict], out: IO[bytes]) -> int:
    """RFC 4180 CSV in UTF-8 with a BOM: Excel then reads Arabic, pandas strips the BOM itself.
    Text cells that start with ``= + - @`` TAB or CR are prefixed with ``'`` (``csv_cell``)."""
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=True)
    count = 0
    try:
        writer = csv.DictWriter(text, fieldnames=names)
        writer.writeheader()
        for count, row in enumerate(rows, 1):
            writer.writerow({name: csv_cell(value) for name, value in row.items()})
    finally:
        text.flush()
        text.detach()  # leave ``out`` open for the caller
    return count


def write_parquet(names: list[str], rows: Iterable[dict], out: IO[bytes]) -> int:
    """Zstandard-compressed Parquet; ``tags`` is a list column, ids and word counts are int64."""
    pa = _require_pyarrow()
    import pyarrow.parquet as pq

    schema = pa.schema([pa.field(n, pa.list_(pa.string()) if n == "tags" else
                                 pa.int64() if n in INTEGER_COLUMNS else pa.string()) for n in names])
    batch: list[dict] = []
    count = 0
    with pq.ParquetWriter(out, schema, compression="zstd") as writer:
        for count, row in enumerate(rows, 1):
            batch.append({**row, "tags": _tags(row.get("tags"))} if "tags" in row else row)
            if len(batch) >= BATCH_ROWS:
                writer.write_batch(pa.RecordBatch.from_pylist(batch, schema=schema))
                batch.clear()
        if batch:
            writer.write_batch(pa.RecordBatch.from_pylist(batch, schema=schema))
    return count


WRITERS = {"jsonl": write_jsonl, "csv": write_csv, "parquet": write_parquet}


def check_format(fmt: str) -> None:
    """Raise ExportError before any output is opened when ``fmt`` cannot be written."""
    if fmt not in WRITERS:
        raise ExportError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if fmt == "parquet":
        _require_pyarrow()


def open_output(db_path: str | Path, output: str | Path) -> IO[bytes]:
    """``output`` opened for writing, unless it is the archive itself (or its -wal, -shm or
    -journal file), which opening it would truncate before any export could fail."""
    target = Path(output)
    for suffix in ("", "-wal", "-shm", "-journal"):
        own = Path(f"{db_path}{suffix}")
        same = own.exists() and target.exists() and os.path.samefile(own, target)
        if same or own.resolve() == target.resolve():
            raise ExportError(f"{output} is the archive ({own}): choose another output file")
    return open(target, "wb")


def export_articles(db_path: str | Path, out: IO[bytes], fmt: str = "jsonl", *, sites: Iterable[str] = (),
                    since: str | None = None, until: str | None = None) -> int:
    """Write the selected articles to the binary stream ``out``; return how many."""
    check_format(fmt)
    with select_articles(db_path, sites=sites, since=since, until=until) as (names, rows):
        count = WRITERS[fmt](names, rows, out)
    logger.info("Exported %d articles as %s", count, fmt)
    return count
