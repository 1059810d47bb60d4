"""Name boilerplate blocks in the parsed page.

:func:`prune_tree` finds, and removes in place, blocks that trafilatura keeps
on Arabic news pages: related/"اقرأ أيضاً" boxes (also when they sit inside
the article body), share/subscribe bars, weather/prayer/currency widgets,
tickers, comment areas, author-bio boxes and cookie/consent banners. Each is
recorded as a :class:`harm.Removal`; the extraction subtracts their text from
trafilatura's (see :mod:`.harm`). Elements are matched on class/id *words*
(``related-posts`` yes, ``unrelated`` no; an id of four words or more is a
slug of the content, not a component's name) and on the text they start
with. A block named after a tool (share, print, ad, counter, ...) that holds a
paragraph of unlinked prose is not that tool and stays. Safety net:
``<body>``/``<main>``/``<article>``, anything holding the headline, anything
holding more than a third of the page text and anything inside ``pre``/``code``
are never removed. The line-level rules live in :mod:`.linerules`.
"""

from __future__ import annotations

import functools
import logging
import re

from lxml.html import HtmlElement

from .arabic import collapse_ws, normalize_for_match
from .harm import Removal, describe
from .linerules import CONSENT_RE, COOKIE_RE, READ_ALSO_RE
from .linerules import filter_lines, is_boilerplate_line  # noqa: F401 - callers import them from here

LOGGER = logging.getLogger(__name__)

# class/id words (split on space, "-" and "_") that mark boilerplate blocks: names of
# tools and slots (share bars, print buttons, counters, ad slots, tickers, small widgets)
# and names of blocks of other content (related links, comments, author boxes)
_TOOL_WORDS = frozenset(
    "share sharing sharer social socials subscribe subscription newsletter weather ticker marquee "
    "breaking advert advertisement ad ads sponsored promo poll survey podcast prayer currency print "
    "rating sharedaddy addtoany a2a tools toolbar counter visitors".split()
)
_CLASS_WORDS = _TOOL_WORDS | frozenset(
    "related comment comments disqus outbrain taboola recommended respond tagcloud commentlist "
    "authorbox readmore alsoread relatedposts saboxplugin yarpp crp".split()
)
# A tool holds a few words or links; a block of this much unlinked prose is not one,
# whatever its class says ("lead share-summary", "article-text ads-free")
_PROSE_WORDS = 20
_PROSE_LINK_RATIO = 0.25
# two-word names, checked only when a class holds one of the trigger words;
# "tag" alone is not enough: WordPress marks the post wrapper "tag-<slug>"
_COMPOUND_TRIGGERS = frozenset("author about most read also more tag tags".split())
_COMPOUND_RE = re.compile(
    r"author[-_]?(?:box|bio|info|card|about)|about[-_]?author|most[-_]?(?:read|viewed|popular)"
    r"|read[-_]?(?:more|also)|also[-_]?read|more[-_]?(?:news|articles|stories)"
    r"|tags?[-_](?:list|cloud|links|wrap|box)|(?:post|entry|article)[-_]tags|(?:^|\s)tags(?:\s|$)"
)
WORD_SPLIT_RE = re.compile(r"[\s_-]+")  # class/id names into words
_PROTECTED_TAGS = frozenset({"html", "body", "main", "article", "head"})
_CODE_TAGS = frozenset({"pre", "code"})
_CODE_HOLDERS = frozenset({"script", "style", "template"})  # their text is code, not a notice
_MAX_ID_WORDS = 3
_BLOCK_TAGS = frozenset({"p", "div", "li", "ul", "ol", "section", "aside", "h2", "h3", "h4", "h5",
                         "h6", "blockquote", "table", "figure"})
# cheap pre-check on raw text (str.startswith) before normalising it for READ_ALSO_RE
_READ_ALSO_PREFIXES = (
    "اقرأ", "إقرأ", "أقرأ", "اقرا", "إقرا", "إقرأ", "شاهد", "طالع", "يهمك", "قد يهمك", "ربما يهمك",
    "ذات صلة", "مواضيع", "أخبار ذات", "اخبار ذات", "مقالات ذات", "روابط ذات", "المزيد من", "اخترنا",
    "Read", "read", "READ",
)
_LEADING_PUNCT = " \t\n\r«\"(*-–•\u00a0"
_COOKIE_HINT_RE = re.compile(r"cookie|كوكيز|الكوكي|ملفات تعريف الارتباط|ملفات الارتباط", re.IGNORECASE)
_COOKIE_HINTS = ("ook", "OOK", "كوكي", "ارتباط")
_CONSENT_MAX_WORDS = 80
_BUTTON_WORDS = 10  # "موافق", "Accept all", "More info": the banner's buttons


def link_ratio(el: HtmlElement, text_len: int) -> float:
    """Share of ``el``'s text (``text_len`` characters) that is link text."""
    if not text_len:
        return 0.0
    linked = sum(len(a.text_content()) for a in el.iter("a"))
    return linked / text_len


def _boilerplate_attrs(el: HtmlElement) -> bool:
    """True when the element's class/id names a boilerplate block (and it is not prose)."""
    kind = _boilerplate_names(el.get("class"), el.get("id"))
    if kind == "tool":
        text = el.text_content()
        return len(text.split()) < _PROSE_WORDS or link_ratio(el, len(text)) >= _PROSE_LINK_RATIO
    return kind is not None


@functools.lru_cache(maxsize=8192)  # a site's pages share their class names
def _boilerplate_names(class_: str | None, id_: str | None) -> str | None:
    """"tool", "block" (other content) or None for a class/id pair."""
    if id_ and len(WORD_SPLIT_RE.split(id_)) > _MAX_ID_WORDS:
        id_ = None  # a slug of the content ("sharing-with-a-single-developer"), not a component's name
    attrs = f"{class_ or ''} {id_ or ''}".lower()
    words = set(WORD_SPLIT_RE.split(attrs))
    if words & _CLASS_WORDS:
        return "block" if words & (_CLASS_WORDS - _TOOL_WORDS) else "tool"
    return "block" if words & _COMPOUND_TRIGGERS and _COMPOUND_RE.search(attrs) else None


def _protected(el: HtmlElement, keep: set[HtmlElement], page_chars: int) -> bool:
    if el.tag in _PROTECTED_TAGS or el.getparent() is None or el in keep:
        return True
    if any(a.tag in _CODE_TAGS for a in el.iterancestors()):
        return True  # syntax-highlighting spans ("token comment") are program text
    return len(el.text_content()) > page_chars / 3


def _block_of(el: HtmlElement) -> HtmlElement:
    node = el
    while node is not None and node.tag not in _BLOCK_TAGS:
        node = node.getparent()
    return node if node is not None else el


def _cookie_hint(text: str) -> bool:
    # substring tests first: this runs on the text of every element
    return any(hint in text for hint in _COOKIE_HINTS) and bool(_COOKIE_HINT_RE.search(text))


def _consent_block(el: HtmlElement, keep: set[HtmlElement], page_chars: int) -> HtmlElement | None:
    """The cookie/consent banner holding ``el``'s text, widened to its buttons; None if not one."""
    block = _block_of(el)
    words = len(block.text_content().split())
    norm = normalize_for_match(block.text_content())
    if words > _CONSENT_MAX_WORDS or not (COOKIE_RE.search(norm) and CONSENT_RE.search(norm)):
        return None
    parent = block.getparent()
    while parent is not None and not _protected(parent, keep, page_chars) and \
            len(parent.text_content().split()) <= words + _BUTTON_WORDS:
        block, parent = parent, parent.getparent()
    return None if _protected(block, keep, page_chars) else block


def prune_tree(tree: HtmlElement, h1: HtmlElement | None = None,
               removals: list[Removal] | None = None) -> int:
    """Delete boilerplate blocks from a parsed page, in place.

    Args:
        tree: The parsed page; it is modified.
        h1: The headline element, which is never removed.
        removals: If given, one :class:`Removal` per removed element is appended.

    Returns:
        How many elements were removed.
    """
    body = tree.find("body")
    page_chars = len((body if body is not None else tree).text_content()) or 1
    # the headline and its ancestors are never removed
    keep = set(h1.iterancestors()) | {h1} if h1 is not None else set()
    doomed: list[tuple[HtmlElement, str]] = []
    for el in tree.iter():
        if not isinstance(el.tag, str):
            continue
        if (el.get("class") or el.get("id")) and _boilerplate_attrs(el) and \
                not _protected(el, keep, page_chars):
            doomed.append((el, "boilerplate_class"))
            continue
        start = el.text
        if start and el.tag not in _CODE_HOLDERS and _cookie_hint(start):
            block = _consent_block(el, keep, page_chars)
            if block is not None:
                doomed.append((block, "cookie_notice"))
                continue
        if start and start.lstrip(_LEADING_PUNCT).startswith(_READ_ALSO_PREFIXES) and \
                READ_ALSO_RE.match(normalize_for_match(start[:40])):
            block = _block_of(el)
            text_len = len(block.text_content())
            if _protected(block, keep, page_chars):
                block = el  # the label sits directly in the body text: drop only the label
            elif text_len > 600 and link_ratio(block, text_len) < 0.5:
                block = el
            doomed.append((block, "read_also"))
            if len(collapse_ws(block.text_content()).split()) <= 4:
                follower = block.getnext()  # "اقرأ أيضاً" heading followed by a list of links
                if follower is not None and (follower.tag in ("ul", "ol") or link_ratio(
                        follower, len(follower.text_content())) >= 0.6):
                    doomed.append((follower, "read_also_links"))
    removed = 0
    gone: set[HtmlElement] = set()
    for el, rule in doomed:
        parent = el.getparent()
        if parent is None or gone.intersection(el.iterancestors()):
            continue  # already gone with an ancestor
        gone.add(el)
        if removals is not None:
            removals.append(Removal(rule, describe(el), el.text_content()))
        tail = el.tail
        if tail and tail.strip():  # keep text that merely follows the block
            prev = el.getprevious()
            if prev is not None:
                prev.tail = (prev.tail or "") + tail
            else:
                parent.text = (parent.text or "") + tail
        parent.remove(el)
        removed += 1
    LOGGER.debug("pruned %d boilerplate elements", removed)
    return removed
