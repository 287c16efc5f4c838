"""Calendar dates and ages."""

from __future__ import annotations

import datetime as _dt

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
    """A date that exists (1900-2099), in numeric or month-name form.

    A value that carries a time with seconds is a machine timestamp (logs, event times), not a personal
    date, and is rejected on purpose.
    """
    s = value.strip()
    if s.count(":") >= 2:
        return False
    words = s.replace(",", " ").replace(".", " ").split()
    if any(w.lower() in _MONTHS for w in words):
        return _named_date(words)
    head = s.split("T", 1)[0].split(" ", 1)[0]
    for sep in "-/.":
        parts = head.split(sep)
        if len(parts) == 3 and all(is_ascii_digits(p) for p in parts):
            a, b, c = parts
            if len(a) == 4:
                return _valid_ymd(int(a), int(b), int(c))
            if len(c) in (2, 4) and len(a) <= 2 and len(b) <= 2:
                y = _year(c)
                return _valid_ymd(y, int(a), int(b)) or _valid_ymd(y, int(b), int(a))
    return False


def _named_date(words: list[str]) -> bool:
    month = day = year = None
    for w in words:
        low = w.lower()
        if low in ("of", "the"):
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
