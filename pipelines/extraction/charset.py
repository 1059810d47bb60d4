"""Decode raw HTML bytes to text, Arabic-aware.

Why not let Scrapy or trafilatura guess: Arabic pages are often windows-1256
with only a ``<meta charset>`` (no HTTP header charset), and servers or
frameworks that default to ISO-8859-1/cp1252 then produce Latin-1 mojibake
(FINDINGS: Scrapy 2.18 decodes undeclared Arabic pages as cp1252).

Order of evidence:

1. A byte-order mark wins outright.
2. The HTTP header charset and the charset declared in the first ~4 KB
   (``<meta charset>``, ``http-equiv`` or an XML declaration). If the bytes
   decode strictly as UTF-8 and one of them says UTF-8, UTF-8 wins: random
   single-byte text almost never forms valid multi-byte UTF-8. Otherwise the
   declared candidates are scored by how much real Arabic they produce (the
   definite article "ال" is the tell: mojibake rarely forms it) minus a
   penalty for undecodable bytes, so a wrong header loses to a right meta.
3. No declaration: strict UTF-8, then windows-1256 if it yields real Arabic,
   then charset-normalizer's guess.
4. UTF-8 with replacement characters. This function never raises.
"""

from __future__ import annotations

import codecs
import logging
import re

LOGGER = logging.getLogger(__name__)

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

_META_CHARSET_RE = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]+)""", re.IGNORECASE
)
_XML_DECL_RE = re.compile(rb"""<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.\-]+)""", re.IGNORECASE)

# WHATWG: browsers treat these labels as windows-1252, and so do servers'
# defaults; a declared "utf-16" inside an 8-bit document is always a lie.
_LABEL_ALIASES = {
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "utf8mb4": "utf-8",
    "utf-16": "utf-8",
    "unicode": "utf-8",
    "x-user-defined": "cp1252",
    "arabic": "iso8859-6",
}

_PRETTY_NAMES = {"cp1256": "windows-1256", "cp1252": "windows-1252", "cp1250": "windows-1250",
                 "cp1251": "windows-1251", "cp1254": "windows-1254", "iso8859-6": "iso-8859-6"}

_ARABIC_RE = re.compile("[\u0621-\u064a]")
# Latin-1 supplement letters are what Arabic bytes look like when misread.
_MOJIBAKE_RE = re.compile("[\u00c0-\u00ff]")


def _codec_name(label: str | None) -> str | None:
    """Map a charset label to a Python codec name, or None if unknown."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    label = _LABEL_ALIASES.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        LOGGER.debug("unknown charset label %r", label)
        return None


def _pretty(codec: str) -> str:
    """Human/HTTP style name for a Python codec name."""
    return _PRETTY_NAMES.get(codec, codec)


def _declared_charset(head: bytes) -> str | None:
    """Charset declared in the document itself (meta or XML declaration)."""
    match = _META_CHARSET_RE.search(head) or _XML_DECL_RE.search(head)
    if not match:
        return None
    return _codec_name(match.group(1).decode("ascii", "ignore"))


def _arabic_score(text: str) -> float:
    """How much this decoding looks like real Arabic (higher is better)."""
    sample = text[:60_000]  # head + start of body: enough to tell Arabic from mojibake
    return (
        3 * sample.count("ال")
        + 0.1 * len(_ARABIC_RE.findall(sample))
        - 0.5 * len(_MOJIBAKE_RE.findall(sample))
    )


def _try(body: bytes, codec: str) -> tuple[str, float] | None:
    """Decode and score; undecodable bytes cost a lot but do not disqualify."""
    try:
        text = body.decode(codec)
        return text, _arabic_score(text)
    except UnicodeDecodeError:
        text = body.decode(codec, errors="replace")
        return text, _arabic_score(text) - 50 * text.count("\ufffd") - 10
    except LookupError:
        return None


def _strict_utf8(body: bytes) -> str | None:
    """The text if the body is valid UTF-8, else None."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _cp1256_fallback(exc: UnicodeDecodeError) -> tuple[str, int]:
    # A run that is not UTF-8 inside a UTF-8 page is, on Arabic sites, nearly always
    # windows-1256 pasted from an older page or template (issue 7: mixed encodings).
    return exc.object[exc.start:exc.end].decode("cp1256", errors="replace"), exc.end


codecs.register_error("arshif-cp1256", _cp1256_fallback)
MIXED = "utf-8+windows-1256"  # the label decode_html returns for such pages


def _mixed(body: bytes) -> str:
    """UTF-8 where the bytes are UTF-8, windows-1256 for the runs that are not."""
    return body.decode("utf-8", errors="arshif-cp1256")


def _detect(body: bytes) -> str | None:
    """charset-normalizer's best guess, if the package is available."""
    try:
        from charset_normalizer import from_bytes  # imported lazily: rarely needed
    except ImportError:  # pragma: no cover - installed with requests
        return None
    try:
        best = from_bytes(body[:100_000]).best()
    except Exception:  # noqa: BLE001 - detector bugs must not break decoding
        LOGGER.debug("charset detection failed", exc_info=True)
        return None
    return _codec_name(best.encoding) if best is not None else None


def _decode(body: bytes, header_charset: str | None) -> tuple[str, str]:
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return body[len(bom):].decode(codec, errors="replace"), codec

    candidates = []
    for codec in (_codec_name(header_charset), _declared_charset(body[:4096])):
        if codec and codec not in candidates:
            candidates.append(codec)

    utf8_text = _strict_utf8(body)
    if utf8_text is not None and ("utf-8" in candidates or not candidates or body.isascii()):
        return utf8_text, "utf-8"

    if candidates:
        scored = []
        for order, codec in enumerate(candidates):
            result = _try(body, codec)
            if result is not None:
                # tie-break towards the header, as the HTML spec does
                scored.append((result[1], -order, codec, result[0]))
        if utf8_text is not None:
            scored.append((_arabic_score(utf8_text), -len(candidates), "utf-8", utf8_text))
        elif "utf-8" in candidates:
            mixed = _mixed(body)
            scored.append((_arabic_score(mixed), -len(candidates) - 1, MIXED, mixed))
        if utf8_text is None and "cp1256" not in candidates:
            # a server's default "ISO-8859-1" header on an undeclared windows-1256 page
            fallback = _try(body, "cp1256")
            if fallback is not None and fallback[0].count("ال") >= 3:
                scored.append((fallback[1], -len(candidates) - 2, "cp1256", fallback[0]))
        if scored:
            _score, _order, codec, text = max(scored)
            if len(scored) > 1:
                LOGGER.debug("charset candidates %s -> %s", [s[2] for s in scored], codec)
            return text, codec

    if utf8_text is not None:
        return utf8_text, "utf-8"
    # Undeclared and not UTF-8: in this project windows-1256 is the usual case.
    result = _try(body, "cp1256")
    if result is not None and result[1] > 0 and body.count(b" ") and result[0].count("ال") >= 3:
        mixed = _mixed(body)
        if _arabic_score(mixed) > result[1]:  # mostly UTF-8 with windows-1256 runs
            return mixed, MIXED
        return result[0], "cp1256"
    detected = _detect(body)
    if detected:
        try:
            return body.decode(detected), detected
        except (UnicodeDecodeError, LookupError):
            pass
    return body.decode("utf-8", errors="replace"), "utf-8"


def decode_html(body: bytes, header_charset: str | None = None) -> tuple[str, str]:
    """Decode an HTML response body.

    Args:
        body: Raw response bytes as received (after content decoding).
        header_charset: Charset from the HTTP ``Content-Type`` header, if any.

    Returns:
        ``(text, encoding)`` where ``encoding`` is the name of the charset
        actually used (e.g. ``"utf-8"``, ``"windows-1256"``). Never raises:
        undecodable input comes back as UTF-8 with replacement characters.
    """
    if not body:
        return "", "utf-8"
    if isinstance(body, str):  # tolerate callers handing over text
        return body, "utf-8"
    try:
        text, codec = _decode(bytes(body), header_charset)
    except Exception:  # noqa: BLE001 - the contract is "never raise"
        LOGGER.warning("decoding failed, falling back to utf-8", exc_info=True)
        return bytes(body).decode("utf-8", errors="replace"), "utf-8"
    return text, _pretty(codec)
