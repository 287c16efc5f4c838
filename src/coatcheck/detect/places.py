"""LOCATION from a gazetteer of countries, states, regions and cities of 50,000 people or more.

A place whose name is also a common word or a person's name ("Nice", "Reading", "Austin", "Paris") needs a
preposition before it ("in Nice", "from Austin"); the rest need only be capitalized. Street addresses are found
by :mod:`coatcheck.detect.addresses`, which uses :func:`place_at` for the city and country after a street.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from coatcheck.detect._lexicon import NOT_NAMES, PLACE_NOUNS, english_words, first_names, last_names, read_lines
from coatcheck.detect._tokens import Tok, is_cap, tokenize
from coatcheck.detect.types import Entity

__all__ = ["find_locations", "place_at"]

_RULE = "location_gazetteer"
_PARTICLES = frozenset("de da do dos das del la le les el of and am an on upon sur en di al the im ob bei".split())
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
    }
)
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
        words = tuple(t.low for t in tokenize(name))
        if words:
            table.setdefault(words[0], []).append((words, kind))
    return {k: tuple(sorted(v, key=lambda e: -len(e[0]))) for k, v in table.items()}


def place_at(toks: Sequence[Tok], i: int) -> tuple[int, str] | None:
    """(end index, kind) of the longest capitalized gazetteer place starting at token ``i``, else None."""
    entries = _index().get(toks[i].low)
    if not entries or not is_cap(toks[i]):
        return None
    n = len(toks)
    for words, kind in entries:
        end = i + len(words)
        if end <= n and all(
            toks[i + k].low == w and (w in _PARTICLES or not toks[i + k].text[0].isalpha() or is_cap(toks[i + k]))
            for k, w in enumerate(words)
        ):
            return end, kind
    return None


def _ambiguous(words: Sequence[Tok], kind: str) -> bool:
    """A one-word place that is also an English word or a person's name."""
    if len(words) != 1:
        return False
    key = words[0].low
    if kind != "city":
        return key in _AMBIGUOUS
    return key in english_words() or key in first_names() or key in last_names() or len(key) <= 3


def _name_part(key: str) -> bool:
    return (key in first_names() or key in last_names()) and key not in english_words()


def find_locations(text: str, toks: Sequence[Tok], taken: set[int]) -> list[Entity]:
    """LOCATION entities from the gazetteer, skipping tokens in ``taken``."""
    out: list[Entity] = []
    n = len(toks)
    i = 0
    while i < n:
        if i in taken or not toks[i].text[0].isupper():
            i += 1
            continue
        hit = place_at(toks, i)
        if hit is None:
            i += 1
            continue
        end, kind = hit
        score = _SCORES[kind]
        if toks[i].text.isupper() and len(toks[i].text) > 3:
            score -= 0.1
        if end - i == 1 and end < n and is_cap(toks[end]) and _name_part(toks[end].key):
            i = end + 1  # "Paris Hilton": a name, not a place
            continue
        if _ambiguous(toks[i:end], kind):
            cue = i > 0 and toks[i - 1].low in _CUES
            after_comma = i > 1 and toks[i - 1].text == "," and toks[i - 2].text[:1].isupper()
            if not (cue or after_comma):
                i = end
                continue
            score = 0.7
        s, e = toks[i].start, toks[end - 1].end
        out.append(Entity("LOCATION", s, e, score, _RULE, text[s:e]))
        i = end
    return out + _by_context(text, toks, taken, out)


def _run_end(toks: Sequence[Tok], i: int) -> int:
    """End of a capitalized place-like run at ``i`` ("Olešnice na Morave", "PUCH BEI HALLEIN"), else ``i``."""
    n = len(toks)
    k = i
    while k < n and k < i + 4:
        tok = toks[k]
        if is_cap(tok) and tok.key not in NOT_NAMES and tok.low.replace("-", "").replace("'", "").isalpha():
            k += 1
        elif k > i and tok.low in _PARTICLES and k + 1 < n and is_cap(toks[k + 1]):
            k += 1
        else:
            break
    return k


def _by_context(text: str, toks: Sequence[Tok], taken: set[int], known: list[Entity]) -> list[Entity]:
    """Places no list holds, from what surrounds them: "lives in X", "flew to X", "X bridge", a line of its
    own above a line that starts with a country."""
    out: list[Entity] = []
    starts = {e.start for e in known}
    n = len(toks)
    for i, tok in enumerate(toks):
        if i in taken or tok.start in starts or not is_cap(tok) or tok.key in NOT_NAMES:
            continue
        end = _run_end(toks, i)
        if end == i:
            continue
        before = tuple(t.low for t in toks[max(0, i - 3) : i] if t.low != ",")
        cue = any(before[-k:] in _PLACE_CUES for k in (1, 2, 3) if len(before) >= k)
        noun = end < n and toks[end].low in PLACE_NOUNS and not toks[end].text[0].isupper()
        line = (i == 0 or toks[i - 1].low == "\n") and end + 1 < n and toks[end].low == "\n"
        line = line and (hit := place_at(toks, end + 1)) is not None and hit[1] == "country"
        if (cue or noun or line) and not (end - i == 1 and tok.key in first_names() and not cue):
            s, e = tok.start, toks[end - 1].end
            out.append(Entity("LOCATION", s, e, 0.7 if cue else 0.65, _RULE, text[s:e]))
            starts.add(s)
    return out
