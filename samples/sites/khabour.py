"""Publisher 2, "صدى الخابور": an old PHP site in windows-1256 with a table layout.

The charset is declared only in a <meta http-equiv> tag (the HTTP header says plain
text/html). No feed, no sitemap, relative links, no <h1>, no og/JSON-LD. Dates use
Levantine month names, some articles Eastern Arabic digits, which windows-1256 cannot
encode, so they go out as &#1634;-style references. Bylines ("كتب:"/"كتبت:") sit at the
top; a quarter of the articles have none, and <meta name="author"> names the web
developer. The header shows a fixed "today" date. print.php duplicates every article.
"""

from __future__ import annotations

import random

from samples.pages import Page
from samples.sites.common import SiteBuild, esc, levantine_date, neighbours, pages_of, stylesheet
from samples.topics import TOPICS

HTML = "text/html"  # no charset: only the meta tag declares windows-1256
HEADERS = {"Server": "Apache/2.2.22 (Unix) PHP/5.3.29", "X-Powered-By": "PHP/5.3.29"}
DEVELOPER = "شركة النور للبرمجيات"
COPYRIGHT = "جميع الحقوق محفوظة لموقع صدى الخابور © 2006 - 2023"
CREDIT = f"تصميم وتطوير: {DEVELOPER}"
TODAY = "اليوم: الأحد 5 آذار 2023"
POLL = "هل تحسن وضع الخدمات في مدينتك خلال العام الماضي؟"
PRAYER = "مواقيت الصلاة في الحسكة"
PER_PAGE = 15
LINKS = "".join(
    f'<tr><td class="list"><a href="http://{host}/" target="_blank">{name}</a></td></tr>'
    for host, name in (
        ("weather.example.org", "حالة الطقس"), ("dictionary.example.org", "القاموس"),
        ("quran.example.org", "القرآن الكريم"), ("exchange.example.org", "أسعار العملات"),
        ("mail.example.com", "البريد الإلكتروني"), ("maps.example.com", "خرائط"),
    )
)
# The image-rollover helpers every Dreamweaver-built site of the 2000s carried.
DREAMWEAVER_JS = """
function MM_swapImgRestore() { var i,x,a=document.MM_sr; for(i=0;a&&i<a.length&&(x=a[i])&&x.oSrc;i++) x.src=x.oSrc; }
function MM_preloadImages() { var d=document; if(d.images){ if(!d.MM_p) d.MM_p=new Array();
  var i,j=d.MM_p.length,a=MM_preloadImages.arguments; for(i=0; i<a.length; i++)
  if (a[i].indexOf("#")!=0){ d.MM_p[j]=new Image; d.MM_p[j++].src=a[i];}} }
function MM_findObj(n, d) { var p,i,x; if(!d) d=document; if((p=n.indexOf("?"))>0&&parent.frames.length) {
  d=parent.frames[n.substring(p+1)].document; n=n.substring(0,p);}
  if(!(x=d[n])&&d.all) x=d.all[n]; for (i=0;!x&&i<d.forms.length;i++) x=d.forms[i][n];
  for(i=0;!x&&d.layers&&i<d.layers.length;i++) x=MM_findObj(n,d.layers[i].document);
  if(!x && d.getElementById) x=d.getElementById(n); return x; }
function MM_swapImage() { var i,j=0,x,a=MM_swapImage.arguments; document.MM_sr=new Array;
  for(i=0;i<(a.length-2);i+=3) if ((x=MM_findObj(a[i]))!=null){document.MM_sr[j++]=x;
  if(!x.oSrc) x.oSrc=x.src; x.src=a[i+2];} }
function MM_openBrWindow(theURL,winName,features) { window.open(theURL,winName,features); }
"""
CSS = stylesheet("khabour", "", (
    "topdate", "toplinks", "sitename", "menu", "side", "box", "boxhead", "main", "path",
    "ntitle", "byline", "ndate", "ntext", "tools", "footer", "list", "pager",
))


def section_link(topic_id: int, page: int = 1) -> str:
    return f"section.php?id={topic_id}" + ("" if page == 1 else f"&amp;page={page}")


class Khabour:
    def __init__(self, publisher, articles, port: int) -> None:
        self.pub, self.articles, self.port = publisher, articles, port
        self.newest = sorted(articles, key=lambda a: a.published, reverse=True)
        self.build = SiteBuild()
        self.visitors = 1_204_331 + 17 * len(articles)

    def page(self, html: str, status: int = 200) -> Page:
        # Eastern Arabic digits are not in windows-1256: numeric references, as PHP
        # sites that store cp1256 emit them.
        body = html.encode("cp1256", errors="xmlcharrefreplace")
        return Page(body, HTML, status=status, extra=HEADERS)

    def chrome(self, seed: str, title: str, main: str, side_links: list) -> str:
        rng = random.Random(f"khabour:chrome:{seed}")
        menu = " | ".join(
            f'<a href="{section_link(i)}" class="menu">{esc(t.name)}</a>' for i, t in enumerate(TOPICS, 1)
        )
        prayer = "<br>".join(
            f"{name}: {hour:02d}:{rng.randint(0, 59):02d}"
            for name, hour in (("الفجر", 4), ("الظهر", 12), ("العصر", 15), ("المغرب", 18), ("العشاء", 19))
        )
        ticker = " :: ".join(f'<a href="{a.path[1:]}">{esc(a.title)}</a>' for a in self.newest[:6])
        latest = "".join(
            f'<tr><td class="list"><a href="{a.path[1:]}">{esc(a.title)}</a></td></tr>' for a in self.newest[:10]
        )
        most_read = "".join(
            f'<tr><td class="list"><img src="images/arrow.gif" width="7" height="7"> '
            f'<a href="{a.path[1:]}">{esc(a.title)}</a></td></tr>' for a in side_links
        )
        return f"""<html dir="rtl" lang="ar">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">
<title>{esc(self.pub.title)} :: {esc(title)}</title>
<meta name="keywords" content="الحسكة, القامشلي, الخابور, الجزيرة السورية, أخبار">
<meta name="description" content="صدى الخابور - أخبار الحسكة والجزيرة السورية">
<meta name="author" content="{DEVELOPER}">
<link href="style.css" rel="stylesheet" type="text/css">
<style type="text/css">{CSS}</style>
<script language="JavaScript" type="text/JavaScript">{DREAMWEAVER_JS}</script>
</head>
<body bgcolor="#FFFFFF" leftmargin="0" topmargin="0" marginwidth="0" marginheight="0">
<table width="980" border="0" align="center" cellpadding="0" cellspacing="0">
<tr><td class="topdate" width="300">{TODAY}</td>
<td class="toplinks" align="left"><a href="index.php">الرئيسية</a> | <a href="about.php">من نحن</a> | <a href="contact.php">اتصل بنا</a></td></tr>
<tr><td colspan="2" height="110" background="images/banner_bg.jpg"><img src="images/logo.gif" width="320" height="100" border="0" alt="">
<font class="sitename" size="6" color="#003366"><b>{esc(self.pub.title)}</b></font></td></tr>
<tr><td colspan="2" class="menu" bgcolor="#003366"><a href="index.php" class="menu">الرئيسية</a> | {menu}</td></tr>
<tr><td colspan="2" class="ticker"><b>آخر الأخبار:</b> <marquee direction="right" scrollamount="3" onmouseover="this.stop()" onmouseout="this.start()">{ticker}</marquee></td></tr>
<tr><td valign="top" width="220" class="side">
<table width="100%" class="box" cellpadding="3"><tr><td class="boxhead">الأكثر قراءة</td></tr>{most_read}</table>
<table width="100%" class="box" cellpadding="3"><tr><td class="boxhead">آخر الأخبار</td></tr>{latest}</table>
<table width="100%" class="box" cellpadding="3"><tr><td class="boxhead">{PRAYER}</td></tr>
<tr><td>{prayer}</td></tr></table>
<table width="100%" class="box" cellpadding="3"><tr><td class="boxhead">استطلاع الرأي</td></tr>
<tr><td><form action="poll.php" method="post">{POLL}<br>
<input type="radio" name="vote" value="1"> نعم<br><input type="radio" name="vote" value="2"> لا<br>
<input type="radio" name="vote" value="3"> لا أعرف<br><input type="submit" value="تصويت"></form></td></tr></table>
<table width="100%" class="box" cellpadding="3"><tr><td class="boxhead">عداد الزوار</td></tr>
<tr><td align="center">عدد الزوار: {self.visitors + rng.randint(0, 999)}</td></tr></table>
<table width="100%" class="box" cellpadding="3"><tr><td class="boxhead">روابط مفيدة</td></tr>{LINKS}</table>
</td>
<td valign="top" class="main">
{main}
</td></tr>
<tr><td colspan="2" class="footer" align="center" bgcolor="#EEEEEE">{COPYRIGHT}<br>{CREDIT}</td></tr>
</table>
</body>
</html>
"""

    def article(self, index: int) -> None:
        a = self.articles[index]
        topic_id = TOPICS.index(a.story.topic) + 1
        rng = random.Random(f"khabour:article:{a.ident}")
        reads = rng.randint(120, 9000)
        related = neighbours(self.articles, index, 4)
        byline = ""
        if a.author:
            verb = "كتبت" if a.author.female else "كتب"
            byline = f'<tr><td class="byline">{verb}: {esc(a.author.name)}</td></tr>'
        # Paragraphs separated by <br><br> inside one cell, as the site's old editor did.
        text = "<br><br>\n".join(esc(t) for _, t in a.blocks)
        dateline = levantine_date(a.published, a.eastern)
        main = f"""<table width="100%" border="0" cellpadding="4" cellspacing="0">
<tr><td class="path"><a href="index.php">الرئيسية</a> &gt; <a href="{section_link(topic_id)}">{esc(a.story.topic.name)}</a></td></tr>
<tr><td class="ntitle"><font size="5" color="#990000"><b>{esc(a.title)}</b></font></td></tr>
{byline}
<tr><td class="ndate">{dateline}</td></tr>
<tr><td class="ntext"><img src="images/news/{a.ident}.jpg" width="300" align="left" hspace="8" vspace="4" alt="">
<div id="nstext">{text}</div></td></tr>
<tr><td class="tools"><a href="print.php?id={a.ident}">طباعة</a> | <a href="mailto:?subject={esc(a.title)}&amp;body=http://{self.pub.host}:{self.port}/article.php?id={a.ident}">أرسل لصديق</a> | عدد القراءات: {reads}</td></tr>
<tr><td class="related"><b>أخبار ذات صلة:</b><br>{"<br>".join(f'<a href="{r.path[1:]}">{esc(r.title)}</a>' for r in related)}</td></tr>
</table>"""
        self.build.add(a.path, self.page(self.chrome(a.name, a.title, main, related[:3] + self.newest[:5])))
        self.build.boilerplate[a.name] = [
            TODAY, f"عدد القراءات: {reads}", POLL, PRAYER, COPYRIGHT, CREDIT, *(r.title for r in related[:1]),
        ]
        printed = f"""<html dir="rtl" lang="ar"><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1256">
<title>{esc(a.title)}</title></head><body onload="window.print()">
<h3>{esc(a.title)}</h3><p>{dateline}</p><p>{"<br><br>".join(esc(t) for _, t in a.blocks)}</p>
<p>{esc(self.pub.title)} - http://{self.pub.host}:{self.port}/article.php?id={a.ident}</p></body></html>
"""
        self.build.add(f"/print.php?id={a.ident}", self.page(printed))

    def listing(self, heading: str, items: list, path_for) -> None:
        """Listing pages; path_for(k) is page k's request path, e.g. "/section.php?id=3&page=2"."""
        link = lambda k: path_for(k)[1:].replace("&", "&amp;")  # noqa: E731
        chunks = pages_of(items, PER_PAGE)
        for n, chunk in enumerate(chunks, 1):
            rows = "".join(
                f'<tr><td class="list"><a href="{a.path[1:]}"><b>{esc(a.title)}</b></a><br>'
                f'<font size="1" color="#666666">{levantine_date(a.published, a.eastern)}</font><br>'
                f"{esc(a.summary)}</td></tr>" for a in chunk
            )
            pager = " ".join(
                f"<b>[{k}]</b>" if k == n else f'<a href="{link(k)}">{k}</a>' for k in range(1, len(chunks) + 1)
            )
            main = (f'<table width="100%" cellpadding="4"><tr><td class="path"><b>{esc(heading)}</b></td></tr>'
                    f'{rows}<tr><td class="pager">الصفحة: {pager}</td></tr></table>')
            self.build.add(path_for(n), self.page(self.chrome(path_for(n), heading, main, self.newest[:8])))

    def render(self) -> SiteBuild:
        for i in range(len(self.articles)):
            self.article(i)
        self.listing("آخر الأخبار", self.newest, lambda k: "/index.php" + ("" if k == 1 else f"?page={k}"))
        self.build.pages["/"] = self.build.pages["/index.php"]
        for i, topic in enumerate(TOPICS, 1):
            self.listing(topic.name, [a for a in self.newest if a.story.topic is topic],
                         lambda k, i=i: "/" + section_link(i, k).replace("&amp;", "&"))
        for name, heading, text in (
            ("about", "من نحن", f"{self.pub.title} موقع إخباري محلي تأسس عام 2006."),
            ("contact", "اتصل بنا", "للتواصل مع هيئة التحرير يرجى استخدام البريد الإلكتروني."),
        ):
            main = (f'<table width="100%"><tr><td class="ntitle"><b>{heading}</b></td></tr>'
                    f"<tr><td>{text}</td></tr></table>")
            self.build.add(f"/{name}.php", self.page(self.chrome(name, heading, main, self.newest[:8])))
        self.build.add("/robots.txt", Page(
            b"User-agent: *\nDisallow: /admin/\nDisallow: /cgi-bin/\nDisallow: /poll.php\n",
            "text/plain", extra=HEADERS))
        main = '<table width="100%"><tr><td class="ntitle"><b>الصفحة المطلوبة غير موجودة</b></td></tr></table>'
        self.build.not_found = self.page(self.chrome("404", "خطأ 404", main, self.newest[:8]), status=404)
        return self.build


def render(publisher, articles, port: int) -> SiteBuild:
    return Khabour(publisher, articles, port).render()
