"""Rule-based detection of names, places, organizations, street addresses and medical terms.

This is the part of detection that needs no model: it runs in the ``fast`` profile on its own and in the
``accurate`` profile next to the NER, whose findings it takes as hints (names it found are linked to their later
mentions; a one-word name guess the NER calls a place or an organization is dropped).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence

from coatcheck.detect._tokens import Tokens, tokenize
from coatcheck.detect.addresses import find_addresses
from coatcheck.detect.medical import find_medical
from coatcheck.detect.names import find_persons
from coatcheck.detect.orgs import find_orgs
from coatcheck.detect.places import find_locations
from coatcheck.detect.types import Entity

__all__ = ["find_rule_entities"]


def find_rule_entities(text: str, ner: Sequence[Entity] = ()) -> list[Entity]:
    """Entities the rules find in ``text`` (already normalized), sorted by position.

    Args:
        text: the text to scan; offsets in the result index it.
        ner: NER entities for the same text, or nothing (the ``fast`` profile has no model).

    Returns:
        PERSON, LOCATION, ORGANIZATION, STREET_ADDRESS, MEDICAL_CONDITION and MEDICATION entities. They may
        overlap each other and the NER's; the engine resolves overlaps.
    """
    if not text:
        return []
    toks = tokenize(text)
    found = find_addresses(text, toks)
    found += find_orgs(text, toks)
    taken = _token_indices(toks, found)
    places = find_locations(text, toks, taken)
    found += places
    place_spans = {(e.start, e.end) for e in places}
    found += find_persons(text, toks, taken, ner, place_spans)
    found += find_medical(text, toks)
    found.sort(key=lambda e: (e.start, -e.end))
    return found


def _token_indices(toks: Tokens, ents: Sequence[Entity]) -> set[int]:
    """Indices of tokens that start inside any of ``ents``."""
    starts = toks.start
    return {i for e in ents for i in range(bisect_left(starts, e.start), bisect_left(starts, e.end))}
