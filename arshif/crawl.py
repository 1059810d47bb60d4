"""A crawl as the app runs it: the Scrapy crawl, then the crawl's CDXJ index and WACZ."""

from __future__ import annotations

from pathlib import Path

from archive.wacz_package import package_after_crawl
from crawler.run import CrawlSummary, run_crawl


def crawl_and_package(sites: list[str], data_dir: str | Path, config: str | Path,
                      overrides: dict | None = None, resume: bool = False) -> CrawlSummary:
    """Crawl ``sites`` (all configured when empty); package the crawl unless it opts out."""
    summary = run_crawl(sites, data_dir, config, overrides, resume=resume)
    if summary.package_wanted:
        summary.package_lines = package_after_crawl(data_dir, summary.crawl_id)
    return summary
