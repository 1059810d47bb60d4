"""AMP twins (pipelines/twins.py): detection from the AMP page's own markup, and the wait
for its article's extraction when both are in flight."""

from __future__ import annotations

import asyncio

import pytest

from crawler.items import PageItem
from crawler.sites import Site
from pipelines.twins import AmpTwins, declared_canonical
from crawler.spiders.news import AMP_URL

SITE = Site(name="nabd", base_url="http://127.0.0.13/", allowed_domains=["127.0.0.13"])


@pytest.mark.parametrize("html", [
    b'<!doctype html><html amp lang="ar"><head><link rel="canonical" href="/news/1-x?utm_source=a">',
    "<html \u26a1 dir=rtl><head><link href='/news/1-x' rel='canonical'/>".encode(),
    b'<HTML AMP=""><head><LINK REL=canonical HREF=http://127.0.0.13/news/1-x>',
])
def test_amp_page_names_its_canonical_page(html):
    assert declared_canonical(html, "http://127.0.0.13/amp/news/1-x") == "http://127.0.0.13/news/1-x"


@pytest.mark.parametrize("html", [
    b'<html lang="ar"><head><link rel="canonical" href="/news/1-x">',  # not AMP
    b'<html amp-version="2"><head><link rel="canonical" href="/news/1-x">',  # another attribute
    b'<html amp><head><link rel="amphtml" href="/amp/news/1-x">',  # no canonical link
])
def test_other_pages_name_none(html):
    assert declared_canonical(html, "http://127.0.0.13/amp/news/1-x") is None


def page(url: str, body: bytes = b"<html><body></body></html>") -> PageItem:
    return PageItem(site="nabd", url=url, status=200, kind="page", body=body)


def test_twin_waits_for_its_articles_extraction_in_flight():
    async def scenario():
        twins = AmpTwins()
        article = page("http://127.0.0.13/news/1-x")
        twins.extracting_page(article)
        amp = page("http://127.0.0.13/amp/news/1-x",
                   b'<html amp><head><link rel="canonical" href="/news/1-x"></head></html>')
        waiting = asyncio.create_task(twins.twin_of(amp))
        await asyncio.sleep(0.01)
        assert not waiting.done()  # the article's extraction is still running
        # what ExtractPipeline does once the worker answers
        article.article = {"amp_url": "/amp/news/1-x?utm_medium=amp", "canonical_url": None}
        twins.extracted(article, SITE)
        assert await waiting == "http://127.0.0.13/news/1-x"
        assert twins.extracting == {}
        # an AMP page whose article was never extracted is extracted itself
        other = page("http://127.0.0.13/amp/news/2-y",
                     b'<html amp><head><link rel="canonical" href="/news/2-y"></head></html>')
        assert await twins.twin_of(other) is None

    asyncio.run(scenario())


def test_twin_is_released_when_one_page_is_extracted_twice_at_once():
    async def scenario():
        twins = AmpTwins()
        first, second = page("http://127.0.0.13/news/1-x"), page("http://127.0.0.13/news/1-x")
        twins.extracting_page(first)
        amp = page("http://127.0.0.13/amp/news/1-x",
                   b'<html amp><head><link rel="canonical" href="/news/1-x"></head></html>')
        waiting = asyncio.create_task(twins.twin_of(amp))
        await asyncio.sleep(0.01)
        twins.extracting_page(second)  # e.g. a second redirect to the same page
        first.article = {"amp_url": "/amp/news/1-x", "canonical_url": None}
        twins.extracted(first, SITE)
        assert await asyncio.wait_for(waiting, 1) == "http://127.0.0.13/news/1-x"
        twins.extracted(second, SITE)
        assert twins.extracting == {}

    asyncio.run(scenario())


def test_amp_links_are_recognised_for_a_later_fetch():
    for url in ("http://x/amp/news/1", "http://x/news/1/amp", "http://x/news/1?amp=1",
                "http://x/news/1?amp", "http://x/news/1.amp.html", "http://x/news/1.amp"):
        assert AMP_URL.search(url), url
    for url in ("http://x/news/ampere-1", "http://x/camps/1", "http://x/news/1?ampm=2"):
        assert not AMP_URL.search(url), url
