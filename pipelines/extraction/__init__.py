"""Article extraction for arshif: pure functions, no Scrapy.

Public API (other stages depend on exactly these two names)::

    from pipelines.extraction import extract_article, decode_html

    text, encoding = decode_html(body, header_charset)
    record = extract_article(body, url, header_charset=..., fetched_at=...)

See :mod:`pipelines.extraction.core` for the record's fields and the
pipeline, and each module's docstring for the rules it applies.
"""

from __future__ import annotations

from .charset import decode_html
from .core import explain_extraction, extract_article

__all__ = ["decode_html", "explain_extraction", "extract_article"]
