"""Whole-page layouts typical of the region's CMSes (synthetic, original text)."""

from __future__ import annotations

import json

from pipelines.extraction import extract_article

STORY = [
    "قالت لجنة الإغاثة المحلية في مدينة القامشلي إنها بدأت توزيع مادة المازوت على العائلات المسجلة "
    "لديها، بعد تأخر استمر أسابيع بسبب نقص الكميات الواردة إلى المحافظة.",
    "وأوضح عضو في اللجنة أن كل عائلة ستحصل على خمسين لتراً في الدفعة الأولى، على أن تستكمل الكمية "
    "المخصصة خلال الشهر المقبل إذا وصلت الشحنات في موعدها.",
    "وشكا عدد من الأهالي من طول الانتظار أمام مراكز التوزيع، مطالبين بتنظيم الدور عبر رسائل نصية "
    "بدلاً من الطوابير التي تمتد لساعات في البرد.",
    "ويأتي ذلك مع انخفاض درجات الحرارة في المنطقة وارتفاع أسعار المحروقات في السوق الموازية إلى "
    "مستويات غير مسبوقة خلال هذا الشتاء.",
]
TITLE = "بدء توزيع مازوت التدفئة في القامشلي بعد تأخر أسابيع"
URL = "https://shamal.example/2023/12/04/heating-fuel/"


def wordpress_page() -> bytes:
    graph = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "NewsArticle", "@id": URL + "#article", "headline": TITLE,
             "author": {"@id": "https://shamal.example/#/schema/person/42"},
             "datePublished": "2023-12-04T08:10:00+03:00", "dateModified": "2023-12-04T09:00:00+03:00",
             "publisher": {"@id": "https://shamal.example/#organization"},
             "articleSection": ["محليات"], "keywords": ["القامشلي", "محروقات"], "inLanguage": "ar"},
            {"@type": "Person", "@id": "https://shamal.example/#/schema/person/42", "name": "هيفاء يوسف"},
            {"@type": "Organization", "@id": "https://shamal.example/#organization", "name": "شمال برس"},
            {"@type": "WebSite", "@id": "https://shamal.example/#website", "name": "شمال برس"},
        ],
    }
    paragraphs = "".join(f"<p>{p}</p>" for p in STORY)
    html = f"""<!DOCTYPE html><html dir="rtl" lang="ar"><head><meta charset="UTF-8">
<title>{TITLE} - شمال برس</title>
<meta property="og:type" content="article"><meta property="og:title" content="{TITLE} - شمال برس">
<meta property="og:site_name" content="شمال برس"><meta name="author" content="admin">
<meta name="twitter:label1" content="كُتب بواسطة"><meta name="twitter:data1" content="هيفاء يوسف">
<script type="application/ld+json">{json.dumps(graph, ensure_ascii=False)}</script></head>
<body class="post-template-default single single-post postid-881 single-format-standard">
<div id="page"><header id="masthead"><div class="breaking-news"><span>عاجل</span>
<ul><li><a href="/x1">انفجار لغم في ريف الحسكة يودي بحياة طفلين</a></li></ul></div>
<nav class="main-navigation"><a href="/">الرئيسية</a><a href="/local">محليات</a></nav></header>
<div id="content"><main id="main"><article id="post-881" class="post-881 post type-post status-publish
 format-standard has-post-thumbnail hentry category-local tag-qamishli">
<header class="entry-header"><h1 class="entry-title">{TITLE}</h1>
<div class="entry-meta"><span class="byline">بقلم <a rel="author" href="/author/haifa/">هيفاء يوسف</a></span>
<time class="entry-date published" datetime="2023-12-04T08:10:00+03:00">4 كانون الأول 2023</time></div>
</header><div class="entry-content">{paragraphs}
<div class="sharedaddy sd-sharing-enabled"><h3 class="sd-title">شارك هذا:</h3>
<a href="#">فيسبوك</a><a href="#">واتساب</a></div>
<div id="jp-relatedposts" class="jp-relatedposts"><h3>ذات صلة</h3>
<p><a href="/a">ارتفاع سعر ربطة الخبز في الحسكة إلى الضعف</a></p>
<p><a href="/b">انقطاع الطريق بين القامشلي وعامودا بسبب السيول</a></p></div></div>
<footer class="entry-footer"><span class="tags-links">الوسوم: <a href="/tag/q">القامشلي</a></span></footer>
<div class="saboxplugin-wrap"><div class="saboxplugin-authorname"><a href="/author/haifa/">هيفاء يوسف</a></div>
<div class="saboxplugin-desc"><p>صحفية من القامشلي تغطي الشؤون الخدمية والإنسانية في شمال شرق سوريا.</p></div></div>
</article>
<div id="comments" class="comments-area"><h2 class="comments-title">3 تعليقات</h2><ol class="comment-list">
<li class="comment"><p>شكراً على المتابعة لكن التوزيع في حي الهلالية لم يبدأ بعد حتى الآن</p></li></ol>
<div id="respond" class="comment-respond"><h3>اترك تعليقاً</h3></div></div>
</main><aside id="secondary" class="widget-area"><section class="widget widget_recent_entries"><h2>أحدث المقالات</h2>
<ul><li><a href="/c">مجلس المدينة يعلن خطة لإصلاح شبكة الصرف الصحي في الأحياء الغربية</a></li></ul></section></aside>
</div><footer id="colophon"><p>جميع الحقوق محفوظة © شمال برس 2023</p></footer></div></body></html>"""
    return html.encode("utf-8")


def test_wordpress_article():
    record = extract_article(wordpress_page(), URL)
    text = record["text"]
    assert record["title"] == TITLE
    assert record["author"] == "هيفاء يوسف"
    assert record["published"] == "2023-12-04T08:10:00+03:00"
    assert record["modified"] == "2023-12-04T09:00:00+03:00"
    assert record["section"] == "محليات"
    assert record["tags"] == ["القامشلي", "محروقات"]
    assert record["is_article"] is True
    assert record["language"] == "ar"
    positions = [text.find(p) for p in STORY]
    assert all(p >= 0 for p in positions) and positions == sorted(positions)
    for leak in ("عاجل", "انفجار لغم", "شارك هذا", "ذات صلة", "ارتفاع سعر ربطة", "الوسوم", "صحفية من القامشلي",
                 "تعليقات", "حي الهلالية", "اترك تعليقاً", "أحدث المقالات", "جميع الحقوق", "بقلم"):
        assert leak not in text, leak


def test_wordpress_category_archive_is_not_an_article():
    cards = "".join(
        f"<article class='post-{i} post type-post'><h2 class='entry-title'><a href='/2023/12/0{i % 9 + 1}/n{i}/'>"
        f"خبر رقم {i} عن الأوضاع المعيشية في مدن الجزيرة السورية</a></h2><div class='entry-summary'><p>"
        f"مقتطف قصير من الخبر رقم {i} يتناول أسعار المواد الأساسية وساعات التقنين في المنطقة.</p></div></article>"
        for i in range(10))
    ld = {"@context": "https://schema.org", "@graph": [{"@type": "CollectionPage", "name": "محليات"}]}
    html = (f"<html lang='ar'><head><title>محليات - شمال برس</title><meta property='og:type' content='article'>"
            f"<script type='application/ld+json'>{json.dumps(ld, ensure_ascii=False)}</script></head>"
            f"<body><main><h1 class='page-title'>محليات</h1>{cards}</main></body></html>")
    record = extract_article(html.encode(), "https://shamal.example/category/local/")
    assert record["is_article"] is False
    record = extract_article(html.encode(), "https://shamal.example/local/")
    assert record["is_article"] is False  # CollectionPage alone vetoes it


def table_portal_page() -> bytes:
    paragraphs = "<br><br>\n".join(STORY)
    html = f"""<html dir="rtl" lang="ar"><head>
<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">
<title>صوت الجزيرة :: {TITLE}</title><meta name="author" content="مؤسسة الضياء للبرمجيات">
<meta name="description" content="صوت الجزيرة - أخبار المنطقة"></head><body>
<table width="980" align="center"><tr><td class="topdate">اليوم: الخميس 2 آذار 2023</td>
<td><a href="index.php">الرئيسية</a> | <a href="contact.php">اتصل بنا</a></td></tr>
<tr><td colspan="2"><b>صوت الجزيرة</b></td></tr>
<tr><td valign="top" width="220">
<table class="box"><tr><td class="boxhead">الأكثر قراءة</td></tr>
<tr><td><a href="article.php?id=7">{TITLE}</a></td></tr>
<tr><td><a href="article.php?id=5">افتتاح مدرسة جديدة في ريف الدرباسية بعد ترميمها</a></td></tr></table>
<table class="box"><tr><td>مواقيت الصلاة</td></tr><tr><td>الفجر: 04:03<br>الظهر: 12:54</td></tr></table>
<table class="box"><tr><td><form action="poll.php">هل أنت راض عن الخدمات في مدينتك؟<br>
<input type="radio" name="v"> نعم</form></td></tr></table></td>
<td valign="top"><table width="100%">
<tr><td class="path"><a href="index.php">الرئيسية</a> &gt; <a href="section.php?id=2">محروقات</a></td></tr>
<tr><td class="ntitle"><font size="5"><b>{TITLE}</b></font></td></tr>
<tr><td class="byline">كتب: جوان حسو</td></tr>
<tr><td class="ndate">الاثنين &#1636; كانون الأول &#1634;&#1632;&#1634;&#1635;</td></tr>
<tr><td class="ntext"><div id="nstext">{paragraphs}</div></td></tr>
<tr><td class="tools"><a href="print.php?id=7">طباعة</a> | عدد القراءات: 4821</td></tr>
</table></td></tr>
<tr><td colspan="2" class="footer">جميع الحقوق محفوظة لموقع صوت الجزيرة © 2008 - 2023<br>
تصميم وتطوير: مؤسسة الضياء للبرمجيات</td></tr></table></body></html>"""
    return html.encode("cp1256")


def test_table_layout_portal_in_windows_1256():
    record = extract_article(table_portal_page(), "http://jazira.example/article.php?id=7")
    text = record["text"]
    assert record["encoding"] == "windows-1256"
    assert record["title"] == TITLE
    assert record["author"] == "جوان حسو"
    assert record["published"] == "2023-12-04"
    assert text.split("\n") == STORY  # one line per <br><br> paragraph, nothing else
    for leak in ("اليوم: الخميس", "الأكثر قراءة", "مواقيت الصلاة", "راض عن الخدمات", "عدد القراءات",
                 "جميع الحقوق", "تصميم وتطوير", "كتب:", "كانون الأول"):
        assert leak not in text, leak
