"""What a reindex counted: shared by the WARC capture reader and the rebuild."""

from __future__ import annotations

import time
from dataclasses import dataclass, field


@dataclass
class ReindexStats:
    warc_files: int = 0
    bytes_total: int = 0
    bytes_read: int = 0
    captures: int = 0
    articles: int = 0  # article writes (a page and its AMP twin are two writes, one row)
    article_rows: int = 0  # articles in the rebuilt archive
    extracted: int = 0
    superseded: int = 0  # article captures a later capture of the same article overwrites
    twins: int = 0  # AMP twins the crawl stored as captures of an article, unextracted
    index_rebuilt: bool = False  # the full-text index was built at the end, not as rows were written
    text_changed: int = 0  # extracted text differs from the crawl's extracted-text-sha256
    without_metadata: int = 0
    unextracted: int = 0  # pages over the time budget, or whose worker died: stored without an article
    started: float = field(default_factory=time.perf_counter)

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.started
