"""WarcCapture: write every HTTP exchange to WARC files as it comes off the wire.

Listens to ``response_downloaded``, which fires before the downloader
middlewares touch the response, so the body is still content-encoded and the
headers are the server's. Where it landed is stored in ``request.meta["warc"]``
for the pipelines (the same dict is ``response.meta`` in callbacks).

Settings:
    WARC_ENABLED (True), WARC_DIR (``<ARSHIF_DATA_DIR>/warc``), WARC_PREFIX
    ("arshif"), WARC_MAX_SIZE (1 GiB), WARC_OPERATOR (""), WARC_DESCRIPTION ("").
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.exceptions import NotConfigured

from archive.warc import Exchange, WarcFileWriter

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


class WarcCapture:
    def __init__(self, writer: WarcFileWriter, stats) -> None:
        self.writer = writer
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("WARC_ENABLED"):
            raise NotConfigured("WARC_ENABLED is off")
        directory = settings.get("WARC_DIR") or Path(settings.get("ARSHIF_DATA_DIR")) / "warc"
        writer = WarcFileWriter(
            directory,
            prefix=settings.get("WARC_PREFIX"),
            max_size=settings.getint("WARC_MAX_SIZE"),
            warcinfo={
                "isPartOf": settings.get("ARSHIF_CRAWL_ID"),
                "operator": settings.get("WARC_OPERATOR"),
                "description": settings.get("WARC_DESCRIPTION"),
                "http-header-user-agent": settings.get("USER_AGENT"),
                "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
            },
        )
        extension = cls(writer, crawler.stats)
        crawler.signals.connect(extension.response_downloaded, signal=signals.response_downloaded)
        crawler.signals.connect(extension.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def response_downloaded(self, response: Response, request: Request) -> None:
        written = self.writer.write_exchange(exchange_from(request, response))
        request.meta["warc"] = written.to_dict()
        self.stats.inc_value("warc/exchanges")
        self.stats.set_value("warc/bytes_written", self.writer.bytes_written)

    def item_scraped(self, item) -> None:
        """Provenance beside the response: how it was found, what it links to, what was extracted."""
        if not getattr(item, "warc", None):
            return
        article = item.article or {}
        self.writer.write_metadata(item.url, item.warc["record_id"], {
            "via": item.via,
            "referrer": item.referrer,
            "site": item.site,
            "is-article": "yes" if item.article is not None else "no",
            "extracted-text-sha256": article.get("content_hash"),
            "outlink": item.outlinks,
        })
        self.stats.inc_value("warc/metadata_records")
        self.stats.set_value("warc/bytes_written", self.writer.bytes_written)

    def spider_closed(self) -> None:
        self.writer.close()
        self.stats.set_value("warc/files", len(self.writer.closed_files))
        self.stats.set_value("warc/bytes_written", self.writer.bytes_written)
