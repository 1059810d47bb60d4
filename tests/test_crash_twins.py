"""Crash recovery keeps the canonical page (issue 16 item 11).

A real crawl of the farm is killed with SIGKILL once part of nabd's articles are
stored, when their AMP twins (fetched last, pipelines/twins.py) are still pending in
the job journal; ``arshif crawl --resume`` then fetches those twins in a process that
has not extracted their articles. Every article must still be held by its canonical
page, as after an uninterrupted crawl.
"""

from __future__ import annotations

import sqlite3
import subprocess
import time

from tests.conftest import REPO
from tests.test_crash import crawl_command, kill_group


def stored_articles(db) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
            return conn.execute("select count(*) from articles where site = 'nabd'").fetchone()[0]
    except sqlite3.Error:  # not created yet
        return 0


def test_resume_after_kill_9_keeps_the_canonical_page(farm, gold, tmp_path):
    from samples.config import sites_config

    data = tmp_path / "data"
    data.mkdir()
    config = data / "sites.toml"
    config.write_text(sites_config(farm.port), encoding="utf-8")
    nabd = [g for g in gold if "127.0.0.13" in g["url"]]
    process = subprocess.Popen(crawl_command(config, data), cwd=REPO, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 240
        while stored_articles(data / "archive.db") < len(nabd) // 2:
            assert process.poll() is None, "the crawl ended before the kill"
            assert time.monotonic() < deadline
            time.sleep(0.1)
    finally:
        kill_group(process)
    with sqlite3.connect(data / "archive.db") as conn:
        pending_twins = conn.execute("select count(*) from articles where site = 'nabd' and url like '%/amp/%'")
        assert pending_twins.fetchone()[0] == 0  # before the kill, the canonical pages came first

    result = subprocess.run(crawl_command(config, data), cwd=REPO, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Resuming the job" in result.stderr
    with sqlite3.connect(data / "archive.db") as conn:
        rows = conn.execute("select a.canonical_url, a.url, c.url from articles a join captures c "
                            "on c.id = a.capture_id where a.site = 'nabd'").fetchall()
        twins = conn.execute("select count(*) from captures where url like '%/amp/%' and article_id is not null")
        linked_twins = twins.fetchone()[0]
    held_by_amp = [canonical for canonical, url, capture_url in rows if "/amp/" in url or "/amp/" in capture_url]
    assert len(rows) == len(nabd)
    assert held_by_amp == [], f"{len(held_by_amp)} of {len(rows)} articles held by their AMP twin"
    assert linked_twins > 0  # the twins fetched after the resume are captures of their articles
