"""Small Arabic-text helpers shared by the extraction modules.

Everything here is pure string work: digit folding, letter normalisation for
*matching* (never for output), whitespace collapsing and script statistics.
Output text keeps the publisher's spelling; only comparisons use the
normalised forms, because the same word shows up as أ/إ/آ/ا, with or without
tatweel and harakat, depending on the site's CMS.
"""

from __future__ import annotations

import re

# Eastern Arabic (U+0660..) and Persian/Urdu (U+06F0..) digits both occur in
# Levantine and Iraqi pages; fold them so one regex handles every form.
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")

# What matching folds: digits to ASCII, alef forms to bare alef, alef maqsura to ya;
# harakat, superscript alef, tatweel and invisible format marks removed.
_MATCH_MAP = {
    **dict(zip("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")),
    **dict.fromkeys("أإآٱ", "ا"), "ى": "ي",
    **{chr(c): "" for c in [*range(0x0610, 0x061B), *range(0x064B, 0x0660), 0x0670, *range(0x06D6, 0x06EE),
                            0x0640, *range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2066, 0x206A),
                            0xFEFF]},
}
# A regex finds the few characters to fold and a lookup replaces each: 2.5x faster than
# str.translate, which looks every character of Arabic text up in a dict (issue 8)
_MATCH_RE = re.compile("[" + "".join(_MATCH_MAP) + "]")
# Invisible direction/format marks that CMSes sprinkle into Arabic text.
_INVISIBLE_RE = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")

# runs, not single letters: counted as the length they remove, without a list per letter
_ARABIC_LETTERS_RE = re.compile("[\u0621-\u064a\u0671-\u06d3\u06fa-\u06ff]+")
_LATIN_LETTERS_RE = re.compile("[A-Za-z\u00c0-\u024f]+")


def to_ascii_digits(text: str) -> str:
    """Replace Eastern Arabic and Persian digits with ASCII digits.

    Args:
        text: Any string.

    Returns:
        The string with ٠-٩ and ۰-۹ mapped to 0-9.
    """
    return text.translate(_DIGITS)


def collapse_ws(text: str) -> str:
    """Collapse runs of whitespace (and drop invisible marks), then strip."""
    text = " ".join(text.split())
    if _INVISIBLE_RE.search(text):  # rare: only pay for the substitution when needed
        text = " ".join(_INVISIBLE_RE.sub("", text).split())
    return text


def normalize_for_match(text: str) -> str:
    """Normalise text for comparisons, never for output.

    Folds digits, strips harakat/tatweel/invisible marks, unifies alef forms
    and alef maqsura, lowercases Latin and collapses whitespace.

    Args:
        text: Any string.

    Returns:
        A comparison key.
    """
    text = _MATCH_RE.sub(_fold, text)
    return " ".join(text.split()).lower()


def _fold(match: re.Match) -> str:
    return _MATCH_MAP[match.group()]


def script_counts(text: str) -> tuple[int, int]:
    """Count Arabic-script and Latin letters.

    Args:
        text: Any string.

    Returns:
        ``(arabic_letters, latin_letters)``.
    """
    size = len(text)
    return size - len(_ARABIC_LETTERS_RE.sub("", text)), size - len(_LATIN_LETTERS_RE.sub("", text))


def is_mostly_latin(text: str) -> bool:
    """True when the string has letters and more Latin than Arabic ones."""
    arabic, latin = script_counts(text)
    return latin > 0 and latin > arabic
