"""Do no harm: the body keeps what trafilatura keeps, unless a named rule removes it.

trafilatura extracts the body once, from the page as it stands once layout
tables are blocks (the *reference*). arshif's pruning rules
(:func:`boilerplate.prune_tree`) no longer change the tree trafilatura sees:
removing blocks before extraction changed which container trafilatura picked,
and lost lead paragraphs, or whole bodies whose container's class sounded
like a widget. Instead each pruned block is recorded as a :class:`Removal`
(rule, element, text) and :func:`subtract` takes out of the reference the
segments (sentences, or table cells) that lie inside a removed block:

* a removed block that holds more than half of the reference's text is the
  article, not a widget: its removal is vetoed and its text stays;
* everything else trafilatura kept stays, in trafilatura's order.

Line-level rules (:func:`linerules.filter_lines`, the edge rules) then
apply and record their removals too, so every sentence trafilatura keeps and
arshif drops has a named reason (``explain_extraction``, ``arshif extract
--explain``, ``python -m bench.extraction --against-trafilatura``).
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


def _nospace(text: str) -> str:
    return "".join(text.split())


@dataclass
class Removal:
    """Text a named rule removed: ``element`` is ``tag.class#id`` or ``line``."""

    rule: str
    element: str
    text: str

    def __post_init__(self) -> None:
        self.text = collapse_ws(self.text)
        # text_content() glues adjacent blocks ("…إدلبتركيب…"): compare without spaces
        self.key = _nospace(self.text)

    def holds(self, segment: str) -> bool:
        return _nospace(segment) in self.key

    def as_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "element": self.element, "chars": len(self.text),
                "start": self.text[:_START_CHARS]}


@dataclass
class Trace:
    """What the do-no-harm pass decided on one page."""

    removals: list[Removal] = field(default_factory=list)
    layout: list[Removal] = field(default_factory=list)  # layout tables, the least specific reason
    vetoed: list[Removal] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)  # text trafilatura left out, put back
    _keys: tuple = field(default=((), ""), repr=False)

    def explaining(self, segment: str, *, layout: bool = True, glued: bool = True) -> Removal | None:
        """The removal whose text holds ``segment`` (or every word of it, in windows), if any.

        ``layout=False`` leaves out the layout tables, which the reference run already saw
        unwrapped; ``glued=False`` skips the windows (segments of the reference itself).
        """
        every = (*self.removals, *self.layout) if layout else tuple(self.removals)
        cache_key = (len(self.removals), len(self.layout), layout)
        if self._keys[0] != cache_key:  # one search in all removed text instead of one per removal
            self._keys = (cache_key, "\0".join(r.key for r in every))
        keys = self._keys[1]
        words = segment.split()
        sample = segment
        if _nospace(segment) not in keys:
            if not glued or len(words) < 2 * _WINDOW:
                return None
            # one run glued blocks that were not adjacent on the page (a heading and the
            # text after a byline it dropped): every word must lie in removed text
            covered = [False] * len(words)
            sample = None
            for start in range(len(words) - _WINDOW + 1):
                window = " ".join(words[start:start + _WINDOW])
                if _nospace(window) in keys:
                    sample = sample or window
                    covered[start:start + _WINDOW] = [True] * _WINDOW
            if sample is None or any(_nospace(run) not in keys for run in _runs(words, covered)):
                return None
        return next((r for r in every if r.holds(sample)), None)

    def as_dict(self) -> dict[str, Any]:
        return {"removed": [r.as_dict() for r in (*self.removals, *self.layout)],
                "vetoed": [r.as_dict() for r in self.vetoed],
                "restored": [s[:_START_CHARS] for s in self.restored]}


def describe(el: HtmlElement) -> str:
    """``tag.class#id`` of an element, for the record of what was removed."""
    name = str(el.tag)
    if el.get("class"):
        name += "." + ".".join(el.get("class").split())
    if el.get("id"):
        name += "#" + el.get("id")
    return name[:120]


def segments(text: str) -> list[list[str]]:
    """Whitespace-collapsed segments of each line of ``text`` that has any."""
    return [parts for parts in map(_parts, text.split("\n")) if parts]


def _parts(line: str) -> list[str]:
    # markdown table rules ("|---|") and lone punctuation are no text to keep
    return [p.strip() for p in _SEGMENT_RE.split(collapse_ws(line)) if any(c.isalnum() for c in p)]


def _veto(trace: Trace, reference: list[list[str]]) -> None:
    keys = [_nospace(seg) for parts in reference for seg in parts]
    total = sum(map(len, keys))
    for removal in list(trace.removals):
        if len(removal.key) <= _VETO_SHARE * total:
            continue  # too small to hold half of the reference
        held = sum(len(key) for key in keys if key in removal.key)
        if held > _VETO_SHARE * total:
            trace.removals.remove(removal)
            trace.vetoed.append(removal)


def subtract(reference: str, trace: Trace) -> list[str]:
    """The reference's lines without the segments a pruning rule removed (see module doc).

    Args:
        reference: trafilatura's text of the unpruned tree.
        trace: Holds the pruning removals; vetoes are recorded in it.

    Returns:
        The body lines, before the line-level rules.
    """
    lines = [(collapse_ws(line), _parts(line)) for line in reference.split("\n") if line.strip()]
    _veto(trace, [parts for _line, parts in lines])
    kept_lines = []
    for line, parts in lines:
        kept = [seg for seg in parts if trace.explaining(seg, layout=False, glued=False) is None]
        if len(kept) == len(parts):
            kept_lines.append(line)  # untouched lines keep their form (table cells)
        elif kept:
            kept_lines.append(" ".join(kept))
    return kept_lines


def restore(lines: list[str], as_is: str, trace: Trace) -> list[str]:
    """``lines`` plus what ``as_is`` keeps, they lack and no rule removed, in ``as_is``'s order.

    Args:
        lines: The body lines so far.
        as_is: trafilatura's text of the page before its layout tables were unwrapped.
        trace: Every removal so far (layout chrome included); restorations are recorded.
    """
    joined = "\n".join(lines)
    inserts: dict[int, list[str]] = {}
    anchor = -1
    for parts in segments(as_is):
        lost: list[str] = []
        for seg in parts:
            sample, pieces = uncovered(seg, joined)
            missing = [p for p in pieces if trace.explaining(p, glued=False) is None]
            if sample is None:
                lost.extend(missing)
                continue
            cut = seg.find(sample)  # what precedes the shared part goes before its line
            lost.extend(p for p in missing if seg.find(p) < cut)
            _put(inserts, anchor, lost)
            anchor = next((i for i in range(max(anchor, 0), len(lines)) if sample in lines[i]), anchor)
            lost = [p for p in missing if seg.find(p) >= cut]
        _put(inserts, anchor, lost)
    trace.restored.extend(seg for added in inserts.values() for seg in added)
    merged = list(inserts.get(-1, []))
    for index, line in enumerate(lines):
        merged.append(line)
        merged.extend(inserts.get(index, []))
    return merged


def _put(inserts: dict[int, list[str]], anchor: int, lost: list[str]) -> None:
    if lost:
        inserts.setdefault(anchor, []).append(" ".join(lost))
        lost.clear()


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
