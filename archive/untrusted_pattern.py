"""An ``article_pattern`` read from a WARC file's warcinfo, matched under a time limit.

``arshif reindex`` takes each site's ``article_pattern`` from the WARC files (the crawl
wrote its config there). Those bytes are untrusted: Python's ``re`` cannot be
interrupted, and one pattern that backtracks (``(a|aa)+$``) on one URL would hold the
rebuild forever. Such a pattern is compiled with the ``regex`` module (``re``'s syntax)
and each search stops after ``SEARCH_SECONDS``: a URL it cannot decide counts as not
matching, and is logged; after ``MAX_TIMEOUTS`` such URLs the pattern matches nothing
more, so a hostile file costs seconds, not hours. Patterns over ``MAX_PATTERN_LENGTH``
characters are refused.
"""

from __future__ import annotations

import logging

import regex

logger = logging.getLogger(__name__)

MAX_PATTERN_LENGTH = 1000
SEARCH_SECONDS = 0.05
MAX_TIMEOUTS = 20


class UntrustedPattern:
    """Stands in for a compiled ``re`` pattern (``search`` only), each search time-limited."""

    def __init__(self, pattern: str) -> None:
        if len(pattern) > MAX_PATTERN_LENGTH:
            raise ValueError(f"article_pattern of {len(pattern):,} characters (limit {MAX_PATTERN_LENGTH})")
        try:
            self._compiled = regex.compile(pattern, flags=regex.VERSION0)
        except regex.error as error:
            raise ValueError(f"article_pattern is not a valid regex: {error}") from None
        self.pattern = pattern
        self.timeouts = 0

    def search(self, text: str):
        if self.timeouts >= MAX_TIMEOUTS:
            return None
        try:
            return self._compiled.search(text, timeout=SEARCH_SECONDS)
        except TimeoutError:
            self.timeouts += 1
            if self.timeouts == 1:
                logger.warning("article_pattern %r took over %s s on %.200s: counted as not matching "
                               "(and so on every later URL it cannot decide in time)",
                               self.pattern, SEARCH_SECONDS, text)
            return None
