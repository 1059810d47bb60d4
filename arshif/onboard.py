"""Onboard a new site: discover its feeds and sitemaps, sample its articles, write its entry.

``arshif add-site`` (arshif/cli/extra.py) drives this module; see
docs/adding-a-site.md. It is plain Python over urllib, no Scrapy: a dry run is
a few dozen polite requests made one at a time, obeying robots.txt and sending
the crawler's own User-Agent (``crawler.settings.USER_AGENT``), so a site sees
the dry run exactly as it will see the crawl.
"""

from __future__ import annotations

import logging
import re
import socket
from collections.abc import Callable
from urllib.parse import urljoin, urlsplit

import lxml.etree
import lxml.html

from arshif.onboard_fetch import Fetched, Fetcher, FetchError, OnboardError
from arshif.onboard_report import Report, Sample, Source, default_name
from arshif.url_shapes import guess_pattern, rank_links, url_shape
from crawler.discovery import parse_feed, parse_sitemap, robots_sitemaps
from crawler.urls import address_kind, canonicalize_url, parse_address, url_host

logger = logging.getLogger(__name__)

# Probed only when the site advertises nothing; reported as probes so nobody
# mistakes a guess for something the publisher declared.
FEED_PROBES = ("/feed/", "/rss", "/rss.xml", "/atom.xml")
SITEMAP_PROBES = ("/sitemap.xml", "/sitemap_index.xml")
MAX_SOURCES = 3            # feeds or sitemaps of each kind read in a dry run
MAX_SITEMAP_CHILDREN = 2   # children of a sitemap index read in a dry run
MAX_TWINS = 2              # print/AMP/mobile copies of sampled articles checked
SKIP_LINK = re.compile(
    r"\.(jpe?g|png|gif|webp|svg|ico|pdf|mp3|mp4|webm|zip|rar|gz|docx?|xlsx?|css|js|xml|rss|json)$", re.I)
# Statuses that usually mean "not from this network/agent" rather than "no such site".
BLOCKED_HINT = {401: "login required", 403: "the site may block this network or user agent",
                429: "rate limited", 503: "the site may block this network or be down"}




def _domains(*urls: str) -> list[str]:
    hosts = []
    for url in urls:
        host = url_host(url).removeprefix("www.")
        if host and not any(host == h or host.endswith("." + h) for h in hosts):
            hosts.append(host)
    return hosts


def _in_scope(url: str, domains: list[str]) -> bool:
    host = url_host(url)
    return any(host == d or host.endswith("." + d) for d in domains)


def _private_addresses(*urls: str) -> list[tuple[str, str]]:
    """(address, kind) of each non-public address the URLs' hosts resolve to, as the crawler resolves them."""
    found: dict[str, str] = {}
    for host in dict.fromkeys(url_host(url) for url in urls):
        try:
            ip = parse_address(socket.gethostbyname(host))
        except (OSError, UnicodeError):
            continue
        kind = address_kind(ip) if ip is not None else None
        if kind:
            found[str(ip)] = kind
    return list(found.items())


# Home-page titles pair the site's name with words like these: "آخر الأخبار - الفرات اليوم".
HOME_WORDS = {"الرئيسية", "الصفحة الرئيسية", "آخر الأخبار", "الأخبار", "أخبار", "home", "homepage",
              "home page", "latest news", "news"}


def _home_facts(home: Fetched) -> tuple[str, str, list[str], list[str]]:
    """(site title, language, advertised feed URLs, link URLs) of the home page."""
    try:
        parser = lxml.html.HTMLParser(encoding=home.charset) if home.charset else None
        doc = lxml.html.document_fromstring(home.body, parser=parser)
    except (ValueError, LookupError, lxml.etree.ParserError):
        return "", "ar", [], []
    title = doc.xpath("string(//meta[@property='og:site_name']/@content)").strip()
    if not title:
        parts = re.split(r"\s+(?:[|\-–—•»«:]|::)\s+", (doc.findtext(".//title") or "").strip())
        title = next((p for p in parts if p.lower() not in HOME_WORDS), parts[0])
    language = (doc.get("lang") or "ar").split("-")[0].lower() or "ar"
    feeds = [urljoin(home.url, link.get("href")) for link in doc.xpath("//link[@rel='alternate'][@href]")
             if re.search(r"(rss|atom|rdf)\+xml", link.get("type", ""), re.I)]
    return title, language, feeds, [urljoin(home.url, href) for href in doc.xpath("//a/@href")]


def _known_articles(sources: list[Source], scope: list[str]) -> tuple[list[str], list[str]]:
    """(URLs from feeds then sitemaps, the URLs to learn a pattern from).

    Feeds list articles only, sitemaps often sections and static pages too, so
    the pattern is learnt from feed items when there are a few.
    """
    def urls(kinds: tuple[str, ...]) -> list[str]:
        return list(dict.fromkeys(canonicalize_url(u) for s in sources if s.kind in kinds
                                  for u in s.entries if _in_scope(u, scope)))

    known, from_feeds = urls(("feed", "sitemap")), urls(("feed",))
    known = list(dict.fromkeys(from_feeds + known))
    return known, from_feeds if len(from_feeds) >= 3 else known


class Onboarding:
    """Run the add-site dry run for one URL; ``run()`` returns a Report."""

    def __init__(self, url: str, fetcher: Fetcher, *, name: str | None = None, sample_size: int = 10,
                 extract: Callable[..., dict] | None = None, say: Callable[[str], None] = logger.info) -> None:
        self.url = url if "://" in url else "https://" + url
        self.fetcher = fetcher
        self.name = name
        self.sample_size = sample_size
        self.extract = extract
        self.say = say
        self.scope: list[str] = []

    def run(self) -> Report:
        robots = self.fetcher.load_robots(self.url)
        delay = self.fetcher.crawl_delay
        self.say(f"robots.txt: HTTP {robots.status}" + (f", Crawl-delay {delay:g} s (honoured)" if delay else ""))
        if not self.fetcher.allowed(self.url):
            raise OnboardError(f"robots.txt of {urlsplit(self.url).netloc} disallows {self.url} for arshif")
        home = self.fetcher.get(self.url)
        if home.status != 200:
            hint = BLOCKED_HINT.get(home.status)
            raise OnboardError(f"{self.url} answered HTTP {home.status}" + (f" ({hint})" if hint else ""))
        if urlsplit(home.url).netloc != urlsplit(self.url).netloc:
            self.say(f"home page redirected to {home.url}")
            robots = self.fetcher.load_robots(home.url)
        title, language, advertised, links = _home_facts(home)
        report = Report(name=self.name or default_name(home.url), base_url=home.url, title=title,
                        language=language, allowed_domains=_domains(home.url, self.url),
                        crawl_delay=self.fetcher.crawl_delay)
        scope = self.scope = report.allowed_domains
        for address, kind in _private_addresses(self.url, home.url):
            # the crawler refuses such addresses unless the entry allows them (crawler/sites.py)
            self.say(f"the site is on {address}, a {kind} address: the entry allows it (allow_private)")
            report.allow_private.append(address)
        declared = robots_sitemaps(robots.body, robots.url) if robots.status == 200 else []
        self._read_sources(report, "feed", [(u, "advertised") for u in advertised], FEED_PROBES)
        self._read_sources(report, "sitemap", [(u, "robots.txt") for u in declared], SITEMAP_PROBES)
        known, evidence = _known_articles(report.sources, scope)
        home_links = [u for u in dict.fromkeys(canonicalize_url(u) for u in links)
                      if _in_scope(u, scope) and u.rstrip("/") != canonicalize_url(home.url).rstrip("/")
                      and urlsplit(u).scheme in ("http", "https") and not SKIP_LINK.search(urlsplit(u).path)]
        self.say(f"{len(known)} article URLs from feeds/sitemaps, {len(home_links)} links on the home page")
        self._sample(report, known, evidence, home_links)
        self._decide(report, evidence, home.url)
        return report

    def _read_sources(self, report: Report, kind: str, found: list[tuple[str, str]], probes: tuple[str, ...]) -> None:
        before = len(report.sources)
        self._read(report, kind, found[:MAX_SOURCES])
        if not any(s.entries for s in report.sources[before:]):
            self._read(report, kind, [(urljoin(report.base_url, p), "probe") for p in probes])

    def _read(self, report: Report, kind: str, candidates: list[tuple[str, str]]) -> None:
        for url, how in candidates:
            if not self.fetcher.allowed(url):
                self.say(f"{kind} {url} ({how}): disallowed by robots.txt, skipped")
                continue
            try:
                fetched = self.fetcher.get(url)
            except FetchError as exc:
                self.say(f"{kind} {url} ({how}): {exc}")
                continue
            source = Source(kind, canonicalize_url(fetched.url), how)
            if fetched.status == 200:
                source.entries = self._entries(kind, fetched)
            self.say(f"{kind} {url} ({how}): HTTP {fetched.status}, {len(source.entries)} entries")
            if source.entries or how != "probe":
                report.sources.append(source)
            if kind == "feed" and how == "probe" and source.entries:
                break  # one working probe is enough; the others are aliases more often than not

    def _entries(self, kind: str, fetched: Fetched) -> list[str]:
        if kind == "feed":
            return [e.url for e in parse_feed(fetched.body, fetched.url)]
        kind_, entries = parse_sitemap(fetched.body, fetched.url)
        if kind_ != "sitemapindex":
            return [e.url for e in entries]
        # news sitemaps first, then the most recently modified: they hold current articles
        children = sorted(entries, key=lambda e: ("news" in e.url.lower(), e.lastmod or ""), reverse=True)
        urls: list[str] = []
        for child in children[:MAX_SITEMAP_CHILDREN]:
            if self.fetcher.allowed(child.url):
                try:
                    sub = self.fetcher.get(child.url)
                except FetchError:
                    continue
                if sub.status == 200:
                    urls += [e.url for e in parse_sitemap(sub.body, sub.url)[1]]
        return urls

    def _fetch_sample(self, url: str, origin: str) -> Sample:
        sample = Sample(url, origin)
        if not self.fetcher.allowed(url):
            sample.note = "disallowed by robots.txt"
            return sample
        try:
            fetched = self.fetcher.get(url)
        except FetchError as exc:
            sample.note = str(exc)
            return sample
        sample.status, sample.url = fetched.status, canonicalize_url(fetched.url)
        if fetched.status != 200 or not fetched.is_html:
            sample.note = f"HTTP {fetched.status}" if fetched.status != 200 else "not HTML"
            return sample
        if self.extract is None:
            from pipelines.extraction import extract_article
            self.extract = extract_article
        sample.extraction = self.extract(fetched.body, fetched.url, header_charset=fetched.charset)
        # mirrors pipelines/extract.is_article without a URL hint
        sample.generic = bool(sample.extraction.get("text")) and bool(sample.extraction.get("is_article"))
        sample.links = [canonicalize_url(u) for u in _home_facts(fetched)[3]
                        if urlsplit(u).scheme in ("http", "https") and _in_scope(u, self.scope)]
        return sample

    def _sample(self, report: Report, known: list[str], evidence: list[str], home_links: list[str]) -> None:
        if known:
            template = guess_pattern(evidence)
            candidates = [(u, "feed/sitemap") for u in known]
            controls = [u for u in home_links if u not in set(known) and self.fetcher.allowed(u)
                        and not (template and re.search(template, u))][:3]
        else:
            candidates = [(u, "home page") for u in rank_links(home_links)]
            controls = []
        fetched_ok = 0
        for url, origin in candidates[: self.sample_size * 2]:
            if fetched_ok >= self.sample_size:
                break
            sample = self._fetch_sample(url, origin)
            fetched_ok += sample.extraction is not None
            report.samples.append(sample)
        for url in controls:
            report.samples.append(self._fetch_sample(url, "control"))
        for url, original in self._twin_links(report)[:MAX_TWINS]:
            twin = self._fetch_sample(url, "twin")
            twin.twin_of = original
            report.samples.append(twin)

    def _twin_links(self, report: Report) -> list[tuple[str, Sample]]:
        """Links on sampled articles carrying the article's id in another URL shape: print, AMP, mobile copies."""
        seen = {s.url for s in report.samples}
        shapes: set[tuple[str, ...]] = set()
        found = []
        for sample in [s for s in report.samples if s.generic][:3]:
            ids = sorted(re.findall(r"\d{3,}", _path_query(sample.url)), key=len)  # not the port
            if not ids:
                continue
            same_id = re.compile(rf"(?<!\d){ids[-1]}(?!\d)")
            for link in sample.links:
                shape = url_shape(link)
                if (link not in seen and same_id.search(_path_query(link)) and shape != url_shape(sample.url)
                        and shape not in shapes and self.fetcher.allowed(link)):
                    shapes.add(shape)
                    seen.add(link)
                    found.append((link, sample))
        return found

    def _decide(self, report: Report, evidence: list[str], home_url: str) -> None:
        fetched = [s for s in report.samples if s.extraction is not None]
        copies = [s for s in fetched if s.twin_of is not None and s.generic and _is_copy(s, s.twin_of)]
        for copy in copies:
            copy.note = f"a copy of {copy.twin_of.url}"
        if evidence:
            problems = [s for s in fetched if (s.origin == "feed/sitemap") != s.generic
                        and s.origin != "twin"] + copies
            pattern, source = guess_pattern(evidence), "the site's feeds/sitemaps"
        else:
            problems = copies
            positives = [s.url for s in fetched if s.generic and s.origin != "twin"]
            pattern = guess_pattern(positives) if len(positives) >= 3 else None
            source = "the articles linked from the home page"
            report.decisions.append("no feed or sitemap found: discovery relies on following links")
        if pattern and any(re.search(pattern, u) for u in [home_url, *(c.url for c in copies)]):
            pattern = None  # it would not tell the articles from what went wrong
        if problems and pattern:
            report.pattern = pattern
            report.decisions.append(
                f"page signals alone get {len(problems)} of {len(fetched)} sampled pages wrong (see the "
                f"table), so the entry gets article_pattern = '{pattern}', learnt from {source}")
        elif problems:
            report.decisions.append(
                f"page signals alone get {len(problems)} of {len(fetched)} sampled pages wrong and no URL "
                f"pattern learnt from {source} separates them: set article_pattern by hand")
        else:
            report.suggested_pattern = pattern
            report.decisions.append(f"page signals classify all {len(fetched)} sampled pages as expected: "
                                    "no article_pattern needed")
        compiled = re.compile(report.pattern) if report.pattern else None
        for sample in fetched:
            text = bool(sample.extraction.get("text"))
            sample.stored = text and bool(compiled.search(sample.url)) if compiled else sample.generic
        if not report.articles:
            report.decisions.append("WARNING: no sampled page would be stored as an article")


def _path_query(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def _is_copy(twin: Sample, original: Sample) -> bool:
    """Same article under another URL, not collapsed by a rel=canonical pointing at the original."""
    declared = twin.extraction.get("canonical_url")
    if declared and canonicalize_url(urljoin(twin.url, declared)) in (
            original.url, canonicalize_url(original.extraction.get("canonical_url") or original.url)):
        return False
    titles = sorted([twin.extraction.get("title") or "", original.extraction.get("title") or ""], key=len)
    if len(titles[0]) >= 10 and titles[0] in titles[1]:  # one title may still carry the site's name
        return True
    words = [set((s.extraction.get("text") or "").split()) for s in (twin, original)]
    return bool(words[0] and words[1]) and len(words[0] & words[1]) / len(words[0] | words[1]) >= 0.7
