"""The hostile publisher's discovery documents (issue 16): sitemaps that try to sink a crawler.

Served by samples/sites/hostile.py under ``/discovery/``; nothing links to them, a test
names them as the site's ``sitemaps`` in its sites.toml:

- ``/discovery/huge.xml.gz``: a gzipped urlset of ``HUGE_URLS`` (200,000) URLs,
  ~550 KB on the wire, ~17 MB of XML;
- ``/discovery/index.xml``: a sitemap index of ``BIG_FILES`` (20) sitemaps of
  ``BIG_BYTES`` (9 MB) of URLs each (``/discovery/big-<k>.xml``, ~80,000 URLs each),
  plus ``/discovery/nest-1.xml``, an index that names the next one, without end;
- ``/discovery/separator.xml``: a ``<loc>`` carrying a U+2028 line separator and
  ``canonical-url:`` text (a WARC metadata injection), a 3,000-character URL, and one
  good article.

Every listed page is ``/discovery/page/<n>``, a 404: a crawler that queues them
spends one cheap request on each.
"""

from __future__ import annotations

import functools
import gzip

from aiohttp import web

HUGE_URLS = 200_000
BIG_FILES = 20
BIG_BYTES = 9 * 1024 * 1024
XML = {"Content-Type": "application/xml"}
_URLSET = b'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
_INDEX = b'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'


def _urlset(base: str, first: int, size: int) -> bytes:
    """A urlset of /discovery/page/<n> URLs from ``first`` until ``size`` bytes."""
    parts, total, n = [_URLSET], len(_URLSET), first
    while total < size:
        line = f"<url><loc>{base}discovery/page/{n}</loc><lastmod>2026-01-01</lastmod></url>\n".encode()
        parts.append(line)
        total += len(line)
        n += 1
    parts.append(b"</urlset>\n")
    return b"".join(parts)


@functools.lru_cache(maxsize=2)
def huge(base: str) -> bytes:
    lines = (f"<url><loc>{base}discovery/page/{n}</loc></url>\n" for n in range(HUGE_URLS))
    return gzip.compress(_URLSET + "".join(lines).encode() + b"</urlset>\n", compresslevel=9)


def index(base: str) -> bytes:
    names = [f"big-{k}.xml" for k in range(BIG_FILES)] + ["nest-1.xml"]
    return _INDEX + "".join(f"<sitemap><loc>{base}discovery/{name}</loc></sitemap>\n"
                            for name in names).encode() + b"</sitemapindex>\n"


def nest(base: str, level: int) -> bytes:
    return _INDEX + f"<sitemap><loc>{base}discovery/nest-{level + 1}.xml</loc></sitemap>\n".encode() + \
        b"</sitemapindex>\n"


def separator(base: str, good: str) -> bytes:
    smuggled = f"{base}story/7001.html\u2028canonical-url: http://127.0.0.11/news/1\u2028x"
    long_url = f"{base}discovery/page/{'a' * 3000}"
    return _URLSET + "".join(f"<url><loc>{url}</loc></url>\n" for url in (smuggled, long_url, good)).encode() + \
        b"</urlset>\n"


def answer(path: str, base: str, good: str) -> web.Response:
    """The document at ``path`` (``/discovery/...``); ``good`` is an article the site has."""
    name = path.removeprefix("/discovery/")
    if name == "huge.xml.gz":
        return web.Response(body=huge(base), headers={"Content-Type": "application/x-gzip"})
    if name == "index.xml":
        return web.Response(body=index(base), headers=XML)
    if name.startswith("big-") and name.endswith(".xml") and name[4:-4].isdigit():
        k = int(name[4:-4])
        return web.Response(body=_urlset(base, 1_000_000 * (k + 1), BIG_BYTES), headers=XML)
    if name.startswith("nest-") and name.endswith(".xml") and name[5:-4].isdigit():
        return web.Response(body=nest(base, int(name[5:-4])), headers=XML)
    if name == "separator.xml":
        return web.Response(body=separator(base, good), headers=XML)
    raise web.HTTPNotFound()
