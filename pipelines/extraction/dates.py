"""Decide an article's publication and modification dates.

A wrong date is worse than none, so sources are ranked by how sure they are
and later ones are only consulted when earlier ones are silent:

1. Declared metadata: JSON-LD ``datePublished`` of the article object,
   ``article:published_time`` and its many cousins, ``itemprop`` and RDFa
   (``dc:date``), ``<time pubdate>``, and only then JSON-LD ``dateCreated``.
   These keep time and time zone; of one instant given in UTC and in the
   newsroom's offset, the local form is kept (its day is the page's day).
2. A full date in the URL (``/2013/8/3/``, ``/2020-06-03-``, and
   ``/2013/middle_east/8/3/`` where a section sits between year and month).
3. Dates written near the headline: the short text nodes that follow the
   ``<h1>`` (or, without one, the start of ``<article>``/``<main>``) and
   date-classed elements just above it. A node only counts when it is mostly
   the date itself (a dateline or "التاريخ: ..."), never a sentence of the
   story, and labels such as "آخر تحديث" send it to ``modified``. Page chrome
   before the headline (crawl-day dates in site headers) is not read.
   If it falls on the URL's day it adds the time of day; otherwise the URL
   date wins.

htmldate is deliberately not used (FINDINGS: wrong January 1st on Levantine
month names, and it reads crawl-day header dates as publication dates).
"""

from __future__ import annotations

import datetime as dt
import logging
import re

from lxml.html import HtmlElement

from .arabic import collapse_ws
from .arabic_dates import ParsedDate
from .datelines import zone_dates
from .declared import parse_declared
from .metadata import PageMeta

LOGGER = logging.getLogger(__name__)

_PUBLISHED_KEYS = (
    "article:published_time", "og:article:published_time", "article:published", "datepublished",
    "publishdate", "publish-date", "publish_date", "pubdate", "parsely-pub-date", "sailthru.date",
    "dc.date.issued", "dcterms.issued", "rnews:datepublished", "schema:datepublished",
    "dc.date", "dcterms.date", "dc:date", "dcterms:created", "dc.date.created", "dc:created",
    "article.published", "cxenseparse:recs:publishtime", "original-publish-date", "date",
)
_MODIFIED_KEYS = (
    "article:modified_time", "og:updated_time", "article:modified", "datemodified",
    "dc.date.modified", "dcterms.modified", "dcterms:modified", "schema:datemodified",
    "lastmod", "last-modified",
)
_URL_DATE_RES = (
    re.compile(r"(?<!\d)((?:19|20)\d{2})[/_-](\d{1,2})[/_-](\d{1,2})(?!\d)"),
    re.compile(r"/((?:19|20)\d{2})(\d{2})(\d{2})(?:[/_-]|$)"),
    re.compile(r"/((?:19|20)\d{2})/[a-z_-]{2,30}/(\d{1,2})/(\d{1,2})/"),
)


def _plausible(date: dt.date, fetched_at: dt.datetime | None) -> bool:
    ceiling = (fetched_at or dt.datetime.now(dt.timezone.utc)).date() + dt.timedelta(days=2)
    return dt.date(1995, 1, 1) <= date <= ceiling


def url_date(url: str) -> dt.date | None:
    """A full year-month-day found in the URL path, or None."""
    for regex in _URL_DATE_RES:
        m = regex.search(url or "")
        if m:
            try:
                return dt.date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                continue
    return None


def _declared(meta: PageMeta, tree: HtmlElement, keys: tuple[str, ...], ld_keys: tuple[str, ...],
              itemprop: str, fallback_ld_keys: tuple[str, ...] = ()) -> list[str]:
    """Declared values, most specific first; ``fallback_ld_keys`` only after every other one.

    JSON-LD ``dateCreated`` names when the work was created, which can precede
    its publication (a draft started the day before): a page's own
    ``article:published_time`` says more, so creation dates come last.
    """
    article = meta.article_ld
    others = [obj for obj in meta.jsonld if obj is not article]
    values = _ld_values([article] if article else [], ld_keys)
    values += meta.all(*keys)
    for el in tree.xpath(f"//*[@itemprop='{itemprop}']"):
        values.append(el.get("datetime") or el.get("content") or collapse_ws(el.text_content()))
    if itemprop == "datePublished":
        for el in tree.xpath("//time[@pubdate and @datetime]"):
            values.append(el.get("datetime"))
    values += _ld_values(others, ld_keys)
    values += _ld_values([article] if article else [], fallback_ld_keys)
    return values + _ld_values(others, fallback_ld_keys)


def _ld_values(objects: list[dict], keys: tuple[str, ...]) -> list[str]:
    return [obj[k] for obj in objects for k in keys if isinstance(obj.get(k), str)]


def _first_plausible(values: list[str], fetched_at: dt.datetime | None):
    """The first plausible value, in its local form when the page gives one.

    CMSes often declare one instant twice: in UTC (JSON-LD) and with the
    newsroom's offset (``article:published_time``). Near midnight the two
    fall on different days, and the local day is the one printed on the
    page, so a UTC value yields to a later value naming the same instant
    with a non-zero offset.
    """
    parsed_all = [p for p in map(parse_declared, values) if p and _plausible(p[1], fetched_at)]
    if not parsed_all:
        return None
    first = parsed_all[0]
    if first[2] is not None and first[2].utcoffset() == dt.timedelta(0):
        for other in parsed_all[1:]:
            when = other[2]
            if when is not None and when.utcoffset() and when == first[2]:
                return other
    return first


def _as_iso(parsed: ParsedDate) -> str:
    if parsed.time is None:
        return parsed.date.isoformat()
    return dt.datetime.combine(parsed.date, parsed.time).isoformat()


def find_publication_dates(tree: HtmlElement, meta: PageMeta, url: str, h1: HtmlElement | None,
                           fetched_at: dt.datetime | None = None) -> tuple[str | None, str | None]:
    """Publication and modification dates of a page.

    Args:
        tree: The parsed page (before boilerplate removal).
        meta: Its collected metadata.
        url: The page URL.
        h1: The headline element chosen by :func:`titles.pick_title`, if any.
        fetched_at: When the page was fetched (for relative dates and sanity).

    Returns:
        ``(published, modified)`` as ISO 8601 strings or None.
    """
    published = _first_plausible(
        _declared(meta, tree, _PUBLISHED_KEYS, ("datePublished",), "datePublished",
                  ("dateCreated", "uploadDate")), fetched_at)
    modified = _first_plausible(
        _declared(meta, tree, _MODIFIED_KEYS, ("dateModified",), "dateModified"), fetched_at)
    published_iso = published[0] if published else None
    zone_pub = zone_mod = None
    if published is None or modified is None:
        zone_pub, zone_mod = zone_dates(tree, h1, fetched_at)
    if published is None:
        from_url = url_date(url)
        if from_url and not _plausible(from_url, fetched_at):
            from_url = None
        if zone_pub and not _plausible(zone_pub.date, fetched_at):
            zone_pub = None
        if from_url and zone_pub and zone_pub.date == from_url:
            published_iso = _as_iso(zone_pub)
        elif from_url:
            published_iso = from_url.isoformat()
        elif zone_pub:
            published_iso = _as_iso(zone_pub)
    modified_iso = modified[0] if modified else (_as_iso(zone_mod) if zone_mod else None)
    if modified_iso and published_iso and _before(modified_iso, published_iso):
        LOGGER.debug("modified %s precedes published %s: dropped", modified_iso, published_iso)
        modified_iso = None
    return published_iso, modified_iso


def _before(first: str, second: str) -> bool:
    """True when ISO string ``first`` is earlier than ``second``."""
    a, b = parse_declared(first), parse_declared(second)
    if not a or not b:
        return False
    if a[2] and b[2] and (a[2].tzinfo is None) == (b[2].tzinfo is None):
        return a[2] < b[2]
    return a[1] < b[1]
