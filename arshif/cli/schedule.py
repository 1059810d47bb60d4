"""``arshif schedule``; registered in arshif/cli/__init__.py with ``cli.add_command(schedule)``."""

from __future__ import annotations

import signal
from pathlib import Path

import click


@click.command("schedule")
@click.argument("sites", nargs=-1)
@click.option("--config", default="sites.toml", show_default=True, type=click.Path(dir_okay=False),
              help="Sites config (TOML); each [[site]] may set schedule = \"every 6h\" or cron = \"0 */6 * * *\".")
@click.option("--data", "data_dir", default="data", show_default=True, type=click.Path(file_okay=False),
              help="Data directory; logs go to DATA/logs/.")
@click.option("--every", "default_every", default="6h", show_default=True,
              help="Period for sites that set neither schedule nor cron.")
@click.option("--jobs", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Crawls running at once (never two of one site).")
@click.option("--set", "set_", multiple=True, metavar="KEY=VALUE",
              help="Setting passed to every crawl (repeatable), as in arshif crawl --set.")
@click.option("--max-runs", type=click.IntRange(1), default=None,
              help="Stop after this many crawls in all (for tests and catch-up runs); default: run forever.")
@click.option("--grace", default=120.0, show_default=True, type=click.FloatRange(0),
              help="Seconds running crawls get to stop cleanly on SIGINT/SIGTERM.")
@click.option("--dry-run", is_flag=True, help="Print each site's plan and next run, then exit.")
def schedule(sites: tuple[str, ...], config: str, data_dir: str, default_every: str, jobs: int,
             set_: tuple[str, ...], max_runs: int | None, grace: float, dry_run: bool) -> None:
    """Crawl SITES (all configured) each on its own interval, until stopped.

    Every crawl is an `arshif crawl SITE` subprocess (incremental: only what is new
    or due), logged to DATA/logs/crawl-SITE-TIME.log; the scheduler logs to
    DATA/logs/schedule.log. A failed crawl is logged and retried at the site's next
    slot. See docs/scheduling.md for cron and systemd timer alternatives.
    """
    from arshif.schedule import Scheduler, setup_logging
    from arshif.schedule_plans import ScheduleError, load_plans
    from crawler.sites import SiteConfigError

    for pair in set_:
        if "=" not in pair or not pair.partition("=")[0]:
            raise click.ClickException(f"--set expects KEY=VALUE, got {pair!r}")
    try:
        plans = load_plans(config, sites, default_every)
    except (SiteConfigError, ScheduleError) as exc:
        raise click.ClickException(str(exc)) from None
    if not plans:
        raise click.ClickException(f"{config}: every selected site has schedule = \"off\"")
    setup_logging(Path(data_dir) / "logs", echo=not dry_run)
    scheduler = Scheduler(Path(config), Path(data_dir), plans, jobs=jobs, settings=list(set_),
                          max_runs=max_runs, grace=grace)
    if dry_run:
        for plan in plans:
            click.echo(f"{plan.site}: {plan.describe()}; next run {scheduler.next_run[plan.site].isoformat()}")
        return
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, scheduler.stop)
    click.echo(f"arshif schedule: {len(plans)} site(s), logs in {Path(data_dir) / 'logs'} (Ctrl-C to stop)",
               err=True)
    scheduler.run()
