"""Arabic text normalisation shared by the search index and search queries.

``normalize_arabic`` is applied to article titles and texts when they are indexed
(through the ``arshif_normalize`` SQL function that ``archive.schema`` triggers call)
and to every word of a query by ``archive.query.normalize_query``, so spelling variants meet in the
middle: tashkeel, tatweel, hamza/alef forms, alef maqsura, taa marbuta and Eastern
digits no longer matter.

The index keeps FTS5's ``unicode61`` tokenizer (with the harakat declared as token
characters, see ``FTS_TOKENCHARS``) and stores the original text as external content,
so ``snippet()`` and ``highlight()`` cut the *original* text at positions found in the
*normalised* index. That only works because ``normalize_arabic`` never adds, removes,
splits or merges a token: it maps token characters to token characters and deletes
marks inside a word, never a whole word. Keep that invariant when you change it, and
add a migration that calls ``archive.schema.rebuild_fts`` (the old index entries can
only be deleted with the old normalisation).
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "FTS_TOKENCHARS",
    "clitic_forms",
    "light_stem",
    "normalize_arabic",
]

# Arabic combining marks: harakat, tanween, shadda, sukun, superscript alef, hamza and
# maddah above/below, Quranic annotation marks.
_MARK_RANGES = [
    (0x0610, 0x061A),
    (0x064B, 0x065F),
    (0x0670, 0x0670),
    (0x06D6, 0x06DC),
    (0x06DF, 0x06E4),
    (0x06E7, 0x06E8),
    (0x06EA, 0x06ED),
]
MARKS = "".join(chr(c) for lo, hi in _MARK_RANGES for c in range(lo, hi + 1))
TATWEEL = "\u0640"
# unicode61 treats these marks (category Mn) as separators, which splits كَتَبَ into
# three one-letter tokens; declaring them token characters keeps the word whole in the
# original text, so its token positions match those of the normalised text.
FTS_TOKENCHARS = MARKS

_LETTERS = {
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا",
    "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي",
    # Persian keyboards produce these look-alikes in Arabic text
    "ی": "ي", "ک": "ك",
}  # fmt: skip
# "İ".casefold() is "i" + a combining dot: fold it to a plain "i" (İstanbul, istanbul)
_LATIN = {"İ": "i"}
_DIGITS = {chr(0x0660 + i): str(i) for i in range(10)} | {
    chr(0x06F0 + i): str(i) for i in range(10)
}


def _build_rare_table() -> dict[str, str]:
    """Casefolding and presentation forms: many characters, rare in our text."""
    table = dict(_LATIN)

    def safe(value: str) -> bool:
        # A replacement must stay one run of token characters (see module docstring)
        return bool(value) and all(c.isalnum() or c in MARKS + TATWEEL for c in value)

    # Casefold Latin, Greek, Cyrillic... but skip folds that produce combining
    # characters, e.g. "İ" -> "i̇": unicode61 would split the word at the dot.
    for char in map(chr, [*range(0x41, 0x2000), *range(0xFB00, 0xFB07)]):
        folded = char.casefold()
        if folded != char and safe(folded) and char not in table:
            table[char] = folded
    # Arabic presentation forms (ﻷ, ﺃ...) from old PDFs and CMSs: compatibility
    # decomposition, skipping ligatures that expand to several words (ﷺ).
    for char in map(chr, [*range(0xFB50, 0xFE00), *range(0xFE70, 0xFF00)]):
        expanded = unicodedata.normalize("NFKC", char)
        if expanded != char and safe(expanded):
            for old, new in _LETTERS.items():
                expanded = expanded.replace(old, new)
            table[char] = expanded
    return table


# str.translate() looks every character up in a dict (~90 ns each, 5 ms for a long
# article); str.replace() per common character and a regex for the rare ones is
# several times faster.
_COMMON = tuple({**_LETTERS, **_DIGITS}.items())
_RARE_TABLE = _build_rare_table()
_RARE = re.compile("[" + "".join(map(re.escape, sorted(_RARE_TABLE))) + "]")
_STRIP = re.compile(f"[{MARKS}{TATWEEL}]+")
# A word made only of tatweel or marks (a ـــــ rule) is kept: dropping it would
# shift every later token position and misplace the snippet highlights. Such a run
# has no letter, digit (\w without _) or mark on either side. (The look-behinds
# come after the first character so that re can scan for that character quickly.)
_STANDALONE = re.compile(
    rf"([{MARKS}{TATWEEL}](?<![^\W_].)(?<![{MARKS}].)[{MARKS}{TATWEEL}]*)"
    rf"(?![^\W_])(?![{MARKS}])"
)


def normalize_arabic(text: str) -> str:
    """Fold Arabic spelling variants so that equal words compare equal.

    Strips tashkeel and tatweel, unifies alef forms (أ إ آ ٱ → ا), ى → ي, ة → ه,
    ؤ → و, ئ → ي, Eastern Arabic and Persian digits → ASCII, casefolds Latin.
    Whitespace and punctuation are kept, so the output has the same words in the
    same order as the input.

    Args:
        text: any text, e.g. an article body or a query word.

    Returns:
        The normalised text.
    """
    if not text:
        return ""
    for old, new in _COMMON:
        if old in text:
            text = text.replace(old, new)
    text = _RARE.sub(lambda m: _RARE_TABLE[m.group()], text)
    # split() keeps the standalone runs at odd positions; strip the rest
    parts = _STANDALONE.split(text)
    parts[::2] = [_STRIP.sub("", part) for part in parts[::2]]
    return "".join(parts)


# Proclitics: conjunction (و ف), then preposition (ب ك ل), then the article (ال).
# ل + ال is written لل.
_CONJ = ("", "و", "ف")
_PREP = ("", "ب", "ك", "ل")
_DEFINITE = tuple(c + p + "ال" for c in _CONJ for p in _PREP if p != "ل") + tuple(
    c + "لل" for c in _CONJ
)
_INDEFINITE = tuple(c + p for c in _CONJ for p in _PREP)
_ARABIC_WORD = re.compile("[\u0621-\u064a]+")
# Shorter stems make prefixed forms collide with other words (عد → بعد, حر → بحر).
MIN_STEM = 3


def light_stem(word: str) -> str:
    """Strip a leading article with its conjunction/preposition from a normalised word.

    ``والحسكه`` → ``حسكه``, ``للمدرسه`` → ``مدرسه``. Only clitic groups that end in
    the article are removed, because a bare و/ب/ل/ف/ك is often part of the word
    (وزير, لبنان); the word is returned unchanged when fewer than ``MIN_STEM``
    letters would remain.
    """
    for prefix in sorted(_DEFINITE, key=len, reverse=True):
        if word.startswith(prefix) and len(word) - len(prefix) >= MIN_STEM:
            return word[len(prefix) :]
    return word


def clitic_forms(word: str) -> list[str]:
    """All spellings of a normalised word with its possible proclitics, word first.

    ``حسكه`` and ``الحسكه`` both give ``حسكه, وحسكه, ... الحسكه, والحسكه, بالحسكه,
    للحسكه ...`` (24 forms). A number also matches with و/ف/ب/ك/ل attached
    (``8500`` → ``ب8500``, written بـ٨٥٠٠ in the text). Other non-Arabic words and
    short words come back alone.
    """
    if word.isascii() and word.isdigit():
        return [word] + [p + word for p in _INDEFINITE if p]
    stem = light_stem(word)
    if not _ARABIC_WORD.fullmatch(stem) or len(stem) < MIN_STEM:
        return [word]
    forms = [word, stem]
    forms += [p + stem for p in _INDEFINITE if p]
    if not stem.startswith("ال"):
        forms += [p + stem for p in _DEFINITE]
    return list(dict.fromkeys(forms))
