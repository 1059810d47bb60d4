"""``arshif reindex``: rebuild archive.db from the WARC files (see ``arshif.reindex``).

The lead registers it with ``cli.add_command(reindex)``; it also runs alone:
``python -c "from arshif.cli.reindex import reindex; reindex()" --data data``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from arshif.reindex_stats import ReindexStats


def _progress_line(stats: ReindexStats) -> str:
    share = stats.bytes_read / stats.bytes_total if stats.bytes_total else 1.0
    rate = stats.articles / stats.elapsed if stats.elapsed else 0.0
    eta = stats.elapsed * (1 - share) / share if share > 0.01 else 0.0
    width = 24
    bar = "#" * int(width * share) + "-" * (width - int(width * share))
    return (f"reindex [{bar}] {share:6.1%}  {stats.captures:,} captures  {stats.articles:,} articles  "
            f"{rate:,.0f} articles/s  {stats.elapsed:,.0f} s  eta {eta:,.0f} s")


class _Progress:
    """One live line on a terminal; a plain line every ~10 s otherwise (logs, CI)."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.last_plain = 0.0

    def __call__(self, stats: ReindexStats) -> None:
        line = _progress_line(stats)
        if self.tty:
            sys.stderr.write("\r" + line + "\x1b[K")
            sys.stderr.flush()
        elif stats.elapsed - self.last_plain >= 10 or stats.bytes_read >= stats.bytes_total:
            self.last_plain = stats.elapsed
            sys.stderr.write(line + "\n")

    def done(self) -> None:
        if self.tty:
            sys.stderr.write("\n")


@click.command("reindex")
@click.option("--data", "data_dir", default="data", show_default=True, type=click.Path(file_okay=False),
              help="Data directory: WARCs are read from DATA/warc.")
@click.option("--output", default=None, type=click.Path(dir_okay=False),
              help="Database to write (default DATA/archive.db, replaced atomically when done).")
@click.option("--workers", type=int, default=0, show_default=True,
              help="Extraction processes (0 = one per CPU core).")
@click.option("--reclassify", is_flag=True,
              help="Extract every page again, also those the crawl judged not to be articles and "
                   "earlier captures of articles captured again: use it after changing the extractor.")
@click.option("--config", "sites_config", default=None, type=click.Path(exists=True, dir_okay=False),
              help="Sites file whose entries replace those the WARC files' warcinfo records carry.")
@click.option("--extract-timeout", type=float, default=20.0, show_default=True,
              help="Longest extraction of one page, in seconds, as the crawl's ARSHIF_EXTRACT_TIMEOUT (0 = no bound).")
@click.option("--quiet", is_flag=True, help="No progress line.")
def reindex(data_dir: str, output: str | None, workers: int, reclassify: bool, sites_config: str | None,
            extract_timeout: float, quiet: bool) -> None:
    """Rebuild the SQLite archive from the WARC files alone (the source of truth)."""
    from arshif.reindex import rebuild

    if not (Path(data_dir) / "warc").is_dir():
        raise click.ClickException(f"{Path(data_dir) / 'warc'} does not exist: nothing to reindex")
    progress = None if quiet else _Progress()
    try:
        stats = rebuild(data_dir, output, workers=workers, reclassify=reclassify, progress=progress,
                        extract_timeout=extract_timeout, sites_config=sites_config)
    except FileNotFoundError as error:
        raise click.ClickException(str(error)) from None
    finally:
        if progress is not None:
            progress.done()
    rate = stats.article_rows / stats.elapsed if stats.elapsed else 0.0
    click.echo(f"reindexed {stats.warc_files} WARC file(s) into {output or Path(data_dir) / 'archive.db'}: "
               f"{stats.captures:,} captures, {stats.article_rows:,} articles "
               f"({stats.extracted:,} pages extracted) in {stats.elapsed:.1f} s ({rate:,.0f} articles/s)")
    if stats.superseded:
        click.echo(f"  {stats.superseded:,} earlier captures of articles captured again later were "
                   "stored without extraction (the last capture fills the row)")
    if stats.text_changed:
        click.echo(f"  {stats.text_changed:,} article texts differ from the crawl's extraction "
                   "(the extractor changed since)")
    if stats.without_metadata:
        click.echo(f"  {stats.without_metadata:,} responses without a metadata record skipped "
                   "(redirects, robots.txt checks)")
    if stats.unextracted:
        click.echo(f"  {stats.unextracted:,} pages over the extraction time bound stored without an article")
    if stats.skipped:
        click.echo(f"  {stats.skipped:,} unreadable WARC records skipped (table failures, "
                   "reason warc_record_skipped)")
