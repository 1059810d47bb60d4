"""Raw gzip members of WARC files, read with bounded memory: every WARC byte is untrusted.

A gzip member can inflate about 1,000 times (a few KB of zeros become megabytes, a gzip
of a gzip gigabytes), so nothing here inflates a member whole without a limit: output is
taken ``CHUNK`` bytes at a time, and a member that inflates past ``keep`` bytes is
yielded as :class:`Oversized` (its first bytes and its size), not loaded.
``MAX_RECORD_SIZE`` is the default limit: three times the largest record a crawl with
the default ``DOWNLOAD_MAXSIZE`` (20 MiB) writes. ``arshif verify``, ``arshif repair``,
the snapshot routes and the CDXJ index read members through :func:`iter_members`.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

CHUNK = 1 << 20
MAX_RECORD_SIZE = 64 << 20  # inflated bytes of one record that are loaded into memory
HEAD_SIZE = 64 << 10  # bytes kept of a member over the limit: its WARC headers


class TruncatedMember(Exception):
    """The file ends inside a gzip member."""

    def __init__(self, offset: int) -> None:
        super().__init__(f"file ends inside the record at offset {offset}")
        self.offset = offset


class CorruptMember(Exception):
    """A gzip member that does not decompress (bad data or CRC)."""

    def __init__(self, offset: int, reason: str) -> None:
        super().__init__(f"record at offset {offset} does not decompress: {reason}")
        self.offset = offset


class OversizedMember(ValueError):
    """A record that inflates past the limit, asked for whole."""


@dataclass(frozen=True)
class Oversized:
    """A member that inflates to more than the reader's limit: its first bytes and size."""

    head: bytes
    size: int

    def problem(self, limit: int = MAX_RECORD_SIZE) -> str:
        return f"record inflates to {self.size:,} bytes, over the {limit:,}-byte limit: not loaded"


def iter_members(fh, start: int = 0, keep: int = MAX_RECORD_SIZE) -> Iterator[tuple[int, int, bytes | Oversized]]:
    """``(offset, compressed length, inflated bytes)`` of each gzip member from ``start``;
    the inflated bytes are an :class:`Oversized` when they exceed ``keep``.

    ``fh`` is read strictly sequentially (``read`` only, after the initial seek
    done by the caller). Raises :class:`TruncatedMember` or :class:`CorruptMember`.
    """
    pending = b""
    member_start = start
    while True:
        if not pending:
            pending = fh.read(CHUNK)
            if not pending:
                return
        inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
        parts: list[bytes] = []
        size = kept = consumed = 0
        while True:
            try:
                out = inflater.decompress(pending, CHUNK)
            except zlib.error as error:
                raise CorruptMember(member_start, str(error)) from None
            size += len(out)
            if kept < HEAD_SIZE or size <= keep:
                parts.append(out)
                kept += len(out)
                if size > keep and kept > HEAD_SIZE:  # over the limit: keep the head alone
                    parts, kept = [b"".join(parts)[:HEAD_SIZE]], HEAD_SIZE
            if inflater.eof:
                consumed += len(pending) - len(inflater.unused_data)
                pending = inflater.unused_data
                break
            consumed += len(pending) - len(inflater.unconsumed_tail)
            pending = inflater.unconsumed_tail
            if not pending and len(out) < CHUNK:  # zlib needs more input (else it holds more output)
                pending = fh.read(CHUNK)
                if not pending:
                    raise TruncatedMember(member_start)
        data = b"".join(parts)
        yield member_start, consumed, data if size <= keep else Oversized(data[:HEAD_SIZE], size)
        member_start += consumed


def read_member(path: str | Path, offset: int, keep: int = MAX_RECORD_SIZE) -> tuple[int, bytes]:
    """The gzip member at ``offset`` in ``path``: (compressed length, inflated bytes).
    Raises :class:`OversizedMember` when it inflates past ``keep``."""
    with open(path, "rb") as fh:
        fh.seek(offset)
        for _, length, data in iter_members(fh, offset, keep):
            if isinstance(data, Oversized):
                raise OversizedMember(f"{Path(path).name}:{offset}: {data.problem(keep)}")
            return length, data
    raise TruncatedMember(offset)


def read_raw(path: str | Path, offset: int, length: int) -> bytes:
    with open(path, "rb") as fh:
        fh.seek(offset)
        data = fh.read(length)
    if len(data) != length:
        raise TruncatedMember(offset)
    return data


def warc_files_under(warc_dir: Path) -> dict[str, Path]:
    """Every ``*.warc.gz`` under ``warc_dir`` by its name relative to it (``w2/x.warc.gz``
    for a worker's merged directory), subdirectories and symlinks to them included."""
    found = {}
    for root, _, names in os.walk(warc_dir, followlinks=True):
        for name in names:
            if name.endswith(".warc.gz"):
                path = Path(root) / name
                found[path.relative_to(warc_dir).as_posix()] = path
    return dict(sorted(found.items()))
