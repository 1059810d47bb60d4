"""Concurrent use (issue 7): Datasette serves the archive over HTTP while a crawl writes to it.

A real ``arshif serve`` (Datasette) and a real ``arshif crawl --full`` of the farm run at
the same time. Reader threads query Datasette (table pages, SQL, full-text search, the
arshif search page, the failures table) and hold long read transactions directly in
SQLite, for as long as the crawl runs. No reader and not the writer may ever see
"database is locked"; every HTTP answer is a 200; the crawl finishes normally.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

from tests.conftest import REPO

LOCKED = "database is locked"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop_group(process: subprocess.Popen) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=10)
            return
        except subprocess.TimeoutExpired:
            continue


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode("utf-8", errors="replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", errors="replace")


def test_datasette_reads_while_the_crawl_writes(farm, gold, tmp_path):
    from archive.db import open_archive
    from samples.config import sites_config

    data = tmp_path / "data"
    data.mkdir()
    config = data / "sites.toml"
    config.write_text(sites_config(farm.port), encoding="utf-8")
    open_archive(data / "archive.db").close()  # Datasette needs the file; the crawl fills it

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server_log = data.parent / "datasette.log"
    # its own process group: `arshif serve` runs Datasette as a child, both must go at the end
    log_file = open(server_log, "w")  # noqa: SIM115 - closed in the finally below
    server = subprocess.Popen([sys.executable, "-m", "arshif", "serve", "--data", str(data), "--port", str(port)],
                              cwd=REPO, stdout=subprocess.DEVNULL, stderr=log_file, start_new_session=True)
    try:
        for _ in range(150):
            try:
                if fetch(base + "/-/metadata.json")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError("Datasette did not start")

        word = gold[0]["must_contain"][0].split()[1]
        paths = [
            "/archive/articles.json?_size=5&_sort_desc=published",
            "/archive.json?" + urllib.parse.urlencode({"sql": "select count(*), max(id) from captures"}),
            "/archive/articles.json?" + urllib.parse.urlencode({"_search": word, "_size": "5"}),
            "/archive/failures.json?_size=5",
            "/archive/captures.json?_size=10&_sort_desc=fetched_at",
            "/-/search?" + urllib.parse.urlencode({"q": word}),
        ]
        answers: list[tuple[str, int, str]] = []
        sqlite_errors: list[str] = []
        done = threading.Event()

        def http_reader(offset: int) -> None:
            k = offset
            while not done.is_set():
                path = paths[k % len(paths)]
                status, body = fetch(base + path)
                answers.append((path, status, body[:300] if status != 200 or LOCKED in body else ""))
                k += 1

        def sqlite_reader() -> None:
            # long read transactions, as a slow query would hold them
            conn = sqlite3.connect(data / "archive.db", timeout=0.5)
            try:
                while not done.is_set():
                    try:
                        conn.execute("BEGIN")
                        conn.execute("select count(*) from articles").fetchone()
                        time.sleep(0.3)
                        conn.execute("select count(*) from captures").fetchone()
                        conn.execute("COMMIT")
                    except sqlite3.OperationalError as exc:
                        sqlite_errors.append(str(exc))
                        conn.rollback()
            finally:
                conn.close()

        threads = [threading.Thread(target=http_reader, args=(k,)) for k in range(4)]
        threads.append(threading.Thread(target=sqlite_reader))
        for thread in threads:
            thread.start()
        try:
            crawl = subprocess.run(
                [sys.executable, "-m", "arshif", "crawl", "--full", "--config", str(config), "--data", str(data),
                 "--set", "AUTOTHROTTLE_ENABLED=False", "--set", "ARSHIF_PACKAGE=False"],
                cwd=REPO, capture_output=True, text=True, timeout=600)
        finally:
            done.set()
            for thread in threads:
                thread.join(60)
    finally:
        stop_group(server)
        log_file.close()
    server_err = server_log.read_text(errors="replace")

    assert crawl.returncode == 0, crawl.stderr[-3000:]
    assert LOCKED not in crawl.stderr
    assert LOCKED not in server_err
    assert sqlite_errors == []
    bad = [a for a in answers if a[1] != 200 or a[2]]
    assert bad == [], bad[:5]
    assert len(answers) > 40, len(answers)
    # the readers saw the archive grow, and it ended complete
    with sqlite3.connect(data / "archive.db") as conn:
        assert conn.execute("select count(*) from articles").fetchone()[0] == len(gold)
