import gzip

from crawler.discovery import parse_feed, parse_sitemap, robots_sitemaps
from crawler.urls import canonicalize_url

BASE = "http://127.0.0.11:8400/"


def test_canonicalize_drops_tracking_params_and_fragment_only():
    url = "HTTP://Example.ORG/news/1-x?utm_source=fb&id=7&fbclid=abc&page=2#top"
    assert canonicalize_url(url) == "http://example.org/news/1-x?id=7&page=2"
    assert canonicalize_url("http://example.org") == "http://example.org/"


def test_robots_sitemaps():
    body = b"User-agent: *\nDisallow: /search\nSitemap: /sitemap.xml\nsitemap: http://x/s2.xml\n"
    assert robots_sitemaps(body, BASE) == [BASE + "sitemap.xml", "http://x/s2.xml"]


NEWS_SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url><loc>http://127.0.0.11:8400/2022/01/20/a/</loc>
    <news:news><news:publication><news:name>X</news:name><news:language>ar</news:language></news:publication>
      <news:publication_date>2022-01-20T10:00:00+03:00</news:publication_date>
      <news:title>\xd8\xb9\xd9\x86\xd9\x88\xd8\xa7\xd9\x86</news:title></news:news></url>
  <url><loc>/2022/01/21/b/</loc><lastmod>2022-01-21</lastmod></url>
</urlset>"""


def test_news_sitemap_keeps_google_news_fields():
    kind, entries = parse_sitemap(NEWS_SITEMAP, BASE)
    assert kind == "urlset"
    assert entries[0].published == "2022-01-20T10:00:00+03:00"
    assert entries[0].title == "عنوان"
    assert entries[1].url == BASE + "2022/01/21/b/" and entries[1].lastmod == "2022-01-21"


def test_gzipped_sitemap_index_and_garbage():
    index = b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>/a.xml</loc></sitemap></sitemapindex>'
    kind, entries = parse_sitemap(gzip.compress(index), BASE)
    assert (kind, [e.url for e in entries]) == ("sitemapindex", [BASE + "a.xml"])
    assert parse_sitemap(b"\x00\x01 not xml", BASE) == ("invalid", [])
    assert parse_sitemap(b"<html><body>hi</body></html>", BASE) == ("invalid", [])


def test_rss_and_atom_feeds():
    rss = b"<rss><channel><item><title>t</title><link>http://x/1</link><pubDate>Tue, 18 Jan 2022 10:00:00 +0300</pubDate></item>" \
          b"<item><guid>/2</guid></item></channel></rss>"
    assert [(e.url, e.published) for e in parse_feed(rss, BASE)] == [
        ("http://x/1", "Tue, 18 Jan 2022 10:00:00 +0300"), (BASE + "2", None)]
    atom = b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>t</title>' \
           b'<link rel="amphtml" href="/amp/1"/><link href="/news/1"/><updated>2022-01-01T00:00:00Z</updated></entry></feed>'
    assert [e.url for e in parse_feed(atom, BASE)] == [BASE + "news/1"]
    # a truncated feed still yields the items before the break
    assert [e.url for e in parse_feed(rss[: rss.index(b"<item><guid>") + 4], BASE)] == ["http://x/1"]
