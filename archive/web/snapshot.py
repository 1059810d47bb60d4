"""Evidence downloads in Datasette: per-article WARC snapshots, crawl WACZs, citations.

Routes (registered by ``archive.web.plugin.register_routes``; the first
two are the paths ``archive.web.article_page`` links to):

- ``/-/snapshot/<capture id>.warc.gz`` — one capture as a standalone gzip WARC,
  and ``/-/snapshot/article/<article id>.warc.gz`` for an article's latest
  capture. It holds the capture's ``response`` (or ``revisit``, preceded by the
  ``response`` it refers to), its ``request`` and its ``metadata`` record, each
  the exact gzip member read by byte range from the WARC file (no copy is kept,
  and each record's digests still verify).
- ``/-/wacz/<crawl>.wacz`` — the WACZ package of a crawl
  (``data/wacz/<crawl>.wacz``, see ``archive.wacz_package``); ``<crawl>`` is
  the crawl id or the 14-digit stamp in the crawl's WARC file names.
- ``/-/cite/<article id>.txt`` (or ``.json``) — the citation line: URL, capture
  time in UTC, SHA-256 of the payload, WARC record and file.

Every route answers 404 for an id or crawl it does not know, and for a file
name (from the database) that would resolve outside ``data/warc`` or
``data/wacz``. Datasette's row page of an article shows all of them in its
``capture_id`` cell (:func:`evidence_cell`, called from the plugin's
``render_cell``); the article page (``/-/article/<id>``) gets the citation
through :func:`article_template_vars`.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
from pathlib import Path, PurePosixPath
from typing import Any

from markupsafe import Markup

from archive.cdxj import iso_utc_z, safe_name
from archive.verify import parse_record
from archive.warc_members import read_member, read_raw
from archive.web.database import archive_database

WARC_DIR = "warc"
WACZ_DIR = "wacz"

logger = logging.getLogger(__name__)

SNAPSHOT_ROUTE = r"^/-/snapshot/(?:(?P<kind>article)/)?(?P<id>\d+)\.warc\.gz$"
WACZ_ROUTE = r"^/-/wacz/(?P<crawl>[^/]+)\.wacz$"
CITE_ROUTE = r"^/-/cite/(?P<id>\d+)(?P<format>\.json|\.txt)?$"
# "arshif-20261124235909-00001-21837.warc.gz": the stamp archive.web.article_page shows
_STAMP_IN_WARC_NAME = re.compile(r"-(\d{14})-\d+")
CAPTURE_COLUMNS = (
    "id, url, site, status, fetched_at, warc_date, warc_file, warc_offset, warc_length, "
    "warc_record_id, request_record_id, payload_digest, payload_sha256, record_type, revisit_of, "
    "metadata_warc_file, metadata_offset, metadata_length, metadata_record_id"
)


class NotInArchive(Exception):
    """A file name that does not name a file inside the archive directory."""


def inside(directory: Path, name: str | None) -> Path:
    """``directory/name`` if it resolves to a file inside ``directory``, else NotInArchive."""
    if not name:
        raise NotInArchive("no file name")
    base = directory.resolve()
    path = (base / name).resolve()
    if path.parent != base or not path.is_file():
        raise NotInArchive(name)
    return path


def warc_file(warc_dir: Path, name: str | None) -> Path:
    """``data/warc/<name>`` for a name relative to it, else NotInArchive.

    Merged distributed WARCs live in subdirectories (``w2/arshif-....warc.gz``), which
    may be symbolic links to each worker's WARC directory (docs/distributed.md); the
    name itself must stay below ``data/warc``: no ``..``, no absolute path, a
    ``.warc.gz`` file that is not itself a link.
    """
    relative = PurePosixPath(name or "")
    if (not name or relative.is_absolute() or "\\" in name or ".." in relative.parts
            or not name.endswith(".warc.gz")):
        raise NotInArchive(name or "no file name")
    path = Path(warc_dir).joinpath(*relative.parts)
    if path.is_symlink() or not path.is_file():
        raise NotInArchive(name)
    return path


def utc_time(capture: dict) -> str:
    """Capture time as ``YYYY-MM-DDTHH:MM:SSZ`` (from WARC-Date, else fetched_at)."""
    value = capture.get("warc_date") or capture.get("fetched_at") or ""
    return iso_utc_z(value) or value


def citation(capture: dict, crawl_id: str | None = None, title: str | None = None) -> str:
    """One line a researcher can cite: URL, capture time (UTC), payload SHA-256."""
    parts = []
    if title:
        parts.append(f"«{title}».")
    parts.append(f"{capture['url']}")
    parts.append(f"archived {utc_time(capture)} (UTC) by arshif"
                 + (f", crawl {crawl_id}" if crawl_id else "") + ".")
    parts.append(f"SHA-256 of payload: {capture.get('payload_sha256') or 'unknown'}.")
    parts.append(f"WARC record {capture['warc_record_id']} in {capture['warc_file']}.")
    return " ".join(parts)


# --- reading records ------------------------------------------------------


def snapshot_members(data_dir: Path, capture: dict, original: dict | None = None) -> list[bytes]:
    """The capture's records as the gzip members stored in the WARC files.

    Order: the original ``response`` (for a revisit), the ``response``/``revisit``,
    the ``request`` (the member right after the response) and the ``metadata``
    record. Raises NotInArchive for a file outside ``data/warc``, and
    ValueError when the WARC does not hold what the database says.
    """
    warc_dir = Path(data_dir) / WARC_DIR
    members = []
    if original is not None:
        members.append(_member(warc_dir, original["warc_file"], original["warc_offset"],
                               original["warc_length"], original["warc_record_id"]))
    path = warc_file(warc_dir, capture["warc_file"])
    offset, length = capture["warc_offset"], capture["warc_length"]
    members.append(_member(warc_dir, capture["warc_file"], offset, length, capture["warc_record_id"]))
    request_length, data = read_member(path, offset + length)
    request = parse_record(data)
    if request.type == "request" and request.headers.get("WARC-Concurrent-To") == capture["warc_record_id"]:
        members.append(read_raw(path, offset + length, request_length))
    if capture.get("metadata_warc_file") and capture.get("metadata_length"):
        members.append(_member(warc_dir, capture["metadata_warc_file"], capture["metadata_offset"],
                               capture["metadata_length"], capture["metadata_record_id"]))
    return members


def _member(warc_dir: Path, name: str, offset: int, length: int, record_id: str | None) -> bytes:
    path = warc_file(warc_dir, name)
    raw = read_raw(path, offset, length)
    _, data = read_member(path, offset)
    if record_id and parse_record(data).record_id != record_id:
        raise ValueError(f"{name}:{offset} does not hold {record_id}: run `arshif verify`")
    return raw


def payload_sha256_from_warc(data_dir: Path, capture: dict) -> str | None:
    """For captures recorded before payload_sha256 existed: hash the payload in the WARC."""
    try:
        path = warc_file(Path(data_dir) / WARC_DIR, capture["warc_file"])
        _, data = read_member(path, capture["warc_offset"])
    except (NotInArchive, OSError, ValueError):
        return None
    payload = parse_record(data).payload
    return hashlib.sha256(payload).hexdigest() if payload is not None else None


# --- Datasette ------------------------------------------------------------


async def _archive(datasette):

    db = await archive_database(datasette)
    if db is None or not db.path:
        return None, None
    return db, Path(db.path).parent


async def _check_permissions(datasette, request, db) -> None:
    await datasette.ensure_permissions(
        request.actor,
        [("view-table", (db.name, "captures")), ("view-database", db.name), "view-instance"],
    )


async def _one(db, sql: str, params: list) -> dict | None:
    result = await db.execute(sql, params)
    rows = result.rows
    if not rows:
        return None
    return dict(zip(result.columns, rows[0], strict=True))


async def _capture(db, capture_id: int) -> dict | None:
    return await _one(db, f"SELECT {CAPTURE_COLUMNS} FROM captures WHERE id = ?", [capture_id])


async def _crawl_of(db, warc_file: str | None) -> str | None:
    if not warc_file:
        return None
    row = await _one(db, "SELECT crawl_id FROM warc_files WHERE name = ?", [warc_file])
    return row["crawl_id"] if row else None


async def _article_capture(db, kind: str, ident: int) -> tuple[dict | None, dict | None]:
    """(capture, article) for /article/<id> or /capture/<id>."""
    article = None
    if kind == "article":
        article = await _one(db, "SELECT id, title, capture_id FROM articles WHERE id = ?", [ident])
        if article is None or article["capture_id"] is None:
            return None, article
        ident = article["capture_id"]
    return await _capture(db, ident), article


def _not_found(message: str):
    from datasette.utils.asgi import Response

    return Response.text(message + "\n", status=404)


async def snapshot_view(datasette, request):
    from datasette.utils.asgi import Response

    db, data_dir = await _archive(datasette)
    if db is None:
        return _not_found("No archive database")
    await _check_permissions(datasette, request, db)
    kind, ident = request.url_vars.get("kind") or "capture", int(request.url_vars["id"])
    capture, _article = await _article_capture(db, kind, ident)
    if capture is None or not capture.get("warc_file"):
        return _not_found(f"No {kind} {ident} with a WARC capture")
    original = None
    if capture.get("record_type") == "revisit" and capture.get("revisit_of"):
        original = await _capture(db, capture["revisit_of"])
    try:
        members = await asyncio.to_thread(snapshot_members, data_dir, capture, original)
    except NotInArchive:
        return _not_found(f"The WARC file of {kind} {ident} is not in the archive")
    except (OSError, ValueError):
        # the error names the file's path on the server: it goes to the log, not the visitor
        logger.exception("Cannot read the snapshot of %s %s", kind, ident)
        return Response.text(f"Cannot read the snapshot of {kind} {ident}: its WARC record is unreadable "
                             "(the operator's log and `arshif verify` say why)\n", status=500)
    stamp = utc_time(capture).replace("-", "").replace(":", "")
    filename = f"arshif-{kind}-{ident}-{stamp}.warc.gz"
    return Response(
        b"".join(members),
        status=200,
        content_type="application/warc",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "X-Arshif-Source": f"{capture['warc_file']}:{capture['warc_offset']}",
            "X-Arshif-Records": str(len(members)),
        },
    )


async def wacz_view(datasette, request):
    from datasette.utils.asgi import AsgiFileDownload

    db, data_dir = await _archive(datasette)
    if db is None:
        return _not_found("No archive database")
    await _check_permissions(datasette, request, db)
    key = request.url_vars["crawl"]
    rows = await db.execute("SELECT name, crawl_id FROM warc_files WHERE crawl_id IS NOT NULL")
    known = {}
    for warc_name, crawl_id in rows.rows:
        known[safe_name(crawl_id)] = safe_name(crawl_id)
        stamp = _STAMP_IN_WARC_NAME.search(warc_name or "")
        if stamp:
            known.setdefault(stamp.group(1), safe_name(crawl_id))
    name = known.get(key)
    if name is None:
        return _not_found(f"No crawl {key!r} in this archive")
    try:
        path = inside(data_dir / WACZ_DIR, f"{name}.wacz")
    except NotInArchive:
        return _not_found(f"Crawl {name!r} has no WACZ package (run `arshif package`)")
    return AsgiFileDownload(path, filename=path.name, content_type="application/wacz")


async def citation_view(datasette, request):
    from datasette.utils.asgi import Response

    db, data_dir = await _archive(datasette)
    if db is None:
        return _not_found("No archive database")
    await _check_permissions(datasette, request, db)
    ident = int(request.url_vars["id"])
    capture, article = await _article_capture(db, "article", ident)
    if capture is None:
        return _not_found(f"No article {ident} with a capture")
    data = await _citation_data(db, data_dir, capture, article)
    if request.url_vars.get("format") == ".json":
        return Response.json(data)
    return Response.text(data["citation"] + "\n")


async def _citation_data(db, data_dir: Path, capture: dict, article: dict | None) -> dict[str, Any]:
    if not capture.get("payload_sha256"):
        capture = {**capture, "payload_sha256": await asyncio.to_thread(
            payload_sha256_from_warc, data_dir, capture)}
    crawl_id = await _crawl_of(db, capture.get("warc_file"))
    return {
        "url": capture["url"],
        "captured_at": utc_time(capture),
        "payload_sha256": capture.get("payload_sha256"),
        "payload_digest": capture.get("payload_digest"),
        "warc_file": capture.get("warc_file"),
        "warc_record_id": capture.get("warc_record_id"),
        "record_type": capture.get("record_type") or "response",
        "crawl_id": crawl_id,
        "citation": citation(capture, crawl_id, (article or {}).get("title")),
    }


async def evidence_cell(datasette, database: str, row, value) -> Markup | None:
    """The article's ``capture_id`` cell: capture link, snapshot, WACZ and citation."""
    if isinstance(value, dict):  # an expanded foreign key
        value = value.get("value")
    if value is None:
        return None
    db = datasette.get_database(database)
    capture = await _capture(db, int(value))
    if capture is None or not capture.get("warc_file"):
        return None  # Datasette's own foreign-key link
    try:
        article_id = row["id"]
    except (IndexError, KeyError):
        article_id = None
    data_dir = Path(db.path).parent if db.path else None
    data = await _citation_data(db, data_dir, capture, None) if data_dir else {}
    links = [Markup('<a href="{}">capture {}</a>').format(
        datasette.urls.row(database, "captures", capture["id"]), capture["id"])]
    links.append(Markup('<a href="{}" download>snapshot (.warc.gz)</a>').format(
        datasette.urls.path(f"/-/snapshot/{capture['id']}.warc.gz")))
    crawl_id = data.get("crawl_id")
    if crawl_id and data_dir and (data_dir / WACZ_DIR / f"{safe_name(crawl_id)}.wacz").is_file():
        links.append(Markup('<a href="{}" download>crawl {} (.wacz)</a>').format(
            datasette.urls.path(f"/-/wacz/{safe_name(crawl_id)}.wacz"), crawl_id))
    if article_id is not None:
        links.append(Markup('<a href="{}">citation</a>').format(
            datasette.urls.path(f"/-/cite/{article_id}.txt")))
    cite = Markup('<div class="arshif-citation" dir="ltr">{}</div>').format(
        citation(capture if not data else {**capture, "payload_sha256": data["payload_sha256"]}, crawl_id))
    return Markup('<div class="arshif-evidence">{} {}</div>').format(
        Markup(" · ").join(links), cite)


async def article_template_vars(datasette, request) -> dict[str, Any]:
    """``citation`` (a dict, see ``/-/cite/<id>.json``) for the article page's template."""
    try:
        article_id = int(request.url_vars["id"])
    except (AttributeError, KeyError, TypeError, ValueError):
        return {}
    db, data_dir = await _archive(datasette)
    if db is None:
        return {}
    capture, article = await _article_capture(db, "article", article_id)
    if capture is None:
        return {}
    data = await _citation_data(db, data_dir, capture, article)
    data["url_txt"] = datasette.urls.path(f"/-/cite/{article_id}.txt")
    return {"citation": data}
