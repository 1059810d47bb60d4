"""Bylines and source credits read as text: body lines and labelled elements.

A byline line opens with a label (كتب، كتبت، بقلم، إعداد، تقرير، حوار، متابعة،
ترجمة، تحرير، "By") followed by names; without a colon it has at most five
words after the label, so a sentence ("كتب الرئيس رسالة …") is not one.
"المصدر: …" lines credit an agency (``source``), never an author.
"""

from __future__ import annotations

import re

from lxml.html import HtmlElement

from .arabic import collapse_ws
from .datelines import SIDEBAR, ends_story
from .names import LABELS, dateline_agency, join_names, person_names

_BYLINE_RE = re.compile(
    rf"^\s*(?:[-–—•*]\s*)?(?P<label>{LABELS})(?!\w)\s*(?P<colon>[:：]|[-–—](?=\s))?\s*(?P<rest>.+?)\s*$",
    re.IGNORECASE,
)
_SOURCE_RE = re.compile(
    r"^\s*[(\[]?\s*(?:المصدر|مصدر الخبر|نقلا\s+عن|نقلاً\s+عن)(?!\w)\s*[:：\-–]?\s*(?P<src>.+?)\s*[)\]]?\s*$"
)
_LABEL_START_RE = re.compile(rf"(?:[-–—•*]\s*)?(?:{LABELS})(?!\w)", re.IGNORECASE)
_REST_CUT_RE = re.compile(r"\s+[-–—|/]\s+|[|،,(]|\s+[-–—](?=\S)")
SKIP_ANCESTORS = frozenset({"nav", "footer", "aside", "form"})
_SIDEBAR_RE = re.compile(rf"{SIDEBAR}|widget-area", re.IGNORECASE)
BYLINE_LINE_CHARS = 80


def inside_chrome(el: HtmlElement) -> bool:
    """True inside navigation, footer, aside, form or a sidebar: another story's byline.

    ``<html>``/``<body>`` classes describe the page template
    ("sidebar-primary"), not the element, so the climb stops there.
    """
    for ancestor in el.iterancestors():
        if ancestor.tag in ("body", "html"):
            return False
        if ancestor.tag in SKIP_ANCESTORS or _SIDEBAR_RE.search(ancestor.get("class") or ""):
            return True
    return False


def within(el: HtmlElement, container: HtmlElement | None) -> bool:
    """True when ``el`` is ``container`` or inside it (always, without a container)."""
    return container is None or el is container or container in el.iterancestors()


def labelled_in_story(tree: HtmlElement, headline: HtmlElement | None,
                      site_names: list[str]) -> str | None:
    """A labelled byline anywhere in the story, e.g. a signature below the body.

    The story is the headline's ``<article>``/``<main>``, else the page's first
    ``<article>``. Only elements whose text opens with a byline label are read
    whole, so the scan stays linear; chrome and related blocks are skipped.
    """
    story = _story(tree, headline)
    if story is None:
        return None
    for el in story.iter():
        if not isinstance(el.tag, str) or el.tag in ("script", "style"):
            continue
        head = (el.text or "").strip() or (
            (el[0].text or "").strip() if len(el) and isinstance(el[0].tag, str) else "")
        if not head or not _LABEL_START_RE.match(head):
            continue
        text = short_text(el)
        if not text or inside_chrome(el) or any(
                ends_story(a) for a in el.iterancestors() if a is not story):
            continue
        name, _remainder = parse_byline_line(text, site_names)
        if name:
            return name
    return None


def enclosing_story(el: HtmlElement) -> HtmlElement | None:
    """The nearest ``<article>``/``<main>`` holding ``el``, if any."""
    return next((a for a in el.iterancestors() if a.tag in ("article", "main")), None)


def _story(tree: HtmlElement, headline: HtmlElement | None) -> HtmlElement | None:
    story = enclosing_story(headline) if headline is not None else None
    return story if story is not None else next(iter(tree.iter("article")), None)


def short_text(el: HtmlElement, limit: int = BYLINE_LINE_CHARS) -> str | None:
    """The element's collapsed text, or None once it is known to exceed ``limit``.

    Reads text nodes only until the limit (raw whitespace counted up to
    four times over), so a scan over many large containers stays linear.
    """
    parts, size = [], 0
    for piece in el.itertext():
        parts.append(piece)
        size += len(piece)
        if size > 4 * limit:
            return None
    text = collapse_ws("".join(parts))
    return text if len(text) <= limit else None


def parse_byline_line(line: str, site_names: list[str]) -> tuple[str | None, str | None]:
    """Read one body line as a byline.

    Args:
        line: One line of extracted text.
        site_names: Names of the site.

    Returns:
        ``(author, remainder)``: author None when the line is not a byline
        (several authors joined by "، "); remainder is text that followed the
        byline on the same line ("" when the whole line was the byline).
    """
    m = _BYLINE_RE.match(line)
    if not m:
        return None, None
    rest = m["rest"]
    words = rest.split()
    if not m["colon"] and len(words) > 5:
        return None, None  # "كتب الرئيس رسالة ..." is a sentence, not a byline
    remainder = ""
    if len(words) > 8:
        parts = _REST_CUT_RE.split(rest, maxsplit=1)
        if len(parts) < 2 or len(parts[1].split()) < 6:
            return None, None
        rest, remainder = parts[0], parts[1].strip(" -–—")
    name = join_names(person_names(rest, site_names))
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
    text = dateline_agency(text) or text
    text = text.strip(" ()[]-–.")
    return text if 2 <= len(text) <= 80 else None
