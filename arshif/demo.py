"""``arshif demo``: farm in a subprocess, crawl it, summarise, serve."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import click

READY_LINE = re.compile(r"serving .* on port (\d+)")
# Loopback farm: no need to be gentle, and AutoThrottle's start delay would
# make a demo of a few hundred pages take minutes.
FARM_SETTINGS = {"AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0}


def start_farm(port: int, articles: int | None = None) -> tuple[subprocess.Popen, int]:
    """Start ``arshif samples serve`` and wait for its ready line; return (process, port)."""
    command = [sys.executable, "-m", "arshif", "samples", "serve", "--port", str(port)]
    if articles:
        command += ["--articles", str(articles)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    line = process.stdout.readline()
    match = READY_LINE.search(line)
    if not match:
        process.kill()
        raise click.ClickException(f"the sample farm did not start (said: {line.strip()!r})")
    return process, int(match.group(1))


def stop_process(process: subprocess.Popen, timeout: float = 10) -> None:
    """SIGTERM, then SIGKILL if it has not exited after ``timeout`` seconds."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def stop_farm(process: subprocess.Popen) -> None:
    stop_process(process)
    if process.stdout:
        process.stdout.close()


def run_demo(data_dir: str, port: int, farm_port: int, serve: bool) -> None:
    from arshif.crawl import crawl_and_package
    from arshif.serving import datasette_command
    from samples.config import sites_config

    farm, farm_port = start_farm(farm_port)
    try:
        config = Path(data_dir) / "sites.toml"
        config.parent.mkdir(parents=True, exist_ok=True)
        config.write_text(sites_config(farm_port), encoding="utf-8")
        click.echo(f"Sample farm on port {farm_port}; crawling into {data_dir}/ ...")
        summary = crawl_and_package([], data_dir, config, FARM_SETTINGS)
        click.echo("\n".join(summary.lines()))
        if serve:
            click.echo(f"Datasette: http://127.0.0.1:{port}/  (Ctrl-C to stop)")
            try:
                subprocess.run(datasette_command(data_dir, port), check=False)
            except KeyboardInterrupt:
                pass
    finally:
        stop_farm(farm)
