"""Publisher 6, "بوابة الرافدين": an ASP.NET WebForms portal (tables, `ctl00_...` ids).

The whole page is one `<form id="aspnetForm">` with a large `__VIEWSTATE`; section
pagers are `__doPostBack` links a crawler cannot follow, so `/Archive.aspx?Page=N` is
the only plain-link path to older articles (besides the RSS feed). The body sits in
`<div class="panel panel-default module">` inside `<div class="box">` on some pages,
the intro paragraph in its own `lblIntro` block. JSON-LD is wrapped in
`//<![CDATA[ ... //]]>` and gives the author as an object, a string or a list.
Bylines ("كتبت: ...", "تقرير: ...", "فلان وفلانة") sit in a `news-by` element;
`DC.creator` names the web developer. Some pages open with the portal's cache comment
and a run of dozens of adjacent comments; a cookie notice row precedes the article on
others; the footer row credits the editorial board.
"""

from __future__ import annotations

import random

from samples.pages import Page
from samples.sites import realweb as rw
from samples.sites.common import SiteBuild, egyptian_date, esc, neighbours, pages_of, rfc822, stylesheet
from samples.pools import WEEKDAYS
from samples.topics import TOPICS

HTML = "text/html; charset=utf-8"
HEADERS = {"Server": "Microsoft-IIS/8.5", "X-AspNet-Version": "4.0.30319", "X-Powered-By": "ASP.NET",
           "Cache-Control": "private"}
DEVELOPER = "عادل الصباغ"
COOKIE = "هذا الموقع يستخدم ملفات تعريف الارتباط (Cookies) لتقديم أفضل خدمة لك، باستمرارك في التصفح فإنك توافق على ذلك."
BOARD = "المدير العام: فارس القباني | رئيس التحرير: سهى الجابري | سكرتير التحرير: أيمن الدباغ"
COPYRIGHT = "جميع الحقوق محفوظة © بوابة الرافدين 2010 - 2024"
NEWSLETTER = "اشترك في القائمة البريدية لتصلك آخر الأخبار"
POLL = "ما رأيك في مستوى الخدمات البلدية هذا العام؟"
PER_PAGE = 15
CSS = stylesheet("rafidain", "", (
    "header", "menu", "content", "box", "box-title", "news-title", "news-info", "news-by", "intro",
    "panel", "panel-body", "module", "news-details", "news-tools", "side", "footer", "cookies-alert",
))
POSTBACK_JS = """//<![CDATA[
var theForm = document.forms['aspnetForm'];
if (!theForm) { theForm = document.aspnetForm; }
function __doPostBack(eventTarget, eventArgument) {
    if (!theForm.onsubmit || (theForm.onsubmit() != false)) {
        theForm.__EVENTTARGET.value = eventTarget;
        theForm.__EVENTARGUMENT.value = eventArgument;
        theForm.submit();
    }
}
//]]>"""


def traps_of(a) -> rw.Traps:
    traps = rw.Traps({rw.FOOTER_CREDITS, rw.CDATA_JSONLD, rw.DC_CREATOR, rw.INLINE_BYLINE})
    if rw.every(a, 5, 3):
        traps.add(rw.COMMENT_RUN)
    if not rw.every(a, 3, 0):
        traps.add(rw.WIDGET_BODY)
    if rw.every(a, 3, 1):
        traps.add(rw.LEAD_BLOCK)
    if rw.every(a, 2, 1):
        traps.add(rw.COOKIE_BANNER)
    if rw.every(a, 4, 0):
        traps.add(rw.BYLINE_BELOW)
    if len(a.authors) > 1:
        traps.add(rw.MULTI_AUTHOR)
    return traps


def portal_date(moment) -> str:
    """'الأحد، 05 مارس 2023 - 10:32 ص', as the portal prints it."""
    hour = moment.hour % 12 or 12
    return (f"{WEEKDAYS[moment.weekday()]}، {moment.day:02d} {egyptian_date(moment).split(' ', 1)[1]}"
            f" - {hour:02d}:{moment.minute:02d} {'ص' if moment.hour < 12 else 'م'}")


class Rafidain:
    def __init__(self, publisher, articles, port: int) -> None:
        self.pub, self.articles, self.port = publisher, articles, port
        self.base = publisher.base_url(port)
        self.newest = sorted(articles, key=lambda a: a.published, reverse=True)
        self.build = SiteBuild()

    def page(self, html: str, status: int = 200) -> Page:
        return Page(html.encode("utf-8"), HTML, status=status, extra=HEADERS)

    def chrome(self, seed: str, title: str, content: str, action: str, head: str = "",
               opening: str = "", notice: str = "") -> str:
        rng = random.Random(f"rafidain:chrome:{seed}")
        menu = " | ".join(f'<a id="ctl00_rptMenu_ctl{i:02d}_lnkSec" href="Section.aspx?SecID={i}">{esc(t.name)}</a>'
                          for i, t in enumerate(TOPICS, 1))
        most = "".join(f'<li><a href="NewsDetails.aspx?NewsID={a.ident}">{esc(a.title)}</a></li>'
                       for a in rng.sample(self.newest[:12], min(5, len(self.newest))))
        latest = "".join(f'<li><a href="NewsDetails.aspx?NewsID={a.ident}">{esc(a.title)}</a><p>{esc(a.summary)}</p></li>'
                         for a in self.newest[:12])
        return f"""{opening}<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" dir="rtl" lang="ar">
<head id="ctl00_Head1"><title>
	{esc(title)} - {esc(self.pub.title)}
</title><meta http-equiv="Content-Type" content="text/html; charset=utf-8" /><meta name="DC.creator" content="{DEVELOPER}" /><link href="App_Themes/Default/Style.css" type="text/css" rel="stylesheet" />
{head}<style type="text/css">{CSS}</style>
</head>
<body>
<form name="aspnetForm" method="post" action="./{action}" id="aspnetForm">
<div><input type="hidden" name="__EVENTTARGET" id="__EVENTTARGET" value="" /><input type="hidden" name="__EVENTARGUMENT" id="__EVENTARGUMENT" value="" />
<input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" value="{rw.viewstate(seed, rng.randint(2500, 4500))}" /></div>
<script type="text/javascript">{POSTBACK_JS}</script>
<script src="/WebResource.axd?d=pynGkmcFUV13He1Qd6_TZA2&amp;t=638162004862343080" type="text/javascript"></script>
<table id="ctl00_tblMain" width="1000" align="center" cellpadding="0" cellspacing="0" border="0">
<tr><td colspan="2" class="header"><a href="Default.aspx"><img src="images/logo.png" alt="{esc(self.pub.title)}" border="0" /></a>
<span id="ctl00_lblToday" class="today">{WEEKDAYS[6]} 05/03/2023</span></td></tr>
<tr><td colspan="2" class="menu"><a href="Default.aspx">الرئيسية</a> | {menu} | <a href="Archive.aspx">الأرشيف</a></td></tr>
{notice}<tr><td valign="top" class="content">
{content}
</td>
<td valign="top" class="side" width="300">
<div class="box"><div class="box-title">الأكثر قراءة</div><ul>{most}</ul></div>
<div class="box"><div class="box-title">آخر الأخبار</div><ul>{latest}</ul></div>
<div class="box"><div class="box-title">استطلاع الرأي</div><span id="ctl00_Poll1_lblQuestion">{POLL}</span>
<table id="ctl00_Poll1_rblAnswers"><tr><td><input id="ctl00_Poll1_rblAnswers_0" type="radio" name="ctl00$Poll1$rblAnswers" value="1" /><label for="ctl00_Poll1_rblAnswers_0">جيد</label></td></tr>
<tr><td><input id="ctl00_Poll1_rblAnswers_1" type="radio" name="ctl00$Poll1$rblAnswers" value="2" /><label for="ctl00_Poll1_rblAnswers_1">سيئ</label></td></tr></table>
<a id="ctl00_Poll1_btnVote" href="javascript:__doPostBack('ctl00$Poll1$btnVote','')">تصويت</a></div>
</td></tr>
<tr><td colspan="2" class="footer"><span id="ctl00_lblBoard">{BOARD}</span><br />
<span id="ctl00_lblNewsletter">{NEWSLETTER}</span> <input name="ctl00$txtEmail" type="text" id="ctl00_txtEmail" />
<a id="ctl00_btnSubscribe" href="javascript:__doPostBack('ctl00$btnSubscribe','')">اشتراك</a><br />
<span id="ctl00_lblCopyright">{COPYRIGHT}</span></td></tr>
</table>
<div><input type="hidden" name="__VIEWSTATEGENERATOR" id="__VIEWSTATEGENERATOR" value="CA0B0334" />
<input type="hidden" name="__EVENTVALIDATION" id="__EVENTVALIDATION" value="{rw.viewstate(seed + ':ev', 120)}" /></div></form>
</body>
</html>
"""

    def jsonld(self, a, url: str) -> str:
        people = [{"@type": "Person", "name": p.name} for p in a.authors]
        author = people if len(people) > 1 else (a.author.name if rw.every(a, 3, 0) else people[0])
        return rw.ld_json({
            "@context": "http://schema.org", "@type": "NewsArticle", "mainEntityOfPage": url,
            "headline": a.title, "datePublished": a.published.isoformat(), "dateModified": a.modified.isoformat(),
            "author": author, "image": f"{self.base}Upload/News/{a.ident}.jpg",
            "publisher": {"@type": "Organization", "name": self.pub.title},
        }, cdata=True)

    def article(self, index: int) -> None:
        a = self.articles[index]
        url, traps = a.url(self.port), traps_of(a)
        rng = random.Random(f"rafidain:article:{a.ident}")
        head = (f'<meta name="description" content="{esc(a.summary)}" /><meta property="og:title" content="{esc(a.title)}" />'
                f'<meta property="og:url" content="{url}" /><link rel="canonical" href="{url}" />\n{self.jsonld(a, url)}\n')
        opening = ""
        if rw.COMMENT_RUN in traps:
            opening = f"<!-- Rafidain Portal 3.2 | output cache {a.modified:%d/%m/%Y %H:%M:%S} -->\n"
            head = rw.comment_run(a.name, rng.randint(26, 40)) + "\n" + head
        below = rw.BYLINE_BELOW in traps
        if below:
            byline = f"تقرير: {rw.names_text(a.authors)}"
        else:
            byline = f"{rw.byline_verb(a.authors)}: {rw.names_text(a.authors)}"
        by = f'<span id="ctl00_ContentPlaceHolder1_lblWriter" class="news-by">{esc(byline)}</span>'
        lead = ""
        if rw.LEAD_BLOCK in traps:
            lead = f'<div id="ctl00_ContentPlaceHolder1_lblIntro" class="intro"><p>{esc(a.blocks[0][1])}</p></div>'
        paras = "\n".join(rw.paragraphs(a, bool(lead)))
        if rw.WIDGET_BODY in traps:
            # The print button prints this div: its class names a print area, a widget to many rules.
            body = (f'<div class="panel panel-default module"><div class="panel-body print-area"'
                    f' id="ctl00_ContentPlaceHolder1_divDetails">\n{paras}\n</div></div>')
        else:
            body = f'<div id="ctl00_ContentPlaceHolder1_lblDetails" class="news-details">\n{paras}\n</div>'
        related = neighbours(self.articles, index, 4)
        topic_id = TOPICS.index(a.story.topic) + 1
        content = f"""<div id="ctl00_ContentPlaceHolder1_pnlNews" class="box">
<div class="box-title"><a id="ctl00_ContentPlaceHolder1_lnkSection" href="Section.aspx?SecID={topic_id}">{esc(a.story.topic.name)}</a></div>
<h1><span id="ctl00_ContentPlaceHolder1_lblTitle" class="news-title">{esc(a.title)}</span></h1>
<div class="news-info"><span id="ctl00_ContentPlaceHolder1_lblDate" class="news-date">{portal_date(a.published)}</span>{"" if below else " | " + by}</div>
<img id="ctl00_ContentPlaceHolder1_imgNews" src="Upload/News/{a.ident}.jpg" style="border-width:0px;" />
{lead}
{body}
{f'<div class="news-info">{by}</div>' if below else ""}
<div class="news-tools"><a href="javascript:window.print()">طباعة</a> | <a id="ctl00_ContentPlaceHolder1_lnkSend" href="javascript:__doPostBack('ctl00$ContentPlaceHolder1$lnkSend','')">إرسال لصديق</a> | عدد المشاهدات: {rng.randint(100, 20000)}</div>
</div>
<div class="box"><div class="box-title">أخبار ذات صلة</div><ul>{"".join(f'<li><a href="NewsDetails.aspx?NewsID={r.ident}">{esc(r.title)}</a></li>' for r in related)}</ul></div>"""
        notice = ""
        if rw.COOKIE_BANNER in traps:
            notice = ('<tr><td colspan="2">' + rw.cookie_banner('id="ctl00_pnlCookies" class="cookies-alert"', COOKIE,
                                                                "Privacy.aspx") + "</td></tr>\n")
        action = a.path[1:]
        self.build.add(a.path, self.page(self.chrome(a.name, a.title, content, action, head, opening, notice)))
        self.build.boilerplate[a.name] = [
            byline, *([COOKIE] if notice else []), BOARD, COPYRIGHT, NEWSLETTER, POLL, related[0].title,
        ]
        self.build.traps[a.name] = traps.sorted()

    def listing(self, heading: str, items: list, path_for, postback: bool) -> None:
        """Listing pages; `postback` pagers are javascript a crawler cannot follow."""
        chunks = pages_of(items, PER_PAGE)
        for n, chunk in enumerate(chunks[:1] if postback else chunks, 1):
            rows = "".join(f'<tr><td><a href="NewsDetails.aspx?NewsID={a.ident}" class="news-link">{esc(a.title)}</a>'
                           f'<br /><span class="news-date">{portal_date(a.published)}</span></td></tr>' for a in chunk)
            pager = " ".join(
                f"<span>{k}</span>" if k == n else
                (f"<a href=\"javascript:__doPostBack('ctl00$ContentPlaceHolder1$gvNews','Page${k}')\">{k}</a>"
                 if postback else f'<a href="{path_for(k)[1:]}">{k}</a>')
                for k in range(1, len(chunks) + 1))
            content = (f'<div class="box"><div class="box-title">{esc(heading)}</div>'
                       f'<table id="ctl00_ContentPlaceHolder1_gvNews" class="grid">{rows}'
                       f'<tr class="pager"><td>{pager}</td></tr></table></div>')
            path = path_for(n)
            self.build.add(path, self.page(self.chrome(path, heading, content, path[1:])))

    def render(self) -> SiteBuild:
        for i in range(len(self.articles)):
            self.article(i)
        self.listing("آخر الأخبار", self.newest[:PER_PAGE], lambda k: "/Default.aspx", postback=False)
        self.build.pages["/"] = self.build.pages["/Default.aspx"]
        self.listing("الأرشيف", self.newest, lambda k: "/Archive.aspx" + ("" if k == 1 else f"?Page={k}"), False)
        for i, topic in enumerate(TOPICS, 1):
            self.listing(topic.name, [a for a in self.newest if a.story.topic is topic],
                         lambda k, i=i: f"/Section.aspx?SecID={i}", postback=True)
        self.build.add("/Privacy.aspx", self.page(self.chrome("privacy", "سياسة الخصوصية", f"<p>{COOKIE}</p>", "Privacy.aspx")))
        items = "".join(f"<item><title>{esc(a.title)}</title><link>{a.url(self.port)}</link>"
                        f"<pubDate>{rfc822(a.published)}</pubDate><description>{esc(a.summary)}</description></item>\n"
                        for a in self.newest[:20])
        rss = (f'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>{esc(self.pub.title)}</title>'
               f"<link>{self.base}</link><language>ar</language>\n{items}</channel></rss>\n")
        self.build.add("/Rss.aspx", Page(rss.encode(), "text/xml; charset=utf-8", extra=HEADERS))
        self.build.add("/robots.txt", Page(b"User-agent: *\nDisallow: /Admin/\nDisallow: /WebResource.axd\n",
                                           "text/plain", extra=HEADERS))
        self.build.not_found = self.page(self.chrome("404", "الصفحة غير موجودة",
                                                     '<div class="box"><h1>الصفحة غير موجودة</h1></div>', "Error.aspx"),
                                         status=404)
        return self.build


def render(publisher, articles, port: int) -> SiteBuild:
    return Rafidain(publisher, articles, port).render()
