"""The measured runs: wget (baseline), arshif fetch + WARC only, arshif full pipeline."""

from __future__ import annotations

import logging
import re
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from bench.crawl.measure import Measurement, run_measured, run_parallel_measured
from samples.publishers import PUBLISHERS

logger = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[2]
PUBLISHER_HOSTS = tuple(p.host for p in PUBLISHERS)

# Both arshif runs: the farm is on loopback (no AutoThrottle start delay, as `arshif demo`),
# no end-of-crawl WACZ packaging (not part of fetch/WARC/extract/store), no progress bar.
COMMON_SETTINGS = {
    "AUTOTHROTTLE_ENABLED": "False",
    "ARSHIF_PACKAGE": "False",
    "ARSHIF_PROGRESS": "off",
}
# (b): the WARC extension and the spider only: no extraction, no SQLite.
FETCH_ONLY_SETTINGS = {"ITEM_PIPELINES": "{}", "ARSHIF_ARCHIVE_ENABLED": "False"}


@dataclass
class RunResult:
    name: str
    measurement: Measurement
    pages: int  # HTTP responses fetched (wget: response records in its WARCs)
    articles: int | None = None  # rows in archive.db
    warc_bytes: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.measurement.wall_s if self.measurement.wall_s else 0.0

    def to_dict(self) -> dict:
        return {"name": self.name, "pages": self.pages, "articles": self.articles,
                "pages_per_s": self.pages_per_s, "warc_bytes": self.warc_bytes,
                **self.measurement.to_dict(), **self.extra}


def count_responses(paths: list[Path]) -> int:
    count = 0
    for path in paths:
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type in ("response", "revisit"):
                    count += 1
    return count


def ensure_wget() -> str:
    path = shutil.which("wget")
    if path is None:
        logger.info("wget missing: apt-get install -y wget")
        subprocess.run(["apt-get", "install", "-y", "wget"], check=True, capture_output=True)
        path = shutil.which("wget")
    if path is None:
        raise SystemExit("wget is not installed and could not be installed")
    return path


def wget_command(wget: str, urls: list[str], prefix: Path) -> list[str]:
    return [wget, "--recursive", "--level=inf", "--no-parent", "-e", "robots=on", "--no-verbose",
            f"--warc-file={prefix}", "--directory-prefix", str(prefix), *urls]


def run_wget(port: int, workdir: Path, *, per_host: bool) -> RunResult:
    """``wget --recursive --warc-file`` over the farm's hosts: one command with all their
    start URLs (wget fetches one URL at a time), or one command per host, all at once."""
    wget = ensure_wget()
    workdir.mkdir(parents=True, exist_ok=True)
    urls = [f"http://{host}:{port}/" for host in PUBLISHER_HOSTS]
    if per_host:
        names = [host.replace(".", "-") for host in PUBLISHER_HOSTS]
        commands = [wget_command(wget, [url], workdir / name) for url, name in zip(urls, names)]
    else:
        names = ["farm"]
        commands = [wget_command(wget, urls, workdir / "farm")]
    measurement = run_parallel_measured(commands, cwd=workdir, logs=[workdir / f"{n}.log" for n in names])
    warcs = sorted(workdir.glob("*.warc.gz"))
    name = "wget, one per host" if per_host else "wget"
    return RunResult(name, measurement, count_responses(warcs),
                     warc_bytes=sum(p.stat().st_size for p in warcs))


PAGES_LINE = re.compile(r"pages fetched\s+([\d,]+)")


def arshif_command(config: Path, data_dir: Path, settings: dict[str, str],
                   profile: Path | None = None) -> list[str]:
    command = [sys.executable]
    if profile is not None:
        command += ["-m", "cProfile", "-o", str(profile)]
    command += ["-m", "archive", "crawl", "--config", str(config), "--data", str(data_dir)]
    for key, value in {**COMMON_SETTINGS, **settings}.items():
        command += ["--set", f"{key}={value}"]
    return command


def count_articles(db_path: Path) -> int | None:
    if not db_path.exists():
        return None
    with sqlite3.connect(db_path) as conn:
        return conn.execute("select count(*) from articles").fetchone()[0]


def run_arshif(name: str, config: Path, data_dir: Path, settings: dict[str, str],
               profile: Path | None = None) -> RunResult:
    if data_dir.exists():
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True)
    log = data_dir.parent / f"{data_dir.name}.log"
    measurement = run_measured(arshif_command(config, data_dir, settings, profile), cwd=REPO, log=log)
    output = log.read_text(encoding="utf-8", errors="replace")
    if measurement.returncode != 0:
        raise SystemExit(f"arshif run {name!r} failed ({measurement.returncode}); see {log}:\n{output[-2000:]}")
    match = PAGES_LINE.search(output)
    warcs = sorted((data_dir / "warc").glob("*.warc.gz"))
    return RunResult(
        name, measurement, int(match.group(1).replace(",", "")) if match else 0,
        articles=count_articles(data_dir / "archive.db"),
        warc_bytes=sum(p.stat().st_size for p in warcs),
    )
