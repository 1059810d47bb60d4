"""ProgressReporter: a live line under a real pseudo-terminal, a stats line in logs otherwise."""

from __future__ import annotations

import io
import logging
import os
import pty
import select
import subprocess
import sys
import textwrap
import time

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from crawler.progress import Progress, ProgressReporter, counts_from_stats, format_progress
from tests.conftest import REPO


def run_in_pty(code: str, *args: str, timeout: float = 300) -> tuple[int, str]:
    """Run ``python -c code`` with stderr on a pseudo-terminal; return (exit code, what the terminal got)."""
    master, slave = pty.openpty()
    process = subprocess.Popen([sys.executable, "-c", code, *args], cwd=REPO, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=slave, close_fds=True)
    os.close(slave)
    chunks = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    data = os.read(master, 65536)
                except OSError:  # EIO: every writer closed the terminal
                    break
                if not data:
                    break
                chunks.append(data)
            elif process.poll() is not None:
                break
        process.stdout.read()
        process.wait(timeout=30)
    finally:
        process.kill() if process.poll() is None else None
        process.stdout.close()
        os.close(master)
    return process.returncode, b"".join(chunks).decode("utf-8", "replace")


SCRIPTED = textwrap.dedent("""
    import asyncio, logging, sys
    from scrapy.utils.test import get_crawler
    from crawler.progress import ProgressReporter

    async def main():  # a running loop, as under Scrapy's asyncio reactor
        crawler = get_crawler(settings_dict={"ARSHIF_PROGRESS": "auto"})
        logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="LOG %(message)s")
        clock = [100.0]
        reporter = ProgressReporter(crawler.stats, "auto", 5.0, pending=lambda: 40, clock=lambda: clock[0])
        print("mode", reporter.mode, flush=True)
        reporter.spider_opened()
        for second, pages, articles in [(1, 10, 2), (2, 30, 8), (3, 50, 15)]:
            clock[0] = 100.0 + second
            crawler.stats.set_value("downloader/response_count", pages)
            crawler.stats.set_value("archive/article_writes", articles)
            reporter.tick()
        crawler.stats.set_value("arshif/fetch_error/TimeoutError", 2)
        crawler.stats.set_value("log_count/ERROR", 1)
        logging.getLogger("crawler").warning("a warning from the crawl")
        clock[0] = 104.0
        reporter.tick()
        reporter.spider_closed("finished")

    asyncio.run(main())
""")


def test_live_line_under_a_pseudo_terminal():
    code, screen = run_in_pty(SCRIPTED, timeout=60)
    assert code == 0, screen
    frames = screen.split("\r")
    drawn = [f for f in frames if "pages ·" in f]
    assert len(drawn) >= 5
    # each redraw returns to column 0 and clears what the previous, longer line left
    assert all(f.endswith("\x1b[K") or f.endswith("\x1b[K\n") for f in drawn)
    assert "50 pages · 15 article pages · 0 errors · 20.0 pages/s · 40 queued · ETA 0m02s" in screen
    # the log line starts on a cleared line, not glued to the progress text
    assert "\r\x1b[KLOG a warning from the crawl" in screen
    assert "50 pages · 15 article pages · 3 errors" in screen
    final = [f for f in drawn if f.startswith("Crawl finished:")]
    assert final and final[-1].rstrip().endswith("\x1b[K") and screen.endswith("\n")
    assert "queued" not in final[-1]


def test_real_crawl_shows_the_live_line(farm, tmp_path):
    """A real crawl of one farm site with the extension enabled, stderr on a terminal."""
    from samples.config import sites_config

    config = tmp_path / "sites.toml"
    config.write_text(sites_config(farm.port), encoding="utf-8")
    code = textwrap.dedent("""
        import sys
        from scrapy.crawler import CrawlerProcess
        from crawler.run import project_settings

        settings = project_settings(sys.argv[2], sys.argv[1], {
            "AUTOTHROTTLE_ENABLED": False, "ARSHIF_PROGRESS_INTERVAL": 0.2, "ARSHIF_PROGRESS": "auto",
            "ARSHIF_EXTRACT_WORKERS": 1, "LOG_LEVEL": "WARNING"})
        extensions = dict(settings.getdict("EXTENSIONS"))
        extensions.setdefault("crawler.progress.ProgressReporter", 500)
        settings.set("EXTENSIONS", extensions, priority="cmdline")
        process = CrawlerProcess(settings)
        process.crawl("news", site=sys.argv[3])
        process.start()
    """)
    returncode, screen = run_in_pty(code, str(config), str(tmp_path / "data"), "nabd")
    assert returncode == 0, screen[-3000:]
    final = [f for f in screen.split("\r") if f.startswith("Crawl finished:")]
    assert final, screen[-3000:]
    pages = int(final[-1].split(" pages")[0].split()[-1].replace(",", ""))
    articles = int(final[-1].split(" article pages")[0].split()[-1].replace(",", ""))
    assert pages > 20 and articles >= 20
    assert "Traceback" not in screen


def test_log_mode_when_not_a_terminal(caplog):
    crawler = get_crawler(settings_dict={"ARSHIF_PROGRESS_INTERVAL": 2.0})
    stream = io.StringIO()  # not a TTY: "auto" means log lines
    clock = [0.0]
    reporter = ProgressReporter(crawler.stats, "auto", 2.0, stream=stream, clock=lambda: clock[0])
    assert reporter.mode == "log" and reporter.period == 2.0
    with caplog.at_level(logging.INFO, logger="crawler.progress"):
        clock[0] = 2.0
        crawler.stats.set_value("downloader/response_count", 8)
        reporter.tick()
        reporter.spider_closed("finished")
    messages = [r.getMessage() for r in caplog.records]
    assert messages[0].startswith("Progress: 8 pages · 0 article pages · 0 errors · 4.0 pages/s")
    assert messages[-1].startswith("Crawl finished: 8 pages")
    assert stream.getvalue() == ""


@pytest.mark.parametrize("mode", ["off", "OFF"])
def test_off_disables_the_extension(mode):
    crawler = get_crawler(settings_dict={"ARSHIF_PROGRESS": mode})
    with pytest.raises(NotConfigured):
        ProgressReporter.from_crawler(crawler)


def test_forced_bar_and_unknown_mode(caplog):
    assert ProgressReporter.from_crawler(get_crawler(settings_dict={"ARSHIF_PROGRESS": "bar"})).mode == "bar"
    with caplog.at_level(logging.WARNING):
        reporter = ProgressReporter.from_crawler(get_crawler(settings_dict={"ARSHIF_PROGRESS": "bars"}))
    assert reporter.mode in ("bar", "log") and "not one of" in caplog.text


def test_format_and_counts():
    assert format_progress(Progress(elapsed=3725, pages=12345, articles=3, errors=0, rate=0.0, pending=7)) == (
        "12,345 pages · 3 article pages · 0 errors · 0.0 pages/s · 7 queued · ETA ? · elapsed 1h02m")
    stats = {"downloader/response_count": 5, "archive/article_writes": 2, "arshif/fetch_error/DNSLookupError": 1,
             "arshif/fetch_error/TimeoutError": 2, "log_count/ERROR": 4}
    assert counts_from_stats(stats) == (5, 2, 7)
