"""Command-line entry points for the farm, for archive/cli.py to wire in.

`serve_command(port, articles)` runs the farm in the foreground; `farm_group` is a click
group (serve, config, gold, export) that can be attached as `arshif farm`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from pathlib import Path

import click

from samples.farm import Farm, serve
from samples.publishers import DEFAULT_PORT

logger = logging.getLogger(__name__)


def serving_line(farm: Farm) -> str:
    """The one line tests parse for the port."""
    urls = " ".join(farm.base_urls)
    return f"arshif farm: serving {farm.article_count} articles on port {farm.port}: {urls}"


def serve_command(port: int = DEFAULT_PORT, articles: int | None = None, day: int = 0,
                  hostile: bool = False, switches: tuple[str, ...] = ()) -> None:
    """Serve until Ctrl-C or SIGTERM; print the serving line once all hosts listen.

    `day` > 0 serves the farm that many days on (samples/timeline.py). `hostile` adds
    the hostile publisher on 127.0.0.14 with fault `switches` ("NAME=VALUE",
    samples/sites/hostile.py)."""
    parsed = None
    if hostile:
        from samples.sites.hostile import Switches

        try:
            parsed = Switches.parse(switches)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--switch") from None

    def ready(farm: Farm) -> None:
        click.echo(serving_line(farm))
        sys.stdout.flush()

    async def main() -> None:
        task = asyncio.current_task()
        loop = asyncio.get_running_loop()
        # Cancel on SIGTERM too, and on SIGINT even when a non-interactive shell
        # started us in the background with SIGINT ignored.
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(signum, task.cancel)
        with contextlib.suppress(asyncio.CancelledError):
            await serve(port, articles, ready=ready, day=day, hostile=hostile, switches=parsed)

    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        logger.info("farm stopped by Ctrl-C")


@click.group("farm")
def farm_group() -> None:
    """The local sample-site farm (six Arabic news publishers on 127.0.0.11-17, 14 stays free)."""


@farm_group.command("serve")
@click.option("--port", default=DEFAULT_PORT, show_default=True, help="0 picks a free port.")
@click.option("--articles", type=int, default=None, help="Total articles (default 25/20/20).")
def serve_cmd(port: int, articles: int | None) -> None:
    """Serve the farm in the foreground."""
    serve_command(port, articles)


@farm_group.command("config")
@click.option("--port", default=DEFAULT_PORT, show_default=True)
def config_cmd(port: int) -> None:
    """Print the crawler's sites config (TOML) for the farm."""
    from samples.config import sites_config

    click.echo(sites_config(port), nl=False)


@farm_group.command("gold")
def gold_cmd() -> None:
    """Rewrite samples/gold/*.gold.json from the generator."""
    from samples.gold import write_gold

    click.echo(f"wrote {len(write_gold())} gold files")


@farm_group.command("export")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--port", default=DEFAULT_PORT, show_default=True)
def export_cmd(directory: Path, port: int) -> None:
    """Write NAME.html + NAME.gold.json for every default-farm article."""
    from samples.gold import export_corpus

    click.echo(f"exported {len(export_corpus(directory, port))} pages to {directory}")
