"""One tokenization shared by the name, place, organization, address and medical rules.

The rules scan tokens, not characters, so each text is tokenized once, into parallel lists (``toks.low[i]``)
rather than one object per token: building the lists takes C-level passes only (``map``, ``accumulate``),
which on a 90-character message costs a third of what token objects did. The pattern is Python ``re``, not
``re2``: every alternative is a plain character class run with separators that must be followed by another
run, so matching is linear, and ``re2`` costs ten times more per call from Python on short messages.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from itertools import accumulate, compress
from operator import add, itemgetter, methodcaller, sub

__all__ = ["Tokens", "is_cap", "line_start", "next_line", "sentence_start", "tokenize"]

# A word: letter/digit runs joined by an apostrophe, hyphen or dot that is followed by another run
# ("O'Brien", "Jean-Luc", "2.3.1", "U.S"); a literal backslash-n (JSON-escaped text) or a newline; or any
# other single non-space character. Splitting on it (a capturing group) alternates blank runs and tokens, so
# offsets follow from lengths.
_TOKEN = re.compile(r"([^\W_]+(?:['’\-.][^\W_]+)*|\\[nr]|\n|\S)")
_ASCII_DIGIT = re.compile(r"[0-9]")
_ESCAPES = frozenset(("\\n", "\\r"))
_first = itemgetter(0)
_possessive = methodcaller("endswith", ("'s", "’s"))


class Tokens:
    """The tokens of one text as parallel lists, indexed by token number.

    Attributes:
        text: each token as written.
        low: lowercase form; a literal ``\\n`` (JSON-escaped text) is ``"\\n"``, a line break.
        start: offset of the first character.
        end: offset after the last character.
        key: ``low`` without a possessive ``'s`` (``Chen's`` -> ``chen``).
        key_end: ``end`` without the possessive.
        up: whether the first character is uppercase.
        cap: title case or all caps (``Sarah``, ``O'Brien``, ``NASA``; not ``A4``).
        n: the number of tokens.

    ``digits=False`` promises that no token holds a digit, which skips a check.
    """

    __slots__ = ("cap", "end", "key", "key_end", "low", "n", "start", "text", "up")

    def __init__(
        self,
        text: list[str],
        low: list[str],
        start: list[int],
        end: list[int],
        key: list[str] | None = None,
        key_end: list[int] | None = None,
        digits: bool = True,
    ) -> None:
        self.text = text
        self.low = low
        self.start = start
        self.end = end
        self.key = low if key is None else key
        self.key_end = end if key_end is None else key_end
        self.n = len(text)
        self.up = up = list(map(str.isupper, map(_first, text)))
        self.cap = up
        if digits:  # "A4", "Q3": a capital and a digit is a code, not a capitalized word
            cap = list(up)
            for i in compress(range(self.n), up):
                word = text[i]
                if len(word) > 1 and word[1].isdigit():
                    cap[i] = False
            self.cap = cap

    def __len__(self) -> int:
        return self.n

    def __repr__(self) -> str:
        return f"Tokens(n={self.n})"  # never the words: they may be personal data

    def subset(self, indices: Iterable[int]) -> Tokens:
        """The tokens at ``indices``, in that order (offsets unchanged)."""
        keep = list(indices)
        return Tokens(
            [self.text[i] for i in keep],
            [self.low[i] for i in keep],
            [self.start[i] for i in keep],
            [self.end[i] for i in keep],
            [self.key[i] for i in keep],
            [self.key_end[i] for i in keep],
        )


def tokenize(text: str) -> Tokens:
    """Split ``text`` into tokens; a literal ``\\n`` becomes a line-break token."""
    parts = _TOKEN.split(text)
    words = parts[1::2]
    lengths = list(map(len, words))
    ends = list(accumulate(map(add, map(len, parts[0::2]), lengths)))
    starts = list(map(sub, ends, lengths))
    lows = list(map(str.lower, words))
    keys, key_ends = lows, ends
    if "\\" in text:
        for i in compress(range(len(words)), map(_ESCAPES.__contains__, words)):
            lows[i] = "\n"  # an escaped line break
    if "'s" in text or "’s" in text or "'S" in text or "’S" in text:
        keys, key_ends = list(lows), list(ends)
        for i in compress(range(len(words)), map(_possessive, lows)):
            if len(lows[i]) > 2:
                keys[i] = lows[i][:-2]
                key_ends[i] = ends[i] - 2
    digits = not text.isascii() or _ASCII_DIGIT.search(text) is not None
    return Tokens(words, lows, starts, ends, keys, key_ends, digits)


def is_cap(toks: Tokens, i: int) -> bool:
    """Title case or all caps: ``Sarah``, ``O'Brien``, ``NASA``."""
    return toks.cap[i]


_OPENERS = frozenset(("'", '"', "“", "‘", "(", "*", ">", "-", "•"))
_BOUNDARY = frozenset(
    {".", "!", "?", "\n", "\\n", "\\r", ":", ";", '"', "“", "”", "(", "[", "-", "–", "—", "*", ">", "•", "|"}
)


def sentence_start(toks: Tokens, i: int) -> bool:
    """Whether token ``i`` opens a sentence or a line, where any word is capitalized."""
    text = toks.text
    j = i - 1
    while j >= 0 and text[j] in _OPENERS:
        j -= 1
    return j < 0 or text[j] in _BOUNDARY


_LINE_JUNK = frozenset("} { ? * > - • | # ~ = _ .".split())


def line_start(toks: Tokens, i: int) -> bool:
    """Whether token ``i`` is the first word of a line (bullets and quote marks such as ``}}`` or ``>`` skipped)."""
    low = toks.low
    j = i - 1
    while j >= 0 and low[j] in _LINE_JUNK:
        j -= 1
    return j < 0 or low[j] == "\n"


def next_line(toks: Tokens, i: int, blank: int = 1) -> int:
    """Index of the first word of the line after a line break at ``i`` (skipping up to ``blank`` empty lines and
    leading bullets), or -1 when ``i`` is not a line break."""
    low = toks.low
    n = toks.n
    if i >= n or low[i] != "\n":
        return -1
    j = i + 1
    breaks = 0
    while j < n and (low[j] in _LINE_JUNK or (low[j] == "\n" and breaks < blank)):
        breaks += low[j] == "\n"
        j += 1
    return j if j < n and low[j] != "\n" else -1
