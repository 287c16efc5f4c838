"""Calendar dates and ages."""

from __future__ import annotations

import datetime as _dt
import re

from coatcheck.detect.validators._common import digits_of, is_ascii_digits

_MONTHS = {
    name: i
    for i, names in enumerate(
        (
            "jan january",
            "feb february",
            "mar march",
            "apr april",
            "may",
            "jun june",
            "jul july",
            "aug august",
            "sep sept september",
            "oct october",
            "nov november",
            "dec december",
        ),
        start=1,
    )
    for name in names.split()
}


# Day, month and year in some order with one separator, then maybe a time of day (checked apart).
_NUMERIC_DATE = re.compile(r"(\d{1,4})([-/.])(\d{1,2})\2(\d{1,4})(?:([ T])(.*))?", re.ASCII)
_LETTER = re.compile(r"[A-Za-z]")
_SKIPPED = frozenset("of the monday tuesday wednesday thursday friday saturday sunday".split())


def _valid_ymd(y: int | None, m: int, d: int) -> bool:
    year = 2000 if y is None else y  # 2000 is a leap year: Feb 29 without a year is fine
    if not 1900 <= year <= 2099:
        return False
    try:
        _dt.date(year, m, d)
    except ValueError:
        return False
    return True


def _year(text: str) -> int:
    y = int(text)
    return y + (2000 if y < 50 else 1900) if len(text) == 2 else y


def calendar_date(value: str) -> bool:
    """A date that exists (1900-2099), in numeric or month-name form, optionally with a valid time of day.

    Two timestamp layouts only machines write are rejected on purpose: ISO 8601 with a ``T`` and seconds
    (``2024-03-12T10:22:01Z``) and logging's comma milliseconds (``2024-03-12 10:22:01,123``). They stamp
    events in logs; a date and time a person wrote or a record holds (``2024-03-12 10:22:01``) is kept.
    """
    s = value.strip()
    numeric = _NUMERIC_DATE.fullmatch(s)
    if numeric is None:
        if _LETTER.search(s) is None:
            return False
        words = s.replace(",", " ").replace(".", " ").split()
        return any(w.lower() in _MONTHS for w in words) and _named_date(words)
    a, b, c, sep, rest = numeric.group(1, 3, 4, 5, 6)
    if sep and ":" in rest and not _valid_clock(rest.strip(), iso=sep == "T"):
        return False
    if len(a) == 4:
        return _valid_ymd(int(a), int(b), int(c))
    if len(c) in (2, 4) and len(a) <= 2:
        y = _year(c)
        return _valid_ymd(y, int(a), int(b)) or _valid_ymd(y, int(b), int(a))
    return False


def _valid_clock(clock: str, iso: bool) -> bool:
    if "," in clock:
        return False  # 10:22:01,123 is the logging module's layout
    if clock.endswith(("Z", "z")):
        clock = clock[:-1]
    elif len(clock) > 5 and clock[-5] in "+-":
        clock = clock[:-5]
    elif len(clock) > 6 and clock[-6] in "+-":
        clock = clock[:-6]
    hms = clock.split(".", 1)[0].split(":")
    if len(hms) == 3 and iso:
        return False
    if not 2 <= len(hms) <= 3 or not all(is_ascii_digits(p) and len(p) <= 2 for p in hms):
        return False
    limits = (23, 59, 60)
    return all(int(p) <= limit for p, limit in zip(hms, limits, strict=False))


def _named_date(words: list[str]) -> bool:
    month = day = year = None
    for w in words:
        low = w.lower()
        if low in _SKIPPED:
            continue
        if low in _MONTHS and month is None:
            month = _MONTHS[low]
            continue
        num = low[:-2] if low[-2:] in ("st", "nd", "rd", "th") else low
        if not is_ascii_digits(num):
            return False
        if len(num) == 4 and year is None:
            year = int(num)
        elif len(num) <= 2 and day is None:
            day = int(num)
        else:
            return False
    if month is None:
        return False
    if day is None:
        return year is not None and 1900 <= year <= 2099
    return _valid_ymd(year, month, day)


def age(value: str) -> bool:
    """The number in an age phrase is 0-120."""
    d = digits_of(value.split(".", 1)[0])
    return bool(d) and len(d) <= 3 and int(d) <= 120
