"""WarcCapture: write every HTTP exchange to WARC files as it comes off the wire.

Listens to ``response_downloaded``, which fires before the downloader
middlewares touch the response, so the body is still content-encoded and the
headers are the server's. Where it landed is stored in ``request.meta["warc"]``
for the pipelines (the same dict is ``response.meta`` in callbacks).

Settings:
    WARC_ENABLED (True), WARC_DIR (``<ARSHIF_DATA_DIR>/warc``), WARC_PREFIX
    ("arshif"), WARC_MAX_SIZE (1 GiB), WARC_OPERATOR (""), WARC_DESCRIPTION (""),
    WARC_REVISITS (True).

Evidence (issue 3):
- An unchanged re-fetch (same URL, same payload digest as a ``response`` capture
  already in the archive DB) is written as a ``revisit`` record pointing at the
  original. ``request.meta["warc"]["record_type"]`` is then ``"revisit"`` and
  ``request.meta["warc"]["revisit_of"]`` describes the original (capture id,
  record id, WARC-Date, file); see :func:`revisit_of`. The response object
  still carries the full body, so callbacks and pipelines work as usual.
- ``WarcMetadataPipeline`` writes the ``metadata`` record (provenance) before
  the archive pipeline stores the capture, so the capture row knows where it is.
- ``DiscoveryPathMiddleware`` (spider middleware) carries the chain of discovery
  steps (seed, robots, sitemap, feed, link...) from seed to page in
  ``request.meta["discovery_path"]``.
- Every closed WARC file's SHA-256 and size go to the ``warc_files`` table (on
  rotation when the DB is free, and at the latest when the spider closes).
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import zlib
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware

from archive.warc import Exchange, RevisitTarget, WarcFileWriter, json_field_value, payload_digest
from crawler.extensions import enabled_extension
from crawler.items import article_canonical_url

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response
    from typing_extensions import Self

logger = logging.getLogger(__name__)


def _header_pairs(headers) -> list[tuple[str, str]]:
    # getlist keeps repeated headers (Set-Cookie); __getitem__ returns only the last
    return [
        (name.decode("latin-1"), value.decode("latin-1"))
        for name in headers
        for value in headers.getlist(name)
    ]


def exchange_from(request: Request, response: Response) -> Exchange:
    return Exchange(
        url=request.url,
        method=request.method,
        request_headers=_header_pairs(request.headers),
        request_body=request.body or b"",
        status=response.status,
        response_headers=_header_pairs(response.headers),
        body=response.body,
        protocol=response.protocol or "HTTP/1.1",
        ip_address=str(response.ip_address) if response.ip_address else None,
        fetched_at=datetime.now(timezone.utc),
    )


def revisit_of(meta: dict) -> dict | None:
    """The original capture when this response was an unchanged re-fetch, else None.

    ``meta`` is ``response.meta`` (or ``request.meta``); the result has
    ``capture_id``, ``record_id``, ``target_uri``, ``warc_date``,
    ``payload_digest`` and ``warc_file`` of the original response record.
    """
    return (meta.get("warc") or {}).get("revisit_of")


def new_crawl_id() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_record_headers(path: Path, offset: int) -> dict[str, str]:
    """The WARC headers of the gzip-member record at ``offset`` (reads only what it needs)."""
    inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
    head = b""
    with open(path, "rb") as fh:
        fh.seek(offset)
        while b"\r\n\r\n" not in head and not inflater.eof:
            chunk = fh.read(4096)
            if not chunk:
                break
            head += inflater.decompress(chunk)
    lines = head.split(b"\r\n\r\n", 1)[0].decode("utf-8").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip()] = value.strip()
    return headers


class WarcCapture:
    def __init__(self, writer: WarcFileWriter, stats, *, db_path: Path | None = None,
                 revisits: bool = True, crawl_id: str = "", spider_sites=None) -> None:
        self.writer = writer
        self.stats = stats
        self.db_path = db_path  # the archive DB: revisit look-ups and warc_files
        self.revisits = revisits and db_path is not None
        self.crawl_id = crawl_id
        self._spider_sites = spider_sites  # () -> {name: Site}, read once for warcinfo
        self.sites: dict = {}
        self._reader: sqlite3.Connection | None = None
        self._recorded: set[Path] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("WARC_ENABLED"):
            raise NotConfigured("WARC_ENABLED is off")
        directory = settings.get("WARC_DIR") or Path(settings.get("ARSHIF_DATA_DIR")) / "warc"
        # `scrapy crawl` leaves ARSHIF_CRAWL_ID empty: name the crawl here then
        crawl_id = settings.get("ARSHIF_CRAWL_ID") or new_crawl_id()
        crawler.stats.set_value("arshif/crawl_id", crawl_id)
        writer = WarcFileWriter(
            directory,
            prefix=settings.get("WARC_PREFIX"),
            max_size=settings.getint("WARC_MAX_SIZE"),
            warcinfo={
                "isPartOf": crawl_id,
                "crawl-id": crawl_id,
                "operator": settings.get("WARC_OPERATOR"),
                "description": settings.get("WARC_DESCRIPTION"),
                "http-header-user-agent": settings.get("USER_AGENT"),
                "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
            },
        )
        db_path = None
        if settings.getbool("ARSHIF_ARCHIVE_ENABLED"):
            db_path = Path(settings.get("ARSHIF_DATA_DIR")) / "archive.db"
        extension = cls(
            writer, crawler.stats, db_path=db_path, revisits=settings.getbool("WARC_REVISITS", True),
            crawl_id=crawl_id, spider_sites=lambda: getattr(crawler.spider, "sites", None),
        )
        config = settings.get("ARSHIF_SITES_CONFIG")
        if config and Path(config).is_file():
            writer.warcinfo["site-config-file"] = str(config)
            writer.warcinfo["site-config-sha256"] = file_sha256(Path(config))
        crawler.signals.connect(extension.response_downloaded, signal=signals.response_downloaded)
        crawler.signals.connect(extension.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def _note_sites(self) -> None:
        """The sites crawled, as JSON, in warcinfo (the spider reads its config in start())."""
        if self._spider_sites is None:
            return
        sites = self._spider_sites()
        if sites:
            self.sites = sites
            self.writer.warcinfo["site-config"] = json_field_value([site.to_dict() for site in sites.values()])
            self._spider_sites = None

    def response_downloaded(self, response: Response, request: Request) -> None:
        self._note_sites()
        exchange = exchange_from(request, response)
        revisit = self.find_revisit(exchange)
        written = self.writer.write_exchange(exchange, revisit)
        warc = written.to_dict()
        path = request.meta.get("discovery_path") or [request.meta.get("via") or "seed"]
        warc["discovery_path"] = " ".join(str(step) for step in path)
        warc["hops"] = request.meta.get("hops")
        warc["redirected_from"] = list(request.meta.get("redirect_urls") or [])
        request.meta["warc"] = warc
        self.stats.inc_value("warc/exchanges")
        if revisit is not None:
            self.stats.inc_value("warc/revisits")
        self.stats.set_value("warc/bytes_written", self.writer.bytes_written)
        if len(self.writer.closed_files) > len(self._recorded):
            self.record_closed_files(wait=False)  # rotated: record it if the DB is free

    # --- revisits ---------------------------------------------------------

    def _db_reader(self) -> sqlite3.Connection | None:
        if self._reader is None and self.db_path is not None and self.db_path.exists():
            self._reader = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True,
                                           check_same_thread=False)
        return self._reader

    def find_revisit(self, exchange: Exchange) -> RevisitTarget | None:
        """An earlier ``response`` capture of the same URL with the same payload, if any."""
        if not self.revisits or not exchange.body or not 200 <= exchange.status < 300:
            return None
        reader = self._db_reader()
        if reader is None:
            return None
        digest = payload_digest(exchange.body)
        try:
            row = reader.execute(
                "SELECT id, warc_file, warc_offset, warc_record_id FROM captures "
                "WHERE url = ? AND payload_digest = ? AND coalesce(record_type, 'response') = 'response' "
                "AND warc_file IS NOT NULL ORDER BY id LIMIT 1",
                [exchange.url, digest],
            ).fetchone()
        except sqlite3.Error as error:  # no captures table yet, or an old schema
            logger.debug("No revisit look-up for %s: %s", exchange.url, error)
            return None
        if row is None:
            return None
        capture_id, warc_file, offset, record_id = row
        try:
            headers = read_record_headers(self.writer.directory / warc_file, offset)
        except (OSError, zlib.error, UnicodeDecodeError) as error:
            logger.warning("Original of %s unreadable (%s): writing a full record", exchange.url, error)
            return None
        if headers.get("WARC-Record-ID") != record_id or headers.get("WARC-Payload-Digest") != digest:
            logger.warning("Original of %s not where the archive says: writing a full record", exchange.url)
            return None
        return RevisitTarget(record_id=record_id, target_uri=headers["WARC-Target-URI"],
                             warc_date=headers["WARC-Date"], payload_digest=digest,
                             capture_id=capture_id, warc_file=warc_file)

    # --- metadata records -------------------------------------------------

    def write_item_metadata(self, item) -> None:
        """Provenance beside the response: how it was found, what it links to, what was extracted."""
        warc = getattr(item, "warc", None)
        if not warc or warc.get("metadata_record_id"):
            return
        article = item.article or {}
        text_hash = canonical = None
        if item.article is not None:
            text_hash = hashlib.sha256((article.get("text") or "").encode("utf-8")).hexdigest()
            # the row it is stored under: `arshif reindex` extracts only an article's last capture
            canonical = article_canonical_url(item, self.sites.get(item.site))
        revisit = warc.get("revisit_of") or {}
        written = self.writer.write_metadata(item.url, warc["record_id"], {
            "via": item.via,
            "referrer": item.referrer,
            "discovery-path": warc.get("discovery_path"),
            "hops": warc.get("hops"),
            "redirected-from": warc.get("redirected_from") or [],
            "site": item.site,
            "kind": item.kind,  # page/feed/sitemap/robots/error: `arshif reindex` needs it
            "crawl-id": self.crawl_id,
            "payload-sha256": warc.get("payload_sha256"),
            "revisit-of": revisit.get("record_id"),
            "is-article": "yes" if item.article is not None else "no",
            "extracted-text-sha256": text_hash,
            "canonical-url": canonical,
            # an AMP twin stored, not extracted, as a capture of this article
            "twin-of": item.twin_of,
            "outlink": item.outlinks,
        })
        warc.update(metadata_warc_file=written.warc_file, metadata_offset=written.offset,
                    metadata_length=written.length, metadata_record_id=written.record_id)
        self.stats.inc_value("warc/metadata_records")
        self.stats.set_value("warc/bytes_written", self.writer.bytes_written)

    def item_scraped(self, item) -> None:
        # WarcMetadataPipeline normally wrote it already; this covers settings without it
        self.write_item_metadata(item)

    # --- closed files -----------------------------------------------------

    def record_closed_files(self, *, wait: bool) -> None:
        """SHA-256 and size of every closed WARC file into the archive's ``warc_files``.

        During the crawl (``wait=False``) a busy database is left alone and the
        files are recorded at spider close; pipelines have closed their
        connections by then.
        """
        pending = [path for path in self.writer.closed_files if path not in self._recorded]
        if not pending or self.db_path is None:
            return
        from archive.db import open_archive, record_warc_file

        try:
            db = open_archive(self.db_path)
        except sqlite3.Error as error:
            logger.warning("Cannot open %s to record WARC files: %s", self.db_path, error)
            return
        try:
            if not wait:
                db.execute("PRAGMA busy_timeout = 200")
            for path in pending:
                record_warc_file(db, path.name, file_sha256(path), path.stat().st_size,
                                 crawl_id=self.crawl_id)
                self._recorded.add(path)
                logger.info("Recorded WARC file %s", path.name)
        except sqlite3.OperationalError as error:
            if wait:
                raise
            logger.debug("Archive busy (%s): WARC files recorded at close", error)
        finally:
            db.close()

    def spider_closed(self) -> None:
        self.writer.close()
        if self._reader is not None:
            self._reader.close()
            self._reader = None
        self.record_closed_files(wait=True)
        self.stats.set_value("warc/files", len(self.writer.closed_files))
        self.stats.set_value("warc/bytes_written", self.writer.bytes_written)


class WarcMetadataPipeline:
    """Item pipeline: write each item's ``metadata`` record before the archive stores it.

    Runs after extraction (it records the extracted text's hash) and before
    ``ArchivePipeline``, which then stores the metadata record's place with the capture.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.capture: WarcCapture | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def open_spider(self) -> None:
        # looked up once: extensions are built before the engine opens the spider
        self.capture = enabled_extension(self.crawler, WarcCapture)

    def process_item(self, item: Any) -> Any:
        if self.capture is not None:
            self.capture.write_item_metadata(item)
        return item


class DiscoveryPathMiddleware(BaseSpiderMiddleware):
    """Spider middleware: ``request.meta["discovery_path"]``, the steps from seed to URL.

    Each step is the ``via`` of one request (seed, robots, sitemap, feed,
    feed-link, link...), so a page found through a sitemap index has
    ``["seed", "robots", "sitemap", "sitemap"]`` and its outlinks add ``"link"``.
    """

    MAX_STEPS = 64

    def get_processed_request(self, request: Request, response: Response | None) -> Request | None:
        if "discovery_path" not in request.meta:
            parent: list[str] = []
            if response is not None:
                parent = list(response.meta.get("discovery_path")
                              or [response.meta.get("via") or "seed"])
            step = request.meta.get("via") or ("link" if response is not None else "seed")
            request.meta["discovery_path"] = (parent + [step])[-self.MAX_STEPS:]
        return request
