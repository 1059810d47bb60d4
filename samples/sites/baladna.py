"""Publisher 5, "بلدنا": a Drupal 9 site (`node__content`, `field--name-body`, views blocks).

Everything is a block in a `block-content` wrapper, the footer's editorial-board block
included: it is a custom block whose text sits in `field--name-body`, exactly like an
article's. Some articles are shown through a views block (`views-element-container`,
`views-row`, `views-field-body`), the same markup as the "related" and "most read"
lists. The main column is `layout-content has-sidebar`. The writer signs in a
`field--name-field-signature` element ("بقلم: ..." / "إعداد: ...", several names split
by "،"), above or below the body; a fifth of the articles are unsigned. Meta tags name
the site's Facebook page as `article:author` and the web developer as `dcterms.creator`;
the JSON-LD has no author. An EU-cookie-compliance banner opens some pages, a summary
field carries the lead on others. Pagers count from 0 (`?page=1` is the second page);
`/node/N` answers 301 to the article's alias.
"""

from __future__ import annotations

from samples.pages import Page, redirect
from samples.sites import realweb as rw
from samples.sites.common import SiteBuild, egyptian_date, esc, neighbours, pages_of, rfc822, stylesheet
from samples.topics import TOPICS

HTML = "text/html; charset=UTF-8"
HEADERS = {"Server": "Apache", "X-Generator": "Drupal 9 (https://www.drupal.org)",
           "Cache-Control": "max-age=600, public", "X-Drupal-Cache": "HIT"}
DEVELOPER = "باسل قدور"
FACEBOOK = "https://www.facebook.com/baladna.news.example"
COOKIE = ("يستخدم هذا الموقع ملفات تعريف الارتباط لضمان حصولك على أفضل تجربة،"
          " ويمكنك معرفة المزيد في سياسة الخصوصية الخاصة بنا.")
BOARD = "رئيس مجلس الإدارة: هشام العطار — رئيس التحرير: منى السباعي — مدير التحرير: طارق الزين"
COPYRIGHT = "جميع الحقوق محفوظة لموقع بلدنا © 2024"
NEWSLETTER = "سجل بريدك الإلكتروني لتصلك النشرة اليومية من بلدنا"
PER_PAGE = 12
CSS = stylesheet("baladna", "", (
    "layout-container", "region-header", "menu--main", "layout-content", "has-sidebar", "block-content",
    "node__content", "field--name-body", "article-summary", "article-signature", "views-row",
    "layout-sidebar-second", "eu-cookie-compliance-banner", "region-footer", "block-simplenews",
))


def traps_of(a) -> rw.Traps:
    traps = rw.Traps({rw.FOOTER_CREDITS, rw.SOCIAL_AUTHOR_META, rw.DC_CREATOR})
    if rw.every(a, 3, 2):
        traps.add(rw.WIDGET_BODY)
    if not rw.every(a, 2, 0):
        traps.add(rw.LEAD_BLOCK)
    if rw.every(a, 3, 0) or rw.every(a, 5, 1):
        traps.add(rw.COOKIE_BANNER)
    if not a.authors:
        traps.add(rw.NO_BYLINE)
        return traps
    traps.add(rw.INLINE_BYLINE)
    if rw.every(a, 2, 0):
        traps.add(rw.BYLINE_BELOW)
    if len(a.authors) > 1:
        traps.add(rw.MULTI_AUTHOR)
    return traps


class Baladna:
    def __init__(self, publisher, articles, port: int) -> None:
        self.pub, self.articles, self.port = publisher, articles, port
        self.base = publisher.base_url(port)
        self.newest = sorted(articles, key=lambda a: a.published, reverse=True)
        self.build = SiteBuild(ignore_query=True)

    def page(self, html: str, status: int = 200) -> Page:
        return Page(html.encode("utf-8"), HTML, status=status, extra=HEADERS)

    def views_block(self, ident: str, heading: str, items: list) -> str:
        rows = "".join(f'<div class="views-row"><span class="field-content"><a href="{a.path}" hreflang="ar">'
                       f"{esc(a.title)}</a></span></div>" for a in items)
        return (f'<div class="views-element-container block block-views block-views-block{ident}" id="block-{ident}">'
                f'<h2 class="block-title">{heading}</h2><div class="block-content"><div class="view view-{ident}">'
                f'<div class="view-content">{rows}</div></div></div></div>')

    def chrome(self, title: str, content: str, head: str = "", top: str = "", path: str = "/") -> str:
        menu = "".join(f'<li class="menu-item"><a href="/ar/section/{t.key}">{esc(t.name)}</a></li>' for t in TOPICS)
        return f"""<!DOCTYPE html>
<html lang="ar" dir="rtl" prefix="content: http://purl.org/rss/1.0/modules/content/  dc: http://purl.org/dc/terms/  og: http://ogp.me/ns#">
<head>
<meta charset="utf-8" />
{head}<meta name="Generator" content="Drupal 9 (https://www.drupal.org)" />
<meta name="MobileOptimized" content="width" />
<meta name="viewport" content="width=device-width, initial-scale=1.0" />
<title>{esc(title)} | {esc(self.pub.title)}</title>
<link rel="alternate" type="application/rss+xml" title="{esc(self.pub.title)}" href="{self.base}rss.xml" />
<style media="all">{CSS}</style>
</head>
<body class="path-node page-node-type-article">
<a href="#main-content" class="visually-hidden focusable skip-link">تجاوز إلى المحتوى الرئيسي</a>
{top}<div class="dialog-off-canvas-main-canvas" data-off-canvas-main-canvas>
<div class="layout-container">
<header role="banner"><div class="region region-header"><div id="block-sitebranding" class="block block-system block-system-branding-block">
<a href="/" rel="home" class="site-logo"><img src="/sites/default/files/logo.svg" alt="الرئيسية" /></a><div class="site-name"><a href="/" rel="home">{esc(self.pub.title)}</a></div></div></div>
<div class="region region-primary-menu"><nav role="navigation" id="block-mainnavigation" class="block block-menu navigation menu--main"><ul class="menu"><li class="menu-item"><a href="/">الرئيسية</a></li>{menu}</ul></nav></div>
</header>
<main role="main"><a id="main-content" tabindex="-1"></a>
<div class="layout-content has-sidebar"><div class="region region-content">
<div data-drupal-messages-fallback class="hidden"></div>
{content}
</div></div>
<aside class="layout-sidebar-second" role="complementary"><div class="region region-sidebar-second">
{self.views_block("most-read", "الأكثر قراءة", self.newest[3:8])}
</div></aside>
</main>
<footer role="contentinfo"><div class="region region-footer">
<div id="block-editorialboard" class="block block-block-content block-block-content-editorial"><div class="block-content">
<div class="clearfix text-formatted field field--name-body field--type-text-with-summary field--label-hidden field__item"><p>{BOARD}</p><p>{COPYRIGHT}</p></div></div></div>
<div id="block-simplenewssubscription" class="block block-simplenews"><div class="block-content"><p>{NEWSLETTER}</p>
<form action="{path}" method="post" class="simplenews-subscriber-form"><input type="email" name="mail[0][value]" /></form></div></div>
</div></footer>
</div></div>
<script type="application/json" data-drupal-selector="drupal-settings-json">{{"path":{{"baseUrl":"\\/","currentPath":"{path[1:]}","currentLanguage":"ar"}},"eu_cookie_compliance":{{"popup_enabled":true,"popup_agreed_enabled":false}}}}</script>
<script src="/sites/default/files/js/js_Qm0Yk3b2.js"></script>
</body>
</html>
"""

    def article(self, index: int) -> None:
        a = self.articles[index]
        url, traps = a.url(self.port), traps_of(a)
        jsonld = rw.ld_json({"@context": "https://schema.org", "@graph": [{
            "@type": "NewsArticle", "headline": a.title, "name": a.title, "datePublished": a.published.isoformat(),
            "dateModified": a.modified.isoformat(), "mainEntityOfPage": url,
            "publisher": {"@type": "Organization", "name": self.pub.title,
                          "logo": {"@type": "ImageObject", "url": f"{self.base}sites/default/files/logo.png"}},
        }]})
        head = f"""<meta name="description" content="{esc(a.summary)}" />
<link rel="canonical" href="{url}" />
<link rel="shortlink" href="{self.base}node/{a.ident}" />
<meta property="og:site_name" content="{esc(self.pub.title)}" />
<meta property="og:type" content="article" />
<meta property="og:url" content="{url}" />
<meta property="og:title" content="{esc(a.title)}" />
<meta property="article:author" content="{FACEBOOK}" />
<meta property="article:published_time" content="{a.published.isoformat()}" />
<meta property="article:modified_time" content="{a.modified.isoformat()}" />
<meta name="dcterms.creator" content="{DEVELOPER}" />
<meta name="dcterms.date" content="{a.published.isoformat()}" />
{jsonld}
"""
        sig = byline = ""
        if a.authors:
            label = "إعداد:" if rw.every(a, 3, 1) else "بقلم:"
            byline = f"{label} {rw.names_text(a.authors, comma_only=True)}"
            sig = (f'<div class="field field--name-field-signature field--type-string field--label-hidden article-signature">'
                   f"{esc(byline)}</div>")
        lead = ""
        if rw.LEAD_BLOCK in traps:
            lead = (f'<div class="field field--name-field-summary field--type-string-long article-summary">'
                    f"<p>{esc(a.blocks[0][1])}</p></div>")
        paras = "\n".join(rw.paragraphs(a, bool(lead)))
        if rw.WIDGET_BODY in traps:
            body = (f'<div class="views-element-container block block-views block-views-blockarticle-body-block-1">'
                    f'<div class="block-content"><div class="view view-article-body"><div class="view-content">'
                    f'<div class="views-row"><div class="views-field views-field-body"><div class="field-content">'
                    f"\n{paras}\n</div></div></div></div></div></div></div>")
        else:
            body = (f'<div class="clearfix text-formatted field field--name-body field--type-text-with-summary'
                    f' field--label-hidden field__item">\n{paras}\n</div>')
        above, below = ("", sig) if rw.BYLINE_BELOW in traps else (sig, "")
        related = neighbours(self.articles, index, 4)
        content = f"""<div id="block-baladna-page-title" class="block block-core block-page-title-block"><h1 class="page-title"><span class="field field--name-title field--type-string field--label-hidden">{esc(a.title)}</span></h1></div>
<div id="block-baladna-content" class="block block-system block-system-main-block"><div class="block-content">
<article role="article" about="{a.path}" class="node node--type-article node--promoted node--view-mode-full">
<div class="node__meta"><span class="field field--name-created field--type-created">{egyptian_date(a.published)} - {a.published:%H:%M}</span></div>
{above}
<div class="node__content clearfix">
{lead}
{body}
{below}
<div class="field field--name-field-tags field--type-entity-reference"><div class="field__label">الوسوم</div><div class="field__items"><div class="field__item"><a href="/ar/section/{a.story.topic.key}">{esc(a.story.topic.name)}</a></div></div></div>
</div>
</article>
</div></div>
{self.views_block("related-news", "أخبار ذات صلة", related)}"""
        top = ""
        if rw.COOKIE_BANNER in traps:
            top = rw.cookie_banner('class="eu-cookie-compliance-banner eu-cookie-compliance-banner-info" role="dialog"'
                                   ' aria-describedby="popup-text"', COOKIE, "/ar/privacy", "أوافق")
        self.build.add(a.path, self.page(self.chrome(a.title, content, head, top, a.path)))
        self.build.add(f"/node/{a.ident}", redirect(url, HEADERS))
        self.build.boilerplate[a.name] = [
            *([byline] if byline else []), *([COOKIE] if top else []), BOARD, COPYRIGHT, NEWSLETTER,
            related[0].title,
        ]
        self.build.traps[a.name] = traps.sorted()

    def listing(self, path: str, heading: str, items: list) -> None:
        chunks = pages_of(items, PER_PAGE)
        for n, chunk in enumerate(chunks):  # Drupal pagers count from 0
            rows = "".join(
                f'<div class="views-row"><article class="node node--type-article node--view-mode-teaser">'
                f'<h2><a href="{a.path}" rel="bookmark">{esc(a.title)}</a></h2><div class="node__content">'
                f"<p>{esc(a.summary)}</p></div></article></div>" for a in chunk)
            pager = "".join(f'<li class="pager__item"><a href="{path}?page={k}">{k + 1}</a></li>'
                            for k in range(len(chunks)) if k != n)
            content = (f'<h1 class="page-title">{esc(heading)}</h1><div class="views-element-container"><div class="view">'
                       f'<div class="view-content">{rows}</div><nav class="pager"><ul class="pager__items">{pager}</ul></nav>'
                       f"</div></div>")
            full = path if n == 0 else f"{path}?page={n}"
            self.build.add(full, self.page(self.chrome(heading, content, path=full)))

    def feeds(self) -> None:
        items = "".join(
            f"<item><title>{esc(a.title)}</title><link>{a.url(self.port)}</link>"
            f"<description>{esc(a.summary)}</description><pubDate>{rfc822(a.published)}</pubDate>"
            f'<dc:creator>{esc(self.pub.title)}</dc:creator><guid isPermaLink="false">{a.ident} at {self.base}</guid></item>\n'
            for a in self.newest[:10])
        rss = ('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" xml:base="' + self.base
               + '" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
               f"<title>{esc(self.pub.title)}</title><link>{self.base}</link><language>ar</language>\n{items}</channel></rss>\n")
        self.build.add("/rss.xml", Page(rss.encode(), "application/rss+xml; charset=utf-8", extra=HEADERS))
        urls = "".join(f"<url><loc>{a.url(self.port)}</loc><lastmod>{a.modified.isoformat()}</lastmod>"
                       f"<changefreq>weekly</changefreq></url>\n" for a in self.newest)
        sitemap = ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
                   f"<url><loc>{self.base}</loc><changefreq>hourly</changefreq></url>\n{urls}</urlset>\n")
        self.build.add("/sitemap.xml", Page(sitemap.encode(), "application/xml; charset=utf-8", extra=HEADERS))
        robots = (f"User-agent: *\nDisallow: /admin/\nDisallow: /user/\nDisallow: /search/\n"
                  f"Disallow: /node/add/\n\nSitemap: {self.base}sitemap.xml\n")
        self.build.add("/robots.txt", Page(robots.encode(), "text/plain; charset=utf-8", extra=HEADERS))

    def render(self) -> SiteBuild:
        for i in range(len(self.articles)):
            self.article(i)
        self.listing("/", "آخر الأخبار", self.newest)
        for topic in TOPICS:
            self.listing(f"/ar/section/{topic.key}", topic.name, [a for a in self.newest if a.story.topic is topic])
        self.build.add("/ar/privacy", self.page(self.chrome(
            "سياسة الخصوصية", f'<h1 class="page-title">سياسة الخصوصية</h1><p>{COOKIE}</p>', path="/ar/privacy")))
        self.build.not_found = self.page(self.chrome(
            "الصفحة غير موجودة", '<h1 class="page-title">الصفحة غير موجودة</h1>'), status=404)
        self.feeds()
        return self.build


def render(publisher, articles, port: int) -> SiteBuild:
    return Baladna(publisher, articles, port).render()
