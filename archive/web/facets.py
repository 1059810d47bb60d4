"""A Datasette facet by month: ``?_facet_month=published`` or ``{"month": "published"}``
in a table's ``facets`` metadata.

Datasette 0.65 has column, array and date (per day) facets; a news archive is read
by month. Values are the first seven characters of an ISO 8601 column
(``2023-04``), so it needs no derived column and works on any date or datetime
text, with or without an offset. Choosing a month adds the built-in filter
``published__startswith=2023-04``, so the filtered page is an ordinary table page
(and its JSON the ordinary table JSON).
"""

from __future__ import annotations

from datasette.database import QueryInterrupted
from datasette.facets import Facet
from datasette.utils import escape_sqlite, path_with_added_args, path_with_removed_args

# Arabic month names as used in Syria and Iraq (Levantine), for labels
LEVANTINE_MONTHS = (
    "كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران",
    "تموز", "آب", "أيلول", "تشرين الأول", "تشرين الثاني", "كانون الأول",
)  # fmt: skip


def month_label(value: str) -> str:
    """``2023-04`` → ``2023-04 (نيسان 2023)``; other values unchanged.

    The Arabic part sits between Unicode isolates (RLI ... PDI): facet labels are
    plain text on a left-to-right page, where the bidi algorithm would otherwise
    pull the year and the parentheses into the Arabic run."""
    try:
        year, month = value.split("-")
        name = LEVANTINE_MONTHS[int(month) - 1]
    except (ValueError, IndexError):
        return value
    return f"{value} (\u2067{name} {year}\u2069)"


class MonthFacet(Facet):
    type = "month"

    async def facet_results(self):
        facet_results, timed_out = [], []
        args = dict(self.get_querystring_pairs())
        facet_size = self.get_facet_size()
        for source_and_config in self.get_configs():
            config = source_and_config["config"]
            column = config.get("column") or config["simple"]
            month = f"substr({escape_sqlite(column)}, 1, 7)"
            # Newest months first: a time line, not a popularity list
            sql = f"""
                select {month} as value, count(*) as count from ({self.sql})
                where {escape_sqlite(column)} glob '[0-9][0-9][0-9][0-9]-[0-9][0-9]*'
                group by value order by value desc limit {facet_size + 1}
            """
            try:
                rows = await self.ds.execute(
                    self.database,
                    sql,
                    self.params,
                    truncate=False,
                    custom_time_limit=self.ds.setting("facet_time_limit_ms"),
                )
            except QueryInterrupted:
                timed_out.append(column)
                continue
            filter_key = f"{column}__startswith"
            values = []
            for row in rows.rows[:facet_size]:
                selected = args.get(filter_key) == row["value"]
                if selected:
                    toggle = path_with_removed_args(self.request, {filter_key: row["value"]})
                else:
                    toggle = path_with_added_args(self.request, {filter_key: row["value"]})
                values.append(
                    {
                        "value": row["value"],
                        "label": month_label(row["value"]),
                        "count": row["count"],
                        "toggle_url": self.ds.absolute_url(self.request, toggle),
                        "selected": selected,
                    }
                )
            facet_results.append(
                {
                    "name": column,
                    "type": self.type,
                    "results": values,
                    "hideable": source_and_config["source"] != "metadata",
                    "toggle_url": path_with_removed_args(
                        self.request, {"_facet_month": column}
                    ),
                    "truncated": len(rows) > facet_size,
                }
            )
        return facet_results, timed_out
