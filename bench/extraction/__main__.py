"""CLI: ``python -m bench.extraction [FOLDER ...]``; see the package docstring."""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from . import guard, peers, scoring

LOGGER = logging.getLogger("bench.extraction")
DEFAULT_PEERS = ["arshif", "trafilatura", "trafilatura-text", "readability", "newspaper4k", "justext"]
_SLOW_MS = 2000  # stop repeating a peer on a page once it has spent this long


def load_corpus(folders: list[Path]) -> list[tuple[str, bytes, dict[str, Any]]]:
    """(name, html bytes, gold) for every NAME.html with a NAME.gold.json."""
    pages = []
    for folder in folders:
        for gold_path in sorted(folder.glob("*.gold.json")):
            name = gold_path.name[: -len(".gold.json")]
            gold = json.loads(gold_path.read_text(encoding="utf-8"))
            html_path = folder / (gold.get("page") or f"{name}.html")
            if not html_path.exists():
                LOGGER.warning("no HTML for %s", gold_path)
                continue
            pages.append((name, html_path.read_bytes(), gold))
    return pages


def default_folders(tmp: str) -> list[Path]:
    """Export the farm corpus through samples.gold.export_corpus, if it exists."""
    try:
        from samples.gold import export_corpus
    except ImportError:
        return []
    export_corpus(Path(tmp))
    return [Path(tmp)]


def time_peer(name: str, body: bytes, gold: dict[str, Any], repeat: int) -> tuple[dict[str, Any], float]:
    """Run a peer ``repeat`` times on one page; return its result and median ms."""
    url, charset = gold.get("url") or "", gold.get("header_charset")
    timings, result = [], {}
    for _ in range(max(1, repeat)):
        start = time.perf_counter()
        result = peers.run_peer(name, body, url, charset)
        timings.append(1000 * (time.perf_counter() - start))
        if sum(timings) > _SLOW_MS:
            break
    return result, statistics.median(timings)


def run(folders: list[Path], names: list[str], repeat: int) -> int:
    pages = load_corpus(folders)
    if not pages:
        print("no NAME.html + NAME.gold.json pages found in", ", ".join(map(str, folders)))
        return 2
    names = peers.available(names)
    # warm-up: imports and lazy initialisation are not per-page costs
    for name in names:
        peers.run_peer(name, pages[0][1], pages[0][2].get("url") or "", None)

    per_page: dict[str, list[dict[str, Any]]] = {n: [] for n in names}
    timings: dict[str, list[float]] = {n: [] for n in names}
    rows = []
    for page_name, body, gold in pages:
        for name in names:
            result, ms = time_peer(name, body, gold, repeat)
            scores = scoring.score(result, gold, peers.SUPPORTS[name])
            per_page[name].append(scores)
            timings[name].append(ms)
            rows.append([page_name, name, scoring.fmt(scores["keep"]), scoring.fmt(scores["leak"]),
                         scoring.fmt(scores["f1"]), scoring.fmt(scores["title_ok"]),
                         scoring.fmt(scores["author_ok"]),
                         f"{scores['date'] or '-'} {scoring.fmt(scores['date_ok'])}"
                         if "date" in peers.SUPPORTS[name] else "n/a",
                         scoring.fmt(ms, "ms")])
    print(f"\nPer page ({len(pages)} pages, ms = median of up to {repeat} runs)\n")
    print(scoring.render_table(
        ["page", "extractor", "keep", "leak", "F1", "title", "author", "date", "ms"], rows))

    summaries = {n: scoring.aggregate(per_page[n], timings[n]) for n in names}
    metrics = [
        ("must_contain kept", "keep", "pct"), ("must_not_contain leaked", "leak", "pct"),
        ("body token precision", "precision", "pct"), ("body token recall", "recall", "pct"),
        ("body token F1", "f1", "pct"), ("title accuracy", "title_ok", "count"),
        ("author accuracy", "author_ok", "count"), ("date accuracy", "date_ok", "count"),
        ("wrong dates", "date_wrong", "count"), ("median ms/page", "ms_median", "ms"),
    ]
    summary_rows = [[label] + [scoring.fmt(summaries[n][key], kind) for n in names]
                    for label, key, kind in metrics]
    print("\nSummary (n/a: the extractor has no such field, or no gold for it)\n")
    print(scoring.render_table(["metric", *names], summary_rows))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.extraction", description=__doc__)
    parser.add_argument("folders", nargs="*", type=Path, help="folders of NAME.html + NAME.gold.json")
    parser.add_argument("--peers", default=",".join(DEFAULT_PEERS),
                        help="comma-separated extractors (default: all)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per page for timing")
    parser.add_argument("--against-trafilatura", type=Path, metavar="DIR",
                        help="gold-free guard: on every *.html under DIR, list what trafilatura's "
                             "defaults keep and arshif's body lacks, with the rule that removed it")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if args.against_trafilatura:
        reports = guard.run_guard(args.against_trafilatura)
        return 1 if any(r.unexplained for r in reports) else 0
    names = [n.strip() for n in args.peers.split(",") if n.strip()]
    with tempfile.TemporaryDirectory(prefix="arshif-bench-") as tmp:
        folders = args.folders or default_folders(tmp)
        if not folders:
            parser.error("no FOLDER given and samples.gold.export_corpus is not available")
        return run(folders, names, args.repeat)


if __name__ == "__main__":
    sys.exit(main())
