"""MEDICAL_CONDITION and MEDICATION from curated gazetteers (src/coatcheck/data/medical_*.txt, medications.txt).

Health data is regulated, so a mention is enough: "has type 2 diabetes", "takes metformin 500 mg". Terms that
are also everyday words ("depression", "stroke", "lithium") count only with a medical word within a few tokens.
A dose right after a medication ("500 mg", "10mg", "2.5 ml") belongs to the finding.
"""

from __future__ import annotations

from functools import cache
from itertools import compress

from coatcheck.detect._lexicon import read_lines
from coatcheck.detect._tokens import Tokens, tokenize
from coatcheck.detect.types import Entity

__all__ = ["find_medical"]

_RULE = "medical_gazetteer"
_UNITS = frozenset(
    "mg mcg µg ug g gram grams kg ml mls l iu units unit tablet tablets tab tabs capsule capsules caps puffs "
    "drops % milligrams micrograms".split()
)
_FORMS = frozenset("er xr xl sr cr dr odt hcl la".split())
_CONTEXT = frozenset(
    """diagnosed diagnosis dx history hx pmh suffers suffer suffering symptoms symptom treated treatment treating
    patient pt prescribed prescription taking takes took medication medications meds mg dose doctor dr clinic
    hospital chronic acute severe mild therapy condition disorder flare comorbid episode episodes attack
    admitted physician nurse medical health""".split()
)
_WINDOW = 6

# (token tuple, type, needs context, case-sensitive)
_Term = tuple[tuple[str, ...], str, bool, bool]


@cache
def _index() -> dict[str, tuple[_Term, ...]]:
    table: dict[str, list[_Term]] = {}
    for file, kind in (("medical_conditions.txt", "MEDICAL_CONDITION"), ("medications.txt", "MEDICATION")):
        for line in read_lines(file):
            vague = line.startswith("?")
            term = line.lstrip("?")
            exact = term != term.lower()
            toks = tokenize(term)
            words = tuple(toks.text if exact else toks.low)
            table.setdefault(words[0].lower(), []).append((words, kind, vague, exact))
    return {k: tuple(sorted(v, key=lambda e: -len(e[0]))) for k, v in table.items()}


def _same(toks: Tokens, i: int, word: str, exact: bool) -> bool:
    if exact:
        return toks.text[i] == word
    low = toks.low[i]
    return low == word or ("’" in low and low.replace("’", "'") == word)


def _dose_end(toks: Tokens, i: int) -> int:
    """End of a dose starting at ``i`` ("500 mg", "10mg", "2.5 ml/day", "ER 750 mg"), else ``i``."""
    n = toks.n
    lows = toks.low
    j = i
    if j < n and lows[j] in _FORMS:
        j += 1
    if j >= n:
        return i
    t = lows[j]
    digits = t.replace(".", "", 1).replace(",", "", 1)
    if digits.isdigit():
        if j + 1 < n and lows[j + 1] in _UNITS:
            end = j + 2
        else:
            return i
    else:
        head = t.rstrip("abcdefghijklmnopqrstuvwxyzµ%")
        if not head or not head.replace(".", "", 1).isdigit() or t[len(head) :] not in _UNITS:
            return i
        end = j + 1
    if end + 1 < n and toks.text[end] == "/" and lows[end + 1] in ("day", "d", "kg", "ml", "dose", "hr", "h"):
        end += 2
    return end


def find_medical(text: str, toks: Tokens) -> list[Entity]:
    """MEDICAL_CONDITION and MEDICATION entities."""
    index = _index()
    out: list[Entity] = []
    n = toks.n
    lows = toks.low
    if "’" in text:
        lows = [low.replace("’", "'") for low in lows]
    if index.keys().isdisjoint(lows):
        return out
    pos = 0
    for i in compress(range(n), map(index.__contains__, lows)):
        if i < pos:
            continue
        for words, kind, vague, exact in index[lows[i]]:
            end = i + len(words)
            if end > n or not all(_same(toks, i + k, w, exact) for k, w in enumerate(words)):
                continue
            if end < n and toks.text[end][0].isalnum() and toks.start[end] == toks.end[end - 1]:
                continue
            score = 0.85
            if kind == "MEDICATION":
                dose = _dose_end(toks, end)
                if dose > end:
                    end, score = dose, 0.9
            if vague and score < 0.9:
                near = toks.low[max(0, i - _WINDOW) : min(n, end + _WINDOW)]
                if _CONTEXT.isdisjoint(near):
                    continue
                score = 0.75
            s, e = toks.start[i], toks.end[end - 1]
            out.append(Entity(kind, s, e, score, _RULE, text[s:e]))
            pos = end
            break
    return out
