"""``arshif search``: ranked Arabic full-text search from the terminal.

Registered in arshif/cli/__init__.py with ``cli.add_command(search)``. It runs
``archive.search.search_articles`` (the code behind Datasette's ``/-/search``) on a
read-only connection, so the crawler can keep writing while you search.
"""

from __future__ import annotations

import html
import json
import re
import sqlite3
import sys
from pathlib import Path

import click

from archive.search import SORTS, search_articles

DEFAULT_DATA = "data"
DB_FILENAME = "archive.db"
# Keys every --json hit carries first, in this order; the rest follow
JSON_KEYS = ("url", "title", "published", "site", "section", "author", "snippet")
_MARK = re.compile(r"<mark>(.*?)</mark>", re.S)


def open_readonly(db_path: Path) -> sqlite3.Connection:
    """A read-only connection to the archive (never creates or migrates it)."""
    if not db_path.exists():
        raise click.ClickException(f"{db_path} does not exist: run `arshif crawl` first")
    conn = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True)
    conn.execute("PRAGMA busy_timeout = 5000")
    return conn


def _terminal_snippet(snippet_html: str, color: bool) -> str:
    """The snippet with its hits bold (or in [brackets] without colour)."""

    def mark(match: re.Match) -> str:
        word = match.group(1)
        return click.style(word, bold=True, fg="yellow") if color else f"[{word}]"

    text = _MARK.sub(mark, snippet_html or "")
    return " ".join(html.unescape(text).split())


def _json_hit(hit: dict) -> dict:
    ordered = {key: hit.get(key) for key in JSON_KEYS}
    ordered.update((key, value) for key, value in hit.items() if key not in ordered)
    return ordered


def format_hits(hits: list[dict], *, offset: int = 0, color: bool = False) -> str:
    """Hits as terminal text: number, metadata and URL (left-to-right), then the
    Arabic title and snippet on lines of their own so bidi reordering stays local."""
    lines = []
    for number, hit in enumerate(hits, offset + 1):
        meta = " · ".join(
            part
            for part in (
                hit.get("site"),
                (hit.get("published") or "")[:10],
                hit.get("section"),
                hit.get("author"),
            )
            if part
        )
        title = hit.get("title") or "(بلا عنوان)"
        lines.append(f"{number:>3}. {click.style(title, bold=True) if color else title}")
        lines.append(f"     {meta}")
        lines.append(f"     {hit.get('canonical_url') or hit.get('url')}")
        snippet = _terminal_snippet(hit.get("snippet_html") or "", color)
        if snippet:
            lines.append(f"     {snippet}")
        lines.append("")
    return "\n".join(lines)


@click.command("search")
@click.argument("query", nargs=-1, required=True)
@click.option("--data", "data_dir", default=DEFAULT_DATA, show_default=True,
              type=click.Path(file_okay=False), help="Data directory holding archive.db.")
@click.option("--json", "as_json", is_flag=True,
              help="Print a JSON list of hits (url, title, published, site, snippet, ...).")
@click.option("--site", default=None, help="Only this site (its key in sites.toml).")
@click.option("--section", default=None, help="Only this section, exactly as stored.")
@click.option("--author", default=None, help="Only this author, exactly as stored.")
@click.option("--from", "date_from", default=None, metavar="DATE",
              help="Published on or after DATE (ISO 8601: 2023, 2023-05, 2023-05-01).")
@click.option("--to", "date_to", default=None, metavar="DATE",
              help="Published on or before DATE, inclusive at the precision given.")
@click.option("--sort", type=click.Choice(SORTS), default="relevance", show_default=True,
              help="relevance (bm25, title hits weigh more) or date (newest first).")
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True,
              help="Number of hits.")
@click.option("--offset", type=click.IntRange(0), default=0, show_default=True,
              help="Skip this many hits (paging).")
def search(query: tuple[str, ...], data_dir: str, as_json: bool, site: str | None,
           section: str | None, author: str | None, date_from: str | None,
           date_to: str | None, sort: str, limit: int, offset: int) -> None:
    """Search the archive for QUERY, best match first.

    Arabic spelling variants match each other: tashkeel and tatweel are ignored,
    أ/إ/آ/ا, ة/ه, ى/ي and ؤ/ئ are folded, Eastern Arabic digits equal 0-9, and a
    word also finds its forms with و، ف، ب، ل، ك and ال attached. FTS5 syntax
    works too: "a phrase", OR, NOT, AND, prefix*, title:word. Use an empty
    QUERY ("") with filters to list articles newest first.
    """
    text = " ".join(query)
    conn = open_readonly(Path(data_dir) / DB_FILENAME)
    try:
        hits = search_articles(
            conn, text, site=site, section=section, author=author,
            date_from=date_from, date_to=date_to, sort=sort, limit=limit, offset=offset,
        )  # fmt: skip
    except ValueError as error:
        raise click.UsageError(str(error)) from error
    except sqlite3.OperationalError as error:
        raise click.ClickException(f"search failed on {data_dir}/{DB_FILENAME}: {error}") from error
    finally:
        conn.close()
    if as_json:
        click.echo(json.dumps([_json_hit(h) for h in hits], ensure_ascii=False, indent=2))
        return
    if not hits:
        click.echo("No results.", err=True)
        return
    click.echo(format_hits(hits, offset=offset, color=sys.stdout.isatty()))
