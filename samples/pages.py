"""Pre-rendered HTTP responses and the per-request logic around them.

Everything that can be computed once (gzip body, ETag, header dicts) is, so that serving
a page is a dict lookup plus a few header checks: benchmarks must measure the crawler.
"""

from __future__ import annotations

import gzip
import hashlib
from datetime import datetime, timezone
from email.utils import format_datetime, parsedate_to_datetime

from aiohttp import web


def http_date(moment: datetime) -> str:
    return format_datetime(moment.astimezone(timezone.utc), usegmt=True)


class Page:
    """One response: status, headers and body bytes, optionally with a gzip twin.

    `validators=True` adds a weak ETag (as nginx sends for gzipped responses, so the
    same tag stands for both encodings) and Last-Modified from `modified`, and makes
    the page answer If-None-Match / If-Modified-Since with 304.
    """

    __slots__ = ("status", "body", "headers", "gz_body", "gz_headers", "etag", "mtime", "location")

    def __init__(
        self,
        body: bytes,
        content_type: str,
        *,
        status: int = 200,
        extra: dict[str, str] | None = None,
        modified: datetime | None = None,
        validators: bool = False,
        compress: bool = False,
        location: str | None = None,
    ) -> None:
        self.status = status
        self.body = body
        self.location = location
        headers = {"Content-Type": content_type, **(extra or {})}
        if location:
            headers["Location"] = location
        self.etag = self.mtime = None
        if validators:
            self.etag = 'W/"%s"' % hashlib.blake2b(body, digest_size=8).hexdigest()
            headers["ETag"] = self.etag
            if modified is not None:
                self.mtime = int(modified.timestamp())
                headers["Last-Modified"] = http_date(modified)
        self.gz_body = self.gz_headers = None
        if compress:
            # Level 1 is nginx's default; mtime=0 keeps the bytes identical between builds.
            self.gz_body = gzip.compress(body, compresslevel=1, mtime=0)
            headers["Vary"] = "Accept-Encoding"
            self.gz_headers = {**headers, "Content-Encoding": "gzip"}
        self.headers = headers

    def _not_modified(self, request: web.BaseRequest) -> bool:
        if self.etag is None:
            return False
        tags = request.headers.get("If-None-Match")
        if tags is not None:
            # Weak comparison (RFC 9110 13.1.2): W/ prefixes do not matter.
            mine = self.etag.removeprefix("W/")
            return any(t.strip() in ("*", mine) or t.strip().removeprefix("W/") == mine
                       for t in tags.split(","))
        since = request.headers.get("If-Modified-Since")
        if since and self.mtime is not None:
            try:
                return self.mtime <= parsedate_to_datetime(since).timestamp()
            except (TypeError, ValueError):
                return False
        return False

    def respond(self, request: web.BaseRequest) -> web.Response:
        if self._not_modified(request):
            keep = {k: v for k, v in self.headers.items() if k != "Content-Type"}
            return web.Response(status=304, headers=keep)
        if self.gz_body is not None and "gzip" in request.headers.get("Accept-Encoding", ""):
            return web.Response(status=self.status, body=self.gz_body, headers=self.gz_headers)
        return web.Response(status=self.status, body=self.body, headers=self.headers)


def redirect(location: str, extra: dict[str, str] | None = None) -> Page:
    body = f'<html><body>Moved: <a href="{location}">{location}</a></body></html>'.encode()
    return Page(body, "text/html; charset=utf-8", status=301, extra=extra, location=location)
