"""Bounds on what one search may ask of the archive (issue 16, item 6).

A query is parsed in Python and then evaluated by FTS5, neither of which a time
limit fully covers: the parser holds the GIL (it runs on Datasette's event loop or
inside a SQL function), and every clitic-expanded word becomes ~24 phrases FTS5
reads doclists for. 500 copies of one common word took 78 s on a 20,000-article
archive; a 23-digit page number or 2,000 nested parentheses answered 500. So a
query is refused (``QueryTooComplex``, a ``ValueError``: HTTP 400, a CLI usage
error) before any work when it is longer, deeper or wider than below; repeated
terms are merged by the parser first, so they cost nothing.
"""

from __future__ import annotations

__all__ = [
    "MAX_DEPTH",
    "MAX_PAGE",
    "MAX_PREFIX_TERMS",
    "MAX_QUERY_CHARS",
    "MAX_TERMS",
    "MIN_PREFIX_CHARS",
    "SQLITE_MAX_INT",
    "QueryTooComplex",
    "sqlite_int",
]

# A pasted paragraph fits; parsing this many characters takes ~20 ms
MAX_QUERY_CHARS = 4_000
# Distinct words, those inside "phrases" included, after merging repeats
MAX_TERMS = 64
# A prefix term scans every index term it starts (x24 with clitic forms): the
# costliest kind, 1-3 s each for a short prefix on 20,000 articles
MAX_PREFIX_TERMS = 4
# "ا*" reads the doclist of nearly every term in the index: 10-20 s
MIN_PREFIX_CHARS = 2
# Nested parentheses and column filters; the parser recurses on each
MAX_DEPTH = 16
# 20 hits a page: 20,000 results is more than a reader pages through, and an
# OFFSET beyond that is a linear scan for nothing
MAX_PAGE = 1_000
SQLITE_MAX_INT = 2**63 - 1


class QueryTooComplex(ValueError):
    """A query over the limits above; the message says which and what to do."""


def sqlite_int(text: str | int) -> int | None:
    """``text`` as an int SQLite can bind, None when out of range (or not a number)."""
    try:
        value = int(text)
    except (TypeError, ValueError):  # ValueError also beyond 4,300 digits
        return None
    return value if -SQLITE_MAX_INT - 1 <= value <= SQLITE_MAX_INT else None
