"""Bylines, titles and dates as real sites write them (issue 15, item 2).

Synthetic pages built from original text; each test names the real-page
class it models: inline "كتبت" in an element whose class names nothing we
know, JSON-LD inside CDATA, several authors, social-profile and developer
credits in meta tags, a byline row outside the headline's container, UTC
and local forms of one publication instant.
"""

from __future__ import annotations

import json

import lxml.html
import pytest

from pipelines.extraction import extract_article
from pipelines.extraction.bylines import author_from_elements, parse_byline_line
from pipelines.extraction.names import person_names

SITE = "صدى الشرق"
TITLE = "افتتاح سوق شعبي جديد في حي الميدان بعد سنوات من الانتظار"
URL = "https://sada.example/news/market-5521"
BODY = [
    "افتتحت البلدية صباح اليوم سوقاً شعبياً جديداً في حي الميدان، يضم أكثر من ستين محلاً لبيع الخضار "
    "والفواكه والمواد الغذائية بأسعار مخفضة لسكان الحي والأحياء المجاورة.",
    "وقال رئيس البلدية خلال حفل الافتتاح إن المشروع استغرق عامين من العمل بسبب صعوبات في التمويل، "
    "مؤكداً أن الإيجارات ستبقى رمزية خلال السنة الأولى لتشجيع الباعة الصغار.",
    "وعبّر عدد من الأهالي عن ارتياحهم للمشروع الذي يوفر عليهم عناء التنقل إلى وسط المدينة لشراء "
    "حاجياتهم اليومية، خاصة مع ارتفاع أجور النقل في الأشهر الأخيرة.",
    "ومن المنتظر أن تفتتح البلدية سوقاً مماثلاً في الحي الشمالي مطلع العام المقبل إذا توفر التمويل "
    "اللازم من المنظمات الداعمة.",
]


def page(*, head: str = "", above: str = "", below: str = "", after_h1: str = "",
         header_extra: str = "", title: str = f"{TITLE} | {SITE}") -> bytes:
    paragraphs = "".join(f"<p>{p}</p>" for p in BODY)
    html = (
        f'<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8">'
        f'<title>{title}</title><meta property="og:site_name" content="{SITE}">{head}</head>'
        f'<body class="single sidebar-primary"><main><article>'
        f'<div class="post-head"><div class="post-title-wrap"><div class="inner"><h1>{TITLE}</h1></div></div>'
        f'{header_extra}</div>{after_h1}'
        f'<div class="post-body">{above}{paragraphs}{below}</div>'
        f'</article></main><footer><p>جميع الحقوق محفوظة {SITE}</p></footer></body></html>'
    )
    return html.encode("utf-8")


def run(body: bytes) -> dict:
    return extract_article(body, URL)


def ld_script(obj, wrap: str = "{}") -> str:
    return f'<script type="application/ld+json">{wrap.format(json.dumps(obj, ensure_ascii=False))}</script>'


ARTICLE_LD = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": TITLE}


@pytest.mark.parametrize("element, name", [
    ('<div class="td-post-sub">كتبت أسماء نصار</div>', "أسماء نصار"),
    ('<span class="meta-kteb">بقلم: سامر الخطيب</span>', "سامر الخطيب"),
    ('<p class="x1">ترجمة: ليلى حداد</p>', "ليلى حداد"),
    ('<div class="news-info"><span>متابعة</span> <a href="/u/9">رنا العلي</a></div>', "رنا العلي"),
])
def test_inline_byline_in_an_unfamiliar_class_is_the_author_and_leaves_the_text(element, name):
    for where in ("above", "after_h1"):
        record = run(page(**{where: element}))
        assert record["author"] == name
        assert name not in record["text"]
        assert record["text"].startswith(BODY[0][:40])


@pytest.mark.parametrize("wrap", [
    "//<![CDATA[\n{}\n//]]>", "<![CDATA[ {} ]]>", "/*<![CDATA[*/{}/*]]>*/", "<!--\n{}\n-->", "{};",
])
def test_json_ld_in_any_wrapping_gives_author_and_date(wrap):
    ld = dict(ARTICLE_LD, author={"@type": "Person", "name": "ليلى حداد"},
              datePublished="2024-05-02T10:15:00+03:00")
    record = run(page(head=ld_script(ld, wrap)))
    assert record["author"] == "ليلى حداد"
    assert record["published"] == "2024-05-02T10:15:00+03:00"


@pytest.mark.parametrize("author", [
    ["سامر الخطيب", "ليلى حداد"],
    [{"@type": "Person", "name": "سامر الخطيب"}, {"@type": "Person", "name": "ليلى حداد"}],
    "سامر الخطيب وليلى حداد",
    "سامر الخطيب، ليلى حداد",
])
def test_several_json_ld_authors_in_one_format(author):
    record = run(page(head=ld_script(dict(ARTICLE_LD, author=author))))
    assert record["author"] == "سامر الخطيب، ليلى حداد"


def test_graph_author_reference_resolves_to_the_person():
    graph = {"@context": "https://schema.org", "@graph": [
        dict(ARTICLE_LD, author={"@id": "https://sada.example/#/person/7"},
             publisher={"@id": "https://sada.example/#org"}),
        {"@type": "Organization", "@id": "https://sada.example/#org", "name": SITE},
        {"@type": "Person", "@id": "https://sada.example/#/person/7", "name": "نادر السيد"},
    ]}
    assert run(page(head=ld_script(graph)))["author"] == "نادر السيد"


@pytest.mark.parametrize("byline, names", [
    ("كتب: سامر الخطيب وليلى حداد", "سامر الخطيب، ليلى حداد"),
    ("إعداد: رنا العلي، نادر السيد", "رنا العلي، نادر السيد"),
    ("By Jane Doe and John Roe", "Jane Doe، John Roe"),
])
def test_multi_author_byline_line(byline, names):
    record = run(page(above=f"<p>{byline}</p>"))
    assert record["author"] == names
    assert byline not in record["text"]


def test_waw_inside_one_name_does_not_split_it():
    assert person_names("سامر وليد الخطيب") == ["سامر وليد الخطيب"]
    assert person_names("كتب: أحمد علي ووليد حسن") == ["أحمد علي", "وليد حسن"]


@pytest.mark.parametrize("head, byline, name", [
    # a social-profile URL in article:author is never a name
    ('<meta property="article:author" content="https://www.facebook.com/asmaa.nassar.77">'
     '<meta name="twitter:creator" content="@asmaa_n">',
     '<div class="writer-line">كتبت أسماء نصار</div>', "أسماء نصار"),
    # a web developer's credit repeated in author, DC.creator and designer is not the author
    ('<meta name="author" content="مازن القاسم"><meta name="DC.creator" content="مازن القاسم">'
     '<meta name="designer" content="مازن القاسم">',
     '<div class="byline">بقلم: هالة يوسف</div>', "هالة يوسف"),
])
def test_meta_credits_that_are_not_bylines(head, byline, name):
    assert run(page(head=head))["author"] is None
    assert run(page(head=head, after_h1=byline))["author"] == name


def test_microdata_and_rel_author():
    micro = ('<div itemprop="author" itemscope itemtype="https://schema.org/Person">'
             '<span itemprop="name">هالة يوسف</span><span class="role">محررة الشؤون المحلية</span></div>')
    assert run(page(after_h1=micro))["author"] == "هالة يوسف"
    rel = '<p class="meta">نشر في 3 أيار 2024 بواسطة <a rel="author" href="/u/3">نادر السيد</a></p>'
    assert run(page(after_h1=rel))["author"] == "نادر السيد"


def test_byline_row_outside_the_headline_container_is_read_in_reading_order():
    row = ('<figure><img src="/m.jpg" alt=""><figcaption>السوق الجديد</figcaption></figure>'
           '<ul class="entry-meta"><li class="post-author-name">كتب: فادي المصري</li></ul>')
    record = run(page(after_h1=row))
    assert record["author"] == "فادي المصري"


def test_author_link_on_a_logo_or_site_name_is_not_a_name():
    row = (f'<div class="author-block"><a href="/"><img src="/logo.png" alt="{SITE}"></a>'
           f'<a href="/">{SITE}</a></div>')
    assert run(page(after_h1=row))["author"] is None


def test_a_lead_sentence_opening_with_a_label_word_is_not_a_byline():
    lead = "<p class='lead'>تقرير جديد يحذر من الجفاف</p>"
    record = run(page(after_h1=lead))
    assert record["author"] is None
    assert parse_byline_line("تقرير جديد يحذر من الجفاف في الريف", []) == (None, None)


@pytest.mark.parametrize("ld_date, published", [
    # one instant in UTC (JSON-LD) and in the newsroom's offset (meta): the local day is the page's
    ({"datePublished": "2024-05-01T22:30:00Z"}, "2024-05-02T01:30:00+03:00"),
    # a creation date does not outrank the published time
    ({"dateCreated": "2024-04-28T09:00:00+03:00"}, "2024-05-02T01:30:00+03:00"),
])
def test_declared_publication_date_in_the_page_s_own_time(ld_date, published):
    head = (ld_script(dict(ARTICLE_LD, **ld_date))
            + '<meta property="article:published_time" content="2024-05-02T01:30:00+03:00">')
    assert run(page(head=head))["published"] == published


def test_h1_agrees_with_the_title_minus_an_unknown_site_segment():
    short = "سوق الميدان"  # a short headline: well under 60% of the declared title
    body = page(head=ld_script(dict(ARTICLE_LD, headline="افتتاح سوق")),
                title=f"{short} - أصداء المدينة وريفها الشرقي").replace(
        f"<h1>{TITLE}</h1>".encode(), f"<h1>{short}</h1>".encode())
    body = body.replace(f'<meta property="og:site_name" content="{SITE}">'.encode(), b"")
    assert run(body)["title"] == short


def test_app_name_repeating_the_headline_is_not_the_site_name():
    head = f'<meta property="og:title" content="{TITLE}"><meta name="application-name" content="{TITLE}">'
    body = page(head=head, title=TITLE).replace(
        b"<main>", f"<div class='brand'><h1>{SITE} الصفحة الرئيسية</h1></div><main>".encode(), 1)
    assert run(body)["title"] == TITLE


def test_signature_below_a_long_body_in_a_has_sidebar_layout():
    paragraphs = "".join(f"<p>{p}</p>" for p in BODY * 3)  # past the reading zone after the headline
    tree = lxml.html.fromstring(
        f'<html><body><main><div class="layout-content has-sidebar"><h1>{TITLE}</h1>'
        f'<article><div class="body">{paragraphs}</div>'
        f'<div class="field--name-field-signature">بقلم: رامي الدرويش، مريم السليمان</div></article>'
        f'</div></main></body></html>')
    headline = tree.find(".//h1")
    assert author_from_elements(tree, [SITE], headline) == "رامي الدرويش، مريم السليمان"
