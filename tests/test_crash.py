"""Crashes (issue 7): kill -9 at random moments, then `arshif crawl --resume`.

- Truncated WARC tails, cut at random bytes, are detected and repaired (or the file
  quarantined), the cut-off bytes kept aside, and warcio reads every complete record.
- 20 trials against the real farm: start ``arshif crawl --resume``, kill the whole
  process group with SIGKILL at a random moment (seeded, reproducible), then check
  that every WARC file reads with warcio up to its last complete record, that any
  partial tail is detected (the next start repairs it), and that the SQLite archive
  is consistent (integrity check, foreign keys, full-text index, every capture
  pointing at a complete record). A last ``--resume`` runs to the end: every farm
  article is stored exactly once with its gold title, every WARC passes
  ``warcio check``, the job directory is gone.
- Ctrl-C (SIGINT) is a clean pause that ``--resume`` continues.

ARSHIF_INCREMENTAL=False so that the journal alone, not issue 6's re-visit policy,
decides what is fetched again.
"""

from __future__ import annotations

import gzip
import io
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from warcio.archiveiterator import ArchiveIterator

from tests.conftest import REPO, arshif

TRIALS = 20
SEED = int(os.environ.get("ARSHIF_CRASH_SEED", "7"))
SETTINGS = {"AUTOTHROTTLE_ENABLED": "False", "ARSHIF_INCREMENTAL": "False", "ARSHIF_PACKAGE": "False",
            "DOWNLOAD_DELAY": "0.05", "ARSHIF_PROGRESS": "off"}


def crawl_command(config: Path, data: Path, *extra: str) -> list[str]:
    args = [arg for key, value in SETTINGS.items() for arg in ("--set", f"{key}={value}")]
    return [sys.executable, "-m", "arshif", "crawl", "--resume", "--config", str(config), "--data", str(data),
            *args, *extra]


# --- WARC tails ------------------------------------------------------------------------

def write_warc(directory: Path, exchanges: int = 12) -> Path:
    from archive.warc import Exchange, WarcFileWriter

    writer = WarcFileWriter(directory, prefix="t")
    for k in range(exchanges):
        body = (f"<html><body><p>خبر رقم {k}</p>" + "نص " * (50 * k) + "</body></html>").encode()
        written = writer.write_exchange(Exchange(
            url=f"http://127.0.0.11/news/{k}", method="GET", request_headers=[("User-Agent", "arshif")],
            status=200, response_headers=[("Content-Type", "text/html; charset=utf-8")], body=body,
            fetched_at=datetime(2026, 1, 1, tzinfo=timezone.utc)))
        writer.write_metadata(f"http://127.0.0.11/news/{k}", written.record_id, {"via": "link"})
    path = writer.current_path
    writer.close()
    return path


def read_records(data: bytes) -> list[str]:
    return [record.rec_type for record in ArchiveIterator(io.BytesIO(data))]


def warcio_check(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "warcio.cli", "check", str(path)], capture_output=True, text=True)


def test_truncated_tails_are_detected_and_repaired(tmp_path):
    from archive.repair import check_warc, repair_warc

    original = write_warc(tmp_path / "src")
    whole = original.read_bytes()
    full = check_warc(original)
    assert full.ok and full.records == 1 + 12 * 3 and full.good_end == len(whole)
    rng = random.Random(SEED)
    for trial, cut in enumerate([1, 10, *sorted(rng.sample(range(20, len(whole) - 1), 40))]):
        directory = tmp_path / f"t{trial}"
        directory.mkdir()
        path = directory / original.name
        path.write_bytes(whole[:cut])
        check = check_warc(path)
        if check.ok:  # the cut fell exactly between two records
            assert read_records(whole[:cut])
            continue
        assert check.good_end < cut
        action, kept = repair_warc(check)
        if check.good_end == 0:
            assert action == "quarantined" and not path.exists() and kept.read_bytes() == whole[:cut]
            continue
        assert action == "repaired"
        repaired = path.read_bytes()
        assert repaired == whole[:check.good_end] and kept.read_bytes() == whole[check.good_end:cut]
        assert len(read_records(repaired)) == check.records  # warcio reads every complete record
        assert check_warc(path).ok
    assert warcio_check(original).returncode == 0


def test_repair_command_checks_then_repairs(tmp_path):
    from archive.db import open_archive

    data = tmp_path / "data"
    warc = write_warc(data / "warc")
    name = warc.name.replace(".warc.gz", "-999999.warc.gz")  # a writer pid that is not running
    whole = warc.read_bytes()
    warc.unlink()
    (data / "warc" / name).write_bytes(whole[:-7])
    open_archive(data / "archive.db").close()

    checked = arshif("repair", "--data", str(data), "--check")
    assert checked.returncode == 1 and "needs repair" in checked.stdout
    assert (data / "warc" / name).read_bytes() == whole[:-7]  # --check changes nothing

    repaired = arshif("repair", "--data", str(data))
    assert repaired.returncode == 0, repaired.stderr
    assert "repaired" in repaired.stdout
    assert warcio_check(data / "warc" / name).returncode == 0
    assert list((data / "warc" / "quarantine").iterdir())
    with sqlite3.connect(data / "archive.db") as conn:
        assert conn.execute("select reason from failures").fetchall() == [("warc_truncated_tail",)]
        assert conn.execute("select name from warc_files").fetchall() == [(name,)]
    again = arshif("repair", "--data", str(data), "--check")
    assert again.returncode == 0  # closed and recorded now


# --- kill -9 --------------------------------------------------------------------------------

def complete_records(path: Path) -> tuple[int, int, str | None]:
    """(records warcio reads, end of the last complete record, the tail problem if any)."""
    from archive.repair import check_warc

    check = check_warc(path)
    with open(path, "rb") as fh:
        data = fh.read(check.good_end)
    assert len(read_records(data)) == check.records, path
    return check.records, check.good_end, check.problem


def assert_archive_consistent(data: Path, ends: dict[str, int]) -> None:
    db = data / "archive.db"
    if not db.exists():
        return
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        articles = conn.execute("select count(*) from articles").fetchone()[0]
        indexed = conn.execute("select count(*) from articles_fts_docsize").fetchone()[0]
        assert articles == indexed
        duplicates = conn.execute(
            "select canonical_url from articles group by canonical_url having count(*) > 1").fetchall()
        assert duplicates == []
        for warc_file, offset, length in conn.execute(
                "select warc_file, warc_offset, warc_length from captures where warc_file is not null"):
            assert warc_file in ends, warc_file
            assert offset + length <= ends[warc_file], (warc_file, offset, length, ends[warc_file])
    finally:
        conn.close()


def kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(timeout=30)


def test_kill_9_at_random_moments_then_resume(farm, gold, tmp_path):
    from samples.config import sites_config

    data = tmp_path / "data"
    data.mkdir()
    config = data / "sites.toml"
    config.write_text(sites_config(farm.port), encoding="utf-8")
    rng = random.Random(SEED)
    tails, resumed, finished = set(), [], 0
    for trial in range(TRIALS):
        log = data / f"trial-{trial}.log"
        with open(log, "w") as err:
            process = subprocess.Popen(crawl_command(config, data), cwd=REPO, stdout=subprocess.DEVNULL,
                                       stderr=err, start_new_session=True)
            time.sleep(rng.uniform(0.8, 4.0))
            if process.poll() is not None:
                finished += 1  # the job ended before the kill; the next trial starts a new one
            kill_group(process)
        text = log.read_text(errors="replace")
        assert "Traceback" not in text, text[-3000:]
        if "Resuming the job" in text:
            resumed.append(trial)
        ends = {}
        for path in sorted((data / "warc").glob("*.warc.gz")) if (data / "warc").exists() else []:
            _records, ends[path.name], problem = complete_records(path)
            if problem:
                tails.add(path.name)
        assert_archive_consistent(data, ends)

    # A kill in the middle of a WARC write leaves half a gzip member at the end of the
    # file; the random kills rarely land in that millisecond, so make one for sure.
    newest = max((data / "warc").glob("*.warc.gz"), key=lambda p: p.stat().st_mtime)
    half = gzip.compress(b"WARC/1.1\r\nWARC-Type: response\r\n" + os.urandom(2000))[:900]
    with open(newest, "ab") as fh:
        fh.write(half)
    tails.add(newest.name)

    result = subprocess.run(crawl_command(config, data), cwd=REPO, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "(finished)" in result.stdout
    assert resumed, "no trial resumed a job"
    kept = list((data / "warc" / "quarantine").glob(newest.name + ".tail-*"))
    assert [p.read_bytes() for p in kept] == [half]
    assert not (data / "jobs").exists() or not any((data / "jobs").iterdir())

    # every WARC file whole again; partial tails were repaired, not kept
    files = sorted((data / "warc").glob("*.warc.gz"))
    ends = {}
    for path in files:
        assert warcio_check(path).returncode == 0, path
        _records, ends[path.name], problem = complete_records(path)
        assert problem is None
    assert_archive_consistent(data, ends)
    with sqlite3.connect(data / "archive.db") as conn:
        repaired = {row[0].removeprefix("warc/") for row in conn.execute(
            "select url from failures where reason in ('warc_truncated_tail', 'warc_quarantined')")}
        assert tails <= repaired
        rows = conn.execute("select canonical_url, title from articles").fetchall()
        captures = conn.execute("select url, warc_file, warc_offset from captures where warc_file is not null "
                                "order by random() limit 60").fetchall()

    # every farm article exactly once, with its gold title, and nothing else
    def key(url):
        parts = urlsplit(url)
        return parts.hostname + parts.path + (f"?{parts.query}" if parts.query else "")

    stored = {}
    for url, title in rows:
        stored.setdefault(key(url), []).append(title)
    assert sorted(stored) == sorted(key(g["url"]) for g in gold)
    for g in gold:
        (title,) = stored[key(g["url"])]
        assert title in [g["title"], *g.get("title_variants", [])]
    for url, warc_file, offset in captures:
        with open(data / "warc" / warc_file, "rb") as fh:
            fh.seek(offset)
            record = next(iter(ArchiveIterator(fh)))
            assert record.rec_headers.get_header("WARC-Target-URI") == url
    print(f"kill -9 trials: {TRIALS}, resumed in {len(resumed)}, jobs finished before the kill: {finished}, "
          f"partial WARC tails repaired: {len(tails)}")


def test_ctrl_c_pauses_and_resume_finishes(farm, gold, tmp_path):
    from samples.config import sites_config

    data = tmp_path / "data"
    data.mkdir()
    config = data / "sites.toml"
    config.write_text(sites_config(farm.port), encoding="utf-8")
    command = crawl_command(config, data, "--set", "DOWNLOAD_DELAY=0.3")
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    time.sleep(5)
    process.send_signal(signal.SIGINT)
    try:
        out, err = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        kill_group(process)
        pytest.fail("the crawl did not stop on Ctrl-C")
    assert "(shutdown)" in out, err[-2000:]
    assert "Nothing to resume" in err  # --resume with no job starts one
    state = (data / "jobs" / "all" / "state.json").read_text()
    assert '"status": "shutdown"' in state
    result = subprocess.run(crawl_command(config, data), cwd=REPO, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Resuming the job" in result.stderr and "(finished)" in result.stdout
    with sqlite3.connect(data / "archive.db") as conn:
        assert conn.execute("select count(*), count(distinct canonical_url) from articles").fetchone() == (
            len(gold), len(gold))
    shutil.rmtree(data)
