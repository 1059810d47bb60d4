"""The Datasette command line that ``arshif serve`` and ``arshif demo`` run."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from archive.web.plugin import serve_args


def datasette_command(data_dir: str, port: int) -> list[str]:
    db = Path(data_dir) / "archive.db"
    if not db.exists():
        raise click.ClickException(f"{db} does not exist: run `arshif crawl` first")
    return [sys.executable, "-m", "datasette", *serve_args(data_dir, port=port)]
