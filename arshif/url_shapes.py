"""URL shapes: generalise sample article URLs into an ``article_pattern`` regex.

A URL's shape is a tuple of regex tokens, one per path segment plus one per
query parameter ("?key=token"); shapes are compared, merged and then joined.
Used by ``arshif add-site`` (arshif/onboard.py).
"""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import parse_qsl, urlsplit

_SLUG = re.compile(r"[-_+].*[-_+]|%[0-9a-f]{2}|[^\x00-\x7f]", re.I)
_SPECIAL = re.compile(r"([.^$*+?{}\[\]\\|()])")
ANY = "[^/]+"


def _literal(text: str) -> str:
    return _SPECIAL.sub(r"\\\1", text)


def _token(segment: str, anything: str = ANY) -> str:
    """Digits become ``\\d+``; slugs (long, hyphenated, Arabic) become ``anything``."""
    if segment.isdigit():
        return r"\d+"
    if len(segment) > 40 or _SLUG.search(segment):
        return anything
    return "".join(r"\d+" if p.isdigit() else _literal(p) for p in re.split(r"(\d+)", segment) if p)


def url_shape(url: str) -> tuple[str, ...]:
    parts = urlsplit(url)
    shape = tuple(_token(s) for s in parts.path.split("/") if s)
    return shape + tuple(f"?{_literal(k)}={_token(v, '[^&]+')}"
                         for k, v in parse_qsl(parts.query, keep_blank_values=True))


def _regex(shape: tuple[str, ...]) -> str:
    path = "/" + "/".join(t for t in shape if not t.startswith("?"))
    query = [t[1:] for t in shape if t.startswith("?")]
    return path + (r"\?" + "&".join(query) if query else "/?" if path != "/" else "")


def _specific(shape: tuple[str, ...]) -> bool:
    """Has an id, a fixed word or a query key: ``/[^/]+`` alone would match section pages too."""
    return any(t != ANY for t in shape)


def _merge(shapes: Counter) -> Counter:
    """Shapes differing only in fixed words (``/politics/\\d+``, ``/economy/\\d+``) merge."""
    groups: dict[tuple, list[tuple[str, ...]]] = {}
    for shape in shapes:
        skeleton = tuple(t if t in (ANY, r"\d+") or t.startswith("?") else "word" for t in shape)
        groups.setdefault(skeleton, []).append(shape)
    merged: Counter = Counter()
    for members in groups.values():
        shape = tuple(c[0] if len(set(c)) == 1 else ANY for c in zip(*members))
        merged[shape] += sum(shapes[m] for m in members)
    return merged


def guess_pattern(urls: list[str], coverage: float = 0.9, most: int = 3) -> str | None:
    """A regex matching at least ``coverage`` of ``urls`` with at most ``most`` URL shapes.

    >>> guess_pattern(["https://x.org/news/12", "https://x.org/news/13/"])
    '^https?://[^/]+/news/\\\\d+/?$'
    """
    shapes = Counter(url_shape(u) for u in urls)
    for counts in (_merge(shapes), shapes):
        # a shape seen once is an accident, not a pattern
        chosen = [s for s, n in counts.most_common(most) if _specific(s) and n >= 2]
        if chosen and sum(counts[s] for s in chosen) >= coverage * len(urls):
            body = "|".join(_regex(s) for s in chosen)
            return r"^https?://[^/]+" + (body if len(chosen) == 1 else f"(?:{body})") + "$"
    return None


def rank_links(links: list[str]) -> list[str]:
    """Home-page links, likeliest articles first: the commonest shape with an id or slug in it."""
    shapes = {u: url_shape(u) for u in links}
    counts = Counter(shapes.values())
    return sorted(links, key=lambda u: (any(t in (ANY, r"\d+") for t in shapes[u]),
                                        counts[shapes[u]], len(shapes[u])), reverse=True)
