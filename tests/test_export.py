"""arshif export: a real archive built with archive.db, exported through the real CLI."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from arshif.cli.extra import export
from archive.db import open_archive, record_capture, upsert_article, upsert_site
from archive.export import export_articles, format_for
from tests.conftest import REPO

ARTICLES = [
    ("furat", "http://furat.example/2022/01/20/water", "انقطاع المياه في الحسكة", "2022-01-20T09:30:00+03:00",
     "إعداد: سلمى الأحمد", ["مياه", "الحسكة"]),
    ("furat", "http://furat.example/2022/02/01/bread", "أسعار الخبز في الرقة", "2022-02-01T00:15:00+03:00",
     None, []),
    ("khabour", "http://khabour.example/article.php?id=7", "سوق القامشلي، \"الشعبي\"\nيعود", "2022-01-31", "كتب: فراس",
     None),
    ("khabour", "http://khabour.example/article.php?id=8", "=1+1 عنوان يبدأ بعلامة", None, None, None),
]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    data = tmp_path_factory.mktemp("export") / "data"
    db = open_archive(data / "archive.db")
    for name in ("furat", "khabour"):
        upsert_site(db, {"name": name, "title": name, "base_url": f"http://{name}.example/"})
    for index, (site, url, title, published, author, tags) in enumerate(ARTICLES):
        capture = record_capture(db, {"url": url, "site": site, "status": 200, "warc_file": "a.warc.gz",
                                      "warc_offset": index * 100, "warc_record_id": f"<urn:uuid:{index}>",
                                      "payload_digest": f"sha1:DIGEST{index}",
                                      "fetched_at": f"2026-11-2{index}T10:00:00Z"})
        upsert_article(db, {"url": url, "site": site, "title": title, "author": author, "published": published,
                            "tags": tags, "language": "ar",
                            "text": f"{title}\nنص المقال الأول، سطر ثانٍ.\n\"اقتباس\", وفاصلة"}, capture)
    db.close()
    return data


def run(data_dir, *args):
    result = CliRunner().invoke(export, ["--data", str(data_dir), *args], catch_exceptions=False)
    return result


def test_jsonl_has_every_article_with_capture_reference(data_dir):
    result = run(data_dir)
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["title"] for r in rows] == [a[2] for a in ARTICLES]
    first = rows[0]
    assert first["tags"] == ["مياه", "الحسكة"]
    assert first["site"] == "furat" and first["language"] == "ar" and first["word_count"] > 5
    assert first["captured_at"] == "2026-11-20T10:00:00Z"
    assert first["warc_record_id"] == "<urn:uuid:0>" and first["payload_digest"] == "sha1:DIGEST0"
    assert "exported 4 article(s)" in result.stderr
    assert "الحسكة" in result.stdout  # UTF-8, not \\u escapes


@pytest.mark.parametrize("args, titles", [
    (["--site", "khabour"], [2, 3]),
    (["--site", "khabour", "--site", "furat"], [0, 1, 2, 3]),
    (["--since", "2022-01-31"], [1, 2]),
    (["--until", "2022-01-31"], [0, 2]),
    (["--since", "2022-01-20", "--until", "2022-01-20"], [0]),
    (["--site", "furat", "--until", "2022-02-01"], [0, 1]),
])
def test_filters(data_dir, args, titles):
    result = run(data_dir, *args)
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["title"] for line in result.stdout.splitlines()] == [ARTICLES[i][2] for i in titles]


def test_csv_has_bom_and_round_trips_arabic_quotes_and_newlines(data_dir, tmp_path):
    out = tmp_path / "articles.csv"
    result = run(data_dir, "-o", str(out))  # format from the suffix
    assert result.exit_code == 0, result.output
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfid,url,")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    # a title that starts like a spreadsheet formula is escaped with a leading ' (CSV injection)
    assert [r["title"] for r in rows] == [a[2] for a in ARTICLES[:3]] + ["'" + ARTICLES[3][2]]
    assert rows[2]["text"].endswith('"اقتباس", وفاصلة')
    assert json.loads(rows[0]["tags"]) == ["مياه", "الحسكة"]
    assert rows[3]["published"] == ""


def test_csv_reads_in_pandas_when_installed(data_dir, tmp_path):
    pd = pytest.importorskip("pandas")
    out = tmp_path / "a.csv"
    assert run(data_dir, "--format", "csv", "-o", str(out)).exit_code == 0
    frame = pd.read_csv(out)
    assert list(frame.columns)[:2] == ["id", "url"]
    assert frame["title"].tolist() == [a[2] for a in ARTICLES]


def test_parquet_when_pyarrow_installed(data_dir, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "a.parquet"
    result = run(data_dir, "-o", str(out), "--site", "furat")
    assert result.exit_code == 0, result.output
    table = pq.read_table(out)
    assert table.column("title").to_pylist() == [ARTICLES[0][2], ARTICLES[1][2]]
    assert table.column("tags").to_pylist() == [["مياه", "الحسكة"], []]
    assert str(table.schema.field("word_count").type) == "int64"


def test_parquet_without_pyarrow_names_the_extra(data_dir, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow -> ImportError
    out = tmp_path / "a.parquet"
    result = run(data_dir, "--format", "parquet", "-o", str(out))
    assert result.exit_code != 0
    assert "arshif[parquet]" in result.output and "pyarrow" in result.output
    assert not out.exists()


def test_streams_in_batches(data_dir, monkeypatch):
    """Rows reach the writer one at a time, in id order, not as a list."""
    seen = []

    def writer(names, rows, out):
        assert not isinstance(rows, (list, tuple))
        for row in rows:
            seen.append(row["id"])
        return len(seen)

    monkeypatch.setitem(__import__("archive.export").export.WRITERS, "jsonl", writer)
    assert export_articles(data_dir / "archive.db", io.BytesIO()) == 4
    assert seen == sorted(seen)


@pytest.mark.parametrize("name, fmt", [("a.csv", "csv"), ("a.PARQUET", "parquet"), ("a.jsonl", "jsonl"),
                                       ("a.json", "jsonl"), ("-", "jsonl"), ("a.txt", "jsonl")])
def test_format_from_file_name(name, fmt):
    assert format_for(name) == fmt


def test_missing_archive_and_bad_date_are_one_line_errors(tmp_path):
    result = run(tmp_path / "nothing")
    assert result.exit_code != 0 and "archive.db does not exist" in result.output
    result = subprocess.run([sys.executable, "-c",
                             "from arshif.cli.extra import export; export()", "--data", str(tmp_path),
                             "--since", "yesterday"], cwd=REPO, capture_output=True, text=True)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "'yesterday' is not a date" in result.stderr
