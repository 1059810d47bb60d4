"""A WordPress site's machine-readable side: robots.txt, RSS feed and Yoast-style sitemaps.

The sitemap index lists post sitemaps of 1000 URLs each, a category sitemap (listing
pages, not articles) and a Google News sitemap of the 50 newest articles. Publisher 1
("furat") and the WordPress news theme ("maraya") both use it.
"""

from __future__ import annotations

from samples.pages import Page
from samples.sites.common import Renderer, esc, rfc822
from samples.stories import Article
from samples.topics import TOPICS, Topic

XML = "text/xml; charset=UTF-8"
RSS = "application/rss+xml; charset=UTF-8"
SITEMAP_SIZE = 1000
NEWS_SIZE = 50
FEED_SIZE = 20
URLSET = ('<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
          ' xmlns:image="http://www.google.com/schemas/sitemap-image/1.1"')


class WordPressSite(Renderer):
    tagline: str

    def cat_url(self, topic: Topic) -> str: ...

    def feed_author(self, article: Article) -> str: ...


def _xml(site: WordPressSite, path: str, text: str, content_type: str = XML) -> None:
    body = ('<?xml version="1.0" encoding="UTF-8"?>\n' + text).encode("utf-8")
    site.build.add(path, Page(body, content_type, extra={"Server": "nginx"}))


def add_feeds_and_sitemaps(site: WordPressSite) -> None:
    base, port, articles = site.base, site.port, site.articles
    site.build.add("/robots.txt", Page(
        (f"User-agent: *\nDisallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php\n\n"
         f"Sitemap: {base}sitemap_index.xml\n").encode(),
        "text/plain; charset=utf-8", extra={"Server": "nginx"}))

    items = "".join(
        f"<item><title>{esc(a.title)}</title><link>{a.url(port)}</link>"
        f"<dc:creator><![CDATA[{site.feed_author(a)}]]></dc:creator><pubDate>{rfc822(a.published)}</pubDate>"
        f"<category><![CDATA[{a.story.topic.name}]]></category>"
        f'<guid isPermaLink="false">{base}?p={a.ident}</guid>'
        f"<description><![CDATA[{a.summary} [&#8230;]]]></description></item>\n"
        for a in site.newest[:FEED_SIZE]
    )
    newest = max(a.modified for a in articles)
    _xml(site, "/feed/", (
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">\n'
        f"<channel><title>{esc(site.pub.title)}</title>"
        f'<atom:link href="{base}feed/" rel="self" type="application/rss+xml"/>'
        f"<link>{base}</link><description>{esc(site.tagline)}</description>"
        f"<lastBuildDate>{rfc822(newest)}</lastBuildDate><language>ar</language>"
        f"<generator>https://wordpress.org/?v=6.1.1</generator>\n{items}</channel></rss>\n"
    ), RSS)

    by_modified = sorted(articles, key=lambda a: a.modified)
    chunks = [by_modified[i:i + SITEMAP_SIZE] for i in range(0, len(by_modified), SITEMAP_SIZE)]
    index = []
    for n, chunk in enumerate(chunks, 1):
        name = "post-sitemap.xml" if n == 1 else f"post-sitemap{n}.xml"
        urls = "".join(
            f"<url><loc>{a.url(port)}</loc><lastmod>{a.modified.isoformat()}</lastmod>"
            f"<image:image><image:loc>{base}wp-content/uploads/{a.published:%Y/%m}/{a.slug}.jpg"
            f"</image:loc></image:image></url>\n" for a in chunk
        )
        _xml(site, f"/{name}", f"{URLSET}>\n{urls}</urlset>\n")
        index.append((name, chunk[-1].modified))
    cats = "".join(f"<url><loc>{site.cat_url(t)}</loc></url>\n" for t in TOPICS)
    _xml(site, "/category-sitemap.xml", f"{URLSET}>\n{cats}</urlset>\n")
    index.append(("category-sitemap.xml", newest))

    news = "".join(
        f"<url><loc>{a.url(port)}</loc><news:news><news:publication>"
        f"<news:name>{esc(site.pub.title)}</news:name><news:language>ar</news:language>"
        f"</news:publication><news:publication_date>{a.published.isoformat()}"
        f"</news:publication_date><news:title>{esc(a.title)}</news:title></news:news></url>\n"
        for a in site.newest[:NEWS_SIZE]
    )
    _xml(site, "/news-sitemap.xml", (
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
        f' xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n{news}</urlset>\n'
    ))
    index.append(("news-sitemap.xml", newest))

    entries = "".join(
        f"<sitemap><loc>{base}{name}</loc><lastmod>{moment.isoformat()}</lastmod></sitemap>\n"
        for name, moment in index
    )
    _xml(site, "/sitemap_index.xml", (
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{entries}</sitemapindex>\n'
    ))
