"""Hostile WARC files for tests and measurements (issue 16 item 9), built from raw bytes.

``python -m tests.hostile_warcs DIR`` writes each kind into ``DIR/<kind>/warc/`` (a data
directory each), to measure ``arshif verify``/``repair``/``reindex`` on them:

- ``body_bomb``: a response whose gzip-encoded HTTP body decodes to 1 GiB of zeros, in a
  file of a few KB (gzip of gzip).
- ``member_bomb``: one record whose gzip member inflates to 1 GiB (a ~1 MB file).
- ``long_line``: a record whose WARC header line is 256 MiB long, without a line end.
"""

from __future__ import annotations

import base64
import hashlib
import sys
import uuid
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

GIB = 1 << 30
ZEROS = bytes(1 << 20)
WARC_DATE = "2026-03-01T00:00:00Z"


def new_id() -> str:
    return f"<urn:uuid:{uuid.uuid4()}>"


def gzip_member(chunks: Iterable[bytes]) -> bytes:
    """One gzip member of the concatenated ``chunks`` (streamed: nothing large is held)."""
    deflate = zlib.compressobj(9, zlib.DEFLATED, 31)
    return b"".join(deflate.compress(chunk) for chunk in chunks) + deflate.flush()


def zeros(size: int) -> Iterator[bytes]:
    while size > 0:
        yield ZEROS[:min(size, len(ZEROS))]
        size -= len(ZEROS)


def sha1_digest(chunks: Iterable[bytes]) -> str:
    digest = hashlib.sha1()
    for chunk in chunks:
        digest.update(chunk)
    return "sha1:" + base64.b32encode(digest.digest()).decode()


def record_head(warc_type: str, length: int, uri: str | None = "http://evil.test/x", *,
                record_id: str | None = None, **headers: str) -> bytes:
    lines = ["WARC/1.1", f"WARC-Type: {warc_type}", f"WARC-Record-ID: {record_id or new_id()}",
             f"WARC-Date: {WARC_DATE}"]
    if uri is not None:
        lines.append(f"WARC-Target-URI: {uri}")
    lines += [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
    lines.append(f"Content-Length: {length}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def record_member(warc_type: str, block: bytes, uri: str | None = "http://evil.test/x", *,
                  payload: bytes | None = None, **headers: str) -> bytes:
    """A small record as one gzip member, with correct digests (``payload``: of an HTTP block)."""
    head = record_head(warc_type, len(block), uri, WARC_Block_Digest=sha1_digest([block]),
                       WARC_Payload_Digest=sha1_digest([block if payload is None else payload]), **headers)
    return gzip_member([head, block, b"\r\n\r\n"])


def response_with_metadata(uri: str | None, body: bytes, *, http_headers: str = "",
                           site: str = "evil") -> bytes:
    """response + request + metadata members of one capture, as the crawl writes them."""
    response_id = new_id()
    http = (f"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n{http_headers}"
            f"Content-Length: {len(body)}\r\n\r\n").encode() + body
    block_digest = sha1_digest([http])
    head = record_head("response", len(http), uri, record_id=response_id, WARC_Block_Digest=block_digest,
                       WARC_Payload_Digest=sha1_digest([body]), Content_Type="application/http; msgtype=response")
    request = b"GET /x HTTP/1.1\r\nHost: evil.test\r\n\r\n"
    fields = f"via: link\r\nsite: {site}\r\nkind: page\r\nis-article: yes\r\n".encode()
    return (gzip_member([head, http, b"\r\n\r\n"])
            + record_member("request", request, uri or "http://evil.test/x", payload=b"",
                            WARC_Concurrent_To=response_id,
                            Content_Type="application/http; msgtype=request")
            + record_member("metadata", fields, uri or "http://evil.test/x", WARC_Concurrent_To=response_id,
                            Content_Type="application/warc-fields"))


def warcinfo(sites_json: str = "[]") -> bytes:
    return record_member("warcinfo", f"software: test\r\nsite-config: {sites_json}\r\n".encode(), None,
                         Content_Type="application/warc-fields")


def body_bomb(size: int = GIB) -> bytes:
    """A capture whose body, gzip-encoded as sent, decodes to ``size`` zeros."""
    return warcinfo() + response_with_metadata("http://evil.test/bomb", gzip_member(zeros(size)),
                                               http_headers="Content-Encoding: gzip\r\n")


def member_bomb(size: int = GIB) -> bytes:
    """A resource record of ``size`` zeros, its digests correct, as one gzip member."""
    digest = sha1_digest(zeros(size))
    head = record_head("resource", size, WARC_Block_Digest=digest, WARC_Payload_Digest=digest,
                       Content_Type="application/octet-stream")
    return warcinfo() + gzip_member([head, *zeros(size), b"\r\n\r\n"])


def long_line(size: int = GIB // 4) -> bytes:
    """A record whose header never ends: one line of ``size`` bytes."""
    return warcinfo() + gzip_member([b"WARC/1.1\r\nWARC-Type: response\r\nX-Long: ", *(
        b"a" * len(chunk) for chunk in zeros(size))])


KINDS = {"body_bomb": body_bomb, "member_bomb": member_bomb, "long_line": long_line}


def write_all(directory: Path) -> dict[str, Path]:
    paths = {}
    for kind, build in KINDS.items():
        path = directory / kind / "warc" / f"hostile-{kind}-999999.warc.gz"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(build())
        paths[kind] = path
    return paths


if __name__ == "__main__":
    for kind, path in write_all(Path(sys.argv[1])).items():
        print(f"{kind}: {path} {path.stat().st_size:,} bytes")
