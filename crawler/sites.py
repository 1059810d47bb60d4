"""Site registry: one ``[[site]]`` entry per outlet in a TOML file.

Site knowledge is data. A site entry names the outlet, where to start, which
hosts belong to it and optional discovery hints; the spider itself is generic.

Example entry::

    [[site]]
    name = "furat"
    title = "الفرات اليوم"
    base_url = "https://example.org/"
    allowed_domains = ["example.org"]
    feeds = ["https://example.org/feed/"]        # optional
    sitemaps = ["https://example.org/sitemap.xml"]  # optional
    article_pattern = "/news/\\d+"               # optional regex on the URL
    language = "ar"                              # optional, default "ar"
    allow_private = ["10.0.0.5"]                 # optional: see below

The crawler fetches nothing from loopback, link-local, private, CGNAT, unique-local,
multicast or IPv4-mapped addresses, written in a URL or resolved from a name
(crawler/middlewares/scope.py). ``allow_private`` lists the addresses or networks
(``"10.0.0.0/8"``) a site that lives on such an address may be fetched from.
"""

from __future__ import annotations

import ipaddress
import re
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path

from crawler.urls import IPAddress, url_host

SITE_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
KNOWN_KEYS = {
    "name", "title", "base_url", "allowed_domains", "feeds", "sitemaps",
    "article_pattern", "language", "verified", "notes",
    # incremental crawls and the scheduler (crawler/incremental/, arshif/schedule.py)
    "schedule", "cron", "revisit_days", "revisit_depth",
    "allow_private",  # non-public addresses the site may be fetched from (issue 16)
}


class SiteConfigError(ValueError):
    """A sites file that cannot be used; the message names file and entry."""


@dataclass(frozen=True)
class Site:
    name: str
    base_url: str
    allowed_domains: tuple[str, ...]
    title: str = ""
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    article_pattern: str | None = None
    language: str = "ar"
    verified: bool = True
    notes: str = ""
    schedule: str | None = None  # "every 6h", "30m", "1d"... (arshif schedule)
    cron: str | None = None  # or a 5-field cron expression, "0 */6 * * *"
    revisit_days: float | None = None  # overrides ARSHIF_REVISIT_DAYS for this site
    revisit_depth: int | None = None  # overrides ARSHIF_REVISIT_DEPTH for this site
    allow_private: tuple[str, ...] = ()  # "127.0.0.11", "10.0.0.0/8": non-public addresses allowed
    _article_re: re.Pattern[str] | None = field(default=None, repr=False, compare=False)
    _allowed_networks: tuple = field(default=(), repr=False, compare=False)

    def in_scope(self, url: str) -> bool:
        """True when ``url``'s host is one of the site's domains or a subdomain."""
        host = url_host(url)
        return host_in_domains(host, self.allowed_domains)

    def serves(self, host: str) -> bool:
        """True when the crawl may fetch from ``host``: the site's domains, and the hosts of the
        feeds and sitemaps its entry lists (a feed may live on another host)."""
        return host_in_domains(host, self.allowed_domains) or any(
            host == url_host(url) for url in (*self.feeds, *self.sitemaps))

    def allows_address(self, ip: IPAddress) -> bool:
        """True when ``allow_private`` lets the site be fetched from ``ip``."""
        return any(ip.version == net.version and ip in net for net in self._allowed_networks)

    def looks_like_article_url(self, url: str) -> bool | None:
        """The site's URL hint: True/False when a pattern is configured, else None."""
        if self._article_re is None:
            return None
        return bool(self._article_re.search(url))

    def to_dict(self) -> dict:
        data = asdict(self)
        data.pop("_article_re")
        data.pop("_allowed_networks")
        return data


def host_in_domains(host: str, domains: tuple[str, ...] | list[str]) -> bool:
    """True when ``host`` is one of ``domains`` or a subdomain of one."""
    return bool(host) and any(host == d or host.endswith("." + d) for d in domains)


def _networks(entry: dict, where: str) -> tuple:
    values = entry.get("allow_private") or []
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise SiteConfigError(f"{where}: 'allow_private' must be a list of addresses or networks")
    try:
        return tuple(ipaddress.ip_network(v.strip("[]"), strict=False) for v in values)
    except ValueError as exc:
        raise SiteConfigError(f"{where}: allow_private: {exc}") from None


def _optional(entry: dict, key: str, kind, where: str):
    value = entry.get(key)
    if value is not None and (not isinstance(value, kind) or isinstance(value, bool)):
        raise SiteConfigError(f"{where}: '{key}' has the wrong type ({type(value).__name__})")
    if isinstance(value, (int, float)) and value < 0:
        raise SiteConfigError(f"{where}: '{key}' must not be negative")
    return value


def site_from_dict(entry: dict, where: str) -> Site:
    """Validate one ``[[site]]`` table; ``where`` names it in error messages."""
    unknown = set(entry) - KNOWN_KEYS
    if unknown:
        raise SiteConfigError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    for key in ("name", "base_url"):
        if not isinstance(entry.get(key), str) or not entry[key]:
            raise SiteConfigError(f"{where}: '{key}' is required and must be a string")
    name = entry["name"]
    if not SITE_NAME_RE.match(name):
        raise SiteConfigError(f"{where}: name {name!r} must be lower-case letters, digits, '-' or '_'")
    host = url_host(entry["base_url"])
    if not entry["base_url"].lower().startswith(("http://", "https://")) or not host:
        raise SiteConfigError(f"{where}: base_url {entry['base_url']!r} is not an http(s) URL")
    # as url_host spells them: international names in punycode
    domains = [url_host(f"http://{d}/") or d.lower().strip("[]") for d in entry.get("allowed_domains") or [host]]
    pattern = entry.get("article_pattern")
    try:
        compiled = re.compile(pattern) if pattern else None
    except re.error as exc:
        raise SiteConfigError(f"{where}: article_pattern is not a valid regex: {exc}") from None
    return Site(
        name=name,
        base_url=entry["base_url"],
        allowed_domains=tuple(domains),
        title=entry.get("title", ""),
        feeds=tuple(entry.get("feeds", ())),
        sitemaps=tuple(entry.get("sitemaps", ())),
        article_pattern=pattern,
        language=entry.get("language", "ar"),
        verified=entry.get("verified", True),
        notes=entry.get("notes", ""),
        schedule=_optional(entry, "schedule", str, where),
        cron=_optional(entry, "cron", str, where),
        revisit_days=_optional(entry, "revisit_days", (int, float), where),
        revisit_depth=_optional(entry, "revisit_depth", int, where),
        allow_private=tuple(entry.get("allow_private") or ()),
        _article_re=compiled,
        _allowed_networks=_networks(entry, where),
    )


def load_sites(path: str | Path) -> dict[str, Site]:
    """Read a sites file into ``{name: Site}``; raise SiteConfigError with file context."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SiteConfigError(f"{path}: sites file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise SiteConfigError(f"{path}: {exc}") from None
    sites: dict[str, Site] = {}
    for index, entry in enumerate(data.get("site", []), start=1):
        site = site_from_dict(entry, f"{path}: [[site]] #{index} ({entry.get('name', '?')})")
        if site.name in sites:
            raise SiteConfigError(f"{path}: site {site.name!r} is defined twice")
        sites[site.name] = site
    if not sites:
        raise SiteConfigError(f"{path}: no [[site]] entries")
    return sites


def select_sites(sites: dict[str, Site], names: list[str] | tuple[str, ...]) -> list[Site]:
    """The named sites (all when ``names`` is empty); unknown names raise."""
    if not names:
        return list(sites.values())
    missing = [n for n in names if n not in sites]
    if missing:
        raise SiteConfigError(
            f"unknown site(s): {', '.join(missing)}; configured: {', '.join(sites)}"
        )
    return [sites[n] for n in names]
