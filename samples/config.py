"""The crawler's sites config (TOML) for the farm, on a given port."""

from __future__ import annotations

import json

from samples.publishers import DEFAULT_PORT, PUBLISHERS


def _toml(value: object) -> str:
    # JSON string and list syntax is valid TOML for the values used here.
    return json.dumps(value, ensure_ascii=False)


def sites_config(port: int = DEFAULT_PORT, hostile: bool = False) -> str:
    """`[[site]]` tables for the farm's publishers; feeds, sitemaps and
    article_pattern appear only where the publisher has them. `hostile` adds the
    opt-in hostile publisher (samples/sites/hostile.py)."""
    lines = [f"# arshif sample farm (samples/) on port {port}"]
    publishers = list(PUBLISHERS)
    if hostile:
        from samples.sites.hostile import HOSTILE

        publishers.append(HOSTILE)
    for pub in publishers:
        base = pub.base_url(port)
        lines += [
            "",
            "[[site]]",
            f"name = {_toml(pub.name)}",
            f"title = {_toml(pub.title)}",
            f"base_url = {_toml(base)}",
            f"allowed_domains = {_toml([pub.host])}",
            'language = "ar"',
        ]
        if pub.feeds:
            lines.append(f"feeds = {_toml([base + f.lstrip('/') for f in pub.feeds])}")
        if pub.sitemaps:
            lines.append(f"sitemaps = {_toml([base + s.lstrip('/') for s in pub.sitemaps])}")
        if pub.article_pattern:
            lines.append(f"article_pattern = {_toml(pub.article_pattern)}")
    return "\n".join(lines) + "\n"
