"""Markup that real Arabic news pages carry and extractors stumble on, shared by the
three CMS-modelled publishers (maraya: WordPress news theme, baladna: Drupal, rafidain:
ASP.NET portal).

Each renderer decides per article which traps its page carries (`Traps`); the names
go into the article's gold record (`traps`), so a failing check points at its cause.
"""

from __future__ import annotations

import base64
import json
import random
from dataclasses import dataclass, field

from samples.sites.common import esc
from samples.stories import Article, Person

# Trap names, as they appear in gold records.
COMMENT_RUN = "comment-run"        # opens with an HTML comment, dozens of adjacent comments follow
WIDGET_BODY = "widget-body"        # the body's container has a widget-sounding class
LEAD_BLOCK = "lead-block"          # the lead paragraph sits in its own block above the body
COOKIE_BANNER = "cookie-banner"    # a cookie/consent notice in the DOM before the body
FOOTER_CREDITS = "footer-credits"  # editorial board, copyright and newsletter lines in the footer
INLINE_BYLINE = "inline-byline"    # "كتب/كتبت/بقلم ..." in an element with an unfamiliar class
BYLINE_BELOW = "byline-below"      # that byline sits after the body, not before it
MULTI_AUTHOR = "multi-author"      # two or three names in one byline
CDATA_JSONLD = "cdata-jsonld"      # JSON-LD wrapped in //<![CDATA[ ... //]]>
GRAPH_JSONLD = "graph-jsonld"      # JSON-LD @graph, the author given by @id reference(s)
DESK_AUTHOR = "desk-author"        # JSON-LD/meta author is the CMS account ("فريق التحرير"), not the writer
SOCIAL_AUTHOR_META = "social-author-meta"  # article:author holds a social-profile URL
DC_CREATOR = "dc-creator"          # DC.creator / dcterms.creator names the web developer
NO_BYLINE = "no-byline"            # the page names no writer at all


@dataclass
class Traps:
    names: set[str] = field(default_factory=set)

    def __contains__(self, name: str) -> bool:
        return name in self.names

    def add(self, *names: str) -> None:
        self.names.update(names)

    def sorted(self) -> list[str]:
        return sorted(self.names)


def every(article: Article, period: int, offset: int = 0) -> bool:
    """True for every `period`-th article (by number), so each trap hits several pages."""
    return article.number % period == offset


def names_text(people: tuple[Person, ...], comma_only: bool = False) -> str:
    """"فلان وفلانة" / "فلان، فلان وفلانة" (or "فلان، فلان" with `comma_only`)."""
    names = [p.name for p in people]
    if comma_only or len(names) == 1:
        return "، ".join(names)
    return "، ".join(names[:-1]) + " و" + names[-1]


def byline_verb(people: tuple[Person, ...]) -> str:
    """كتبت for a woman (or women only), كتب otherwise."""
    return "كتبت" if all(p.female for p in people) else "كتب"


def comment_run(seed: str, count: int) -> str:
    """`count` adjacent HTML comments: cache-fragment, ad-slot and tag-manager markers."""
    rng = random.Random(f"realweb:comments:{seed}")
    kinds = (
        "fragment-cache: widget posts-list-widget-{n} hit {t}s",
        "ad-slot: {w}x{h} position-{n} (lazy, not rendered)",
        "GTM container GTM-K{n}Q{w} dataLayer push skipped",
        "cache-key: page-{n}-{w}{h} stored {t}s",
    )
    return "\n".join(
        "<!-- " + rng.choice(kinds).format(n=rng.randint(1, 99), t=f"0.00{rng.randint(10, 99)}",
                                           w=rng.choice((728, 300, 320, 970)), h=rng.choice((90, 250, 50)))
        + " -->" for _ in range(count)
    )


def ld_json(data: dict, cdata: bool = False, extra_attrs: str = "") -> str:
    """A JSON-LD script, optionally wrapped in //<![CDATA[ ... //]]> as XHTML-era CMSs do."""
    text = json.dumps(data, ensure_ascii=False)
    if cdata:
        text = f"//<![CDATA[\n{text}\n//]]>"
    return f'<script type="application/ld+json"{extra_attrs}>{text}</script>'


def viewstate(seed: str, size: int) -> str:
    """An ASP.NET __VIEWSTATE-like base64 blob of `size` bytes (deterministic)."""
    rng = random.Random(f"realweb:viewstate:{seed}")
    return "/wEPDwUK" + base64.b64encode(bytes(rng.randrange(256) for _ in range(size))).decode()


def cookie_banner(tag_attrs: str, text: str, policy_href: str, button: str = "موافق") -> str:
    return (f'<div {tag_attrs}><p>{esc(text)} <a href="{policy_href}">سياسة الخصوصية</a></p>'
            f'<button type="button">{button}</button></div>')


def paragraphs(article: Article, skip_lead: bool, wrap: str = "{}") -> list[str]:
    """The body blocks as HTML (without the lead when it has its own block)."""
    blocks = article.blocks[1:] if skip_lead else article.blocks
    return [wrap.format(f"<{kind}>{esc(text)}</{kind}>") for kind, text in blocks]
