"""Responses a crawler must not take at face value: redirect loops, binary "HTML".

- ``RedirectLoopMiddleware`` (downloader middleware, 610: sees a 3xx before
  ``RedirectMiddleware``): a ``Location`` that points back at a URL already in
  the request's redirect chain (``/a`` -> ``/b`` -> ``/a``, or ``/a`` -> ``/a``)
  is dropped as ``redirect_loop``. Scrapy alone follows the loop until the
  duplicate filter silently drops the repeat (or, for ``dont_filter`` requests,
  until ``REDIRECT_MAX_TIMES``), and nothing says why the page is missing.
- ``BinaryBodyMiddleware`` (downloader middleware, 585: after decompression): a
  body that starts like a PDF, image, archive or has NUL bytes is not HTML,
  whatever its ``Content-Type`` says; it becomes a plain ``Response`` (stored as
  a capture of kind "other", never parsed or extracted) and is recorded as
  ``binary_as_html``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urljoin

from scrapy.http import HtmlResponse, Response
from w3lib.url import safe_url_string

from crawler.failures import ArshifIgnore, record_failure
from crawler.urls import canonicalize_url

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Request
    from typing_extensions import Self

MAGIC = (
    (b"%PDF-", "PDF"), (b"\x89PNG", "PNG image"), (b"GIF8", "GIF image"), (b"\xff\xd8\xff", "JPEG image"),
    (b"PK\x03\x04", "ZIP archive"), (b"\x1f\x8b", "gzip data"), (b"Rar!", "RAR archive"),
    (b"7z\xbc\xaf", "7-Zip archive"), (b"\xd0\xcf\x11\xe0", "MS Office document"), (b"ID3", "MP3 audio"),
    (b"OggS", "Ogg media"), (b"RIFF", "RIFF media"), (b"wOFF", "web font"), (b"wOF2", "web font"),
    (b"\x00\x00\x01\x00", "icon"), (b"\x7fELF", "executable"), (b"MZ", "Windows executable"),
)


def binary_kind(body: bytes) -> str | None:
    """What binary data ``body`` is ("PDF", "binary data" ...), or None if it may be text."""
    head = body[:1024]
    for magic, kind in MAGIC:
        if head.startswith(magic):
            return kind
    if b"\x00" in head:
        if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"<\x00" in head or b"\x00<" in head:
            return None  # UTF-16 text
        return "binary data"
    return None


class RedirectLoopMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        location = response.headers.get(b"Location")
        if not location or not 300 <= response.status < 400:
            return response
        try:
            target = canonicalize_url(urljoin(request.url, safe_url_string(location.decode("latin-1"))))
        except ValueError:
            return response
        chain = [*request.meta.get("redirect_urls", ()), request.url]
        if target in {canonicalize_url(url) for url in chain}:
            self.crawler.stats.inc_value("arshif/redirect_loops")
            raise ArshifIgnore("redirect_loop", " -> ".join([*chain, target]))
        return response


class BinaryBodyMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        if not isinstance(response, HtmlResponse):
            return response
        kind = binary_kind(response.body)
        if kind is None:
            return response
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
        record_failure(self.crawler, request.url, "binary_as_html",
                       f"{kind} ({len(response.body)} bytes) served as {content_type or 'no type'}; "
                       f"kept as a capture, not parsed", status=response.status, request=request)
        # not replace(cls=Response): a TextResponse carries an encoding Response does not take
        return Response(url=response.url, status=response.status, headers=response.headers,
                        body=response.body, flags=response.flags, request=response.request,
                        certificate=response.certificate, ip_address=response.ip_address,
                        protocol=response.protocol)
