"""What a reindex counted: shared by the WARC capture reader and the rebuild."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

logger = logging.getLogger(__name__)


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
    skipped: int = 0  # records that could not be read (hostile or damaged): see ``skip``
    skip_reasons: dict[str, list[str]] = field(default_factory=dict)  # WARC file -> first reasons
    skip_counts: dict[str, int] = field(default_factory=dict)  # WARC file -> records skipped
    started: float = field(default_factory=time.perf_counter)

    def skip(self, warc_file: str, reason: str) -> None:
        """A record left out of the rebuild; the reasons go to the new archive's ``failures``."""
        self.skipped += 1
        self.skip_counts[warc_file] = self.skip_counts.get(warc_file, 0) + 1
        reasons = self.skip_reasons.setdefault(warc_file, [])
        if len(reasons) < 10:
            reasons.append(reason)
        if self.skipped <= 100:
            logger.warning("Skipped a record of %s: %s", warc_file, reason)

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.started
