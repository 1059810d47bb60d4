"""The ``arshif`` command line: farm, crawl, extract, serve, demo."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import click

DEFAULT_DATA = "data"
FARM_PORT = 8400
DATASETTE_PORT = 8001


def _fail(message: str) -> None:
    raise click.ClickException(message)


@click.group()
@click.version_option(package_name="arshif")
def cli() -> None:
    """arshif — crawl, preserve and search Arabic regional news."""


@cli.group()
def samples() -> None:
    """The bundled sample-site farm: six Arabic publishers on 127.0.0.11-17 (the hostile one on .14 on request)."""


@samples.command("serve")
@click.option("--port", type=int, default=FARM_PORT, show_default=True, help="Port on every farm host (0 = pick a free one).")
@click.option("--articles", type=int, default=None, help="Generate N articles in all (deterministic) instead of the bundled set.")
@click.option("--day", type=click.IntRange(0, 365), default=0, show_default=True,
              help="Serve the farm N days on: new, edited, deleted and moved articles (samples/timeline.py).")
@click.option("--hostile", is_flag=True, help="Also serve the hostile publisher on 127.0.0.14 (samples/sites/hostile.py).")
@click.option("--switch", "switches", multiple=True, metavar="NAME=VALUE",
              help="A hostile-publisher fault switch, e.g. crawl_delay=0.5 or huge_mb=50 (repeatable).")
def samples_serve(port: int, articles: int | None, day: int, hostile: bool, switches: tuple[str, ...]) -> None:
    """Serve the farm in the foreground until Ctrl-C."""
    from samples.cli import serve_command

    serve_command(port, articles, day, hostile=hostile, switches=switches)


@samples.command("config")
@click.option("--port", type=int, default=FARM_PORT, show_default=True, help="Port the farm listens on.")
@click.option("--hostile", is_flag=True, help="Include the hostile publisher (serve the farm with --hostile).")
def samples_config(port: int, hostile: bool) -> None:
    """Print a sites config (TOML) that points at the farm."""
    from samples.config import sites_config

    click.echo(sites_config(port, hostile=hostile), nl=False)


def _check_sites(config: str, names: tuple[str, ...]) -> None:
    from crawler.sites import SiteConfigError, load_sites, select_sites

    try:
        select_sites(load_sites(config), list(names))
    except SiteConfigError as exc:
        _fail(str(exc))


def _parse_settings(pairs: tuple[str, ...]) -> dict[str, str]:
    settings = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            _fail(f"--set expects KEY=VALUE, got {pair!r}")
        settings[key.strip()] = value
    return settings


@cli.command()
@click.argument("sites", nargs=-1)
@click.option("--config", default="sites.toml", show_default=True, type=click.Path(), help="Sites config (TOML).")
@click.option("--data", "data_dir", default=DEFAULT_DATA, show_default=True, type=click.Path(file_okay=False), help="Data directory.")
@click.option("--set", "set_", multiple=True, metavar="KEY=VALUE", help="Override a Scrapy/arshif setting (repeatable).")
@click.option("--full", is_flag=True, help="Fetch everything in reach again, not only what is new or due (ARSHIF_INCREMENTAL=False).")
@click.option("--resume", is_flag=True, help="Continue the unfinished crawl of these sites (after Ctrl-C, a crash or kill -9); with none, start one.")
def crawl(sites: tuple[str, ...], config: str, data_dir: str, set_: tuple[str, ...], full: bool, resume: bool) -> None:
    """Crawl SITES (all configured sites when none are named) into DATA."""
    from arshif.crawl import crawl_and_package

    _check_sites(config, sites)
    overrides = _parse_settings(set_)
    if full:
        overrides["ARSHIF_INCREMENTAL"] = "False"
    summary = crawl_and_package(list(sites), data_dir, config, overrides, resume=resume)
    click.echo("\n".join(summary.lines()))


@cli.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--url", default=None, help="The page's original URL (helps relative links and dates).")
@click.option("--explain", is_flag=True,
              help="Print what was removed from the body and by which rule, instead of the record.")
def extract(file: str, url: str | None, explain: bool) -> None:
    """Print the extraction of one saved HTML page as JSON."""
    from pipelines.extraction import explain_extraction, extract_article

    run = explain_extraction if explain else extract_article
    result = run(Path(file).read_bytes(), url or Path(file).resolve().as_uri())
    click.echo(json.dumps(result, ensure_ascii=False, indent=2, default=str))


@cli.command()
@click.option("--data", "data_dir", default=DEFAULT_DATA, show_default=True, type=click.Path(file_okay=False), help="Data directory holding archive.db.")
@click.option("--port", type=int, default=DATASETTE_PORT, show_default=True, help="Datasette port on 127.0.0.1.")
def serve(data_dir: str, port: int) -> None:
    """Publish the archive with Datasette on 127.0.0.1:PORT."""
    from arshif.serving import datasette_command

    command = datasette_command(data_dir, port)
    click.echo(f"Datasette: http://127.0.0.1:{port}/  (Ctrl-C to stop)")
    try:
        subprocess.run(command, check=False)
    except KeyboardInterrupt:
        pass


@cli.command()
@click.option("--data", "data_dir", default=DEFAULT_DATA, show_default=True, type=click.Path(file_okay=False), help="Data directory to crawl into.")
@click.option("--port", type=int, default=DATASETTE_PORT, show_default=True, help="Datasette port.")
@click.option("--farm-port", type=int, default=FARM_PORT, show_default=True, help="Sample farm port (0 = pick a free one).")
@click.option("--no-serve", is_flag=True, help="Stop after the crawl summary.")
def demo(data_dir: str, port: int, farm_port: int, no_serve: bool) -> None:
    """Start the farm, crawl it into DATA, print a summary, then serve Datasette."""
    from arshif.demo import run_demo

    run_demo(data_dir, port, farm_port, serve=not no_serve)


def _register_extra_commands() -> None:
    from arshif.cli.evidence import package, verify
    from arshif.cli.extra import add_site, export
    from arshif.cli.reindex import reindex
    from arshif.cli.repair import repair
    from arshif.cli.schedule import schedule
    from arshif.cli.search import search

    for command in (add_site, export, package, verify, schedule, repair, search, reindex):
        cli.add_command(command)


_register_extra_commands()
