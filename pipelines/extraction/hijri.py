"""Hijri (Islamic) to Gregorian date conversion.

Gulf and Iraqi pages sometimes date articles only in the Hijri calendar
("5 رمضان 1445 هـ"). Official dates follow Saudi Umm al-Qura, which is an
observational table, not a formula: when the ``hijridate`` package is
installed (a small, maintained Umm al-Qura table for 1343-1500 AH) it is used.
Otherwise the arithmetic (tabular, "Kuwaiti") calendar is the fallback; it can
be a day or two off, which is why :func:`hijri_to_gregorian` accepts a weekday
hint to pull the result onto the day the page itself names.
"""

from __future__ import annotations

import datetime as dt
import logging

LOGGER = logging.getLogger(__name__)

try:  # optional: exact Umm al-Qura table
    from hijridate import Hijri as _UmmAlQura
except ImportError:  # pragma: no cover - depends on the environment
    _UmmAlQura = None

# Julian day number of 1 Muharram 1 AH, "astronomical" epoch (Thursday 15 July 622
# Julian): measured against Umm al-Qura for 1400-1499 AH it lands on the same
# day for most months, where the civil epoch (16 July) is mostly one day late.
_ISLAMIC_EPOCH_JDN = 1948439


def _tabular_to_jdn(year: int, month: int, day: int) -> int:
    """Julian day number of a date in the tabular Islamic calendar."""
    return (
        day
        + int((29.5 * (month - 1)) + 0.99)  # months alternate 30/29 days
        + (year - 1) * 354
        + (3 + 11 * year) // 30  # leap days in the 30-year cycle
        + _ISLAMIC_EPOCH_JDN
        - 1
    )


def tabular_hijri_to_gregorian(year: int, month: int, day: int) -> dt.date:
    """Convert with the arithmetic Islamic calendar (no table needed).

    Args:
        year: Hijri year.
        month: Hijri month, 1-12.
        day: Hijri day, 1-30.

    Returns:
        The Gregorian date (may differ from Umm al-Qura by a day or two).
    """
    jdn = _tabular_to_jdn(year, month, day)
    # date.fromordinal(1) is JDN 1721426
    return dt.date.fromordinal(jdn - 1721425)


def hijri_to_gregorian(
    year: int, month: int, day: int, weekday: int | None = None
) -> dt.date | None:
    """Convert a Hijri date to Gregorian.

    Args:
        year: Hijri year (1300-1600 accepted).
        month: Hijri month, 1-12.
        day: Hijri day, 1-30.
        weekday: Optional Python weekday (Monday=0) named next to the date on
            the page; a tabular result one or two days off is moved onto it.

    Returns:
        The Gregorian date, or None when the input is out of range.
    """
    if not (1300 <= year <= 1600 and 1 <= month <= 12 and 1 <= day <= 30):
        return None
    if _UmmAlQura is not None:
        try:
            return _UmmAlQura(year, month, day).to_gregorian()
        except (ValueError, OverflowError):
            LOGGER.debug("Umm al-Qura table rejected %s-%s-%s", year, month, day)
    result = tabular_hijri_to_gregorian(year, month, day)
    if weekday is not None:
        for shift in (0, -1, 1, -2, 2):
            candidate = result + dt.timedelta(days=shift)
            if candidate.weekday() == weekday:
                return candidate
    return result
