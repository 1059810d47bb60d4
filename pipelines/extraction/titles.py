"""Choose the article title and strip the site name from it.

Order: an ``<h1>`` that agrees with the declared titles (og:title, JSON-LD
headline, ``<title>``) is the cleanest source; otherwise og:title, the
JSON-LD headline, ``<title>``, and finally a lone ``<h1>``. Declared titles
usually carry the site name (" - الفرات اليوم", " | عنب بلدي",
"CNNArabic.com"), so a leading or trailing segment after a separator is
removed when it names the site: it matches og:site_name/publisher, contains
the host name, is Latin next to an Arabic title, sits behind a pipe, or is a
short segment with a media word ("اليوم", "نيوز", "موقع", ...). A separator
inside the headline itself ("دمشق - حلب") survives because its segments match
none of these.

The chosen ``<h1>`` element is returned too: date and byline searches start
from it.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from lxml.html import HtmlElement

from .arabic import collapse_ws, is_mostly_latin, normalize_for_match
from .metadata import PageMeta

_SEP_RE = re.compile(r"(\s+(?:[-–—»«•·~/]|::)\s+|\s*[|｜]\s*)")
_MEDIA_WORDS = frozenset({
    "اليوم", "نيوز", "news", "موقع", "جريدة", "صحيفة", "شبكة", "وكالة", "قناة", "tv", "نت",
    "net", "الاخبارية", "الاخباري", "اخبار", "بوست", "post", "times", "تايمز", "اونلاين", "online",
    "24", "press", "برس", "ميديا", "media", "مجلة", "تلفزيون", "بلدي", "website", "site", "blog",
    "مدونة",
})
_IGNORED_HOST_LABELS = frozenset({"www", "com", "net", "org", "info", "news", "html", "amp", "ar", "m"})


def _host_labels(url: str) -> list[str]:
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return []
    return [lab for lab in host.lower().split(".") if len(lab) >= 3 and lab not in _IGNORED_HOST_LABELS]


def _is_site_segment(part: str, sep: str, rest: str, site_keys: list[str], hosts: list[str]) -> bool:
    key = normalize_for_match(part)
    if not key:
        return True
    for site in site_keys:
        if key == site or site in key or (len(key) >= 3 and key in site):
            return True
    compact = key.replace(" ", "")
    if any(host in compact for host in hosts):
        return True
    words = key.split()
    if sep.strip() in ("|", "｜") and len(words) <= 5 and len(rest) > len(part):
        return True
    if is_mostly_latin(part) and not is_mostly_latin(rest):
        return True
    return len(words) <= 3 and any(w in _MEDIA_WORDS or w.lstrip("و") in _MEDIA_WORDS for w in words)


def strip_site_name(title: str, site_names: list[str], url: str = "") -> str:
    """Remove site-name prefixes/suffixes from a declared title.

    Args:
        title: A title as declared by the page.
        site_names: Names the site uses for itself (og:site_name, publisher).
        url: Page URL; its host name also identifies the site.

    Returns:
        The title without the site-name segments (never empty if the input
        had text).
    """
    title = collapse_ws(title)
    pieces = _SEP_RE.split(title)
    if len(pieces) < 3:
        return title
    parts, seps = pieces[0::2], pieces[1::2]
    site_keys = [normalize_for_match(s) for s in site_names if s and len(s.strip()) > 1]
    hosts = _host_labels(url)
    changed = True
    while changed and len(parts) > 1:
        changed = False
        rest = _join(parts[:-1], seps[:-1])
        if len(rest.split()) >= 2 and _is_site_segment(parts[-1], seps[-1], rest, site_keys, hosts):
            parts, seps = parts[:-1], seps[:-1]
            changed = True
            continue
        rest = _join(parts[1:], seps[1:])
        if len(rest.split()) >= 2 and _is_site_segment(parts[0], seps[0], rest, site_keys, hosts):
            parts, seps = parts[1:], seps[1:]
            changed = True
    return collapse_ws(_join(parts, seps)) or title


def _join(parts: list[str], seps: list[str]) -> str:
    """Rebuild a title from segments and the separators between them."""
    return parts[0] + "".join(sep + part for sep, part in zip(seps, parts[1:]))


def _without_an_end(title: str) -> list[str]:
    """A declared title without its last segment, and without its first.

    "New Zealand - Wikipedia" with an ``<h1>`` "New Zealand": the site's name
    is unknown (no og:site_name, no URL), but the headline printed on the page
    is the declared title minus one end segment, so the two agree.
    """
    pieces = _SEP_RE.split(collapse_ws(title))
    if len(pieces) < 3:
        return []
    parts, seps = pieces[0::2], pieces[1::2]
    return [_join(parts[:-1], seps[:-1]), _join(parts[1:], seps[1:])]


def _agrees(h1_key: str, declared_keys: list[str]) -> bool:
    for key in declared_keys:
        if not key:
            continue
        if h1_key == key:
            return True
        short, long_ = sorted((h1_key, key), key=len)
        if short in long_ and len(short) >= 0.6 * len(long_):
            return True
    return False


def _headline_in_body(tree: HtmlElement, declared: list[str]) -> tuple[str, HtmlElement] | None:
    """Find the headline of a page without a usable ``<h1>``.

    Table-era portals print the headline in ``<b>``/``<font>``/``<td>`` and
    prefix ``<title>`` with the site name ("صدى الخابور :: ..."), a name no
    rule can recognise. The declared title, or its longest segment of three
    words or more, that is also the whole text of an element in the body is
    the headline, and that element anchors the date/byline search. Text
    inside links is skipped: there the headline is a teaser in a sidebar.
    """
    candidates: list[str] = []
    for title in declared:
        pieces = _SEP_RE.split(collapse_ws(title))
        candidates.append(collapse_ws(title))
        candidates += sorted((p for p in pieces[0::2] if len(p.split()) >= 3), key=len, reverse=True)
    body = tree.find("body")
    if body is None:
        return None
    nodes: dict[str, Any] = {}
    # a headline inside a link is a teaser (the page linking to itself in a
    # "latest news" box), so text outside links is preferred
    for text in body.xpath(".//text()[string-length(normalize-space()) > 10][not(ancestor::a)]"):
        nodes.setdefault(normalize_for_match(text), text)
    for candidate in candidates:  # the whole title first, then its longest segments
        text = nodes.get(normalize_for_match(candidate))
        if text is not None and text.getparent() is not None:
            return collapse_ws(text), text.getparent()
    return None


def pick_title(tree: HtmlElement, meta: PageMeta) -> tuple[str | None, HtmlElement | None]:
    """Choose the title and the headline element.

    Args:
        tree: The parsed page.
        meta: Its collected metadata.

    Returns:
        ``(title, h1_element)``; either may be None.
    """
    sites = meta.site_names()
    article = meta.article_ld or {}
    declared = [
        meta.first("og:title"),
        meta.first("twitter:title"),
        article.get("headline") if isinstance(article.get("headline"), str) else None,
        meta.title_tag,
    ]
    site_keys = {normalize_for_match(site) for site in sites}
    # some CMSes put the bare site name in og:title on every page
    declared = [t for t in declared if t and normalize_for_match(t) not in site_keys]
    cleaned = [strip_site_name(t, sites, meta.url) for t in declared]
    declared_keys = [normalize_for_match(t) for t in cleaned] + [
        normalize_for_match(t) for t in declared if t]
    segment_keys = [normalize_for_match(t) for title in declared for t in _without_an_end(title)]

    h1s = []
    for h1 in tree.iter("h1"):
        text = collapse_ws(h1.text_content())
        if 2 <= len(text) <= 400:
            h1s.append((text, h1))
        if len(h1s) >= 10:
            break
    for text, h1 in h1s:
        key = normalize_for_match(text)
        if _agrees(key, declared_keys) or (len(key.split()) >= 2 and key in segment_keys):
            return text, h1
    h1 = h1s[0][1] if len(h1s) == 1 else None
    if h1 is None:
        found = _headline_in_body(tree, [t for t in declared if t])
        if found:
            return found
    if cleaned:
        return cleaned[0], h1
    for text, h1 in h1s:
        if len(text.split()) >= 3:
            return text, h1
    return None, None
