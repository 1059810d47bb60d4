"""The farm moving through time: `arshif samples serve --day N`.

Day 0 is the default farm, byte for byte. Each later day, at noon Syrian time
(`farm_now(day)`), every publisher has posted new articles, and a fixed script of
events has happened to older ones: text edits (with and without a new modification
date), retitles, deletions answering 404 or 410, and moves (a 301 to a new URL, or to
the home page). Feeds, sitemaps and listings are rendered from the day's live articles.

Article pages behave like a CMS page cache: a page is rendered when its article is
published or changed and then served with the same bytes (and, on the modern site,
the same ETag and Last-Modified) until the article changes again, although the
sidebars of newer pages show newer headlines. So an unchanged article is really
unchanged on the wire, and a crawler can recognise it.

Everything is deterministic: the same day always renders the same bytes.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from samples.pages import Page, redirect
from samples.publishers import DEFAULT_PORT, PUBLISHERS, Publisher, split_articles
from samples.rendered import RENDERERS, Farm, Site
from samples.stories import SYRIA, Article, _blocks, _easternise, make_articles, make_story

FARM_EPOCH = datetime(2024, 1, 1, 12, 0, tzinfo=SYRIA)  # day 0; the default farm's newest article is older
MAX_DAY = 365

# New articles per publisher per day (day 1 has one more on the old site, so that
# one of its two survives unchanged and one is retitled the next day).
NEW_PER_DAY = {"furat": {1: 2, "*": 2}, "khabour": {1: 2, "*": 1}, "nabd": {1: 1, "*": 1}}

UPDATE_LINE = ("تحديث: أفادت مصادر محلية لاحقاً بأن الجهات المعنية في {city} وعدت بمتابعة الملف"
               " خلال الأيام المقبلة، ولم يصدر حتى ساعة نشر هذا التحديث أي بيان رسمي.")
TITLE_PREFIX = "بالتفاصيل: "
GONE_BODY = ('<!doctype html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>410</title></head>'
             "<body><h1>تم حذف هذا المحتوى نهائياً</h1></body></html>").encode()


@dataclass(frozen=True)
class Event:
    """Something that happens to one article on `day`.

    `target` is ("old", fraction) for an article of the day-0 farm (its index is
    fraction * (count - 1), rounded) or ("new", day, k) for the k-th article added that day.
    Actions: edit (text, new modification date), silent-edit (text, same date), retitle
    (title and modification date), delete-404, delete-410, move (301 to a new URL),
    move-home (301 to the home page).
    """

    day: int
    publisher: str
    action: str
    target: tuple


EVENTS: tuple[Event, ...] = (
    Event(1, "furat", "edit", ("old", 0.4)),
    Event(1, "furat", "delete-404", ("old", 0.2)),
    Event(1, "nabd", "retitle", ("old", 0.6)),
    Event(1, "nabd", "move", ("old", 0.4)),
    Event(2, "furat", "silent-edit", ("new", 1, 0)),
    Event(2, "furat", "move-home", ("old", 0.6)),
    Event(2, "khabour", "retitle", ("new", 1, 0)),
    Event(2, "nabd", "delete-410", ("old", 0.15)),
    Event(3, "furat", "delete-404", ("new", 2, 1)),
    Event(3, "khabour", "delete-404", ("new", 2, 0)),
    Event(3, "nabd", "edit", ("old", 0.8)),
)
REMOVING = {"delete-404", "delete-410", "move-home"}


def farm_now(day: int) -> datetime:
    """The farm's 'now' on `day` (noon in Syria): pass it to a crawl as ARSHIF_NOW."""
    return FARM_EPOCH + timedelta(days=day)


def new_count(publisher: str, day: int) -> int:
    per_day = NEW_PER_DAY.get(publisher, {"*": 0})  # the real-web publishers post nothing new
    return per_day.get(day, per_day["*"]) if day >= 1 else 0


def new_article(publisher: Publisher, base_count: int, serial: int, day: int, k: int) -> Article:
    """The k-th article `publisher` posts on `day`; `serial` counts all articles added so far."""
    index = base_count + serial
    story = make_story(publisher, index)
    rng = random.Random(f"arshif:{publisher.name}:timeline:{day}:{k}")
    published = farm_now(day) - timedelta(hours=2 + 5 * k, minutes=rng.randint(0, 59))
    eastern = rng.random() < publisher.eastern_rate
    if eastern:
        story = _easternise(story)
    ident = publisher.id_base + index * publisher.id_step + rng.randint(0, publisher.id_step - 1)
    slug = f"{story.topic.key}-{story.place.slug}"
    return Article(
        publisher=publisher, number=index + 1, ident=ident, slug=slug, published=published,
        modified=published, story=story, blocks=_blocks(publisher, story, index), eastern=eastern,
        path=publisher.article_path.format(published=published, ident=ident, slug=slug),
    )


def owned_paths(article: Article) -> list[str]:
    """Every path the publisher serves for this one article (page, aliases, twins)."""
    aliases = article.publisher.aliases
    return [article.path, *(alias.format(ident=article.ident, path=article.path) for alias in aliases)]


@dataclass
class Live:
    article: Article
    version_day: int  # the day its page was last rendered (published, edited or moved)


@dataclass
class DayState:
    """One publisher's articles on a day: live ones by key, and what answers at old paths."""

    live: dict[tuple, Live] = field(default_factory=dict)
    gone: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # path -> (kind, location)

    def articles(self) -> list[Article]:
        return sorted((entry.article for entry in self.live.values()), key=lambda a: (a.published, a.ident))


def _target_key(target: tuple, base_count: int) -> tuple:
    if target[0] == "old":
        return ("old", round(target[1] * (base_count - 1)))
    return target


def _apply(event: Event, state: DayState, publisher: Publisher, port: int, base_count: int) -> None:
    key = _target_key(event.target, base_count)
    entry = state.live.get(key)
    if entry is None:
        raise ValueError(f"timeline event on a missing article: {event}")
    a, day = entry.article, event.day
    edited_at = farm_now(day) - timedelta(hours=1)
    if event.action in ("edit", "silent-edit"):
        line = UPDATE_LINE.format(city=a.story.place.city)
        changed = replace(a, blocks=(*a.blocks, ("p", line)))
        if event.action == "edit":
            changed = replace(changed, modified=edited_at)
        state.live[key] = Live(changed, day)
    elif event.action == "retitle":
        story = replace(a.story, title=TITLE_PREFIX + a.story.title)
        state.live[key] = Live(replace(a, story=story, modified=edited_at), day)
    elif event.action == "move":
        slug = f"{a.slug}-{a.story.topic.key}"
        path = publisher.article_path.format(published=a.published, ident=a.ident, slug=slug)
        moved = replace(a, slug=slug, path=path)
        state.live[key] = Live(moved, day)
        state.gone[a.path] = ("redirect", moved.url(port))
    elif event.action in REMOVING:
        del state.live[key]
        if event.action == "delete-410":
            state.gone[a.path] = ("gone", None)
        elif event.action == "move-home":
            state.gone[a.path] = ("redirect", publisher.base_url(port))
        else:
            state.gone.pop(a.path, None)  # plain 404
    else:
        raise ValueError(f"unknown timeline action {event.action!r}")


def day_states(publisher: Publisher, base: list[Article], day: int, port: int) -> list[DayState]:
    """The publisher's state on each day 0..day (index = day)."""
    if not 0 <= day <= MAX_DAY:
        raise ValueError(f"day must be between 0 and {MAX_DAY}, got {day}")
    state = DayState(live={("old", i): Live(a, 0) for i, a in enumerate(base)})
    states = [DayState(dict(state.live), dict(state.gone))]
    serial = 0
    for d in range(1, day + 1):
        for k in range(new_count(publisher.name, d)):
            state.live[("new", d, k)] = Live(new_article(publisher, len(base), serial, d, k), d)
            serial += 1
        for event in EVENTS:
            if event.day == d and event.publisher == publisher.name:
                _apply(event, state, publisher, port, len(base))
        states.append(DayState(dict(state.live), dict(state.gone)))
    return states


def build_timeline_farm(day: int, port: int = DEFAULT_PORT, articles: int | None = None):
    """The farm as it is on `day` (day 0: exactly `build_farm()`)."""
    counts = split_articles(articles)
    sites = []
    for publisher in PUBLISHERS:
        base = make_articles(publisher, counts[publisher.name])
        states = day_states(publisher, base, day, port)
        renders: dict[int, object] = {}

        def render(d: int, publisher=publisher, states=states, renders=renders):
            if d not in renders:
                renders[d] = RENDERERS[publisher.name](publisher, states[d].articles(), port)
            return renders[d]

        today = states[day]
        build = render(day)
        for entry in today.live.values():
            if entry.version_day < day:  # served from the page cache of its version day
                old = render(entry.version_day).pages
                for path in owned_paths(entry.article):
                    if path in old:
                        build.pages[path] = old[path]
        for path, (kind, location) in today.gone.items():
            if kind == "gone":
                build.pages[path] = Page(GONE_BODY, "text/html; charset=utf-8", status=410)
            else:
                build.pages[path] = redirect(location)
        sites.append(Site(publisher, today.articles(), build, port))
    farm = Farm(port, sites)
    farm.day = day
    return farm


def advance(farm, day: int, articles: int | None = None) -> None:
    """Move a farm that is being served to `day`, in place (tests switch days between crawls)."""
    new = build_timeline_farm(day, farm.port, articles)
    for site, fresh in zip(farm.sites, new.sites):
        site.articles, site.build = fresh.articles, fresh.build
        site.__post_init__()
    farm.articles = new.articles
    farm.day = day


def events_on(day: int) -> list[Event]:
    return [e for e in EVENTS if e.day == day]
