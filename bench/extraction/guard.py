"""Gold-free guard: what trafilatura's defaults keep and arshif's body lacks, and why.

``python -m bench.extraction --against-trafilatura DIR`` runs on every ``*.html``
under DIR (recursively). Per page, each segment (sentence or table cell, see
:func:`pipelines.extraction.harm.segments`) of trafilatura's default text
(``include_comments=False``) missing from arshif's body is listed with the
rule that removed it, or as UNEXPLAINED; pages where arshif is empty or less
than half as long as trafilatura are flagged SHORT. Text that only
trafilatura's second opinion (readability/jusText) brings, on pages where its
own pass found a full article, is attributed to arshif's rule of not asking
for it (``second_opinion``). Both extractors get the
same decoded text, so charset detection does not count as a loss. A
``NAME.gold.json`` beside a page supplies its URL.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.extraction import decode_html
from pipelines.extraction.core import _FAST_ENOUGH_CHARS, trace_extraction
from pipelines.extraction.harm import segments, uncovered

from .scoring import collapse

_SHORT_SHARE = 0.5  # arshif below this share of trafilatura's length is "much shorter"
_SHORT_MIN_CHARS = 200  # ... when trafilatura found at least this much
_SHOWN_CHARS = 90
# arshif's policy (core._body_text): when trafilatura's own pass finds a full article
# (_FAST_ENOUGH_CHARS), its readability/jusText second opinion is not asked for; text
# that only the second opinion brings is lost by that rule
SECOND_OPINION = "second_opinion"


@dataclass
class PageReport:
    name: str
    ms: float
    own_chars: int
    ref_chars: int
    explained: list[tuple[str, str, str]] = field(default_factory=list)  # (rule, element, segment)
    unexplained: list[str] = field(default_factory=list)

    @property
    def short(self) -> bool:
        return self.ref_chars >= _SHORT_MIN_CHARS and self.own_chars < _SHORT_SHARE * self.ref_chars


def reference_text(html: str, url: str, *, fast: bool = False) -> str:
    """trafilatura's default body text (comments off), as a user gets it.

    ``fast=True``: trafilatura's own pass alone, without the readability/jusText
    second opinion that its default takes when that finds a longer text.
    """
    import trafilatura

    doc = trafilatura.bare_extraction(html, url=url or None, include_comments=False,
                                      with_metadata=False, fast=fast)
    return (doc.text or "") if doc is not None else ""


def _second_opinion(html: str, url: str) -> str:
    """trafilatura's own pass, when it is long enough for arshif to skip the second opinion."""
    own_pass = reference_text(html, url, fast=True)
    return collapse(own_pass) if len(own_pass) >= _FAST_ENOUGH_CHARS else ""


def check_page(name: str, body: bytes, url: str) -> PageReport:
    """Compare one page's arshif body with trafilatura's default text."""
    start = time.perf_counter()
    record, trace = trace_extraction(body, url)
    ms = 1000 * (time.perf_counter() - start)
    html, _encoding = decode_html(body, None)
    reference = reference_text(html, url)
    own_pass = None
    own = collapse(record["text"])
    ref_segments = list(dict.fromkeys(seg for line in segments(reference) for seg in line))
    # distinct segments: a repeated paragraph is not more text to keep
    report = PageReport(name, ms, len(own), sum(len(seg) + 1 for seg in ref_segments))
    for piece in (p for seg in ref_segments for p in uncovered(seg, own)[1]):
        removal = trace.explaining(piece)
        if removal is not None:
            report.explained.append((removal.rule, removal.element, piece))
            continue
        own_pass = _second_opinion(html, url) if own_pass is None else own_pass
        if own_pass and not uncovered(piece, own_pass)[1]:
            report.unexplained.append(piece)
        elif own_pass:
            report.explained.append((SECOND_OPINION, "page", piece))
        else:
            report.unexplained.append(piece)
    return report


def _url_for(html_path: Path) -> str:
    gold = html_path.with_name(html_path.name[: -len(".html")] + ".gold.json")
    if gold.exists():
        return json.loads(gold.read_text(encoding="utf-8")).get("url") or ""
    return ""


def run_guard(folder: Path, verbose: bool = True) -> list[PageReport]:
    """Check every ``*.html`` under ``folder``; print per-page findings and a summary."""
    pages = sorted(folder.rglob("*.html"))
    reports = []
    for path in pages:
        report = check_page(str(path.relative_to(folder)), path.read_bytes(), _url_for(path))
        reports.append(report)
        if verbose and (report.unexplained or report.explained or report.short):
            _print_page(report)
    print(summary(reports))
    return reports


def _print_page(report: PageReport) -> None:
    flag = "  SHORT" if report.short else ""
    print(f"{report.name}: arshif {report.own_chars} chars, trafilatura {report.ref_chars}, "
          f"{report.ms:.0f} ms{flag}")
    for seg in report.unexplained:
        print(f"    UNEXPLAINED  {seg[:_SHOWN_CHARS]}")
    for rule, element, seg in report.explained:
        print(f"    {rule:<18} {element[:40]:<40} {seg[:_SHOWN_CHARS]}")


def summary(reports: list[PageReport]) -> str:
    """One line: pages, explained/unexplained losses by rule, short pages, slowest page."""
    rules = Counter(rule for r in reports for rule, _element, _seg in r.explained)
    slowest = max(reports, key=lambda r: r.ms, default=None)
    by_rule = ", ".join(f"{rule} {n}" for rule, n in rules.most_common()) or "none"
    return (f"pages {len(reports)}, unexplained losses {sum(len(r.unexplained) for r in reports)} "
            f"(on {sum(1 for r in reports if r.unexplained)} pages), explained losses "
            f"{sum(rules.values())} ({by_rule}), short pages {sum(1 for r in reports if r.short)}, "
            f"slowest page {slowest.ms if slowest else 0:.0f} ms ({slowest.name if slowest else '-'})")
