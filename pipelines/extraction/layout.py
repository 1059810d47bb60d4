"""Turn layout tables into plain blocks before trafilatura sees them.

Older Arabic regional sites (PHP/ASP portals from the 2000s that are still
online) lay the whole page out with nested ``<table>``s. trafilatura keeps
tables as data, so such a page comes out as one "table" whose cells glue the
menu, the sidebars and the story together, with ``|`` separators and the
story's ``<br><br>`` paragraphs merged into a single line.

A table is treated as layout when it nests another table or a cell holds
block content (``div``/``p``/``form``/lists/headings) or more than 300
characters of text; real data tables (results, prices, schedules) have short
cells and keep their structure. Layout tables, rows and cells are renamed to
``div`` so trafilatura scores each cell as an ordinary block.
"""

from __future__ import annotations

from lxml.html import HtmlElement

from .harm import Removal, describe

_CELL_BLOCKS = frozenset({"div", "p", "table", "form", "ul", "ol", "h1", "h2", "h3", "h4", "h5",
                          "h6", "blockquote", "article", "section"})
_LONG_CELL = 300
_STRUCTURE_XPATH = "./thead|./tbody|./tfoot|./tr|./*/tr|./tr/td|./tr/th|./*/tr/td|./*/tr/th|./caption"


def _is_layout(table: HtmlElement) -> bool:
    if table.find(".//table") is not None:
        return True
    for cell in table.iter("td", "th"):
        if any(isinstance(child.tag, str) and child.tag in _CELL_BLOCKS for child in cell):
            return True
        if len(cell.text_content()) > _LONG_CELL:
            return True
    return False


def unwrap_layout_tables(tree: HtmlElement, removals: list[Removal] | None = None) -> int:
    """Rename layout tables (and their rows and cells) to ``div``, in place.

    Args:
        tree: The parsed page.
        removals: If given, each outermost layout table is recorded as a
            ``layout_table`` :class:`Removal`: trafilatura keeps a table whole
            as data, menus and sidebars included; once the table is blocks,
            what its own selection leaves out is on account of this rule.

    Returns:
        How many tables were unwrapped.
    """
    layout = [table for table in tree.iter("table") if _is_layout(table)]
    if removals is not None:
        inner = {t for table in layout for t in table.iterdescendants("table")}
        removals.extend(Removal("layout_table", describe(t), t.text_content())
                        for t in layout if t not in inner)
    for table in layout:
        for el in [table, *table.xpath(_STRUCTURE_XPATH)]:
            el.tag = "div"
            for attr in ("width", "height", "align", "valign", "colspan", "rowspan", "bgcolor"):
                el.attrib.pop(attr, None)
    return len(layout)
