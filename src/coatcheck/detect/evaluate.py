"""Score detection against a labelled set in the presidio-research format.

The format is a JSON list of records, each ``{"full_text": str, "spans": [{"entity_type": str,
"start_position": int, "end_position": int, "entity_value": str (optional)}, ...]}``. Scoring is pure: it
takes the records and one list of predicted spans per record, so any system (ours, Presidio, a file of
predictions) is scored by exactly the same rule.

The rule, identical for every system:

* Types are mapped to our taxonomy through `TYPE_MAP` (Presidio and presidio-evaluator names included); types
  mapped to ``None`` (TITLE, NRP, ...) are ignored on both sides. Gold spans of the same type separated only
  by whitespace are merged first (presidio-evaluator writes "first_name last_name" as two PERSON spans and
  multi-line addresses as one span per line).
* The scored types are those labelled in the dataset (or the ones asked for). `GENERALIZES` is a small type
  hierarchy, used both ways as presidio-evaluator's does: a prediction of a general type (DATE_TIME) may match a
  gold span of a specific one (DATE_OF_BIRTH), and a prediction of a specific type that is not scored is
  scored as its general type when that one is. Any other prediction of an unscored type is ignored.
* A prediction is a true positive when its type matches and its character span overlaps the gold span with
  intersection-over-union >= `MIN_IOU` (0.5). Pairs are matched one-to-one, best overlap first.
* A record without any labelled span is PII-free; it is a false alarm when any prediction of a scored type
  remains in it.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

from coatcheck.entities import ENTITY_TYPES
from coatcheck.errors import InputError

__all__ = [
    "GENERALIZES",
    "MIN_IOU",
    "TYPE_MAP",
    "ErrorCase",
    "Record",
    "Report",
    "Span",
    "SpanLike",
    "TypeScore",
    "evaluate",
    "load_dataset",
    "map_type",
    "mask_snippet",
    "parse_dataset",
    "score",
]

MIN_IOU = 0.5

# Names used by presidio-evaluator datasets, Presidio's recognizers and spaCy -> our taxonomy.
# None: not a type we score (no equivalent in the taxonomy, or not personal data on its own).
TYPE_MAP: Mapping[str, str | None] = {
    "PERSON": "PERSON",
    "PER": "PERSON",
    "NAME": "PERSON",
    "FIRST_NAME": "PERSON",
    "LAST_NAME": "PERSON",
    "EMAIL_ADDRESS": "EMAIL_ADDRESS",
    "EMAIL": "EMAIL_ADDRESS",
    "PHONE_NUMBER": "PHONE_NUMBER",
    "PHONE": "PHONE_NUMBER",
    "CREDIT_CARD": "CREDIT_CARD",
    "US_SSN": "US_SSN",
    "SSN": "US_SSN",
    "US_ITIN": "US_ITIN",
    "IBAN_CODE": "IBAN_CODE",
    "IBAN": "IBAN_CODE",
    "IP_ADDRESS": "IP_ADDRESS",
    "MAC_ADDRESS": "MAC_ADDRESS",
    "URL": "URL",
    "DOMAIN_NAME": "URL",
    "ADDRESS": "STREET_ADDRESS",
    "STREET_ADDRESS": "STREET_ADDRESS",
    "GPE": "LOCATION",
    "LOC": "LOCATION",
    "LOCATION": "LOCATION",
    "FAC": "LOCATION",
    "ORG": "ORGANIZATION",
    "ORGANIZATION": "ORGANIZATION",
    "ZIP_CODE": "ZIP_CODE",
    "ZIP": "ZIP_CODE",
    "DATE_TIME": "DATE_TIME",
    "DATE": "DATE_TIME",
    "TIME": "DATE_TIME",
    "DATE_OF_BIRTH": "DATE_OF_BIRTH",
    "BIRTHDAY": "DATE_OF_BIRTH",
    "AGE": "AGE",
    "US_DRIVER_LICENSE": "US_DRIVER_LICENSE",
    "US_PASSPORT": "US_PASSPORT",
    "US_BANK_ACCOUNT": "US_BANK_ACCOUNT",
    "US_BANK_NUMBER": "US_BANK_ACCOUNT",
    "ABA_ROUTING_NUMBER": "ABA_ROUTING_NUMBER",
    "UK_NHS": "UK_NHS",
    "UK_NINO": "UK_NINO",
    "CRYPTO": "CRYPTO_WALLET",
    "CRYPTO_WALLET": "CRYPTO_WALLET",
    "MEDICAL_RECORD_NUMBER": "MEDICAL_RECORD_NUMBER",
    "API_KEY": "API_KEY",
    # Ignored: job titles and honorifics, nationality/religion/political group, generic numbers.
    "TITLE": None,
    "PREFIX": None,
    "NRP": None,
    "NORP": None,
    "CARDINAL": None,
    "MONEY": None,
    "MEDICAL_LICENSE": None,
    "UUID": None,
}

# A prediction of a more general type also finds these gold types (the value is found and protected anyway).
GENERALIZES: Mapping[str, frozenset[str]] = {"DATE_OF_BIRTH": frozenset({"DATE_TIME"})}
# ... and a specific prediction counts as its general type where only that one is labelled (a birth date that a
# data set labels DATE_TIME).
_PARENT: Mapping[str, str] = {child: parent for child, parents in GENERALIZES.items() for parent in parents}


class SpanLike(Protocol):
    """Anything with a type and character offsets (`Entity`, `Span`)."""

    @property
    def type(self) -> str: ...

    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...


@dataclass(frozen=True, slots=True)
class Span:
    """A labelled or predicted span, type already mapped to our taxonomy."""

    type: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Record:
    """One labelled text. ``spans`` are mapped and merged; ``labelled`` tells PII-free records apart.

    A span of a type that is not scored keeps its source name behind a ``?`` (``?TITLE``): it still makes the
    record not PII-free, and `Report.ignored` counts it.
    """

    text: str = field(repr=False)
    spans: tuple[Span, ...]
    labelled: bool


@dataclass(frozen=True, slots=True)
class TypeScore:
    """Counts for one type (or all of them) and the metrics derived from them."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def support(self) -> int:
        return self.tp + self.fn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {
            "support": self.support,
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


@dataclass(frozen=True, slots=True)
class ErrorCase:
    """A missed gold span (``fn``) or a spurious prediction (``fp``), by position only."""

    kind: Literal["fp", "fn"]
    type: str
    record: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Report:
    """Per-type and overall scores plus the false-alarm rate on PII-free records."""

    types: tuple[str, ...]
    per_type: Mapping[str, TypeScore]
    overall: TypeScore
    records: int
    pii_free: int
    false_alarms: int
    ignored: Mapping[str, int]
    errors: tuple[ErrorCase, ...] = field(repr=False)

    @property
    def false_alarm_rate(self) -> float:
        return self.false_alarms / self.pii_free if self.pii_free else 0.0

    def as_dict(self) -> dict[str, object]:
        """The JSON shape of `coatcheck eval --format json` (no text, no values)."""
        return {
            "rule": f"same mapped type and character IoU >= {MIN_IOU}, one-to-one",
            "records": self.records,
            "pii_free_records": self.pii_free,
            "false_alarms": self.false_alarms,
            "false_alarm_rate": round(self.false_alarm_rate, 4),
            "overall": self.overall.as_dict(),
            "per_type": {name: self.per_type[name].as_dict() for name in self.types},
            "ignored_gold_types": dict(sorted(self.ignored.items())),
        }


def map_type(name: str) -> str | None:
    """Our taxonomy name for ``name``, or None when it is not scored."""
    if name in TYPE_MAP:
        return TYPE_MAP[name]
    return name if name in ENTITY_TYPES else None


def load_dataset(path: str | Path) -> list[Record]:
    """Read and check a presidio-research JSON file; errors name the file and the record index."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"{path}: cannot read dataset ({exc.strerror})") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 (byte offset {exc.start})") from None
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise InputError(f"{path}: invalid JSON ({exc.msg} at {where})") from None
    return parse_dataset(data, str(path))


def parse_dataset(data: object, source: str = "<dataset>") -> list[Record]:
    """Check already-parsed JSON and return records with mapped, merged spans."""
    if not isinstance(data, list):
        raise InputError(f"{source}: a dataset is a JSON list of records, not {type(data).__name__}")
    return [_parse_record(item, f"{source}, record {index}") for index, item in enumerate(data)]


def _parse_record(item: object, where: str) -> Record:
    if not isinstance(item, dict):
        raise InputError(f"{where}: expected an object, got {type(item).__name__}")
    text = item.get("full_text")
    if not isinstance(text, str):
        raise InputError(f"{where}: 'full_text' must be a string")
    raw_spans = item.get("spans", [])
    if not isinstance(raw_spans, list):
        raise InputError(f"{where}: 'spans' must be a list")
    spans: list[Span] = []
    for number, raw in enumerate(raw_spans):
        at = f"{where}, span {number}"
        if not isinstance(raw, dict):
            raise InputError(f"{at}: expected an object")
        kind, start, end = raw.get("entity_type"), raw.get("start_position"), raw.get("end_position")
        if not isinstance(kind, str) or not kind:
            raise InputError(f"{at}: 'entity_type' must be a non-empty string")
        if not (isinstance(start, int) and isinstance(end, int)) or bool in (type(start), type(end)):
            raise InputError(f"{at}: 'start_position' and 'end_position' must be integers")
        if not 0 <= start < end <= len(text):
            raise InputError(f"{at} ({kind}): positions {start}..{end} outside the text (length {len(text)})")
        value = raw.get("entity_value")
        # Case is not compared: presidio-evaluator lower-cases some values but not the text.
        if value is not None and (not isinstance(value, str) or value.casefold() != text[start:end].casefold()):
            raise InputError(f"{at} ({kind}): 'entity_value' differs from full_text[{start}:{end}]")
        mapped = map_type(kind)
        spans.append(Span(mapped if mapped is not None else f"?{kind}", start, end))
    return Record(text, _merge(text, spans), labelled=bool(raw_spans))


def _merge(text: str, spans: list[Span]) -> tuple[Span, ...]:
    """Sort spans; join neighbours of one type separated only by whitespace ("Jane" + "Doe" -> "Jane Doe")."""
    merged: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, s.end)):
        last = merged[-1] if merged else None
        if (
            last is not None
            and last.type == span.type
            and last.end <= span.start
            and not text[last.end : span.start].strip()
        ):
            merged[-1] = Span(last.type, last.start, span.end)
        else:
            merged.append(span)
    return tuple(merged)


def _iou(a: SpanLike, b: SpanLike) -> float:
    overlap = min(a.end, b.end) - max(a.start, b.start)
    if overlap <= 0:
        return 0.0
    return overlap / (max(a.end, b.end) - min(a.start, b.start))


def _scored_as(kind: str, scored: frozenset[str]) -> str:
    parent = _PARENT.get(kind)
    return parent if kind not in scored and parent in scored else kind


def _compatible(predicted: str, gold: str) -> bool:
    return predicted == gold or predicted in GENERALIZES.get(gold, ())


def score(
    records: Sequence[Record],
    predictions: Sequence[Iterable[SpanLike]],
    types: Iterable[str] | None = None,
) -> Report:
    """Score one system's predictions (one list per record) against the labelled records.

    Args:
        records: from `load_dataset` / `parse_dataset`.
        predictions: spans per record; their types go through `map_type` too, so Presidio names work.
        types: the types to score; by default every type labelled in ``records``.
    """
    if len(predictions) != len(records):
        raise InputError(f"{len(predictions)} prediction lists for {len(records)} records")
    ignored = Counter(s.type[1:] for r in records for s in r.spans if s.type.startswith("?"))
    scored = (
        frozenset(map_type(t) or t for t in types)
        if types is not None
        else frozenset(s.type for r in records for s in r.spans if not s.type.startswith("?"))
    )
    counts = {name: [0, 0, 0] for name in scored}  # tp, fp, fn
    errors: list[ErrorCase] = []
    pii_free = false_alarms = 0
    for index, (record, predicted) in enumerate(zip(records, predictions, strict=True)):
        gold = [s for s in record.spans if s.type in scored]
        preds = [Span(_scored_as(t, scored), p.start, p.end) for p in predicted if (t := map_type(p.type))]
        pairs = sorted(
            (
                (iou, g, p)
                for g, gs in enumerate(gold)
                for p, ps in enumerate(preds)
                if _compatible(ps.type, gs.type) and (iou := _iou(gs, ps)) >= MIN_IOU
            ),
            key=lambda pair: (-pair[0], pair[1], pair[2]),
        )
        used_gold: set[int] = set()
        used_pred: set[int] = set()
        for _, g, p in pairs:
            if g not in used_gold and p not in used_pred:
                used_gold.add(g)
                used_pred.add(p)
                counts[gold[g].type][0] += 1
        for p, ps in enumerate(preds):
            if p not in used_pred and ps.type in scored:
                counts[ps.type][1] += 1
                errors.append(ErrorCase("fp", ps.type, index, ps.start, ps.end))
        for g, gs in enumerate(gold):
            if g not in used_gold:
                counts[gs.type][2] += 1
                errors.append(ErrorCase("fn", gs.type, index, gs.start, gs.end))
        if not record.labelled:
            pii_free += 1
            false_alarms += any(ps.type in scored for ps in preds)
    per_type = {name: TypeScore(*counts[name]) for name in sorted(scored)}
    overall = TypeScore(*(sum(c[i] for c in counts.values()) for i in range(3)))
    return Report(
        types=tuple(sorted(scored)),
        per_type=per_type,
        overall=overall,
        records=len(records),
        pii_free=pii_free,
        false_alarms=false_alarms,
        ignored=dict(ignored),
        errors=tuple(errors),
    )


def evaluate(
    records: Sequence[Record],
    detect_batch: Callable[[list[str]], Sequence[Iterable[SpanLike]]],
    types: Iterable[str] | None = None,
    batch_size: int = 256,
) -> Report:
    """Run ``detect_batch`` (e.g. ``Detector("fast").detect_batch``) over the records and score it."""
    predictions: list[Iterable[SpanLike]] = []
    for offset in range(0, len(records), batch_size):
        predictions.extend(detect_batch([r.text for r in records[offset : offset + batch_size]]))
    return score(records, predictions, types)


def _shape(value: str) -> str:
    return "".join("9" if c.isdigit() else ("X" if c.isupper() else "x") if c.isalpha() else c for c in value)


def mask_snippet(text: str, start: int, end: int, hide: Iterable[SpanLike] = (), width: int = 30) -> str:
    """The context around ``text[start:end]``, the value in « » shown by shape only (``Xxxx 9999``).

    Spans in ``hide`` (the record's other labelled values) are shown by shape too, so error listings can be
    shared without the values while still showing the formats a recognizer missed.
    """
    lo, hi = max(0, start - width), min(len(text), end + width)
    chars = list(text[lo:hi])
    for span in (*hide, Span("", start, end)):
        for i in range(max(span.start, lo), min(span.end, hi)):
            chars[i - lo] = _shape(chars[i - lo])
    window = "".join(chars)
    snippet = f"{window[: start - lo]}«{window[start - lo : end - lo]}»{window[end - lo :]}"
    return " ".join(snippet.split())
