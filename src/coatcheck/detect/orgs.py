"""ORGANIZATION by its legal form or kind: ``Acme Widgets Inc.``, ``St. Mary's Hospital``, ``University of Utah``.

A legal suffix (Inc, LLC, GmbH...) is enough on its own; a generic one (Group, Systems, Bank...) also needs a
word before it that is not an ordinary English word, so "the Build Systems dashboard" stays unflagged.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from coatcheck.detect._lexicon import EPONYMS, NOT_NAMES, english_words
from coatcheck.detect._tokens import Tok, is_cap, tokenize
from coatcheck.detect.types import Entity

__all__ = ["ORG_WORDS", "find_orgs", "is_eponym"]

_RULE = "org_suffix"
_LEGAL = frozenset(
    """inc incorporated llc l.l.c ltd limited corp corporation co gmbh ag sa s.a sas sarl nv n.v bv b.v plc llp
    lp pty pte kg kgaa oy oyj ab asa spa s.p.a srl bhd tbk""".split()
)
_GENERIC = frozenset(
    """company group holdings holding partners associates bank bancorp bancshares hospital hospitals clinic
    university college institute foundation association society agency trust technologies systems industries
    enterprises pharmaceuticals pharma therapeutics labs laboratories capital ventures insurance airlines airways
    motors studios media consulting healthcare""".split()
)
ORG_WORDS = (
    _LEGAL
    | _GENERIC
    | frozenset(
        "inc. ltd. corp. co. association committee council fund trust club team union agency department".split()
    )
)
# Heads that make an organization even after ordinary words ("Mercy Hospital", "Community College").
_INSTITUTIONS = frozenset("hospital hospitals clinic university college institute foundation bank".split())
_OF_HEADS = frozenset("university bank institute college hospital school academy museum ministry department".split())
_JOINERS = frozenset({"&", "and", "the", "de", "der", "für", "-", "+", "'"})
_MAX_WORDS = 7


def _name_word(tok: Tok) -> bool:
    return (is_cap(tok) or tok.text[:1].isdigit()) and tok.low not in NOT_NAMES


@cache
def _eponyms() -> dict[str, tuple[tuple[str, ...], ...]]:
    table: dict[str, list[tuple[str, ...]]] = {}
    for name in EPONYMS:
        words = tuple(t.low for t in tokenize(name))
        table.setdefault(words[0], []).append(words)
    return {k: tuple(sorted(v, key=len, reverse=True)) for k, v in table.items()}


def _eponym_at(toks: Sequence[Tok], i: int) -> int:
    """End of a known company named after a person at ``i`` ("Morgan Stanley"), else ``i``."""
    for words in _eponyms().get(toks[i].low, ()):
        end = i + len(words)
        if end <= len(toks) and is_cap(toks[i]) and all(toks[i + k].low == w for k, w in enumerate(words)):
            return end
    return i


def is_eponym(toks: Sequence[Tok]) -> bool:
    """Whether ``toks`` are exactly a known company named after a person ("Morgan Stanley")."""
    return bool(toks) and _eponym_at(toks, 0) == len(toks)


def find_orgs(text: str, toks: Sequence[Tok]) -> list[Entity]:
    """ORGANIZATION entities found by suffix ("... Inc."), head ("University of ...") or name."""
    out: list[Entity] = []
    n = len(toks)
    common = english_words()
    last_end = 0
    for i, tok in enumerate(toks):
        low = tok.low
        if i < last_end:
            continue
        if (end := _eponym_at(toks, i)) > i:
            s, e = tok.start, toks[end - 1].end
            # A public brand is not personal data: found (so no name or place rule claims it) but scored
            # below the default threshold.
            out.append(Entity("ORGANIZATION", s, e, 0.45, _RULE, text[s:e]))
            last_end = end
            continue
        if low in _OF_HEADS and is_cap(tok) and i + 2 < n and toks[i + 1].low == "of" and is_cap(toks[i + 2]):
            j = i + 2
            while j < n and j < i + 5 and is_cap(toks[j]):
                j += 1
            start = i - 1 if i and is_cap(toks[i - 1]) and toks[i - 1].low not in NOT_NAMES else i
            s, e = toks[start].start, toks[j - 1].key_end
            out.append(Entity("ORGANIZATION", s, e, 0.8, _RULE, text[s:e]))
            last_end = j
            continue
        legal = low in _LEGAL and (tok.text[0].isupper() or low == "plc")
        if not (legal or (low in _GENERIC and is_cap(tok))) or i == 0:
            continue
        if i + 1 < n and toks[i + 1].low in _LEGAL | _GENERIC and is_cap(toks[i + 1]):
            continue  # "Brightside Consulting LLC": the last suffix ends the name
        j = i - 1
        if legal and toks[j].text == ",":
            j -= 1
        words: list[int] = []
        while j >= 0 and len(words) < _MAX_WORDS:
            if _name_word(toks[j]):
                words.append(j)
            elif not words or not (
                toks[j].low in _JOINERS or (toks[j].low == "of" and j > 0 and toks[j - 1].low in _OF_HEADS | _GENERIC)
            ):
                break
            j -= 1
        if not words:
            continue
        first = min(words)
        if not legal and low not in _INSTITUTIONS and all(toks[w].key in common for w in words):
            continue
        end = i + 1
        if end < n and toks[end].text == "." and low in ("inc", "ltd", "corp", "co", "l.l.c", "s.a", "n.v", "b.v"):
            end += 1
        s, e = toks[first].start, toks[end - 1].key_end
        out.append(Entity("ORGANIZATION", s, e, 0.8 if legal else 0.75, _RULE, text[s:e]))
        last_end = end
    return out
