"""Person names in bylines: labels, cleaning, and several authors in one byline.

Declared authors are unreliable on Arabic news sites (FINDINGS): web
developers in ``DC.Creator``, logo URLs, social-profile URLs, the site's own
name, datelines such as "(أبوظبي - البيان)". So every candidate goes through
:func:`clean_person_name`, which strips labels ("بقلم:", "كتبت", "By") and
rejects URLs, digits, organisation words, site names and over-long strings.

Several authors ("فلان الفلاني وفلانة الفلانية", "فلان، فلانة", "A and B") are
split by :func:`person_names` and written as one string joined by
:data:`AUTHOR_SEPARATOR` ("، "), in byline order: the ``author`` column holds
one value per article (facets, the ``author=`` search filter and exports read
it as text), and "، " is how an Arabic byline itself lists names.
"""

from __future__ import annotations

import re

from .arabic import collapse_ws, normalize_for_match
from .arabic_dates import DATE_WORDS

AUTHOR_SEPARATOR = "، "
_A = "[اأإآ]"
# Labels that open a byline, in the body or in a byline element
LABELS = (
    rf"{_A}عداد\s+وتحرير|{_A}عداد|كتبت|كتبه|كتبها|كتب|بقلم|بواسطة|تحرير|حوار|حاورته|حاورها|حاوره"
    r"|تقرير|تحقيق|متابعة|ترجمة|by"
)
# Only in an element already known to hold a byline: in body text "Par ailleurs …"
# and "Von der …" open sentences
_ELEMENT_LABELS = LABELS + r"|written\s+by|posted\s+by|par|por|von|door|di"
_LABEL_PREFIX_RE = re.compile(rf"^\s*(?:{_ELEMENT_LABELS})(?!\w)\s*[:：\-–—]?\s*", re.IGNORECASE)
_DATELINE_CREDIT_RE = re.compile(r"^\(?\s*[^()\-–]{2,30}\s+[-–]\s+(?P<agency>[^()\-–]{2,40})\)?$")
# Where a byline's names end: a spaced dash or slash, a pipe, a bracket ("— دمشق", "| 12:30")
_LIST_CUT_RE = re.compile(r"\s+[-–—|/]\s+|[|(]|\s+[-–—](?=\S)")
_NAME_CUT_RE = re.compile(rf"{_LIST_CUT_RE.pattern}|[،,]")
_DIGIT_RE = re.compile(r"[0-9٠-٩۰-۹]")
# Between names: a comma, "and"/"&"/"et"/"y"/"und", or Arabic "و" (alone or joined to the name)
_LIST_SPLIT_RE = re.compile(r"\s*[،,;؛]\s*|\s+(?:and|&|et|y|und|و)\s+", re.IGNORECASE)
_WAW_SPLIT_RE = re.compile(r"\s+و(?=\S)")
_DATE_WORDS = DATE_WORDS | frozenset(
    "january february march april may june july august september october november december"
    " jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday"
    " saturday sunday on at updated published".split())
_HONORIFICS_RE = re.compile(
    r"^(?:ال)?(?:كاتب|كاتبة|صحفي|صحفية|صحافي|صحافية|زميل|زميلة|اعلامي|اعلامية|مراسلة?)\s+"
)
_BAD_WORDS = frozenset(normalize_for_match(w) for w in """
موقع صحيفة جريدة وكالة وكالات قناة شبكة تلفزيون إذاعة مجلة فريق هيئة التحرير المحرر محرر
إدارة الإدارة مراسل مراسلنا مراسلو المكتب قسم بوابة منصة مركز مؤسسة وزارة مديرية الإعلامي
أخبار الأخبار نيوز تصميم تطوير برمجة المصدر اقرأ تابعونا admin administrator editor editorial
staff team desk newsroom webmaster news design developer developed agency agencies reuters afp
شركة للبرمجيات البرمجيات للتصميم استضافة more about follow author authors posts profile view
all subscribe share contact مقالات جميع المزيد تابع تابعوا اشترك شارك
من في إلى الى عن مع هذا هذه التي الذي الذين قد لم لن ثم أن إن كان كانت يوم اليوم عام
the of in for with to from this that was were is are has have
""".split())  # the last two rows: words of a sentence, never of a name ("على" is not
# there: folded, it is the name علي)
_URLISH_RE = re.compile(r"https?:|www\.|\.(?:com|net|org|png|jpe?g|gif|svg|webp)\b|@|/|\d", re.IGNORECASE)
_NOT_NAME_CHAR_RE = re.compile(r"[^\w\s.'’\-\u0600-\u06ff]|[\d_]")
_MAX_AUTHORS = 6


def clean_person_name(text: str | None, site_names: list[str] | tuple[str, ...] = ()) -> str | None:
    """Return a person's name from a byline string, or None if it is not one.

    Args:
        text: A candidate (meta value, byline element text, text after a label).
        site_names: Names of the site, which are never authors.

    Returns:
        The cleaned name, or None.
    """
    if not text:
        return None
    name = collapse_ws(text)
    if _DATELINE_CREDIT_RE.match(name) and "(" in name:
        return None  # "(أبوظبي - البيان)" is a place and an outlet, not a person
    name = _NAME_CUT_RE.split(_cut_date(_LABEL_PREFIX_RE.sub("", name, count=1)), maxsplit=1)[0]
    name = name.strip(" :：.,،-–—\"'«»“”()[]")
    name = _strip_honorific(name)
    if not name or len(name) < 3 or len(name) > 60 or _URLISH_RE.search(name):
        return None
    if _NOT_NAME_CHAR_RE.search(name):
        return None  # names are letters, spaces, dots, hyphens, apostrophes: not "** note!"
    words = normalize_for_match(name).split()
    if not 2 <= len(words) <= 6:
        return None  # one-word "names" are handles, sections or "admin"
    if any(w in _BAD_WORDS or w.lstrip("و") in _BAD_WORDS for w in words):
        return None
    key = normalize_for_match(name)
    for site in site_names:
        site_key = normalize_for_match(site)
        if site_key and (site_key in key or key in site_key):
            return None
    return name


def person_names(text: str | None, site_names: list[str] | tuple[str, ...] = ()) -> list[str]:
    """Every person named in one byline string, in order; [] when none is a name.

    A list ("A، B", "A and B") is split first. Arabic joins the last name with
    "و" written onto it ("سامر الخطيب وليلى حداد"); there the split is made only
    when both sides are names of two words or more, since "و" also starts
    names (وليد، وفاء) inside a single name ("سامر وليد الخطيب").
    """
    if not text:
        return []
    text = _LABEL_PREFIX_RE.sub("", collapse_ws(text), count=1)
    text = _LIST_CUT_RE.split(_cut_date(text), maxsplit=1)[0]
    names: list[str] = []
    for part in _LIST_SPLIT_RE.split(text)[: _MAX_AUTHORS + 1]:
        found = _split_waw(part, site_names)
        if not found:
            break  # the names lead the byline; what follows a non-name ("، دمشق") is not one
        names += found
    return list(dict.fromkeys(names))[:_MAX_AUTHORS]


def _split_waw(part: str, site_names) -> list[str]:
    pieces = _WAW_SPLIT_RE.split(part)
    if len(pieces) > 1:
        names = [clean_person_name(p, site_names) for p in pieces]
        if all(name and len(name.split()) >= 2 for name in names):
            return names
    whole = clean_person_name(part, site_names)
    return [whole] if whole else []


def _cut_date(text: str) -> str:
    """A byline without the date written after the name ("Joshua Sokol May 20, 2019")."""
    m = _DIGIT_RE.search(text)
    if not m:
        return text
    words = text[: m.start()].split()
    while words and normalize_for_match(words[-1]).strip(",،:") in _DATE_WORDS:
        words.pop()
    return " ".join(words)


def join_names(names: list[str]) -> str | None:
    """Authors as stored: one string, names joined by :data:`AUTHOR_SEPARATOR`."""
    names = list(dict.fromkeys(n for n in names if n))
    return AUTHOR_SEPARATOR.join(names) if names else None


def _strip_honorific(name: str) -> str:
    """Drop a job word in front of the name ("الكاتب", "الصحفية"), keep "د."."""
    words = name.split()
    if len(words) > 2 and _HONORIFICS_RE.match(normalize_for_match(words[0]) + " "):
        return " ".join(words[1:])
    return name


def dateline_agency(text: str) -> str | None:
    """"(دمشق - سانا)" -> "سانا"; None when the text is not such a credit."""
    m = _DATELINE_CREDIT_RE.match(text)
    return m["agency"] if m else None
