"""Publisher 1, "الفرات اليوم": a WordPress-style site in UTF-8.

Absolute URLs everywhere (as WordPress writes them), RSS at /feed/, a Yoast-style
sitemap index (post, category and Google News sitemaps), category/tag/author listings
with /page/N/ pagination, and article pages full of chrome: weather widget, phone
number, breaking-news ticker, an "اقرأ أيضاً" block inside the body, share buttons,
reader comments, a byline at the end of the body and an author box.
"""

from __future__ import annotations

import json
import random
from urllib.parse import quote

from samples.pages import Page, redirect
from samples.pools import BREAKING, COMMENTS, MALE_NAMES, SURNAMES, WEATHER_CITIES
from samples.sites.common import (
    SiteBuild, esc, levantine_date, neighbours, pages_of, share_links, stylesheet,
)
from samples.sites.furat_xml import add_feeds_and_sitemaps
from samples.topics import TOPICS

HTML = "text/html; charset=UTF-8"
HEADERS = {"Server": "nginx", "X-Powered-By": "PHP/7.4.33"}
PHONE = "هاتف التحرير: +963 52 318 4410"
COPYRIGHT = "جميع الحقوق محفوظة © 2024 الفرات اليوم"
TAGLINE = "أخبار الجزيرة والفرات لحظة بلحظة"
CSS = stylesheet("furat", "", (
    "site-header", "top-bar", "weather-widget", "main-navigation", "breaking-news", "ticker",
    "entry-title", "entry-meta", "entry-content", "related-inline", "post-byline", "author-box",
    "share-buttons", "comments-area", "comment-content", "widget-area", "widget-title",
    "post-item", "pagination", "site-footer", "site-info", "cat-links", "entry-tags",
))
EMOJI_JS = (
    'window._wpemojiSettings = {"baseUrl":"https:\\/\\/s.w.org\\/images\\/core\\/emoji\\/14.0.0'
    '\\/72x72\\/","ext":".png","svgUrl":"https:\\/\\/s.w.org\\/images\\/core\\/emoji\\/14.0.0'
    '\\/svg\\/","svgExt":".svg","source":{"concatemoji":"\\/wp-includes\\/js\\/wp-emoji-release'
    '.min.js?ver=6.1.1"}};'
)


class Furat:
    tagline = TAGLINE

    def __init__(self, publisher, articles, port: int) -> None:
        self.pub, self.articles, self.port = publisher, articles, port
        self.base = publisher.base_url(port)
        self.newest = sorted(articles, key=lambda a: a.published, reverse=True)
        self.build = SiteBuild(trailing_slash=True, ignore_query=True)

    # URLs -------------------------------------------------------------------
    def cat_url(self, topic) -> str:
        return f"{self.base}category/{topic.key}/"

    def tag_url(self, city: str) -> str:
        # WordPress keeps Arabic tag slugs and percent-encodes them in links.
        return f"{self.base}tag/{quote(city)}/"

    def feed_author(self, article) -> str:
        return article.author.name

    def author_url(self, person) -> str:
        return f"{self.base}author/{person.slug}/"

    # Chrome -----------------------------------------------------------------
    def chrome(self, seed: str, title: str, body: str, head: str = "", bodyclass: str = "") -> tuple[str, dict]:
        rng = random.Random(f"furat:chrome:{seed}")
        city = rng.choice(WEATHER_CITIES)
        weather = f"{city} {rng.randint(4, 38)}°C"
        ticker = rng.sample(BREAKING, 3)
        menu = "".join(
            f'<li class="menu-item menu-item-type-taxonomy"><a href="{self.cat_url(t)}">{esc(t.name)}</a></li>'
            for t in TOPICS
        )
        latest = "".join(
            f'<li><a href="{a.url(self.port)}">{esc(a.title)}</a><span class="post-date">'
            f'{levantine_date(a.published, weekday=False)}</span></li>' for a in self.newest[:8]
        )
        cats = "".join(f'<li class="cat-item"><a href="{self.cat_url(t)}">{esc(t.name)}</a></li>' for t in TOPICS)
        html = f"""<!DOCTYPE html>
<html dir="rtl" lang="ar">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)}</title>
<link rel="alternate" type="application/rss+xml" title="{esc(self.pub.title)} &raquo; الخلاصة" href="{self.base}feed/">
<link rel="stylesheet" id="furat-style-css" href="{self.base}wp-content/themes/furat/style.css?ver=2.3.1" media="all">
{head}<style id="furat-inline-css">{CSS}</style>
<script>{EMOJI_JS}</script>
</head>
<body class="{bodyclass} rtl">
<div id="page" class="site">
<div class="top-bar"><div class="container">
<span class="weather-widget"><i class="icon-sun"></i> {esc(weather)}</span>
<span class="contact-phone">{esc(PHONE)}</span>
<ul class="social-links"><li><a href="https://www.facebook.com/furat.today.example">فيسبوك</a></li><li><a href="https://t.me/furat_today_example">تلغرام</a></li></ul>
</div></div>
<header id="masthead" class="site-header">
<div class="site-branding"><a href="{self.base}" class="custom-logo-link" rel="home"><img src="{self.base}wp-content/uploads/2021/01/logo.png" class="custom-logo" alt="{esc(self.pub.title)}" width="260" height="80"></a>
<p class="site-description">{TAGLINE}</p></div>
<nav id="site-navigation" class="main-navigation"><ul id="primary-menu" class="menu">
<li class="menu-item menu-item-home"><a href="{self.base}">الرئيسية</a></li>{menu}</ul></nav>
</header>
<div class="breaking-news"><span class="breaking-title">عاجل</span><ul class="ticker">{"".join(f"<li>{esc(t)}</li>" for t in ticker)}</ul></div>
<div id="content" class="site-content"><div class="container">
<main id="primary" class="site-main">
{body}
</main>
<aside id="secondary" class="widget-area">
<section class="widget widget_recent_entries"><h3 class="widget-title">آخر الأخبار</h3><ul>{latest}</ul></section>
<section class="widget widget_categories"><h3 class="widget-title">الأقسام</h3><ul>{cats}</ul></section>
</aside>
</div></div>
<footer id="colophon" class="site-footer">
<div class="footer-widgets"><p>{esc(self.pub.title)}: موقع إخباري مستقل يغطي أخبار محافظات الحسكة والرقة ودير الزور.</p>
<ul class="footer-menu"><li><a href="{self.base}about/">من نحن</a></li><li><a href="{self.base}contact/">اتصل بنا</a></li><li><a href="{self.base}privacy-policy/">سياسة الخصوصية</a></li></ul></div>
<div class="site-info">{esc(COPYRIGHT)}</div>
</footer>
</div>
<script src="{self.base}wp-includes/js/jquery/jquery.min.js?ver=3.6.1" id="jquery-core-js"></script>
<script src="{self.base}wp-content/themes/furat/js/ticker.js?ver=2.3.1" id="furat-ticker-js"></script>
</body>
</html>
"""
        return html, {"weather": weather, "ticker": ticker}

    def page(self, html: str, status: int = 200) -> Page:
        return Page(html.encode("utf-8"), HTML, status=status, extra=HEADERS)

    # Articles ---------------------------------------------------------------
    def article(self, index: int) -> None:
        a = self.articles[index]
        url, author = a.url(self.port), a.author
        rng = random.Random(f"furat:article:{a.ident}")
        related = neighbours(self.articles, index, 3)
        comments = [(f"{rng.choice(MALE_NAMES)} {rng.choice(SURNAMES)}", c)
                    for c in rng.sample(COMMENTS, rng.randint(2, 3))]
        paras = [f"<p>{esc(text)}</p>" for _, text in a.blocks]
        city = a.story.place.city
        paras[0] = paras[0].replace(esc(city), f'<a href="{self.tag_url(city)}">{esc(city)}</a>', 1)
        related_html = (
            '<div class="related-inline"><h4>اقرأ أيضاً</h4><ul>'
            + "".join(f'<li><a href="{r.url(self.port)}">{esc(r.title)}</a></li>' for r in related)
            + "</ul></div>"
        )
        paras.insert(min(3, len(paras) - 1), related_html)
        jsonld = json.dumps({
            "@context": "https://schema.org", "@type": "NewsArticle", "headline": a.title,
            "datePublished": a.published.isoformat(), "dateModified": a.modified.isoformat(),
            "author": {"@type": "Person", "name": author.name, "url": self.author_url(author)},
            "publisher": {"@type": "Organization", "name": self.pub.title},
            "mainEntityOfPage": url, "articleSection": a.story.topic.name, "inLanguage": "ar",
        }, ensure_ascii=False)
        head = f"""<meta name="description" content="{esc(a.summary)}">
<link rel="canonical" href="{url}">
<link rel="shortlink" href="{self.base}?p={a.ident}">
<meta property="og:locale" content="ar_AR">
<meta property="og:type" content="article">
<meta property="og:title" content="{esc(a.title)}">
<meta property="og:description" content="{esc(a.summary)}">
<meta property="og:url" content="{url}">
<meta property="og:site_name" content="{esc(self.pub.title)}">
<meta property="og:image" content="{self.base}wp-content/uploads/{a.published:%Y/%m}/{a.slug}.jpg">
<meta property="article:published_time" content="{a.published.isoformat()}">
<meta property="article:modified_time" content="{a.modified.isoformat()}">
<meta property="article:section" content="{esc(a.story.topic.name)}">
<meta name="twitter:card" content="summary_large_image">
<script type="application/ld+json">{jsonld}</script>
"""
        prev_next = "".join(
            f'<div class="nav-{cls}"><a href="{o.url(self.port)}" rel="{cls}">{esc(o.title)}</a></div>'
            for cls, o in (("previous", self.articles[index - 1] if index else None),
                           ("next", self.articles[index + 1] if index + 1 < len(self.articles) else None))
            if o is not None
        )
        comment_items = "".join(
            f'<li class="comment"><article class="comment-body"><footer class="comment-meta">'
            f'<b class="fn">{esc(name)}</b><div class="comment-metadata">'
            f'{levantine_date(a.modified, weekday=False)}</div></footer>'
            f'<div class="comment-content"><p>{esc(text)}</p></div></article></li>'
            for name, text in comments
        )
        count = "تعليقان" if len(comments) == 2 else f"{len(comments)} تعليقات"
        body = f"""<article id="post-{a.ident}" class="post-{a.ident} post type-post status-publish format-standard has-post-thumbnail category-{a.story.topic.key}">
<header class="entry-header">
<div class="cat-links"><a href="{self.cat_url(a.story.topic)}" rel="category tag">{esc(a.story.topic.name)}</a></div>
<h1 class="entry-title">{esc(a.title)}</h1>
<div class="entry-meta"><span class="posted-on"><time class="entry-date published" datetime="{a.published.isoformat()}">{levantine_date(a.published, weekday=False)}</time></span></div>
</header>
<div class="post-thumbnail"><img width="780" height="470" src="{self.base}wp-content/uploads/{a.published:%Y/%m}/{a.slug}.jpg" class="wp-post-image" alt=""></div>
<div class="entry-content">
{chr(10).join(paras)}
<p class="post-byline"><strong>إعداد: {esc(author.name)}</strong></p>
</div>
<div class="author-box"><img class="avatar" src="{self.base}wp-content/uploads/avatars/{author.slug}.jpg" alt="" width="80" height="80">
<div class="author-info"><h4 class="author-name"><a href="{self.author_url(author)}">{esc(author.name)}</a></h4><p class="author-bio">{esc(author.bio)}</p></div></div>
<div class="entry-tags"><span>الوسوم:</span> <a href="{self.tag_url(city)}" rel="tag">{esc(city)}</a></div>
<div class="share-buttons"><span>شارك:</span> {share_links(url, a.title, "share")}</div>
<nav class="navigation post-navigation" aria-label="مقالات"><div class="nav-links">{prev_next}</div></nav>
</article>
<div id="comments" class="comments-area">
<h3 class="comments-title">{count} على &ldquo;{esc(a.title)}&rdquo;</h3>
<ol class="comment-list">{comment_items}</ol>
<div id="respond" class="comment-respond"><h3 id="reply-title" class="comment-reply-title">اترك تعليقاً</h3>
<form action="{self.base}wp-comments-post.php" method="post" id="commentform" class="comment-form"><p class="comment-form-comment"><textarea id="comment" name="comment" cols="45" rows="8" required></textarea></p>
<p class="form-submit"><input name="submit" type="submit" id="submit" class="submit" value="إرسال التعليق"><input type="hidden" name="comment_post_ID" value="{a.ident}"></p></form></div>
</div>"""
        html, chrome = self.chrome(a.name, f"{a.title} - {self.pub.title}", body, head,
                                   f"post-template-default single single-post postid-{a.ident}")
        self.build.add(a.path, self.page(html))
        self.build.add(f"/?p={a.ident}", redirect(url, HEADERS))
        self.build.boilerplate[a.name] = [
            chrome["weather"], PHONE, chrome["ticker"][0], *(r.title for r in related),
            comments[0][1], COPYRIGHT, author.bio,
        ]

    # Listings ---------------------------------------------------------------
    def page_url(self, path: str, k: int) -> str:
        return f"{self.base}{path[1:]}" + ("" if k == 1 else f"page/{k}/")

    def pagination(self, path: str, n: int, total: int) -> str:
        links = []
        if n > 1:
            links.append(f'<a class="prev page-numbers" href="{self.page_url(path, n - 1)}">&laquo; السابق</a>')
        for k in sorted({1, n - 1, n, n + 1, total} & set(range(1, total + 1))):
            links.append(f'<span aria-current="page" class="page-numbers current">{k}</span>' if k == n
                         else f'<a class="page-numbers" href="{self.page_url(path, k)}">{k}</a>')
        if n < total:
            links.append(f'<a class="next page-numbers" href="{self.page_url(path, n + 1)}">التالي &raquo;</a>')
        return f'<nav class="navigation pagination"><div class="nav-links">{"".join(links)}</div></nav>'

    def card(self, a) -> str:
        url, image = a.url(self.port), f"{self.base}wp-content/uploads/{a.published:%Y/%m}/{a.slug}-300x200.jpg"
        return (
            f'<article class="post-item"><a class="post-thumb" href="{url}"><img src="{image}"'
            f' alt="{esc(a.title)}" width="300" height="200" loading="lazy"></a><div class="post-body">'
            f'<span class="cat"><a href="{self.cat_url(a.story.topic)}">{esc(a.story.topic.name)}</a></span>'
            f'<h2 class="entry-title"><a href="{url}" rel="bookmark">{esc(a.title)}</a></h2>'
            f'<div class="entry-meta"><time datetime="{a.published.isoformat()}">'
            f'{levantine_date(a.published, weekday=False)}</time>'
            f' · <a href="{self.author_url(a.author)}">{esc(a.author.name)}</a></div>'
            f'<p class="excerpt">{esc(a.summary)} [&hellip;]</p></div></article>'
        )

    def listing(self, path: str, heading: str, items: list) -> None:
        chunks = pages_of(items)
        for n, chunk in enumerate(chunks, 1):
            cards = "".join(map(self.card, chunk)) or '<p class="no-results">لا توجد مقالات في هذا القسم بعد.</p>'
            body = (f'<header class="page-header"><h1 class="page-title">{esc(heading)}</h1></header>'
                    f"{cards}{self.pagination(path, n, len(chunks))}")
            title = heading if n == 1 else f"{heading} - الصفحة {n}"
            html, _ = self.chrome(f"{path}:{n}", f"{title} - {self.pub.title}", body, bodyclass="archive")
            self.build.add(path if n == 1 else f"{path}page/{n}/", self.page(html))

    def static(self, path: str, heading: str, body: str, status: int = 200) -> Page:
        html, _ = self.chrome(path, f"{heading} - {self.pub.title}", body, bodyclass="page")
        return self.page(html, status)

    def render(self) -> SiteBuild:
        for i in range(len(self.articles)):
            self.article(i)
        self.listing("/", "آخر الأخبار", self.newest)
        for topic in TOPICS:
            self.listing(f"/category/{topic.key}/", topic.name,
                         [a for a in self.newest if a.story.topic is topic])
        for city in sorted({a.story.place.city for a in self.articles}):
            self.listing(f"/tag/{quote(city)}/", f"الوسم: {city}",
                         [a for a in self.newest if a.story.place.city == city])
        for person in sorted({a.author for a in self.articles}, key=lambda p: p.slug):
            self.listing(f"/author/{person.slug}/", f"مقالات {person.name}",
                         [a for a in self.newest if a.author == person])
        for slug, heading in (("about", "من نحن"), ("contact", "اتصل بنا"), ("privacy-policy", "سياسة الخصوصية")):
            body = f'<article class="page"><h1 class="entry-title">{heading}</h1><p>{TAGLINE}.</p></article>'
            self.build.add(f"/{slug}/", self.static(slug, heading, body))
        self.build.not_found = self.static("404", "الصفحة غير موجودة", (
            '<section class="error-404 not-found"><h1 class="page-title">عذراً، الصفحة غير موجودة</h1></section>'
        ), status=404)
        add_feeds_and_sitemaps(self)
        return self.build


def render(publisher, articles, port: int) -> SiteBuild:
    return Furat(publisher, articles, port).render()
