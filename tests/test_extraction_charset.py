"""decode_html: BOM, header vs meta charset, undeclared windows-1256, garbage."""

from __future__ import annotations

import codecs

import pytest

from pipelines.extraction import decode_html

ARABIC = "انقطاع المياه عن أحياء المدينة الشرقية لليوم الثالث على التوالي"


def doc(charset: str | None) -> str:
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">' if charset else ""
    return f"<html><head>{meta}<title>خبر</title></head><body><p>{ARABIC}</p></body></html>"


def test_windows_1256_meta_only():
    text, encoding = decode_html(doc("windows-1256").encode("cp1256"))
    assert encoding == "windows-1256"
    assert ARABIC in text


def test_windows_1256_without_any_declaration_is_not_read_as_cp1252():
    text, encoding = decode_html(doc(None).encode("cp1256"))
    assert encoding == "windows-1256"
    assert ARABIC in text
    assert "Ç" not in text


@pytest.mark.parametrize("header", ["iso-8859-1", "windows-1252", "utf-8", "latin1"])
def test_wrong_header_charset_loses_to_meta(header):
    text, encoding = decode_html(doc("windows-1256").encode("cp1256"), header_charset=header)
    assert encoding == "windows-1256"
    assert ARABIC in text


def test_utf8_body_with_lying_meta_and_header_stays_utf8():
    body = doc("windows-1256").encode("utf-8")
    text, encoding = decode_html(body, header_charset="windows-1256")
    assert encoding == "utf-8"
    assert ARABIC in text


def test_utf8_body_with_cp1252_header_is_utf8():
    text, encoding = decode_html(doc(None).encode("utf-8"), header_charset="iso-8859-1")
    assert encoding == "utf-8"
    assert ARABIC in text


def test_utf8_bom_wins_over_meta():
    body = codecs.BOM_UTF8 + doc("windows-1256").encode("utf-8")
    text, encoding = decode_html(body, header_charset="windows-1256")
    assert encoding == "utf-8"
    assert text.startswith("<html>")
    assert ARABIC in text


def test_utf16_bom():
    text, encoding = decode_html(codecs.BOM_UTF16_LE + doc(None).encode("utf-16-le"))
    assert encoding.startswith("utf-16")
    assert ARABIC in text


def test_meta_charset_short_form_and_iso_8859_6():
    body = f'<html><head><meta charset="iso-8859-6"></head><body>{ARABIC}</body></html>'.encode("iso8859-6")
    text, encoding = decode_html(body)
    assert encoding == "iso-8859-6"
    assert ARABIC in text


@pytest.mark.parametrize("body, header", [
    (b"", None), (b"\x00\xff\xfe\x80" * 50, None), (bytes(range(256)), "no-such-charset"),
    (b"<meta charset='bogus'>\xd8\xa7", "x-unknown"), (b"plain ascii", "utf-8"),
])
def test_never_raises(body, header):
    text, encoding = decode_html(body, header)
    assert isinstance(text, str)
    assert isinstance(encoding, str) and encoding
