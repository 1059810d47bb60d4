"""The search query parser: ``normalize_query`` turns what a reader types into FTS5.

Turns a query as typed into an FTS5 MATCH expression over the normalised index
(see ``archive.text`` for the normalisation and the clitic forms), within the
bounds of ``archive.search_limits``.
"""

from __future__ import annotations

import re

from archive.search_limits import (
    MAX_DEPTH,
    MAX_PREFIX_TERMS,
    MAX_QUERY_CHARS,
    MAX_TERMS,
    MIN_PREFIX_CHARS,
    QueryTooComplex,
)
from archive.text import clitic_forms, normalize_arabic

__all__ = ["normalize_query"]

_QUERY_TOKEN = re.compile(
    r"""
    (?P<phrase>"[^"]*"?\*?)                  # "quoted phrase", maybe unterminated
    | (?P<column>\b(?:title|text)\s*:)       # column filter
    | (?P<paren>[()])
    | (?P<op>\b(?:AND|OR|NOT)\b)              # FTS5 operators are upper case only
    | (?P<word>[^\s"()]+)
    """,
    re.VERBOSE,
)
_PARTS = re.compile(r"[^\W_]+")


def _quote(words: list[str], prefix: bool) -> str:
    return '"' + " ".join(words) + '"' + ("*" if prefix else "")


def _term(words: list[str], prefix: bool, *, expand: bool) -> str:
    """One query word or phrase (its normalised words) as FTS5 syntax."""
    if len(words) > 1 or not expand:
        return _quote(words, prefix)
    forms = clitic_forms(words[0])
    if len(forms) == 1:
        return _quote(forms, prefix)
    return "(" + " OR ".join(_quote([f], prefix) for f in forms) + ")"


class _QueryParser:
    """Recursive descent over FTS5's grammar that drops what it cannot place.

    Precedence as in FTS5: NOT binds tighter than AND, AND tighter than OR; words
    next to each other are ANDed. Stray operators and parentheses are ignored, so
    the output is always a valid MATCH expression (or empty). Repeated operands of
    one AND or OR are merged; a query over the limits of ``archive.search_limits``
    raises ``QueryTooComplex``.
    """

    def __init__(self, query: str, expand: bool):
        if len(query) > MAX_QUERY_CHARS:
            raise QueryTooComplex(f"a query has at most {MAX_QUERY_CHARS:,} characters")
        self.tokens = [(m.lastgroup, m.group()) for m in _QUERY_TOKEN.finditer(query)]
        self.pos = 0
        self.expand = expand
        self.depth = 0
        self.words: set[str] = set()
        self.prefixes: set[str] = set()
        self.seen: dict[str, str | None] = {}

    def term(self, raw: str, expand: bool) -> str | None:
        """A word or phrase as FTS5 syntax, None when nothing searchable is left."""
        if raw not in self.seen:  # a repeated word is normalised once
            self.seen[raw] = self.new_term(raw, expand)
        return self.seen[raw]

    def new_term(self, raw: str, expand: bool) -> str | None:
        prefix = raw.endswith("*")
        words = _PARTS.findall(normalize_arabic(raw.strip('"*')))
        if not words:
            return None
        self.words.update(words)
        if prefix:
            if len(words[-1]) < MIN_PREFIX_CHARS:
                raise QueryTooComplex(f"a prefix* has at least {MIN_PREFIX_CHARS} letters")
            self.prefixes.add(" ".join(words))
        if len(self.words) > MAX_TERMS:
            raise QueryTooComplex(f"a query has at most {MAX_TERMS} different words")
        if len(self.prefixes) > MAX_PREFIX_TERMS:
            raise QueryTooComplex(f"a query has at most {MAX_PREFIX_TERMS} prefix* terms")
        return _term(words, prefix, expand=expand)

    def nested(self):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise QueryTooComplex(
                f"a query nests parentheses and column filters at most {MAX_DEPTH} deep"
            )

    def peek(self) -> tuple[str | None, str]:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else (None, "")

    def parse(self) -> str:
        parts = []
        while self.pos < len(self.tokens):
            expr = self.parse_or()
            if expr:
                parts.append(expr)
            if self.peek() == ("paren", ")"):
                self.pos += 1  # unmatched
        return " AND ".join(dict.fromkeys(parts))

    def parse_or(self) -> str | None:
        parts = [self.parse_and()]
        while self.peek() == ("op", "OR"):
            self.pos += 1
            parts.append(self.parse_and())
        parts = list(dict.fromkeys(p for p in parts if p))
        return " OR ".join(parts) if parts else None

    def parse_and(self) -> str | None:
        parts = []
        while (kind := self.peek())[0] is not None and kind not in (
            ("op", "OR"),
            ("paren", ")"),
        ):
            if kind == ("op", "AND"):
                self.pos += 1
                continue
            part = self.parse_not()
            if part:
                parts.append(part)
        return " AND ".join(dict.fromkeys(parts)) if parts else None

    def parse_not(self) -> str | None:
        left = self.parse_primary()
        while self.peek() == ("op", "NOT"):
            self.pos += 1
            right = self.parse_primary()
            # FTS5 has no unary NOT: "NOT x" with nothing before it is dropped
            if left and right:
                left = f"{left} NOT {right}"
        return left

    def parse_primary(self) -> str | None:
        kind, text = self.peek()
        self.pos += 1
        if kind == "column":
            self.nested()
            inner = self.parse_primary()
            self.depth -= 1
            column = text.rstrip(":").strip()
            return f"{column} : {inner}" if inner else None
        if kind == "paren" and text == "(":
            self.nested()
            inner = self.parse_or()
            self.depth -= 1
            if self.peek() == ("paren", ")"):
                self.pos += 1
            return f"({inner})" if inner else None
        if kind == "phrase":
            return self.term(text, expand=False)
        if kind == "word":
            return self.term(text, expand=self.expand)
        return None  # an operator where a term belongs: skip it


def normalize_query(q: str, *, clitics: bool = True) -> str:
    """Turn a user query into an FTS5 MATCH expression over the normalised index.

    Words are normalised like the index and quoted (so ``-``, ``.`` or ``:`` in them
    never become FTS5 syntax). ``"quoted phrases"``, ``AND``/``OR``/``NOT``, a trailing
    ``*`` for prefixes, parentheses and ``title:``/``text:`` column filters keep their
    FTS5 meaning. With ``clitics``, a bare Arabic word also matches its forms with
    proclitics (``الحسكة`` → ``("الحسكه" OR "والحسكه" OR "بالحسكه" ...)``); phrases are
    matched as written. The result is idempotent: normalising it again changes nothing.

    Args:
        q: the query as typed.
        clitics: expand bare Arabic words with their proclitic forms.

    Returns:
        A valid FTS5 expression, or ``""`` when nothing searchable is left.

    Raises:
        QueryTooComplex: (a ValueError) for a query over the limits of
            ``archive.search_limits``: characters, different words, prefix terms,
            nesting. Repeated words are merged before they are counted.
    """
    return _QueryParser(q or "", clitics).parse()
