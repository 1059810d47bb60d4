"""``arshif repair``: find WARC files a killed crawl left with a partial record, and fix them."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("repair")
@click.option("--data", "data_dir", default="data", show_default=True, type=click.Path(file_okay=False),
              help="Data directory (WARC files in DATA/warc, archive in DATA/archive.db).")
@click.option("--check", "check_only", is_flag=True, help="Only report; change nothing (exit 1 if a file needs repair).")
@click.option("--full", is_flag=True, help="Check every WARC file from its first byte, also cleanly closed ones (a recorded file is reported ALTERED, never cut).")
def repair(data_dir: str, check_only: bool, full: bool) -> None:
    """Cut partial records off the end of WARC files (kept in warc/quarantine/).

    A crawl that is killed (kill -9, power cut, full disk) can leave its current
    WARC file ending in half a record. Every crawl checks and repairs such files
    when it starts; this command does it on demand. Files that were closed
    cleanly are skipped unless --full; files whose writer still runs are skipped.
    """
    from archive.db import open_archive
    from archive.failures import record_failure
    from archive.repair import repair_warc_dir

    data = Path(data_dir)
    warc_dir = data / "warc"
    if not warc_dir.is_dir():
        raise click.ClickException(f"{warc_dir} does not exist")
    db = open_archive(data / "archive.db") if (data / "archive.db").exists() else None
    problems = []

    def on_problem(check, action, where) -> None:
        problems.append(check)
        if db is not None and action != "found":
            reason = "warc_quarantined" if action == "quarantined" else "warc_truncated_tail"
            record_failure(db, url=f"warc/{check.path.name}", reason=reason, category="archive",
                           detail=f"{check.problem}; {action} by arshif repair, kept in {where}")
        elif action == "found":
            click.echo(f"needs repair: {check.path.name}: {check.problem} "
                       f"({check.records} complete records up to byte {check.good_end})")

    try:
        report = repair_warc_dir(warc_dir, db, check_only=check_only, full=full, on_problem=on_problem)
    finally:
        if db is not None:
            db.close()
    click.echo("\n".join(report.lines()))
    # an altered closed file is evidence of tampering or damage: never repaired, always an error
    if report.altered or (check_only and problems):
        raise SystemExit(1)
