"""Find and repair WARC files whose writer died mid-record (kill -9, power cut, full disk).

arshif writes every record as its own gzip member and flushes after each exchange,
so a crash can leave at most one partial member at the end of the file being
written. Left alone, that tail makes ``warcio check`` fail, and a later crawl
never appends to it (every run opens new files), so it would stay broken forever.

``check_warc(path)`` walks the gzip members from an offset known to be a record
boundary and validates each one as a WARC record. ``repair_warc(path)`` cuts the
file back to the end of its last complete record and keeps the cut-off bytes in
``warc/quarantine/<name>.tail-<offset>`` (evidence is moved aside, never deleted);
a file without a single complete record is moved to ``warc/quarantine/`` whole.

``repair_warc_dir(warc_dir, db)`` does this for every file that was not closed
cleanly (not in the ``warc_files`` table) and whose writer process is gone (the
pid is the last part of the file name), starting at the end of the last capture
the archive knows in it, so a start-up check reads only a few records per file.
Repaired and verified files are then recorded in ``warc_files``. It runs when a
crawl starts (``FailureLog``, ``ARSHIF_REPAIR_ON_START``) and as ``arshif repair``.
A closed file (recorded in ``warc_files``) is never cut nor recorded again: with
``--full`` a problem in one is reported as ALTERED and the file left as it is.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from archive.warc_members import CHUNK, HEAD_SIZE, CorruptMember, Oversized, TruncatedMember, iter_members

if TYPE_CHECKING:
    from sqlite_utils import Database

logger = logging.getLogger(__name__)

QUARANTINE = "quarantine"
_PID = re.compile(r"-(\d+)\.warc\.gz$")
_CONTENT_LENGTH = re.compile(rb"^content-length:\s*(\d+)\s*$", re.IGNORECASE | re.MULTILINE)


@dataclass
class WarcCheck:
    """What ``check_warc`` found: complete records up to ``good_end``, then maybe a problem."""

    path: Path
    start: int
    size: int
    records: int = 0
    good_end: int = 0
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


@dataclass
class RepairReport:
    checked: list[WarcCheck] = field(default_factory=list)
    repaired: list[tuple[Path, int, Path]] = field(default_factory=list)  # file, cut at, tail kept in
    quarantined: list[tuple[Path, Path]] = field(default_factory=list)  # file, moved to
    skipped: list[tuple[Path, str]] = field(default_factory=list)
    altered: list[tuple[Path, str]] = field(default_factory=list)  # closed files found damaged: left as they are

    def lines(self) -> list[str]:
        out = [f"checked {len(self.checked)} WARC file(s)"]
        out += [f"repaired {p.name}: cut at byte {at}, partial tail kept in {t}" for p, at, t in self.repaired]
        out += [f"quarantined {p.name} (no complete record): moved to {t}" for p, t in self.quarantined]
        out += [f"skipped {p.name}: {why}" for p, why in self.skipped]
        out += [f"ALTERED {p.name}: {why}; a closed, recorded file is never cut nor recorded again: "
                f"left as it is (arshif verify reports it)" for p, why in self.altered]
        return out


def valid_record(data: bytes | Oversized) -> bool:
    """A complete WARC record: version line, headers, and as many content bytes as declared
    (of a record too large to load, its first bytes and inflated size are checked)."""
    head, size = (data.head, data.size) if isinstance(data, Oversized) else (data, len(data))
    if not head.startswith(b"WARC/"):
        return False
    head_end = head.find(b"\r\n\r\n")
    if head_end < 0:
        return False
    match = _CONTENT_LENGTH.search(head[:head_end + 2])
    if match is None:
        return False
    return size >= head_end + 4 + int(match.group(1))


def check_warc(path: str | Path, start: int = 0) -> WarcCheck:
    """Walk ``path`` from ``start`` (a record boundary) and report where it stops being whole."""
    path = Path(path)
    size = path.stat().st_size
    check = WarcCheck(path, start, size, good_end=start)
    if start > size:
        check.problem = f"known records end at byte {start}, but the file has only {size}"
        check.good_end = 0
        return check
    with open(path, "rb") as fh:
        fh.seek(start)
        try:
            # only each record's head is kept: the check needs its headers and size
            for offset, length, data in iter_members(fh, start, keep=HEAD_SIZE):
                if not valid_record(data):
                    check.problem = f"gzip member at byte {offset} is not a complete WARC record"
                    break
                check.records += 1
                check.good_end = offset + length
        except TruncatedMember as error:
            check.problem = f"partial record: the last gzip member (from byte {error.offset}) ends early"
        except CorruptMember as error:
            check.problem = f"bytes from {error.offset} are not gzip data"
    return check


def _quarantine_dir(path: Path) -> Path:
    directory = path.parent / QUARANTINE
    directory.mkdir(exist_ok=True)
    return directory


def repair_warc(check: WarcCheck) -> tuple[str, Path] | None:
    """Act on a failed check: ("repaired", tail file) or ("quarantined", new place)."""
    if check.ok:
        return None
    path = check.path
    if check.good_end == 0 or (check.start == 0 and check.records == 0):
        target = _quarantine_dir(path) / (path.name + ".quarantined")
        os.replace(path, target)
        logger.warning("Quarantined %s (%s): moved to %s", path, check.problem, target)
        return "quarantined", target
    target = _quarantine_dir(path) / f"{path.name}.tail-{check.good_end}"
    with open(path, "r+b") as fh, open(target, "wb") as kept:
        fh.seek(check.good_end)
        shutil.copyfileobj(fh, kept, CHUNK)
        tail = kept.tell()
        fh.truncate(check.good_end)
        fh.flush()
        os.fsync(fh.fileno())
    logger.warning("Repaired %s (%s): cut at byte %d, %d tail bytes kept in %s", path, check.problem,
                   check.good_end, tail, target)
    return "repaired", target


def writer_alive(path: Path) -> bool:
    """Whether the process whose pid ends the file name still runs (then leave the file be)."""
    match = _PID.search(path.name)
    if match is None:
        return False
    pid = int(match.group(1))
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _known_end(db: Database | None, name: str) -> int:
    """The end of the last record the archive points into in ``name`` (0 if none)."""
    if db is None or "captures" not in db.table_names():
        return 0
    columns = set(db.table("captures").columns_dict)
    ends = ["max(warc_offset + warc_length) FROM captures WHERE warc_file = :n"]
    if {"metadata_warc_file", "metadata_offset", "metadata_length"} <= columns:
        ends.append("max(metadata_offset + metadata_length) FROM captures WHERE metadata_warc_file = :n")
    best = 0
    for expr in ends:
        value = db.execute(f"SELECT {expr}", {"n": name}).fetchone()[0]
        best = max(best, value or 0)
    return best


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def repair_warc_dir(warc_dir: str | Path, db: Database | None = None, *, check_only: bool = False,
                    full: bool = False, on_problem=None) -> RepairReport:
    """Check, and unless ``check_only`` repair, every WARC file not closed cleanly.

    ``full`` also checks the closed files (recorded in ``warc_files``) from their first
    byte; one with a problem is reported in ``RepairReport.altered`` and left byte-identical
    with its recorded SHA-256: only files a killed crawl left unrecorded are repaired.
    ``on_problem(check, action, where)`` is called for each of those with a problem (to
    record a failure).
    """
    report = RepairReport()
    warc_dir = Path(warc_dir)
    if not warc_dir.is_dir():
        return report
    closed: set[str] = set()
    if db is not None and "warc_files" in db.table_names():
        closed = {row[0] for row in db.execute("SELECT name FROM warc_files").fetchall()}
    for path in sorted(warc_dir.glob("*.warc.gz")):
        if path.name in closed:
            if full:
                _check_closed(path, report)
            continue
        if writer_alive(path):
            report.skipped.append((path, "its writer is still running"))
            continue
        start = 0 if full else _known_end(db, path.name)
        check = check_warc(path, start)
        if check.problem and start:
            # the archive's offsets disagree with the file: check it all
            check = check_warc(path, 0)
        report.checked.append(check)
        if check.ok:
            if db is not None and not check_only and "warc_files" in db.table_names():
                _record_closed(db, path)
            continue
        if check_only:
            if on_problem is not None:
                on_problem(check, "found", None)
            continue
        action, where = repair_warc(check)
        if action == "repaired":
            report.repaired.append((path, check.good_end, where))
            if db is not None and "warc_files" in db.table_names():
                _record_closed(db, path)
        else:
            report.quarantined.append((path, where))
        if on_problem is not None:
            on_problem(check, action, where)
    return report


def _check_closed(path: Path, report: RepairReport) -> None:
    """A closed file (its SHA-256 recorded) is evidence: a problem in it is reported, and
    the file is neither cut nor recorded again, so `arshif verify` still sees the change."""
    check = check_warc(path)
    report.checked.append(check)
    if not check.ok:
        report.altered.append((path, check.problem))
        logger.error("WARC file %s was closed and recorded, yet %s: left as it is (run arshif verify)",
                     path, check.problem)


def _record_closed(db: Database, path: Path) -> None:
    from archive.db import record_warc_file

    record_warc_file(db, path.name, _file_sha256(path), path.stat().st_size)
