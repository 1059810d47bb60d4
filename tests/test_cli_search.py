"""``arshif search`` on the crawled farm: the same ranked search as Datasette's."""

from __future__ import annotations

import json
import sqlite3

from click.testing import CliRunner

from arshif.cli.search import search
from archive.search import search_articles


def run(*args: str):
    return CliRunner().invoke(search, list(args), catch_exceptions=False)


def test_json_hits_match_search_articles(crawled):
    result = run("مدرسه", "--data", str(crawled.data_dir), "--json")
    assert result.exit_code == 0, result.output
    hits = json.loads(result.output)
    assert hits and isinstance(hits, list)
    for hit in hits:
        assert {"url", "title", "published", "site", "snippet"} <= hit.keys()
        assert hit["url"].startswith("http://127.0.0.1")
    assert any("مدرسة" in hit["snippet"] for hit in hits)  # the text as written
    with sqlite3.connect(crawled.db_path) as conn:
        same = search_articles(conn, "مدرسه")
    assert [h["id"] for h in hits] == [h["id"] for h in same]


def test_filters_sort_and_limit(crawled):
    data = str(crawled.data_dir)
    everything = json.loads(run("الحسكة", "--data", data, "--json", "--limit", "100").output)
    sites = {h["site"] for h in everything}
    assert len(sites) > 1
    only = json.loads(run("الحسكة", "--data", data, "--json", "--site", "nabd").output)
    assert only and {h["site"] for h in only} == {"nabd"}
    by_date = json.loads(run("الحسكة", "--data", data, "--json", "--sort", "date").output)
    dates = [h["published"] for h in by_date]
    assert dates == sorted(dates, reverse=True)
    in_2023 = json.loads(
        run("الحسكة", "--data", data, "--json", "--from", "2023-01-01", "--to", "2023").output
    )
    assert in_2023 and all(h["published"].startswith("2023") for h in in_2023)
    one = json.loads(run("الحسكة", "--data", data, "--json", "--limit", "1").output)
    assert len(one) == 1
    author = everything[0]["author"]
    by_author = json.loads(run("الحسكة", "--data", data, "--json", "--author", author).output)
    assert by_author and {h["author"] for h in by_author} == {author}


def test_text_output(crawled):
    result = run("الحسكة", "--data", str(crawled.data_dir), "--limit", "2")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].startswith("  1. ") and "[" in result.output  # hits in brackets
    assert any(line.strip().startswith("http://127.0.0.1") for line in lines)
    assert "  3. " not in result.output
    none = run("كلمةغيرموجودةابدا", "--data", str(crawled.data_dir))
    assert none.exit_code == 0 and "No results" in none.output


def test_errors(crawled, tmp_path):
    bad_date = run("الحسكة", "--data", str(crawled.data_dir), "--from", "أمس")
    assert bad_date.exit_code == 2 and "ISO 8601" in bad_date.output
    missing = run("الحسكة", "--data", str(tmp_path))
    assert missing.exit_code == 1 and "arshif crawl" in missing.output
    assert not (tmp_path / "archive.db").exists()  # never creates an archive
