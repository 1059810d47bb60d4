"""Whole-page scans on the reactor stay linear on adversarial pages (issue 15/16 "never hang").

Each input below is the worst case a regex with overlapping quantifiers had on the
bytes it was given (64 KB bodies for the empty-page check, the 32 KB head for the
soft-404 heading, the 16 KB head for AMP twins). Before: 1-56 s each on the project's
2-core machine, run on the reactor, once per page. After: milliseconds.
"""

from __future__ import annotations

import time

import pytest

from pipelines.checks import SOFT_404, has_visible_text, page_heading
from pipelines.twins import declared_canonical

BOUND = 0.5  # seconds; the fixed scans take a few ms


def timed(call, *args):
    started = time.perf_counter()
    result = call(*args)
    assert time.perf_counter() - started < BOUND
    return result


@pytest.mark.parametrize("body", [b"<" * 65535, b"<script " * 8191, b"<!--" * 16383, b"<style>" * 9362])
def test_visible_text_check_is_linear(body):
    timed(has_visible_text, body)  # was 10-30 s (lazy <!--.*?--> and <[^>]*> from every "<")


@pytest.mark.parametrize("body", [b"<title>" * 5714, ("<title>" + "<" * 32000 + "</title>").encode(),
                                  b"<h1 x" * 8000])
def test_soft_404_heading_is_linear(body):
    timed(page_heading, body, None)  # was 1-4.5 s


@pytest.mark.parametrize("head", [b"<html " * 2730, b"<html amp>" + b"<link " * 2730])
def test_amp_twin_detection_is_linear(head):
    assert timed(declared_canonical, head, "http://127.0.0.13/amp/1") is None  # was 0.2-2 s


def test_soft_404_pattern_is_linear():
    assert timed(SOFT_404.search, "404" + " " * 32768) is None  # was 21-56 s: \s*[-–:|]?\s*


@pytest.mark.parametrize("body, visible", [
    (b"<html><head><title></title></head><body>\n  \n</body></html>", False),
    (b"<html><body><script>document.write('x')</script><!-- y --><style>p{}</style>&nbsp;</body></html>", False),
    (b"<!-- only a comment -->", False),
    (b"<html><head><title>x</title></head><body></body></html>", True),
    ("<p>نص <b>ظاهر</b></p>".encode(), True),
])
def test_visible_text(body, visible):
    assert has_visible_text(body) is visible


def test_heading_reads_title_and_h1_as_before():
    page = "<html><head><title>الصفحة غير موجودة</title></head><body><h1>خطأ<br>404</h1></body></html>"
    assert page_heading(page.encode(), None) == "الصفحة غير موجودة | خطأ 404"
    # decoded once by the declared charset; the <meta> does not decode it again
    page_1256 = '<html><head><meta charset="windows-1256"><title>الصفحة غير موجودة</title></head></html>'
    assert page_heading(page_1256.encode("cp1256"), None) == "الصفحة غير موجودة"
    assert SOFT_404.search(page_heading(page.encode(), None))
