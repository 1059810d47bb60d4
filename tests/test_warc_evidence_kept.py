"""Evidence is kept (issue 16 items 7 and 10): `repair --full` never cuts nor re-records a
closed WARC file; merged WARCs in subdirectories are verified and downloadable; the export
never writes over the archive and escapes spreadsheet formulas in CSV."""

from __future__ import annotations

import csv
import gzip
import io
import shutil
import sqlite3
from pathlib import Path

import pytest

from archive.db import open_archive, record_capture, record_warc_file
from archive.export import ExportError, open_output, write_csv
from archive.repair import _file_sha256
from archive.web.snapshot import NotInArchive, snapshot_members, warc_file
from archive.verify import verify_archive
from tests.conftest import arshif
from tests.test_crash import write_warc


def recorded_archive(tmp_path: Path) -> tuple[Path, Path]:
    """A data directory with one closed WARC file, recorded with its SHA-256."""
    data = tmp_path / "data"
    written = write_warc(data / "warc")
    warc = written.with_name(written.name.rsplit("-", 1)[0] + "-999999.warc.gz")  # its writer is gone
    written.rename(warc)
    db = open_archive(data / "archive.db")
    record_warc_file(db, warc.name, _file_sha256(warc), warc.stat().st_size, crawl_id="c1")
    db.close()
    return data, warc


def recorded(data: Path) -> list[tuple]:
    with sqlite3.connect(data / "archive.db") as conn:
        rows = conn.execute("select name, sha256, size from warc_files").fetchall()
    conn.close()
    return rows


def test_repair_full_leaves_a_damaged_closed_file_as_it_is(tmp_path):
    data, warc = recorded_archive(tmp_path)
    whole = bytearray(warc.read_bytes())
    whole[len(whole) // 2] ^= 0xFF  # one flipped byte in a record in the middle
    warc.write_bytes(bytes(whole))
    before = recorded(data)

    result = arshif("repair", "--data", str(data), "--full")
    assert "ALTERED" in result.stdout and "left as it is" in result.stdout, result.stdout
    assert warc.read_bytes() == bytes(whole)  # not cut
    assert recorded(data) == before  # its recorded SHA-256 kept
    assert not (data / "warc" / "quarantine").exists()
    report = verify_archive(data)
    assert not report.ok and report.files[0].status == "ALTERED"


def test_repair_full_does_not_record_an_intact_closed_file_again(tmp_path):
    data, warc = recorded_archive(tmp_path)
    with open(warc, "ab") as fh:  # a whole extra record appended after the crawl closed it
        fh.write(gzip.compress(b"WARC/1.1\r\nWARC-Type: resource\r\nContent-Length: 1\r\n\r\nx\r\n\r\n"))
    before = recorded(data)
    assert arshif("repair", "--data", str(data), "--full").returncode == 0
    assert recorded(data) == before
    assert verify_archive(data).files[0].status == "ALTERED"  # grew since it was recorded


# --- merged distributed WARCs in subdirectories -------------------------------------------

def merged_archive(tmp_path: Path) -> tuple[Path, str, int]:
    """data/warc/w2/<file>, recorded and captured under its name relative to data/warc."""
    data, warc = recorded_archive(tmp_path)
    (data / "warc" / "w2").mkdir()
    name = f"w2/{warc.name}"
    shutil.move(warc, data / "warc" / name)
    db = open_archive(data / "archive.db")
    db.execute("update warc_files set name = ?", [name])
    db.conn.commit()
    from warcio.archiveiterator import ArchiveIterator

    with open(data / "warc" / name, "rb") as fh:
        records = ArchiveIterator(fh)
        for record in records:
            if record.rec_type == "response":
                offset, record_id = records.get_record_offset(), record.rec_headers.get_header("WARC-Record-ID")
                records.read_to_end(record)
                length = records.get_record_length()
                break
    capture_id = record_capture(db, {"url": "http://127.0.0.11/news/0", "site": None, "warc_file": name,
                                     "warc_offset": offset, "warc_length": length,
                                     "warc_record_id": record_id})
    db.close()
    return data, name, capture_id


def test_verify_reads_warc_files_in_subdirectories(tmp_path):
    data, name, _ = merged_archive(tmp_path)
    report = verify_archive(data)
    assert [(f.name, f.status) for f in report.files] == [(name, "OK")]
    assert report.ok and not report.capture_problems and report.files[0].records == 37


def test_snapshot_of_a_capture_in_a_subdirectory(tmp_path):
    data, name, capture_id = merged_archive(tmp_path)
    with sqlite3.connect(data / "archive.db") as conn:
        conn.row_factory = sqlite3.Row
        capture = dict(conn.execute("select * from captures where id = ?", [capture_id]).fetchone())
    conn.close()
    members = snapshot_members(data, capture)
    assert len(members) == 2  # the response and its request
    assert (data / "warc" / name).read_bytes().find(members[0]) == capture["warc_offset"]


@pytest.mark.parametrize("name", ["../archive.db", "w2/../../secret.warc.gz", "/etc/passwd",
                                  "w2\\..\\x.warc.gz", "", "w2", "link.warc.gz"])
def test_snapshot_refuses_names_outside_data_warc(tmp_path, name):
    data, _, _ = merged_archive(tmp_path)
    (tmp_path / "secret.warc.gz").write_bytes(b"secret")
    (data / "warc" / "link.warc.gz").symlink_to(tmp_path / "secret.warc.gz")
    with pytest.raises(NotInArchive):
        warc_file(data / "warc", name)


# --- export ---------------------------------------------------------------------------------

def test_export_refuses_to_write_over_the_archive(tmp_path, monkeypatch):
    data, _ = recorded_archive(tmp_path)
    size = (data / "archive.db").stat().st_size
    monkeypatch.chdir(tmp_path)
    for output in ("data/archive.db", str(data / "archive.db"), "data/./archive.db", "data/archive.db-wal"):
        with pytest.raises(ExportError, match="is the archive"):
            open_output(Path("data") / "archive.db", output)
    (tmp_path / "link.db").symlink_to(data / "archive.db")
    with pytest.raises(ExportError):
        open_output(data / "archive.db", tmp_path / "link.db")
    assert (data / "archive.db").stat().st_size == size
    with open_output(data / "archive.db", tmp_path / "out.csv") as out:
        out.write(b"ok")


def test_csv_cells_that_start_like_formulas_are_escaped():
    rows = [{"id": 1, "word_count": -3, "title": '=HYPERLINK("http://evil.test","x")', "text": "+1"},
            {"id": 2, "word_count": 5, "title": "@SUM(A1)", "text": "-\tcmd"},
            {"id": 3, "word_count": 5, "title": "\tTAB", "text": "عنوان = عادي"}]
    out = io.BytesIO()
    write_csv(["id", "word_count", "title", "text"], rows, out)
    read = list(csv.DictReader(io.StringIO(out.getvalue().decode("utf-8-sig"))))
    assert [r["title"] for r in read] == ['\'=HYPERLINK("http://evil.test","x")', "'@SUM(A1)", "'\tTAB"]
    assert [r["text"] for r in read] == ["'+1", "'-\tcmd", "عنوان = عادي"]
    assert read[0]["word_count"] == "-3"  # numbers stay numbers
