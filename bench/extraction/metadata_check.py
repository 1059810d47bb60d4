"""Title, author and date: arshif against trafilatura's defaults and the page's gold or hints.

Usage::

    python -m bench.extraction.metadata_check [FOLDER ...] [--all]

A FOLDER holds either ``NAME.html`` + ``NAME.gold.json`` pairs (the farm, the
shared eval pages: gold is truth) or ``NAME/source.html`` +
``NAME/expected-metadata.json`` (Mozilla Readability's test pages: its own
output, a hint, not truth). Without folders the farm corpus is exported.

Per page, arshif's and trafilatura's (``bare_extraction(with_metadata=True)``)
title, author and date are compared with the expectation. A page is listed
when arshif misses a field trafilatura gets right, gives a wrong date, or
(with ``--all``) whenever arshif's answer differs from the expectation. The
summary counts right answers per field for both, and wrong dates.

Comparisons: titles after collapsing whitespace and case; authors as sets of
names (split on "،", ",", " and ", " و"), "By " dropped, case folded; dates as
YYYY-MM-DD. A hint with no value (Readability found no byline) scores
nothing: it is not evidence that the page has none.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import signal
import sys
import tempfile
from pathlib import Path
from typing import Any

from . import peers, scoring
from .__main__ import default_folders, load_corpus

_NAME_SPLIT_RE = re.compile(r"\s*[،,;]\s*|\s+(?:and|&|و)\s+|\s+و(?=\S)", re.IGNORECASE)
_BY_RE = re.compile(r"^\s*(?:by|von|par|por|di)\s+", re.IGNORECASE)
FIELDS = ("title", "author", "date")
_PAGE_SECONDS = 20  # one pathological page must not stall the whole check


class _PageTimeout(BaseException):  # not swallowed by the peers' own "never raise" guards
    pass


def _on_alarm(signum, frame):
    raise _PageTimeout


def run_bounded(who: str, body: bytes, url: str, charset: str | None) -> dict[str, Any]:
    """``peers.run_peer`` with a time bound; a page over it gives an empty answer."""
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.alarm(_PAGE_SECONDS)
    try:
        return peers.run_peer(who, body, url, charset)
    except _PageTimeout:
        logging.getLogger(__name__).warning("%s: over %d s on %s", who, _PAGE_SECONDS, url or "page")
        return {"text": "", "error": "timeout"}
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def load_pages(folder: Path) -> list[tuple[str, bytes, dict[str, Any], bool]]:
    """(name, html, expectation, is_gold) for a gold folder or a Readability-style folder."""
    pages = [(name, body, gold, True) for name, body, gold in load_corpus([folder])]
    for meta_path in sorted(folder.glob("*/expected-metadata.json")):
        source = meta_path.parent / "source.html"
        if not source.exists():
            continue
        hint = json.loads(meta_path.read_text(encoding="utf-8"))
        expected = {"title": hint.get("title"), "author": hint.get("byline"),
                    "date": (hint.get("publishedTime") or "")[:10] or None, "url": ""}
        pages.append((meta_path.parent.name, source.read_bytes(), expected, False))
    return pages


def _names(value: str | None) -> set[str]:
    if not value:
        return set()
    value = _BY_RE.sub("", scoring.collapse(value))
    return {n.casefold().strip(" .") for n in _NAME_SPLIT_RE.split(value) if n.strip(" .")}


def field_ok(field: str, got: str | None, expected: dict[str, Any], is_gold: bool) -> bool | None:
    """Whether ``got`` is right for ``field``; None when there is nothing to judge by."""
    if field == "title":
        want = expected.get("title")
        if not want:
            return None
        variants = [want, *(expected.get("title_variants") or [])]
        return scoring.collapse(got).casefold() in {scoring.collapse(v).casefold() for v in variants}
    if field == "author":
        if is_gold and "author" in expected:
            return scoring._author_ok({"author": got}, expected["author"]) or (
                bool(got) and _names(got) == _names(expected["author"]))
        want = _names(expected.get("author"))
        return (_names(got) == want) if want else None
    right = {d for d in [expected.get("date"), *(expected.get("date_alternatives") or [])] if d}
    if is_gold and "date" in expected:
        return (got in right) if right else got is None
    return (got in right) if right else None


def check(folders: list[Path], show_all: bool) -> int:
    """Print the per-page disagreements and the summary; 0 when arshif gives no wrong date."""
    totals = {who: {f: [0, 0] for f in FIELDS} for who in ("arshif", "trafilatura")}
    wrong_dates = {"arshif": 0, "trafilatura": 0}
    rows = []
    for folder in folders:
        for name, body, expected, is_gold in load_pages(folder):
            url = expected.get("url") or ""
            answers = {who: run_bounded(who, body, url, expected.get("header_charset"))
                       for who in totals}
            for field in FIELDS:
                verdicts = {who: field_ok(field, answers[who].get(field), expected, is_gold)
                            for who in totals}
                for who, ok in verdicts.items():
                    if ok is None:
                        continue
                    totals[who][field][0] += ok
                    totals[who][field][1] += 1
                    if field == "date" and not ok and answers[who].get("date"):
                        wrong_dates[who] += 1
                worse = verdicts["arshif"] is False and (
                    verdicts["trafilatura"] or show_all
                    or (field == "date" and answers["arshif"].get("date")))
                if worse:
                    rows.append([f"{folder.name}/{name}", field, _cut(answers["arshif"].get(field)),
                                 _cut(answers["trafilatura"].get(field)),
                                 _cut(expected.get(field)) + ("" if is_gold else " (hint)")])
    if rows:
        print(scoring.render_table(["page", "field", "arshif", "trafilatura", "expected"], rows))
    summary = [[f"{field} right", *(f"{totals[w][field][0]}/{totals[w][field][1]}" for w in totals)]
               for field in FIELDS]
    summary.append(["wrong dates", *(str(wrong_dates[w]) for w in totals)])
    print()
    print(scoring.render_table(["metric", *totals], summary))
    return 1 if wrong_dates["arshif"] else 0


def _cut(value: Any, width: int = 48) -> str:
    text = scoring.collapse(str(value)) if value else "-"
    return text if len(text) <= width else text[: width - 1] + "…"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.extraction.metadata_check",
                                     description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folders", nargs="*", type=Path, help="gold or Readability-style folders")
    parser.add_argument("--all", action="store_true", help="list every arshif miss, not only the"
                        " ones trafilatura gets right")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    with tempfile.TemporaryDirectory(prefix="arshif-meta-") as tmp:
        folders = args.folders or default_folders(tmp)
        if not folders:
            parser.error("no FOLDER given and samples.gold.export_corpus is not available")
        return check(folders, args.all)


if __name__ == "__main__":
    sys.exit(main())
