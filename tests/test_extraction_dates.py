"""Arabic date parsing, Hijri conversion, declared and URL dates."""

from __future__ import annotations

import datetime as dt

import pytest

from pipelines.extraction import hijri
from pipelines.extraction.arabic_dates import find_dates, parse_date
from pipelines.extraction.dates import url_date
from pipelines.extraction.declared import parse_declared

FETCHED = dt.datetime(2024, 5, 10, 12, 0, tzinfo=dt.timezone.utc)


@pytest.mark.parametrize("text, expected", [
    ("الأحد ١٢ آذار ٢٠٢٣", "2023-03-12"),  # Levantine month, Eastern digits, weekday
    ("12 اذار 2023", "2023-03-12"),
    ("التاريخ: 03 يونيو 2020", "2020-06-03"),  # Egyptian
    ("الجمعة 8 فيفري 2019", "2019-02-08"),  # Maghrebi
    ("3 غشت 2021", "2021-08-03"),  # Moroccan
    ("٥ كانون الثاني/يناير ٢٠٢٢", "2022-01-05"),  # combined
    ("28 آب/اغسطس 2013", "2013-08-28"),
    ("1 تشرين الثاني 2020", "2020-11-01"),
    ("1 تشرين الأول 2020", "2020-10-01"),
    ("31 كانون الأول 2020", "2020-12-31"),
    ("۱۲ تشرین‌ الأول ۲۰۲۳", None),  # Persian spelling of the month is not Arabic: no guess
    ("الخميس ۱۲ تشرين الأول ۲۰۲۳ - 10:45 م", "2023-10-12T22:45"),  # Persian digits, PM
    ("نشر في 2021/03/04 الساعة 09:15", "2021-03-04T09:15"),
    ("13/02/2020", "2020-02-13"),
    ("ديسمبر 3, 2020", "2020-12-03"),
    ("الجمعة 5 رمضان 1445 هـ", "2024-03-15"),  # Hijri
    ("5 رمضان 1445 هـ - 15 مارس 2024 م", "2024-03-15"),  # both: the Gregorian one is used
])
def test_text_dates(text, expected):
    parsed = parse_date(text)
    assert (parsed.iso() if parsed else None) == expected


@pytest.mark.parametrize("text", [
    "الاثنين 8 فيفري 2019",  # 8 Feb 2019 was a Friday: a contradicting weekday rejects the date
    "32 آذار 2023", "5 كانون الثاني/مارس 2022", "يوليو 2020", "جرت الانتخابات في الاب الماضي",
    "منذ ثلاثين عاما",
])
def test_not_dates(text):
    assert parse_date(text, FETCHED) is None


@pytest.mark.parametrize("text, expected", [
    ("منذ ساعتين", "2024-05-10T10:00+00:00"), ("منذ 5 دقائق", "2024-05-10T11:55+00:00"),
    ("منذ ساعة", "2024-05-10T11:00+00:00"), ("منذ 3 أيام", "2024-05-07"), ("منذ يومين", "2024-05-08"),
    ("منذ ثلاثة أيام", "2024-05-07"), ("منذ أسبوع", "2024-05-03"), ("أمس", "2024-05-09"),
])
def test_relative_dates(text, expected):
    assert parse_date(text, FETCHED).iso() == expected
    assert parse_date(text) is None  # without a fetch time: unknown


def test_gregorian_wins_over_relative_and_hijri_in_one_string():
    found = find_dates("منذ ساعتين - 9 أيار 2024", FETCHED)
    assert [p.kind for p in found] == ["gregorian"]


@pytest.mark.parametrize("hijri_date, gregorian", [
    ((1445, 9, 1), dt.date(2024, 3, 11)), ((1440, 6, 3), dt.date(2019, 2, 8)),
    ((1446, 1, 1), dt.date(2024, 7, 7)),
])
def test_hijri_conversion(hijri_date, gregorian):
    converted = hijri.hijri_to_gregorian(*hijri_date)
    if hijri._UmmAlQura is not None:  # exact with the Umm al-Qura table (hijridate)
        assert converted == gregorian
    else:
        assert abs((converted - gregorian).days) <= 2
    # the arithmetic fallback is within two days, and the weekday hint fixes it
    tabular = hijri.tabular_hijri_to_gregorian(*hijri_date)
    assert abs((tabular - gregorian).days) <= 2
    assert hijri.hijri_to_gregorian(*hijri_date, weekday=gregorian.weekday()) == gregorian


def test_tabular_fallback_with_weekday(monkeypatch):
    monkeypatch.setattr(hijri, "_UmmAlQura", None)
    assert hijri.hijri_to_gregorian(1445, 9, 5, weekday=4) == dt.date(2024, 3, 15)
    assert hijri.hijri_to_gregorian(1200, 1, 1) is None
    assert hijri.hijri_to_gregorian(1445, 13, 1) is None


@pytest.mark.parametrize("value, expected", [
    ("2020-06-03T03:01+0400", "2020-06-03T03:01:00+04:00"),
    ("2019-02-08T00:00:00+01:00", "2019-02-08T00:00:00+01:00"),
    ("2020-06-03 03:01:00", "2020-06-03T03:01:00"),
    ("2021-11-09T08:15:00Z", "2021-11-09T08:15:00+00:00"),
    ("2021-11-09", "2021-11-09"),
    ("Wed, 03 Jun 2020 03:01:00 +0400", "2020-06-03T03:01:00+04:00"),
    ("٢٠٢١-١١-٠٩", "2021-11-09"),
    ("03 يونيو 2020", "2020-06-03"),
    ("not a date", None), ("2021-13-45", None), ("", None),
])
def test_declared_dates(value, expected):
    parsed = parse_declared(value)
    assert (parsed[0] if parsed else None) == expected


@pytest.mark.parametrize("url, expected", [
    ("http://arabic.example/2013/middle_east/8/3/syria.clashes/index.html", dt.date(2013, 8, 3)),
    ("https://x.example/news/2020-06-03-1.3874341", dt.date(2020, 6, 3)),
    ("https://x.example/2022/01/05/water/", dt.date(2022, 1, 5)),
    ("https://x.example/news/20220105/water", dt.date(2022, 1, 5)),
    ("https://x.example/news/123456/water", None), ("https://x.example/2022/water", None),
])
def test_url_dates(url, expected):
    assert url_date(url) == expected
