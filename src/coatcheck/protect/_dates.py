"""Read a date in the common written forms and write another date back in exactly the same form."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["ParsedDate", "parse_date"]

_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9
_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))

_NUMERIC = re.compile(r"^(\d{1,4})([-/.])(\d{1,2})\2(\d{2}|\d{4})$")
_MDY_TEXT = re.compile(rf"^({_MONTH_RE})(\.?)(\s+)(\d{{1,2}})(st|nd|rd|th)?(,?\s+)(\d{{4}})$", re.IGNORECASE)
_DMY_TEXT = re.compile(rf"^(\d{{1,2}})(st|nd|rd|th)?(\s+)({_MONTH_RE})(\.?)(,?\s+)(\d{{4}})$", re.IGNORECASE)
_MY_TEXT = re.compile(rf"^({_MONTH_RE})(\.?)(,?\s+)(\d{{4}})$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ParsedDate:
    """A date plus how to write any other date in the same form."""

    date: dt.date
    render: Callable[[dt.date], str]
    render_month: Callable[[dt.date], str]
    has_day: bool = True


def _pad(value: int, width: int) -> str:
    return f"{value:0{width}d}" if width > 1 else str(value)


def _month_word(original: str, month: int) -> str:
    full = calendar.month_name[month]
    word = (
        full
        if len(original) > 3 and original.lower() == calendar.month_name[_MONTHS[original.lower()]].lower()
        else calendar.month_abbr[month]
    )
    if original.isupper():
        return word.upper()
    return word.lower() if original.islower() else word


def _ordinal(day: int) -> str:
    return "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


def _safe(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def parse_date(value: str) -> ParsedDate | None:
    """Parse ``value`` (ISO, US or European numeric, or with a month name); None when it is no date."""
    text = value.strip()
    if m := _NUMERIC.match(text):
        return _parse_numeric(m)
    if m := _MDY_TEXT.match(text):
        mon, dot, sp1, day_s, suffix, sep, year_s = m.groups()
        date = _safe(int(year_s), _MONTHS[mon.lower()], int(day_s))
        if date is None:
            return None
        w = 2 if day_s.startswith("0") else 1

        def mdy(d: dt.date) -> str:
            sfx = _ordinal(d.day) if suffix else ""
            return f"{_month_word(mon, d.month)}{dot}{sp1}{_pad(d.day, w)}{sfx}{sep}{d.year}"

        return ParsedDate(date, mdy, lambda d: f"{_month_word(mon, d.month)}{dot} {d.year}")
    if m := _DMY_TEXT.match(text):
        day_s, suffix, sp1, mon, dot, sep, year_s = m.groups()
        date = _safe(int(year_s), _MONTHS[mon.lower()], int(day_s))
        if date is None:
            return None
        w = 2 if day_s.startswith("0") else 1

        def dmy(d: dt.date) -> str:
            sfx = _ordinal(d.day) if suffix else ""
            return f"{_pad(d.day, w)}{sfx}{sp1}{_month_word(mon, d.month)}{dot}{sep}{d.year}"

        return ParsedDate(date, dmy, lambda d: f"{_month_word(mon, d.month)}{dot} {d.year}")
    if m := _MY_TEXT.match(text):
        mon, dot, sep, year_s = m.groups()
        date = _safe(int(year_s), _MONTHS[mon.lower()], 1)
        if date is None:
            return None

        def my(d: dt.date) -> str:
            return f"{_month_word(mon, d.month)}{dot}{sep}{d.year}"

        return ParsedDate(date, my, my, has_day=False)
    return None


def _parse_numeric(m: re.Match[str]) -> ParsedDate | None:
    a, sep, b, c = m.groups()
    if len(a) == 4:
        date = _safe(int(a), int(b), int(c))
        if date is None:
            return None
        wb, wc = len(b), len(c)
        return ParsedDate(
            date,
            lambda d: f"{d.year}{sep}{_pad(d.month, wb)}{sep}{_pad(d.day, wc)}",
            lambda d: f"{d.year}{sep}{_pad(d.month, wb)}",
        )
    if len(a) > 2:
        return None
    two_digit_year = len(c) == 2
    year = int(c) + (1900 if int(c) > 30 else 2000) if two_digit_year else int(c)
    day_first = sep == "." or int(a) > 12
    day_s, month_s = (a, b) if day_first else (b, a)
    date = _safe(year, int(month_s), int(day_s))
    if date is None:
        return None
    wd, wm = len(day_s), len(month_s)

    def year_text(d: dt.date) -> str:
        return f"{d.year % 100:02d}" if two_digit_year else str(d.year)

    def render(d: dt.date) -> str:
        day, month = _pad(d.day, wd), _pad(d.month, wm)
        first, second = (day, month) if day_first else (month, day)
        return f"{first}{sep}{second}{sep}{year_text(d)}"

    return ParsedDate(date, render, lambda d: f"{_pad(d.month, wm)}{sep}{year_text(d)}")
