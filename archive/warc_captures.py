"""Read an arshif crawl back from its WARC files: one ``PageItem`` per stored capture.

Every capture the crawler stored has a ``response`` (or ``revisit``) record, a
``request`` record and a ``metadata`` record (``application/warc-fields``: ``via``,
``site``, ``kind``, ``is-article``, ``canonical-url``...). ``iter_captures`` pairs them
and yields the captures in the order the crawl stored them; ``last_article_captures``
finds each article's last capture. ``archive.reindex`` builds the archive from them.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from warcio.archiveiterator import ArchiveIterator

if TYPE_CHECKING:
    from collections.abc import Iterator

    from archive.reindex import ReindexStats
    from crawler.items import PageItem


def warc_fields(payload: bytes) -> dict[str, list[str]]:
    """``application/warc-fields`` as {name: [values]} (names repeat, e.g. ``outlink``).

    Fields end at CRLF only, as in WARC headers: arshif has always ended them so, and a
    value may hold other line separators (U+2028, a bare LF) that ``str.splitlines()``
    would turn into a field of their own (``archive.warc.field_value`` now encodes them).
    """
    fields: dict[str, list[str]] = {}
    for line in payload.decode("utf-8", "replace").split("\r\n"):
        name, sep, value = line.partition(":")
        if sep:
            fields.setdefault(name.strip(), []).append(value.strip())
    return fields


def first_field(fields: dict[str, list[str]], name: str, default: Any = None) -> Any:
    return fields.get(name, [default])[0]


def _charset(content_type: str) -> str | None:
    # as NewsSpider.item_for reads it
    if "charset=" not in content_type.lower():
        return None
    return content_type.lower().split("charset=", 1)[1].split(";")[0].strip(" \"'") or None


def _kind(url: str, status: int, via: str, body: bytes, content_type: str) -> str:
    """The spider's item kind, for WARCs written before metadata records carried it."""
    if status >= 400:
        return "error"
    if url.endswith("/robots.txt") and via == "seed":
        return "robots"
    head = body[:512].lstrip().lower()
    if b"<urlset" in head or b"<sitemapindex" in head:
        return "sitemap"
    if b"<rss" in head or b"<feed" in head or b"<rdf" in head:
        return "feed"
    return "page" if "html" in content_type.lower() or status == 304 else "other"


def warc_paths(warc_dir: Path) -> list[Path]:
    """Every ``*.warc.gz`` under ``warc_dir``, subdirectories and symlinks included: the
    WARC directories of several distributed workers can be linked or copied side by side."""
    found = []
    for root, _, names in os.walk(warc_dir, followlinks=True):
        found += [Path(root) / name for name in names if name.endswith(".warc.gz")]
    return sorted(found)


def iter_captures(paths: list[Path], warc_dir: Path, stats: ReindexStats,
                  sites: dict) -> Iterator[tuple[PageItem, dict]]:
    """(PageItem, metadata fields) per stored capture, in the order the crawl stored them.

    One file is read in order; several (rotated files, or the WARCs of several
    distributed workers) are merged on their metadata records' WARC-Date, the
    moment each capture was about to be stored. ``sites`` is filled with
    ``crawler.sites.Site`` objects from the warcinfo records.
    """
    files = [_iter_file(path, warc_dir, stats, sites) for path in paths]
    for _, _, item, fields in heapq.merge(*files, key=lambda entry: entry[:2]):
        yield item, fields


def _iter_file(path: Path, warc_dir: Path, stats: ReindexStats,
               sites: dict) -> Iterator[tuple[str, int, PageItem, dict]]:
    from crawler.items import PageItem
    from crawler.sites import site_from_dict

    name = path.relative_to(warc_dir).as_posix()  # captures.warc_file is relative to DATA/warc
    pending: dict[str, dict] = {}  # response record id -> what the item needs
    counted = 0
    with open(path, "rb") as fh:
        records = ArchiveIterator(fh)
        for seq, record in enumerate(records):
            kind, headers = record.rec_type, record.rec_headers
            if kind in ("response", "revisit"):
                http = record.http_headers
                body = record.content_stream().read() if kind == "response" else b""
                records.read_to_end(record)
                pending[headers.get_header("WARC-Record-ID")] = {
                    "url": headers.get_header("WARC-Target-URI"), "body": body,
                    "status": int(http.get_statuscode()) if http else 0,
                    "content_type": (http.get_header("Content-Type") if http else None) or "",
                    "warc": {
                        "warc_file": name, "offset": records.get_record_offset(),
                        "length": records.get_record_length(),
                        "record_id": headers.get_header("WARC-Record-ID"),
                        "payload_digest": headers.get_header("WARC-Payload-Digest"),
                        "record_type": kind, "warc_date": headers.get_header("WARC-Date"),
                        "refers_to": headers.get_header("WARC-Refers-To"),
                    },
                }
                continue
            payload = record.content_stream().read() if kind in ("metadata", "warcinfo") else b""
            records.read_to_end(record)
            stats.bytes_read += fh.tell() - counted
            counted = fh.tell()
            if kind == "request":
                entry = pending.get(headers.get_header("WARC-Concurrent-To"))
                if entry is not None:
                    entry["warc"]["request_record_id"] = headers.get_header("WARC-Record-ID")
            elif kind == "warcinfo":
                config = first_field(warc_fields(payload), "site-config")
                for site in json.loads(config) if config else []:
                    sites.setdefault(site["name"], site_from_dict(site, f"{name} warcinfo"))
            elif kind == "metadata":
                entry = pending.pop(headers.get_header("WARC-Concurrent-To"), None)
                if entry is not None:
                    fields = warc_fields(payload)
                    item = _page_item(PageItem, entry, fields, headers, name, records)
                    yield _store_order(headers.get_header("WARC-Date")), seq, item, fields
    stats.without_metadata += len(pending)
    stats.bytes_read += path.stat().st_size - counted


def _store_order(warc_date: str) -> str:
    """A metadata record's WARC-Date at one precision, so the strings sort as times."""
    return warc_date if "." in warc_date else warc_date[:-1] + ".000000Z"


def last_article_captures(paths: list[Path]) -> set[str]:
    """Metadata record ids of each article's last capture, in the order the crawl stored them.

    An article's row ends up holding the extraction of its last capture (an AMP twin and
    its page are two captures of one row, and so is every re-crawl that changed it), so
    the captures before it need no extraction of their own. The crawl names the row in
    each article capture's ``canonical-url`` metadata field; captures without it (WARCs
    written before it existed) are all extracted.
    """
    def entries(path: Path) -> Iterator[tuple[str, int, str, str]]:
        with open(path, "rb") as fh:
            # the HTTP headers of responses and requests are not needed here: not parsed
            for seq, record in enumerate(ArchiveIterator(fh, no_record_parse=True)):
                if record.rec_type != "metadata":
                    continue
                canonical = first_field(warc_fields(record.content_stream().read()), "canonical-url")
                if canonical:
                    headers = record.rec_headers
                    yield (_store_order(headers.get_header("WARC-Date")), seq, canonical,
                           headers.get_header("WARC-Record-ID"))

    last: dict[str, str] = {}
    for _, _, canonical, record_id in heapq.merge(*map(entries, paths), key=lambda entry: entry[:2]):
        last[canonical] = record_id
    return set(last.values())


def _page_item(page_item: type, entry: dict, fields: dict, headers, name: str, records) -> PageItem:
    """The PageItem the crawl stored, from a response record and its metadata record."""
    warc = entry["warc"]
    warc.update(
        metadata_warc_file=name, metadata_offset=records.get_record_offset(),
        metadata_length=records.get_record_length(),
        metadata_record_id=headers.get_header("WARC-Record-ID"),
        payload_sha256=first_field(fields, "payload-sha256") or hashlib.sha256(entry["body"]).hexdigest(),
        discovery_path=first_field(fields, "discovery-path"),
        redirected_from=fields.get("redirected-from", []),
    )
    # the crawl's fetched_at: the WARC-Date to the second, in UTC
    date = datetime.fromisoformat(warc["warc_date"].replace("Z", "+00:00"))
    warc["fetched_at"] = date.astimezone(timezone.utc).replace(microsecond=0).isoformat()
    via = first_field(fields, "via", "seed")
    status, content_type = entry["status"], entry["content_type"]
    return page_item(
        site=first_field(fields, "site"), url=entry["url"], status=status,
        kind=first_field(fields, "kind") or _kind(entry["url"], status, via, entry["body"], content_type),
        content_type=content_type, header_charset=_charset(content_type), body=entry["body"],
        warc=warc, via=via, referrer=first_field(fields, "referrer"), outlinks=fields.get("outlink", []),
        twin_of=first_field(fields, "twin-of"),
    )
