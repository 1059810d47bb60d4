"""Issue 16, items 6 and 10: no request stalls or unmasks the published archive.

Bounded search queries (archive/search_limits.py), bounded diffs
(archive/textdiff.py), out-of-range numbers on every arshif route, SQL functions
anyone may call, and Datasette's instance pages, on a real archive file through
``Datasette(...).client``; a real ``arshif serve`` where concurrency matters.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

import pytest
from datasette.app import Datasette

import archive.web.plugin as plugin
from archive.db import open_archive, record_capture, upsert_article
from archive.query import normalize_query
from archive.search_limits import (
    MAX_DEPTH,
    MAX_PAGE,
    MAX_PREFIX_TERMS,
    MAX_QUERY_CHARS,
    MAX_TERMS,
)
from archive.versions import diff_texts, record_version
from archive.web.plugin import SETTINGS, load_metadata

REPO = Path(__file__).resolve().parent.parent
WORD = "الحسكة"
BIG = "9" * 23  # beyond SQLite's 64-bit integers
HUGE = str(10**30)

pytestmark = pytest.mark.usefixtures("arshif_plugin")
# A SQL function refusing its input raises; Datasette turns on sqlite3's callback
# tracebacks, so each refusal is also reported as an unraisable exception
refusals_reported = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")


# --- query parsing -----------------------------------------------------------


def test_repeated_terms_are_merged():
    single = normalize_query(WORD)
    assert normalize_query(" ".join([WORD] * 300)) == single
    assert normalize_query(f"({WORD} OR {WORD}) {WORD}") == f"({single}) AND {single}"
    assert normalize_query(" ".join(["مدرس*"] * 200)) == normalize_query("مدرس*")


@pytest.mark.parametrize(
    "query",
    [
        " ".join(f"كلمة{n}" for n in range(MAX_TERMS + 1)),
        " ".join(f"مدر{chr(0x0628 + n)}*" for n in range(MAX_PREFIX_TERMS + 1)),
        "ا*",
        f'"{" ".join(f"كلمة{n}" for n in range(MAX_TERMS + 1))}"',
        "(" * (MAX_DEPTH + 1) + WORD + ")" * (MAX_DEPTH + 1),
        "(" * 5000,
        "title: " * (MAX_DEPTH + 1) + WORD,
        "ب" * (MAX_QUERY_CHARS + 1),
    ],
    ids=["words", "prefixes", "one-letter-prefix", "phrase", "parens", "open-parens",
         "columns", "length"],
)
def test_queries_over_the_limits_are_refused(query):
    with pytest.raises(ValueError, match="a query|a prefix"):
        normalize_query(query)


def test_queries_at_the_limits_pass():
    assert normalize_query(" ".join(f"كلمة{n}" for n in range(MAX_TERMS)))
    assert normalize_query(" OR ".join(f"مدر{chr(0x0628 + n)}*" for n in range(MAX_PREFIX_TERMS)))
    assert normalize_query("(" * MAX_DEPTH + WORD + ")" * MAX_DEPTH)


# --- the published archive, in process --------------------------------------


@pytest.fixture
def db_path(tmp_path):
    path = tmp_path / "archive.db"
    db = open_archive(path)
    for n in range(1, 4):
        url = f"https://hasaka.example/{n}"
        capture_id = record_capture(db, {"url": url, "site": "hasaka"})
        article = {"url": url, "site": "hasaka", "language": "ar", "title": f"أخبار {WORD} {n}",
                   "text": f"نص الخبر {n} عن {WORD}.\nفقرة ثانية."}
        article_id = upsert_article(db, article, capture_id)
        for version, text in enumerate((article["text"], article["text"] + " تحديث")):
            record_version(db, article_id, capture_id=capture_id, fetched_at=f"2024-01-0{version + 1}",
                           url=url, title=article["title"], text=text, content_hash=str(version))
    db.close()
    return path


def datasette(db_path, **plugin_config) -> Datasette:
    metadata = load_metadata()
    if plugin_config:
        metadata["plugins"] = {"arshif": plugin_config}
    return Datasette([str(db_path)], metadata=metadata, settings=SETTINGS)


def out_of_range_paths() -> list[str]:
    q = urlencode({"q": WORD})
    return [
        *(f"/-/article/{n}{ext}" for n in (BIG, HUGE) for ext in ("", ".json")),
        *(f"/-/diff/{n}{ext}" for n in (BIG, HUGE) for ext in ("", ".json")),
        f"/-/diff/1?from={HUGE}&to={HUGE}", f"/-/diff/1.json?from=1&to={'9' * 5000}",
        *(f"/-/snapshot/{kind}{BIG}.warc.gz" for kind in ("", "article/")),
        *(f"/-/cite/{BIG}{ext}" for ext in ("", ".txt", ".json")),
        f"/-/wacz/{BIG}.wacz",
        *(f"/-/search{ext}?{q}&page={n}" for ext in ("", ".json")
          for n in (HUGE, MAX_PAGE + 1, "9" * 5000, "x")),
        "/-/search.json?" + urlencode({"q": "(" * 3000 + WORD + ")" * 3000}),
        "/-/search?" + urlencode({"q": " ".join([WORD] * 600)}),
        "/archive/articles.json?" + urlencode({"_search": "(" * 3000 + WORD}),
        f"/archive/articles/{BIG}", f"/archive/captures/{HUGE}.json",
    ]


@refusals_reported
async def test_out_of_range_numbers_answer_400_or_404_on_every_route(db_path):
    paths = out_of_range_paths()
    # every route the plugin serves from the database is walked (not its static files)
    for pattern, _view in plugin.register_routes():
        if "arshif/" not in pattern and "databases|" not in pattern:
            assert any(re.match(pattern, path.split("?")[0]) for path in paths), pattern
    ds = datasette(db_path)
    for path in paths:
        response = await ds.client.get(path)
        assert response.status_code in (400, 404), (path, response.status_code, response.text[:300])
        assert "Traceback" not in response.text


async def test_repeated_words_search_like_one_word(db_path):
    ds = datasette(db_path)
    once = (await ds.client.get("/-/search.json?" + urlencode({"q": WORD}))).json()
    started = time.perf_counter()
    repeated = await ds.client.get("/-/search.json?" + urlencode({"q": " ".join([WORD] * 300)}))
    assert time.perf_counter() - started < 1.0
    assert repeated.status_code == 200
    assert [h["id"] for h in repeated.json()["results"]] == [h["id"] for h in once["results"]] != []
    refused = await ds.client.get("/-/search.json?" + urlencode({"q": " ".join(f"كلمة{n}" for n in range(99))}))
    assert refused.status_code == 400 and "at most 64 different words" in refused.json()["error"]


@refusals_reported
async def test_sql_functions_are_bounded(db_path):
    ds = datasette(db_path)

    async def sql(query):
        return await ds.client.get("/archive.json?" + urlencode({"sql": query, "_shape": "array"}))

    # arshif_query expanded its input ~50x in one uninterruptible call; nothing used it
    assert (await sql("select arshif_query('x')")).status_code == 400
    assert (await sql(f"select arshif_normalize('{WORD}') as n")).json() == [{"n": "الحسكه"}]
    started = time.perf_counter()
    long_input = await sql("select length(arshif_normalize(printf('%.*c', 30000000, 'x')))")
    assert long_input.status_code == 400
    assert time.perf_counter() - started < 1.0  # 1.2 s of GIL held before
    escape = await sql("select escape_fts(printf('%.*c', 30000000, 'x'))")
    assert escape.status_code == 400


async def test_instance_details_are_not_public(db_path):
    ds = datasette(db_path)
    for path in ("/-/databases.json", "/-/versions.json", "/-/threads.json",
                 "/-/databases", "/-/versions", "/-/threads"):
        response = await ds.client.get(path)
        assert response.status_code == 403, path
        assert str(db_path.parent) not in response.text
    # the archive stays usable
    for path in ("/", "/archive", "/archive/articles", "/-/search?q=" + WORD, "/-/article/1",
                 "/-/diff/1", "/-/plugins.json", "/-/metadata.json"):
        response = await ds.client.get(path)
        assert response.status_code == 200, path
        assert str(db_path.parent) not in response.text, path
    # re-enabled for root (`datasette --root`) or by the metadata's allow block
    root = {"ds_actor": ds.sign({"a": {"id": "root"}}, "actor")}
    databases = await ds.client.get("/-/databases.json", cookies=root)
    assert databases.status_code == 200 and databases.json()[0]["path"] == str(db_path)
    opened = datasette(db_path, instance_details=True)
    for path in ("/-/databases.json", "/-/versions.json", "/-/threads.json"):
        assert (await opened.client.get(path)).status_code == 200, path
    by_id = datasette(db_path, instance_details={"id": "alice"})
    assert (await by_id.client.get("/-/versions.json")).status_code == 403
    alice = {"ds_actor": by_id.sign({"a": {"id": "alice"}}, "actor")}
    assert (await by_id.client.get("/-/versions.json", cookies=alice)).status_code == 200


# --- diffs -------------------------------------------------------------------


def hostile_edit(words: int) -> tuple[str, str]:
    """One word repeated, then one word inserted: SequenceMatcher's worst case."""
    half = " ".join(["و"] * (words // 2))
    return f"{half} {half}", f"{half} جديد {half}"


def test_diff_of_a_hostile_edit_is_bounded():
    old, new = hostile_edit(5000)  # 5.7 s in SequenceMatcher(autojunk=False) before
    started = time.perf_counter()
    diff = diff_texts(old, new)
    assert time.perf_counter() - started < 1.0
    assert (diff.words_added, diff.words_removed) == (1, 0)
    assert "+" + new in diff.unified
    # one line of one repeated word against another, shuffled: no exact diff, a true one
    old, new = "\n".join(["و"] * 20000), "\n".join(["و", "ب"] * 20000)
    started = time.perf_counter()
    diff = diff_texts(old, new)
    assert time.perf_counter() - started < 1.0
    assert (diff.words_added, diff.words_removed) == (20000, 0)


def test_small_diffs_are_unchanged():
    diff = diff_texts("فقرة أولى\nفقرة ثانية\nفقرة ثالثة", "فقرة أولى\nفقرة ثانية معدلة\nفقرة ثالثة")
    assert diff.unified == ("--- before\n+++ after\n@@ -1,3 +1,3 @@\n فقرة أولى\n"
                            "-فقرة ثانية\n+فقرة ثانية معدلة\n فقرة ثالثة")
    assert (diff.words_added, diff.words_removed) == (1, 0)


async def test_diff_pages_of_a_hostile_edit_are_bounded(tmp_path):
    path = tmp_path / "archive.db"
    db = open_archive(path)
    capture_id = record_capture(db, {"url": "https://x.example/1", "site": "x"})
    article_id = upsert_article(db, {"url": "https://x.example/1", "site": "x", "title": "t",
                                     "text": "x"}, capture_id)
    old, new = hostile_edit(20000)
    started = time.perf_counter()
    for version, text in enumerate((old, new)):
        record_version(db, article_id, capture_id=capture_id, fetched_at=f"2024-01-0{version + 1}",
                       url="https://x.example/1", title="t", text=text, content_hash=str(version))
    assert time.perf_counter() - started < 2.0  # the crawler's reactor waited 74 s before
    db.close()
    ds = datasette(path)
    for suffix in ("", ".json"):
        started = time.perf_counter()
        response = await ds.client.get(f"/-/diff/{article_id}{suffix}")
        assert response.status_code == 200
        assert time.perf_counter() - started < 3.0, suffix
        assert "جديد" in response.text or "\\u062c\\u062f\\u064a\\u062f" in response.text
    assert "Too large to compare word by word" in (await ds.client.get(f"/-/diff/{article_id}")).text
    assert (await ds.client.get(f"/-/diff/{article_id}.json")).json()["exact"] is False


# --- a real server: costly searches leave the other pages served -------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(port: int, path: str) -> tuple[int, float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    started = time.perf_counter()
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status, time.perf_counter() - started
    finally:
        conn.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """``arshif serve`` on a generated archive of 3,000 articles."""
    from bench.search.generate import build_archive

    data = tmp_path_factory.mktemp("served") / "data"
    build_archive(data / "archive.db", 3000, workers=0)
    port = free_port()
    log = open(data.parent / "serve.log", "w")  # noqa: SIM115 - closed below
    # its own process group: `arshif serve` runs Datasette as a child
    server = subprocess.Popen([sys.executable, "-m", "arshif", "serve", "--data", str(data),
                               "--port", str(port)], cwd=REPO, stdout=subprocess.DEVNULL,
                              stderr=log, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if get(port, "/-/arshif/arshif.css")[0] == 200:
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise AssertionError((data.parent / "serve.log").read_text()[-2000:]) from None
                time.sleep(0.2)
        yield port, data / "archive.db"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
        log.close()


def common_words(db_path: Path, count: int) -> list[str]:
    import sqlite3
    from collections import Counter

    conn = sqlite3.connect(db_path)
    try:
        texts = [row[0] for row in conn.execute("SELECT text FROM articles LIMIT 300")]
    finally:
        conn.close()
    counts = Counter(word for text in texts for word in text.split() if len(word) > 3)
    return [word for word, _ in counts.most_common(count)]


def test_costly_searches_leave_other_pages_served(served):
    port, db_path = served
    words = common_words(db_path, MAX_TERMS)
    costly = [
        "/-/search.json?" + urlencode({"q": " ".join([words[0]] * 300)}),  # 3 s (time limit) before
        "/-/search.json?" + urlencode({"q": " OR ".join(words)}),  # within the limits
        "/-/search.json?" + urlencode({"q": " ".join(words), "sort": "date"}),
    ] * 3
    article = "/-/article/1"
    baseline = min(get(port, article)[1] for _ in range(3))
    with ThreadPoolExecutor(len(costly)) as pool:
        heavy = [pool.submit(get, port, path) for path in costly]
        time.sleep(0.3)
        status, during = get(port, article)
        results = [future.result() for future in heavy]
    assert status == 200
    assert all(code in (200, 400) for code, _ in results), results
    # before: ~6 s, waiting behind nine searches on Datasette's three SQL threads
    assert during < baseline + 1.5, (during, baseline, results)
