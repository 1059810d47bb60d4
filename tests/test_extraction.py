"""End-to-end tests of pipelines.extraction.extract_article on synthetic pages.

All fixtures are original text written for these tests (no publisher
content). Assertions come in pairs: what must be kept and what must go.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from pipelines.extraction import extract_article

PARAGRAPHS = [
    "أعلنت مديرية الموارد المائية في محافظة دير الزور عن بدء العمل في مشروع لإعادة تأهيل محطة ضخ "
    "المياه الرئيسية في مدينة الميادين، بعد انقطاع استمر عدة أشهر وأثر على آلاف العائلات في المدينة "
    "والقرى المحيطة بها.",
    "وقال مدير المشروع في تصريح صحفي إن الأعمال تشمل استبدال المضخات القديمة وتركيب ألواح طاقة شمسية "
    "لتشغيل المحطة خلال ساعات انقطاع الكهرباء، متوقعاً أن تنتهي المرحلة الأولى قبل بداية فصل الصيف.",
    "وأضاف أن فرق الصيانة واجهت صعوبات في تأمين قطع الغيار بسبب ارتفاع أسعارها، لكن التعاون مع المجلس "
    "المحلي ساعد في تجاوز جزء كبير من هذه العقبات خلال الأسابيع الماضية.",
    "من جهتهم، عبّر عدد من سكان الحي الشرقي عن أملهم في أن يضع المشروع حداً لأزمة المياه التي دفعتهم "
    "إلى شراء الصهاريج بأسعار مرتفعة تفوق قدرة معظم الأسر.",
    "وتعاني مناطق ريف دير الزور الشرقي من تراجع كبير في الخدمات الأساسية، إذ تشير تقديرات محلية إلى أن "
    "أكثر من نصف شبكات المياه بحاجة إلى صيانة عاجلة أو استبدال كامل.",
    "ومن المقرر أن تعقد المديرية اجتماعاً مع ممثلي الأهالي الأسبوع المقبل لشرح مراحل العمل والجدول "
    "الزمني المتوقع لعودة المياه إلى جميع الأحياء.",
]
TITLE = "مشروع لإعادة تأهيل محطة مياه الميادين"
SITE = "الفرات اليوم"
URL = "https://alfurat.example/news/water-project-1234"

HEADER = """
<header class="site-header">
  <div class="top-bar"><span class="today">الأربعاء 19 شباط 2020</span>
    <div class="weather-widget">دمشق 14° غائم جزئياً</div>
    <span class="contact">هاتف: 011-2233445</span></div>
  <nav><ul><li><a href="/">الرئيسية</a></li><li><a href="/cat/local">محليات</a></li>
  <li><a href="/cat/misc">منوعات وفنون</a></li></ul></nav>
</header>"""
FOOTER = """
<footer><p>جميع الحقوق محفوظة © 2023 الفرات اليوم</p><p>هاتف: 011-2233445</p></footer>"""
COMMENTS = """
<section id="comments" class="comments-area"><h3>التعليقات (2)</h3>
<div class="comment"><p>الله يعطيكم العافية على هذا الخبر المهم جداً لأهالي المنطقة كلها</p></div>
<div class="comment"><p>متى ستعود المياه إلى حي الجبيلة يا ترى؟ ننتظر منذ شهور طويلة جداً</p></div>
</section>"""


def paragraphs(items: list[str] | None = None) -> str:
    return "".join(f"<p>{p}</p>" for p in (items or PARAGRAPHS))


def page(body: str, *, head: str = "", title: str = f"{TITLE} - {SITE}", lang: str = "ar",
         charset: str = "utf-8", chrome: bool = True) -> str:
    return (
        f'<!DOCTYPE html><html lang="{lang}" dir="rtl"><head><meta charset="{charset}">'
        f'<title>{title}</title><meta property="og:site_name" content="{SITE}">{head}</head><body>'
        f'{HEADER if chrome else ""}<main><article>{body}</article></main>'
        f'{COMMENTS if chrome else ""}{FOOTER if chrome else ""}</body></html>'
    )


def article_body(before: str = "", after: str = "", middle: str = "", date_line: str = "") -> str:
    first, second = paragraphs(PARAGRAPHS[:3]), paragraphs(PARAGRAPHS[3:])
    return f"<h1>{TITLE}</h1>{date_line}<div class='entry'>{before}{first}{middle}{second}{after}</div>"


def run(html: str, url: str = URL, **kwargs) -> dict:
    return extract_article(html.encode("utf-8"), url, **kwargs)


def flat(text: str) -> str:
    return " ".join(text.split())


def test_record_has_exactly_the_public_keys():
    record = run(page(article_body()))
    assert set(record) == {
        "title", "author", "source", "published", "modified", "text", "language", "section", "tags",
        "image", "canonical_url", "amp_url", "is_article", "word_count", "encoding", "description"}


def test_body_keeps_every_paragraph_in_order_and_drops_chrome():
    record = run(page(article_body()))
    text = record["text"]
    positions = [text.find(p) for p in PARAGRAPHS]
    assert all(pos >= 0 for pos in positions), positions
    assert positions == sorted(positions)
    for leak in ("غائم", "011-2233445", "منوعات وفنون", "جميع الحقوق محفوظة", "الله يعطيكم العافية",
                 "التعليقات", "الأربعاء 19 شباط"):
        assert leak not in text
    assert record["word_count"] == len(text.split())
    assert record["language"] == "ar"
    assert record["encoding"] == "utf-8"


def test_title_suffix_is_stripped_and_headline_not_repeated_in_text():
    record = run(page(article_body(), head=f'<meta property="og:title" content="{TITLE} | {SITE}">'))
    assert record["title"] == TITLE
    assert SITE not in record["title"]
    assert not record["text"].startswith(TITLE)


def test_title_without_h1_comes_from_title_tag_without_site_name():
    body = f"<div class='entry'>{paragraphs()}</div>"
    record = run(page(body, title=f"{SITE} | {TITLE}"))
    assert record["title"] == TITLE


def test_related_block_inside_body_is_removed_but_following_paragraphs_stay():
    related = (
        "<div class='related-box'><strong>اقرأ أيضاً:</strong><ul>"
        "<li><a href='/n/1'>انقطاع الكهرباء يعود إلى أحياء حلب الشرقية</a></li>"
        "<li><a href='/n/2'>ارتفاع أسعار الخبز في أسواق الرقة</a></li></ul></div>"
        "<p><strong>اقرأ أيضاً:</strong> <a href='/n/3'>مجلس محلي جديد في بلدة الشحيل</a></p>"
    )
    text = run(page(article_body(middle=related)))["text"]
    assert PARAGRAPHS[2] in text and PARAGRAPHS[3] in text
    assert text.index(PARAGRAPHS[2]) < text.index(PARAGRAPHS[3])
    for leak in ("اقرأ أيضاً", "انقطاع الكهرباء يعود", "ارتفاع أسعار الخبز", "مجلس محلي جديد"):
        assert leak not in text


def test_follow_and_share_lines_are_dropped_but_real_sentences_mentioning_them_stay():
    kept = "ونشرت المديرية صوراً للأعمال الجارية على صفحتها الرسمية في فيسبوك، وقالت إنها ستواصل نشر التحديثات."
    after = (f"<p>{kept}</p><p>تابعوا أخبار المنطقة من الفرات اليوم عبر غوغل نيوز</p>"
             "<p>اشترك في قناتنا على تلغرام</p><div class='share-buttons'>شارك على فيسبوك تويتر</div>")
    text = run(page(article_body(after=after)))["text"]
    assert kept in text
    for leak in ("غوغل نيوز", "قناتنا على تلغرام", "شارك على"):
        assert leak not in text


@pytest.mark.parametrize("line, name", [
    ("كتب: سامر الخطيب", "سامر الخطيب"),
    ("كتبت أسماء نصار", "أسماء نصار"),
    ("إعداد: ليلى حداد", "ليلى حداد"),
    ("حوار: رنا العلي", "رنا العلي"),
    ("بقلم: د. عمر الحسن", "د. عمر الحسن"),
])
def test_byline_at_top_becomes_author_and_leaves_text(line, name):
    record = run(page(article_body(before=f"<p><strong>{line}</strong></p>"), chrome=False))
    assert record["author"] == name
    assert line not in record["text"] and name not in record["text"]
    assert record["text"].startswith(PARAGRAPHS[0][:30])


def test_byline_at_end_becomes_author():
    record = run(page(article_body(after="<p>تقرير: خالد المصري</p>"), chrome=False))
    assert record["author"] == "خالد المصري"
    assert "خالد المصري" not in record["text"]
    assert record["text"].endswith(PARAGRAPHS[-1])


def test_sentence_starting_with_kataba_is_not_a_byline():
    sentence = "كتب الرئيس رسالة مطولة إلى أعضاء المجلس يطالبهم فيها بتسريع إقرار الموازنة الجديدة."
    record = run(page(article_body(before=f"<p>{sentence}</p>"), chrome=False))
    assert record["author"] is None
    assert sentence in record["text"]


def test_author_box_with_bio_gives_exactly_the_name():
    box = ("<div class='author-box'><img src='/a.jpg' alt=''><h4 class='author-name'>سامر الخطيب</h4>"
           "<p class='author-bio'>صحفي سوري مقيم في غازي عنتاب، يكتب عن الشؤون المحلية والاقتصاد في "
           "شمال شرق سوريا منذ عام 2015.</p></div>")
    record = run(page(article_body(after=box), chrome=False))
    assert record["author"] == "سامر الخطيب"
    assert "صحفي سوري مقيم" not in record["text"]


def test_source_line_goes_to_source_not_author():
    record = run(page(article_body(after="<p>المصدر: وكالة سانا</p>"), chrome=False))
    assert record["source"] == "وكالة سانا"
    assert record["author"] is None
    assert "المصدر" not in record["text"]


def test_dateline_credit_in_meta_author_is_not_a_person():
    head = '<meta name="author" content="(دمشق - سانا)"><meta name="DC.creator" content="شركة الويب للتصميم">'
    record = run(page(article_body(), head=head, chrome=False))
    assert record["author"] is None


@pytest.mark.parametrize("author_json, expected", [
    ('{"@type": "Person", "name": "ليلى حداد"}', "ليلى حداد"),
    ('{"@type": "Person", "name": "https://alfurat.example/logo.png"}', None),
    ('{"@type": "Organization", "name": "الفرات اليوم"}', None),
    ('[{"@type": "Person", "name": "ليلى حداد"}, {"@type": "Person", "name": "سامر الخطيب"}]',
     "ليلى حداد، سامر الخطيب"),
])
def test_json_ld_author_only_when_it_is_a_person(author_json, expected):
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": TITLE,
          "datePublished": "2023-03-12T09:30:00+03:00", "author": json.loads(author_json)}
    head = f'<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>'
    record = run(page(article_body(), head=head))
    assert record["author"] == expected
    assert record["published"] == "2023-03-12T09:30:00+03:00"
    assert record["is_article"] is True


def test_declared_dates_keep_time_and_zone_and_modified_is_read():
    head = ('<meta property="article:published_time" content="2021-11-09T08:15:00+03:00">'
            '<meta property="article:modified_time" content="2021-11-09T10:00:00+03:00">')
    record = run(page(article_body(), head=head))
    assert record["published"] == "2021-11-09T08:15:00+03:00"
    assert record["modified"] == "2021-11-09T10:00:00+03:00"


@pytest.mark.parametrize("date_line, expected", [
    ("<div class='post-date'>الأحد ١٢ آذار ٢٠٢٣</div>", "2023-03-12"),
    ("<p>التاريخ: 03 يونيو 2020</p>", "2020-06-03"),
    ("<span>٥ كانون الثاني/يناير ٢٠٢٢</span>", "2022-01-05"),
    ("<span>الجمعة 5 رمضان 1445 هـ</span>", "2024-03-15"),
    ("<span>الخميس ۱۲ تشرين الأول ۲۰۲۳ - 10:45 م</span>", "2023-10-12T22:45:00"),
])
def test_text_dates_near_the_headline(date_line, expected):
    record = run(page(article_body(date_line=date_line)))
    assert record["published"] == expected
    assert "19" not in (record["published"] or "")[8:10]  # never the crawl-day header


def test_crawl_day_header_date_is_not_the_publication_date():
    record = run(page(article_body()))
    assert record["published"] is None


def test_relative_dates_need_the_fetch_time():
    fetched = dt.datetime(2024, 5, 10, 12, 0, tzinfo=dt.timezone.utc)
    two_hours = page(article_body(date_line="<span class='time'>منذ ساعتين</span>"))
    assert run(two_hours, fetched_at=fetched)["published"] == "2024-05-10T10:00:00+00:00"
    assert run(two_hours)["published"] is None
    three_days = page(article_body(date_line="<span>منذ 3 أيام</span>"))
    assert run(three_days, fetched_at=fetched)["published"] == "2024-05-07"
    yesterday = page(article_body(date_line="<span>أمس</span>"))
    assert run(yesterday, fetched_at=fetched)["published"] == "2024-05-09"


def test_dates_in_story_sentences_are_not_publication_dates():
    sentence = "وكانت المحطة قد توقفت عن العمل في 3 آب 2019 بعد تعرضها لأضرار كبيرة خلال المعارك التي شهدتها المنطقة."
    record = run(page(article_body(before=f"<p>{sentence}</p>")))
    assert record["published"] is None
    assert sentence in record["text"]


def test_url_date_is_used_and_a_dateline_on_the_same_day_adds_the_time():
    url = "https://alfurat.example/2022/01/05/water-project/"
    assert run(page(article_body()), url=url)["published"] == "2022-01-05"
    line = "<span>5 كانون الثاني 2022 - 09:20</span>"
    assert run(page(article_body(date_line=line)), url=url)["published"] == "2022-01-05T09:20:00"


def test_urls_and_image_are_absolute():
    head = ('<link rel="canonical" href="/news/water-project-1234"><link rel="amphtml" href="/amp/1234">'
            '<meta property="og:image" content="/img/station.jpg"><meta property="og:type" content="article">'
            '<meta name="keywords" content="مياه، دير الزور، الميادين">'
            '<meta property="article:section" content="محليات">')
    record = run(page(article_body(), head=head))
    assert record["canonical_url"] == "https://alfurat.example/news/water-project-1234"
    assert record["amp_url"] == "https://alfurat.example/amp/1234"
    assert record["image"] == "https://alfurat.example/img/station.jpg"
    assert record["tags"] == ["مياه", "دير الزور", "الميادين"]
    assert record["section"] == "محليات"


def test_repeated_captions_appear_once():
    figure = "<figure><img src='/a.jpg'><figcaption>عمال يركبون مضخة جديدة في محطة الميادين</figcaption></figure>"
    text = run(page(article_body(before=figure, after=figure), chrome=False))["text"]
    assert text.count("عمال يركبون مضخة جديدة") <= 1
    assert PARAGRAPHS[0] in text


def test_listing_page_is_not_an_article():
    items = "".join(
        f"<div class='card'><h3><a href='/news/{i}'>عنوان خبر محلي رقم {i} عن الخدمات في المدينة</a></h3>"
        f"<p>ملخص قصير للخبر رقم {i} يتحدث عن تطورات الخدمات والأسعار في المنطقة خلال هذا الأسبوع.</p></div>"
        for i in range(12))
    html = page(f"<h1>أخبار محلية</h1>{items}", head='<meta property="og:type" content="website">',
                title=f"محليات - {SITE}")
    assert run(html, url="https://alfurat.example/category/local/")["is_article"] is False
    assert run(html, url="https://alfurat.example/local")["is_article"] is False


def test_home_tag_and_author_urls_are_not_articles_but_a_story_is():
    html = page(article_body(), head='<meta property="og:type" content="article">')
    assert run(html, url="https://alfurat.example/")["is_article"] is False
    assert run(html, url="https://alfurat.example/tag/water/")["is_article"] is False
    assert run(html, url="https://alfurat.example/author/samer/")["is_article"] is False
    assert run(html)["is_article"] is True


def test_untagged_story_needs_a_date_or_byline_to_count_as_article():
    assert run(page(article_body()))["is_article"] is False  # nothing but text: unsure
    dated = page(article_body(date_line="<p>التاريخ: 03 يونيو 2020</p>"))
    assert run(dated)["is_article"] is True


@pytest.mark.parametrize("body", [b"", b"\x00\x01\x02\xff\xfe" * 100, bytes(range(256)) * 40,
                                  b"<html", b"<<<>>>", b"not html at all", b"\xef\xbb\xbf",
                                  b"<html><body></body></html>", "<p>text</p>", None])
def test_garbage_never_raises(body):
    record = extract_article(body, "http://x.example/a")
    assert record["text"] == "" or isinstance(record["text"], str)
    assert record["is_article"] is False
    assert isinstance(record["tags"], list)


def test_windows_1256_page_without_header_charset():
    html = page(article_body(), charset="windows-1256")
    record = extract_article(html.encode("cp1256"), URL)
    assert record["encoding"] == "windows-1256"
    assert record["title"] == TITLE
    assert PARAGRAPHS[0] in record["text"]


def test_wrong_header_charset_loses_to_meta():
    html = page(article_body(), charset="windows-1256")
    record = extract_article(html.encode("cp1256"), URL, header_charset="iso-8859-1")
    assert record["encoding"] == "windows-1256"
    assert PARAGRAPHS[1] in record["text"]


def test_non_arabic_pages_are_tagged():
    english = ("<h1>Water station repairs begin</h1>" + "<p>The water directorate said on Sunday that the "
               "repairs of the main pumping station will take several weeks, and that the work is funded "
               "by the local council with the help of the residents of the town.</p>" * 4)
    assert run(page(english, lang="en", title="Water station repairs begin"))["language"] == "en"
    persian = ("<h1>آغاز تعمیر ایستگاه آب</h1>" + "<p>مدیر پروژه گفت که کار تعمیر ایستگاه پمپاژ آب شهر از "
               "هفته گذشته آغاز شده و تا پایان فصل بهار ادامه خواهد داشت و ساکنان منتظر هستند.</p>" * 4)
    assert run(page(persian, lang="ar", title="آغاز تعمیر ایستگاه آب"))["language"] == "fa"


def test_date_after_an_inline_comments_link_is_still_found():
    meta = ("<div class='entry-meta'><span class='comments-link'><a href='#c'>3 تعليقات</a></span>"
            "<span class='posted-on'>الأحد ١٢ آذار ٢٠٢٣</span></div>")
    assert run(page(article_body(date_line=meta)))["published"] == "2023-03-12"


def test_normal_pages_log_no_warnings(caplog):
    with caplog.at_level("WARNING", logger="pipelines.extraction"):
        run(page(article_body(after="<p>المصدر: وكالة سانا</p>")))
        run(page(article_body(date_line="<span>منذ ساعتين</span>")),
            fetched_at=dt.datetime(2024, 5, 10, tzinfo=dt.timezone.utc))
    assert not caplog.records, [r.getMessage() for r in caplog.records]


@pytest.mark.parametrize("body", [
    b'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>\xd8\xae\xd8\xa8\xd8\xb1</title>'
    + b"<item><title>t</title><description>" + "نص طويل عن الأخبار المحلية ".encode() * 100
    + b"</description></item></channel></rss>",
    b'{"title": "x", "text": "' + "نص ".encode() * 200 + b'"}',
    b'<?xml version="1.0"?><urlset><url><loc>https://x.example/a</loc></url></urlset>',
])
def test_feeds_sitemaps_and_json_are_not_articles(body):
    record = extract_article(body, "https://x.example/feed")
    assert record["is_article"] is False
    assert record["text"] == ""


def test_xhtml_with_xml_declaration_is_a_page():
    html = '<?xml version="1.0" encoding="utf-8"?>\n' + page(
        article_body(), head='<meta property="og:type" content="article">')
    record = run(html)
    assert record["title"] == TITLE
    assert record["is_article"] is True


def test_writers_sidebar_is_not_the_author():
    sidebar = ("<div class='sidebar'><h3>كتّاب الرأي</h3><div class='writer'><a href='/w/1'>منى الحسيني</a>"
               "</div></div>")
    html = page(article_body() + sidebar)
    assert run(html)["author"] is None
    other_column = ("<div class='col'><div class='opinion'><div class='writer-name'><a href='/w/2'>منى الحسيني</a>"
                    "</div></div></div>")
    html = page(article_body()).replace("</main>", f"</main>{other_column}")
    assert run(html)["author"] is None


def test_og_title_that_is_just_the_site_name_is_ignored():
    html = page(article_body(), head=f'<meta property="og:title" content="{SITE}">')
    assert run(html)["title"] == TITLE
