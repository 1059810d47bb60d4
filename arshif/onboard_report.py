"""What an add-site dry run found: sources, sampled pages, the decisions (arshif/onboard.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass
class Source:
    kind: str            # "feed" or "sitemap"
    url: str
    how: str             # "advertised", "robots.txt" or "probe"
    entries: list[str] = field(default_factory=list)


@dataclass
class Sample:
    url: str
    origin: str          # "feed/sitemap", "home page", "control" or "twin"
    status: int | None = None
    extraction: dict | None = None
    generic: bool = False   # what page signals alone say (no article_pattern)
    stored: bool = False    # what the written entry will do
    note: str = ""
    links: list[str] = field(default_factory=list)
    twin_of: Sample | None = None  # for a page found by the article's id: the article


@dataclass
class Report:
    name: str
    base_url: str
    title: str
    language: str
    allowed_domains: list[str]
    allow_private: list[str] = field(default_factory=list)  # the site lives on these non-public addresses
    sources: list[Source] = field(default_factory=list)
    samples: list[Sample] = field(default_factory=list)
    pattern: str | None = None
    suggested_pattern: str | None = None
    crawl_delay: float | None = None
    decisions: list[str] = field(default_factory=list)

    def feeds(self) -> list[str]:
        return [s.url for s in self.sources if s.kind == "feed" and s.entries]

    def sitemaps(self) -> list[str]:
        return [s.url for s in self.sources if s.kind == "sitemap" and s.entries]

    @property
    def articles(self) -> list[Sample]:
        return [s for s in self.samples if s.stored]


def default_name(url: str) -> str:
    """A config name from the host: ``www.enabbaladi.net`` -> ``enabbaladi``."""
    host = (urlsplit(url).hostname or "site").lower()
    if re.fullmatch(r"[\d.]+|[0-9a-f:]+", host):
        return "site-" + re.sub(r"[.:]+", "-", host)
    labels = [label for label in host.split(".") if label not in ("www", "")]
    if len(labels) > 1:
        labels.pop()  # the TLD
    if len(labels) > 1 and labels[-1] in ("co", "com", "gov", "org", "net", "edu", "ac"):
        labels.pop()  # the second level of ccTLDs such as .co.uk or .gov.lb
    return re.sub(r"[^a-z0-9_-]+", "-", labels[-1]).strip("-") or "site"
