"""Article versions, edits, removals and moves in the archive DB; diffs between versions.

Pure archive code (no Scrapy): ``crawler.incremental`` calls it for every fetch of a
known or new article, and the Datasette plugin serves :func:`diff_view`.

- Every distinct (title, text) of an article is one row of ``article_versions``
  (version 1, 2, ...), with the capture it came from, the publisher's modification
  date, and a unified diff from the previous version (one paragraph per line).
- A later version is flagged ``title_changed`` and/or ``silent`` (the text changed
  but the publisher's modification date did not); the article row carries the
  same flags (``title_changed``, ``silent_edit``) so edited articles are one facet away.
- An article that answers 404/410, or redirects to a home or listing page, gets
  ``status = 'removed'`` with ``removed_at`` (the first fetch that found it gone) and
  ``removed_reason``; one that redirects to another article gets ``status = 'moved'``
  and ``moved_to``. Its ``capture_id`` keeps pointing at the last good capture, so
  that capture stays downloadable.
"""

from __future__ import annotations

import asyncio
import html
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from archive.db import write_transaction, insert_row, update_row, utc_now
from archive.textdiff import Budget, opcodes, unified_diff, word_counts

if TYPE_CHECKING:
    from sqlite_utils import Database

NEW, CHANGED, UNCHANGED, ALIAS = "new", "changed", "unchanged", "alias"


@dataclass(frozen=True)
class Diff:
    unified: str
    words_added: int
    words_removed: int
    exact: bool = True  # False: too large to compare finely (archive/textdiff.py)


def _words(text: str) -> list[str]:
    return (text or "").split()


def diff_texts(old: str, new: str) -> Diff:
    """Unified diff (paragraph lines) and the count of words added and removed,
    bounded in time by ``archive.textdiff`` (on the crawler's reactor too)."""
    budget = Budget()
    unified = unified_diff((old or "").splitlines(), (new or "").splitlines(), budget)
    added, removed = word_counts(_words(old), _words(new), budget)
    return Diff(unified, added, removed, not budget.exceeded)


def latest_version(db: Database, article_id: int) -> dict | None:
    cursor = db.execute(
        "SELECT * FROM article_versions WHERE article_id = ? ORDER BY version DESC LIMIT 1",
        [article_id],
    )
    row = cursor.fetchone()
    if row is None:
        return None
    return dict(zip((column[0] for column in cursor.description), row))


def record_version(
    db: Database,
    article_id: int,
    *,
    capture_id: int | None,
    fetched_at: str | None,
    url: str,
    title: str | None,
    text: str | None,
    content_hash: str,
    modified: str | None = None,
    word_count: int | None = None,
    alias: bool = False,
    run_id: int | None = None,
) -> str:
    """Keep this fetch's (title, text) as a new version if it differs from the latest.

    Returns ``new`` (first version), ``changed`` (a new version), ``unchanged``, or
    ``alias`` when ``alias`` (a fetch through another URL than the canonical one, such
    as an AMP twin) differs from the latest version: aliases never add versions once
    one exists, so two renderings of one article cannot flip-flop.
    """
    fetched_at = fetched_at or utc_now()
    text = text or ""
    with write_transaction(db):
        last = latest_version(db, article_id)
        record: dict[str, Any] = {
            "article_id": article_id, "capture_id": capture_id, "fetched_at": fetched_at,
            "url": url, "title": title, "text": text, "content_hash": content_hash,
            "word_count": word_count if word_count is not None else len(text.split()),
            "modified": modified, "crawl_run_id": run_id,
        }
        if last is None:
            record.update(version=1, change=NEW, title_changed=0, text_changed=0, silent=0)
            insert_row(db, "article_versions", record)
            update_row(db, "articles", article_id, {"version_count": 1, "title_changed": 0,
                                                     "silent_edit": 0, "last_checked": fetched_at})
            return NEW
        text_changed = last["content_hash"] != content_hash
        title_changed = (last["title"] or "") != (title or "")
        if not text_changed and not title_changed:
            update_row(db, "articles", article_id, {"last_checked": fetched_at})
            return UNCHANGED
        if alias:
            return ALIAS
        silent = text_changed and (modified or None) == (last["modified"] or None)
        diff = diff_texts(last["text"], text)
        if title_changed:
            header = f"-title: {last['title'] or ''}\n+title: {title or ''}\n"
            diff = Diff(header + diff.unified, diff.words_added, diff.words_removed)
        version = last["version"] + 1
        record.update(
            version=version, change="edited", title_changed=int(title_changed),
            text_changed=int(text_changed), silent=int(silent), diff=diff.unified,
            words_added=diff.words_added, words_removed=diff.words_removed,
        )
        insert_row(db, "article_versions", record)
        current = db.execute(
            "SELECT coalesce(title_changed, 0), coalesce(silent_edit, 0) FROM articles WHERE id = ?",
            [article_id],
        ).fetchone()
        update_row(db, "articles", article_id, {
            "version_count": version, "changed_at": fetched_at, "last_checked": fetched_at,
            "title_changed": int(bool(current[0]) or title_changed),
            "silent_edit": int(bool(current[1]) or silent),
        })
        return CHANGED


def mark_seen(db: Database, article_id: int, capture_id: int | None, fetched_at: str | None) -> None:
    """An unchanged re-fetch (304 or identical payload): the capture belongs to the article,
    which was seen again; its ``capture_id`` (last full capture) stays."""
    fetched_at = fetched_at or utc_now()
    with write_transaction(db):
        if capture_id is not None:
            db.execute("UPDATE captures SET article_id = ? WHERE id = ? AND article_id IS NULL",
                       [article_id, capture_id])
        db.execute("UPDATE articles SET last_seen = ?, last_checked = ? WHERE id = ?",
                   [fetched_at, fetched_at, article_id])


def mark_removed(db: Database, article_id: int, *, when: str | None, reason: str,
                 capture_id: int | None = None, status: str = "removed",
                 moved_to: str | None = None) -> bool:
    """Mark an article removed (or moved); returns False when it already was.

    ``removed_at`` keeps the first fetch that found it gone.
    """
    when = when or utc_now()
    with write_transaction(db):
        row = db.execute("SELECT status FROM articles WHERE id = ?", [article_id]).fetchone()
        if row is None or row[0] in ("removed", "moved"):
            return False
        update_row(db, "articles", article_id, {
            "status": status, "removed_at": when, "removed_reason": reason,
            "removed_capture_id": capture_id, "moved_to": moved_to, "last_checked": when,
        })
        return True


def mark_moved_version(db: Database, article_id: int, moved_from: str) -> None:
    """The first version of a moved article's new URL is a move, not a new article."""
    with write_transaction(db):
        db.execute("UPDATE article_versions SET change = 'moved', moved_from = ? "
                   "WHERE article_id = ? AND version = 1", [moved_from, article_id])


# --- Datasette view ----------------------------------------------------------

def _word_diff_html(old: str, new: str, budget: Budget) -> str:
    a, b = old.split(), new.split()
    out = []
    for tag, i1, i2, j1, j2 in opcodes(a, b, budget):
        if tag == "equal":
            out.append(html.escape(" ".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(f"<del>{html.escape(' '.join(a[i1:i2]))}</del>")
        if j2 > j1:
            out.append(f"<ins>{html.escape(' '.join(b[j1:j2]))}</ins>")
    return " ".join(out)


def diff_html(old: dict, new: dict) -> str:
    """Paragraph-aligned HTML diff of two version rows, words marked with <ins>/<del>;
    whole paragraphs where a word diff would cost too much (``archive.textdiff``)."""
    budget = Budget()
    parts = []
    if (old["title"] or "") != (new["title"] or ""):
        parts.append(f'<h2 class="arshif-diff-title">{_word_diff_html(old["title"] or "", new["title"] or "", budget)}</h2>')
    else:
        parts.append(f'<h2 class="arshif-diff-title">{html.escape(new["title"] or "")}</h2>')
    a, b = (old["text"] or "").splitlines(), (new["text"] or "").splitlines()
    for tag, i1, i2, j1, j2 in opcodes(a, b, budget):
        if tag == "equal":
            parts.extend(f"<p>{html.escape(line)}</p>" for line in a[i1:i2])
        elif tag == "replace" and i2 - i1 == j2 - j1:
            parts.extend(f'<p class="changed">{_word_diff_html(x, y, budget)}</p>' for x, y in zip(a[i1:i2], b[j1:j2]))
        else:
            parts.extend(f'<p class="removed"><del>{html.escape(line)}</del></p>' for line in a[i1:i2])
            parts.extend(f'<p class="added"><ins>{html.escape(line)}</ins></p>' for line in b[j1:j2])
    if budget.exceeded:
        parts.insert(1, '<p class="meta">Too large to compare word by word here: changed '
                        "paragraphs are shown whole. Both versions are in article_versions.</p>")
    return "\n".join(parts)


DIFF_PAGE = """<!DOCTYPE html>
<html lang="ar"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font-family: system-ui, "Noto Naskh Arabic", Tahoma, sans-serif; max-width: 52rem; margin: 1rem auto; padding: 0 1rem; }}
.meta {{ direction: ltr; color: #555; font-size: .9rem; }}
.arshif-diff {{ direction: rtl; line-height: 1.9; font-size: 1.1rem; }}
ins {{ background: #d4f7d4; text-decoration: none; }}
del {{ background: #f9d0d0; }}
nav a {{ margin-inline-end: 1rem; }}
</style></head>
<body>
<p class="meta"><a href="{article_url}">article {article_id}</a> · version {v_from} ({from_at}) → version {v_to} ({to_at})
· {flags}</p>
<nav class="meta">{links}</nav>
<div class="arshif-diff" dir="rtl" lang="ar">
{body}
</div>
</body></html>
"""


async def diff_view(datasette, request):
    """``/-/diff/<article_id>[.json]?from=N&to=M``: the change between two versions
    (default: the latest and the one before it)."""
    from datasette.utils.asgi import Response

    article_id = int(request.url_vars["article_id"])
    db = None
    for candidate in datasette.databases.values():
        if not candidate.is_memory and await candidate.table_exists("article_versions"):
            db = candidate
            break
    if db is None:
        return Response.text("No archive database with article_versions", status=404)
    await datasette.ensure_permissions(request.actor, [
        ("view-table", (db.name, "article_versions")), ("view-database", db.name), "view-instance",
    ])
    result = await db.execute(
        "SELECT * FROM article_versions WHERE article_id = ? ORDER BY version", [article_id])
    versions = [dict(row) for row in result.rows]
    if not versions:
        return Response.text(f"No versions for article {article_id}", status=404)
    by_number = {v["version"]: v for v in versions}
    try:
        v_to = int(request.args.get("to") or versions[-1]["version"])
        v_from = int(request.args.get("from") or max(1, v_to - 1))
    except ValueError:
        return Response.text("from and to must be version numbers", status=400)
    if v_from not in by_number or v_to not in by_number:
        return Response.text(f"article {article_id} has versions 1-{versions[-1]['version']}", status=404)
    old, new = by_number[v_from], by_number[v_to]
    if request.url_vars.get("format") == ".json":
        # CPU-bound even when bounded: off the event loop
        diff = await asyncio.to_thread(diff_texts, old["text"], new["text"])
        return Response.json({
            "article_id": article_id, "from": v_from, "to": v_to,
            "title_from": old["title"], "title_to": new["title"],
            "unified_diff": diff.unified, "words_added": diff.words_added,
            "words_removed": diff.words_removed, "exact": diff.exact, "silent": bool(new["silent"]),
            "title_changed": (old["title"] or "") != (new["title"] or ""),
            "versions": len(versions),
        })
    flags = ", ".join(f for f, on in (
        ("title changed", (old["title"] or "") != (new["title"] or "")),
        ("silent edit: modification date unchanged", bool(new["silent"])),
        ("text unchanged", old["content_hash"] == new["content_hash"]),
    ) if on) or "text edited"
    links = " ".join(
        f'<a href="{datasette.urls.path(f"/-/diff/{article_id}")}?from={v["version"] - 1}&amp;to={v["version"]}">'
        f'v{v["version"] - 1}→v{v["version"]}</a>' for v in versions[1:]
    )
    page = DIFF_PAGE.format(
        title=f"diff {article_id}: v{v_from} → v{v_to}", article_id=article_id,
        article_url=datasette.urls.row(db.name, "articles", article_id),
        v_from=v_from, v_to=v_to, from_at=html.escape(old["fetched_at"] or ""),
        to_at=html.escape(new["fetched_at"] or ""), flags=html.escape(flags), links=links,
        body=await asyncio.to_thread(diff_html, old, new),
    )
    return Response.html(page)


def version_cell(datasette, row, value, column: str, table: str):
    """``article_versions.version`` and ``articles.version_count`` link to the diff."""
    from markupsafe import Markup

    if not isinstance(value, int) or value < 2:
        return None
    try:
        article_id = row["article_id"] if table == "article_versions" else row["id"]
    except (IndexError, KeyError):
        return None
    if article_id is None:
        return None
    href = datasette.urls.path(f"/-/diff/{article_id}") + f"?from={value - 1}&to={value}"
    return Markup('{} <a href="{}">diff</a>').format(value, href)
