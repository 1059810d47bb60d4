"""``python -m bench.crawl.distributed [--articles N] [--workers N]``: scrapy-redis workers vs one.

Starts a throwaway ``redis-server`` and the farm on loopback, crawls the farm
with one worker, then with N workers at once (each with its own data directory
and one extraction process, as on N small machines), merges the N archives with
``arshif reindex`` and checks that every article is in the merged archive exactly
once and that no page was fetched twice. Prints pages/s and wall time of both.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.crawl.__main__ import Farm
from bench.crawl.measure import run_parallel_measured
from bench.crawl.runs import COMMON_SETTINGS, REPO, arshif_command, count_responses
from bench.crawl.report import write_json

logger = logging.getLogger("bench.crawl.distributed")


def start_redis() -> tuple[subprocess.Popen, str]:
    server = shutil.which("redis-server")
    if server is None:
        raise SystemExit("redis-server is not installed: apt-get install -y redis-server")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no"], stdout=subprocess.DEVNULL)
    time.sleep(0.5)
    return process, f"redis://127.0.0.1:{port}/0"


def crawl(workers: int, config: Path, root: Path, redis_url: str) -> dict:
    settings = {"ARSHIF_REDIS_URL": redis_url, "ARSHIF_REDIS_KEY": f"bench-{workers}",
                "ARSHIF_REDIS_IDLE_CLOSE": "2", "ARSHIF_EXTRACT_WORKERS": "1", **COMMON_SETTINGS}
    dirs = [root / f"{workers}w-{index}" for index in range(workers)]
    commands = [arshif_command(config, data_dir, settings) for data_dir in dirs]
    measurement = run_parallel_measured(commands, cwd=REPO, logs=[d.with_suffix(".log") for d in dirs])
    merged = root / f"{workers}w-merged"
    (merged / "warc").mkdir(parents=True)
    for data_dir in dirs:
        (merged / "warc" / data_dir.name).symlink_to(data_dir / "warc")
    from arshif.reindex import rebuild

    rebuild(merged)
    with sqlite3.connect(merged / "archive.db") as conn:
        articles, distinct = conn.execute("select count(*), count(distinct canonical_url) from articles").fetchone()
        fetched_twice = conn.execute("select count(*) from (select url from captures where kind = 'page' "
                                     "group by url having count(*) > 1)").fetchone()[0]
    pages = [count_responses(sorted((d / "warc").glob("*.warc.gz"))) for d in dirs]
    return {"workers": workers, "pages": sum(pages), "pages_per_worker": pages, "articles": articles,
            "distinct_articles": distinct, "pages_fetched_twice": fetched_twice,
            "pages_per_s": sum(pages) / measurement.wall_s, **measurement.to_dict()}


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    parser = argparse.ArgumentParser(prog="python -m bench.crawl.distributed", description=__doc__)
    parser.add_argument("--articles", type=int, default=2_000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    root = Path(tempfile.mkdtemp(prefix="arshif-bench-dist-"))
    redis, url = start_redis()
    farm = Farm(args.articles)
    try:
        config = farm.config(root)
        results = [crawl(n, config, root, url) for n in (1, args.workers)]
    finally:
        farm.stop()
        redis.terminate()
        redis.wait(timeout=10)
    one = results[0]
    print(f"\nscrapy-redis on the farm ({args.articles:,} articles; idle-close wait of 2 s included)")
    for r in results:
        print(f"{r['workers']} worker(s): {r['pages']:>6} pages {r['pages_per_worker']} in {r['wall_s']:6.1f} s "
              f"= {r['pages_per_s']:6.1f} pages/s ({r['pages_per_s'] / one['pages_per_s']:.2f}x), CPU {r['cpu_s']:.0f} s; "
              f"merged archive: {r['articles']} articles ({r['distinct_articles']} distinct), "
              f"{r['pages_fetched_twice']} pages fetched twice")
    out = REPO / "bench" / "results" / f"distributed-{args.articles}-{time.strftime('%Y%m%dT%H%M%S')}.json"
    write_json(out, {"articles": args.articles, "results": results})
    print(f"results: {out}")
    shutil.rmtree(root, ignore_errors=True)
    ok = all(r["articles"] == r["distinct_articles"] == args.articles and not r["pages_fetched_twice"]
             for r in results)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
