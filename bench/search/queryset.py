"""The search query set: (query, expected farm articles) pairs and how to score them.

``tests/search_queries.json`` holds the pairs. Each entry has the ``query`` as a
reader would type it, the normalisation ``case`` it exercises, the ``expected``
articles (gold record names, ``furat-007``; their URLs are in samples/gold) and the
``oracle`` that chose them: a small expression over the *raw* gold title and body,
written out by hand with every surface spelling (أدوية, الأدوية, بـالطبقة, ٥٣٠٠ ...)
and so independent of ``archive.text``. ``python -m bench.search queryset --write``
recomputes ``expected`` from the oracles; a test checks that they still agree.

Oracle expressions (JSON):
- ``{"word": RX}``: some token of the article is RX with any proclitics in front
  (و/ف, then ب/ك/ل, then ال, ل+ال written لل; a tatweel may follow the clitics).
- ``{"token": RX}``: some token fully matches RX, nothing added.
- ``{"text": RX}``: RX matches somewhere in the text (whitespace runs are one space).
- ``{"title": EXPR}``: EXPR holds for the title alone.
- ``{"all": [EXPR...]}``, ``{"any": [EXPR...]}``, ``{"but_not": [EXPR, EXPR]}``.

Scoring runs every query through a search function that returns article ids, maps
ids to gold names by canonical URL, and reports recall (of expected, found) and
precision (of found, expected) per query and their means.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[2]
QUERY_SET = REPO / "tests" / "search_queries.json"

# Tokens as a reader sees words: letters/digits with marks and tatweel inside
_TOKEN = re.compile(r"[^\W_][\w\u064b-\u065f\u0670\u0640]*")
_PROCLITICS = "(?:[وف]?(?:[بك]?ال|لل|[بكل])?ـ?)"


@dataclass
class Doc:
    name: str
    title: str
    text: str  # title + body, whitespace collapsed
    tokens: frozenset[str] = field(default_factory=frozenset)
    title_tokens: frozenset[str] = field(default_factory=frozenset)


def load_gold_docs(gold: Iterable[Mapping] | None = None) -> dict[str, Doc]:
    """Gold records (``samples.gold.iter_gold``) as oracle documents by name."""
    if gold is None:
        from samples.gold import iter_gold

        gold = iter_gold()
    docs = {}
    for record in gold:
        name = record["page"].removesuffix(".html")
        text = " ".join(f"{record['title']}\n{record['body']}".split())
        docs[name] = Doc(
            name, record["title"], text,
            frozenset(_TOKEN.findall(text)), frozenset(_TOKEN.findall(record["title"])),
        )  # fmt: skip
    return docs


def oracle(expr: Mapping, doc: Doc, *, title_only: bool = False) -> bool:
    """Whether ``doc`` is relevant under the oracle expression ``expr``."""
    tokens = doc.title_tokens if title_only else doc.tokens
    text = doc.title if title_only else doc.text
    ((kind, arg),) = expr.items()
    if kind == "word":
        pattern = re.compile(_PROCLITICS + f"(?:{arg})")
        return any(pattern.fullmatch(t) for t in tokens)
    if kind == "token":
        pattern = re.compile(arg)
        return any(pattern.fullmatch(t) for t in tokens)
    if kind == "text":
        return re.search(arg, text) is not None
    if kind == "title":
        return oracle(arg, doc, title_only=True)
    if kind == "all":
        return all(oracle(e, doc, title_only=title_only) for e in arg)
    if kind == "any":
        return any(oracle(e, doc, title_only=title_only) for e in arg)
    if kind == "but_not":
        keep, drop = arg
        return oracle(keep, doc, title_only=title_only) and not oracle(
            drop, doc, title_only=title_only
        )
    raise ValueError(f"unknown oracle expression {kind!r}")


def load_queries(path: Path = QUERY_SET) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["queries"]


def expected_names(entry: Mapping, docs: Mapping[str, Doc]) -> list[str]:
    return sorted(name for name, doc in docs.items() if oracle(entry["oracle"], doc))


def write_expected(path: Path = QUERY_SET) -> list[dict]:
    """Recompute every entry's ``expected`` from its oracle and save the file."""
    data = json.loads(path.read_text(encoding="utf-8"))
    docs = load_gold_docs()
    for entry in data["queries"]:
        entry["expected"] = expected_names(entry, docs)
    path.write_text(dump_query_set(data), encoding="utf-8")
    return data["queries"]


def dump_query_set(data: Mapping) -> str:
    """The query set as JSON with one query per line (readable diffs)."""
    head = {k: v for k, v in data.items() if k != "queries"}
    lines = [json.dumps(entry, ensure_ascii=False) for entry in data["queries"]]
    body = ",\n  ".join(lines)
    top = json.dumps(head, ensure_ascii=False, indent=1)[:-2]
    return f'{top},\n "queries": [\n  {body}\n ]\n}}\n'



# --- scoring ------------------------------------------------------------------


def _url_key(url: str) -> str:
    parts = urlsplit(url)
    return (parts.hostname or "") + parts.path + (f"?{parts.query}" if parts.query else "")


def gold_names_by_article_id(
    conn: sqlite3.Connection, gold: Iterable[Mapping]
) -> dict[int, str]:
    """Archive article id -> gold name, matched on canonical URL (any port)."""
    by_key = {_url_key(g["url"]): g["page"].removesuffix(".html") for g in gold}
    out = {}
    for article_id, canonical, url in conn.execute(
        "SELECT id, canonical_url, url FROM articles"
    ):
        name = by_key.get(_url_key(canonical)) or by_key.get(_url_key(url))
        if name:
            out[article_id] = name
    return out


@dataclass
class QueryResult:
    query: str
    case: str
    expected: set[str]
    found: set[str]  # gold names, or "id:N" for articles outside the gold

    @property
    def recall(self) -> float:
        return len(self.found & self.expected) / len(self.expected) if self.expected else 1.0

    @property
    def precision(self) -> float | None:
        return len(self.found & self.expected) / len(self.found) if self.found else None


@dataclass
class Score:
    results: list[QueryResult]

    @property
    def recall(self) -> float:
        return sum(r.recall for r in self.results) / len(self.results)

    @property
    def precision(self) -> float:
        values = [r.precision for r in self.results if r.precision is not None]
        return sum(values) / len(values) if values else 0.0

    def failures(self) -> list[QueryResult]:
        return [r for r in self.results if r.found != r.expected]


def score(
    queries: Iterable[Mapping],
    search: Callable[[str], Iterable[int]],
    names: Mapping[int, str],
) -> Score:
    """Run every query through ``search`` (query -> article ids) and score it."""
    results = []
    for entry in queries:
        found = {names.get(i, f"id:{i}") for i in search(entry["query"])}
        results.append(QueryResult(entry["query"], entry["case"], set(entry["expected"]), found))
    return Score(results)


def arshif_search(conn: sqlite3.Connection) -> Callable[[str], list[int]]:
    """Our search: ``archive.search.search_articles``, every hit (no paging)."""
    from archive.search import search_articles

    def run(query: str) -> list[int]:
        return [hit["id"] for hit in search_articles(conn, query, limit=10_000)]

    return run


def plain_fts5_search(conn: sqlite3.Connection) -> Callable[[str], list[int]]:
    """Plain FTS5 for comparison: unicode61 over the raw title and text (what
    ``sqlite-utils enable-fts`` and Datasette set up), the query passed to MATCH as
    typed, so phrases, AND/OR/NOT and prefix* keep their meaning. A query that is
    not valid FTS5 syntax finds nothing. Builds a TEMP table on ``conn``."""
    conn.execute("DROP TABLE IF EXISTS temp.plain_fts")
    conn.execute("CREATE VIRTUAL TABLE temp.plain_fts USING fts5(title, text)")
    conn.execute(
        "INSERT INTO temp.plain_fts (rowid, title, text) "
        "SELECT id, title, text FROM main.articles"
    )

    def run(query: str) -> list[int]:
        try:
            return [
                row[0]
                for row in conn.execute(
                    "SELECT rowid FROM temp.plain_fts WHERE plain_fts MATCH ?", [query]
                )
            ]
        except sqlite3.OperationalError:
            return []

    return run


def evaluate(db_path: Path | str, gold: Iterable[Mapping] | None = None,
             queries: list[dict] | None = None) -> dict[str, Score]:
    """Scores of our search and of plain FTS5 on the crawled farm at ``db_path``."""
    if gold is None:
        from samples.gold import iter_gold

        gold = iter_gold()
    gold = list(gold)
    queries = queries if queries is not None else load_queries()
    # Read-only: the temp table lives in memory, the archive is not touched
    conn = sqlite3.connect(f"{Path(db_path).resolve().as_uri()}?mode=ro", uri=True)
    try:
        names = gold_names_by_article_id(conn, gold)
        ours = score(queries, arshif_search(conn), names)
        plain = score(queries, plain_fts5_search(conn), names)
    finally:
        conn.close()
    return {"arshif": ours, "plain_fts5": plain}


def report(scores: Mapping[str, Score]) -> str:
    """A per-case table and the totals, as text."""
    lines = []
    first = next(iter(scores.values()))
    lines.append(f"{'case':<28} {'query':<34} " + " ".join(f"{n:>16}" for n in scores))
    for i, result in enumerate(first.results):
        cells = []
        for score_ in scores.values():
            r = score_.results[i]
            p = "-" if r.precision is None else f"{r.precision:.2f}"
            cells.append(f"R {r.recall:.2f} P {p:>4}".rjust(16))
        lines.append(f"{result.case[:28]:<28} {result.query[:34]:<34} " + " ".join(cells))
    lines.append("")
    for name, score_ in scores.items():
        lines.append(
            f"{name:<12} queries {len(score_.results)}  recall {score_.recall:.3f}  "
            f"precision {score_.precision:.3f}  exact {len(score_.results) - len(score_.failures())}"
        )
    return "\n".join(lines)
