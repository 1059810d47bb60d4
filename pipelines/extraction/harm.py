"""Do no harm: the body keeps what trafilatura's defaults keep, unless a named rule removes it.

arshif prunes boilerplate blocks (:func:`boilerplate.prune_tree`) before
trafilatura runs. Pruning can change which container trafilatura picks, so the
pruned run (*own*) may lose text the unpruned run (*reference*, trafilatura
with ``include_comments=False`` on the intact tree) keeps: a lead paragraph,
or the whole body when the body container's class sounds like a widget.

:func:`merge` compares both runs segment by segment (a segment is a sentence,
or a table cell) and accounts for every reference segment missing from *own*:

* **explained**: it lies inside a block a pruning rule removed (recorded as a
  :class:`Removal` with the rule's name), so it stays out;
* **vetoed rule**: a removed block that holds more than half of the
  reference's text is the article, not a widget; its text counts as missing;
* **restored**: anything else missing is put back, in the reference's order,
  after the last segment both runs share.

When the missing text outweighs what *own* kept (the pruned run came back
empty, or with site chrome such as footer credits), *own* is dropped and the
reference's text is used instead, minus the explained segments. Line-level
rules (:func:`boilerplate.filter_lines`, the edge rules) then apply to the
merged lines and record their removals too, so every lost sentence has a
named reason (see ``explain_extraction`` and ``bench.extraction
--against-trafilatura``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from lxml.html import HtmlElement

from .arabic import collapse_ws

# sentence ends and the cell separator trafilatura writes between table cells
_SEGMENT_RE = re.compile(r"(?<=[.!?؟。])\s+|\s*\\?\|\s*")
_VETO_SHARE = 0.5  # a removed block holding more of the reference than this is the article
_START_CHARS = 80
_WINDOW = 4  # words: long segments are matched in windows this wide


@dataclass
class Removal:
    """Text a named rule removed: ``element`` is ``tag.class#id`` or ``line``."""

    rule: str
    element: str
    text: str

    def __post_init__(self) -> None:
        self.text = collapse_ws(self.text)
        # text_content() glues adjacent blocks ("…إدلبتركيب…"): compare without spaces
        self.key = "".join(self.text.split())

    def holds(self, segment: str) -> bool:
        return "".join(segment.split()) in self.key

    def as_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "element": self.element, "chars": len(self.text),
                "start": self.text[:_START_CHARS]}


@dataclass
class Trace:
    """What the do-no-harm pass decided on one page."""

    removals: list[Removal] = field(default_factory=list)
    layout: list[Removal] = field(default_factory=list)  # layout tables, the least specific reason
    vetoed: list[Removal] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    fallback: bool = False

    def explaining(self, segment: str) -> Removal | None:
        """The removal whose text holds ``segment`` (or every word of it, in windows), if any."""
        every = (*self.removals, *self.layout)
        found = next((r for r in every if r.holds(segment)), None)
        words = segment.split()
        if found is not None or len(words) < 2 * _WINDOW:
            return found
        # one run glued blocks that were not adjacent on the page (a heading and the text
        # after a byline it dropped): every word must lie in a removed window
        covered = [False] * len(words)
        for start in range(len(words) - _WINDOW + 1):
            window = " ".join(words[start:start + _WINDOW])
            holder = next((r for r in every if r.holds(window)), None)
            if holder is not None:
                found = found or holder
                covered[start:start + _WINDOW] = [True] * _WINDOW
        rest = _runs(words, covered)  # short runs between glued blocks, checked whole
        return found if all(any(r.holds(run) for r in every) for run in rest) else None

    def as_dict(self) -> dict[str, Any]:
        return {"removed": [r.as_dict() for r in (*self.removals, *self.layout)],
                "vetoed": [r.as_dict() for r in self.vetoed],
                "restored": [s[:_START_CHARS] for s in self.restored],
                "fallback_to_trafilatura": self.fallback}


def describe(el: HtmlElement) -> str:
    """``tag.class#id`` of an element, for the record of what was removed."""
    name = str(el.tag)
    if el.get("class"):
        name += "." + ".".join(el.get("class").split())
    if el.get("id"):
        name += "#" + el.get("id")
    return name[:120]


def segments(text: str) -> list[list[str]]:
    """Whitespace-collapsed segments of each non-empty line of ``text``."""
    out = []
    for line in text.split("\n"):
        # markdown table rules ("|---|") and lone punctuation are no text to keep
        parts = [p.strip() for p in _SEGMENT_RE.split(collapse_ws(line)) if any(c.isalnum() for c in p)]
        if parts:
            out.append(parts)
    return out


def _veto(trace: Trace, reference: list[list[str]]) -> None:
    total = sum(len(s) for line in reference for s in line) or 1
    for removal in list(trace.removals):
        held = sum(len(s) for line in reference for s in line if removal.holds(s))
        if held > _VETO_SHARE * total:
            trace.removals.remove(removal)
            trace.vetoed.append(removal)


def merge(own: str, reference: str, trace: Trace) -> list[str]:
    """The lines of ``own`` plus every unexplained reference segment it lacks (see module doc).

    Args:
        own: trafilatura's text of the pruned tree.
        reference: trafilatura's text of the intact tree.
        trace: Holds the pruning removals; vetoes, restorations and the
            fallback are recorded in it.

    Returns:
        The body lines, before the line-level rules.
    """
    own_lines = [collapse_ws(line) for line in own.split("\n") if line.strip()]
    ref = segments(reference)
    _veto(trace, ref)
    joined = "\n".join(own_lines)
    inserts: dict[int, list[str]] = {}
    anchor, missing_chars, kept_ref = -1, 0, []
    for line in ref:
        kept_parts, lost = [], []
        for seg in line:
            sample, pieces = uncovered(seg, joined)
            lost_pieces = [p for p in pieces if trace.explaining(p) is None]
            missing_chars += sum(len(p) for p in lost_pieces)
            if sample is None:
                lost.extend(lost_pieces)
                kept_parts.extend(lost_pieces)
                continue
            cut = seg.find(sample)  # what precedes the shared part goes before its line
            lost.extend(p for p in lost_pieces if seg.find(p) < cut)
            _flush(inserts, anchor, lost)
            anchor = _line_of(own_lines, sample, anchor)
            lost = [p for p in lost_pieces if seg.find(p) >= cut]
            kept_parts.append(seg)
        _flush(inserts, anchor, lost)
        if kept_parts:
            kept_ref.append(" ".join(kept_parts))
    if missing_chars and missing_chars >= len(joined):
        trace.fallback = True
        return kept_ref
    trace.restored = [seg for lines in inserts.values() for seg in lines]
    merged = list(inserts.get(-1, []))
    for index, line in enumerate(own_lines):
        merged.append(line)
        merged.extend(inserts.get(index, []))
    return merged


def uncovered(segment: str, text: str) -> tuple[str | None, list[str]]:
    """Which words of ``segment`` ``text`` lacks.

    A long segment may be several blocks that one run glued together (a
    heading and its paragraph in a table cell) and the other kept apart, so
    it is matched in windows of words, not whole.

    Returns:
        (a part of ``segment`` found in ``text`` or None, the runs of words not found).
    """
    if segment in text:
        return segment, []
    words = segment.split()
    if len(words) < 2 * _WINDOW or not text:
        return None, [segment]
    covered = [False] * len(words)
    sample = None
    for start in range(len(words) - _WINDOW + 1):
        window = " ".join(words[start:start + _WINDOW])
        if window in text:
            covered[start:start + _WINDOW] = [True] * _WINDOW
            sample = sample or window
    pieces = _runs(words, covered)
    # a piece found elsewhere in the text is kept, only not beside the rest of its segment
    return sample, [p for p in pieces if any(c.isalnum() for c in p) and p not in text]


def _runs(words: list[str], covered: list[bool]) -> list[str]:
    """The runs of words not covered, each joined."""
    runs, run = [], []
    for word, hit in zip(words, covered):
        if not hit:
            run.append(word)
        elif run:
            runs.append(" ".join(run))
            run = []
    if run:
        runs.append(" ".join(run))
    return runs


def _line_of(lines: list[str], seg: str, start: int) -> int:
    """Index of the first line at or after ``start`` holding ``seg`` (else before it)."""
    for index in range(max(start, 0), len(lines)):
        if seg in lines[index]:
            return index
    return next((i for i in range(len(lines)) if seg in lines[i]), start)


def _flush(inserts: dict[int, list[str]], anchor: int, lost: list[str]) -> None:
    if lost:
        inserts.setdefault(anchor, []).append(" ".join(lost))
