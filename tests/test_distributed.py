"""Distributed mode: two crawler processes share one frontier and dupefilter in a real Redis."""

from __future__ import annotations

import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from tests.conftest import REPO

ARTICLES = 150  # enough pages (~300) that both workers get a share


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def redis_url():
    pytest.importorskip("scrapy_redis", reason="scrapy-redis is not installed (pip install -e .)")
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed (make test installs it: apt-get install -y redis-server)")
    port = free_port()
    process = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no"], stdout=subprocess.DEVNULL)
    import redis

    client = redis.Redis(host="127.0.0.1", port=port)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="module")
def distributed(redis_url, tmp_path_factory):
    """Two workers crawl one farm, each into its own data dir; then `arshif reindex` merges."""
    from arshif.demo import start_farm
    from samples.config import sites_config

    root = tmp_path_factory.mktemp("distributed")
    farm, port = start_farm(0, ARTICLES)
    try:
        config = root / "sites.toml"
        config.write_text(sites_config(port), encoding="utf-8")
        workers = []
        for name in ("w1", "w2"):
            command = [sys.executable, "-m", "arshif", "crawl", "--config", str(config),
                       "--data", str(root / name)]
            for setting in (f"ARSHIF_REDIS_URL={redis_url}", "ARSHIF_REDIS_KEY=test-crawl",
                            "ARSHIF_REDIS_IDLE_CLOSE=2", "ARSHIF_EXTRACT_WORKERS=1",
                            "AUTOTHROTTLE_ENABLED=False", "ARSHIF_PACKAGE=False", "ARSHIF_PROGRESS=off"):
                command += ["--set", setting]
            workers.append(subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE,
                                            stderr=subprocess.STDOUT, text=True))
        outputs = [worker.communicate(timeout=300)[0] for worker in workers]
        for worker, output in zip(workers, outputs):
            assert worker.returncode == 0, output[-3000:]
    finally:
        farm.terminate()
        farm.wait(timeout=10)
        farm.stdout.close()
    merged = root / "merged"
    (merged / "warc").mkdir(parents=True)
    for name in ("w1", "w2"):
        (merged / "warc" / name).symlink_to(root / name / "warc")
    from arshif.reindex import rebuild

    rebuild(merged, workers=2)
    return root, port


def page_urls(warc_dir: Path) -> list[str]:
    urls = []
    for path in warc_dir.glob("*.warc.gz"):
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type == "response" and not record.rec_headers.get_header(
                        "WARC-Target-URI").endswith("/robots.txt"):
                    urls.append(record.rec_headers.get_header("WARC-Target-URI"))
    return urls


def test_both_workers_crawled_and_no_url_was_fetched_twice(distributed):
    root, _ = distributed
    shares = [page_urls(root / name / "warc") for name in ("w1", "w2")]
    assert all(len(share) >= 20 for share in shares), [len(s) for s in shares]
    everything = shares[0] + shares[1]
    assert len(everything) == len(set(everything))


def test_merged_archive_has_every_article_exactly_once(distributed):
    root, port = distributed
    from samples.farm import build_farm

    expected = {article.url(port) for article in build_farm(ARTICLES, port).articles}
    with sqlite3.connect(root / "merged" / "archive.db") as conn:
        stored = [row[0] for row in conn.execute("select canonical_url from articles")]
    conn.close()
    assert len(stored) == len(set(stored)) == ARTICLES
    assert set(stored) == expected


def test_last_worker_out_clears_the_crawls_redis_keys(distributed, redis_url):
    import redis

    client = redis.Redis.from_url(redis_url)
    assert client.keys("test-crawl:*") == []


def test_addon_switches_to_scrapy_redis_only_when_configured():
    from scrapy.settings import Settings

    from crawler.distributed import RedisAddon

    settings = Settings({"DUPEFILTER_CLASS": "crawler.jobs.JournalDupeFilter"}, priority="project")
    RedisAddon().update_settings(settings)
    assert settings["DUPEFILTER_CLASS"] == "crawler.jobs.JournalDupeFilter"
    settings.set("ARSHIF_REDIS_URL", "redis://127.0.0.1:1/0", priority="cmdline")
    settings.set("ARSHIF_REDIS_KEY", "nightly", priority="cmdline")
    RedisAddon().update_settings(settings)
    assert settings["SCHEDULER"] == "scrapy_redis.scheduler.Scheduler"
    assert settings["DUPEFILTER_CLASS"] == "scrapy_redis.dupefilter.RFPDupeFilter"
    assert settings["SCHEDULER_QUEUE_KEY"] == "nightly:requests"
    assert settings.getbool("SCHEDULER_PERSIST")  # one worker closing must not flush the others' frontier
    assert settings["ARSHIF_JOB_DIR"] == ""
