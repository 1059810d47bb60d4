"""Search benchmarks.

    python -m bench.search [--articles 1000000] [--data DIR] [--queries 200]
        Build (or reuse) a generated archive of N articles, report the index build
        rate and size per article, then serve it with Datasette (the arguments
        ``arshif serve`` uses) and measure p50/p95 latency of single-word and
        two-word queries through ``/-/search.json`` and the table's ``?_search=``
        (with ``_nocount``/``_nofacet``). Target: p95 < 100 ms.

    python -m bench.search queryset --data DIR [--write]
        Recall and precision of the query set (tests/search_queries.json) on a
        crawled farm archive (``arshif demo --no-serve`` writes one to data/), beside
        plain FTS5. ``--write`` recomputes the expected articles from the oracles.

Results are printed and saved as JSON in bench/results/.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import re
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

from bench.search.generate import build_archive, db_size

REPO = Path(__file__).resolve().parents[2]
RESULTS = REPO / "bench" / "results"
TARGET_P95_MS = 100.0
STOPWORDS = {
    "في", "من", "إلى", "على", "عن", "مع", "بعد", "قبل", "منذ", "بين", "حتى", "خلال",
    "التي", "الذي", "أن", "إن", "قرب", "نحو",
}  # fmt: skip
_WORD = re.compile(r"[\u0621-\u064a]{3,}")


def sample_queries(db_path: Path, count: int, seed: int = 5) -> dict[str, list[str]]:
    """Single-word and two-word queries a reader would type: words of the titles of
    randomly chosen articles (so place names and topic words, frequent and rare),
    two-word queries being adjacent title words."""
    rng = random.Random(seed)
    conn = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        top = conn.execute("SELECT max(id) FROM articles").fetchone()[0]
        ids = [rng.randint(1, top) for _ in range(count * 3)]
        titles = [
            row[0]
            for i in ids
            for row in conn.execute("SELECT title FROM articles WHERE id = ?", [i])
        ]
    finally:
        conn.close()
    single, double = [], []
    for title in titles:
        words = [w for w in _WORD.findall(title) if w not in STOPWORDS]
        if words and len(single) < count:
            single.append(rng.choice(words))
        pairs = [
            f"{a} {b}"
            for a, b in zip(_WORD.findall(title), _WORD.findall(title)[1:], strict=False)
            if a not in STOPWORDS and b not in STOPWORDS
        ]
        if pairs and len(double) < count:
            double.append(rng.choice(pairs))
    return {"single-word": single, "two-word": double}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_datasette(data_dir: Path, port: int) -> subprocess.Popen:
    from archive.web.plugin import serve_args

    log = (data_dir / "datasette.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "datasette", *serve_args(data_dir, port=port)],
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    log.close()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/-/metadata.json")
            if conn.getresponse().status == 200:
                conn.close()
                return process
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"datasette did not start, see {data_dir / 'datasette.log'}")


def endpoints(database: str) -> dict[str, callable]:
    return {
        "/-/search.json": lambda q: "/-/search.json?" + urlencode({"q": q}),
        "table ?_search=": lambda q: f"/{database}/articles.json?"
        + urlencode({"_search": q, "_nocount": 1, "_nofacet": 1, "_size": 20}),
    }


def measure(port: int, paths: list[str]) -> tuple[list[float], list[int]]:
    """Latency in ms of each GET (one keep-alive client, one request at a time)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    times, statuses = [], []
    for path in paths:
        started = time.perf_counter()
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        times.append((time.perf_counter() - started) * 1000)
        statuses.append(response.status)
    conn.close()
    return times, statuses


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def match_counts(db_path: Path, queries: list[str]) -> list[int]:
    from archive.query import normalize_query

    conn = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return [
            conn.execute(
                "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?",
                [normalize_query(q)],
            ).fetchone()[0]
            for q in queries
        ]
    finally:
        conn.close()


def run_latency(args) -> dict:
    data_dir = Path(args.data)
    data_dir.mkdir(parents=True, exist_ok=True)
    db_path = data_dir / "archive.db"
    have = 0
    if db_path.exists():
        with sqlite3.connect(db_path) as conn:
            have = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    result: dict = {"articles": args.articles}
    if have < args.articles:
        print(f"building {args.articles:,} articles in {db_path} (have {have:,}) ...", flush=True)

        def progress(done: int, total: int, seconds: float) -> None:
            if done % 100_000 == 0 or done == total:
                print(f"  {done:,}/{total:,}  {seconds:,.0f} s  {done / seconds:,.0f}/s", flush=True)

        report = build_archive(db_path, args.articles, workers=args.workers, progress=progress)
        print("\n".join(report.lines()))
        result["build"] = {
            "articles_built": report.articles, "seconds": report.seconds,
            "articles_per_second": report.rate, "db_bytes": report.db_bytes,
            "bytes_per_article": report.bytes_per_article,
        }  # fmt: skip
    else:
        size = db_size(db_path)
        print(f"reusing {db_path}: {have:,} articles, {size / 2**20:,.0f} MiB "
              f"({size / have / 1024:.2f} KiB per article)")  # fmt: skip
        result["articles"] = have
        result["build"] = {"reused": True, "db_bytes": size, "bytes_per_article": size / have}

    queries = sample_queries(db_path, args.queries)
    port = _free_port()
    process = start_datasette(data_dir, port)
    result["latency"] = {}
    try:
        paths_for = endpoints(db_path.stem)
        # warm the page cache the way a running server is warm
        for make in paths_for.values():
            measure(port, [make(q) for q in queries["single-word"][:20]])
        print(f"\nlatency, {args.queries} queries per kind, sequential, ms "
              f"(target p95 < {TARGET_P95_MS:.0f})")  # fmt: skip
        print(f"{'endpoint':<18} {'queries':<12} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7}  matches p50/max")
        for kind, qs in queries.items():
            counts = match_counts(db_path, qs)
            for name, make in paths_for.items():
                times, statuses = measure(port, [make(q) for q in qs])
                bad = [s for s in statuses if s != 200]
                row = {
                    "p50": percentile(times, 50), "p95": percentile(times, 95),
                    "p99": percentile(times, 99), "max": max(times), "n": len(times),
                    "errors": len(bad), "matches_p50": statistics.median(counts),
                    "matches_max": max(counts),
                }  # fmt: skip
                result["latency"][f"{name} {kind}"] = row
                flag = "" if row["p95"] < TARGET_P95_MS and not bad else "  <-- over target" if not bad else f"  {len(bad)} errors"
                print(f"{name:<18} {kind:<12} {row['p50']:7.1f} {row['p95']:7.1f} {row['p99']:7.1f} "
                      f"{row['max']:7.1f}  {row['matches_p50']:,.0f}/{row['matches_max']:,}{flag}")  # fmt: skip
    finally:
        process.terminate()
        process.wait(30)
    result["queries"] = queries
    return result


def run_queryset(args) -> dict:
    from bench.search.queryset import evaluate, report, write_expected

    if args.write:
        write_expected()
        print("recomputed expected articles in tests/search_queries.json")
    db_path = Path(args.data) / "archive.db"
    if not db_path.exists():
        raise SystemExit(f"{db_path} does not exist: crawl the farm first (arshif demo --no-serve)")
    scores = evaluate(db_path)
    print(report(scores))
    return {
        name: {"recall": s.recall, "precision": s.precision, "queries": len(s.results)}
        for name, s in scores.items()
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.search", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command")
    parser.add_argument("--articles", type=int, default=1_000_000, help="archive size (default 1,000,000)")
    parser.add_argument("--data", default=None, help="data dir for the generated archive "
                        "(default data/bench-search-<N>; reused when it holds enough articles)")
    parser.add_argument("--queries", type=int, default=200, help="queries per kind (default 200)")
    parser.add_argument("--workers", type=int, default=1, help="story generator processes (default 1)")
    qs = sub.add_parser("queryset", help="recall/precision of the query set on a crawled farm archive")
    qs.add_argument("--data", default="data", help="data dir holding the crawled archive.db")
    qs.add_argument("--write", action="store_true", help="recompute expected articles from the oracles")
    args = parser.parse_args(argv)

    if args.command == "queryset":
        result = run_queryset(args)
        name = "search-queryset.json"
    else:
        args.data = args.data or str(REPO / "data" / f"bench-search-{args.articles}")
        result = run_latency(args)
        name = f"search-{result['articles']}.json"
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / name).write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"\nsaved bench/results/{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
