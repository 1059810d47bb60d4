"""Find dates written next to the headline (datelines), not in page chrome.

Sites without date metadata print the date under the headline, often in the
byline row ("كتب: … | الأحد ١٢ آذار ٢٠٢٣") or a date-classed element just
above it. Site headers print today's date ("اليوم: الأحد 5 آذار 2023") and
sidebars print other stories' dates, so the search is narrow:

* start at the headline and walk forward in document order; also look at
  date-classed elements above it inside the headline's own container;
* stop at the first date, after ~2,500 characters of text, or on reaching a
  footer, aside, nav, form, related or comments block;
* a text node counts only when the date is most of it (at most ~45 other
  characters: a label, a weekday, a time), so dates inside story sentences
  ("توقفت في 3 آب 2019 …") are never taken;
* "آخر تحديث"/"updated" before the date makes it a modification date.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from lxml.html import HtmlElement

from .arabic import collapse_ws, normalize_for_match
from .arabic_dates import ParsedDate, find_dates
from .declared import parse_declared

_DATE_CLASS_RE = re.compile(r"date|time|publish|posted|تاريخ", re.IGNORECASE)
_NOT_DATE_CLASS_RE = re.compile(r"today|current|now|clock|weather|ticker|header|topbar", re.IGNORECASE)
_UPDATED_LABEL_RE = re.compile(r"(?:اخر\s+)?تحديث|محدث|حدث\s+في|updated|modified")
_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "svg", "iframe", "select", "option"})
_STOP_TAGS = frozenset({"footer", "aside", "nav", "form"})
# "has-sidebar"/"no-sidebar" describe a layout that holds the story, not a sidebar
SIDEBAR = r"(?<!has-)(?<!with-)(?<!no-)sidebar"
_STOP_CLASS_RE = re.compile(rf"related|comment|footer|{SIDEBAR}|more-news|most-read|read-also", re.IGNORECASE)
# only blocks end the search: an inline "comments-link" often sits beside the date
_BLOCKS = frozenset({"div", "section", "ul", "ol", "table", "aside", "footer"})
_ZONE_CHARS = 2500  # how much text after the headline is read for datelines
_MAX_LEFTOVER = 45  # chars a dateline may have besides the date (labels, weekday, time)


def following(start: HtmlElement) -> Iterator[HtmlElement]:
    """Elements after ``start`` in document order (not its descendants)."""
    node = start
    while node is not None:
        for sibling in node.itersiblings():
            yield sibling
            yield from sibling.iterdescendants()
        node = node.getparent()


def ends_story(el: HtmlElement) -> bool:
    """True for a block that starts what follows the story (related, comments, sidebar)."""
    return el.tag in _BLOCKS and bool(_STOP_CLASS_RE.search(_classes(el)))


def _classes(el: HtmlElement) -> str:
    return f"{el.get('class') or ''} {el.get('id') or ''} {el.get('itemprop') or ''}"


def _dateline(text: str, fetched_at: dt.datetime | None) -> tuple[ParsedDate, bool] | None:
    """A date that is most of this short text; the flag marks an update label."""
    text = collapse_ws(text)
    if not 3 <= len(text) <= 160:  # 3: "أمس"
        return None
    found = find_dates(text, fetched_at)
    if not found:
        return None
    norm = normalize_for_match(text)
    first = found[0]
    if len(norm) - (first.span[1] - first.span[0]) > _MAX_LEFTOVER:
        return None
    updated = bool(_UPDATED_LABEL_RE.search(norm[: first.span[0]]))
    return first, updated


def is_dateline(text: str) -> bool:
    """True for a short line that is essentially a date ("الأحد ١٢ آذار ٢٠٢٣")."""
    return len(text.split()) <= 10 and _dateline(text, None) is not None


def zone_dates(tree: HtmlElement, h1: HtmlElement | None,
               fetched_at: dt.datetime | None) -> tuple[ParsedDate | None, ParsedDate | None]:
    """Dates written next to the headline.

    Args:
        tree: The parsed page.
        h1: The headline element, or None (then ``<article>``/``<main>`` is read).
        fetched_at: Fetch time, for relative dates.

    Returns:
        ``(published, modified)`` as :class:`ParsedDate` or None.
    """
    published = modified = None
    if h1 is None:
        containers = tree.xpath("//article|//main")
        if not containers:
            return None, None
        elements: Iterator[HtmlElement] = containers[0].iterdescendants()
    else:
        elements = _chain(_before_h1(h1), following(h1))
    budget = _ZONE_CHARS
    for el in elements:
        if not isinstance(el.tag, str) or el.tag in _SKIP_TAGS:
            continue
        if el.tag in _STOP_TAGS or ends_story(el):
            break  # past the article: dates below belong to other stories
        if el.tag == "time" and el.get("datetime"):
            parsed = parse_declared(el.get("datetime"))
            if parsed:
                hit = ParsedDate(parsed[1], parsed[2].timetz() if parsed[2] else None, (0, 0), "time")
                if re.search("modif|updat", _classes(el), re.IGNORECASE):
                    modified = modified or hit
                else:
                    published = published or hit
        texts = [el.text, el.tail]
        if _DATE_CLASS_RE.search(_classes(el)) and not _NOT_DATE_CLASS_RE.search(_classes(el)):
            texts.insert(0, el.text_content()[:300])  # a date split over child spans
        for text in texts:
            if not text or not text.strip():
                continue
            budget -= len(text)
            hit = _dateline(text, fetched_at)
            if hit and hit[1]:
                modified = modified or hit[0]
            elif hit:
                published = published or hit[0]
        if published or budget <= 0:
            break
    return published, modified


def _chain(*iterators):
    for iterator in iterators:
        yield from iterator


def _before_h1(h1: HtmlElement) -> Iterator[HtmlElement]:
    """Date-classed elements just above the headline, inside its container."""
    parent = h1.getparent()
    container = parent.getparent() if parent is not None else None
    if container is None or container.tag in ("body", "html"):
        return
    for el in container.iter():
        if el is h1:
            return
        if not isinstance(el.tag, str):
            continue
        classes = _classes(el)
        if _DATE_CLASS_RE.search(classes) and not _NOT_DATE_CLASS_RE.search(classes):
            yield el
