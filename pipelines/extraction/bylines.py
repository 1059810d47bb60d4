"""Authors (person names only) and credited sources.

Declared authors are unreliable on Arabic news sites (FINDINGS): web
developers in ``DC.Creator``, logo URLs, the site's own name, datelines such
as "(أبوظبي - البيان)". So every candidate goes through
:func:`clean_person_name`, which strips labels ("بقلم:", "By") and rejects
URLs, digits, organisation words, site names and over-long strings.

Sources, in order: JSON-LD/meta authors; then byline elements (``itemprop``/
``rel``/class "author", "byline", "writer"), where an author *box* (name plus
bio) yields only the name found in its name-like child; then Arabic bylines
among the first and last lines of the body ("حوار: …", "كتبت …", "بقلم …").
Body byline lines are removed from the text whichever source wins.
"المصدر: …" lines credit an agency and go to ``source``, never to the author.
"""

from __future__ import annotations

import re

from lxml.html import HtmlElement

from .arabic import collapse_ws, normalize_for_match
from .metadata import PageMeta, ld_text

_A = "[اأإآ]"
_LABELS = (
    rf"{_A}عداد\s+وتحرير|{_A}عداد|كتبت|كتب|بقلم|بواسطة|تحرير|حوار|حاورته|حاورها|حاوره|تقرير|متابعة|by"
)
_BYLINE_RE = re.compile(
    rf"^\s*(?:[-–—•*]\s*)?(?P<label>{_LABELS})(?!\w)\s*(?P<colon>[:：]|[-–—](?=\s))?\s*(?P<rest>.+?)\s*$",
    re.IGNORECASE,
)
_SOURCE_RE = re.compile(
    r"^\s*[(\[]?\s*(?:المصدر|مصدر الخبر|نقلا\s+عن|نقلاً\s+عن)(?!\w)\s*[:：\-–]?\s*(?P<src>.+?)\s*[)\]]?\s*$"
)
_DATELINE_CREDIT_RE = re.compile(r"^\(?\s*[^()\-–]{2,30}\s+[-–]\s+(?P<agency>[^()\-–]{2,40})\)?$")
_NAME_CUT_RE = re.compile(r"\s+[-–—|/]\s+|[|،,(]|\s+[-–—](?=\S)")
_HONORIFICS_RE = re.compile(
    r"^(?:ال)?(?:كاتب|كاتبة|صحفي|صحفية|صحافي|صحافية|زميل|زميلة|اعلامي|اعلامية|مراسلة?)\s+"
)
_LABEL_PREFIX_RE = re.compile(rf"^\s*(?:{_LABELS})\s*[:：]?\s+", re.IGNORECASE)
_BAD_WORDS = frozenset(normalize_for_match(w) for w in """
موقع صحيفة جريدة وكالة وكالات قناة شبكة تلفزيون إذاعة مجلة فريق هيئة التحرير المحرر محرر
إدارة الإدارة مراسل مراسلنا مراسلو المكتب قسم بوابة منصة مركز مؤسسة وزارة مديرية الإعلامي
أخبار الأخبار نيوز تصميم تطوير برمجة المصدر اقرأ تابعونا admin administrator editor editorial
staff team desk newsroom webmaster news design developer developed agency agencies reuters afp
شركة للبرمجيات البرمجيات للتصميم استضافة
""".split())
_URLISH_RE = re.compile(r"https?:|www\.|\.(?:com|net|org|png|jpe?g|gif|svg|webp)\b|@|/|\d", re.IGNORECASE)
_AUTHOR_CLASS_HINTS = ("author", "byline", "writer", "kateb", "reporter")
_NAME_CHILD_XPATH = (
    ".//*[@itemprop='name' or contains(@class,'name') or self::a or self::strong or self::b"
    " or self::h2 or self::h3 or self::h4 or self::h5 or self::span]"
)
_SKIP_ANCESTORS = frozenset({"nav", "footer", "aside", "form"})
_SIDEBAR_RE = re.compile(r"sidebar|widget-area", re.IGNORECASE)
_SCOPE_LEVELS = 4


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
    name = _LABEL_PREFIX_RE.sub("", name)
    name = _NAME_CUT_RE.split(name, maxsplit=1)[0]
    name = name.strip(" :：.-–—\"'«»“”()[]")
    name = _strip_honorific(name)
    if not name or len(name) < 3 or len(name) > 60 or _URLISH_RE.search(name):
        return None
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


def _strip_honorific(name: str) -> str:
    """Drop a job word in front of the name ("الكاتب", "الصحفية"), keep "د."."""
    words = name.split()
    if len(words) > 2 and _HONORIFICS_RE.match(normalize_for_match(words[0]) + " "):
        return " ".join(words[1:])
    return name


def author_from_meta(meta: PageMeta, site_names: list[str]) -> str | None:
    """A person name declared in JSON-LD or meta tags, or None."""
    candidates: list[str] = []
    article = meta.article_ld
    if article:
        authors = meta.resolve(article.get("author") or article.get("creator"))
        authors = authors if isinstance(authors, list) else [authors]
        names = [clean_person_name(ld_text(a), site_names) for a in authors if a]
        names = [n for n in names if n]
        if names:
            return "، ".join(dict.fromkeys(names))
    candidates += meta.all("author", "article:author", "parsely-author", "sailthru.author",
                           "byl", "dc.creator.name")
    # Yoast: <meta name="twitter:label1" content="كُتب بواسطة"> + twitter:data1 = the name
    for index in "123":
        label = normalize_for_match(meta.first(f"twitter:label{index}") or "")
        if "كتب" in label or "written by" in label:
            candidates.append(meta.first(f"twitter:data{index}") or "")
    for candidate in candidates:
        name = clean_person_name(candidate, site_names)
        if name:
            return name
    return None


def _author_elements(tree: HtmlElement) -> list[HtmlElement]:
    """Byline-like elements in document order (a Python scan beats XPath contains() here)."""
    found = []
    for el in tree.iter():
        if not isinstance(el.tag, str) or el.tag in ("meta", "link", "html", "body"):
            continue
        classes = (el.get("class") or "").lower()
        if (el.get("itemprop") == "author" or el.get("rel") == "author"
                or (classes and any(hint in classes for hint in _AUTHOR_CLASS_HINTS))
                or "author" in (el.get("id") or "").lower()):
            found.append(el)
            if len(found) >= 30:
                break
    return found


def _inside_chrome(el: HtmlElement) -> bool:
    for ancestor in el.iterancestors():
        if ancestor.tag in _SKIP_ANCESTORS or _SIDEBAR_RE.search(ancestor.get("class") or ""):
            return True
    return False


def _scope(headline: HtmlElement | None) -> HtmlElement | None:
    """The headline's container, a few levels up but below ``<body>``."""
    if headline is None:
        return None
    scope = headline
    for _ in range(_SCOPE_LEVELS):
        parent = scope.getparent()
        if parent is None or parent.tag in ("body", "html"):
            break
        scope = parent
    return scope


def author_from_elements(tree: HtmlElement, site_names: list[str],
                         headline: HtmlElement | None = None) -> str | None:
    """A person name from byline/author-box elements, or None.

    An element with short text is read whole ("بقلم: سامر الخطيب"); a longer
    one (an author box with a bio) is searched for a name-like child, so the
    bio never leaks into the name. With a known headline only elements in
    the headline's container count: a sidebar of opinion writers ("كتّاب
    الرأي") elsewhere on the page names other people.
    """
    scope = _scope(headline)
    for el in _author_elements(tree):
        if _inside_chrome(el) or "list" in (el.get("class") or ""):
            continue
        if scope is not None and el is not scope and scope not in el.iterancestors():
            continue
        for content in el.xpath(".//meta[@itemprop='name']/@content"):
            name = clean_person_name(content, site_names)
            if name:
                return name
        raw = el.text_content()
        text = collapse_ws(raw) if len(raw) < 400 else raw  # long boxes: only children matter
        if 3 <= len(text) <= 60:
            name = clean_person_name(text, site_names)
            if name:
                return name
        if 60 < len(text) < 1000:  # an author box; not a whole article tagged "author-x"
            for child in el.xpath(_NAME_CHILD_XPATH)[:8]:
                name = clean_person_name(child.text_content(), site_names)
                if name:
                    return name
    return None


def parse_byline_line(line: str, site_names: list[str]) -> tuple[str | None, str | None]:
    """Read one body line as a byline.

    Args:
        line: One line of extracted text.
        site_names: Names of the site.

    Returns:
        ``(author, remainder)``: author None when the line is not a byline;
        remainder is text that followed the byline on the same line ("" when
        the whole line was the byline).
    """
    m = _BYLINE_RE.match(line)
    if not m:
        return None, None
    rest = m["rest"]
    words = rest.split()
    if not m["colon"] and len(words) > 5:
        return None, None  # "كتب الرئيس رسالة ..." is a sentence, not a byline
    parts = _NAME_CUT_RE.split(rest, maxsplit=1)
    remainder = ""
    if len(words) > 8:
        if len(parts) < 2 or len(parts[1].split()) < 6:
            return None, None
        remainder = parts[1].strip(" -–—")
    name = clean_person_name(parts[0], site_names)
    return (name, remainder) if name else (None, None)


def parse_source_line(line: str) -> str | None:
    """The credited source if ``line`` is a short "المصدر: …" line, else None."""
    if len(line.split()) > 12:
        return None
    m = _SOURCE_RE.match(line)
    if not m:
        return None
    return clean_source(m["src"])


def clean_source(text: str | None) -> str | None:
    """Normalise a credited source; "(دمشق - سانا)" becomes "سانا"."""
    if not text:
        return None
    text = collapse_ws(text).strip(" :：")
    m = _DATELINE_CREDIT_RE.match(text)
    if m:
        text = m["agency"]
    text = text.strip(" ()[]-–.")
    return text if 2 <= len(text) <= 80 else None


def source_from_elements(tree: HtmlElement) -> str | None:
    """A source credited in an element labelled "المصدر" (class "source")."""
    for el in tree.xpath("//*[contains(@class,'source')]")[:10]:
        text = collapse_ws(el.text_content())
        if text.startswith(("المصدر", "مصدر")) and len(text) <= 100:
            source = parse_source_line(text)
            if source:
                return source
    return None
