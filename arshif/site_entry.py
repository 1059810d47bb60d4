"""The ``[[site]]`` entry that ``arshif add-site`` writes, as TOML that round-trips.

Every entry is checked with crawler.sites before it lands in a sites file.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING

from arshif.onboard_fetch import OnboardError
from crawler.sites import SiteConfigError, load_sites, site_from_dict

if TYPE_CHECKING:
    from arshif.onboard_report import Report

def site_entry(report: Report, when: str) -> dict:
    """The ``[[site]]`` table for ``report``, in the key order of crawler/sites.py."""
    entry: dict = {"name": report.name, "title": report.title, "base_url": report.base_url,
                   "allowed_domains": report.allowed_domains}
    if report.allow_private:
        entry["allow_private"] = report.allow_private
    if report.feeds():
        entry["feeds"] = report.feeds()
    if report.sitemaps():
        entry["sitemaps"] = report.sitemaps()
    if report.pattern:
        entry["article_pattern"] = report.pattern
    fetched = [s for s in report.samples if s.extraction is not None]
    probes = [s.url for s in report.sources if s.how == "probe" and s.entries]
    entry.update(language=report.language, verified=False, notes=(
        f"added by arshif add-site on {when}: the dry run would store {len(report.articles)} of "
        f"{len(fetched)} sampled pages" + (f"; found by probing: {', '.join(probes)}" if probes else "")
        + (f"; robots.txt asks for Crawl-delay: {report.crawl_delay:g} (crawl it with --set "
           f"DOWNLOAD_DELAY={report.crawl_delay:g})" if report.crawl_delay else "")
        + "; set verified = true once a crawl stores its articles"))
    return entry


def _toml_value(value: object, literal: bool = False) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    text = str(value)
    if literal and "'" not in text and not re.search(r"[\x00-\x1f\x7f]", text):
        return f"'{text}'"  # regexes read better without doubled backslashes
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + re.sub(r"[\x00-\x1f\x7f]", lambda m: f"\\u{ord(m.group()):04x}", escaped) + '"'


def render_entry(entry: dict, suggested_pattern: str | None = None) -> str:
    """TOML text for one entry; it round-trips through tomllib and crawler.sites."""
    lines = ["[[site]]"] + [f"{k} = {_toml_value(v, literal=k == 'article_pattern')}" for k, v in entry.items()]
    if suggested_pattern and "article_pattern" not in entry:
        lines.append("# not needed now; uncomment if articles are missed or listings stored:")
        lines.append(f"# article_pattern = {_toml_value(suggested_pattern, literal=True)}")
    text = "\n".join(lines) + "\n"
    site_from_dict(tomllib.loads(text)["site"][0], "generated entry")  # fail here, not in the crawl
    return text


def append_entry(config: str | Path, text: str) -> None:
    """Append an entry to ``config`` (created if missing); the file is checked before it is replaced."""
    config = Path(config)
    old = config.read_text(encoding="utf-8") if config.exists() else ""
    new = (old.rstrip("\n") + "\n\n" if old.strip() else "") + text
    temporary = config.with_name(config.name + ".new")
    temporary.write_text(new, encoding="utf-8")
    try:
        load_sites(temporary)
    except SiteConfigError as exc:
        temporary.unlink()
        raise OnboardError(str(exc).replace(str(temporary), str(config))) from None
    os.replace(temporary, config)
