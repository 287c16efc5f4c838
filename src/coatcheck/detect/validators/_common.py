"""Small helpers shared by the validator modules."""

from __future__ import annotations

import math
from collections import Counter

from coatcheck.detect.validators._tables import PLACEHOLDER_PARTS, PLACEHOLDER_WORDS

_DIGITS = frozenset("0123456789")


def digits_of(value: str) -> str:
    return "".join([ch for ch in value if ch in _DIGITS])


def is_ascii_digits(value: str) -> bool:
    """ASCII digits only: ``str.isdigit`` also accepts superscripts, which ``int`` then rejects."""
    return value.isascii() and value.isdigit()


def all_same(value: str) -> bool:
    return len(set(value)) <= 1


def not_repeated(value: str) -> bool:
    """At least two different characters (``000000000`` and ``AAAAAAAA`` are fillers, not identifiers)."""
    return not all_same("".join(ch for ch in value if ch.isalnum()))


def shannon_entropy(value: str) -> float:
    """Bits per character of ``value`` (0.0 for an empty string)."""
    if not value:
        return 0.0
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in Counter(value).values())


def is_placeholder(value: str) -> bool:
    low = value.lower()
    if low.strip("'\"`") in PLACEHOLDER_WORDS or all_same(low):
        return True
    return any(part in low for part in PLACEHOLDER_PARTS)
