"""Helpers shared by the evidence tests (issue 3): one archive crawled twice, made once.

``twice_crawled`` crawls the farm into one data directory two times (the farm
serves the same bytes both times), so the second crawl writes revisit records
(articles with validators are asked conditionally by issue 6's middleware and
answer 304 instead: those are plain response records).
test_evidence, test_downloads and test_replay all read it; it is built at most
once per test session.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import Crawl, crawl_farm

OPERATOR = "Test Lab for Arabic Web Archives"
DESCRIPTION = "Evidence tests: the sample farm crawled twice"


@dataclass
class TwoCrawls:
    data_dir: Path
    first: Crawl
    second: Crawl
    first_id: str
    second_id: str

    @property
    def db_path(self) -> Path:
        return self.data_dir / "archive.db"


_cache: dict[str, TwoCrawls] = {}


def crawl_id_of(crawl: Crawl) -> str:
    for line in crawl.stdout.splitlines():
        if line.startswith("crawl "):
            return line.split()[1]
    raise AssertionError(f"no crawl id in the summary:\n{crawl.stdout}")


def twice_crawled(farm, tmp_path_factory) -> TwoCrawls:
    if "data" not in _cache:
        data_dir = tmp_path_factory.mktemp("twice") / "data"
        # ARSHIF_INCREMENTAL=False (issue 6): fetch every page again, not only those due
        extra = ("--set", f"WARC_OPERATOR={OPERATOR}", "--set", f"WARC_DESCRIPTION={DESCRIPTION}",
                 "--set", "ARSHIF_INCREMENTAL=False")
        first = crawl_farm(farm, data_dir, *extra)
        assert first.returncode == 0, first.stderr[-3000:]
        second = crawl_farm(farm, data_dir, *extra)
        assert second.returncode == 0, second.stderr[-3000:]
        _cache["data"] = TwoCrawls(data_dir, first, second, crawl_id_of(first), crawl_id_of(second))
    return _cache["data"]


def rows(db_path: Path, sql: str, *params) -> list[dict]:
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


def warc_fields(data: bytes) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for line in data.decode("utf-8").splitlines():
        name, _, value = line.partition(":")
        if name:
            fields.setdefault(name.strip(), []).append(value.strip())
    return fields
