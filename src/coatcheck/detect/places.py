"""LOCATION from a gazetteer of countries, states, regions and cities of 50,000 people or more.

A place whose name is also a common word or a person's name ("Nice", "Reading", "Austin", "Paris") needs a
preposition before it ("in Nice", "from Austin"); the rest need only be capitalized. Street addresses are found
by :mod:`coatcheck.detect.addresses`, which uses :func:`place_at` for the city and country after a street.

Places no list holds are found from their surroundings: "lives in X", "X bridge", and the city line of an
address block (below a street, above a country, region code or postcode).
"""

from __future__ import annotations

from functools import cache
from itertools import compress
from operator import and_

from coatcheck.detect._lexicon import NOT_NAMES, PLACE_NOUNS, english_words, first_names, last_names, read_lines
from coatcheck.detect._tokens import Tokens, line_start, next_line, tokenize
from coatcheck.detect.types import Entity

__all__ = ["country_first_words", "find_locations", "place_at"]

_RULE = "location_gazetteer"
_PARTICLES = frozenset(
    "de da do dos das del la las los le les el of and am an on upon sur en di al the im ob bei nad pod pri na".split()
)
_CUES = frozenset(
    """in from to at near visit visiting visited around across outside via into toward towards through
    born live lives living moved based located relocating relocated flying flew travel travelling traveling
    trip office offices headquartered""".split()
)
_PLACE_CUES = frozenset(
    {
        ("lives", "in"),
        ("live", "in"),
        ("living", "in"),
        ("moved", "here", "from"),
        ("moved", "from"),
        ("moved", "to"),
        ("i'm", "in"),
        ("i", "am", "in"),
        ("flew", "to"),
        ("fly", "to"),
        ("flying", "to"),
        ("returned", "to"),
        ("based", "in"),
        ("located", "in"),
        ("grew", "up", "in"),
        ("originally", "from"),
        ("born", "in"),
        ("arrived", "at"),
        ("arrived", "in"),
        ("where", ":"),
        ("home", "city"),
        ("travel", "to"),
        ("travelling", "to"),
        ("traveling", "to"),
        ("trip", "to"),
        ("relocated", "to"),
        ("relocating", "to"),
        ("street", "in"),
        ("avenue", "in"),
        ("road", "in"),
    }
)
_CUE_ENDS = frozenset(cue[-1] for cue in _PLACE_CUES)
_PERSON_TOO = frozenset(("to", "at", "with", "via"))  # cues that precede people as well
_SCORES = {"country": 0.85, "state": 0.85, "region": 0.8, "metro": 0.85, "city": 0.8}
# Countries, states and big cities whose name is also a common word or name; smaller cities are checked
# against the word and name lists instead.
_AMBIGUOUS = frozenset(
    "phoenix jordan georgia chad turkey guinea victoria virginia carolina indiana washington lincoln "
    "columbia charlotte madison jackson austin houston".split()
)


@cache
def _index() -> dict[str, tuple[tuple[tuple[str, ...], str], ...]]:
    """First lowercase token -> (token tuple, kind), longest first."""
    table: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for line in read_lines("places.tsv"):
        kind, _, name = line.partition("\t")
        words = tuple(tokenize(name).low)
        if words:
            table.setdefault(words[0], []).append((words, kind))
    return {k: tuple(sorted(v, key=lambda e: -len(e[0]))) for k, v in table.items()}


@cache
def country_first_words() -> frozenset[str]:
    """Lowercase first words of the gazetteer's country names ("united", "norway")."""
    return frozenset(k for k, entries in _index().items() if any(kind == "country" for _, kind in entries))


def place_at(toks: Tokens, i: int) -> tuple[int, str] | None:
    """(end index, kind) of the longest capitalized gazetteer place starting at token ``i``, else None."""
    entries = _index().get(toks.low[i])
    if not entries or not toks.cap[i]:
        return None
    n = toks.n
    low, cap = toks.low, toks.cap
    for words, kind in entries:
        end = i + len(words)
        if end > n:
            continue
        for k in range(1, len(words)):
            w = words[k]
            if low[i + k] != w or not (w in _PARTICLES or cap[i + k] or not toks.text[i + k][0].isalpha()):
                break
        else:
            return end, kind
    return None


def _ambiguous(toks: Tokens, i: int, end: int, kind: str) -> bool:
    """A one-word place that is also an English word or a person's name."""
    if end - i != 1:
        return False
    key = toks.low[i]
    if kind != "city":
        return key in _AMBIGUOUS
    return key in english_words() or key in first_names() or key in last_names() or len(key) <= 3


def _name_part(key: str) -> bool:
    return (key in first_names() or key in last_names()) and key not in english_words()


def find_locations(text: str, toks: Tokens, taken: set[int]) -> list[Entity]:
    """LOCATION entities from the gazetteer, skipping tokens in ``taken``."""
    out: list[Entity] = []
    n = toks.n
    if not n:
        return out
    index = _index()
    low, up, cap, words = toks.low, toks.up, toks.cap, toks.text
    pos = 0
    for i in compress(range(n), map(and_, up, map(index.__contains__, low))):
        if i < pos or i in taken:
            continue
        hit = place_at(toks, i)
        if hit is None:
            continue
        end, kind = hit
        score = _SCORES[kind]
        if words[i].isupper() and len(words[i]) > 3:
            score -= 0.1
        if end - i == 1 and end < n and cap[end] and _name_part(toks.key[end]):
            pos = end + 1  # "Paris Hilton": a name, not a place
            continue
        if _ambiguous(toks, i, end, kind):
            cue = i > 0 and low[i - 1] in _CUES
            if cue and end - i == 1 and low[i - 1] in _PERSON_TOO and low[i] in first_names():
                # "said to David", "shouted at Austin": a person as often as a place; a verb of travel decides
                cue = i > 1 and (low[i - 2], low[i - 1]) in _PLACE_CUES
            after_comma = i > 1 and words[i - 1] == "," and words[i - 2][0].isupper()
            if not (cue or after_comma):
                pos = end
                continue
            score = 0.7
        if end + 2 < n and low[end] == "(" and cap[end + 1] and low[end + 2] == ")":
            end += 3  # "Cyprus (Greek)", "Springfield (Illinois)"
        s, e = toks.start[i], toks.end[end - 1]
        out.append(Entity("LOCATION", s, e, score, _RULE, text[s:e]))
        pos = end
    return out + _by_context(text, toks, taken, out)


def _run_end(toks: Tokens, i: int) -> int:
    """End of a capitalized place-like run at ``i`` ("Olešnice na Morave", "PUCH BEI HALLEIN"), else ``i``."""
    n = toks.n
    cap, low = toks.cap, toks.low
    k = i
    while k < n and k < i + 4:
        if cap[k] and toks.key[k] not in NOT_NAMES and low[k].replace("-", "").replace("'", "").isalpha():
            k += 1
        elif k > i and low[k] in _PARTICLES and k + 1 < n and cap[k + 1]:
            k += 1
        else:
            break
    return k


def _region_or_postcode(word: str) -> bool:
    """A state or county code ("ST", "NSW") or a postcode ("8913", "94103-1234") standing on its own line."""
    return (2 <= len(word) <= 3 and word.isalpha() and word.isupper()) or word.replace("-", "").isdigit()


def _line_above_taken(toks: Tokens, i: int, taken: set[int]) -> bool:
    """Whether the last word of the line above token ``i`` belongs to another rule's finding (an address)."""
    low = toks.low
    j = i - 1
    while j >= 0 and low[j] != "\n":
        j -= 1
    while j >= 0 and (low[j] == "\n" or not toks.text[j][0].isalnum()):
        j -= 1
    return j >= 0 and j in taken


def _by_context(text: str, toks: Tokens, taken: set[int], known: list[Entity]) -> list[Entity]:
    """Places no list holds, from what surrounds them: "lives in X", "flew to X", "X bridge", a line of its
    own above a line that starts with a country."""
    out: list[Entity] = []
    starts = {e.start for e in known}
    n = toks.n
    low, key, words = toks.low, toks.key, toks.text
    nouns = not PLACE_NOUNS.isdisjoint(low)
    for i in compress(range(n), toks.cap):
        if i in taken or toks.start[i] in starts or key[i] in NOT_NAMES:
            continue
        j = i - 1
        while j >= 0 and j >= i - 3 and low[j] == ",":
            j -= 1
        cue = j >= 0 and j >= i - 3 and low[j] in _CUE_ENDS
        if cue:
            before = tuple(w for w in low[max(0, i - 3) : i] if w != ",")
            cue = any(before[-k:] in _PLACE_CUES for k in (1, 2, 3) if len(before) >= k)
        prev = low[i - 1] if i else "\n"
        own_line = prev == "\n" or (not prev[0].isalnum() and line_start(toks, i))
        if not (cue or nouns or own_line):
            continue
        end = _run_end(toks, i)
        if end == i:
            continue
        noun = end < n and low[end] in PLACE_NOUNS and not words[end][0].isupper()
        line = own_line and end < n and low[end] == "\n" and (nxt := next_line(toks, end)) >= 0
        below_address = line and _line_above_taken(toks, i, taken)
        # the next line is a country, or the line above is a street and the next a region code or postcode
        line = line and (
            ((hit := place_at(toks, nxt)) is not None and hit[1] == "country")
            or (below_address and _region_or_postcode(words[nxt]))
        )
        below_address = below_address and line
        if (cue or noun or line) and not (end - i == 1 and key[i] in first_names() and not (cue or below_address)):
            s, e = toks.start[i], toks.end[end - 1]
            out.append(Entity("LOCATION", s, e, 0.7 if cue else 0.65, _RULE, text[s:e]))
            starts.add(s)
    return out
