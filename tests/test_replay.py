"""Replay in pywb (issue 3): archived pages come back byte-identical to what the farm sent.

pywb 2.10 pins old redis/pyOpenSSL, so it lives in its own venv, ``.venv-pywb/``
at the repository root (gitignored), created here on first use and reused after
(``make pywb`` creates it too). A collection gets the project's WARC files and
the project's own CDXJ indexes (one per crawl, as arshif wrote them), a second
collection the crawl's WACZ (``wb-manager add --unpack-wacz``); ``wayback``
serves both on a free 127.0.0.1 port and the test fetches articles in raw mode
(``/<coll>/<timestamp>id_/<url>``).
"""

from __future__ import annotations

import fcntl
import gzip
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import datetime
from email.utils import format_datetime
from pathlib import Path

import pytest

from arshif.demo import stop_process
from tests.conftest import REPO
from tests.evidence_support import rows, twice_crawled

PYWB_VERSION = "2.10.0"
PYWB_VENV = REPO / ".venv-pywb"
STAMP = PYWB_VENV / f".installed-pywb-{PYWB_VERSION}"


def pywb_bin(name: str) -> Path:
    return PYWB_VENV / "bin" / name


def ensure_pywb() -> None:
    """Create .venv-pywb with pywb (once); skip the tests only if pip cannot install it."""
    # two test runs in one checkout must not build the venv at the same time
    with open(Path(tempfile.gettempdir()) / "arshif-venv-pywb.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        _install_pywb()


def _install_pywb() -> None:
    if STAMP.exists() and pywb_bin("wayback").exists():
        return
    shutil.rmtree(PYWB_VENV, ignore_errors=True)
    base = getattr(sys, "_base_executable", sys.executable)
    steps = [
        [base, "-m", "venv", str(PYWB_VENV)],
        [str(pywb_bin("python")), "-m", "pip", "install", "--quiet", "--upgrade", "pip"],
        [str(pywb_bin("python")), "-m", "pip", "install", "--quiet", f"pywb=={PYWB_VERSION}"],
    ]
    for step in steps:
        result = subprocess.run(step, capture_output=True, text=True, timeout=600)
        if result.returncode != 0:
            shutil.rmtree(PYWB_VENV, ignore_errors=True)
            pytest.skip(f"cannot install pywb {PYWB_VERSION} in {PYWB_VENV} "
                        f"({' '.join(step[2:4])} failed): {result.stderr.strip()[-500:]}")
    STAMP.write_text(PYWB_VERSION + "\n")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    # no proxy, ever: everything is on loopback
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture(scope="module")
def twice(farm, tmp_path_factory):
    return twice_crawled(farm, tmp_path_factory)


@pytest.fixture(scope="module")
def wayback(twice, tmp_path_factory):
    ensure_pywb()
    root = tmp_path_factory.mktemp("pywb")
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    for coll in ("warcs", "wacz"):
        subprocess.run([str(pywb_bin("wb-manager")), "init", coll], cwd=root, env=env,
                       check=True, capture_output=True)
    # collection "warcs": our WARC files and our own CDXJ indexes, untouched
    for path in sorted((twice.data_dir / "warc").glob("*.warc.gz")):
        shutil.copy(path, root / "collections" / "warcs" / "archive" / path.name)
    for path in sorted((twice.data_dir / "indexes").glob("*.cdxj")):
        shutil.copy(path, root / "collections" / "warcs" / "indexes" / path.name)
    # collection "wacz": the second crawl's package (its revisits need the first crawl's WARC)
    wacz = twice.data_dir / "wacz" / f"{twice.second_id}.wacz"
    subprocess.run([str(pywb_bin("wb-manager")), "add", "--unpack-wacz", "wacz", str(wacz)],
                   cwd=root, env=env, check=True, capture_output=True)
    port = free_port()
    log = open(root / "wayback.log", "wb")
    process = subprocess.Popen([str(pywb_bin("wayback")), "-p", str(port), "-b", "127.0.0.1"],
                               cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if fetch(base + "/")[0] == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("wayback did not start: " + (root / "wayback.log").read_text()[-2000:])
            time.sleep(0.2)
        yield base
    finally:
        stop_process(process)
        log.close()


def timestamp(warc_date: str) -> str:
    return "".join(ch for ch in warc_date if ch.isdigit())[:14]


def capture_of(twice, sql: str) -> dict:
    found = rows(twice.db_path, sql)
    assert found, sql
    return found[0]


def original_bytes(url: str) -> bytes:
    """What the farm serves for ``url``, decoded, asked both ways to be sure."""
    status, headers, plain = fetch(url, {"Accept-Encoding": "identity"})
    assert status == 200 and "Content-Encoding" not in headers
    status, headers, wire = fetch(url, {"Accept-Encoding": "gzip"})
    if headers.get("Content-Encoding") == "gzip":
        assert gzip.decompress(wire) == plain
    return plain


def test_pywb_replays_a_gzip_article_byte_identical(twice, wayback):
    capture = capture_of(twice, """
        select c.* from captures c join articles a on a.id = c.article_id
        where c.url like 'http://127.0.0.13%' and c.status = 200 and c.record_type = 'response'
        order by c.id limit 1""")
    status, headers, body = fetch(f"{wayback}/warcs/{timestamp(capture['warc_date'])}id_/{capture['url']}")
    assert status == 200
    # sent gzip-encoded on the wire, stored so in the WARC; pywb decodes it
    assert headers.get("X-Archive-Orig-Content-Encoding") == "gzip"
    assert body == original_bytes(capture["url"])


def test_pywb_replays_a_revisit_from_the_original_record(twice, wayback):
    revisit = capture_of(twice, """
        select c.* from captures c where c.record_type = 'revisit' and c.article_id is not null
        and c.url like 'http://127.0.0.12%' order by c.id limit 1""")
    url = f"{wayback}/warcs/{timestamp(revisit['warc_date'])}id_/{revisit['url']}"
    status, headers, body = fetch(url)
    assert status == 200
    # the memento is the revisit (second crawl), the bytes are the first crawl's
    moment = datetime.fromisoformat(revisit["warc_date"].replace("Z", "+00:00"))
    assert headers["Memento-Datetime"] == format_datetime(moment.replace(microsecond=0), usegmt=True)
    assert body == original_bytes(revisit["url"])
    assert "windows-1256" in body[:2000].decode("ascii", "replace").lower()


def test_pywb_replays_the_crawls_wacz(twice, wayback):
    capture = capture_of(twice, """
        select c.* from captures c where c.record_type = 'revisit' and c.article_id is not null
        and c.url like 'http://127.0.0.11%' order by c.id limit 1""")
    status, _headers, body = fetch(f"{wayback}/wacz/{timestamp(capture['warc_date'])}id_/{capture['url']}")
    assert status == 200
    assert body == original_bytes(capture["url"])
