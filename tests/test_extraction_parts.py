"""Unit tests of the text-level rules: names, bylines, sources, boilerplate, titles, language."""

from __future__ import annotations

import lxml.html
import pytest

from pipelines.extraction.boilerplate import filter_lines, is_boilerplate_line, prune_tree
from pipelines.extraction.bylines import (
    author_from_elements,
    clean_person_name,
    clean_source,
    parse_byline_line,
    parse_source_line,
)
from pipelines.extraction.classify import listing_url
from pipelines.extraction.language import detect_language
from pipelines.extraction.titles import strip_site_name

SITES = ["الفرات اليوم"]


@pytest.mark.parametrize("raw, expected", [
    ("سامر الخطيب", "سامر الخطيب"),
    ("بقلم: سامر الخطيب", "سامر الخطيب"),
    ("By John Smith", "John Smith"),
    ("الكاتب سامر عبد الله الخطيب", "سامر عبد الله الخطيب"),
    ("سامر الخطيب - دمشق", "سامر الخطيب"),
    ("https://alfurat.example/author/samer", None),
    ("logo.png", None),
    ("(أبوظبي - البيان)", None),
    ("الفرات اليوم", None),
    ("فريق التحرير", None),
    ("مراسل الفرات اليوم", None),
    ("تصميم وتطوير شركة النور", None),
    ("admin", None),
    ("سامر", None),
    ("محرر 24", None),
    ("هذا نص طويل جدا لا يمكن أن يكون اسم شخص لأنه يحتوي على كلمات كثيرة", None),
])
def test_clean_person_name(raw, expected):
    assert clean_person_name(raw, SITES) == expected


@pytest.mark.parametrize("line, author, remainder", [
    ("حوار: آسيا العتروس", "آسيا العتروس", ""),
    ("كتبت أسماء نصار", "أسماء نصار", ""),
    ("إعداد: ليلى حداد", "ليلى حداد", ""),
    ("اعداد ليلى حداد", "ليلى حداد", ""),
    ("تحرير: رنا العلي", "رنا العلي", ""),
    ("تقرير: خالد المصري", "خالد المصري", ""),
    ("كتب: سامر الخطيب - أعلنت مديرية المياه اليوم عن بدء أعمال الصيانة في المحطة الرئيسية للمدينة",
     "سامر الخطيب", "أعلنت مديرية المياه اليوم عن بدء أعمال الصيانة في المحطة الرئيسية للمدينة"),
    ("كتب الرئيس رسالة مطولة إلى أعضاء المجلس", None, None),
    ("تقرير جديد للأمم المتحدة يحذر من تفاقم أزمة المياه", None, None),
    ("المصدر: سانا", None, None),
])
def test_byline_lines(line, author, remainder):
    assert parse_byline_line(line, SITES) == (author, remainder)


@pytest.mark.parametrize("line, source", [
    ("المصدر: وكالة سانا", "وكالة سانا"), ("المصدر: (دمشق - سانا)", "سانا"),
    ("(المصدر: رويترز)", "رويترز"), ("نقلاً عن وكالة الأناضول", "وكالة الأناضول"),
    ("المصدر الرئيسي للمياه في المدينة هو نهر الفرات الذي يمر من الجهة الشمالية للمدينة ويغذي القرى", None),
    ("كتب: سامر الخطيب", None),
])
def test_source_lines(line, source):
    assert parse_source_line(line) == source


def test_clean_source_dateline():
    assert clean_source("(أبوظبي - البيان)") == "البيان"


def test_author_box_name_not_bio():
    tree = lxml.html.fromstring(
        "<html><body><article><p>نص</p><div class='author-box'><h4 class='author-name'>ليلى حداد</h4>"
        "<p class='author-bio'>صحفية سورية تكتب عن الشؤون الإنسانية واللاجئين منذ أكثر من عشر سنوات "
        "في عدة مؤسسات إعلامية.</p></div></article></body></html>")
    assert author_from_elements(tree, SITES) == "ليلى حداد"


def test_author_in_navigation_is_ignored():
    tree = lxml.html.fromstring(
        "<html><body><nav><a class='author' href='/a'>سامر الخطيب</a></nav><p>نص</p></body></html>")
    assert author_from_elements(tree, SITES) is None


@pytest.mark.parametrize("line", [
    "اقرأ أيضاً: انقطاع الكهرباء يعود إلى حلب", "إقرأ أيضا", "شاهد أيضاً: فيديو من الميادين",
    "تابعوا أخبار المنطقة عبر غوغل نيوز", "تابعونا على", "اشترك في قناتنا على تلغرام",
    "الآراء الواردة في التعليقات لا تعبر عن رأي الموقع بل تعبر عن آراء أصحابها فقط.",
    "جميع الحقوق محفوظة © 2023", "هاتف: 011-2233445", "دمشق 14° غائم جزئياً",
    "الوسوم: مياه، دير الزور", "أضف تعليق", "شارك",
])
def test_boilerplate_lines(line):
    assert is_boilerplate_line(line)


@pytest.mark.parametrize("line", [
    "ونشرت المديرية صوراً للأعمال على صفحتها في فيسبوك، وقالت إنها ستواصل نشر التحديثات.",
    "وقال المتحدث إن التصريحات لا تعبر عن رأي الحكومة الرسمي في هذه القضية.",
    "وتراوحت درجات الحرارة في المدينة بين 40 و45 درجة مئوية خلال الأسبوع الماضي، ما فاقم أزمة المياه والكهرباء.",
    "وأوضح أن رقم الهاتف المخصص للشكاوى سيعلن لاحقاً بعد انتهاء أعمال الصيانة في المحطة.",
])
def test_real_sentences_are_not_boilerplate(line):
    assert not is_boilerplate_line(line)


def test_filter_lines_dedupes_and_keeps_order():
    lines = ["الفقرة الأولى من الخبر.", "صورة: عمال في المحطة", "الفقرة الثانية.", "صورة: عمال في المحطة"]
    assert filter_lines(lines) == ["الفقرة الأولى من الخبر.", "صورة: عمال في المحطة", "الفقرة الثانية."]


def test_prune_keeps_content_wrappers_with_unlucky_class_names():
    paragraphs = "".join(f"<p>فقرة رقم {i} من نص الخبر الطويل الذي يجب أن يبقى كاملاً.</p>" for i in range(20))
    tree = lxml.html.fromstring(
        f"<html><body><div class='elementor-widget share-ready'><h1>عنوان</h1>{paragraphs}</div>"
        "<div class='social-share'>شارك</div></body></html>")
    prune_tree(tree, tree.find(".//h1"))
    text = tree.text_content()
    assert "فقرة رقم 19" in text
    assert "شارك" not in text


@pytest.mark.parametrize("title, expected", [
    ("قصف على ريف إدلب - الفرات اليوم", "قصف على ريف إدلب"),
    ("الفرات اليوم | قصف على ريف إدلب", "قصف على ريف إدلب"),
    ("قصف على ريف إدلب | أخبار محلية | الفرات اليوم", "قصف على ريف إدلب"),
    ("قصف على ريف إدلب - Alfurat.example", "قصف على ريف إدلب"),
    ("دمشق - حلب: طريق جديد يفتح أمام الشاحنات", "دمشق - حلب: طريق جديد يفتح أمام الشاحنات"),
    ("عنوان بلا لاحقة", "عنوان بلا لاحقة"),
])
def test_strip_site_name(title, expected):
    assert strip_site_name(title, SITES, "https://alfurat.example/a") == expected


@pytest.mark.parametrize("text, lang_attr, expected", [
    ("انقطاع المياه عن أحياء المدينة الشرقية لليوم الثالث على التوالي", "en", "ar"),
    ("The water directorate said that the repairs will take several weeks and the work is funded", None, "en"),
    ("La direction de l'eau a annoncé que les travaux dans la ville vont durer et que les habitants", None, "fr"),
    ("مدیر پروژه گفت که کار تعمیر ایستگاه پمپاژ آب شهر از هفته گذشته آغاز شده", None, "fa"),
    ("بەڕێوەبەری پڕۆژەکە ڕایگەیاند کە کارەکانی چاککردنەوەی وێستگەی ئاو دەستی پێکردووە", None, "ku"),
    ("", "ar", "ar"), ("", None, None),
])
def test_language(text, lang_attr, expected):
    assert detect_language(text, lang_attr) == expected


@pytest.mark.parametrize("url, kind", [
    ("https://x.example/", "hard"), ("https://x.example/index.php", "hard"), ("https://x.example/ar/", "hard"),
    ("https://x.example/tag/water/", "hard"), ("https://x.example/author/samer", "hard"),
    ("https://x.example/?s=water", "hard"), ("https://x.example/news/page/2/", "hard"),
    ("https://x.example/category/local/", "soft"), ("https://x.example/news/water-1234", None),
])
def test_listing_urls(url, kind):
    assert listing_url(url) == kind
