"""Article vs non-article, measured on every HTML page of the crawled farm.

The rule is the extractor's own ``is_article`` (no per-site URL hint), scored
against the gold: listing, tag, author, section and home pages must not count
as articles; AMP and print twins of an article are duplicates, not errors.
"""

from __future__ import annotations

import sqlite3
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator

from pipelines.extraction import extract_article


def key(url: str) -> str:
    parts = urlsplit(url)
    return parts.hostname + parts.path + (f"?{parts.query}" if parts.query else "")


def is_twin(url: str) -> bool:
    return "/amp/" in url or "print.php" in url


def classify_crawled_pages(crawled):
    with sqlite3.connect(crawled.db_path) as conn:
        captures = conn.execute("select url, warc_file, warc_offset from captures "
                                "where kind = 'page' and status = 200").fetchall()
    results = {}
    for url, warc_file, offset in captures:
        with open(crawled.data_dir / "warc" / warc_file, "rb") as fh:
            fh.seek(offset)
            record = next(iter(ArchiveIterator(fh)))
            body = record.content_stream().read()
        results[url] = extract_article(body, url)["is_article"]
    return results


def test_is_article_precision_and_recall_on_the_farm(crawled, gold):
    articles = {key(g["url"]) for g in gold}
    results = classify_crawled_pages(crawled)
    scored = {url: verdict for url, verdict in results.items() if not is_twin(url)}
    true_pos = sum(1 for url, v in scored.items() if v and key(url) in articles)
    false_pos = [url for url, v in scored.items() if v and key(url) not in articles]
    false_neg = [url for url, v in scored.items() if not v and key(url) in articles]
    listings = len(scored) - true_pos - len(false_neg)
    print(f"\nis_article on {len(scored)} farm pages ({listings} non-articles): "
          f"precision {true_pos / max(1, true_pos + len(false_pos)):.3f}, "
          f"recall {true_pos / max(1, true_pos + len(false_neg)):.3f}")
    assert listings >= 20
    assert false_pos == []
    assert false_neg == []
