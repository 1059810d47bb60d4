"""Read a page's declared metadata in one pass: meta tags, RDFa, JSON-LD, links.

The other modules (titles, dates, bylines, classify) ask :class:`PageMeta`
instead of re-walking the tree, so the tree is scanned once for metadata.
Simple derived fields (canonical/AMP URL, image, description, section, tags)
live here too; each one takes the most specific declaration first
(``article:*`` / JSON-LD of the article object) and falls back to generic ones.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml.html import HtmlElement

from .arabic import collapse_ws, normalize_for_match

LOGGER = logging.getLogger(__name__)

ARTICLE_TYPES = frozenset({
    "article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle",
    "opinionnewsarticle", "backgroundnewsarticle", "reviewnewsarticle", "blogposting",
    "liveblogposting", "report", "askpublicnewsarticle", "satiricalarticle",
})
LISTING_TYPES = frozenset({"collectionpage", "itemlist", "searchresultspage", "profilepage"})

_TRAILING_COMMA_RE = re.compile(r",\s*([}\]])")
# Templates wrap JSON-LD as if it were inline script in XHTML: "<![CDATA[ … ]]>",
# "//<![CDATA[ … //]]>", "/*<![CDATA[*/ … /*]]>*/", or an HTML comment "<!-- … -->".
# Anchored at the start, and matched on a short tail at the end: linear on any script.
_WRAP_OPEN_RE = re.compile(r"^\s*(?:(?://|/\*)?\s*<!\[CDATA\[\s*(?:\*/)?|<!--)")
_WRAP_CLOSE_RE = re.compile(r"(?:(?://|/\*)?\s*\]\]>\s*(?:\*/)?|-->)\s*$")
_TAIL = 40
_TAG_SPLIT_RE = re.compile(r"\s*[,،;؛|]\s*")


def _types(obj: dict) -> set[str]:
    raw = obj.get("@type")
    items = raw if isinstance(raw, list) else [raw]
    return {str(t).rsplit("/", 1)[-1].lower() for t in items if t}


def _unwrap(text: str) -> str:
    """The JSON inside a script's CDATA/comment wrapper, and without a trailing ";"."""
    text = _WRAP_OPEN_RE.sub("", text, count=1).rstrip()
    head, tail = text[:-_TAIL], text[-_TAIL:]
    return (head + _WRAP_CLOSE_RE.sub("", tail, count=1)).strip().rstrip(";")


def _load_json(text: str) -> Any:
    text = _unwrap(text)
    try:
        return json.loads(text, strict=False)
    except ValueError:
        # CMS templates often leave trailing commas after the last field
        try:
            return json.loads(_TRAILING_COMMA_RE.sub(r"\1", text), strict=False)
        except ValueError:
            LOGGER.debug("unparsable JSON-LD block skipped")
            return None


def _flatten(data: Any, out: list[dict]) -> None:
    if isinstance(data, list):
        for item in data:
            _flatten(item, out)
    elif isinstance(data, dict):
        out.append(data)
        if "@graph" in data:
            _flatten(data["@graph"], out)


def ld_text(value: Any) -> str | None:
    """A JSON-LD value as text: strings as-is, objects by name/url, lists by first."""
    if isinstance(value, list):
        for item in value:
            text = ld_text(item)
            if text:
                return text
        return None
    if isinstance(value, dict):
        value = value.get("name") or value.get("url") or value.get("@id") or value.get("@value")
    if isinstance(value, (str, int, float)):
        text = collapse_ws(str(value))
        return text or None
    return None


@dataclass
class PageMeta:
    """Metadata declared by one page.

    Attributes:
        url: The page URL as fetched (base for relative links).
        metas: ``<meta>``/RDFa values keyed by lowercased name, property,
            itemprop or http-equiv, in document order.
        jsonld: Every JSON-LD object, ``@graph`` flattened.
        links: ``<link>`` hrefs keyed by lowercased rel token.
        lang: The ``<html lang>`` attribute, if any.
        title_tag: Text of ``<title>``.
    """

    url: str
    metas: dict[str, list[str]] = field(default_factory=dict)
    jsonld: list[dict] = field(default_factory=list)
    links: dict[str, list[str]] = field(default_factory=dict)
    lang: str | None = None
    title_tag: str | None = None

    def first(self, *keys: str) -> str | None:
        """First non-empty value among the given meta keys, in key order."""
        for key in keys:
            for value in self.metas.get(key, ()):
                if value:
                    return value
        return None

    def all(self, *keys: str) -> list[str]:
        """All non-empty values of the given meta keys."""
        return [v for key in keys for v in self.metas.get(key, ()) if v]

    def resolve(self, value: Any) -> Any:
        """Replace a bare JSON-LD reference ``{"@id": ...}`` by the object it names.

        Yoast/WordPress graphs give ``"author": {"@id": ".../#/schema/person/x"}``
        and put the Person, with its name, elsewhere in the graph.
        """
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if isinstance(value, dict) and "@id" in value and "name" not in value:
            for obj in self.jsonld:
                if obj is not value and obj.get("@id") == value["@id"] and "name" in obj:
                    return obj
        return value

    @property
    def ld_types(self) -> set[str]:
        """Lowercased ``@type`` names of all JSON-LD objects."""
        found: set[str] = set()
        for obj in self.jsonld:
            found |= _types(obj)
        return found

    @property
    def article_ld(self) -> dict | None:
        """The first JSON-LD object typed as an article, if any."""
        for obj in self.jsonld:
            if _types(obj) & ARTICLE_TYPES:
                return obj
        return None

    def absolute(self, href: str | None) -> str | None:
        """Resolve ``href`` against the page URL; only http(s) results are kept."""
        if not href:
            return None
        try:
            resolved = urljoin(self.url or "", href.strip())
        except ValueError:
            return None
        return resolved if urlsplit(resolved).scheme in ("http", "https") else None

    def site_names(self) -> list[str]:
        """Names the site calls itself (og:site_name, publisher, app name)."""
        names = self.all("og:site_name") + self._app_names()
        twitter = self.first("twitter:site")
        if twitter:
            names.append(twitter.lstrip("@"))
        for obj in self.jsonld:
            if _types(obj) & {"organization", "newsmediaorganization", "website"}:
                names.append(ld_text(obj.get("name")) or "")
            publisher = self.resolve(obj.get("publisher"))
            if publisher:
                names.append(ld_text(publisher) or "")
        seen, out = set(), []
        for name in names:
            key = normalize_for_match(name)
            if key and key not in seen and not key.startswith("http"):
                seen.add(key)
                out.append(collapse_ws(name))
        return out

    def _app_names(self) -> list[str]:
        """``application-name``-style names, unless they merely repeat the page's title.

        Some CMSes (MSN, Yahoo) fill ``application-name`` with each page's
        headline; taken for the site's name, it would veto the real title. When
        ``og:site_name`` names the site, an app name equal to a declared title is
        the page's, not the site's.
        """
        apps = self.all("application-name", "apple-mobile-web-app-title")
        if not self.first("og:site_name"):
            return apps
        titles = {normalize_for_match(t) for t in
                  (self.first("og:title"), self.first("twitter:title"), self.title_tag) if t}
        return [name for name in apps if normalize_for_match(name) not in titles]


def _in_head(el: HtmlElement) -> bool:
    # <svg><title> icons in the body must not be read as the page title
    parent = el.getparent()
    return parent is not None and parent.tag in ("head", "html")


def collect(tree: HtmlElement, url: str) -> PageMeta:
    """Scan a parsed page once for declared metadata.

    Args:
        tree: The parsed document (lxml.html).
        url: The page URL.

    Returns:
        A :class:`PageMeta`.
    """
    meta = PageMeta(url=url or "")
    meta.lang = (tree.get("lang") or tree.get("xml:lang") or "").strip() or None
    for el in tree.iter("meta", "link", "script", "title"):
        tag = el.tag
        if tag == "meta":
            content = el.get("content")
            if content is None:
                continue
            for attr in ("property", "name", "itemprop", "http-equiv"):
                for key in (el.get(attr) or "").lower().split():
                    meta.metas.setdefault(key, []).append(collapse_ws(content))
        elif tag == "link":
            href = el.get("href")
            for rel in (el.get("rel") or "").lower().split():
                if href:
                    meta.links.setdefault(rel, []).append(href)
        elif tag == "script":
            if (el.get("type") or "").lower().strip() == "application/ld+json" and el.text:
                _flatten(_load_json(el.text), meta.jsonld)
        elif meta.title_tag is None and el.text and _in_head(el):
            meta.title_tag = collapse_ws(el.text_content())
    # RDFa outside <meta> (e.g. <span property="dc:date" content="...">)
    for el in tree.xpath("//body//*[@property and @content]"):
        for key in el.get("property").lower().split():
            meta.metas.setdefault(key, []).append(collapse_ws(el.get("content")))
    return meta


def canonical_url(meta: PageMeta) -> str | None:
    """Absolute canonical URL from rel=canonical, else og:url."""
    for href in meta.links.get("canonical", []) + meta.all("og:url"):
        resolved = meta.absolute(href)
        if resolved:
            return resolved
    return None


def amp_url(meta: PageMeta) -> str | None:
    """Absolute URL of the AMP version, if declared."""
    for href in meta.links.get("amphtml", []):
        resolved = meta.absolute(href)
        if resolved:
            return resolved
    return None


def lead_image(meta: PageMeta) -> str | None:
    """Lead image URL: og:image, twitter:image, JSON-LD image, rel=image_src."""
    candidates = meta.all("og:image", "og:image:url", "og:image:secure_url", "twitter:image",
                          "twitter:image:src")
    article = meta.article_ld
    if article:
        image = article.get("image") or article.get("thumbnailUrl")
        if isinstance(image, dict) and "@list" in image:
            image = image["@list"]
        text = ld_text(image)
        if text:
            candidates.append(text)
    candidates += meta.links.get("image_src", [])
    for candidate in candidates:
        resolved = meta.absolute(candidate)
        if resolved:
            return resolved
    return None


def description(meta: PageMeta) -> str | None:
    """The page's own summary (og:description, description, JSON-LD)."""
    text = meta.first("og:description", "description", "twitter:description")
    if not text and meta.article_ld:
        text = ld_text(meta.article_ld.get("description"))
    return text or None


def section(meta: PageMeta) -> str | None:
    """Section/category the article is filed under."""
    text = meta.first("article:section", "section", "parsely-section", "cxenseparse:recs:category")
    if not text and meta.article_ld:
        text = ld_text(meta.article_ld.get("articleSection"))
    return text or None


def tags(meta: PageMeta, title: str | None) -> list[str]:
    """Tags/keywords, deduplicated; keyword lists that merely repeat the title are dropped."""
    raw: list[str] = meta.all("article:tag", "news_keywords", "parsely-tags")
    article = meta.article_ld
    if article and article.get("keywords"):
        keywords = article["keywords"]
        raw += keywords if isinstance(keywords, list) else [str(keywords)]
    raw += meta.all("keywords")
    title_key = normalize_for_match(title or "")
    seen: set[str] = set()
    out: list[str] = []
    for chunk in raw:
        for tag in _TAG_SPLIT_RE.split(str(chunk)):
            tag = collapse_ws(tag)
            key = normalize_for_match(tag)
            if not key or key in seen or len(tag) > 60 or (title_key and key in title_key and
                                                               len(key) > 0.6 * len(title_key)):
                continue
            seen.add(key)
            out.append(tag)
    return out[:50]
