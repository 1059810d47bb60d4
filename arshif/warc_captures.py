"""Read an arshif crawl back from its WARC files: one ``PageItem`` per stored capture.

Every capture the crawler stored has a ``response`` (or ``revisit``) record, a
``request`` record and a ``metadata`` record (``application/warc-fields``: ``via``,
``site``, ``kind``, ``is-article``, ``canonical-url``...). ``iter_captures`` pairs them
and yields the captures in the order the crawl stored them; ``last_article_captures``
finds each article's last capture. ``arshif.reindex`` builds the archive from them.
"""

from __future__ import annotations

import dataclasses
import hashlib
import heapq
import io
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from warcio.recordloader import ArcWarcRecordLoader

from archive.untrusted_pattern import UntrustedPattern
from archive.verify import parse_record
from archive.warc_members import (
    MAX_RECORD_SIZE,
    CorruptMember,
    Oversized,
    TruncatedMember,
    iter_members,
    read_member,
    warc_files_under,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

    from arshif.reindex_stats import ReindexStats
    from crawler.items import PageItem

MAX_URL_LENGTH = 8192  # a WARC-Target-URI longer than this is skipped, not stored
MAX_PENDING_BYTES = 256 << 20  # bodies held while their metadata records are awaited
_LOADER = ArcWarcRecordLoader()


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
    return sorted(warc_files_under(warc_dir).values())


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
    """Every WARC byte is untrusted: members are inflated with a limit (``archive.warc_members``),
    and a record that cannot be read is skipped with its reason in ``stats.skipped``."""
    from crawler.items import PageItem

    name = path.relative_to(warc_dir).as_posix()  # captures.warc_file is relative to DATA/warc
    pending: dict[str, dict] = {}  # response record id -> what the item needs
    held = [0]  # bytes of the bodies in ``pending``
    read = 0
    with open(path, "rb") as fh:
        members = enumerate(iter_members(fh))
        while True:
            try:
                seq, (offset, length, data) = next(members)
            except StopIteration:
                break
            except (TruncatedMember, CorruptMember) as error:
                stats.skip(name, f"{error}; the rest of the file is not read")
                break
            read += length
            stats.bytes_read += length
            if isinstance(data, Oversized):
                stats.skip(name, f"offset {offset}: {data.problem()}")
                continue
            try:
                found = _record(PageItem, data, (path, name, offset, length), pending, held, sites)
            except Exception as error:  # noqa: BLE001 - one hostile record must not end the rebuild
                stats.skip(name, f"offset {offset}: {type(error).__name__}: {error}"[:500])
                continue
            if found is not None:
                item, fields, order = found
                yield order, seq, item, fields
    stats.without_metadata += len(pending)
    stats.bytes_read += path.stat().st_size - read


def _record(page_item: type, data: bytes, where: tuple, pending: dict, held: list,
            sites: dict) -> tuple[PageItem, dict, str] | None:
    """Read one record (a member's inflated bytes); a metadata record completes a capture:
    (PageItem, metadata fields, the metadata record's WARC-Date as ``_store_order`` gives it)."""
    from crawler.sites import site_from_dict

    path, name, offset, length = where
    head = data[:data.find(b"\r\n\r\n") + 2].lower()
    if b"\r\nwarc-target-uri:" not in head and (b"\r\nwarc-type: response" in head
                                                or b"\r\nwarc-type: revisit" in head):
        raise ValueError("no WARC-Target-URI")  # before warcio's HTTP parser trips on it
    record = _parse(data)
    kind, headers = record.rec_type, record.rec_headers
    if kind in ("response", "revisit"):
        url = headers.get_header("WARC-Target-URI")
        if not url or len(url) > MAX_URL_LENGTH:
            raise ValueError("no WARC-Target-URI" if not url else f"WARC-Target-URI of {len(url):,} characters")
        http = record.http_headers
        body = _body(record) if kind == "response" else b""
        if held[0] + len(body) > MAX_PENDING_BYTES:
            body = None  # read again when its metadata record comes
        held[0] += len(body or b"")
        pending[headers.get_header("WARC-Record-ID")] = {
            "url": url, "body": body,
            "status": int(http.get_statuscode()) if http else 0,
            "content_type": (http.get_header("Content-Type") if http else None) or "",
            "warc": {
                "warc_file": name, "offset": offset, "length": length,
                "record_id": headers.get_header("WARC-Record-ID"),
                "payload_digest": headers.get_header("WARC-Payload-Digest"),
                "record_type": kind, "warc_date": headers.get_header("WARC-Date"),
                "refers_to": headers.get_header("WARC-Refers-To"),
            },
        }
        return None
    payload = record.content_stream().read() if kind in ("metadata", "warcinfo") else b""
    if kind == "request":
        entry = pending.get(headers.get_header("WARC-Concurrent-To"))
        if entry is not None:
            entry["warc"]["request_record_id"] = headers.get_header("WARC-Record-ID")
    elif kind == "warcinfo":
        config = first_field(warc_fields(payload), "site-config")
        for site in json.loads(config) if config else []:
            if site.get("name") not in sites:
                sites[site["name"]] = _untrusted_site(site_from_dict, site, f"{name} warcinfo")
    elif kind == "metadata":
        entry = pending.pop(headers.get_header("WARC-Concurrent-To"), None)
        if entry is not None:
            held[0] -= len(entry["body"] or b"")
            if entry["body"] is None:
                response = read_member(path, entry["warc"]["offset"])[1]
                entry["body"] = _body(_parse(response))
            fields = warc_fields(payload)
            item = _page_item(page_item, entry, fields, headers, name, offset, length)
            return item, fields, _store_order(headers.get_header("WARC-Date"))
    return None


def _parse(data: bytes):
    """warcio's record (parsed HTTP headers, content-decoding body stream) from one member's
    inflated bytes; warcio's loader straight away, without an ArchiveIterator per record."""
    return _LOADER.parse_record_stream(io.BufferedReader(io.BytesIO(data)), known_format="warc")


def _body(record) -> bytes:
    """The response body as the crawl's extractor saw it (content-decoded), within the limit:
    a gzip-encoded body can decode to gigabytes."""
    body = record.content_stream().read(MAX_RECORD_SIZE + 1)
    if len(body) > MAX_RECORD_SIZE:
        raise ValueError(f"body decodes to more than {MAX_RECORD_SIZE:,} bytes: not loaded")
    return body


def _untrusted_site(site_from_dict, entry: dict, where: str):
    """A site from a WARC's warcinfo: its ``article_pattern`` is never compiled by ``re``
    (archive.untrusted_pattern)."""
    pattern = entry.get("article_pattern")
    site = site_from_dict({**entry, "article_pattern": None}, where)
    if not pattern:
        return site
    return dataclasses.replace(site, article_pattern=pattern, _article_re=UntrustedPattern(pattern))


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
            try:
                # only the WARC headers and the metadata blocks are needed: read raw, bounded
                for seq, (_, _, data) in enumerate(iter_members(fh)):
                    # a cheap look first: most records are responses and requests
                    if not isinstance(data, bytes) or b"\r\nWARC-Type: metadata\r\n" not in data[:512]:
                        continue
                    record = parse_record(data)
                    if record.type != "metadata" or not record.well_formed:
                        continue
                    canonical = first_field(warc_fields(record.block), "canonical-url")
                    if canonical and record.headers.get("WARC-Date"):
                        yield (_store_order(record.headers["WARC-Date"]), seq, canonical, record.record_id)
            except (TruncatedMember, CorruptMember):
                return  # _iter_file records why

    last: dict[str, str] = {}
    for _, _, canonical, record_id in heapq.merge(*map(entries, paths), key=lambda entry: entry[:2]):
        last[canonical] = record_id
    return set(last.values())


def _page_item(page_item: type, entry: dict, fields: dict, headers, name: str, offset: int,
               length: int) -> PageItem:
    """The PageItem the crawl stored, from a response record and its metadata record."""
    warc = entry["warc"]
    warc.update(
        metadata_warc_file=name, metadata_offset=offset, metadata_length=length,
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
