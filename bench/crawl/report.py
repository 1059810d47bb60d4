"""Print the benchmark table, the profile summary, and write the JSON results."""

from __future__ import annotations

import json
import pstats
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bench.crawl.runs import RunResult

# Frames that only drive the others (interpreter, CLI, event loop): not where time goes.
DRIVER_MARKERS = ("<frozen runpy>", "click/core.py", "asyncio/base_events.py", "asyncio/events.py",
                  "{built-in method builtins.exec}", "<string>", "archive/__main__.py",
                  "contextvars", "asyncioreactor.py", "scrapy/crawler.py")


def table(results: list[RunResult], baseline: RunResult, strict: RunResult) -> str:
    """One row per run; wall and CPU against (a), and wall against (a') (one wget per host)."""
    header = (f"{'run':<22} {'pages':>7} {'articles':>8} {'pages/s':>8} {'wall s':>8} {'CPU s':>8} "
              f"{'(main/other)':>14} {'peak RSS MB':>11} {'tree RSS MB':>11} {'wall/a':>7} {'CPU/a':>6} "
              f"{'wall/a_':>7}")
    lines = [header, "-" * len(header)]
    base, strict_base = baseline.measurement, strict.measurement
    for result in results:
        m = result.measurement
        split = f"{m.cpu_by_process.get('main', 0):.0f}/{m.cpu_by_process.get('others', 0):.0f}"
        articles = "-" if result.articles is None else str(result.articles)
        # a run on another farm size has no ratio to this wget run
        ratios = (f"{m.wall_s / base.wall_s:>6.2f}x {m.cpu_s / base.cpu_s:>5.2f}x {m.wall_s / strict_base.wall_s:>6.2f}x"
                  if result.extra.get("same_farm", True) else f"{'-':>7} {'-':>6} {'-':>7}")
        lines.append(
            f"{result.name:<22} {result.pages:>7} {articles:>8} {result.pages_per_s:>8.1f} {m.wall_s:>8.1f} "
            f"{m.cpu_s:>8.1f} {split:>14} {m.peak_rss_mb:>11.0f} {m.peak_tree_rss_mb:>11.0f} {ratios}"
        )
    return "\n".join(lines)


def profile_summary(path: Path, top: int = 25) -> str:
    """The top cumulative entries of a cProfile run, without the driver frames."""
    stats = pstats.Stats(str(path))
    total = stats.total_tt or 1.0
    rows = []
    for func, (_, calls, tottime, cumtime, _) in stats.stats.items():
        filename, line, name = func
        label = f"{filename}:{line}({name})" if line else name
        if any(marker in label for marker in DRIVER_MARKERS):
            continue
        rows.append((cumtime, tottime, calls, label))
    rows.sort(reverse=True)
    lines = [f"main process, {total:.1f} s profiled (cProfile slows it ~1.5-2x; shares matter)",
             f"{'cum s':>7} {'cum %':>6} {'own s':>7} {'calls':>9}  function"]
    for cumtime, tottime, calls, label in rows[:top]:
        short = label.split("site-packages/")[-1].replace(str(Path.cwd()) + "/", "")
        lines.append(f"{cumtime:>7.1f} {cumtime / total * 100:>5.1f}% {tottime:>7.1f} {calls:>9}  {short}")
    return "\n".join(lines)


def write_json(path: Path, payload: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
