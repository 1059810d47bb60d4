"""Publisher 3, "نبض الشمال": a modern site with AMP twins, gzip and validators.

Every 200 response is gzip-encoded for clients that ask, carries a weak ETag and
Last-Modified, and answers If-None-Match / If-Modified-Since with 304. Listing links
carry tracking parameters (utm_*, fbclid) on some articles; "الأكثر قراءة" links go to
AMP twins (/amp/news/...), whose rel=canonical points back. The home page links one
short URL that 301-redirects to an article, one removed article (404) and /search,
which robots.txt disallows. The body ends with a Telegram promo line and holds a
newsletter box: both are chrome, not text.
"""

from __future__ import annotations

import json
import zlib
from urllib.parse import quote

from samples.pages import Page, redirect
from samples.sites.common import SiteBuild, egyptian_date, esc, neighbours, pages_of, share_links, stylesheet
from samples.sites.nabd_xml import add_feeds_and_sitemaps
from samples.topics import TOPICS

HTML = "text/html; charset=utf-8"
HEADERS = {"Server": "nginx", "Cache-Control": "public, max-age=300", "X-Frame-Options": "SAMEORIGIN"}
PER_PAGE = 12
PROMO = "تابعوا آخر أخبار نبض الشمال عبر قناتنا على تلغرام"
NEWSLETTER = "اشترك في النشرة البريدية لنبض الشمال"
COPYRIGHT = "© 2024 نبض الشمال. جميع الحقوق محفوظة."
REMOVED = "/news/40999-removed-story"
CSS = stylesheet("nabd", "nb-", (
    "header", "header__inner", "logo", "nav", "search", "main", "story", "story__title",
    "story__meta", "story__body", "story__media", "newsletter", "promo", "more", "card",
    "card__title", "popular", "footer", "crumbs", "tags", "pager", "share",
))
AMP_BOILERPLATE = (
    "<style amp-boilerplate>body{-webkit-animation:-amp-start 8s steps(1,end) 0s 1 normal both;"
    "animation:-amp-start 8s steps(1,end) 0s 1 normal both}@keyframes -amp-start{from{visibility:"
    "hidden}to{visibility:visible}}</style><noscript><style amp-boilerplate>body{-webkit-animation:"
    "none;animation:none}</style></noscript>"
)


def tracked(path: str, k: int) -> str:
    """Some listing links carry tracking parameters, as shared and promoted links do."""
    if k % 4 == 1:
        return f"{path}?utm_source=nabd&amp;utm_medium=listing&amp;utm_campaign=section"
    if k % 4 == 3:
        return f"{path}?fbclid=IwAR{zlib.crc32(path.encode()):08x}Zq"
    return path


class Nabd:
    def __init__(self, publisher, articles, port: int) -> None:
        self.pub, self.articles, self.port = publisher, articles, port
        self.base = publisher.base_url(port)
        self.newest = sorted(articles, key=lambda a: a.published, reverse=True)
        self.build = SiteBuild(ignore_query=True)
        self.headers = HEADERS

    def page(self, html: str, modified, status: int = 200) -> Page:
        return Page(html.encode("utf-8"), HTML, status=status, extra=HEADERS, modified=modified,
                    validators=status == 200, compress=True)

    def chrome(self, title: str, main: str, head: str = "") -> str:
        nav = "".join(f'<a href="/section/{t.key}">{esc(t.name)}</a>' for t in TOPICS)
        return f"""<!doctype html>
<html lang="ar" dir="rtl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>{esc(title)} | {esc(self.pub.title)}</title>
<link rel="alternate" type="application/atom+xml" title="{esc(self.pub.title)}" href="/atom.xml">
<link rel="preload" href="/assets/app.4f3c2a.css" as="style">
{head}<style>{CSS}</style>
</head>
<body class="nb-body">
<a class="nb-skip" href="#main">تخطى إلى المحتوى</a>
<header class="nb-header"><div class="nb-header__inner">
<a class="nb-logo" href="/">{esc(self.pub.title)}</a>
<nav class="nb-nav" aria-label="الأقسام">{nav}</nav>
<form class="nb-search" action="/search" method="get" role="search"><input type="search" name="q" placeholder="ابحث في الأخبار"></form>
<a class="nb-search-link" href="/search?q={quote('الحسكة')}">بحث</a>
</div></header>
<main id="main" class="nb-main">
{main}
</main>
<footer class="nb-footer"><nav><a href="/about">من نحن</a> <a href="/atom.xml">Atom</a></nav><p>{COPYRIGHT}</p></footer>
<script src="/assets/app.9b1e07.js" defer></script>
</body>
</html>
"""

    def card(self, a, k: int) -> str:
        href = tracked(a.path, k)
        return (f'<article class="nb-card"><a href="{href}"><img src="/media/{a.ident}-480.webp" alt=""'
                f' loading="lazy"></a><h3 class="nb-card__title"><a href="{href}">{esc(a.title)}</a></h3>'
                f'<time datetime="{a.published.isoformat()}">{egyptian_date(a.published)}</time></article>')

    def article(self, index: int) -> None:
        a = self.articles[index]
        url, amp = a.url(self.port), f"{self.base}amp{a.path}"
        more = neighbours(self.articles, index, 4)
        popular = neighbours(self.articles, (index * 7 + 3) % len(self.articles), 5)
        body = []
        for kind, text in a.blocks:
            body.append(f"<{kind}>{esc(text)}</{kind}>")
        newsletter = (f'<aside class="nb-newsletter"><p class="nb-newsletter__title">{NEWSLETTER}</p>'
                      '<form action="/newsletter" method="post"><input type="email" name="email"></form></aside>')
        body.insert(min(4, len(body)), newsletter)
        body.append(f'<p class="nb-promo"><a href="https://t.me/nabd_alshamal_example">{PROMO}</a></p>')
        author = a.author
        state = json.dumps({"article": {"id": a.ident, "section": a.story.topic.key, "title": a.title,
                                        "author": author.name, "published": a.published.isoformat()},
                            "ads": {"slots": ["top-leaderboard", "mid-article", "sidebar-1"]}}, ensure_ascii=False)
        head = f"""<link rel="canonical" href="{url}">
<link rel="amphtml" href="{amp}">
<meta name="description" content="{esc(a.summary)}">
<meta property="og:type" content="article">
<meta property="og:title" content="{esc(a.title)}">
<meta property="og:url" content="{url}">
<meta property="og:site_name" content="{esc(self.pub.title)}">
<meta property="og:image" content="{self.base}media/{a.ident}-1200.jpg">
<meta property="article:published_time" content="{a.published.isoformat()}">
<meta property="article:modified_time" content="{a.modified.isoformat()}">
<meta property="article:author" content="{esc(author.name)}">
<meta name="twitter:card" content="summary_large_image">
<script id="__STATE__" type="application/json">{state}</script>
"""
        updated = ""
        if a.modified != a.published:
            updated = (f' <span class="nb-updated">آخر تحديث: <time datetime="{a.modified.isoformat()}">'
                       f"{egyptian_date(a.modified)} {a.modified:%H:%M}</time></span>")
        words = sum(len(t.split()) for _, t in a.blocks)
        main = f"""<article class="nb-story">
<nav class="nb-crumbs"><a href="/">الرئيسية</a> / <a href="/section/{a.story.topic.key}">{esc(a.story.topic.name)}</a></nav>
<h1 class="nb-story__title">{esc(a.title)}</h1>
<div class="nb-story__meta"><span class="author">{esc(author.name)}</span>
<time class="nb-published" datetime="{a.published.isoformat()}">{egyptian_date(a.published)} {a.published:%H:%M}</time>{updated}
<span class="nb-readtime">{max(1, words // 200)} دقائق قراءة</span></div>
<figure class="nb-story__media"><img src="/media/{a.ident}-1200.jpg" alt="" width="1200" height="675"></figure>
<div class="nb-story__body">
{chr(10).join(body)}
</div>
<div class="nb-share">{share_links(url, a.title, "nb-share")}</div>
</article>
<section class="nb-more"><h2>المزيد من {esc(a.story.topic.name)}</h2>{"".join(self.card(m, k) for k, m in enumerate(more))}</section>
<aside class="nb-popular"><h2>الأكثر قراءة</h2><ol>{"".join(f'<li><a href="/amp{p.path}">{esc(p.title)}</a></li>' for p in popular)}</ol></aside>"""
        self.build.add(a.path, self.page(self.chrome(a.title, main, head), a.modified))
        self.build.add(f"/news/{a.ident}", redirect(url, HEADERS))
        self.build.boilerplate[a.name] = [PROMO, NEWSLETTER, COPYRIGHT, *(p.title for p in popular[:2])]
        self.amp(a, url)

    def amp(self, a, url: str) -> None:
        jsonld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", "headline": a.title,
                             "datePublished": a.published.isoformat(), "dateModified": a.modified.isoformat(),
                             "author": {"@type": "Person", "name": a.author.name}}, ensure_ascii=False)
        paras = "".join(f"<{kind}>{esc(text)}</{kind}>" for kind, text in a.blocks)
        html = f"""<!doctype html>
<html ⚡ lang="ar" dir="rtl">
<head>
<meta charset="utf-8">
<script async src="https://cdn.ampproject.org/v0.js"></script>
<title>{esc(a.title)} | {esc(self.pub.title)}</title>
<link rel="canonical" href="{url}">
<meta name="viewport" content="width=device-width">
{AMP_BOILERPLATE}
<style amp-custom>body{{font-family:Tahoma,sans-serif;margin:0 16px}}.amp-meta{{color:#666}}</style>
<script type="application/ld+json">{jsonld}</script>
</head>
<body>
<header class="amp-header"><a href="/">{esc(self.pub.title)}</a></header>
<article class="amp-story"><h1>{esc(a.title)}</h1>
<div class="amp-meta"><span class="author">{esc(a.author.name)}</span> <time datetime="{a.published.isoformat()}">{egyptian_date(a.published)}</time></div>
<div class="amp-body">{paras}</div></article>
<footer><p>{COPYRIGHT}</p></footer>
</body>
</html>
"""
        self.build.add(f"/amp{a.path}", self.page(html, a.modified))

    def listing(self, path: str, heading: str, items: list, extra: str = "") -> None:
        chunks = pages_of(items, PER_PAGE)
        for n, chunk in enumerate(chunks, 1):
            cards = "".join(self.card(a, k) for k, a in enumerate(chunk))
            links = " ".join(f'<a href="{path}?page={k}" rel="{"prev" if k < n else "next"}">'
                             f'{"السابق" if k < n else "التالي"}</a>' for k in (n - 1, n + 1) if 1 <= k <= len(chunks))
            links = links.replace(f"{path}?page=1\"", f'{path}"')
            main = (f'<h1 class="nb-section__title">{esc(heading)}</h1>{extra if n == 1 else ""}'
                    f'<div class="nb-grid">{cards}</div><nav class="nb-pager">{links}</nav>')
            modified = max((a.modified for a in chunk), default=self.newest[0].modified)
            title = heading if n == 1 else f"{heading} - صفحة {n}"
            self.build.add(path if n == 1 else f"{path}?page={n}", self.page(self.chrome(title, main), modified))

    def static(self, path: str, heading: str, body: str) -> None:
        main = f"<h1>{esc(heading)}</h1>{body}"
        self.build.add(path, self.page(self.chrome(heading, main), self.articles[-1].published))

    def render(self) -> SiteBuild:
        for i in range(len(self.articles)):
            self.article(i)
        target = self.newest[min(3, len(self.newest) - 1)]
        traps = (f'<ul class="nb-briefs"><li><a href="/news/{target.ident}">{esc(target.title)}</a></li>'
                 f'<li><a href="{REMOVED}">تقرير: إغلاق معبر حدودي أمام الحركة التجارية</a></li></ul>')
        self.listing("/", "آخر الأخبار", self.newest, traps)
        for topic in TOPICS:
            self.listing(f"/section/{topic.key}", topic.name, [a for a in self.newest if a.story.topic is topic])
        results = "".join(self.card(a, k) for k, a in enumerate(self.newest[:10]))
        self.static("/search", "نتائج البحث", f'<div class="nb-grid">{results}</div>')
        self.static("/about", "من نحن", f"<p>{esc(self.pub.title)}: أخبار الشمال السوري.</p>")
        self.build.not_found = self.page(self.chrome("الصفحة غير موجودة", "<h1>404 - الصفحة غير موجودة</h1>"),
                                         None, status=404)
        add_feeds_and_sitemaps(self)
        return self.build


def render(publisher, articles, port: int) -> SiteBuild:
    return Nabd(publisher, articles, port).render()
