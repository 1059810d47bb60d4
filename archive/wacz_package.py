"""Per-crawl packages: a CDXJ index and a WACZ file (py-wacz), in ``data/``.

Layout::

    data/indexes/<crawl>.cdxj        CDXJ index of the crawl's WARC files (archive.cdxj)
    data/wacz/<crawl>.wacz           WACZ 1.1.1 package of the crawl
    data/wacz/<crawl>.pages.jsonl    the pages list given to py-wacz (kept for reference)

The WACZ is built by py-wacz (``wacz create``) from the crawl's WARC files and
a pages list that arshif writes itself (py-wacz's page detection finds pages by
Referer and misses most of them): every article captured in the crawl, titled
with its extracted headline, and every site's home page, titled with the site's
name. A crawl that wrote ``revisit`` records also gets the WARC files holding
the original responses, so the package replays on its own (ReplayWeb.page,
pywb ``wb-manager add --unpack-wacz``). ``wacz validate`` accepts it.
"""

from __future__ import annotations

import contextlib
import gc
import io
import json
import logging
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from archive.cdxj import (
    WARC_DIR, backfill_crawl_ids, crawl_ids, crawl_warc_files, index_crawl, iso_utc_z, safe_name,
)

logger = logging.getLogger(__name__)

WACZ_DIR = "wacz"


def wacz_path(data_dir: str | Path, crawl_id: str) -> Path:
    return Path(data_dir) / WACZ_DIR / f"{safe_name(crawl_id)}.wacz"


@dataclass
class Package:
    crawl_id: str
    cdxj: Path
    wacz: Path
    warc_files: list[str]
    original_files: list[str] = field(default_factory=list)  # earlier crawls' files for revisits
    pages: int = 0

    def lines(self) -> list[str]:
        extra = f" + {len(self.original_files)} with revisited originals" if self.original_files else ""
        return [
            f"crawl {self.crawl_id}: {len(self.warc_files)} WARC file(s){extra}, {self.pages} page(s)",
            f"  CDXJ  {self.cdxj}",
            f"  WACZ  {self.wacz} ({self.wacz.stat().st_size / 1e6:.2f} MB)",
        ]


def _rows(db, sql: str, params=()) -> list[dict]:
    cursor = db.execute(sql, list(params))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _in(names: list[str]) -> str:
    return ",".join("?" * len(names))


def original_files(db, names: list[str]) -> list[str]:
    """WARC files outside ``names`` holding the originals of revisits recorded in ``names``."""
    if not names:
        return []
    rows = db.execute(
        f"SELECT DISTINCT o.warc_file FROM captures c JOIN captures o ON o.id = c.revisit_of "
        f"WHERE c.warc_file IN ({_in(names)}) AND o.warc_file IS NOT NULL",
        names,
    ).fetchall()
    return sorted({row[0] for row in rows} - set(names))


def pages_for(db, names: list[str]) -> list[dict]:
    """The crawl's pages for ``pages.jsonl``: articles with their titles, and site home pages."""
    if not names:
        return []
    # One page per article: the capture of its canonical URL when there is one
    # (AMP twins and tracking-parameter duplicates are captures of the same article)
    captures = _rows(db, (
        "SELECT c.url, c.warc_date, c.fetched_at, c.site, c.article_id, c.via, a.title, "
        "s.title AS site_title "
        "FROM captures c LEFT JOIN articles a ON a.id = c.article_id "
        "LEFT JOIN sites s ON s.name = c.site "
        f"WHERE c.warc_file IN ({_in(names)}) AND c.status = 200 AND c.kind = 'page' "
        "ORDER BY (c.url = a.canonical_url) DESC, c.id"
    ), names)
    pages, seen = [], set()
    for row in captures:
        if row["title"]:
            title, key = row["title"], ("article", row["article_id"])
        elif row["via"] == "seed":  # a site's home page
            title, key = row["site_title"] or f"{row['site']} (home page)", ("url", row["url"])
        else:
            continue  # listing pages, tag pages...: in the index, not in the pages list
        if key in seen:
            continue
        ts = row["warc_date"] or iso_utc_z(row["fetched_at"])  # captures from before warc_date
        if not ts:
            continue
        seen.add(key)
        pages.append({"url": row["url"], "ts": ts, "title": title})
    return pages


def _run_wacz(args: list[str]) -> str:
    from wacz.main import main as wacz_main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = wacz_main(args)
    if code:
        raise RuntimeError(f"wacz {args[0]} failed ({code}):\n{out.getvalue()[-2000:]}")
    return out.getvalue()


def validate_wacz(path: str | Path) -> tuple[bool, str]:
    """``wacz validate -f PATH``: (valid, output)."""
    from wacz.main import main as wacz_main

    out = io.StringIO()
    # py-wacz leaves its TemporaryDirectory to the finaliser, which warns
    with contextlib.redirect_stdout(out), warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        code = wacz_main(["validate", "-f", str(path)])
        gc.collect()
    return code == 0, out.getvalue()


def package_crawl(data_dir: str | Path, crawl_id: str) -> Package:
    """Build ``indexes/<crawl>.cdxj`` and ``wacz/<crawl>.wacz`` for one crawl."""
    from archive.db import open_archive

    data_dir = Path(data_dir)
    db = open_archive(data_dir / "archive.db")
    try:
        names = crawl_warc_files(db, crawl_id)
        if not names:
            raise LookupError(f"no WARC files recorded for crawl {crawl_id!r}")
        originals = original_files(db, names)
        pages = pages_for(db, names)
        sites = _rows(db, "SELECT name, title, base_url FROM sites ORDER BY name")
        cdxj = index_crawl(data_dir, crawl_id, db=db)
    finally:
        db.close()

    paths = [data_dir / WARC_DIR / name for name in [*names, *originals]]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise FileNotFoundError(f"cannot package crawl {crawl_id!r}: missing {', '.join(missing)}")

    out = wacz_path(data_dir, crawl_id)
    out.parent.mkdir(parents=True, exist_ok=True)
    pages_file = out.with_name(f"{safe_name(crawl_id)}.pages.jsonl")
    header = {"format": "json-pages-1.0", "id": "pages", "title": f"arshif crawl {crawl_id}"}
    with open(pages_file, "w", encoding="utf-8") as fh:
        for line in [header, *pages]:
            fh.write(json.dumps(line, ensure_ascii=False) + "\n")
    site_names = ", ".join(s["title"] or s["name"] for s in sites if s["name"])
    tmp = out.with_name(out.name + ".tmp")
    args = ["create", "-o", str(tmp), "-p", str(pages_file),
            "--title", f"arshif crawl {crawl_id}",
            "--desc", f"Arabic news archived by arshif, crawl {crawl_id}: {site_names}".strip(": "),
            *[str(p) for p in paths]]
    if not pages:  # py-wacz needs -p or -d for a pages list; an empty crawl gets none
        args.remove("-p")
        args.remove(str(pages_file))
    log = _run_wacz(args)
    os.replace(tmp, out)
    unmatched = log.count("Invalid passed page")
    if unmatched:
        logger.warning("%d page(s) not found in the WARCs of crawl %s", unmatched, crawl_id)
    return Package(crawl_id, cdxj, out, names, originals, len(pages) - unmatched)


def package_after_crawl(data_dir: str | Path, crawl_id: str) -> list[str]:
    """What ``arshif crawl`` runs when the crawl ends (``ARSHIF_PACKAGE``): summary lines.

    A packaging failure is reported, not raised: the crawl's WARCs and archive
    are complete either way, and ``arshif package`` can build the package later.
    """
    if not crawl_id:
        return []
    try:
        package = package_crawl(data_dir, crawl_id)
    except LookupError:
        return []  # nothing was written
    except Exception as error:  # noqa: BLE001 - reported in the summary
        logger.exception("Packaging crawl %s failed", crawl_id)
        return [f"  package             failed: {error} (retry with `arshif package`)"]
    return [
        f"  CDXJ index          {package.cdxj}",
        f"  WACZ package        {package.wacz} ({package.pages} pages)",
    ]


def package_all(data_dir: str | Path, crawls: list[str] | None = None,
                only_missing: bool = False) -> list[Package]:
    """Package ``crawls`` (default: every crawl with recorded WARC files)."""
    from archive.db import open_archive

    data_dir = Path(data_dir)
    db = open_archive(data_dir / "archive.db")
    try:
        backfill_crawl_ids(db, data_dir)
        if not crawls:
            crawls = crawl_ids(db)
    finally:
        db.close()
    packages = []
    for crawl_id in crawls:
        if only_missing and wacz_path(data_dir, crawl_id).exists():
            continue
        packages.append(package_crawl(data_dir, crawl_id))
    return packages
