"""Tell article pages from listing, tag, author, search and home pages.

The rule is conservative: a page is an article only on positive evidence,
and a few strong listing signals veto everything else.

Vetoes (any one gives ``False``):

* extracted text under 40 words;
* a URL that is a home page ("/", "/index.php", "/ar/") or a tag, author,
  search or paging URL (``/tag/``, ``/author/``, ``/search``, ``?s=``,
  ``/page/2``); ``/category/``, ``/archive/`` and ``/section/`` (as directories or as
  scripts such as ``Section.aspx``) veto too unless JSON-LD or
  og:type says article *and* the text is long (some CMSes put a category
  word in article URLs);
* JSON-LD typed only as CollectionPage/ItemList/SearchResultsPage/ProfilePage;
* the extracted text is made of teaser headlines: five or more of its lines
  are the text of links on the page, or such lines hold 35% of its words.
  Article bodies rarely contain whole headline links once the related boxes
  are pruned; listings consist of them.

Otherwise points: declared article type (og:type=article or JSON-LD
NewsArticle/Article/...) +2, a publication date +1, an author +1, 120+ words
+1, 300+ words +1, og:type=website -1. Two points make an article, so a long
untagged story with a date passes, while a short page with nothing but text
does not.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

from lxml.html import HtmlElement

from .metadata import ARTICLE_TYPES, LISTING_TYPES, PageMeta

# Never an article, whatever the page declares.
_LISTING_PATH_RE = re.compile(
    r"/(?:tags?|authors?|writers?|search|page/\d+|وسم|كاتب)(?:/|$)", re.IGNORECASE)
# Usually a listing, but some CMSes put these words in article URLs too.
# A directory or a script of that name: /category/x/, /Section.aspx?SecID=3, /archive.php?c=2
_SOFT_LISTING_PATH_RE = re.compile(
    r"/(?:categor(?:y|ies)|archives?|sections?|تصنيف|قسم)(?:/|\.(?:aspx?|php\d?|html?|jsp)$|$)", re.IGNORECASE)
_LISTING_QUERY_RE = re.compile(r"(?:^|&)(?:s|q|search|query|tag|cat|page)=", re.IGNORECASE)
_HOME_PATH_RE = re.compile(r"^/?(?:[a-z]{2}/?)?(?:index\.(?:html?|php|aspx?))?$", re.IGNORECASE)


def anchor_texts(tree: HtmlElement) -> set[str]:
    """Whitespace-collapsed texts of headline-like links (three words or more)."""
    texts: set[str] = set()
    for a in tree.iter("a"):
        words = a.text_content().split()
        if len(words) >= 3:
            texts.add(" ".join(words))
    return texts


def listing_url(url: str) -> str | None:
    """"hard" for home/tag/author/search/paging URLs, "soft" for category/archive, else None."""
    try:
        parts = urlsplit(url or "")
    except ValueError:
        return None
    path = unquote(parts.path or "/")
    if (_HOME_PATH_RE.match(path) and not parts.query) or _LISTING_PATH_RE.search(path) or \
            _LISTING_QUERY_RE.search(parts.query):
        return "hard"
    return "soft" if _SOFT_LISTING_PATH_RE.search(path) else None


def is_article(meta: PageMeta, url: str, text: str, *, published: str | None,
               author: str | None, anchors: set[str]) -> bool:
    """Decide whether a page is an article (see the module docstring).

    Args:
        meta: The page's declared metadata.
        url: The page URL.
        text: The cleaned extracted text.
        published: Publication date found, if any.
        author: Author found, if any.
        anchors: Output of :func:`anchor_texts` for the page.

    Returns:
        True for an article page.
    """
    words = len(text.split())
    if words < 40:
        return False
    ld_types = meta.ld_types
    og_type = (meta.first("og:type") or "").lower()
    declared_article = bool(ld_types & ARTICLE_TYPES) or og_type == "article"
    kind = listing_url(url)
    if kind == "hard" or (kind == "soft" and not (declared_article and words >= 150)):
        return False
    if ld_types & LISTING_TYPES and not ld_types & ARTICLE_TYPES:
        return False

    linked_lines = linked_words = 0
    for line in text.split("\n"):
        tokens = line.split()
        if " ".join(tokens) in anchors:
            linked_lines += 1
            linked_words += len(tokens)
    if linked_lines >= 5 or linked_words >= 0.35 * words:
        return False

    score = 2 if declared_article else 0
    score += 1 if published else 0
    score += 1 if author else 0
    score += 1 if words >= 120 else 0
    score += 1 if words >= 300 else 0
    score -= 1 if og_type == "website" else 0
    return score >= 2

