"""extract_article: bytes of one fetched page in, one flat record out.

Pipeline (the page is decoded and parsed once):

1. :func:`charset.decode_html` -> text; lxml parses it with trafilatura's own
   parser settings, so trafilatura sees the same tree it would build itself.
2. Metadata, title, dates and byline elements are read from the intact tree.
3. :func:`layout.unwrap_layout_tables` turns table-based page layouts into
   blocks (trafilatura's reading of the page as it is is kept for step 4);
   trafilatura extracts the body from that tree (``include_comments=False``;
   it copies the tree, it does not reparse), without its own metadata pass:
   htmldate's guesses are what this package replaces.
4. :func:`boilerplate.prune_tree` names related/share/widget/comment/consent
   blocks; :func:`harm.subtract` takes their text out of trafilatura's body, so
   nothing trafilatura keeps is lost without a named rule (the pruned blocks no
   longer change which container trafilatura picks). A lead block above the body
   that trafilatura left out is put back (:mod:`.lead`).
5. The text is post-filtered: the headline line, bylines, datelines and
   "المصدر:" lines at the top/end, leaked boilerplate lines and duplicates are
   removed. Every removal is recorded: :func:`explain_extraction`.

Every stage is guarded: a failure degrades one field, and garbage input gives
an empty, ``is_article=False`` record instead of an exception.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import threading
from typing import Any

import lxml.html
import trafilatura
from lxml.html import HtmlElement

from . import boilerplate, bylines, classify, datelines, dates, harm, layout, lead, linerules, metadata, titles
from .arabic import normalize_for_match
from .charset import decode_html
from .language import detect_language

LOGGER = logging.getLogger(__name__)

# Same options as trafilatura's internal parser (utils.HTML_PARSER); one per
# thread, since lxml parser objects keep state and pipelines may use a pool.
_LOCAL = threading.local()


def _parser() -> lxml.html.HTMLParser:
    parser = getattr(_LOCAL, "parser", None)
    if parser is None:
        parser = _LOCAL.parser = lxml.html.HTMLParser(
            collect_ids=False, default_doctype=False, encoding="utf-8", remove_comments=True,
            remove_pis=True)
        # Every element an HtmlElement, chosen in C: lxml.html's own lookup is a Python call
        # per element object created (~600 per page; the form element classes it adds are
        # not used here)
        parser.set_element_class_lookup(lxml.etree.ElementDefaultClassLookup(
            element=lxml.html.HtmlElement, comment=lxml.html.HtmlComment,
            pi=lxml.html.HtmlProcessingInstruction, entity=lxml.html.HtmlEntity))
    return parser
# What a feed, sitemap or JSON body starts with, once leading whitespace, an XML
# declaration and comments are skipped (by _skip_preamble: a regex that skips a
# run of comments backtracks exponentially on pages carrying dozens of them).
_NOT_HTML_START_RE = re.compile(r"<(?:rss|feed|urlset|sitemapindex|rdf:RDF)\b|[{\[]", re.IGNORECASE)
_SPACE_RE = re.compile(r"\s*")
_EDGE_LINES = 4  # bylines/sources are looked for among this many lines at each end
_MAX_BYTES = 20_000_000  # larger bodies are not HTML pages worth parsing


def empty_record(encoding: str | None = None) -> dict[str, Any]:
    """The record returned for pages that yield nothing."""
    return {
        "title": None, "author": None, "source": None, "published": None, "modified": None,
        "text": "", "language": None, "section": None, "tags": [], "image": None,
        "canonical_url": None, "amp_url": None, "is_article": False, "word_count": 0,
        "encoding": encoding, "description": None,
    }


def _skip_preamble(html: str) -> int:
    """Offset of the first thing after leading whitespace, ``<?xml …?>`` and comments.

    Each step moves forward with ``str.find``, so the scan is linear in the page.
    """
    pos = _SPACE_RE.match(html).end()
    while True:
        if html.startswith("<!--", pos):
            end = html.find("-->", pos + 4)
            close = 3
        elif html.startswith("<?", pos):
            end = html.find(">", pos + 2)
            close = 1
        else:
            return pos
        if end < 0:
            return pos  # unterminated: let the parser decide
        pos = _SPACE_RE.match(html, end + close).end()


def parse_html(html: str) -> HtmlElement | None:
    """Parse decoded HTML once; None when it is not an HTML document.

    ``document_fromstring`` always yields an ``<html>`` root, also for pages
    that open with ``<?xml …?>``, a comment or a bare ``<head>``, where
    ``lxml.html.fromstring`` would take the fragment path. Feeds, sitemaps
    and JSON are not pages to extract.
    """
    if not html or not html.strip() or _NOT_HTML_START_RE.match(html, _skip_preamble(html)):
        return None
    try:
        tree = lxml.html.document_fromstring(html.encode("utf-8", "surrogatepass"), parser=_parser())
    except (lxml.etree.ParserError, ValueError, TypeError):
        return None
    if tree is None or not isinstance(tree.tag, str) or tree.find("body") is None:
        return None
    return tree


# trafilatura's second opinions (readability, jusText) cost a fifth of the extraction
# and only ever win on pages where its own pass found little text: ask for them only
# then (issue 8: 8.4 -> 6.6 ms/page on the farm, the same text on all its pages).
_FAST_ENOUGH_CHARS = 1500
# a layout-table page with more text gets no second run on the unwrapped tree (bounds
# the time of huge pages: one of 117,000 characters took 0.4 s per run)
_HUGE_PAGE_CHARS = 50_000


def _body_text(tree: HtmlElement, url: str) -> str:
    try:
        text = ""
        for fast in (True, False):
            # bare_extraction works on a copy of the tree: it can run twice
            doc = trafilatura.bare_extraction(tree, url=url or None, include_comments=False,
                                              with_metadata=False, fast=fast)
            text = (getattr(doc, "text", None) or "") if doc is not None else ""
            if len(text) >= _FAST_ENOUGH_CHARS:
                break
    except Exception:  # noqa: BLE001 - trafilatura bugs must not lose the record
        LOGGER.warning("trafilatura failed on %s", url, exc_info=True)
        return ""
    return text


def _trim_edges(lines: list[str], title: str | None, sites: list[str]) -> tuple[list[str], str | None, str | None]:
    """Drop the headline line and read bylines/sources at both ends of the body."""
    title_key = normalize_for_match(title or "")
    if title_key:  # the headline repeated at the top (sometimes after a kicker line)
        lines = [line for index, line in enumerate(lines)
                 if index >= 3 or normalize_for_match(line) != title_key]
    author = source = None
    edge = set(range(min(_EDGE_LINES, len(lines)))) | set(range(max(0, len(lines) - _EDGE_LINES), len(lines)))
    kept: list[str] = []
    for index, line in enumerate(lines):
        if index in edge:
            if datelines.is_dateline(line):
                continue  # the dateline is metadata (already read from the page)
            found_source = bylines.parse_source_line(line)
            if found_source:
                source = source or found_source
                continue
            name, remainder = bylines.parse_byline_line(line, sites)
            if name:
                author = author or name
                if remainder:
                    kept.append(remainder)
                continue
        kept.append(line)
    return kept, author, source


def _safe(func, *args, default=None, **kwargs):
    try:
        return func(*args, **kwargs)
    except Exception:  # noqa: BLE001 - one bad field must not lose the record
        LOGGER.warning("%s failed", getattr(func, "__name__", func), exc_info=True)
        return default


def extract_article(body: bytes, url: str, *, header_charset: str | None = None,
                    fetched_at: dt.datetime | None = None) -> dict[str, Any]:
    """Extract the article and its metadata from one fetched page.

    Args:
        body: Raw response body (content-decoded, not charset-decoded).
        url: The page URL (resolves relative links, URL dates, listing rules).
        header_charset: Charset from the HTTP ``Content-Type`` header, if any.
        fetched_at: When the page was fetched; resolves relative dates
            ("منذ ساعتين") and bounds implausible future dates.

    Returns:
        A dict with keys ``title, author, source, published, modified, text,
        language, section, tags, image, canonical_url, amp_url, is_article,
        word_count, encoding, description``. Never raises.
    """
    try:
        return _extract(body, url or "", header_charset, fetched_at)
    except Exception:  # noqa: BLE001 - the contract is "never raise"
        LOGGER.exception("extraction failed for %s", url)
        return empty_record()


def explain_extraction(body: bytes, url: str, *, header_charset: str | None = None) -> dict[str, Any]:
    """What extraction removed from one page's body, and why.

    Returns:
        ``{"text", "removed", "vetoed", "restored", "fallback_to_trafilatura"}``:
        each removal with its rule, element (``tag.class#id`` or ``line``),
        length and first characters (see :mod:`.harm`).
    """
    record, trace = trace_extraction(body, url, header_charset=header_charset)
    return {"text": record["text"], **trace.as_dict()}


def trace_extraction(body: bytes, url: str, *, header_charset: str | None = None
                     ) -> tuple[dict[str, Any], harm.Trace]:
    """:func:`extract_article`'s record and the :class:`harm.Trace` of its body."""
    trace = harm.Trace()
    try:
        return _extract(body, url or "", header_charset, None, trace), trace
    except Exception:  # noqa: BLE001 - same contract as extract_article
        LOGGER.exception("extraction failed for %s", url)
        return empty_record(), trace


def _harmless_body(tree: HtmlElement, url: str, h1: HtmlElement | None, trace: harm.Trace) -> list[str]:
    """trafilatura's body lines without the blocks the pruning rules name (see :mod:`.harm`)."""
    tables = _safe(layout.find_layout_tables, tree, default=[])
    if not tables or len(tree.text_content()) > _HUGE_PAGE_CHARS:
        reference, as_is = _body_text(tree, url), None  # one run, of the page as it is
    else:
        # trafilatura as it reads the page; trafilatura works on a copy, the tree stays intact
        as_is = _body_text(tree, url)
        _safe(layout.unwrap_layout_tables, tables, trace.layout)
        reference = _body_text(tree, url)
    _safe(boilerplate.prune_tree, tree, h1, trace.removals)
    lines = _safe(harm.subtract, reference, trace, default=reference.split("\n"))
    return _safe(harm.restore, lines, as_is, trace, default=lines) if as_is else lines


def _record_edges(before: list[str], after: list[str], title: str | None, trace: harm.Trace) -> None:
    kept = set(after)
    title_key = normalize_for_match(title or "")
    for line in before:
        if line not in kept:
            rule = ("headline" if normalize_for_match(line) == title_key
                    else "dateline" if datelines.is_dateline(line) else "byline_or_source")
            trace.removals.append(harm.Removal(rule, "line", line))


def _extract(body: bytes, url: str, header_charset: str | None,
             fetched_at: dt.datetime | None, trace: harm.Trace | None = None) -> dict[str, Any]:
    if not isinstance(body, (bytes, bytearray, memoryview)) or not body or len(body) > _MAX_BYTES:
        return empty_record()
    html, encoding = decode_html(bytes(body), header_charset)
    if "\x00" in html[:2000]:  # binary that happened to decode
        return empty_record(encoding)
    tree = parse_html(html)
    if tree is None:
        return empty_record(encoding)

    meta = _safe(metadata.collect, tree, url) or metadata.PageMeta(url=url)
    sites = _safe(meta.site_names, default=[])
    title, h1 = _safe(titles.pick_title, tree, meta, default=(None, None))
    published, modified = _safe(dates.find_publication_dates, tree, meta, url, h1, fetched_at,
                                default=(None, None))
    author = _safe(bylines.author_from_meta, meta, sites) or _safe(
        bylines.author_from_elements, tree, sites, h1)
    source = _safe(bylines.source_from_elements, tree)
    anchors = _safe(classify.anchor_texts, tree, default=set())

    trace = trace if trace is not None else harm.Trace()
    body_lines = _harmless_body(tree, url, h1, trace)
    body_lines = _safe(lead.with_lead, body_lines, h1, trace.restored, default=body_lines)
    lines, text_author, text_source = _safe(
        _trim_edges, body_lines, title, sites, default=(body_lines, None, None))
    _record_edges(body_lines, lines, title, trace)
    lines = _safe(linerules.filter_lines, lines, trace.removals, default=lines)
    text = "\n".join(line for line in lines if line)  # filter_lines already collapsed them
    author = author or text_author
    source = source or text_source

    record = empty_record(encoding)
    record.update({
        "title": title,
        "author": author,
        "source": source,
        "published": published,
        "modified": modified,
        "text": text,
        "language": detect_language(f"{title or ''}\n{text}", meta.lang),
        "section": _safe(metadata.section, meta),
        "tags": _safe(metadata.tags, meta, title, default=[]),
        "image": _safe(metadata.lead_image, meta),
        "canonical_url": _safe(metadata.canonical_url, meta),
        "amp_url": _safe(metadata.amp_url, meta),
        "word_count": len(text.split()),
        "description": _safe(metadata.description, meta),
    })
    record["is_article"] = bool(_safe(classify.is_article, meta, url, text, published=published,
                                      author=author, anchors=anchors, default=False))
    return record
