"""Publisher 3's machine-readable side: robots.txt (disallows /search), Atom, sitemap."""

from __future__ import annotations

from samples.pages import Page
from samples.sites.common import Renderer, esc
from samples.topics import TOPICS

FEED_SIZE = 20


class ModernSite(Renderer):
    headers: dict[str, str]


def add_feeds_and_sitemaps(site: ModernSite) -> None:
    base, port = site.base, site.port
    newest = max(a.modified for a in site.articles)

    def add(path: str, text: str, content_type: str) -> None:
        site.build.add(path, Page(text.encode("utf-8"), content_type, extra=site.headers, modified=newest,
                                  validators=True, compress=True))

    add("/robots.txt", (
        f"User-agent: *\nDisallow: /search\nDisallow: /api/\nDisallow: /newsletter\n\n"
        f"Sitemap: {base}sitemap.xml\n"
    ), "text/plain; charset=utf-8")

    entries = "".join(
        f"<entry><title>{esc(a.title)}</title>"
        f'<link rel="alternate" type="text/html" href="{a.url(port)}"/>'
        f"<id>tag:nabd-alshamal,{a.published:%Y-%m-%d}:news/{a.ident}</id>"
        f"<published>{a.published.isoformat()}</published><updated>{a.modified.isoformat()}</updated>"
        f"<author><name>{esc(a.author.name)}</name></author>"
        f'<category term="{a.story.topic.key}" label="{esc(a.story.topic.name)}"/>'
        f'<summary type="text">{esc(a.summary)}</summary></entry>\n'
        for a in site.newest[:FEED_SIZE]
    )
    add("/atom.xml", (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="ar">\n'
        f"<title>{esc(site.pub.title)}</title><subtitle>أخبار الشمال السوري</subtitle>"
        f'<link href="{base}atom.xml" rel="self"/><link href="{base}"/>'
        f"<updated>{newest.isoformat()}</updated><id>{base}</id>\n{entries}</feed>\n"
    ), "application/atom+xml; charset=utf-8")

    urls = [f"<url><loc>{base}</loc><changefreq>hourly</changefreq></url>"]
    urls += [f"<url><loc>{base}section/{t.key}</loc><changefreq>daily</changefreq></url>" for t in TOPICS]
    urls += [f"<url><loc>{a.url(port)}</loc><lastmod>{a.modified.isoformat()}</lastmod></url>"
             for a in site.newest]
    add("/sitemap.xml", (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + "\n".join(urls) + "\n</urlset>\n"
    ), "application/xml; charset=utf-8")
