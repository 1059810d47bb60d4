"""CLI: ``python -m bench.crawl [--articles N] [--quick]``; see the package docstring."""

from __future__ import annotations

import argparse
import logging
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench.crawl.extract_baseline import article_pages, time_extraction
from bench.crawl.measure import run_measured
from bench.crawl.report import profile_summary, table, write_json
from bench.crawl.runs import FETCH_ONLY_SETTINGS, REPO, RunResult, run_arshif, run_wget

logger = logging.getLogger("bench.crawl")
RESULTS = REPO / "bench" / "results"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.crawl", description=__doc__)
    parser.add_argument("--articles", type=int, default=20_000, help="farm size (default 20,000)")
    parser.add_argument("--quick", action="store_true", help="2,000 articles, no memory comparison")
    parser.add_argument("--rss-base", type=int, default=2_000,
                        help="also run (c) on a farm this size to compare peak RSS (0 = skip)")
    parser.add_argument("--no-profile", action="store_true", help="skip the cProfile run of (c)")
    parser.add_argument("--no-reindex", action="store_true", help="skip timing `arshif reindex`")
    parser.add_argument("--keep", type=Path, default=None, help="keep data here instead of a temp dir")
    parser.add_argument("--set", dest="settings", action="append", default=[], metavar="KEY=VALUE",
                        help="extra setting for both arshif runs (repeatable)")
    args = parser.parse_args(argv)
    if args.quick:
        args.articles = min(args.articles, 2_000)
        args.rss_base = 0
    return args


class Farm:
    """The sample farm in its own process, so it never shares the crawler's core."""

    def __init__(self, articles: int) -> None:
        from arshif.demo import start_farm

        started = time.perf_counter()
        self.process, self.port = start_farm(0, articles)
        self.articles = articles
        logger.info("farm of %d articles on port %d (built in %.1f s)", articles, self.port,
                    time.perf_counter() - started)

    def config(self, directory: Path) -> Path:
        from samples.config import sites_config

        path = directory / f"sites-{self.articles}.toml"
        path.write_text(sites_config(self.port), encoding="utf-8")
        return path

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)
        self.process.stdout.close()


def time_reindex(data_dir: Path, workdir: Path) -> dict:
    """``arshif reindex`` of the full run's WARCs into a separate DB, compared with the crawl's."""
    from arshif.reindex import compare_archives

    output = workdir / "reindexed.db"
    command = [sys.executable, "-c", "from arshif.cli.reindex import reindex; reindex()",
               "--data", str(data_dir), "--output", str(output)]
    measurement = run_measured(command, cwd=REPO, log=workdir / "reindex.log")
    if measurement.returncode != 0:
        raise SystemExit(f"reindex failed; see {workdir / 'reindex.log'}")
    differences = compare_archives(data_dir / "archive.db", output)
    import sqlite3

    with sqlite3.connect(output) as conn:
        articles = conn.execute("select count(*) from articles").fetchone()[0]
    return {"articles": articles, "articles_per_s": articles / measurement.wall_s,
            "differences": differences, **measurement.to_dict()}


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    args = parse_args(argv)
    extra = dict(pair.split("=", 1) for pair in args.settings)
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="arshif-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    payload: dict = {
        "articles": args.articles, "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "load_before": os.getloadavg()},
        "settings": extra,
    }
    results: list[RunResult] = []
    farm = Farm(args.articles)
    try:
        config = farm.config(workdir)
        logger.info("(a) wget --recursive --warc-file: one command, the three hosts' home pages")
        wget = run_wget(farm.port, workdir / "wget", per_host=False)
        logger.info("(a') the same, one wget per host, the three at once")
        wget_per_host = run_wget(farm.port, workdir / "wget-per-host", per_host=True)
        results += [wget, wget_per_host]
        logger.info("(b) arshif fetch + WARC only")
        results.append(run_arshif("arshif fetch+WARC", config, workdir / "fetch",
                                  {**FETCH_ONLY_SETTINGS, **extra}))
        logger.info("(c) arshif full pipeline")
        full = run_arshif("arshif full", config, workdir / "full", extra)
        full.extra["complete"] = full.articles == args.articles
        results.append(full)
        if not args.no_reindex:
            logger.info("arshif reindex of (c)'s WARCs")
            payload["reindex"] = time_reindex(workdir / "full", workdir)
            logger.info("baseline: trafilatura.extract() of the same article pages, one process per core")
            payload["reindex"]["baseline"] = time_extraction(article_pages(workdir / "full"))
        compare_rss = 0 < args.rss_base < args.articles
        if not compare_rss and not args.no_profile:
            payload["profile"] = run_profile(config, workdir, extra)
    finally:
        farm.stop()
    payload["load_after"] = os.getloadavg()

    if compare_rss:
        small = Farm(args.rss_base)
        try:
            logger.info("(c) again on %d articles, for peak RSS", args.rss_base)
            base = run_arshif(f"arshif full @{args.rss_base}", small.config(workdir), workdir / "small", extra)
            base.extra["same_farm"] = False
            results.append(base)
            payload["rss_scaling"] = {
                "small_articles": args.rss_base, "large_articles": args.articles,
                "peak_rss_ratio": full.measurement.peak_rss_mb / base.measurement.peak_rss_mb,
                "peak_tree_rss_ratio": full.measurement.peak_tree_rss_mb / base.measurement.peak_tree_rss_mb,
            }
            if not args.no_profile:
                payload["profile"] = run_profile(small.config(workdir), workdir, extra)
        finally:
            small.stop()

    payload["results"] = [r.to_dict() for r in results]
    print()
    print(f"arshif crawl benchmark: {args.articles:,} articles, {os.cpu_count()} CPUs, "
          f"load {payload['machine']['load_before'][0]:.1f} -> {payload['load_after'][0]:.1f}")
    print(table(results, wget, wget_per_host))
    print(f"(c) archived {full.articles} of {args.articles} articles"
          + ("" if full.articles == args.articles else "  <-- INCOMPLETE"))
    if "rss_scaling" in payload:
        s = payload["rss_scaling"]
        print(f"peak RSS {s['large_articles']:,} vs {s['small_articles']:,} articles: "
              f"{s['peak_rss_ratio']:.2f}x (largest process), {s['peak_tree_rss_ratio']:.2f}x (whole tree)")
    if "reindex" in payload:
        r = payload["reindex"]
        print(f"reindex: {r['articles']} articles in {r['wall_s']:.1f} s = {r['articles_per_s']:.0f} articles/s, "
              f"CPU {r['cpu_s']:.0f} s, peak RSS {r['peak_rss_mb']:.0f} MB; differences from the crawl's "
              f"archive: {r['differences'] or 'none'}")
        b = r["baseline"]
        print(f"  baseline, bare trafilatura.extract() of the same {b['pages']:,} pages in {b['workers']} processes: "
              f"{b['pages_per_s']:.0f} pages/s; reindex = {r['articles_per_s'] / b['pages_per_s']:.2f}x its rate")
    if "profile" in payload:
        print()
        print(payload["profile"]["summary"])
    out = RESULTS / f"crawl-{args.articles}-{time.strftime('%Y%m%dT%H%M%S')}.json"
    write_json(out, payload)
    print(f"\nresults: {out}")
    if args.keep is None:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0 if full.articles == args.articles else 1


def run_profile(config: Path, workdir: Path, extra: dict) -> dict:
    logger.info("(c) under cProfile (main process), for where the time goes")
    prof = workdir / "full.prof"
    result = run_arshif("arshif full (cProfile)", config, workdir / "profiled", extra, profile=prof)
    return {"wall_s": result.measurement.wall_s, "cpu_by_process": result.measurement.cpu_by_process,
            "summary": profile_summary(prof)}


if __name__ == "__main__":
    sys.exit(main())
