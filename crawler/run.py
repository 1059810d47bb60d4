"""Run the news spider in-process and summarise what it did.

Used by ``arshif crawl`` and ``arshif demo`` (arshif/crawl.py, which packages the crawl
afterwards); ``scrapy crawl news`` works too.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

logger = logging.getLogger(__name__)


@dataclass
class CrawlSummary:
    crawl_id: str
    finish_reason: str
    pages_fetched: int
    articles_in_archive: int
    captures_written: int
    warc_bytes: int
    warc_files: int
    errors: int
    elapsed_seconds: float
    failures: int = 0  # rows written to the failures table (docs/failures.md)
    # whether this crawl wants its CDXJ/WACZ built (ARSHIF_PACKAGE with WARCs and the
    # archive on); the app builds them and adds its summary lines
    package_wanted: bool = False
    package_lines: list[str] = field(default_factory=list)

    @property
    def pages_per_second(self) -> float:
        return self.pages_fetched / self.elapsed_seconds if self.elapsed_seconds else 0.0

    def lines(self) -> list[str]:
        return [
            f"crawl {self.crawl_id} finished ({self.finish_reason}) in {self.elapsed_seconds:.1f} s",
            f"  pages fetched       {self.pages_fetched:>10,}  ({self.pages_per_second:.1f} pages/s)",
            f"  articles in archive {self.articles_in_archive:>10,}",
            f"  captures recorded   {self.captures_written:>10,}",
            f"  WARC data           {self.warc_bytes / 1e6:>10.2f} MB in {self.warc_files} file(s)",
            f"  errors              {self.errors:>10,}",
            f"  failures recorded   {self.failures:>10,}  (table failures)",
            *self.package_lines,
        ]


def new_crawl_id() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def project_settings(data_dir: str | Path, config: str | Path, overrides: dict | None = None):
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    settings.set("ARSHIF_DATA_DIR", str(data_dir), priority="cmdline")
    settings.set("ARSHIF_SITES_CONFIG", str(config), priority="cmdline")
    if not settings.get("ARSHIF_CRAWL_ID"):
        settings.set("ARSHIF_CRAWL_ID", new_crawl_id(), priority="cmdline")
    for key, value in (overrides or {}).items():
        settings.set(key, value, priority="cmdline")
    return settings


def count_articles(data_dir: str | Path) -> int:
    path = Path(data_dir) / "archive.db"
    if not path.exists():
        return 0
    with sqlite3.connect(path) as conn:
        return conn.execute("select count(*) from articles").fetchone()[0]


def run_crawl(sites: list[str], data_dir: str | Path, config: str | Path,
              overrides: dict | None = None, resume: bool = False) -> CrawlSummary:
    """Crawl ``sites`` (all configured ones when empty); blocks until the crawl ends.

    The job's frontier is journalled in ``DATA/jobs/<site-set>`` (crawler/jobs.py);
    ``resume`` continues an unfinished job there instead of starting afresh.
    """
    from scrapy.crawler import CrawlerProcess

    from crawler.jobs import job_dir_for

    overrides = dict(overrides or {})
    overrides.setdefault("ARSHIF_JOB_DIR", str(job_dir_for(data_dir, sites)))
    if resume:
        overrides["ARSHIF_RESUME"] = True
    settings = project_settings(data_dir, config, overrides)
    process = CrawlerProcess(settings)
    crawler = process.create_crawler("news")
    process.crawl(crawler, site=",".join(sites))
    process.start()
    stats = crawler.stats.get_stats()
    elapsed = (stats.get("elapsed_time_seconds") or 0.0)
    errors = sum(v for k, v in stats.items() if k.startswith(("arshif/fetch_error/", "spider_exceptions/")))
    return CrawlSummary(
        crawl_id=stats.get("arshif/crawl_id") or settings.get("ARSHIF_CRAWL_ID"),
        finish_reason=str(stats.get("finish_reason", "unknown")),
        pages_fetched=stats.get("downloader/response_count", 0),
        articles_in_archive=count_articles(data_dir),
        captures_written=stats.get("archive/captures", 0),
        warc_bytes=stats.get("warc/bytes_written", 0),
        warc_files=stats.get("warc/files", 0),
        errors=errors + stats.get("log_count/ERROR", 0),
        elapsed_seconds=elapsed,
        package_wanted=all(settings.getbool(key, True) for key in
                           ("ARSHIF_PACKAGE", "WARC_ENABLED", "ARSHIF_ARCHIVE_ENABLED")),
        failures=sum(v for k, v in stats.items() if k.startswith("arshif/failure/")),
    )
