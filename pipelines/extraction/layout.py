"""Turn layout tables into plain blocks before trafilatura sees them.

Older Arabic regional sites (PHP/ASP portals from the 2000s that are still
online) lay the whole page out with nested ``<table>``s. trafilatura keeps
tables as data, so such a page comes out as one "table" whose cells glue the
menu, the sidebars and the story together, with ``|`` separators and the
story's ``<br><br>`` paragraphs merged into a single line.

A table is treated as layout when it nests another table or a cell holds
block content (``div``/``p``/``form``/lists/headings) or more than 300
characters of text; real data tables (results, prices, schedules) have short
cells and keep their structure, and so does a table that labels its cells
with ``th`` (a header row, or a header cell in most rows: infoboxes) or is a
regular grid of short cells. Layout tables, rows and cells are renamed to ``div`` so
trafilatura scores each cell as an ordinary block.
"""

from __future__ import annotations

import re

from lxml.html import HtmlElement

from .arabic import collapse_ws
from .boilerplate import link_ratio
from .harm import Removal, describe

_CELL_BLOCKS = frozenset({"div", "p", "table", "form", "ul", "ol", "h1", "h2", "h3", "h4", "h5",
                          "h6", "blockquote", "article", "section"})
_LONG_CELL = 300
_CHROME_LINK_SHARE = 0.5
_CHROME_WORDS = 12
_SENTENCE_END_RE = re.compile(r"[.!?؟…](?:\s|$)|。")
_CHROME_CONTAINERS = _CELL_BLOCKS | {"tbody", "thead", "tfoot", "tr", "td", "th", "li", "aside",
                                     "nav", "header", "footer", "main", "span", "font", "center"}
_STRUCTURE_XPATH = "./thead|./tbody|./tfoot|./tr|./*/tr|./tr/td|./tr/th|./*/tr/td|./*/tr/th|./caption"


def _is_data(table: HtmlElement) -> bool:
    """Header cells (``th``) in the first row or in most rows: a data table or an infobox,
    whatever its cells hold; layout tables do not label their cells."""
    rows = table.xpath("./tr|./*/tr")
    if len(rows) < 2:
        return False
    if len(rows[0]) >= 2 and all(cell.tag == "th" for cell in rows[0]):
        return True
    if sum(1 for row in rows if row.find("th") is not None) * 2 >= len(rows):
        return True
    # a regular grid of short cells, even with divs in them (office-suite exports)
    widths = {len(row) for row in rows}
    return len(rows) >= 3 and len(widths) == 1 and widths.pop() >= 2 and table.find(".//table") is None \
        and all(len(cell.text_content()) <= _LONG_CELL for row in rows for cell in row)


def _is_layout(table: HtmlElement) -> bool:
    if _is_data(table):
        return False
    if table.find(".//table") is not None:
        return True
    for cell in table.iter("td", "th"):
        if any(isinstance(child.tag, str) and child.tag in _CELL_BLOCKS for child in cell):
            return True
        if len(cell.text_content()) > _LONG_CELL:
            return True
    return False


def find_layout_tables(tree: HtmlElement) -> list[HtmlElement]:
    """The page's layout tables (see the module docstring)."""
    return [table for table in tree.iter("table") if _is_layout(table)]


def unwrap_layout_tables(layout: list[HtmlElement], chrome: list[Removal] | None = None) -> int:
    """Rename layout tables (and their rows and cells) to ``div``, in place.

    Args:
        layout: Output of :func:`find_layout_tables`.
        chrome: If given, the navigation and widget blocks of the outermost
            tables are appended as ``layout_chrome`` removals (see :func:`_chrome`).

    Returns:
        How many tables were unwrapped.
    """
    if chrome is not None:
        inner = {t for table in layout for t in table.iterdescendants("table")}
        for table in layout:
            if table not in inner:
                _chrome(table, chrome)
    for table in layout:
        for el in [table, *table.xpath(_STRUCTURE_XPATH)]:
            el.tag = "div"
            for attr in ("width", "height", "align", "valign", "colspan", "rowspan", "bgcolor"):
                el.attrib.pop(attr, None)
    return len(layout)


def _chrome(el: HtmlElement, out: list[Removal]) -> None:
    """Record the chrome blocks under ``el`` (see :func:`_is_chrome`).

    trafilatura keeps a layout table whole; once it is blocks, its own selection
    leaves out menus, widget titles, counters and dates. Those are what this
    names, so that only they may go; prose it leaves out is put back.
    """
    text = collapse_ws(el.text_content())
    if not text:
        return
    if _is_chrome(el, text):
        out.append(Removal("layout_chrome", describe(el), text))
        return
    for child in el:
        if isinstance(child.tag, str) and child.tag in _CHROME_CONTAINERS:
            _chrome(child, out)


def _is_chrome(el: HtmlElement, text: str) -> bool:
    """A few words with no sentence (unless heading prose), or a long run of links."""
    if len(text.split()) < _CHROME_WORDS:
        if _SENTENCE_END_RE.search(text):
            return False  # a short sentence is text ("Ah Bartleby!")
        follower = el.getnext()  # a heading over its paragraph (maybe after a byline) is text
        return not (_is_prose(follower) or (follower is not None and _is_prose(follower.getnext())))
    return link_ratio(el, len(text)) >= _CHROME_LINK_SHARE


def _is_prose(el: HtmlElement | None) -> bool:
    if el is None or not isinstance(el.tag, str):
        return False
    text = collapse_ws(el.text_content())
    return (len(text.split()) >= _CHROME_WORDS and bool(_SENTENCE_END_RE.search(text))
            and link_ratio(el, len(text)) < _CHROME_LINK_SHARE)
