"""``arshif verify``: prove that the WARC files are the ones the crawl wrote.

Every WARC file is re-read from its first byte to its last:

- each gzip member (one record each) must decompress with a good CRC;
- each record's ``WARC-Block-Digest`` and ``WARC-Payload-Digest`` must be
  present and match the bytes (the payload of an HTTP record is the body after
  the HTTP headers; of a warcinfo or metadata record, the whole block; a
  revisit has none of its own, so its payload digest must equal the one of the
  record it refers to);
- the file's SHA-256 and size must equal those recorded in ``warc_files`` when
  the file was closed;
- every capture in the archive must find its response (or revisit) record,
  and its metadata record, at the offset the database gives.

A file the database lists but the disk lacks is MISSING; one whose records or
digests fail, or whose bytes differ at the recorded size, is ALTERED; one that
ends inside a record, or is shorter than recorded with intact records, is
TRUNCATED. A file on disk that the database does not list
(a crawl still running, or one that was interrupted) is UNRECORDED: reported,
and an error only with ``--strict``.

The readers here (:func:`iter_members`, :func:`read_member`,
:func:`parse_record`) work on raw gzip members without warcio, so the check
does not trust the library that wrote the files.
"""

from __future__ import annotations

import base64
import hashlib
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from archive.warc_members import (
    CHUNK,
    CorruptMember,
    Oversized,
    TruncatedMember,
    iter_members,
    read_member,  # noqa: F401 - imported from here by tests
    warc_files_under,
)

WARC_DIR = "warc"
HTTP_TYPES = ("response", "request")
NON_HTTP_TYPES = ("warcinfo", "metadata", "resource")


class _HashingReader:
    def __init__(self, fh: BinaryIO) -> None:
        self.fh = fh
        self.sha256 = hashlib.sha256()
        self.size = 0

    def read(self, n: int) -> bytes:
        data = self.fh.read(n)
        self.sha256.update(data)
        self.size += len(data)
        return data


@dataclass
class Record:
    headers: dict[str, str]
    block: bytes
    well_formed: bool = True

    @property
    def type(self) -> str:
        return self.headers.get("WARC-Type", "")

    @property
    def record_id(self) -> str:
        return self.headers.get("WARC-Record-ID", "")

    @property
    def payload(self) -> bytes | None:
        """The payload the WARC-Payload-Digest covers (None for a revisit)."""
        if self.type == "revisit":
            return None
        if self.type in HTTP_TYPES and self.headers.get("Content-Type", "").startswith("application/http"):
            end = self.block.find(b"\r\n\r\n")
            return self.block[end + 4:] if end >= 0 else b""
        return self.block


def parse_record(data: bytes) -> Record:
    """One WARC record from its decompressed bytes."""
    end = data.find(b"\r\n\r\n")
    if not data.startswith(b"WARC/") or end < 0:
        return Record({}, b"", well_formed=False)
    headers = {}
    for line in data[:end].decode("utf-8", "replace").split("\r\n")[1:]:
        name, _, value = line.partition(":")
        headers[name.strip()] = value.strip()
    try:
        length = int(headers.get("Content-Length", ""))
    except ValueError:
        return Record(headers, b"", well_formed=False)
    block = data[end + 4:end + 4 + length]
    well_formed = len(block) == length and data[end + 4 + length:] == b"\r\n\r\n"
    return Record(headers, block, well_formed)


def digest_matches(declared: str, data: bytes) -> bool:
    """``algo:value`` (base32 or hex, as WARC writers use) against ``data``."""
    algo, _, value = declared.partition(":")
    try:
        raw = hashlib.new(algo.lower().replace("-", ""), data).digest()
    except ValueError:
        return False
    value = value.strip()
    return value.upper() == base64.b32encode(raw).decode() or value.lower() == raw.hex()


def record_problems(record: Record) -> list[str]:
    if not record.well_formed:
        return ["not a well-formed WARC record (headers or Content-Length)"]
    problems = []
    block_digest = record.headers.get("WARC-Block-Digest")
    payload_digest = record.headers.get("WARC-Payload-Digest")
    if not block_digest:
        problems.append("no WARC-Block-Digest")
    elif not digest_matches(block_digest, record.block):
        problems.append(f"block digest mismatch ({block_digest})")
    if not payload_digest:
        problems.append("no WARC-Payload-Digest")
    elif record.payload is not None and not digest_matches(payload_digest, record.payload):
        problems.append(f"payload digest mismatch ({payload_digest})")
    return problems


# --- the report ---------------------------------------------------------

STATUS_ORDER = ("MISSING", "ALTERED", "TRUNCATED", "UNRECORDED", "OK")


@dataclass
class FileReport:
    name: str
    status: str = "OK"
    size: int | None = None
    records: int = 0
    problems: list[str] = field(default_factory=list)

    def flag(self, status: str, problem: str) -> None:
        # the worst status wins: MISSING > ALTERED > TRUNCATED > UNRECORDED > OK
        if STATUS_ORDER.index(status) < STATUS_ORDER.index(self.status):
            self.status = status
        self.problems.append(problem)


@dataclass
class VerifyReport:
    data_dir: Path
    files: list[FileReport] = field(default_factory=list)
    capture_problems: list[str] = field(default_factory=list)
    strict: bool = False

    @property
    def failed(self) -> list[FileReport]:
        bad = {"MISSING", "TRUNCATED", "ALTERED"} | ({"UNRECORDED"} if self.strict else set())
        return [f for f in self.files if f.status in bad]

    @property
    def ok(self) -> bool:
        return not self.failed and not self.capture_problems

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for report in self.files:
            counts[report.status] = counts.get(report.status, 0) + 1
        return counts

    def lines(self, max_problems: int = 10) -> list[str]:
        records = sum(f.records for f in self.files)
        out = [f"arshif verify: {self.data_dir} ({len(self.files)} WARC file(s), {records:,} records read)"]
        for report in sorted(self.files, key=lambda f: (STATUS_ORDER.index(f.status), f.name)):
            size = f"{report.size:,} bytes" if report.size is not None else "-"
            out.append(f"  {report.status:<10} {report.name}  {size}, {report.records:,} records")
            for problem in report.problems[:max_problems]:
                out.append(f"             - {problem}")
            if len(report.problems) > max_problems:
                out.append(f"             - ... and {len(report.problems) - max_problems} more")
        if self.capture_problems:
            out.append(f"  captures whose records are not where the archive says: {len(self.capture_problems)}")
            out += [f"             - {p}" for p in self.capture_problems[:max_problems]]
            if len(self.capture_problems) > max_problems:
                out.append(f"             - ... and {len(self.capture_problems) - max_problems} more")
        counts = ", ".join(f"{n} {s.lower()}" for s, n in sorted(
            self.counts().items(), key=lambda kv: STATUS_ORDER.index(kv[0])))
        out.append(f"result: {'OK' if self.ok else 'FAILED'} ({counts or 'no WARC files'})")
        return out


# --- verification -------------------------------------------------------


def _recorded_files(db_path: Path) -> dict[str, dict]:
    if not db_path.exists():
        return {}
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        rows = conn.execute("SELECT name, sha256, size, closed_at FROM warc_files").fetchall()
    except sqlite3.Error:
        return {}
    finally:
        conn.close()
    return {name: {"sha256": sha, "size": size, "closed_at": closed} for name, sha, size, closed in rows}


def _captures(db_path: Path) -> list[dict]:
    if not db_path.exists():
        return []
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        columns = {row[1] for row in conn.execute("PRAGMA table_info(captures)")}
        wanted = ["id", "url", "warc_file", "warc_offset", "warc_record_id"]
        wanted += [c for c in ("metadata_warc_file", "metadata_offset", "metadata_record_id")
                   if c in columns]
        rows = conn.execute(
            f"SELECT {', '.join(wanted)} FROM captures WHERE warc_file IS NOT NULL"
        ).fetchall()
    except sqlite3.Error:
        return []
    finally:
        conn.close()
    return [dict(row) for row in rows]


def verify_file(path: Path, report: FileReport, index: dict, payloads: dict, revisits: list) -> str:
    """Read one WARC file; fill ``report``; return its SHA-256 (of the bytes read)."""
    with open(path, "rb") as raw:
        fh = _HashingReader(raw)
        try:
            for offset, _length, data in iter_members(fh):
                report.records += 1
                if isinstance(data, Oversized):
                    # a record past the limit is not loaded (a gzip member inflates ~1,000x):
                    # its digests go unchecked; the file's SHA-256 still covers its bytes
                    index[(report.name, offset)] = parse_record(data.head).record_id
                    report.problems.append(f"note: offset {offset}: {data.problem()}; digests not checked")
                    continue
                record = parse_record(data)
                index[(report.name, offset)] = record.record_id
                label = f"offset {offset} {record.type or '?'} {record.record_id or '(no id)'}"
                for problem in record_problems(record):
                    if problem == "no WARC-Payload-Digest" and record.type in NON_HTTP_TYPES:
                        # warcio writes none on warcinfo; arshif before issue 3 did not add it
                        report.problems.append(f"note: {label}: {problem} (nothing to check)")
                    else:
                        report.flag("ALTERED", f"{label}: {problem}")
                if record.record_id:
                    payloads[record.record_id] = record.headers.get("WARC-Payload-Digest")
                if record.type == "revisit":
                    revisits.append((report, label, record))
        except TruncatedMember as error:
            report.flag("TRUNCATED", str(error))
        except CorruptMember as error:
            report.flag("ALTERED", f"{error}; the rest of the file was not read")
        # hash whatever was not read (after a corrupt member)
        while fh.read(CHUNK):
            pass
    report.size = fh.size
    return fh.sha256.hexdigest()


def verify_archive(data_dir: str | Path, *, strict: bool = False) -> VerifyReport:
    data_dir = Path(data_dir)
    warc_dir = data_dir / WARC_DIR
    db_path = data_dir / "archive.db"
    recorded = _recorded_files(db_path)
    # names relative to data/warc: the merged WARCs of distributed workers are in subdirectories
    on_disk = warc_files_under(warc_dir) if warc_dir.is_dir() else {}
    report = VerifyReport(data_dir, strict=strict)
    index: dict[tuple[str, int], str] = {}
    payloads: dict[str, str | None] = {}
    revisits: list = []

    for name in sorted(set(recorded) | set(on_disk)):
        file_report = FileReport(name)
        report.files.append(file_report)
        expected = recorded.get(name)
        if name not in on_disk:
            file_report.flag("MISSING", f"recorded at {expected['closed_at']} with {expected['size']:,} "
                                        f"bytes, sha256 {expected['sha256']}; not on disk")
            continue
        sha256 = verify_file(on_disk[name], file_report, index, payloads, revisits)
        if expected is None:
            file_report.flag("UNRECORDED", "not in the archive's warc_files (being written, or from an "
                                           "interrupted crawl): records checked, no file checksum to compare")
            continue
        # shorter with intact records is a truncation (a crash, a partial copy); any
        # other difference, or a record whose digests fail, is an alteration
        shorter = file_report.size < expected["size"]
        if shorter:
            file_report.flag("TRUNCATED", f"{file_report.size:,} bytes, recorded {expected['size']:,}")
        elif file_report.size > expected["size"]:
            file_report.flag("ALTERED", f"{file_report.size:,} bytes, recorded {expected['size']:,}")
        if sha256 != expected["sha256"]:
            file_report.flag("TRUNCATED" if shorter else "ALTERED",
                             f"sha256 {sha256}, recorded {expected['sha256']}")

    unresolved: dict[str, list[str]] = {}
    for file_report, label, record in revisits:
        original = record.headers.get("WARC-Refers-To")
        if original and original in payloads and payloads[original] != record.headers.get("WARC-Payload-Digest"):
            file_report.flag("ALTERED", f"{label}: payload digest differs from the original {original}")
        elif original and original not in payloads:
            unresolved.setdefault(file_report.name, []).append(original)
    for file_report in report.files:
        if file_report.name in unresolved:
            originals = unresolved[file_report.name]
            file_report.problems.append(
                f"note: {len(originals)} revisit(s) refer to original records not read in any WARC "
                f"file here (e.g. {originals[0]}): their payload cannot be replayed")

    # captures in files already reported bad would only repeat the file's problem
    missing = {f.name for f in report.files if f.status in ("MISSING", "TRUNCATED", "ALTERED")}
    for capture in _captures(db_path):
        checks = [(capture["warc_file"], capture["warc_offset"], capture["warc_record_id"], "record")]
        if capture.get("metadata_warc_file"):
            checks.append((capture["metadata_warc_file"], capture["metadata_offset"],
                           capture["metadata_record_id"], "metadata record"))
        for name, offset, record_id, what in checks:
            if name in missing:
                continue  # reported with the file
            if index.get((name, offset)) != record_id:
                report.capture_problems.append(
                    f"capture {capture['id']} ({capture['url']}): {what} {record_id} not at {name}:{offset}")
    return report
