"""``arshif verify`` and ``arshif package``; registered in arshif/cli/__init__.py with ``cli.add_command``."""

from __future__ import annotations

from pathlib import Path

import click

DEFAULT_DATA = "data"


@click.command("verify")
@click.option("--data", "data_dir", default=DEFAULT_DATA, show_default=True,
              type=click.Path(file_okay=False), help="Data directory (warc/ and archive.db).")
@click.option("--strict", is_flag=True,
              help="Also fail on WARC files the archive has not recorded (e.g. from an interrupted crawl).")
@click.option("--max-problems", type=int, default=10, show_default=True,
              help="Problems listed per file.")
def verify(data_dir: str, strict: bool, max_problems: int) -> None:
    """Re-read every WARC file and check it against the archive.

    Checks each record's block and payload digests, each file's SHA-256 and
    size against the warc_files table, and that every capture's records are at
    the recorded offsets. Exits 1 when a file is MISSING, TRUNCATED or ALTERED.
    """
    from archive.verify import verify_archive

    data = Path(data_dir)
    if not (data / "warc").is_dir() and not (data / "archive.db").exists():
        raise click.ClickException(f"{data} holds no warc/ directory and no archive.db")
    report = verify_archive(data, strict=strict)
    click.echo("\n".join(report.lines(max_problems=max_problems)))
    if not report.ok:
        raise SystemExit(1)


@click.command("package")
@click.argument("crawls", nargs=-1)
@click.option("--data", "data_dir", default=DEFAULT_DATA, show_default=True,
              type=click.Path(file_okay=False, exists=True), help="Data directory.")
@click.option("--missing-only", is_flag=True, help="Skip crawls that already have a WACZ.")
@click.option("--validate/--no-validate", default=False, show_default=True,
              help="Run `wacz validate` on each package built.")
def package(crawls: tuple[str, ...], data_dir: str, missing_only: bool, validate: bool) -> None:
    """Build the CDXJ index and WACZ package of CRAWLS (all recorded crawls when none named).

    Writes DATA/indexes/<crawl>.cdxj and DATA/wacz/<crawl>.wacz.
    """
    from archive.wacz_package import package_all, validate_wacz

    try:
        packages = package_all(data_dir, list(crawls), only_missing=missing_only)
    except (LookupError, FileNotFoundError) as error:
        raise click.ClickException(str(error)) from None
    if not packages:
        click.echo("nothing to package")
    failed = False
    for built in packages:
        click.echo("\n".join(built.lines()))
        if validate:
            ok, output = validate_wacz(built.wacz)
            click.echo(f"  wacz validate: {'valid' if ok else 'INVALID'}")
            if not ok:
                click.echo(output)
                failed = True
    if failed:
        raise SystemExit(1)
