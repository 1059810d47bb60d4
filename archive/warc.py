"""Write HTTP exchanges to gzip WARC files with warcio, rotating by size.

Pure code (no Scrapy): the crawler's ``WarcCapture`` extension turns Scrapy
objects into :class:`Exchange` values and hands them here. Every record is its
own gzip member and the file is flushed after each exchange, so a crash loses
at most the exchange being written.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import logging
import os
import socket
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from http import HTTPStatus
from pathlib import Path
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

logger = logging.getLogger(__name__)

# Twisted de-chunks bodies before anyone sees them; a replay tool that reads
# "Transfer-Encoding: chunked" would try to de-chunk them again, so the header
# is kept under another name, as other archiving crawlers do.
RENAMED_HEADERS = {"transfer-encoding": "X-Archive-Orig-Transfer-Encoding"}


@dataclass
class Exchange:
    """One HTTP request and the response as it came off the wire."""

    url: str
    method: str
    request_headers: list[tuple[str, str]]
    status: int
    response_headers: list[tuple[str, str]]
    body: bytes
    request_body: bytes = b""
    protocol: str = "HTTP/1.1"
    ip_address: str | None = None
    fetched_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))


@dataclass(frozen=True)
class WrittenExchange:
    """Where an exchange landed: the response record's place in its WARC file."""

    warc_file: str
    offset: int
    length: int
    record_id: str
    request_record_id: str
    payload_digest: str
    fetched_at: str
    # Evidence (issue 3): "response", or "revisit" for an unchanged re-fetch
    # written as a revisit record; the exact WARC-Date; SHA-256 of the payload
    # (hex); for a revisit, the original capture (see RevisitTarget.to_dict).
    record_type: str = "response"
    warc_date: str = ""
    payload_sha256: str = ""
    revisit_of: dict | None = None

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class RevisitTarget:
    """The earlier capture an unchanged re-fetch points at (identical payload digest)."""

    record_id: str  # WARC-Record-ID of the original response record
    target_uri: str  # its WARC-Target-URI
    warc_date: str  # its WARC-Date
    payload_digest: str
    capture_id: int | None = None
    warc_file: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class WrittenRecord:
    """Where a single record landed."""

    warc_file: str
    offset: int
    length: int
    record_id: str


# Characters that end a line for some reader of ``application/warc-fields``: CR and LF end
# a field (WARC 1.1, 5.4), str.splitlines() also breaks on the others. A sitemap <loc> or a
# link holding one could otherwise start a field of its own (``canonical-url: ...``).
_LINE_BREAKING = [*map(chr, range(0x20)), "\x7f", "\x85", "\u2028", "\u2029"]
_FIELD_ESCAPES = {ord(c): "".join(f"%{byte:02X}" for byte in c.encode("utf-8"))
                  for c in _LINE_BREAKING if c != "\t"}


def field_value(value: object) -> str:
    """``value`` for one line of ``application/warc-fields``: control characters and line
    separators percent-encoded as UTF-8, as a URL carries them (every such value arshif
    writes is a URL or a plain token, so the encoded value names the same URL)."""
    return str(value).translate(_FIELD_ESCAPES)


def json_field_value(data: object) -> str:
    """``data`` as JSON for one warc-fields line (the warcinfo ``site-config``): readable
    Arabic, and the line separators JSON leaves raw written as ``\\uXXXX`` escapes."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    return text.translate({ord(c): f"\\u{ord(c):04x}" for c in ("\x7f", "\x85", "\u2028", "\u2029")})


def payload_digest(body: bytes) -> str:
    """``sha1:BASE32``, the form warcio writes in WARC-Payload-Digest."""
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


def software_version() -> str:
    """``arshif/X (Scrapy/Y warcio/Z)`` for the warcinfo ``software`` field."""
    from importlib.metadata import PackageNotFoundError, version

    parts = []
    for name in ("arshif", "scrapy", "warcio"):
        try:
            parts.append(f"{name}/{version(name)}")
        except PackageNotFoundError:
            parts.append(name)
    return f"{parts[0]} ({' '.join(parts[1:])})"


def status_line(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"{status} Unknown"


def request_target(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def _block_payload_digest(record) -> str:
    stream = record.raw_stream
    position = stream.tell()
    digest = hashlib.sha1()
    for chunk in iter(lambda: stream.read(1 << 16), b""):
        digest.update(chunk)
    stream.seek(position)
    return "sha1:" + base64.b32encode(digest.digest()).decode("ascii")


class WarcFileWriter:
    """Append exchanges to ``DIR/PREFIX-TIMESTAMP-SERIAL.warc.gz``, rotating at ``max_size``."""

    def __init__(self, directory: str | Path, *, prefix: str = "arshif", max_size: int = 1 << 30,
                 warcinfo: dict[str, str] | None = None) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.prefix = prefix
        self.max_size = max_size
        self.warcinfo = dict(warcinfo or {})
        self.closed_files: list[Path] = []
        self.bytes_written = 0
        self._serial = 0
        self._stamp = datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S")
        self._fh: io.BufferedWriter | None = None
        self._writer: WARCWriter | None = None
        self._path: Path | None = None

    @property
    def current_path(self) -> Path | None:
        return self._path

    def _open(self) -> None:
        self._serial += 1
        name = f"{self.prefix}-{self._stamp}-{self._serial:05d}-{os.getpid()}.warc.gz"
        self._path = self.directory / name
        self._fh = open(self._path, "xb")
        self._writer = WARCWriter(self._fh, gzip=True, warc_version="1.1")
        info = {"software": software_version(), "format": "WARC File Format 1.1",
                "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
                "hostname": socket.gethostname(), **self.warcinfo}
        info = {key: field_value(value) for key, value in info.items() if value}
        warcinfo = self._writer.create_warcinfo_record(name, info)
        # warcio leaves WARC-Payload-Digest off warcinfo records; the block has no
        # HTTP headers, so its payload is the whole block.
        warcinfo.rec_headers.add_header("WARC-Payload-Digest", _block_payload_digest(warcinfo))
        self._write(warcinfo)
        self._fh.flush()
        logger.info("Opened WARC file %s", self._path)

    def _write(self, record) -> tuple[int, int]:
        offset = self._fh.tell()
        self._writer.write_record(record)
        length = self._fh.tell() - offset
        self.bytes_written += length
        return offset, length

    def _ensure_open(self) -> None:
        if self._fh is not None and self._fh.tell() >= self.max_size:
            self.close()
        if self._fh is None:
            self._open()

    def write_exchange(self, exchange: Exchange, revisit: RevisitTarget | None = None) -> WrittenExchange:
        """Write the response then the request record (warcio's pair order).

        With ``revisit`` (an earlier capture with the same payload digest) the
        response becomes a ``revisit`` record (profile identical-payload-digest:
        the HTTP headers, no body) pointing at it.
        """
        self._ensure_open()
        warc_date = datetime_to_iso_date(exchange.fetched_at.replace(tzinfo=None), use_micros=True)
        if revisit is not None:
            response = self._revisit_record(exchange, warc_date, revisit)
        else:
            response = self._response_record(exchange, warc_date)
        request = self._request_record(exchange, warc_date)
        record_id = response.rec_headers.get_header("WARC-Record-ID")
        request.rec_headers.add_header("WARC-Concurrent-To", record_id)
        offset, length = self._write(response)
        self._write(request)
        self._fh.flush()
        return WrittenExchange(
            warc_file=self._path.name, offset=offset, length=length, record_id=record_id,
            request_record_id=request.rec_headers.get_header("WARC-Record-ID"),
            payload_digest=response.rec_headers.get_header("WARC-Payload-Digest"),
            fetched_at=exchange.fetched_at.astimezone(timezone.utc).isoformat(timespec="seconds"),
            record_type=response.rec_type, warc_date=warc_date,
            payload_sha256=hashlib.sha256(exchange.body).hexdigest(),
            revisit_of=revisit.to_dict() if revisit is not None else None,
        )

    def write_metadata(self, url: str, concurrent_to: str, fields: dict[str, object]) -> WrittenRecord:
        """A ``metadata`` record (``application/warc-fields``) beside a response."""
        self._ensure_open()
        lines = []
        for name, value in fields.items():
            for item in value if isinstance(value, (list, tuple)) else [value]:
                if item not in (None, ""):
                    lines.append(f"{name}: {field_value(item)}\r\n")
        payload = "".join(lines).encode("utf-8")
        record = self._writer.create_warc_record(
            url, "metadata", payload=io.BytesIO(payload), length=len(payload),
            warc_content_type="application/warc-fields",
            warc_headers_dict={"WARC-Concurrent-To": concurrent_to},
        )
        offset, length = self._write(record)
        self._fh.flush()
        return WrittenRecord(self._path.name, offset, length, record.rec_headers.get_header("WARC-Record-ID"))

    def _response_record(self, exchange: Exchange, warc_date: str):
        headers = [
            (RENAMED_HEADERS.get(name.lower(), name), value)
            for name, value in exchange.response_headers
        ]
        http_headers = StatusAndHeaders(status_line(exchange.status), headers, protocol=exchange.protocol)
        warc_headers = {"WARC-Date": warc_date}
        if exchange.ip_address:
            warc_headers["WARC-IP-Address"] = exchange.ip_address
        return self._writer.create_warc_record(
            exchange.url, "response", payload=io.BytesIO(exchange.body), length=len(exchange.body),
            http_headers=http_headers, warc_headers_dict=warc_headers,
        )

    def _revisit_record(self, exchange: Exchange, warc_date: str, revisit: RevisitTarget):
        headers = [
            (RENAMED_HEADERS.get(name.lower(), name), value)
            for name, value in exchange.response_headers
        ]
        http_headers = StatusAndHeaders(status_line(exchange.status), headers, protocol=exchange.protocol)
        warc_headers = {"WARC-Date": warc_date, "WARC-Refers-To": revisit.record_id}
        if exchange.ip_address:
            warc_headers["WARC-IP-Address"] = exchange.ip_address
        record = self._writer.create_revisit_record(
            exchange.url, revisit.payload_digest, revisit.target_uri, revisit.warc_date,
            http_headers=http_headers, warc_headers_dict=warc_headers,
        )
        # The block is the HTTP header block alone; warcio computes its digest at write
        return record

    def _request_record(self, exchange: Exchange, warc_date: str):
        headers = list(exchange.request_headers)
        if not any(name.lower() == "host" for name, _ in headers):
            headers.insert(0, ("Host", urlsplit(exchange.url).netloc))
        http_headers = StatusAndHeaders(
            f"{exchange.method} {request_target(exchange.url)} {exchange.protocol}", headers,
            is_http_request=True,
        )
        return self._writer.create_warc_record(
            exchange.url, "request", payload=io.BytesIO(exchange.request_body),
            length=len(exchange.request_body), http_headers=http_headers,
            warc_headers_dict={"WARC-Date": warc_date},
        )

    def close(self) -> None:
        if self._fh is None:
            return
        self._fh.close()
        self.closed_files.append(self._path)
        logger.info("Closed WARC file %s", self._path)
        self._fh = self._writer = None
