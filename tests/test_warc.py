"""WARC writing round trip: write with WarcFileWriter, read back with warcio."""

import gzip
import subprocess
import sys
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from archive.warc import Exchange, WarcFileWriter

BODY = gzip.compress("<p>خبر من الحسكة</p>".encode() * 50)


def exchange(i: int) -> Exchange:
    return Exchange(
        url=f"http://127.0.0.13:8400/news/{i}-x?page=2&id={i}", method="GET",
        request_headers=[("User-Agent", "arshif-test"), ("Accept-Encoding", "gzip")],
        status=404 if i == 1 else 200,
        response_headers=[("Content-Encoding", "gzip"), ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2"),
                          ("Transfer-Encoding", "chunked")],
        body=BODY, ip_address="127.0.0.13",
    )


def read_at(path: Path, offset: int):
    with open(path, "rb") as fh:
        fh.seek(offset)
        record = next(iter(ArchiveIterator(fh)))
        return record, record.raw_stream.read()


def test_round_trip_keeps_wire_bytes_and_headers(tmp_path):
    writer = WarcFileWriter(tmp_path, max_size=1 << 20, warcinfo={"isPartOf": "crawl-1"})
    written = [writer.write_exchange(exchange(i)) for i in range(3)]
    writer.close()
    path = tmp_path / written[2].warc_file
    record, raw = read_at(path, written[2].offset)
    assert record.rec_type == "response"
    assert record.rec_headers.get_header("WARC-Target-URI") == "http://127.0.0.13:8400/news/2-x?page=2&id=2"
    assert raw == BODY  # still gzip-encoded, as the server sent it
    assert record.http_headers.protocol == "HTTP/1.1" and record.http_headers.statusline == "200 OK"
    assert [v for k, v in record.http_headers.headers if k == "Set-Cookie"] == ["a=1", "b=2"]
    assert record.http_headers.get_header("Transfer-Encoding") is None
    assert record.rec_headers.get_header("WARC-Payload-Digest") == written[2].payload_digest
    assert read_at(path, written[1].offset)[0].http_headers.statusline == "404 Not Found"

    types = []
    with open(path, "rb") as fh:
        for rec in ArchiveIterator(fh):
            types.append(rec.rec_type)
            if rec.rec_type == "request":
                assert rec.http_headers.protocol == "GET"
                assert rec.http_headers.statusline.endswith("?page=2&id=%d HTTP/1.1" % (len(types) // 2 - 1))
            if rec.rec_type == "warcinfo":
                assert b"isPartOf: crawl-1" in rec.content_stream().read()
    assert types == ["warcinfo"] + ["response", "request"] * 3


def test_rotation_and_warcio_check(tmp_path):
    writer = WarcFileWriter(tmp_path, max_size=2000)
    for i in range(6):
        writer.write_exchange(exchange(i))
    writer.write_metadata("http://127.0.0.13:8400/news/5-x", "<urn:uuid:x>", {"outlink": ["http://a/", "http://b/"]})
    writer.close()
    files = sorted(tmp_path.glob("*.warc.gz"))
    assert len(files) == len(writer.closed_files) >= 3
    for path in files:
        check = subprocess.run([sys.executable, "-m", "warcio.cli", "check", str(path)], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
        with open(path, "rb") as fh:
            assert next(iter(ArchiveIterator(fh))).rec_type == "warcinfo"
