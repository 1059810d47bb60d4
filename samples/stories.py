"""Deterministic articles: seeded stories (text) plus per-publisher ids, dates and URLs.

A story depends only on (publisher, index), so article 7 of a publisher reads the same
whatever the farm size; dates are spread over 2021-2023 and so depend on the count.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from samples.pools import (
    CLOSINGS, CONTEXT, EASTERN_DIGITS, FEMALE_NAMES, MALE_NAMES, PLACES, ROLES, STAFF, SUBHEADS,
    SURNAMES, Place,
)
from samples.publishers import Publisher
from samples.topics import TOPICS, Topic

SYRIA = timezone(timedelta(hours=3))
FIRST_DAY = datetime(2021, 1, 1, tzinfo=SYRIA)
SPAN_DAYS = 1095  # 2021-01-01 .. 2023-12-31


@dataclass(frozen=True)
class Person:
    name: str
    slug: str
    female: bool
    bio: str


@dataclass(frozen=True)
class Story:
    title: str
    paragraphs: tuple[str, ...]
    sentences: tuple[str, ...]
    quotes: frozenset[str]
    topic: Topic
    place: Place
    author: Person | None
    must_contain: tuple[str, ...]
    coauthors: tuple[Person, ...] = ()


@dataclass(frozen=True)
class Article:
    publisher: Publisher
    number: int  # 1-based position in the publisher's list, oldest first
    ident: int
    slug: str
    published: datetime
    modified: datetime
    story: Story
    # ("p" | "h2", text) in page order: what a reader sees as the article body.
    blocks: tuple[tuple[str, str], ...]
    eastern: bool
    path: str

    @property
    def title(self) -> str:
        return self.story.title

    @property
    def author(self) -> Person | None:
        return self.story.author

    @property
    def authors(self) -> tuple[Person, ...]:
        """Everyone in the byline, in byline order (none for an unsigned article)."""
        return (self.story.author, *self.story.coauthors) if self.story.author else ()

    @property
    def name(self) -> str:
        """File name stem of this article's gold record, e.g. "furat-007"."""
        return f"{self.publisher.name}-{self.number:03d}"

    @property
    def summary(self) -> str:
        return self.story.sentences[0]

    def url(self, port: int) -> str:
        return self.publisher.base_url(port) + self.path.lstrip("/")


def _person(rng: random.Random, female: bool) -> str:
    return f"{rng.choice(FEMALE_NAMES if female else MALE_NAMES)} {rng.choice(SURNAMES)}"


def _slots(rng: random.Random, topic: Topic, place: Place) -> dict[str, object]:
    area, area2 = rng.sample(place.areas, 2)
    price = rng.randrange(1500, 9001, 250)
    return {
        "city": place.city, "area": area, "area2": area2,
        "official": _person(rng, False), "man": _person(rng, False), "woman": _person(rng, True),
        "role": rng.choice(ROLES[topic.key]).format(city=place.city),
        "n_a": rng.randint(3, 9), "n_b": rng.randint(11, 60), "n_c": rng.randrange(120, 951, 10),
        "n_d": rng.randrange(1200, 9501, 50), "pct": rng.randint(15, 85),
        "hours": rng.randint(3, 9), "price": price, "price_old": price - rng.randrange(250, 1001, 250),
        "days": rng.randint(3, 9), "km": rng.randint(3, 9), "wage": rng.randrange(8000, 30001, 500),
    }


def make_story(publisher: Publisher, index: int) -> Story:
    """The text of a publisher's `index`-th article (0-based), from its own seed."""
    rng = random.Random(f"arshif:{publisher.name}:{index}")
    topic = rng.choice(TOPICS)
    place = rng.choice(PLACES)
    slots = _slots(rng, topic, place)
    fill = lambda template: template.format(**slots)  # noqa: E731
    staff = STAFF[publisher.name]
    author = None
    if rng.random() >= publisher.anonymous_rate:
        author = Person(*rng.choice(staff))

    # Topic facts, shared context and quotes interleaved, cut to a 250-700 word target.
    facts = rng.sample(topic.sentences, len(topic.sentences))
    context = rng.sample(CONTEXT, len(CONTEXT))
    pool: list[tuple[str, bool]] = []  # (template, shared by many articles?)
    while facts or context:
        shared = not facts or (bool(context) and rng.random() >= 0.6)
        pool.append(((context if shared else facts).pop(), shared))
    for quote_text in topic.quotes:
        pool.insert(rng.randint(1, min(8, len(pool))), (quote_text, False))
    lead, closing = fill(rng.choice(topic.leads)), fill(rng.choice(CLOSINGS))
    target = rng.randint(250, 700)
    body, common = [lead], set()
    words = len(lead.split()) + len(closing.split())
    for template, shared in pool:
        if words >= target:
            break
        body.append(fill(template))
        words += len(body[-1].split())
        if shared:
            common.add(body[-1])
    body.append(closing)

    coauthors: tuple[Person, ...] = ()
    if author and publisher.coauthor_rate:
        # Own seed: the stories of publishers without co-authors stay as they were.
        extra = random.Random(f"arshif:{publisher.name}:coauthors:{index}")
        if extra.random() < publisher.coauthor_rate:
            others = [Person(*p) for p in staff if p[0] != author.name]
            coauthors = tuple(extra.sample(others, extra.choice((1, 1, 2))))

    quotes = frozenset(fill(q) for q in topic.quotes)
    paragraphs, current = [body[0]], []
    for sentence in body[1:]:
        if sentence in quotes:
            paragraphs.extend([" ".join(current)] if current else [])
            paragraphs.append(sentence)
            current = []
            continue
        current.append(sentence)
        if len(current) >= rng.randint(1, 3):
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))

    # Gold sentences: from the middle of the body, long, and preferably not one of the
    # context lines that many articles share.
    middle = [s for s in body[1:-1] if len(s) > 60]
    specific = [s for s in middle if s not in common]
    must = rng.sample(specific if len(specific) >= 5 else middle, 5)[: rng.randint(3, 5)]
    return Story(
        title=fill(rng.choice(topic.titles)), paragraphs=tuple(paragraphs), sentences=tuple(body),
        quotes=quotes, topic=topic, place=place, author=author,
        must_contain=tuple(sorted(must, key=body.index)), coauthors=coauthors,
    )


def _dates(publisher: Publisher, count: int) -> list[tuple[datetime, datetime]]:
    """(published, modified) per article, sorted, spread evenly over 2021-2023."""
    out = []
    for i in range(count):
        rng = random.Random(f"arshif:{publisher.name}:date:{i}")
        day = int((i + rng.random() * 0.9) * SPAN_DAYS / count)
        if rng.random() < publisher.night_rate:
            hour = rng.randint(0, 2)
        else:
            hour = rng.randint(7, 22)
        published = FIRST_DAY + timedelta(days=day, hours=hour, minutes=rng.randint(0, 59))
        modified = published
        if rng.random() < 0.3:
            modified += timedelta(hours=rng.randint(1, 72), minutes=rng.randint(0, 59))
        out.append((published, modified))
    out.sort()
    return out


def _blocks(publisher: Publisher, story: Story, index: int) -> tuple[tuple[str, str], ...]:
    paragraphs = story.paragraphs
    blocks = [("p", p) for p in paragraphs]
    if publisher.subheads and len(paragraphs) >= 7:
        rng = random.Random(f"arshif:{publisher.name}:subheads:{index}")
        heads = rng.sample(SUBHEADS, 2)
        # Insert from the end so the earlier position stays valid.
        for pos, head in sorted(zip((3, len(paragraphs) - 2), heads), reverse=True):
            blocks.insert(pos, ("h2", head))
    return tuple(blocks)


def make_articles(publisher: Publisher, count: int) -> list[Article]:
    """The publisher's `count` articles, oldest first."""
    articles = []
    for i, (published, modified) in enumerate(_dates(publisher, count)):
        story = make_story(publisher, i)
        rng = random.Random(f"arshif:{publisher.name}:meta:{i}")
        eastern = rng.random() < publisher.eastern_rate
        if eastern:
            story = _easternise(story)
        ident = publisher.id_base + i * publisher.id_step + rng.randint(0, publisher.id_step - 1)
        slug = f"{story.topic.key}-{story.place.slug}"
        articles.append(Article(
            publisher=publisher, number=i + 1, ident=ident, slug=slug,
            published=published, modified=modified, story=story,
            blocks=_blocks(publisher, story, i), eastern=eastern,
            path=publisher.article_path.format(published=published, ident=ident, slug=slug),
        ))
    return articles


def _easternise(story: Story) -> Story:
    """The same story written with Eastern Arabic digits (as some desks type them)."""
    tr = lambda s: s.translate(EASTERN_DIGITS)  # noqa: E731
    return Story(
        title=tr(story.title), paragraphs=tuple(map(tr, story.paragraphs)),
        sentences=tuple(map(tr, story.sentences)), quotes=frozenset(map(tr, story.quotes)),
        topic=story.topic, place=story.place, author=story.author,
        must_contain=tuple(map(tr, story.must_contain)), coauthors=story.coauthors,
    )
