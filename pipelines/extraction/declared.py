"""Parse machine-readable date values from meta tags, JSON-LD and attributes.

Declared dates come as ISO 8601 in many dialects ("2020-06-03T03:01+0400"
without a colon or seconds, "2020-06-03 03:01:00", "Z", "GMT"), as RFC 2822,
and on some Arabic CMSes as Arabic text in the ``content`` attribute. The
time of day and the offset are kept when present: trafilatura drops them
(FINDINGS), and the archive wants them.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re

from .arabic import collapse_ws, to_ascii_digits
from .arabic_dates import find_dates

_ISO_RE = re.compile(
    r"^\s*(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[T\s]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?"
    r"\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?)?",
    re.IGNORECASE,
)


def parse_declared(value: str | None) -> tuple[str, dt.date, dt.datetime | None] | None:
    """Parse a machine-readable date (ISO 8601, RFC 2822, or Arabic text).

    Args:
        value: The attribute/meta content.

    Returns:
        ``(iso_string, date, aware_or_naive_datetime_or_None)`` or None.
    """
    if not value:
        return None
    value = to_ascii_digits(value.strip())
    m = _ISO_RE.match(value)
    if m:
        year, month, day = int(m[1]), int(m[2]), int(m[3])
        try:
            date = dt.date(year, month, day)
        except ValueError:
            return None
        if m[4] is None:
            return date.isoformat(), date, None
        tz = _tz(m[7])
        try:
            when = dt.datetime(year, month, day, int(m[4]), int(m[5]), int(m[6] or 0), tzinfo=tz)
        except ValueError:
            return date.isoformat(), date, None
        return when.isoformat(), date, when
    try:
        when = email.utils.parsedate_to_datetime(value)
        return when.isoformat(), when.date(), when
    except (TypeError, ValueError, IndexError):
        pass
    found = find_dates(value)
    if found and len(collapse_ws(value)) <= 80:
        return found[0].iso(), found[0].date, None
    return None


def _tz(text: str | None) -> dt.tzinfo | None:
    if not text:
        return None
    if text.upper() in ("Z", "UTC", "GMT"):
        return dt.timezone.utc
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    if hours > 14 or minutes > 59:
        return None
    return dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))
