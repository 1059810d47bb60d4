"""``arshif add-site`` and ``arshif export``; registered in arshif/cli/__init__.py with ``cli.add_command``."""

from __future__ import annotations

import os
import re
import sys
from datetime import datetime, timezone
from pathlib import Path

import click

from archive.export import FORMATS, ExportError, check_format, export_articles, format_for, open_output


def _fmt_date(value: str | None) -> str:
    return (value or "")[:16].replace("T", " ")


def _dry_run_table(report) -> list[str]:
    """One line per sampled page; the Arabic title comes last so RTL text cannot break the columns."""
    lines = ["  #  stored  published         words  author                title / URL",
             "  -- ------  ----------------  -----  --------------------  -----------"]
    for number, sample in enumerate(report.samples, 1):
        data = sample.extraction or {}
        stored = "yes" if sample.stored else "no"
        author = re.sub(r"\s+", " ", data.get("author") or "")[:20]
        title = data.get("title") or ""
        detail = title if sample.stored else f"{sample.note or 'not an article'}: {title or sample.url}"
        words = data.get("word_count") if sample.extraction else ""
        lines.append(f"  {number:>2} {stored:<7} {_fmt_date(data.get('published')):<17} "
                     f"{words!s:>5}  {author:<20}  {detail}")
        lines.append(f"     {'':<7} {'':<17} {'':>5}  {'':<20}  {sample.url}" if sample.stored or title else "")
    return [line for line in lines if line]


@click.command("add-site")
@click.argument("url")
@click.option("--name", default=None, help="Name for the entry (lower-case; default: from the host name).")
@click.option("--config", default="sites.toml", show_default=True, type=click.Path(dir_okay=False),
              help="Sites config to append to (created if missing).")
@click.option("--yes", "-y", is_flag=True, help="Append the entry without asking.")
@click.option("--sample", "sample_size", default=10, show_default=True, type=click.IntRange(1, 50),
              help="Pages to fetch and extract in the dry run.")
@click.option("--delay", default=1.0, show_default=True, type=click.FloatRange(0),
              help="Seconds between requests (raised to the site's robots.txt Crawl-delay).")
@click.option("--timeout", default=20.0, show_default=True, type=click.FloatRange(1), help="Seconds per request.")
def add_site(url: str, name: str | None, config: str, yes: bool, sample_size: int, delay: float,
             timeout: float) -> None:
    """Onboard the news site at URL: discover, dry-run, then append its entry.

    Reads robots.txt and the home page, finds feeds (advertised with
    <link rel=alternate>, else probed at common paths) and sitemaps (robots.txt
    Sitemap: lines, else /sitemap.xml and /sitemap_index.xml), fetches up to
    --sample pages as a dry run, prints what the crawl would store (title,
    date, author, word count), and asks before appending a [[site]] entry to
    --config. Nothing is written to the archive. Requests obey robots.txt and
    send arshif's User-Agent.
    """
    from arshif.onboard import Onboarding
    from arshif.onboard_fetch import Fetcher, OnboardError
    from arshif.site_entry import append_entry, render_entry, site_entry
    from crawler.settings import USER_AGENT
    from crawler.sites import SiteConfigError, load_sites

    existing = {}
    if Path(config).exists():
        try:
            existing = load_sites(config)
        except SiteConfigError as exc:
            raise click.ClickException(str(exc)) from None
    if name and name in existing:
        raise click.ClickException(f"{config} already has a site named {name!r}; choose another --name")
    fetcher = Fetcher(USER_AGENT, delay=delay, timeout=timeout)
    onboarding = Onboarding(url, fetcher, name=name, sample_size=sample_size,
                            say=lambda line: click.echo(f"  {line}", err=True))
    click.echo(f"Onboarding {url} (dry run: nothing is stored) ...", err=True)
    try:
        report = onboarding.run()
    except OnboardError as exc:
        raise click.ClickException(str(exc)) from None
    if report.name in existing:
        raise click.ClickException(f"{config} already has a site named {report.name!r}; pass --name")
    covering = [s.name for s in existing.values() if s.in_scope(report.base_url)]
    click.echo("\nDry run: what a crawl would store")
    click.echo("\n".join(_dry_run_table(report)))
    click.echo("")
    for decision in report.decisions:
        click.echo(f"* {decision}")
    if covering:
        click.echo(f"* note: {report.base_url} is already in scope of {', '.join(covering)} in {config}")
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    text = render_entry(site_entry(report, when), report.suggested_pattern)
    click.echo(f"\nEntry for {config}:\n\n{text}")
    if not yes and not click.confirm(f"Append site {report.name!r} to {config}?",
                                     default=bool(report.articles)):
        click.echo("Nothing written.")
        return
    try:
        append_entry(config, text)
    except OnboardError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Added {report.name!r} to {config}. Next: arshif crawl --config {config} {report.name}")


def _date(value: str | None, end: bool = False) -> str | None:
    """YYYY-MM-DD (or a full ISO timestamp) as a bound on the ISO `published` text."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None
    if end and len(value) == 10:  # a whole day: everything published before the next one
        return parsed.date().isoformat() + "\uffff"
    return value


@click.command("export")
@click.option("--data", "data_dir", default="data", show_default=True, type=click.Path(file_okay=False),
              help="Data directory holding archive.db.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="Output format [default: from -o's suffix, else jsonl].")
@click.option("--site", "sites", multiple=True, metavar="NAME", help="Only this site (repeatable).")
@click.option("--since", default=None, metavar="DATE", help="Published on or after DATE (YYYY-MM-DD).")
@click.option("--until", default=None, metavar="DATE", help="Published on or before DATE (YYYY-MM-DD, inclusive).")
@click.option("-o", "--output", default="-", show_default=True, type=click.Path(dir_okay=False, allow_dash=True),
              help="Output file ('-' = standard output).")
def export(data_dir: str, fmt: str | None, sites: tuple[str, ...], since: str | None, until: str | None,
           output: str) -> None:
    """Export articles for NLP work as JSONL, CSV or Parquet.

    One record per article with its URL, site, title, author, dates, language,
    word count, content hash and full text, in UTF-8. CSV starts with a BOM so
    Excel reads Arabic correctly (pandas reads it as is). Parquet needs pyarrow
    (pip install 'arshif[parquet]'). Rows are streamed: memory use does not grow
    with the archive. With --since/--until, articles without a publication
    date are left out.
    """
    fmt = fmt or format_for(output)
    since, until = _date(since), _date(until, end=True)
    db = Path(data_dir) / "archive.db"
    if not db.exists():
        raise click.ClickException(f"{db} does not exist: run `arshif crawl` first")
    try:
        check_format(fmt)  # before -o is created: no empty file left behind
        if output == "-":
            count = export_articles(db, sys.stdout.buffer, fmt, sites=sites, since=since, until=until)
        else:
            with open_output(db, output) as out:
                count = export_articles(db, out, fmt, sites=sites, since=since, until=until)
    except ExportError as exc:
        raise click.ClickException(str(exc)) from None
    except BrokenPipeError:  # `arshif export | head`: the reader has all it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
    except OSError as exc:
        raise click.ClickException(f"cannot write {output}: {exc.strerror or exc}") from None
    click.echo(f"exported {count} article(s) as {fmt}" + (f" to {output}" if output != "-" else ""), err=True)
