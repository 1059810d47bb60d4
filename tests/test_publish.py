"""The crawled farm archive, published: Datasette finds Arabic words from gold articles."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from archive.web.plugin import build_datasette, serve_args
from tests.conftest import REPO


def gold_word_and_title(gold, host):
    """A distinctive word from a gold sentence and the article it belongs to."""
    article = next(g for g in gold if host in g["url"])
    words = sorted(article["must_contain"][0].split(), key=len, reverse=True)
    return words[0].strip("،.:؛"), article


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("host", ["127.0.0.11", "127.0.0.12", "127.0.0.13"])
async def test_table_search_finds_gold_article_via_client(crawled, gold, host):
    word, article = gold_word_and_title(gold, host)
    datasette = build_datasette(crawled.db_path)
    response = await datasette.client.get(
        "/archive/articles.json?" + urllib.parse.urlencode({"_search": word, "_shape": "array", "_size": "max"}))
    assert response.status_code == 200
    titles = [row["title"] for row in response.json()]
    assert article["title"] in titles


async def test_article_row_page_reads_right_to_left(crawled):
    datasette = build_datasette(crawled.db_path)
    response = await datasette.client.get("/archive/articles/1")
    assert response.status_code == 200
    assert 'dir="rtl"' in response.text


def test_search_over_http(crawled, gold):
    word, article = gold_word_and_title(gold, "127.0.0.12")
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "datasette", *serve_args(crawled.data_dir, port=port)],
                              cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        url = f"http://127.0.0.1:{port}/archive/articles.json?" + urllib.parse.urlencode(
            {"_search": word, "_shape": "array"})
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    rows = json.load(response)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        assert article["title"] in [row["title"] for row in rows]
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/archive.db", timeout=5)
        assert refused.value.code in (403, 404)
        refused.value.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
        server.stderr.close()
