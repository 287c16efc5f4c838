"""See through Unicode tricks while keeping offsets into the original string.

Detectors run on a normalized copy: non-ASCII decimal digits become ASCII, full-width forms become ASCII,
zero-width and other format characters (and lone surrogates) disappear, common Cyrillic/Greek homoglyphs become
their Latin twins, dashes and spaces become ``-`` and `` ``. `Normalized.span` maps a normalized span back to
the whole original span, so protection covers every character the user typed.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache

__all__ = ["Normalized", "normalize"]

_NON_ASCII = re.compile(r"[^\x00-\x7f]")  # a single character class: linear, no backtracking

_HOMOGLYPHS = {
    # Cyrillic
    "а": "a", "в": "b", "е": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c", "т": "t",
    "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s", "ԁ": "d", "ԛ": "q", "ԝ": "w", "ү": "y", "һ": "h",
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C", "Т": "T",
    "Х": "X", "І": "I", "Ј": "J", "Ѕ": "S", "Ү": "Y",
    # Greek
    "α": "a", "ο": "o", "ρ": "p", "ι": "i", "κ": "k", "ν": "v", "υ": "u", "χ": "x", "Α": "A", "Β": "B",
    "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T",
    "Υ": "Y", "Χ": "X",
    # Latin look-alikes and lookalike punctuation
    "ı": "i", "ɡ": "g", "ℓ": "l", "․": ".", "‧": ".", "·": ".", "∙": ".", "⁄": "/", "∕": "/", "＼": "\\",
}  # fmt: skip


@lru_cache(maxsize=8192)
def _normalize_char(ch: str) -> str:
    """What one non-ASCII character becomes for detection ('' drops it)."""
    mapped = _HOMOGLYPHS.get(ch)
    if mapped is not None:
        return mapped
    category = unicodedata.category(ch)
    if category in ("Cf", "Cs"):  # zero-width, bidi controls, soft hyphen, BOM; lone surrogates
        return ""
    if category == "Nd":
        return str(unicodedata.decimal(ch))
    if category == "Zs":
        return " "
    if category == "Pd":
        return "-"
    code = ord(ch)
    if 0xFF00 <= code <= 0xFFEF or 0xFE50 <= code <= 0xFE6F:  # full-width / small forms
        folded = unicodedata.normalize("NFKC", ch)
        if folded.isascii():
            return folded
    return ch


@dataclass(frozen=True, slots=True)
class Normalized:
    """The normalized text plus the map back to the original.

    The map is a list of anchors: from normalized index ``norm[i]`` on, either an identity run starting at
    original index ``orig[i]`` (``run[i]`` True) or the expansion of the single original character at
    ``orig[i]``. An empty anchor list means the text did not change.
    """

    text: str
    original: str = field(repr=False)
    _norm: tuple[int, ...] = ()
    _orig: tuple[int, ...] = ()
    _run: tuple[bool, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self._norm)

    def _locate(self, index: int) -> tuple[int, int]:
        """Original (start, end) of the normalized character at ``index``."""
        i = bisect_right(self._norm, index) - 1
        if self._run[i]:
            start = self._orig[i] + (index - self._norm[i])
            return start, start + 1
        return self._orig[i], self._orig[i] + 1

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a normalized span ``[start, end)`` to the original string."""
        if not self._norm or start >= end:
            return start, end
        return self._locate(start)[0], self._locate(end - 1)[1]


def normalize(text: str) -> Normalized:
    """Return the detection view of ``text``; ASCII text is returned as is, at no cost."""
    if text.isascii():
        return Normalized(text, text)
    pieces: list[str] = []
    norm: list[int] = []
    orig: list[int] = []
    run: list[bool] = []
    position = 0
    normalized_length = 0
    for match in _NON_ASCII.finditer(text):
        index = match.start()
        replacement = _normalize_char(text[index])
        if replacement == text[index]:
            continue
        if index > position:
            norm.append(normalized_length)
            orig.append(position)
            run.append(True)
            pieces.append(text[position:index])
            normalized_length += index - position
        if replacement:
            norm.append(normalized_length)
            orig.append(index)
            run.append(len(replacement) == 1)  # a 1:1 swap behaves like a one-character run
            pieces.append(replacement)
            normalized_length += len(replacement)
        position = index + 1
    if not norm and position == 0:
        return Normalized(text, text)
    if position < len(text):
        norm.append(normalized_length)
        orig.append(position)
        run.append(True)
        pieces.append(text[position:])
    return Normalized("".join(pieces), text, tuple(norm), tuple(orig), tuple(run))
