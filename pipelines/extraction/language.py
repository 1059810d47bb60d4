"""Guess the language of extracted text (ISO 639-1).

No model is loaded: the crawl targets Arabic-language outlets, and the job
here is to tag the pages that are *not* Arabic (English/French/Turkish
editions, Kurdish and Persian sister sites) so they are stored but can be
filtered. The script decides first, because ``<html lang>`` is often a
template default ("en" on Arabic sites). Within Arabic script, letters that
Arabic lacks separate Persian (پ چ ژ گ ک ی) and Sorani Kurdish (ێ ۆ ڕ ڵ ە);
within Latin script, frequent function words separate the usual candidates.
The ``lang`` attribute is used when it is consistent with the script.
"""

from __future__ import annotations

import re

from .arabic import script_counts

_PERSIAN = "پچژگکی"
_KURDISH = "ێۆڕڵەڤ"
_ARABIC_ONLY = "ةيك"  # Arabic ya/kaf/ta marbuta: rare in Persian text
_ARABIC_SCRIPT_LANGS = frozenset({"ar", "fa", "ku", "ckb", "ur", "ps"})
_STOPWORDS = {
    "en": {"the", "and", "of", "to", "in", "is", "that", "for", "was", "with"},
    "fr": {"le", "la", "les", "des", "et", "est", "une", "dans", "du", "que"},
    "tr": {"ve", "bir", "bu", "için", "ile", "da", "de", "olarak", "daha", "çok"},
    "de": {"der", "die", "und", "das", "ist", "nicht", "mit", "den", "von", "zu"},
    "es": {"el", "los", "las", "del", "y", "que", "por", "una", "con", "para"},
}
_WORD_RE = re.compile(r"[a-zçğıöşüéèàâêîôûäß]+")


def _primary(lang_attr: str | None) -> str | None:
    if not lang_attr:
        return None
    primary = lang_attr.strip().lower().replace("_", "-").split("-")[0]
    return primary if 2 <= len(primary) <= 3 and primary.isalpha() else None


def _count(text: str, letters: str) -> int:
    # str.count per letter: a regex findall would build a list of every match (issue 8)
    return sum(text.count(letter) for letter in letters)


def detect_language(text: str, lang_attr: str | None = None) -> str | None:
    """Detect the language of a text.

    Args:
        text: Extracted text (the title helps when the body is empty).
        lang_attr: The page's ``<html lang>`` value, if any.

    Returns:
        An ISO 639-1 code ("ar", "fa", "ku", "en", "fr", "tr", ...) or None
        when there is too little text and no usable ``lang`` attribute.
    """
    declared = _primary(lang_attr)
    if declared == "ckb":
        declared = "ku"
    sample = text[:4000]  # enough to decide; counting letters is the costly part
    arabic, latin = script_counts(sample)
    if arabic + latin < 20:
        return declared
    if arabic >= latin:
        if declared in _ARABIC_SCRIPT_LANGS and declared != "ar":
            return declared
        kurdish, persian, arabic_marks = (_count(sample, letters)
                                          for letters in (_KURDISH, _PERSIAN, _ARABIC_ONLY))
        if kurdish > 0.01 * arabic:
            return "ku"
        if persian > 0.02 * arabic and persian > arabic_marks:
            return "fa"
        return "ar"
    if declared and declared not in _ARABIC_SCRIPT_LANGS:
        return declared
    words = _WORD_RE.findall(sample.lower())
    best, best_hits = None, 0
    for lang, stops in _STOPWORDS.items():
        hits = sum(1 for w in words if w in stops)
        if hits > best_hits:
            best, best_hits = lang, hits
    return best if best_hits >= 3 else None
