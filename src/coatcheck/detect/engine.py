"""The detection engine: normalize -> recognizers (+ NER) -> scores -> thresholds -> resolve overlaps.

`Detector` compiles its recognizers once into a read-only index and is safe to share between threads.
Detection fails closed: any recognizer error raises `DetectorError`; it never returns "no PII" instead.
"""

from __future__ import annotations

import logging
import re
import time
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

import re2

from coatcheck.detect.normalize import Normalized, normalize
from coatcheck.detect.types import Entity, Profile, Recognizer
from coatcheck.entities import ENTITY_TYPES
from coatcheck.errors import DetectionTimeout, DetectorError, InputError

if TYPE_CHECKING:
    from coatcheck.detect.ner import SpacyNer

__all__ = ["DEFAULT_THRESHOLD", "Candidate", "Detector", "detect", "detect_batch", "get_detector"]

logger = logging.getLogger(__name__)
logger.addHandler(logging.NullHandler())

DEFAULT_THRESHOLD = 0.5
# Above this length the re2.Set prefilter is skipped: its DFA can run out of memory on huge inputs and would
# then report "no match" silently. Plain searches fall back to the NFA and stay correct.
_PREFILTER_MAX_CHARS = 32_768

_UNANCHORED = re2._Anchor.UNANCHORED
_NO_MATCH = (-1, -1)

DropReason = Literal["validator", "below_threshold", "allow_list", "overlap", "type_filter"]


@dataclass(frozen=True, slots=True)
class Candidate:
    """A finding before resolution, with why it was kept or dropped (for `policy explain`)."""

    entity: Entity
    threshold: float
    dropped: DropReason | None = None
    lost_to: str | None = None  # the type of the entity that won an overlap


@dataclass(frozen=True, slots=True)
class _CompiledRecognizer:
    row: Recognizer
    regex: Any
    context: re.Pattern[str] | None
    negative: re.Pattern[str] | None
    group: int


def _word_alternation(words: Sequence[str]) -> re.Pattern[str] | None:
    # Literal alternatives searched in a bounded window: no backtracking risk, and stdlib `re` avoids
    # re2's per-call wrapper cost on these tiny strings.
    if not words:
        return None
    return re.compile(r"\b(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + r")\b")


def _compile(row: Recognizer) -> _CompiledRecognizer:
    if row.entity not in ENTITY_TYPES:
        raise DetectorError(f"recognizer {row.name!r} names unknown entity type {row.entity!r}")
    pattern = f"(?i){row.pattern}" if row.case_insensitive else row.pattern
    try:
        regex = re2.compile(pattern)
    except re2.error as exc:
        raise DetectorError(f"recognizer {row.name!r}: pattern does not compile in RE2 ({exc})") from None
    group = int(regex.groupindex.get("value", 0))  # re2 matches take group numbers only
    return _CompiledRecognizer(
        row, regex, _word_alternation(row.context), _word_alternation(row.negative_context), group
    )


class _PatternIndex:
    """All pattern recognizers, compiled once; a re2.Set finds which can match in one pass."""

    def __init__(self, rows: Sequence[Recognizer]) -> None:
        names = [row.name for row in rows]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise DetectorError(f"duplicate recognizer names: {', '.join(duplicates)}")
        self.recognizers = tuple(_compile(row) for row in rows)
        options = re2.Options()
        options.max_mem = 256 << 20
        self._set = re2.Set.SearchSet(options)
        for compiled in self.recognizers:
            self._set.Add(compiled.regex.pattern)
        self._set.Compile()

    def candidates(self, text: str) -> list[tuple[_CompiledRecognizer, int, int]]:
        data = text.encode("utf-8")
        if len(text) <= _PREFILTER_MAX_CHARS:
            hits: Iterable[int] = sorted(self._set.Match(data) or ())  # None when nothing matches
        else:
            hits = range(len(self.recognizers))
        found: list[tuple[_CompiledRecognizer, int, int]] = []
        for index in hits:
            compiled = self.recognizers[index]
            found.extend((compiled, start, end) for start, end in _find_spans(compiled.regex, data, compiled.group))
        if len(data) != len(text):  # non-ASCII: byte offsets -> character offsets, one linear pass
            to_chars = _byte_to_char_offsets(data, {o for _, s, e in found for o in (s, e)})
            found = [(c, to_chars[s], to_chars[e]) for c, s, e in found]
        return found


def _find_spans(regex: Any, data: bytes, group: int) -> Iterator[tuple[int, int]]:
    """All non-overlapping matches as byte spans of ``group``.

    Calls the compiled RE2 object directly: the Python wrapper re-encodes the text and rebuilds offset maps on
    every match, which costs more than the match itself on short messages.
    """
    regexp = regex._regexp
    pos, end = 0, len(data)
    while pos <= end:
        spans = regexp.Match(_UNANCHORED, data, pos, end)
        whole = spans[0]
        if whole == _NO_MATCH:
            return
        span = spans[group]
        if span != _NO_MATCH and span[1] > span[0]:
            yield span
        if whole[1] > pos:
            pos = whole[1]
        else:  # empty match: step over one whole UTF-8 character
            pos += 1
            while pos < end and data[pos] & 0xC0 == 0x80:
                pos += 1


def _byte_to_char_offsets(data: bytes, offsets: set[int]) -> dict[int, int]:
    result: dict[int, int] = {}
    previous_byte = previous_char = 0
    for offset in sorted(offsets):
        previous_char += re2._re2.BytesToCharLen(data, previous_byte, offset)
        previous_byte = offset
        result[offset] = previous_char
    return result


def _context_view(text: str) -> str:
    """Lowercased, same length, with JSON escapes (``\\n``, ``\\t``) blanked so ``\\nMobile`` reads as "mobile"."""
    lowered = text.lower()
    if len(lowered) != len(text):
        lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    if "\\" in lowered:
        for escape in ("\\n", "\\t", "\\r"):
            lowered = lowered.replace(escape, "  ")
    return lowered


def _decode(text: object) -> str:
    if isinstance(text, str):
        return text
    if isinstance(text, bytes | bytearray | memoryview):
        try:
            return bytes(text).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(f"input bytes are not valid UTF-8 (byte offset {exc.start})") from None
    raise InputError(f"detect() takes str or UTF-8 bytes, not {type(text).__name__}")


class Detector:
    """A reusable detector: compiles recognizers and loads the NER model once.

    Args:
        profile: ``"fast"`` (patterns, validators, gazetteers, context; no ML model) or ``"accurate"``
            (adds spaCy NER).
        thresholds: minimum score per entity type; others use ``default_threshold``.
        allow: values never reported (compared case-insensitively, whitespace-trimmed).
        deny: value -> entity type, always reported wherever the value appears.
        recognizers: extra recognizer rows, added to the built-in ones.
        entities: report only these types (all when None).
        builtin: include the built-in recognizers.
        deadline: seconds one `detect` call may take before `DetectionTimeout` (None: no deadline).
    """

    def __init__(
        self,
        profile: Profile = "accurate",
        *,
        thresholds: Mapping[str, float] | None = None,
        default_threshold: float = DEFAULT_THRESHOLD,
        allow: Iterable[str] = (),
        deny: Mapping[str, str] | None = None,
        recognizers: Iterable[Recognizer] = (),
        entities: Iterable[str] | None = None,
        builtin: bool = True,
        deadline: float | None = None,
    ) -> None:
        if profile not in ("fast", "accurate"):
            raise InputError(f"unknown profile {profile!r}; choose 'fast' or 'accurate'")
        self.profile: Profile = profile
        self.thresholds = dict(thresholds or {})
        self.default_threshold = default_threshold
        for name in [*self.thresholds, *(entities or ()), *(deny or {}).values()]:
            if name not in ENTITY_TYPES:
                raise InputError(f"unknown entity type {name!r}")
        self._allow = frozenset(value.strip().casefold() for value in allow)
        self._deny = dict(deny or {})
        self._deny_regex = (
            re2.compile(r"(?i)\b(?:" + "|".join(re2.escape(v) for v in self._deny) + r")\b") if self._deny else None
        )
        self._deny_types = {v.casefold(): t for v, t in self._deny.items()}
        self._entities = frozenset(entities) if entities is not None else None
        self.deadline = deadline
        rows = (*_builtin_recognizers(), *recognizers) if builtin else tuple(recognizers)
        self._index = _PatternIndex(rows)
        self._validated = frozenset(row.name for row in rows if row.validator is not None)
        self._builtin_rules = builtin
        self._ner: SpacyNer | None = None
        if profile == "accurate":
            from coatcheck.detect.ner import SpacyNer

            self._ner = SpacyNer.load()

    def __repr__(self) -> str:
        return f"Detector(profile={self.profile!r}, recognizers={len(self._index.recognizers)})"

    # -- public API -------------------------------------------------------------------------------------

    def detect(self, text: str | bytes) -> list[Entity]:
        """Find entities in ``text``; offsets index the original string, sorted by start."""
        return self.detect_batch([text])[0]

    def detect_batch(self, texts: Iterable[str | bytes]) -> list[list[Entity]]:
        """Detect in many texts at once (NER runs batched)."""
        return [[c.entity for c in candidates if c.dropped is None] for candidates in self._run_batch(texts)]

    def explain(self, text: str | bytes) -> list[Candidate]:
        """Every candidate with its score, threshold and, for dropped ones, why."""
        return self._run_batch([text], keep_dropped=True)[0]

    def threshold(self, entity_type: str) -> float:
        return self.thresholds.get(entity_type, self.default_threshold)

    # -- pipeline ---------------------------------------------------------------------------------------

    def _run_batch(self, texts: Iterable[str | bytes], keep_dropped: bool = False) -> list[list[Candidate]]:
        started = time.monotonic()
        originals = [_decode(t) for t in texts]
        views = [normalize(t) for t in originals]
        try:
            found = [self._patterns(view, keep_dropped) for view in views]
            self._check_deadline(started)
            ner: list[list[Entity]] = [[] for _ in views]
            if self._ner is not None:
                ner = self._ner.find_batch([v.text for v in views])
                self._check_deadline(started)
            for view, candidates, ner_entities in zip(views, found, ner, strict=True):
                if view.text and self._builtin_rules:
                    candidates.extend(self._wrap(e) for e in _rule_entities(view.text, ner_entities))
                if view.text:
                    candidates.extend(self._wrap(e) for e in ner_entities)
            self._check_deadline(started)
        except (DetectorError, InputError):
            raise
        except Exception as exc:
            # The message carries the exception type only: the original may quote the text.
            logger.error("detector failure: %s", type(exc).__name__)
            raise DetectorError(f"a detector failed ({type(exc).__name__}); the text was not scanned") from None
        return [self._finish(view, candidates, keep_dropped) for view, candidates in zip(views, found, strict=True)]

    def _check_deadline(self, started: float) -> None:
        if self.deadline is not None and time.monotonic() - started > self.deadline:
            raise DetectionTimeout(f"detection exceeded its {self.deadline:g} s deadline")

    def _wrap(self, entity: Entity) -> Candidate:
        return Candidate(entity, self.threshold(entity.type))

    def _patterns(self, view: Normalized, keep_dropped: bool) -> list[Candidate]:
        text = view.text
        if not text:
            return []
        out: list[Candidate] = []
        lowered: str | None = None
        for compiled, start, end in self._index.candidates(text):
            row = compiled.row
            value = text[start:end]
            valid = row.validator is None or row.validator(value)
            score = row.score
            hits: list[str] = []
            if not valid and not keep_dropped:
                continue
            if compiled.context is not None or compiled.negative is not None:
                if lowered is None:
                    lowered = _context_view(text)
                before = lowered[max(0, start - row.window) : start]
                after = lowered[end : end + row.window]
                for regex, sign in ((compiled.context, 1), (compiled.negative, -1)):
                    if regex is None:
                        continue
                    match = regex.search(before) or regex.search(after)
                    if match:
                        score += sign * row.context_boost
                        hits.append(("" if sign > 0 else "-") + match.group(0))
            entity = Entity(row.entity, start, end, max(0.0, min(1.0, score)), row.name, value, tuple(hits))
            if valid:
                out.append(Candidate(entity, self.threshold(row.entity)))
            elif keep_dropped:
                out.append(Candidate(entity, self.threshold(row.entity), "validator"))
        if self._deny_regex is not None:
            for match in self._deny_regex.finditer(text):
                entity_type = self._deny_types[match.group(0).casefold()]
                entity = Entity(entity_type, match.start(), match.end(), 1.0, "deny_list", match.group(0))
                out.append(Candidate(entity, self.threshold(entity_type)))
        return out

    def _finish(self, view: Normalized, candidates: list[Candidate], keep_dropped: bool) -> list[Candidate]:
        live: list[Candidate] = []
        dropped: list[Candidate] = [c for c in candidates if c.dropped is not None]
        for candidate in candidates:
            if candidate.dropped is not None:
                continue
            entity = candidate.entity
            reason: DropReason | None = None
            if self._entities is not None and entity.type not in self._entities:
                reason = "type_filter"
            elif entity.score < candidate.threshold:
                reason = "below_threshold"
            elif entity.recognizer != "deny_list" and entity.text.strip().casefold() in self._allow:
                reason = "allow_list"
            if reason is None:
                live.append(candidate)
            elif keep_dropped:
                dropped.append(replace(candidate, dropped=reason))
        live, swallowed = _shield_validated(live, self._validated)
        kept, lost = _resolve(live)
        lost += swallowed
        result = [_to_original(view, c) for c in kept]
        if keep_dropped:
            result += [_to_original(view, c) for c in dropped + lost]
        return result


def _to_original(view: Normalized, candidate: Candidate) -> Candidate:
    if not view.changed:
        return candidate
    entity = candidate.entity
    start, end = view.span(entity.start, entity.end)
    return replace(candidate, entity=replace(entity, start=start, end=end, text=view.original[start:end]))


# Types found by NER or word rules, whose spans can run over a neighbouring identifier ("IBAN ES27 ..." read as an
# organization, "DOB 18 Feb 1995" as an address).
_SOFT_TYPES = frozenset({"PERSON", "LOCATION", "ORGANIZATION", "STREET_ADDRESS", "MEDICAL_CONDITION", "MEDICATION"})
_CONFIDENT = 0.9


def _shield_validated(
    candidates: list[Candidate], validated: frozenset[str]
) -> tuple[list[Candidate], list[Candidate]]:
    """Drop soft spans that overlap a more confident, validator-confirmed finding.

    "Longer wins" would otherwise let a model's loose span hide a checksum-valid card or IBAN under a weaker
    type; what the soft span covered beyond the identifier is a label word ("IBAN", "DOB"), not a value.
    """
    hard = [
        c.entity
        for c in candidates
        if c.entity.recognizer in validated and c.entity.score >= _CONFIDENT and c.entity.type not in _SOFT_TYPES
    ]
    if not hard:
        return candidates, []
    kept: list[Candidate] = []
    dropped: list[Candidate] = []
    for candidate in candidates:
        e = candidate.entity
        rival = None
        if e.type in _SOFT_TYPES and e.recognizer not in validated:
            rival = next((h for h in hard if h.start < e.end and e.start < h.end and h.score > e.score), None)
        if rival is None:
            kept.append(candidate)
        else:
            dropped.append(replace(candidate, dropped="overlap", lost_to=rival.type))
    return kept, dropped


def _priority(candidate: Candidate) -> tuple[int, float, int, int, str]:
    e = candidate.entity
    return (-(e.end - e.start), -e.score, -ENTITY_TYPES[e.type].specificity, e.start, e.type)


def _resolve(candidates: list[Candidate]) -> tuple[list[Candidate], list[Candidate]]:
    """Keep a non-overlapping set: longer wins, then higher score, then the more specific type."""
    starts: list[int] = []  # accepted spans, sorted by start; they never overlap each other
    ends: list[int] = []
    winners: list[Candidate] = []
    lost: list[Candidate] = []
    for candidate in sorted(candidates, key=_priority):
        e = candidate.entity
        i = bisect_left(starts, e.start)
        clash = None
        if i < len(starts) and starts[i] < e.end:
            clash = winners[i]
        elif i > 0 and ends[i - 1] > e.start:
            clash = winners[i - 1]
        if clash is not None:
            lost.append(replace(candidate, dropped="overlap", lost_to=clash.entity.type))
            continue
        starts.insert(i, e.start)
        ends.insert(i, e.end)
        winners.insert(i, candidate)
    return winners, lost


@lru_cache(maxsize=1)
def _builtin_recognizers() -> tuple[Recognizer, ...]:
    from coatcheck.detect.recognizers import BUILTIN_RECOGNIZERS

    return tuple(BUILTIN_RECOGNIZERS)


def _rule_entities(text: str, ner: Sequence[Entity]) -> list[Entity]:
    from coatcheck.detect.rules import find_rule_entities

    return list(find_rule_entities(text, ner))


@lru_cache(maxsize=4)
def get_detector(profile: Profile = "accurate") -> Detector:
    """The shared default detector for a profile (built on first use)."""
    return Detector(profile)


def detect(text: str | bytes, profile: Profile = "accurate") -> list[Entity]:
    """Find personal data and secrets in ``text`` with the default detector for ``profile``."""
    return get_detector(profile).detect(text)


def detect_batch(texts: Iterable[str | bytes], profile: Profile = "accurate") -> list[list[Entity]]:
    """`detect` for many texts; NER runs batched."""
    return get_detector(profile).detect_batch(texts)
