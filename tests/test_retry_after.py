"""Retry-After is untrusted input (issue 16 item 10): parsed strictly, capped, never an exception."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from crawler.middlewares.politeness import RETRY_AFTER_CAP, PolitenessMiddleware, retry_after_seconds

NOW = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize("value", [
    "²", "١٢", "１２", "12\u00a0", "1.5", "-1", "+3", "0x10", "1e3", "", "Thu, 01 Jan 2026 12:00:30 GMT x" * 4,
    "Thu, ٠١ Jan 2026 12:00:30 GMT", "Thu, 01 Jan 99999999 12:00:30 GMT",
])
def test_values_outside_the_grammar_are_no_retry_after(value):
    assert retry_after_seconds(value, NOW) is None
    assert retry_after_seconds(value.encode("utf-8").decode("latin-1"), NOW) is None


@pytest.mark.parametrize("value, seconds", [
    ("120", 120), (b" 7 ", 7), ("Thu, 01 Jan 2026 12:00:30 GMT", 30), ("Thursday, 01-Jan-26 12:01:00 GMT", 60),
    ("Thu Jan  1 12:00:10 2026", 10), ("9" * 12, RETRY_AFTER_CAP), ("Fri, 01 Jan 9999 00:00:00 GMT", RETRY_AFTER_CAP),
])
def test_delta_seconds_and_http_dates_capped(value, seconds):
    assert retry_after_seconds(value, NOW) == seconds


def test_a_unicode_digit_header_does_not_break_the_middleware():
    crawler = get_crawler(settings_dict={"ARSHIF_RETRY_AFTER_MAX": 300})
    crawler.stats.open_spider()
    middleware = PolitenessMiddleware.from_crawler(crawler)
    request = Request("http://127.0.0.14/story/busy.html", meta={"site": "hostile"})
    response = HtmlResponse(request.url, status=429, headers={"Retry-After": "²".encode()},
                            body=b"<h1>Too Many Requests</h1>", request=request)
    assert middleware.process_response(request, response) is response  # RetryMiddleware's turn
    assert crawler.stats.get_value("arshif/retry_after/invalid") == 1
    assert request.meta["arshif_attempts"] == ["429"]
