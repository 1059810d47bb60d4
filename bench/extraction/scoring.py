"""Score one extraction against one gold record, and aggregate.

Metrics (all comparisons after collapsing whitespace):

* ``keep``: share of ``must_contain`` sentences found in the text;
* ``leak``: share of ``must_not_contain`` strings found in the text;
* ``precision``/``recall``/``f1``: bag-of-tokens overlap with the gold
  ``body`` (or ``body_text``) when the gold has one;
* ``title_ok``: exact match with ``title`` or any ``title_variants``;
* ``author_ok``: exact match (a list of authors matches if it holds the gold
  name); a null gold author is matched by a null answer;
* ``date_ok``: YYYY-MM-DD equal to ``date`` or one of ``date_alternatives``;
  ``date_wrong``: a date was given and it is not right.

A field the extractor does not provide at all is ``None`` (n/a), not wrong.
"""

from __future__ import annotations

import statistics
from collections import Counter
from typing import Any


def collapse(text: str | None) -> str:
    """Whitespace-collapsed text ("" for None)."""
    return " ".join((text or "").split())


def _share(items: list[str], text: str) -> float | None:
    if not items:
        return None
    return sum(1 for item in items if collapse(item) in text) / len(items)


def _token_prf(extracted: str, gold: str) -> tuple[float, float, float]:
    got, want = Counter(extracted.split()), Counter(gold.split())
    overlap = sum((got & want).values())
    precision = overlap / sum(got.values()) if got else 0.0
    recall = overlap / sum(want.values()) if want else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def score(result: dict[str, Any], gold: dict[str, Any], supports: frozenset[str]) -> dict[str, Any]:
    """Score one extractor's result on one page.

    Args:
        result: Adapter output (``text`` and optional ``title``/``author``/``date``).
        gold: The page's gold record.
        supports: Fields this extractor provides.

    Returns:
        A dict of metrics; None marks a metric that does not apply.
    """
    text = collapse(result.get("text"))
    scores: dict[str, Any] = {
        "keep": _share(gold.get("must_contain") or [], text),
        "leak": _share(gold.get("must_not_contain") or [], text),
        "precision": None, "recall": None, "f1": None,
        "title_ok": None, "author_ok": None, "date_ok": None, "date_wrong": None,
        "date": result.get("date"),
    }
    body = gold.get("body") or gold.get("body_text")
    if body:
        scores["precision"], scores["recall"], scores["f1"] = _token_prf(text, collapse(body))
    if "title" in supports and gold.get("title"):
        titles = {collapse(t) for t in [gold["title"], *(gold.get("title_variants") or [])]}
        scores["title_ok"] = collapse(result.get("title")) in titles
    if "author" in supports and "author" in gold:
        scores["author_ok"] = _author_ok(result, gold.get("author"))
    if "date" in supports and "date" in gold:
        right = {d for d in [gold.get("date"), *(gold.get("date_alternatives") or [])] if d}
        given = (result.get("date") or "")[:10] or None
        scores["date_ok"] = (given in right) if right else given is None
        scores["date_wrong"] = given is not None and given not in right
    return scores


def _author_ok(result: dict[str, Any], gold_author: str | None) -> bool:
    given = result.get("author")
    if gold_author is None:
        return not given
    names = {collapse(n) for n in (result.get("authors") or [])} | {collapse(given)}
    return collapse(gold_author) in names


def aggregate(per_page: list[dict[str, Any]], timings_ms: list[float]) -> dict[str, Any]:
    """Average the per-page metrics of one extractor (n/a values are skipped)."""
    summary: dict[str, Any] = {}
    for key in ("keep", "leak", "precision", "recall", "f1", "title_ok", "author_ok", "date_ok",
                "date_wrong"):
        values = [float(s[key]) for s in per_page if s.get(key) is not None]
        summary[key] = (sum(values) / len(values), len(values)) if values else None
    summary["ms_median"] = statistics.median(timings_ms) if timings_ms else None
    return summary


def fmt(value: Any, kind: str = "pct") -> str:
    """Format a metric for the tables."""
    if value is None:
        return "n/a"
    if isinstance(value, tuple):
        mean, count = value
        if kind == "count":
            return f"{round(mean * count)}/{count}"
        return f"{100 * mean:.0f}%"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if kind == "ms":
        return f"{value:.1f}"
    if isinstance(value, float):
        return f"{100 * value:.0f}%"
    return str(value)


def render_table(header: list[str], rows: list[list[str]]) -> str:
    """A plain-text table with aligned columns."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    line = "  ".join("-" * w for w in widths)
    out = ["  ".join(str(h).ljust(w) for h, w in zip(header, widths)), line]
    out += ["  ".join(str(c).ljust(w) for c, w in zip(row, widths)) for row in rows]
    return "\n".join(out)
