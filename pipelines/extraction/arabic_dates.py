"""Parse dates written in Arabic text.

htmldate/dateparser return a wrong January 1st for Levantine month names
(FINDINGS), so dates in page text are parsed here with explicit tables:

* Gregorian months in their Levantine/Iraqi (كانون الثاني … كانون الأول),
  Egyptian/Gulf (يناير … ديسمبر), Maghrebi (جانفي، فيفري، أفريل …) and Moroccan
  (يوليوز، غشت، شتنبر …) names, and combined forms such as
  "كانون الثاني/يناير" (both halves must name the same month).
* Eastern Arabic and Persian digits, optional weekday prefix (checked against
  the date: a weekday that contradicts the date rejects it), optional time.
* Numeric dates: Y/M/D, and D/M/Y (day first, the regional convention).
* Hijri dates ("5 رمضان 1445 هـ"), converted via :mod:`.hijri`, used only when
  the same string has no Gregorian date.
* Relative dates ("منذ ساعتين", "منذ 3 أيام", "أمس") resolved against the fetch
  time; without a fetch time they are unknown, not guessed.

Every parser returns :class:`ParsedDate` objects and never raises.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .arabic import normalize_for_match
from .hijri import hijri_to_gregorian

# Spellings after normalize_for_match (alef forms folded, ى -> ي).
_MONTHS = {
    1: ["كانون الثاني", "كانون ثاني", "يناير", "جانفي", "جانفييه"],
    2: ["شباط", "فبراير", "فيفري", "فبرير"],
    3: ["اذار", "مارس"],
    4: ["نيسان", "ابريل", "افريل", "ابريل"],
    5: ["ايار", "مايو", "ماي"],
    6: ["حزيران", "يونيو", "يونيه", "جوان"],
    7: ["تموز", "يوليو", "يوليه", "جويلية", "جويلييه", "يوليوز"],
    8: ["اب", "اغسطس", "اغسطس", "اوت", "غشت"],
    9: ["ايلول", "سبتمبر", "شتنبر"],
    10: ["تشرين الاول", "تشرين اول", "اكتوبر"],
    11: ["تشرين الثاني", "تشرين ثاني", "نوفمبر", "نونبر"],
    12: ["كانون الاول", "كانون اول", "ديسمبر", "دجنبر"],
}
_HIJRI_MONTHS = {
    1: ["محرم"],
    2: ["صفر"],
    3: ["ربيع الاول", "ربيع اول"],
    4: ["ربيع الاخر", "ربيع الثاني", "ربيع ثاني"],
    5: ["جمادي الاولي", "جمادي الاول"],
    6: ["جمادي الاخرة", "جمادي الثانية", "جمادي الاخر", "جمادي الثاني"],
    7: ["رجب"],
    8: ["شعبان"],
    9: ["رمضان"],
    10: ["شوال"],
    11: ["ذو القعدة", "ذي القعدة"],
    12: ["ذو الحجة", "ذي الحجة"],
}
WEEKDAYS = {"الاثنين": 0, "الإثنين": 0, "الثلاثاء": 1, "الاربعاء": 2, "الخميس": 3,
            "الجمعة": 4, "السبت": 5, "الاحد": 6}


def _alternation(table: dict[int, list[str]]) -> tuple[str, dict[str, int]]:
    lookup = {name: month for month, names in table.items() for name in names}
    # longest first so "كانون الثاني" is not read as a bare "كانون"
    names = sorted(lookup, key=len, reverse=True)
    return "|".join(re.escape(n) for n in names), lookup


_G_ALT, _G_LOOKUP = _alternation(_MONTHS)
_H_ALT, _H_LOOKUP = _alternation(_HIJRI_MONTHS)
_WD_ALT = "|".join(sorted((normalize_for_match(w) for w in WEEKDAYS), key=len, reverse=True))
_WD_LOOKUP = {normalize_for_match(k): v for k, v in WEEKDAYS.items()}
# Normalised month and weekday names, one word each (bylines cut a trailing date at them)
DATE_WORDS = frozenset(w for name in [*_G_LOOKUP, *_WD_LOOKUP] for w in name.split())

# Word boundaries: Arabic letters are \w, so (?<!\w) keeps "اب" (August) from
# matching inside a word such as "الانتخابات".
_B, _E = r"(?<!\w)", r"(?!\w)"
_WEEKDAY_PART = rf"(?:(?P<wd>{_WD_ALT}){_E}\s*[،,\-]?\s*)?"
_TIME_PART = (
    r"(?:\s*[،,\-|/]?\s*(?:الساعة\s*)?(?P<hh>\d{1,2}):(?P<mi>\d{2})(?::(?P<ss>\d{2}))?"
    r"\s*(?P<ampm>صباحا|مساء|ص|م|am|pm)?(?!\w))?"
)
_DMY_NAMED_RE = re.compile(
    _B + _WEEKDAY_PART
    + rf"(?P<d>\d{{1,2}})\s*(?:من\s+)?[\-/]?\s*(?:شهر\s+)?(?P<m>{_G_ALT})"
    + rf"(?:\s*[/\-(]\s*(?P<m2>{_G_ALT})\s*\)?)?{_E}\s*[،,\-/]?\s*(?P<y>\d{{4}})(?!\d)\s*(?:م{_E})?"
    + _TIME_PART
)
_MDY_NAMED_RE = re.compile(
    _B + _WEEKDAY_PART + rf"(?P<m>{_G_ALT}){_E}\s+(?P<d>\d{{1,2}})\s*[،,]\s*(?P<y>\d{{4}})(?!\d)" + _TIME_PART
)
_YMD_RE = re.compile(
    _B + _WEEKDAY_PART + r"(?<!\d)(?P<y>(?:19|20)\d{2})[/.\-](?P<m>\d{1,2})[/.\-](?P<d>\d{1,2})(?!\d)" + _TIME_PART
)
_DMY_RE = re.compile(
    _B + _WEEKDAY_PART + r"(?<!\d)(?P<d>\d{1,2})[/.\-](?P<m>\d{1,2})[/.\-](?P<y>(?:19|20)\d{2})(?!\d)" + _TIME_PART
)
_HIJRI_RE = re.compile(
    _B + _WEEKDAY_PART
    + rf"(?P<d>\d{{1,2}})\s*(?:من\s+)?(?:شهر\s+)?(?P<m>{_H_ALT}){_E}\s*[،,]?\s*(?P<y>1[34]\d{{2}})(?!\d)"
)
_RELATIVE_RE = re.compile(
    rf"{_B}منذ\s+(?:(?P<n>\d+|[^\s\d]+)\s+)?(?P<unit>دقيقة|دقيقتين|دقائق|ساعة|ساعتين|ساعات|"
    rf"يوم|يومين|ايام|اسبوع|اسبوعين|اسابيع){_E}"
)
_YESTERDAY_RE = re.compile(rf"{_B}(?:امس|البارحة){_E}")
_NUMBER_WORDS = {"واحد": 1, "واحدة": 1, "ثلاث": 3, "ثلاثة": 3, "اربع": 4, "اربعة": 4, "خمس": 5,
                 "خمسة": 5, "ست": 6, "ستة": 6, "سبع": 7, "سبعة": 7, "ثماني": 8, "ثمانية": 8,
                 "ثمان": 8, "تسع": 9, "تسعة": 9, "عشر": 10, "عشرة": 10}


@dataclass(frozen=True)
class ParsedDate:
    """A date found in text.

    Attributes:
        date: The calendar date.
        time: Time of day if the text gave one (naive: pages rarely name a zone).
        span: ``(start, end)`` of the match in the *normalised* text.
        kind: ``"gregorian"``, ``"numeric"``, ``"hijri"`` or ``"relative"``.
    """

    date: dt.date
    time: dt.time | None
    span: tuple[int, int]
    kind: str

    def iso(self) -> str:
        """ISO 8601: date only, or date and time when a time is known."""
        if self.time is None:
            return self.date.isoformat()
        return dt.datetime.combine(self.date, self.time).isoformat(timespec="minutes")


def _time_of(match: re.Match) -> dt.time | None:
    if not match.groupdict().get("hh"):
        return None
    hour, minute = int(match["hh"]), int(match["mi"])
    second = int(match["ss"]) if match["ss"] else 0
    ampm = (match["ampm"] or "").lower()
    if ampm in ("م", "مساء", "pm") and hour < 12:
        hour += 12
    elif ampm in ("ص", "صباحا", "am") and hour == 12:
        hour = 0
    if hour > 23 or minute > 59 or second > 59:
        return None
    return dt.time(hour, minute, second)


def _weekday_ok(match: re.Match, date: dt.date) -> bool:
    name = match.groupdict().get("wd")
    return not name or _WD_LOOKUP.get(name) == date.weekday()


def _make(year: int, month: int, day: int) -> dt.date | None:
    if not 1900 <= year <= 2100:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _gregorian(norm: str) -> list[ParsedDate]:
    found: list[ParsedDate] = []
    for regex in (_DMY_NAMED_RE, _MDY_NAMED_RE):
        for m in regex.finditer(norm):
            month = _G_LOOKUP[m["m"]]
            if m.groupdict().get("m2") and _G_LOOKUP[m["m2"]] != month:
                continue  # "كانون الثاني/مارس" is a contradiction, not a date
            date = _make(int(m["y"]), month, int(m["d"]))
            if date and _weekday_ok(m, date):
                found.append(ParsedDate(date, _time_of(m), m.span(), "gregorian"))
    for regex in (_YMD_RE, _DMY_RE):
        for m in regex.finditer(norm):
            day, month = int(m["d"]), int(m["m"])
            if regex is _DMY_RE and month > 12 >= day:  # only US order fits
                day, month = month, day
            date = _make(int(m["y"]), month, day)
            if date and _weekday_ok(m, date):
                found.append(ParsedDate(date, _time_of(m), m.span(), "numeric"))
    return found


def _hijri(norm: str) -> list[ParsedDate]:
    found = []
    for m in _HIJRI_RE.finditer(norm):
        weekday = _WD_LOOKUP.get(m["wd"]) if m["wd"] else None
        date = hijri_to_gregorian(int(m["y"]), _H_LOOKUP[m["m"]], int(m["d"]), weekday)
        if date and _weekday_ok(m, date):
            found.append(ParsedDate(date, None, m.span(), "hijri"))
    return found


def _relative(norm: str, fetched_at: dt.datetime) -> list[ParsedDate]:
    found = []
    for m in _RELATIVE_RE.finditer(norm):
        unit, raw = m["unit"], m["n"]
        if unit in ("دقيقتين", "ساعتين", "يومين", "اسبوعين"):
            count = 2
        elif raw is None:
            count = 1
        elif raw.isdigit():
            count = int(raw)
        else:
            count = _NUMBER_WORDS.get(raw)
            if count is None:
                continue
        if unit.startswith("دق"):
            delta, precise = dt.timedelta(minutes=count), True
        elif unit.startswith("ساع"):
            delta, precise = dt.timedelta(hours=count), True
        elif unit.startswith(("اسبوع", "اسابيع")):
            delta, precise = dt.timedelta(weeks=count), False
        else:
            delta, precise = dt.timedelta(days=count), False
        when = fetched_at - delta
        # keep the fetch time zone: "two hours ago" is relative to that clock
        time = when.timetz().replace(second=0, microsecond=0) if precise else None
        found.append(ParsedDate(when.date(), time, m.span(), "relative"))
    for m in _YESTERDAY_RE.finditer(norm):
        found.append(ParsedDate((fetched_at - dt.timedelta(days=1)).date(), None, m.span(), "relative"))
    return found


def find_dates(text: str, fetched_at: dt.datetime | None = None) -> list[ParsedDate]:
    """Find every date written in a piece of text, in order of appearance.

    Gregorian dates are preferred: Hijri dates are only returned when the text
    has no Gregorian one, and relative dates only when it has neither.

    Args:
        text: Any text (a dateline, a byline, a short element's text).
        fetched_at: When the page was fetched; needed for relative dates.

    Returns:
        A list of :class:`ParsedDate`, possibly empty.
    """
    if not text:
        return []
    try:
        norm = normalize_for_match(text)
        found = _gregorian(norm) or _hijri(norm)
        if not found and fetched_at is not None:
            found = _relative(norm, fetched_at)
    except Exception:  # noqa: BLE001 - a date parser must not break extraction
        return []
    return sorted(found, key=lambda p: p.span)


def parse_date(text: str, fetched_at: dt.datetime | None = None) -> ParsedDate | None:
    """The first date in ``text``, or None.

    Args:
        text: Any text.
        fetched_at: When the page was fetched; needed for relative dates.

    Returns:
        The first :class:`ParsedDate` found, or None.
    """
    found = find_dates(text, fetched_at)
    return found[0] if found else None
