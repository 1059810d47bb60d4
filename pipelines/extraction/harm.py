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
_SEGMENT_RE = re.compile(r"(?<=[.!?؟。])\s+|(?:^|\s)\|(?=\s|$)")
_VETO_SHARE = 0.5  # a removed block holding more of the reference than this is the article
_START_CHARS = 80


@dataclass
class Removal:
    """Text a named rule removed: ``element`` is ``tag.class#id`` or ``line``."""

    rule: str
    element: str
    text: str

    def __post_init__(self) -> None:
        self.text = collapse_ws(self.text)

    def as_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "element": self.element, "chars": len(self.text),
                "start": self.text[:_START_CHARS]}


@dataclass
class Trace:
    """What the do-no-harm pass decided on one page."""

    removals: list[Removal] = field(default_factory=list)
    vetoed: list[Removal] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    fallback: bool = False

    def explaining(self, segment: str) -> Removal | None:
        """The removal whose text holds ``segment``, if any."""
        return next((r for r in self.removals if segment in r.text), None)

    def as_dict(self) -> dict[str, Any]:
        return {"removed": [r.as_dict() for r in self.removals],
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
        parts = [p.strip() for p in _SEGMENT_RE.split(collapse_ws(line)) if p.strip()]
        if parts:
            out.append(parts)
    return out


def _veto(trace: Trace, reference: list[list[str]]) -> None:
    total = sum(len(s) for line in reference for s in line) or 1
    for removal in list(trace.removals):
        held = sum(len(s) for line in reference for s in line if s in removal.text)
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
            if seg in joined:
                anchor = _line_of(own_lines, seg, anchor)
                _flush(inserts, anchor, lost)
                lost = []
            elif trace.explaining(seg) is None:
                lost.append(seg)
                missing_chars += len(seg)
            else:
                continue
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


def _line_of(lines: list[str], seg: str, start: int) -> int:
    """Index of the first line at or after ``start`` holding ``seg`` (else before it)."""
    for index in range(max(start, 0), len(lines)):
        if seg in lines[index]:
            return index
    return next((i for i in range(len(lines)) if seg in lines[i]), start)


def _flush(inserts: dict[int, list[str]], anchor: int, lost: list[str]) -> None:
    if lost:
        inserts.setdefault(anchor, []).append(" ".join(lost))
