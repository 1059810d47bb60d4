"""The re-visit policy before the scheduler, and conditional requests in the downloader."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware
from scrapy.utils.misc import load_object

from crawler.incremental.state import callback_name, state_for

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response


class IncrementalSpiderMiddleware(BaseSpiderMiddleware):
    """The re-visit policy, applied to requests before they reach the scheduler."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.state = state_for(crawler)
        if not self.state.enabled:
            raise NotConfigured("ARSHIF_ARCHIVE_ENABLED is off")

    def get_processed_request(self, request: Request, response: Response | None) -> Request | None:
        state = self.state
        if "site" not in request.meta:
            return request
        state.load()
        state.note_listing(request, response)
        reason = state.decide(request)
        if reason is None:
            state.count(request.meta["site"], "skipped")
            self.crawler.stats.inc_value("incremental/skipped")
            return None
        self.crawler.stats.inc_value(f"incremental/fetch/{reason}")
        return request


class IncrementalDownloaderMiddleware:
    """Conditional requests for known articles; validators, redirects and counts per site."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.state = state_for(crawler)
        settings = crawler.settings
        self.max_retries = settings.getint("RETRY_TIMES")
        self.retried = tuple(load_object(x) if isinstance(x, str) else x
                             for x in settings.getlist("RETRY_EXCEPTIONS"))
        if not self.state.enabled:
            raise NotConfigured("ARSHIF_ARCHIVE_ENABLED is off")

    @classmethod
    def from_crawler(cls, crawler: Crawler):
        return cls(crawler)

    def process_request(self, request: Request):
        site = request.meta.get("site")
        if not site:
            return None
        state = self.state
        state.load()
        state.requested.add(request.url)
        known = state.known.get(request.url)
        if request.meta.get("redirect_urls") and known is not None and state.decide(request) is None:
            # a redirect (short link, old spelling) to a known page that is not due
            state.count(site, "skipped")
            self.crawler.stats.inc_value("incremental/skipped")
            raise IgnoreRequest(f"incremental: {request.url} is known and not due")
        state.count(site, "requests")
        if (known is not None and known.article_id is not None and callback_name(request) == "parse_page"
                and (known.etag or known.last_modified)):
            if known.etag:
                request.headers.setdefault(b"If-None-Match", known.etag.encode("latin-1"))
            if known.last_modified:
                request.headers.setdefault(b"If-Modified-Since", known.last_modified.encode("latin-1"))
            allowed = list(request.meta.get("handle_httpstatus_list", ()))
            if 304 not in allowed:
                request.meta["handle_httpstatus_list"] = [*allowed, 304]
            self.crawler.stats.inc_value("incremental/conditional")
        return None

    def process_response(self, request: Request, response: Response):
        site = request.meta.get("site")
        if not site:
            return response
        state = self.state
        state.count(site, "pages")
        status = response.status
        if status in (200, 304):
            state.fetched_ok.add(request.url)
            etag = response.headers.get(b"ETag")
            last_modified = response.headers.get(b"Last-Modified")
            if etag or last_modified:
                state.validators[response.url] = (etag.decode("latin-1") if etag else None,
                                                  last_modified.decode("latin-1") if last_modified else None)
        if status == 304:
            state.count(site, "not_modified")
            self.crawler.stats.inc_value("incremental/not_modified")
        elif 300 <= status < 400 and response.headers.get(b"Location"):
            known = state.known.get(request.url)
            if known is not None and known.article_id is not None:
                location = urljoin(request.url, response.headers[b"Location"].decode("latin-1"))
                state.redirects[request.url] = (location, datetime.now(UTC).isoformat(timespec="seconds"))
        return response

    def process_exception(self, request: Request, exception: BaseException):
        site = request.meta.get("site")
        if not site or isinstance(exception, IgnoreRequest):
            return None
        retries_left = request.meta.get("retry_times", 0) < request.meta.get("max_retry_times", self.max_retries)
        if not (isinstance(exception, self.retried) and retries_left):
            self.state.count(site, f"error:{type(exception).__name__}")
        return None
