"""Diffs whose cost has a ceiling, for the crawler and the web alike.

``difflib.SequenceMatcher`` compares every item of one side with each equal item
of the other: quadratic on repetitive input (2,000 repeated words against the
same with one word inserted: 1.3 s; 10,000: 19 s). The crawler diffs each new
version of an article on Scrapy's reactor and Datasette on its event loop, so a
publisher could stall either with one page. A ``Budget`` bounds the work of a
diff: pairs of equal items (``len(a) * len(b)`` for one repeated word, far fewer
for prose) plus a cost per item (a shuffled text makes SequenceMatcher recurse
often). Within it, results are
SequenceMatcher's own; beyond it, the common beginning and end are still matched
exactly and the middle becomes one replacement (a coarser but true diff), and
word counts come from the multiset difference of the middle's words.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Sequence

__all__ = ["MAX_COST", "Budget", "opcodes", "unified_diff", "word_counts"]

# Measured, SequenceMatcher(autojunk=False) on 20,000-item sides: ~1 µs per pair
# of equal items; a shuffle of distinct items ~5 µs per item. So one diff costs at
# most ~0.2 s of CPU, and prose up to ~3,000 words a side is diffed exactly.
MAX_COST = 200_000
ITEM_COST = 5


class Budget:
    """Work left for one diff (of a text, with all its paragraphs)."""

    def __init__(self, cost: int = MAX_COST):
        self.left = cost
        self.exceeded = False  # some diff was coarser than SequenceMatcher's

    def spend(self, a: Sequence, b: Sequence) -> bool:
        cost = _pairs(a, b) + ITEM_COST * (len(a) + len(b))
        if cost > self.left:
            self.exceeded = True
            return False
        self.left -= cost
        return True


def _common_ends(a: Sequence, b: Sequence) -> tuple[int, int]:
    """Lengths of the common prefix and (after it) the common suffix."""
    limit = min(len(a), len(b))
    head = 0
    while head < limit and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < limit - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    return head, tail


def _pairs(a: Sequence, b: Sequence) -> int:
    """Pairs of equal items, what SequenceMatcher's first pass visits (the later
    ones visit fewer): len(a) * len(b) for one repeated word, far less for prose."""
    if len(a) * len(b) <= 1:
        return len(a) * len(b)
    counts = Counter(b)
    return sum(counts[item] for item in a)


def _opcodes(a: Sequence, b: Sequence, budget: Budget, autojunk: bool) -> tuple[list, bool]:
    if budget.spend(a, b):
        return difflib.SequenceMatcher(None, a, b, autojunk=autojunk).get_opcodes(), True
    head, tail = _common_ends(a, b)
    end_a, end_b = len(a) - tail, len(b) - tail
    codes = [("equal", 0, head, 0, head)] if head else []
    if end_a > head and end_b > head:
        codes.append(("replace", head, end_a, head, end_b))
    elif end_a > head:
        codes.append(("delete", head, end_a, head, head))
    elif end_b > head:
        codes.append(("insert", head, head, head, end_b))
    if tail:
        codes.append(("equal", end_a, len(a), end_b, len(b)))
    return codes, False


def opcodes(a: Sequence, b: Sequence, budget: Budget, *, autojunk: bool = False) -> list[tuple]:
    """``SequenceMatcher(None, a, b, autojunk).get_opcodes()``, or when the budget
    cannot pay for it, equal ends around one replacement of the middle."""
    return _opcodes(a, b, budget, autojunk)[0]


def _range(start: int, stop: int) -> str:
    # difflib's unified range: "3" for one line, "2,0" for none after line 2
    length = stop - start
    if length == 1:
        return str(start + 1)
    return f"{start + 1 if length else start},{length}"


def unified_diff(a: list[str], b: list[str], budget: Budget, *, context: int = 1) -> str:
    """``difflib.unified_diff(a, b, "before", "after", lineterm="", n=context)``,
    joined with newlines, at the cost the budget allows."""
    matcher = difflib.SequenceMatcher(None, a, b)
    matcher.opcodes = opcodes(a, b, budget, autojunk=True)  # what unified_diff uses
    lines = []
    for group in matcher.get_grouped_opcodes(context):
        if not lines:
            lines += ["--- before", "+++ after"]
        first, last = group[0], group[-1]
        lines.append(f"@@ -{_range(first[1], last[2])} +{_range(first[3], last[4])} @@")
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines += [" " + line for line in a[i1:i2]]
                continue
            lines += ["-" + line for line in a[i1:i2]]
            lines += ["+" + line for line in b[j1:j2]]
    return "\n".join(lines)


def word_counts(a: list[str], b: list[str], budget: Budget) -> tuple[int, int]:
    """Words added to and removed from ``a`` to make ``b``."""
    added = removed = 0
    codes, exact = _opcodes(a, b, budget, False)
    for tag, i1, i2, j1, j2 in codes:
        if tag == "equal":
            continue
        if not exact and tag == "replace":
            # a multiset difference: exact for insertions and deletions, blind to moves
            old, new = Counter(a[i1:i2]), Counter(b[j1:j2])
            removed += sum((old - new).values())
            added += sum((new - old).values())
            continue
        removed += i2 - i1
        added += j2 - j1
    return added, removed
