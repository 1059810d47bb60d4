"""Helpers shared by the three site renderers: escaping, Arabic dates, filler chrome."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from functools import lru_cache
from html import escape
from typing import TYPE_CHECKING, Protocol
from urllib.parse import quote

from samples.pools import EASTERN_DIGITS, EGYPTIAN_MONTHS, LEVANTINE_MONTHS, WEEKDAYS

if TYPE_CHECKING:
    from samples.pages import Page
    from samples.publishers import Publisher
    from samples.stories import Article

PER_PAGE = 10


@lru_cache(maxsize=1 << 16)
def esc(text: str) -> str:
    # Cached: the same titles and summaries are escaped for every listing and sidebar.
    return escape(text, quote=True)


def levantine_date(moment: datetime, eastern: bool = False, weekday: bool = True) -> str:
    """'الثلاثاء 18 كانون الثاني 2022', the way Syrian sites print dates."""
    text = f"{moment.day} {LEVANTINE_MONTHS[moment.month - 1]} {moment.year}"
    if weekday:
        text = f"{WEEKDAYS[moment.weekday()]} {text}"
    return text.translate(EASTERN_DIGITS) if eastern else text


def egyptian_date(moment: datetime) -> str:
    return f"{moment.day} {EGYPTIAN_MONTHS[moment.month - 1]} {moment.year}"


def rfc822(moment: datetime) -> str:
    return format_datetime(moment)


def pages_of(items: list, size: int = PER_PAGE) -> list[list]:
    """Split a listing into pages; an empty listing still has one (empty) page."""
    return [items[i:i + size] for i in range(0, len(items), size)] or [[]]


def neighbours(articles: list[Article], index: int, count: int) -> list[Article]:
    """`count` other articles near `index`, newest first: related and sidebar links."""
    window = articles[max(0, index - count - 1):index + count + 2]
    others = [a for a in window if a is not articles[index]]
    return sorted(others, key=lambda a: a.published, reverse=True)[:count]


def stylesheet(seed: str, prefix: str, names: tuple[str, ...]) -> str:
    """A few KB of plausible, deterministic CSS: real pages carry this much inline."""
    rng = random.Random(seed)
    templates = (
        "margin:{a}px {b}px", "padding:{a}px {b}px", "color:#{c}", "background:#{c}",
        "font-size:{f}px", "line-height:1.{l}", "border-bottom:1px solid #{c}", "display:flex",
        "gap:{a}px", "text-align:right", "border-radius:{r}px", "font-weight:{w}",
        "box-shadow:0 {r}px {a}px rgba(0,0,0,.{l})", "transition:all .{l}s ease",
    )
    rules = []
    for name in names:
        for suffix in ("", " a", ":hover", " > li", "--active"):
            props = rng.sample(templates, rng.randint(3, 6))
            body = ";".join(t.format(
                a=rng.randint(0, 24), b=rng.randint(0, 32), c=f"{rng.randrange(0x1000000):06x}",
                f=rng.randint(11, 22), l=rng.randint(1, 8), r=rng.randint(2, 12),
                w=rng.choice((400, 500, 700)),
            ) for t in props)
            rules.append(f".{prefix}{name}{suffix}{{{body}}}")
    mobile = "".join(rules[i] for i in range(0, len(rules), 4))
    return "\n".join(rules) + f"\n@media (max-width:768px){{{mobile}}}"


SHARE_ICONS = {
    "facebook": "M22 12a10 10 0 1 0-11.6 9.9v-7H7.9V12h2.5V9.8c0-2.5 1.5-3.9 3.8-3.9 1.1 0 2.2.2"
                " 2.2.2v2.5h-1.3c-1.2 0-1.6.8-1.6 1.6V12h2.8l-.4 2.9h-2.3v7A10 10 0 0 0 22 12z",
    "twitter": "M23 4.6c-.8.4-1.7.6-2.6.7.9-.6 1.6-1.4 2-2.5-.9.5-1.9.9-2.9 1.1A4.5 4.5 0 0 0"
               " 11.8 7.9 12.8 12.8 0 0 1 2.5 3.2a4.5 4.5 0 0 0 1.4 6 4.4 4.4 0 0 1-2-.6v.1a4.5"
               " 4.5 0 0 0 3.6 4.4 4.6 4.6 0 0 1-2 .1 4.5 4.5 0 0 0 4.2 3.1A9 9 0 0 1 1 18.1a12.7",
    "whatsapp": "M17.5 14.4c-.3-.1-1.8-.9-2-1-.3-.1-.5-.1-.7.1-.2.3-.8 1-.9 1.2-.2.2-.3.2-.6.1-1.7"
                "-.9-2.9-1.6-4-3.5-.3-.5.3-.5.9-1.6.1-.2 0-.4 0-.5L9.3 6.6c-.2-.6-.5-.5-.7-.5h-.6c-"
                ".2 0-.5.1-.8.4-.3.3-1 1-1 2.5s1.1 2.9 1.2 3.1c.1.2 2.1 3.2 5.1 4.5 1.9.8 2.6.9 3.6",
    "telegram": "M9.8 15.3 9.4 20c.6 0 .8-.2 1.1-.5l2.6-2.5 5.4 4c1 .5 1.7.3 2-.9l3.6-17c.3-1.5-.6"
                "-2.1-1.6-1.7L1.4 9.6C0 10.2 0 11 1.2 11.3l5.5 1.7L19.4 5c.6-.4 1.2-.2.7.2z",
}


def share_links(url: str, title: str, css: str) -> str:
    """Off-site share links (a crawler must stay on its domains) with inline SVG icons."""
    targets = {
        "facebook": "https://www.facebook.com/sharer/sharer.php?u={u}",
        "twitter": "https://twitter.com/intent/tweet?url={u}&amp;text={t}",
        "whatsapp": "https://api.whatsapp.com/send?text={t}%20{u}",
        "telegram": "https://t.me/share/url?url={u}&amp;text={t}",
    }
    u, t = quote(url, safe=""), quote(title, safe="")
    return "".join(
        f'<a class="{css}-{name}" href="{href.format(u=u, t=t)}" target="_blank" rel="noopener"'
        f' aria-label="{name}"><svg viewBox="0 0 24 24" width="20" height="20">'
        f'<path d="{SHARE_ICONS[name]}"/></svg></a>'
        for name, href in targets.items()
    )


@dataclass
class SiteBuild:
    """What a renderer returns: pages by request path, and per-article boilerplate."""

    pages: dict[str, Page] = field(default_factory=dict)
    # Article name -> strings visible on its page that are not body text (gold).
    boilerplate: dict[str, list[str]] = field(default_factory=dict)
    # Article name -> the traps its page carries (samples/sites/realweb.py), for gold.
    traps: dict[str, list[str]] = field(default_factory=dict)
    not_found: Page | None = None
    # Serve "/x?utm_source=..." as "/x" (most CMSs ignore unknown parameters).
    ignore_query: bool = False
    # Answer "/x" with a 301 to "/x/" when only the latter exists (WordPress does).
    trailing_slash: bool = False

    def add(self, path: str, page: Page) -> None:
        if path in self.pages:
            raise ValueError(f"duplicate farm path {path}")
        self.pages[path] = page


class Renderer(Protocol):
    """What feed and sitemap writers read from a site renderer (they never import it)."""

    pub: Publisher
    articles: list[Article]
    newest: list[Article]  # by publication, newest first
    port: int
    base: str
    build: SiteBuild
