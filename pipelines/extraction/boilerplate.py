"""Remove boilerplate before and after trafilatura.

Before: :func:`prune_tree` deletes, in place, blocks that trafilatura keeps
on Arabic news pages: related/"اقرأ أيضاً" boxes (also when they sit inside
the article body), share/subscribe bars, weather/prayer/currency widgets,
tickers, comment areas and author-bio boxes. Elements are matched on class/id
*words* (``related-posts`` yes, ``unrelated`` no) and on the text they start
with. Safety net: ``<body>``/``<main>``/``<article>``, anything holding the
headline, and anything holding more than a third of the page text are never
removed, so an unluckily named content wrapper survives.

After: :func:`filter_lines` drops lines that still leak (follow-us lines,
comment policies, copyright, phone numbers, weather readings, tag lists) and
exact duplicates (repeated captions). Each rule requires a short line plus a
specific phrase, so ordinary sentences that merely mention Facebook or the
weather are kept.
"""

from __future__ import annotations

import functools
import logging
import re

from lxml.html import HtmlElement

from .arabic import collapse_ws, normalize_for_match
from .harm import Removal, describe

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
_WORD_SPLIT_RE = re.compile(r"[\s_-]+")
_PROTECTED_TAGS = frozenset({"html", "body", "main", "article", "head"})
_CODE_TAGS = frozenset({"pre", "code"})
_MAX_ID_WORDS = 3
_BLOCK_TAGS = frozenset({"p", "div", "li", "ul", "ol", "section", "aside", "h2", "h3", "h4", "h5",
                         "h6", "blockquote", "table", "figure"})
# Text that opens a "read also" teaser, after normalize_for_match.
_READ_ALSO_RE = re.compile(
    r"^[«\"(*\-–•\s]*(?:اقرا\s+(?:ايضا|كذلك|المزيد)|شاهد\s+(?:ايضا|كذلك)|طالع\s+(?:ايضا|كذلك)|"
    r"يهمك\s+ايضا|قد\s+يهمك|ربما\s+يهمك|ذات\s+صلة|(?:مواضيع|اخبار|مقالات|روابط)\s+ذات\s+صلة|"
    r"المزيد\s+من\s+الاخبار|اخترنا\s+لك|read\s+(?:also|more))"
)
# cheap pre-check on raw text (str.startswith) before normalising it for _READ_ALSO_RE
_READ_ALSO_PREFIXES = (
    "اقرأ", "إقرأ", "أقرأ", "اقرا", "إقرا", "إقرأ", "شاهد", "طالع", "يهمك", "قد يهمك", "ربما يهمك",
    "ذات صلة", "مواضيع", "أخبار ذات", "اخبار ذات", "مقالات ذات", "روابط ذات", "المزيد من", "اخترنا",
    "Read", "read", "READ",
)
_LEADING_PUNCT = " \t\n\r«\"(*-–•\u00a0"
_FOLLOW_RE = re.compile(
    r"(?:تابعو?نا|تابعوا|تابع|اشترك|اشتركوا|انضم|انضموا|حمل|نزل|لمتابعة|للاشتراك|للمتابعة|follow"
    r"|subscribe|sign up)"
)
_PLATFORM_RE = re.compile(
    r"غوغل نيوز|جوجل نيوز|google news|تلغرام|تليغرام|تيليجرام|تلجرام|telegram|فيسبوك|فيس بوك|"
    r"facebook|تويتر|twitter|منصة اكس|واتساب|واتس اب|whatsapp|يوتيوب|youtube|انستغرام|انستجرام|"
    r"instagram|تيك توك|tiktok|قناتنا|صفحتنا|حسابنا|النشرة البريدية|النشرة الاخبارية|نشرتنا|تطبيق"
    r"|newsletter"
)
_POLICY_RE = re.compile(r"(?:التعليقات|تعليق|الاراء|المقالات|ما ينشر|ما يرد)")
_POLICY_HINT_RE = re.compile(r"لا تعبر|لا يعبر|لا تمثل|سياسة|ارشادات|شروط|مراجعة|مسؤولية|اصحابها|كاتبها")
# a notice, not a sentence about copyright: the sign, a reserved-rights phrase, or the word
# opening the line or followed by a year/(c)
_COPYRIGHT_RE = re.compile(
    r"(?:جميع|كافة) الحقوق محفوظة|^حقوق النشر|©|all rights reserved|^copyright\b"
    r"|copyright\s*(?:\(c\)|\d{4})|\(c\)\s*\d{4}")
_SHARE_RE = re.compile(r"^(?:شارك|شاركوا|انشر|share)(?:\s|$)")
_PHONE_RE = re.compile(r"(?:هاتف|الهاتف|تلفون|تلفاكس|فاكس|جوال|موبايل|واتساب|tel|phone|fax)\s*[:.]?\s*[+(]?\d")
_WEATHER_RE = re.compile(r"[°℃]|درجة مئوية")
_WEATHER_WORD_RE = re.compile(r"غائم|مشمس|ماطر|صحو|امطار|الطقس|الحرارة|رطوبة|رياح")
_TAGS_RE = re.compile(r"^(?:الوسوم|وسوم|كلمات مفتاحية|الكلمات المفتاحية|الكلمات الدلالية|tags)\s*[:：]?")
_COUNTER_RE = re.compile(r"(?:عدد|مرات)\s+(?:القراءات|المشاهدات|الزيارات|الزوار|القراء)|^(?:طباعة|ارسل لصديق)(?:\s|$)")
# cookie/consent banners: the cookie word plus the site addressing its reader
_COOKIE_RE = re.compile(r"cookie|ملفات (?:تعريف )?الارتباط|الكوكيز|كوكيز|ملفات الكوكي")
_CONSENT_RE = re.compile(
    r"we use|this (?:site|website) uses|our (?:site|website)|by (?:continuing|using)|accept|agree|consent"
    r"|privacy|نستخدم|يستخدم (?:هذا )?الموقع|موقعنا|الموقع|بالاستمرار|بمتابعة|موافق|اوافق|قبول|الخصوصية")
_COOKIE_HINT_RE = re.compile(r"cookie|كوكيز|الكوكي|ملفات تعريف الارتباط|ملفات الارتباط", re.IGNORECASE)
_COOKIE_HINTS = ("ook", "OOK", "كوكي", "ارتباط")
_CONSENT_MAX_WORDS = 80
_BUTTON_WORDS = 10  # "موافق", "Accept all", "More info": the banner's buttons
# masthead credits of the editorial board ("رئيس التحرير: … | الإشراف العام: …")
_MASTHEAD_RE = re.compile(
    r"رئيس التحرير|رئيس مجلس الادارة|مدير التحرير|الاشراف العام|المشرف العام|سكرتير التحرير"
    r"|نائب رئيس التحرير|editor[- ]in[- ]chief|managing editor")
_MASTHEAD_START_RE = re.compile(r"^(?:" + _MASTHEAD_RE.pattern + r")\s*[:：]")
_COMMENT_PROMPT_RE = re.compile(r"^(?:اضافة تعليق|اضف تعليق|اترك تعليقا|اكتب تعليقك|التعليقات\s*\(|لا توجد تعليقات)")


def _link_ratio(el: HtmlElement, text_len: int) -> float:
    if not text_len:
        return 0.0
    linked = sum(len(a.text_content()) for a in el.iter("a"))
    return linked / text_len


def _boilerplate_attrs(el: HtmlElement) -> bool:
    """True when the element's class/id names a boilerplate block (and it is not prose)."""
    kind = _boilerplate_names(el.get("class"), el.get("id"))
    if kind == "tool":
        text = el.text_content()
        return len(text.split()) < _PROSE_WORDS or _link_ratio(el, len(text)) >= _PROSE_LINK_RATIO
    return kind is not None


@functools.lru_cache(maxsize=8192)  # a site's pages share their class names
def _boilerplate_names(class_: str | None, id_: str | None) -> str | None:
    """"tool", "block" (other content) or None for a class/id pair."""
    if id_ and len(_WORD_SPLIT_RE.split(id_)) > _MAX_ID_WORDS:
        id_ = None  # a slug of the content ("sharing-with-a-single-developer"), not a component's name
    attrs = f"{class_ or ''} {id_ or ''}".lower()
    words = set(_WORD_SPLIT_RE.split(attrs))
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
    if words > _CONSENT_MAX_WORDS or not (_COOKIE_RE.search(norm) and _CONSENT_RE.search(norm)):
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
        if start and _cookie_hint(start):
            block = _consent_block(el, keep, page_chars)
            if block is not None:
                doomed.append((block, "cookie_notice"))
                continue
        if start and start.lstrip(_LEADING_PUNCT).startswith(_READ_ALSO_PREFIXES) and \
                _READ_ALSO_RE.match(normalize_for_match(start[:40])):
            block = _block_of(el)
            text_len = len(block.text_content())
            if _protected(block, keep, page_chars):
                block = el  # the label sits directly in the body text: drop only the label
            elif text_len > 600 and _link_ratio(block, text_len) < 0.5:
                block = el
            doomed.append((block, "read_also"))
            if len(collapse_ws(block.text_content()).split()) <= 4:
                follower = block.getnext()  # "اقرأ أيضاً" heading followed by a list of links
                if follower is not None and (follower.tag in ("ul", "ol") or _link_ratio(
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


def line_rule(line: str, norm: str | None = None) -> str | None:
    """The name of the rule that makes one extracted line boilerplate, or None.

    Args:
        line: One line of extracted text.
        norm: ``normalize_for_match(line)`` if the caller already has it.
    """
    norm = normalize_for_match(line) if norm is None else norm
    if not norm:
        return "empty"
    words = len(norm.split())
    for rule, limit, test in _LINE_RULES:
        if words <= limit and test(norm):
            return rule
    return None


def _is_policy(norm: str) -> bool:
    return bool(_POLICY_RE.search(norm) and _POLICY_HINT_RE.search(norm)) and (
        "موقع" in norm or "الموقع" in norm or "الصحيفة" in norm or "الجريدة" in norm
        or "اصحابها" in norm or "كاتبها" in norm or "نشرها" in norm)


def _is_masthead(norm: str) -> bool:
    labels = len(_MASTHEAD_RE.findall(norm))
    return labels >= 2 or (labels == 1 and bool(_MASTHEAD_START_RE.match(norm)))


# (rule, most words a line may have, test on the normalised line); each names a
# kind of site chrome, and the word limits keep ordinary sentences out of reach
_LINE_RULES = (
    ("read_also_line", 40, _READ_ALSO_RE.match),
    ("follow_us", 25, lambda n: bool(_FOLLOW_RE.search(n) and _PLATFORM_RE.search(n))),
    ("follow_us", 8, lambda n: n.startswith(("تابعونا", "تابعنا", "تابعوا"))),
    ("comment_policy", 80, _is_policy),
    ("copyright", 30, _COPYRIGHT_RE.search),
    ("share_line", 8, _SHARE_RE.match),
    ("contact_phone", 15, _PHONE_RE.search),
    ("weather_reading", 12, lambda n: bool(_WEATHER_RE.search(n) and _WEATHER_WORD_RE.search(n))),
    ("tag_list", 30, _TAGS_RE.match),
    ("view_counter", 15, _COUNTER_RE.search),
    ("comment_prompt", 10, _COMMENT_PROMPT_RE.match),
    ("cookie_notice", 60, lambda n: bool(_COOKIE_RE.search(n) and _CONSENT_RE.search(n))),
    ("editorial_credits", 40, _is_masthead),
)


def is_boilerplate_line(line: str, norm: str | None = None) -> bool:
    """True when a single extracted line is a known kind of boilerplate (see :func:`line_rule`)."""
    return line_rule(line, norm) is not None


def filter_lines(lines: list[str], removals: list[Removal] | None = None) -> list[str]:
    """Drop boilerplate lines and exact duplicates, keeping order.

    Args:
        lines: Extracted text lines.
        removals: If given, one :class:`Removal` per dropped line is appended.

    Returns:
        The lines worth keeping.
    """
    seen: set[str] = set()
    kept: list[str] = []
    for line in lines:
        line = collapse_ws(line)
        if not line:
            continue
        rule = None
        if line.count(" ") > 80:  # every boilerplate rule is for short lines
            key = line
        else:
            key = normalize_for_match(line)
            rule = line_rule(line, key)
        if rule is None and key in seen:
            rule = "duplicate"  # repeated captions and teasers
        if rule is not None:
            if removals is not None:
                removals.append(Removal(rule, "line", line))
            continue
        seen.add(key)
        kept.append(line)
    return kept
