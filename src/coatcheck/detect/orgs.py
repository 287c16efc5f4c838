"""ORGANIZATION by its legal form or kind: ``Acme Widgets Inc.``, ``St. Mary's Hospital``, ``University of Utah``.

A legal suffix (Inc, LLC, GmbH...) is enough on its own; a generic one (Group, Systems, Bank...) also needs a
word before it that is not an ordinary English word, so "the Build Systems dashboard" stays unflagged.
Written-together forms count too: ``Co.Ltd.``, ``HoldingsInc.``.
"""

from __future__ import annotations

import re
from functools import cache
from itertools import compress

from coatcheck.detect._lexicon import DAYS_MONTHS, EPONYMS, FUNCTION_WORDS, NOT_NAMES, english_words
from coatcheck.detect._tokens import Tokens, tokenize
from coatcheck.detect.addresses import STREET_WORDS
from coatcheck.detect.types import Entity

__all__ = ["ORG_WORDS", "find_orgs", "is_eponym"]

_RULE = "org_suffix"
_LEGAL = frozenset(
    """inc incorporated llc l.l.c ltd limited corp corporation co gmbh ag sa s.a sas sarl nv n.v bv b.v plc llp
    lp pty pte kg kgaa oy oyj ab asa spa s.p.a srl bhd tbk co.ltd sca se as aktiengesellschaft""".split()
)
_GENERIC = frozenset(
    """company group holdings holding partners associates bank bancorp bancshares hospital hospitals clinic
    university college institute foundation association society agency trust technologies systems industries
    enterprises pharmaceuticals pharma therapeutics labs laboratories capital ventures insurance airlines airways
    motors studios media consulting healthcare etf fund""".split()
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
_CAPS_ONLY = frozenset(("se", "as"))  # legal forms that are also words or directions: "SE", "AS" only
_NOT_NAME_WORDS = FUNCTION_WORDS | DAYS_MONTHS
# A legal form written into the last word of the name ("HoldingsInc.", "Origin CompanyLimited").
_GLUED = re.compile(r"(?:[A-Za-z]*[a-z]|[A-Z]{4,})(?:Inc|Ltd|Limited|INC|LTD|LIMITED)")
_GLUED_ENDS = ("inc", "ltd", "limited")
_DOTTED = frozenset(("inc", "ltd", "corp", "co", "l.l.c", "s.a", "n.v", "b.v", "co.ltd"))
_SUFFIXES = _LEGAL | _GENERIC
_OF_HEADS_OR_GENERIC = _OF_HEADS | _GENERIC


def _name_word(toks: Tokens, i: int) -> bool:
    """A word of an organization's name: capitalized or a number, not a pronoun or a date word."""
    return (toks.cap[i] or toks.text[i][0].isdigit()) and toks.low[i] not in _NOT_NAME_WORDS


@cache
def _eponyms() -> dict[str, tuple[tuple[str, ...], ...]]:
    table: dict[str, list[tuple[str, ...]]] = {}
    for name in EPONYMS:
        words = tuple(tokenize(name).low)
        table.setdefault(words[0], []).append(words)
    return {k: tuple(sorted(v, key=len, reverse=True)) for k, v in table.items()}


@cache
def _triggers() -> frozenset[str]:
    """Lowercase tokens at which an organization can be found."""
    return frozenset(_eponyms()) | _OF_HEADS | _LEGAL | _GENERIC


def _eponym_at(toks: Tokens, i: int) -> int:
    """End of a known company named after a person at ``i`` ("Morgan Stanley"), else ``i``."""
    low = toks.low
    for words in _eponyms().get(low[i], ()):
        end = i + len(words)
        if end <= toks.n and toks.cap[i] and all(low[i + k] == w for k, w in enumerate(words)):
            return end
    return i


def is_eponym(toks: Tokens) -> bool:
    """Whether ``toks`` are exactly a known company named after a person ("Morgan Stanley")."""
    return bool(toks.n) and _eponym_at(toks, 0) == toks.n


def find_orgs(text: str, toks: Tokens) -> list[Entity]:
    """ORGANIZATION entities found by suffix ("... Inc."), head ("University of ...") or name."""
    out: list[Entity] = []
    lows, keys = toks.low, toks.key
    triggers = _triggers()
    n = toks.n
    cap, words = toks.cap, toks.text
    glued: set[int] = set()
    if "Inc" in text or "Ltd" in text or "Limited" in text or "INC" in text or "LTD" in text:
        glued = {
            i for i, key in enumerate(keys) if key.endswith(_GLUED_ENDS) and _GLUED.fullmatch(words[i][: len(key)])
        }
    if triggers.isdisjoint(keys) and not glued:
        return out
    common = english_words()
    last_end = 0
    at = compress(range(n), map(triggers.__contains__, keys))
    for i in sorted(glued.union(at)) if glued else at:
        if i < last_end:
            continue
        low = keys[i]
        if (end := _eponym_at(toks, i)) > i:
            s, e = toks.start[i], toks.end[end - 1]
            # A public brand is not personal data: found (so no name or place rule claims it) but scored
            # below the default threshold.
            out.append(Entity("ORGANIZATION", s, e, 0.45, _RULE, text[s:e]))
            last_end = end
            continue
        if low in _OF_HEADS and cap[i] and i + 2 < n and lows[i + 1] == "of" and cap[i + 2]:
            j = i + 2
            while j < n and j < i + 5 and cap[j]:
                j += 1
            start = i - 1 if i and cap[i - 1] and lows[i - 1] not in NOT_NAMES else i
            s, e = toks.start[start], toks.key_end[j - 1]
            out.append(Entity("ORGANIZATION", s, e, 0.8, _RULE, text[s:e]))
            last_end = j
            continue
        legal = i in glued or (
            low in _LEGAL and (words[i][0].isupper() or low == "plc") and (low not in _CAPS_ONLY or words[i].isupper())
        )
        if not (legal or (low in _GENERIC and cap[i])) or (i == 0 and i not in glued):
            continue
        if i + 1 < n and lows[i + 1] in _SUFFIXES and cap[i + 1]:
            continue  # "Brightside Consulting LLC": the last suffix ends the name
        j = i - 1
        if legal and j >= 0 and words[j] == ",":
            j -= 1
        found: list[int] = [i] if i in glued else []
        if j >= 2 and lows[j] == ")" and lows[j - 2] == "(" and cap[j - 1]:
            found.append(j - 1)  # "Dogness (International) Corporation"
            j -= 3
        while j >= 0 and len(found) < _MAX_WORDS:
            if _name_word(toks, j):
                found.append(j)
            elif not found or not (
                lows[j] in _JOINERS or (lows[j] == "of" and j > 0 and lows[j - 1] in _OF_HEADS_OR_GENERIC)
            ):
                break
            j -= 1
        if not found:
            continue
        if low in _CAPS_ONLY and any(toks.text[w][0].isdigit() or keys[w] in STREET_WORDS for w in found):
            continue  # "12 Main St SE": a direction after a street
        first = min(found)
        if not legal and low not in _INSTITUTIONS and all(keys[w] in common for w in found):
            if low != "company" or len(found) < 2 or lows[first] in FUNCTION_WORDS:
                continue  # "Global Industrial Company" is a name; "the Build Systems" dashboard is not
        end = i + 1
        if end < n and words[end] == "." and (low in _DOTTED or i in glued) and toks.key_end[i] == toks.end[i]:
            end += 1
        s, e = toks.start[first], toks.key_end[end - 1]
        out.append(Entity("ORGANIZATION", s, e, 0.8 if legal else 0.75, _RULE, text[s:e]))
        last_end = end
    return out
