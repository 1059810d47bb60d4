"""Authors (person names only) and credited sources.

Names are cleaned and split by :mod:`.names` (labels stripped; URLs, logos,
site names, organisation words and dates rejected; several authors joined by
"، ").

Sources, most explicit first:

1. JSON-LD ``author``/``creator`` of the article (string, object, list, or a
   reference into ``@graph``), then author meta tags. A meta value that the
   page also gives as its ``DC.creator``, ``designer`` or ``generator`` is a
   credit for the site's makers, not a byline; ``DC.creator`` itself is never
   read (FINDINGS: a web developer's name).
2. Byline elements in the headline's container: ``itemprop=author`` and
   ``rel=author`` first, then elements whose class or id names an author
   ("author", "byline", "writer", "kateb", …). An author *box* (name plus
   bio) yields the name in its name-like child, never the bio.
3. Reading on from the headline (about 1,500 characters of text): the first
   byline element, or, whatever its class, a short element whose text is a
   byline label and names ("كتبت أسماء نصار", "إعداد: …"); then such a
   labelled element anywhere in the story (a signature below the body).
4. Outside the headline's container: ``itemprop``/``rel=author`` anywhere,
   class-named byline elements inside the story's ``<article>``/``<main>``,
   only when all of them name the same people (a list of opinion writers,
   or of related stories, names many).

Bylines among the first and last lines of the body ("حوار: …", "كتبت …") are
read by :func:`parse_byline_line` and removed from the text whichever source
wins. "المصدر: …" lines credit an agency and go to ``source``, never to the
author.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml.html import HtmlElement

from .arabic import collapse_ws, normalize_for_match
from .byline_lines import (
    SKIP_ANCESTORS,
    clean_source,
    enclosing_story,
    inside_chrome,
    labelled_in_story,
    parse_byline_line,
    parse_source_line,
    short_text,
    within,
)
from .datelines import ends_story, following
from .metadata import PageMeta, ld_text
from .names import clean_person_name, join_names, person_names

__all__ = ["author_from_elements", "author_from_meta", "clean_person_name", "clean_source",
           "parse_byline_line", "parse_source_line", "source_from_elements"]

# "authority-control", "authorization" are not bylines
_AUTHOR_CLASS_RE = re.compile(r"author(?!i[tz])|by-?line|writ|kateb|katib|reporter|contributor"
                              r"|posted-?by", re.IGNORECASE)
_META_AUTHOR_KEYS = ("author", "article:author", "parsely-author", "sailthru.author", "byl",
                     "dc.creator.name")
_SITE_CREDIT_KEYS = ("dc.creator", "designer", "web_author", "generator")
_NAME_CHILD_XPATH = (
    ".//*[@itemprop='name' or contains(@class,'name')] | .//*[self::a or self::strong or self::b"
    " or self::h2 or self::h3 or self::h4 or self::h5 or self::span]"
)
_SCOPE_LEVELS = 4
_WHOLE_TEXT_CHARS = 120  # longer byline elements are author boxes: only children are read
_BOX_CHARS = 1000  # an author box (name and bio) is shorter than this
_ZONE_CHARS = 1500  # text after the headline searched for a labelled byline


def author_from_meta(meta: PageMeta, site_names: list[str]) -> str | None:
    """Person names declared in JSON-LD or meta tags, joined; or None."""
    article = meta.article_ld
    if article:
        authors = meta.resolve(article.get("author") or article.get("creator"))
        names = [n for a in (authors if isinstance(authors, list) else [authors]) if a
                 for n in person_names(ld_text(a), site_names)]
        if names:
            return join_names(names)
    credits = {normalize_for_match(v) for v in meta.all(*_SITE_CREDIT_KEYS)}
    for key in _META_AUTHOR_KEYS:
        values = [v for v in meta.all(key) if normalize_for_match(v) not in credits]
        names = [n for value in values for n in person_names(value, site_names)]
        if names:
            return join_names(names)
    # Yoast: <meta name="twitter:label1" content="كُتب بواسطة"> + twitter:data1 = the name
    for index in "123":
        label = normalize_for_match(meta.first(f"twitter:label{index}") or "")
        if "كتب" in label or "written by" in label:
            name = join_names(person_names(meta.first(f"twitter:data{index}"), site_names))
            if name:
                return name
    return None


def _author_elements(tree: HtmlElement) -> tuple[list[HtmlElement], list[HtmlElement]]:
    """Byline elements in document order: (marked up as author, classed as author)."""
    marked, classed = [], []
    for el in tree.iter():
        if not isinstance(el.tag, str) or el.tag in ("meta", "link", "html", "body", "input"):
            continue
        if el.get("itemprop") == "author" or "author" in (el.get("rel") or "").lower().split():
            marked.append(el)
        elif _AUTHOR_CLASS_RE.search(f"{el.get('class') or ''} {el.get('id') or ''}"):
            classed.append(el)
        if len(marked) + len(classed) >= 40:
            break
    return marked, classed


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


def _names_in(el: HtmlElement, site_names: list[str]) -> list[str]:
    """The people one byline element names: its name markup, its text, or a name-like child."""
    for content in el.xpath(".//meta[@itemprop='name']/@content"):
        names = person_names(content, site_names)
        if names:
            return names
    raw = el.text_content()
    if len(raw) > 3 * _BOX_CHARS:  # padding aside, a whole article or page section
        return []
    text = collapse_ws(raw)
    children = el.xpath(_NAME_CHILD_XPATH)[:12] if len(text) < _BOX_CHARS else []
    marked = [c for c in children if c.get("itemprop") == "name" or "name" in (c.get("class") or "")]
    for child in marked:
        names = person_names(child.text_content(), site_names)
        if names:
            return names
    if 3 <= len(text) <= _WHOLE_TEXT_CHARS:
        names = person_names(text, site_names)
        if names:
            return names
    if len(text) > _BOX_CHARS // 3:
        return []  # a long block (an "author's note"): only marked-up names are trusted
    for child in children:  # a name-like child holds a name, not a paragraph
        names = person_names(short_text(child), site_names)
        if names:
            return names
    return []


def author_from_elements(tree: HtmlElement, site_names: list[str],
                         headline: HtmlElement | None = None) -> str | None:
    """Person names from byline elements or a labelled byline near the headline, or None.

    With a known headline, byline elements count inside the headline's
    container; elsewhere only when they all name the same people: a sidebar
    of opinion writers ("كتّاب الرأي") names other people.
    """
    scope = _scope(headline)
    marked, classed = _author_elements(tree)
    candidates = [el for el in marked + classed
                  if not inside_chrome(el) and "list" not in (el.get("class") or "")]
    for el in candidates:
        if within(el, scope):
            names = _names_in(el, site_names)
            if names:
                return join_names(names)
    names = _byline_near(headline, set(candidates), site_names) if headline is not None else None
    names = names or labelled_in_story(tree, headline, site_names)
    if names:
        return names
    if scope is None:
        return None
    story = next(iter(tree.xpath("//article|//main")), None)
    agreed = [el for el in candidates if el in marked or (story is not None and within(el, story))]
    found = {join_names(_names_in(el, site_names)) for el in agreed}
    found.discard(None)
    return found.pop() if len(found) == 1 else None


def _byline_near(headline: HtmlElement, candidates: set[HtmlElement],
                 site_names: list[str]) -> str | None:
    """The first byline just after the headline in reading order.

    Either a byline element (the byline row often sits outside the
    headline's container, below a lead image) or, whatever its class, a short
    element that reads as a byline ("كتبت أسماء نصار").
    """
    budget = _ZONE_CHARS
    for el in _zone(headline):
        if el in candidates:
            names = _names_in(el, site_names)
            if names:
                return join_names(names)
        text = short_text(el)
        if text:
            name, _remainder = parse_byline_line(text, site_names)
            if name:
                return name
        budget -= len(el.text or "") + len(el.tail or "")
        if budget <= 0:
            return None
    return None


def _zone(headline: HtmlElement) -> Iterator[HtmlElement]:
    """Elements after the headline, up to the end of its ``<article>``/``<main>`` if any."""
    story = enclosing_story(headline)
    for el in following(headline):
        if not isinstance(el.tag, str) or el.tag in ("script", "style", "noscript", "template"):
            continue
        if el.tag in SKIP_ANCESTORS or ends_story(el) or (story is not None and not within(el, story)):
            return
        yield el


def source_from_elements(tree: HtmlElement) -> str | None:
    """A source credited in an element labelled "المصدر" (class "source")."""
    for el in tree.xpath("//*[contains(@class,'source')]")[:10]:
        text = collapse_ws(el.text_content())
        if text.startswith(("المصدر", "مصدر")) and len(text) <= 100:
            source = parse_source_line(text)
            if source:
                return source
    return None
