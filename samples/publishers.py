"""The farm's publishers and how a total article count is split between them."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_PORT = 8400


@dataclass(frozen=True)
class Publisher:
    """One farm site. `name` is the ascii slug used as site name in configs."""

    name: str
    host: str
    title: str
    default_count: int
    # str.format pattern over published (datetime), ident and slug.
    article_path: str
    # Article ids grow with publication date: id = id_base + index * id_step + jitter.
    id_base: int
    id_step: int
    # Share of articles with no byline, with Eastern Arabic digits, published 00:00-02:59
    # local time (so the UTC date is the day before), and with <h2> subheadings.
    anonymous_rate: float = 0.0
    # Share of bylined articles written by two or three staff members.
    coauthor_rate: float = 0.0
    eastern_rate: float = 0.0
    night_rate: float = 0.0
    subheads: bool = False
    # Paths for the crawler's sites config; article_pattern only where URLs alone must tell.
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    article_pattern: str | None = None
    # Other paths that serve each article (str.format over ident and path): short links,
    # print and AMP twins. The timeline keeps them in step with the article.
    aliases: tuple[str, ...] = ()

    def base_url(self, port: int = DEFAULT_PORT) -> str:
        return f"http://{self.host}:{port}/"


PUBLISHERS = [
    Publisher(
        "furat", "127.0.0.11", "الفرات اليوم", default_count=25,
        article_path="/{published:%Y/%m/%d}/{slug}-{ident}/", id_base=1000, id_step=17,
        night_rate=0.2, feeds=("/feed/",), sitemaps=("/sitemap_index.xml",), aliases=("/?p={ident}",),
    ),
    Publisher(
        "khabour", "127.0.0.12", "صدى الخابور", default_count=20,
        article_path="/article.php?id={ident}", id_base=3000, id_step=3,
        anonymous_rate=0.25, eastern_rate=0.35,
        # No feed or sitemap: only the URL shape separates articles from listings.
        article_pattern=r"/article\.php\?id=\d+$", aliases=("/print.php?id={ident}",),
    ),
    Publisher(
        "nabd", "127.0.0.13", "نبض الشمال", default_count=20,
        article_path="/news/{ident}-{slug}", id_base=41000, id_step=7,
        night_rate=0.15, subheads=True, feeds=("/atom.xml",), sitemaps=("/sitemap.xml",),
        aliases=("/news/{ident}", "/amp{path}"),
    ),
    # Three publishers modelled on common Arabic news CMSs and on what real pages do to
    # extractors (samples/sites/realweb.py); their gold records list each page's traps.
    Publisher(
        "maraya", "127.0.0.15", "مرايا الجزيرة", default_count=16,
        article_path="/archives/{ident}", id_base=52000, id_step=11,
        coauthor_rate=0.3, feeds=("/feed/",), sitemaps=("/sitemap_index.xml",),
    ),
    Publisher(
        "baladna", "127.0.0.16", "بلدنا", default_count=16,
        article_path="/ar/article/{ident}/{slug}", id_base=7100, id_step=5,
        anonymous_rate=0.3, coauthor_rate=0.2, subheads=True,
        feeds=("/rss.xml",), sitemaps=("/sitemap.xml",), aliases=("/node/{ident}",),
    ),
    Publisher(
        "rafidain", "127.0.0.17", "بوابة الرافدين", default_count=16,
        article_path="/NewsDetails.aspx?NewsID={ident}", id_base=18500, id_step=4,
        coauthor_rate=0.25, feeds=("/Rss.aspx",),
        # The feed holds the 20 newest; older articles are reached through listings.
        article_pattern=r"/NewsDetails\.aspx\?NewsID=\d+$",
    ),
]

BY_NAME = {p.name: p for p in PUBLISHERS}
BY_HOST = {p.host: p for p in PUBLISHERS}


MIN_PER_PUBLISHER = 2


def split_articles(total: int | None) -> dict[str, int]:
    """Articles per publisher: the defaults for None, else `total` split in their proportion."""
    if total is None:
        return {p.name: p.default_count for p in PUBLISHERS}
    # every page links related articles of its own site: at least two per publisher
    least = MIN_PER_PUBLISHER * len(PUBLISHERS)
    if total < least:
        raise ValueError(f"need at least {least} articles ({MIN_PER_PUBLISHER} per publisher), got {total}")
    weights = [p.default_count for p in PUBLISHERS]
    counts = [max(MIN_PER_PUBLISHER, total * w // sum(weights)) for w in weights]
    while sum(counts) > total:  # the floors took more than the proportion gave
        counts[counts.index(max(counts))] -= 1
    counts[0] += total - sum(counts)
    return {p.name: c for p, c in zip(PUBLISHERS, counts)}
