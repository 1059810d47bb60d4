"""The lead paragraph in a block of its own between the headline and the body.

News CMSes print the summary paragraph (lead, standfirst, excerpt, "sapo") in
its own block under the headline, outside the body container. trafilatura
picks the body container and leaves that block out, so the story's most
important sentence goes missing. :func:`find_lead` looks at the elements that
follow the headline, up to where the extracted body starts, for one whose
class/id names a lead and that holds a paragraph of unlinked prose.
"""

from __future__ import annotations

from lxml.html import HtmlElement

from .arabic import collapse_ws
from .boilerplate import WORD_SPLIT_RE, link_ratio
from .harm import segments

_LEAD_WORDS = frozenset(
    "lead leading standfirst excerpt summary intro introduction subtitle subheadline sapo chapo "
    "chapeau deck dek abstract brief".split())
_MIN_WORDS, _MAX_WORDS = 8, 150
_MAX_LINK_RATIO = 0.25
_SCAN = 80  # elements looked at after the headline


def _names_lead(el: HtmlElement) -> bool:
    attrs = f"{el.get('class') or ''} {el.get('id') or ''}".lower()
    return bool(_LEAD_WORDS.intersection(WORD_SPLIT_RE.split(attrs)))


def _prose(el: HtmlElement) -> str | None:
    text = collapse_ws(el.text_content())
    if not _MIN_WORDS <= len(text.split()) <= _MAX_WORDS:
        return None
    return text if link_ratio(el, len(text)) <= _MAX_LINK_RATIO else None


def find_lead(h1: HtmlElement | None, body_start: str) -> str | None:
    """Text of the lead block after ``h1`` and before the body, if there is one.

    Args:
        h1: The headline element.
        body_start: The first line of the extracted body; the scan stops there.
    """
    if h1 is None:
        return None
    probe = collapse_ws(body_start)[:40]
    if not probe:
        return None
    found = None
    for count, el in enumerate(_following(h1), 1):
        if count > _SCAN:
            return None  # the body's start was not reached: nothing proves the block precedes it
        if probe in collapse_ws(el.text or ""):
            return found
        if found is None and (el.get("class") or el.get("id")) and _names_lead(el):
            found = _prose(el)
    return None


def _following(h1: HtmlElement):
    """Elements after the headline in document order (its own descendants skipped)."""
    node = h1
    while node is not None:
        for sibling in node.itersiblings():
            if isinstance(sibling.tag, str):
                yield from (el for el in sibling.iter() if isinstance(el.tag, str))
        node = node.getparent()


def with_lead(lines: list[str], h1: HtmlElement | None, restored: list[str]) -> list[str]:
    """``lines`` with the lead block put first when they lack it (recorded in ``restored``)."""
    found = find_lead(h1, lines[0] if lines else "")
    joined = "\n".join(lines)
    if not found or any(seg in joined for parts in segments(found) for seg in parts):
        return lines
    restored.insert(0, found)
    return [found, *lines]
