"""Publisher 4, "مرايا الجزيرة": a WordPress site on a Jannah-like news theme (`tie-` classes).

Every article is posted from the desk account, so Yoast's JSON-LD `@graph` and
`<meta name="author">` say "فريق التحرير"; the writer is named only in an inline
byline ("كتبت أسماء الحمد") in a `write-by` element, above or below the body. Co-written
articles credit both names and list both authors in the graph by @id. `article:author`
holds the writer's Facebook profile URL. Some articles are built with a page builder,
so their text sits in `elementor-widget-container`; some open with an HTML comment
(page-cache markers) and carry a run of dozens of adjacent comments (ad slots, fragment
cache, tag manager); a GDPR cookie notice opens the article container;
the lead sometimes has its own excerpt block. The footer credits the editorial board.
"""

from __future__ import annotations

import random

from samples.pages import Page
from samples.sites import realweb as rw
from samples.sites.common import SiteBuild, egyptian_date, esc, neighbours, pages_of, share_links, stylesheet
from samples.sites.furat_xml import add_feeds_and_sitemaps
from samples.topics import TOPICS

HTML = "text/html; charset=UTF-8"
HEADERS = {"Server": "LiteSpeed", "X-Powered-By": "PHP/8.1.27", "X-LiteSpeed-Cache": "hit"}
TAGLINE = "مرآة أخبار الجزيرة السورية"
DESK = "فريق التحرير"
COOKIE = ("نستخدم ملفات تعريف الارتباط (الكوكيز) لتحسين تجربتك على موقعنا وتحليل الزيارات،"
          " وبمتابعة التصفح فإنك توافق على استخدامها.")
BOARD = "الإشراف العام: سمير الخطيب | رئيس التحرير: ناديا الحكيم | مدير التحرير: كرم الحداد"
COPYRIGHT = "© حقوق النشر 2024، جميع الحقوق محفوظة | مرايا الجزيرة"
NEWSLETTER = "اشترك في نشرتنا البريدية ليصلك كل جديد"
ABOUT = "مرايا الجزيرة: موقع إخباري مستقل يغطي شؤون الجزيرة السورية والفرات."
CSS = stylesheet("maraya", "", (
    "tie-container", "theme-header", "main-nav", "breaking", "main-content", "container-wrapper",
    "entry-header", "post-title", "post-meta", "entry-content", "write-by", "article-summary",
    "share-links", "related-posts", "sidebar", "posts-list", "subscribe-widget", "site-footer",
    "site-info", "cli-bar-container", "elementor-widget-container",
))


def traps_of(a) -> rw.Traps:
    traps = rw.Traps({rw.FOOTER_CREDITS, rw.GRAPH_JSONLD, rw.INLINE_BYLINE, rw.SOCIAL_AUTHOR_META})
    if rw.every(a, 5, 4):
        traps.add(rw.COMMENT_RUN)
    if rw.every(a, 3, 1):
        traps.add(rw.WIDGET_BODY)
    if rw.every(a, 2, 0):
        traps.add(rw.LEAD_BLOCK)
    if not rw.every(a, 3, 0):
        traps.add(rw.COOKIE_BANNER)
    if rw.every(a, 2, 1):
        traps.add(rw.BYLINE_BELOW)
    traps.add(rw.MULTI_AUTHOR if len(a.authors) > 1 else rw.DESK_AUTHOR)
    return traps


class Maraya:
    tagline = TAGLINE

    def __init__(self, publisher, articles, port: int) -> None:
        self.pub, self.articles, self.port = publisher, articles, port
        self.base = publisher.base_url(port)
        self.newest = sorted(articles, key=lambda a: a.published, reverse=True)
        self.build = SiteBuild(trailing_slash=True, ignore_query=True)

    def cat_url(self, topic) -> str:
        return f"{self.base}category/{topic.key}/"

    def feed_author(self, article) -> str:
        return DESK

    def page(self, html: str, status: int = 200) -> Page:
        return Page(html.encode("utf-8"), HTML, status=status, extra=HEADERS)

    def chrome(self, title: str, main: str, head: str = "", bodyclass: str = "", opening: str = "") -> str:
        menu = "".join(f'<li class="menu-item"><a href="{self.cat_url(t)}">{esc(t.name)}</a></li>' for t in TOPICS)
        popular = "".join(f'<li class="widget-single-post-item"><a href="{a.url(self.port)}">{esc(a.title)}</a></li>'
                          for a in self.newest[2:7])
        ticker = "".join(f'<li><a href="{a.url(self.port)}">{esc(a.title)}</a></li>' for a in self.newest[:3])
        return f"""{opening}<!DOCTYPE html>
<html dir="rtl" lang="ar" class="" data-skin="light">
<head>
<meta charset="UTF-8" />
<link rel="profile" href="https://gmpg.org/xfn/11" />
<title>{esc(title)}</title>
{head}<link rel="alternate" type="application/rss+xml" title="{esc(self.pub.title)} &laquo; الخلاصة" href="{self.base}feed/" />
<style id="tie-css-inline-css" type="text/css">{CSS}</style>
</head>
<body id="tie-body" class="rtl {bodyclass} wrapper-has-shadow block-head-1 magazine2 is-desktop is-header-layout-3 sidebar-left has-sidebar">
<div class="background-overlay"><div id="tie-container" class="site tie-container"><div id="tie-wrapper">
<header id="theme-header" class="theme-header header-layout-3 main-nav-dark has-normal-width-logo">
<div class="topbar-wrapper"><div class="breaking controls-is-active"><span class="breaking-title">عاجل</span><ul id="breaking-news-in-header" class="breaking-news">{ticker}</ul></div></div>
<div class="logo-row"><div id="logo" class="image-logo"><a title="{esc(self.pub.title)}" href="{self.base}"><img src="{self.base}wp-content/uploads/2022/05/logo.png" alt="{esc(self.pub.title)}"></a></div></div>
<nav id="main-nav" class="main-nav"><ul id="menu-main" class="menu"><li class="menu-item"><a href="{self.base}">الرئيسية</a></li>{menu}</ul></nav>
</header>
<div id="content" class="site-content container"><div id="main-content-row" class="tie-row main-content-row">
<div class="main-content tie-col-md-8 tie-col-xs-12" role="main">
{main}
</div>
<aside class="sidebar tie-col-md-4 tie-col-xs-12 normal-side is-sticky" aria-label="القائمة الجانبية الرئيسية">
<div id="posts-list-widget-2" class="container-wrapper widget posts-list"><div class="widget-title the-global-title"><div class="the-subtitle">الأكثر قراءة</div></div><ul class="posts-list-items">{popular}</ul></div>
<div id="tie-newsletter-2" class="container-wrapper widget subscribe-widget"><div class="widget-inner-wrap"><span class="subscribe-widget-content"><h4>النشرة البريدية</h4><p>{NEWSLETTER}</p></span><form method="post" action="{self.base}newsletter/"><input type="email" name="EMAIL"></form></div></div>
</aside>
</div></div>
<footer id="footer" class="site-footer dark-skin dark-widgetized-area">
<div id="footer-widgets-container"><div class="container"><div id="text-2" class="container-wrapper widget widget_text"><div class="widget-title"><div class="the-subtitle">عن الموقع</div></div>
<div class="textwidget"><p>{ABOUT}</p><p>{BOARD}</p></div></div></div></div>
<div id="site-info" class="site-info site-info-layout-2"><div class="copyright-text copyright-text-first">{esc(COPYRIGHT)}</div>
<ul class="social-icons"><li><a href="https://www.facebook.com/maraya.jazira.example">فيسبوك</a></li><li><a href="https://t.me/maraya_jazira_example">تلغرام</a></li></ul></div>
</footer>
</div></div></div>
<script type="text/javascript" src="{self.base}wp-content/themes/jannah/assets/js/scripts.min.js?ver=7.1.0" id="tie-scripts-js"></script>
</body>
</html>
"""

    def graph(self, a, url: str) -> str:
        site = f"{self.base}#/schema/person/"
        # Co-written articles list their writers (Co-Authors Plus); others name the desk account.
        people = [{"@type": "Person", "@id": f"{site}{p.slug}", "name": p.name} for p in a.authors]
        if len(people) < 2:
            people = [{"@type": "Person", "@id": f"{site}desk", "name": DESK}]
        refs = [{"@id": p["@id"]} for p in people]
        article = {
            "@type": "NewsArticle", "@id": f"{url}#article", "isPartOf": {"@id": url},
            "author": refs if len(refs) > 1 else {"name": people[0]["name"], "@id": people[0]["@id"]},
            "headline": a.title, "datePublished": a.published.isoformat(),
            "dateModified": a.modified.isoformat(), "mainEntityOfPage": {"@id": url},
            "publisher": {"@id": f"{self.base}#organization"}, "articleSection": [a.story.topic.name],
            "inLanguage": "ar",
        }
        return rw.ld_json({"@context": "https://schema.org", "@graph": [
            article,
            {"@type": "WebPage", "@id": url, "url": url, "name": f"{a.title} - {self.pub.title}",
             "datePublished": a.published.isoformat()},
            {"@type": "Organization", "@id": f"{self.base}#organization", "name": self.pub.title,
             "logo": {"@type": "ImageObject", "url": f"{self.base}wp-content/uploads/2022/05/logo.png"}},
            *people,
        ]}, extra_attrs=' class="yoast-schema-graph"')

    def article(self, index: int) -> None:
        a = self.articles[index]
        url, traps = a.url(self.port), traps_of(a)
        rng = random.Random(f"maraya:article:{a.ident}")
        handle = a.author.slug if a.author else "maraya.jazira.example"
        head = f"""<!-- This site is optimized with the Yoast SEO plugin v21.5 - https://yoast.com/wordpress/plugins/seo/ -->
<meta name="description" content="{esc(a.summary)}" />
<link rel="canonical" href="{url}" />
<meta property="og:locale" content="ar_AR" />
<meta property="og:type" content="article" />
<meta property="og:title" content="{esc(a.title)}" />
<meta property="og:url" content="{url}" />
<meta property="og:site_name" content="{esc(self.pub.title)}" />
<meta property="article:publisher" content="https://www.facebook.com/maraya.jazira.example" />
<meta property="article:author" content="https://www.facebook.com/{handle}" />
<meta property="article:published_time" content="{a.published.isoformat()}" />
<meta property="article:modified_time" content="{a.modified.isoformat()}" />
<meta name="author" content="{DESK}" />
<meta name="twitter:label1" content="كُتب بواسطة" /><meta name="twitter:data1" content="{DESK}" />
{self.graph(a, url)}
<!-- / Yoast SEO plugin. -->
"""
        opening = ""
        if rw.COMMENT_RUN in traps:
            opening = (f"<!-- Page optimized by LiteSpeed Cache @{a.modified:%Y-%m-%d %H:%M:%S} -->\n"
                       f"<!-- Page supported by LiteSpeed Cache 5.7 on {a.modified:%Y-%m-%d %H:%M:%S} -->\n")
            head = rw.comment_run(a.name, rng.randint(30, 44)) + "\n" + head
        byline = f"{rw.byline_verb(a.authors)} {rw.names_text(a.authors)}"
        by = f'<div class="write-by"><span>{esc(byline)}</span></div>'
        lead = ""
        if rw.LEAD_BLOCK in traps:
            lead = f'<div class="article-summary post-excerpt"><p>{esc(a.blocks[0][1])}</p></div>'
        paras = "\n".join(rw.paragraphs(a, bool(lead), "<!-- wp:paragraph -->\n{}\n<!-- /wp:paragraph -->"))
        if rw.WIDGET_BODY in traps:
            paras = (f'<div class="elementor elementor-{a.ident}"><div class="elementor-element elementor-widget'
                     f' elementor-widget-text-editor"><div class="elementor-widget-container">\n{paras}\n</div></div></div>')
        cookie = ""
        if rw.COOKIE_BANNER in traps:
            cookie = rw.cookie_banner('id="cookie-law-info-bar" class="cli-bar-container cli-style-v2"', COOKIE,
                                      f"{self.base}privacy-policy/", "قبول")
        related = neighbours(self.articles, index, 3)
        related_html = "".join(f'<div class="related-item"><h3 class="post-title"><a href="{r.url(self.port)}">'
                               f"{esc(r.title)}</a></h3></div>" for r in related)
        main = f"""<article id="the-post" class="container-wrapper post-content tie-standard">
{cookie}
<header class="entry-header-outer">
<nav id="breadcrumb"><a href="{self.base}">الرئيسية</a> <em class="delimiter">/</em> <a href="{self.cat_url(a.story.topic)}">{esc(a.story.topic.name)}</a></nav>
<div class="entry-header"><span class="post-cat-wrap"><a class="post-cat tie-cat-{TOPICS.index(a.story.topic) + 2}" href="{self.cat_url(a.story.topic)}">{esc(a.story.topic.name)}</a></span>
<h1 class="post-title entry-title">{esc(a.title)}</h1>
<div class="single-post-meta post-meta clearfix"><span class="date meta-item tie-icon">{egyptian_date(a.published)}</span>
<div class="tie-alignright"><span class="meta-views meta-item">{rng.randint(150, 9000)} مشاهدة</span></div></div></div>
</header>
<div class="featured-area"><figure class="single-featured-image"><img src="{self.base}wp-content/uploads/{a.published:%Y/%m}/{a.ident}.jpg" alt="" width="780" height="470"></figure></div>
{"" if rw.BYLINE_BELOW in traps else by}
{lead}
<div class="entry-content entry clearfix">
{paras}
</div>
{by if rw.BYLINE_BELOW in traps else ""}
<div id="share-buttons-bottom" class="share-buttons share-buttons-bottom"><div class="share-links">{share_links(url, a.title, "share")}</div></div>
</article>
<div id="related-posts" class="container-wrapper has-extra-post"><div class="mag-box-title the-global-title"><h3>مقالات ذات صلة</h3></div>{related_html}</div>"""
        html = self.chrome(f"{a.title} - {self.pub.title}", main, head,
                           f"post-template-default single single-post postid-{a.ident}", opening)
        self.build.add(a.path, self.page(html))
        self.build.boilerplate[a.name] = [
            byline, *([COOKIE] if cookie else []), BOARD, COPYRIGHT, NEWSLETTER, related[0].title,
        ]
        self.build.traps[a.name] = traps.sorted()

    def listing(self, path: str, heading: str, items: list) -> None:
        chunks = pages_of(items)
        for n, chunk in enumerate(chunks, 1):
            cards = "".join(
                f'<li class="post-item tie-standard"><a href="{a.url(self.port)}" class="post-thumb"><img src="'
                f'{self.base}wp-content/uploads/{a.published:%Y/%m}/{a.ident}-390x220.jpg" alt=""></a>'
                f'<div class="post-details"><h2 class="post-title"><a href="{a.url(self.port)}">{esc(a.title)}</a></h2>'
                f'<p class="post-excerpt">{esc(a.summary)}</p></div></li>' for a in chunk)
            pager = " ".join(f'<a href="{self.base}{path[1:]}{"" if k == 1 else f"page/{k}/"}">{k}</a>'
                             for k in range(1, len(chunks) + 1) if k != n)
            main = (f'<div class="container-wrapper"><h1 class="page-title">{esc(heading)}</h1>'
                    f'<ul id="posts-container" class="posts-items">{cards}</ul>'
                    f'<div class="pages-nav"><div class="pages-numbers">{pager}</div></div></div>')
            title = heading if n == 1 else f"{heading} - الصفحة {n}"
            html = self.chrome(f"{title} - {self.pub.title}", main, bodyclass="archive")
            self.build.add(path if n == 1 else f"{path}page/{n}/", self.page(html))

    def render(self) -> SiteBuild:
        for i in range(len(self.articles)):
            self.article(i)
        self.listing("/", "آخر الأخبار", self.newest)
        for topic in TOPICS:
            self.listing(f"/category/{topic.key}/", topic.name, [a for a in self.newest if a.story.topic is topic])
        for slug, heading in (("about", "من نحن"), ("privacy-policy", "سياسة الخصوصية")):
            body = f'<article class="container-wrapper"><h1 class="post-title">{heading}</h1><p>{ABOUT}</p></article>'
            self.build.add(f"/{slug}/", self.page(self.chrome(f"{heading} - {self.pub.title}", body, bodyclass="page")))
        self.build.not_found = self.page(self.chrome(
            "الصفحة غير موجودة", '<div class="container-wrapper"><h1>عذراً، الصفحة غير موجودة</h1></div>'), status=404)
        add_feeds_and_sitemaps(self)
        return self.build


def render(publisher, articles, port: int) -> SiteBuild:
    return Maraya(publisher, articles, port).render()
