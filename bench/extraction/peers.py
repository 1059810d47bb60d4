"""Adapters that run each extractor on raw page bytes and return comparable fields.

Every adapter takes ``(body, url, header_charset)`` and returns a dict with
``text`` and, where the tool provides them, ``title``, ``author`` and
``date`` (YYYY-MM-DD or None). "trafilatura" runs ``bare_extraction`` with
its defaults plus ``with_metadata=True`` (so it has a title/author/date to
score); "trafilatura-text" is plain ``trafilatura.extract()``, the reference
for speed. ``SUPPORTS`` lists which fields a tool
provides at all: a field it lacks is reported as n/a rather than scored as a
free "null == null" hit. Each tool is run with its defaults, except where it
cannot work otherwise (noted per adapter).
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable
from typing import Any

LOGGER = logging.getLogger(__name__)

Adapter = Callable[[bytes, str, "str | None"], dict[str, Any]]

_BLOCKS = frozenset({"p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
                     "pre", "table", "tr", "section", "article", "figure", "figcaption", "br"})


def html_fragment_to_text(html: str) -> str:
    """Plain text of an HTML fragment, one line per block element."""
    import lxml.html

    if not html or not html.strip():
        return ""
    tree = lxml.html.fromstring(html)
    for el in tree.iter():
        if isinstance(el.tag, str) and el.tag in _BLOCKS:
            el.tail = "\n" + (el.tail or "")
    lines = (" ".join(line.split()) for line in tree.text_content().split("\n"))
    return "\n".join(line for line in lines if line)


def _date_str(value: Any) -> str | None:
    if not value:
        return None
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return text[:10]


def run_arshif(body: bytes, url: str, header_charset: str | None) -> dict[str, Any]:
    from pipelines.extraction import extract_article

    record = extract_article(body, url, header_charset=header_charset)
    return {"text": record["text"], "title": record["title"], "author": record["author"],
            "date": _date_str(record["published"])}


def run_trafilatura(body: bytes, url: str, header_charset: str | None) -> dict[str, Any]:
    import trafilatura

    # defaults, plus with_metadata so that title/author/date exist at all
    doc = trafilatura.bare_extraction(body, url=url, with_metadata=True)
    if doc is None:
        return {"text": ""}
    return {"text": doc.text or "", "title": doc.title, "author": doc.author, "date": _date_str(doc.date)}


def run_trafilatura_text(body: bytes, url: str, header_charset: str | None) -> dict[str, Any]:
    import trafilatura

    # trafilatura.extract() exactly as documented, text only: the speed reference
    return {"text": trafilatura.extract(body, url=url) or ""}


def run_readability(body: bytes, url: str, header_charset: str | None) -> dict[str, Any]:
    from readability import Document

    doc = Document(body, url=url)
    return {"text": html_fragment_to_text(doc.summary(html_partial=True)), "title": doc.short_title()}


_NEWSPAPER_CONFIG = None


def _newspaper_config():
    """newspaper4k config that never touches the network.

    By default it downloads images to pick a top image and lets tldextract
    fetch the public-suffix list; the benchmark is offline, so both are off
    (tldextract then uses its bundled snapshot).
    """
    global _NEWSPAPER_CONFIG
    if _NEWSPAPER_CONFIG is None:
        import newspaper
        import tldextract.tldextract

        tldextract.tldextract.TLD_EXTRACTOR = tldextract.tldextract.TLDExtract(suffix_list_urls=())
        config = newspaper.Config()
        config.fetch_images = False
        _NEWSPAPER_CONFIG = config
    return _NEWSPAPER_CONFIG


def run_newspaper(body: bytes, url: str, header_charset: str | None) -> dict[str, Any]:
    import newspaper

    from pipelines.extraction import decode_html

    # newspaper4k only takes decoded HTML; decoding with arshif's decoder is
    # identical to UTF-8 on UTF-8 pages and avoids penalising it for charsets.
    html, _encoding = decode_html(body, header_charset)
    article = newspaper.Article(url, config=_newspaper_config())
    article.download(input_html=html)
    article.parse()
    authors = article.authors or []
    return {"text": article.text or "", "title": article.title or None,
            "author": ", ".join(authors) if authors else None, "authors": authors,
            "date": _date_str(article.publish_date)}


def run_justext(body: bytes, url: str, header_charset: str | None) -> dict[str, Any]:
    import justext

    paragraphs = justext.justext(body, justext.get_stoplist("Arabic"))
    return {"text": "\n".join(p.text for p in paragraphs if not p.is_boilerplate)}


PEERS: dict[str, Adapter] = {
    "arshif": run_arshif,
    "trafilatura": run_trafilatura,
    "trafilatura-text": run_trafilatura_text,
    "readability": run_readability,
    "newspaper4k": run_newspaper,
    "justext": run_justext,
}
SUPPORTS: dict[str, frozenset[str]] = {
    "arshif": frozenset({"title", "author", "date"}),
    "trafilatura": frozenset({"title", "author", "date"}),
    "trafilatura-text": frozenset(),
    "readability": frozenset({"title"}),
    "newspaper4k": frozenset({"title", "author", "date"}),
    "justext": frozenset(),
}
_MODULES = {"arshif": "pipelines.extraction", "trafilatura": "trafilatura",
            "trafilatura-text": "trafilatura", "readability": "readability",
            "newspaper4k": "newspaper", "justext": "justext"}


def available(names: list[str]) -> list[str]:
    """The requested peers whose packages import, in the order given."""
    import importlib

    found = []
    for name in names:
        if name not in PEERS:
            LOGGER.warning("unknown extractor %r (known: %s)", name, ", ".join(PEERS))
            continue
        try:
            importlib.import_module(_MODULES[name])
        except Exception as err:  # noqa: BLE001 - a missing peer is skipped, not fatal
            LOGGER.warning("skipping %s: %s (pip install -e .[bench])", name, err)
            continue
        found.append(name)
    return found


def run_peer(name: str, body: bytes, url: str, header_charset: str | None) -> dict[str, Any]:
    """Run one peer; a crash counts as an empty result, not a benchmark failure."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # peers warn about time zones, encodings, ...
        try:
            return PEERS[name](body, url, header_charset)
        except Exception as err:  # noqa: BLE001
            LOGGER.warning("%s failed on %s: %s", name, url, err)
            return {"text": "", "error": str(err)}
