"""What every worker process runs: build the protector once from a picklable spec, then protect chunks.

Workers share no state. Keyed methods agree because every worker derives its keys from the same keyring file;
placeholders and surrogate name links are scoped to one record, so a record's output never depends on which
worker, chunk or run handled it. That is what makes parallel, resumed and Spark outputs identical.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from coatcheck.detect.types import Entity
from coatcheck.errors import CoatcheckError, InputError
from coatcheck.protect.structured import PathTracker, collect

if TYPE_CHECKING:
    from coatcheck.protect.protector import DetectorLike, Protector

__all__ = ["ChunkResult", "ProtectSpec", "RecordProtector", "protect_chunk"]


@dataclass(frozen=True)
class ProtectSpec:
    """Everything a worker needs to build the same protector as every other worker (picklable, no keys).

    Attributes:
        methods: entity type -> method (``{"EMAIL_ADDRESS": "mask", "US_SSN": {"method": "hash"}}``).
        default: method of every other type.
        fields: a field policy for records (``{"ssn": "encrypt"}``); None scans every field.
        policy: a policy file (or ``"default"``) whose methods for ``destination`` are used instead of
            ``methods``/``default``.
        destination: the policy destination (``training``, ``logs``, ...).
        tenant: whose keys are used.
        key_file: the keyring file; every worker opens it, so keyed methods agree without coordination.
        profile: ``fast`` or ``accurate``; None: fast, or the policy's profile.
        locale: Faker locale of surrogate stand-ins.
    """

    methods: Mapping[str, Any] | None = None
    default: Any = "redact"
    fields: Mapping[str, Any] | None = None
    policy: str | None = None
    destination: str = "training"
    tenant: str = "default"
    key_file: str | None = None
    profile: str | None = None
    locale: str = "en_US"

    def fingerprint(self) -> str:
        """A digest of the configuration: a checkpoint is only resumed by the same configuration."""
        data = json.dumps(asdict(self), sort_keys=True, default=str)
        return hashlib.sha256(data.encode()).hexdigest()[:32]

    def build(self, detector: DetectorLike | None = None) -> RecordProtector:
        """The protector this spec describes (opens the keyring file, loads the policy)."""
        from coatcheck.protect.protector import Protector

        keyring = None
        if self.key_file is not None:
            from coatcheck.keys import Keyring

            keyring = Keyring.open(self.key_file, create=False)
        methods: Any = self.methods
        default = self.default
        profile = self.profile or "fast"
        if self.policy is not None:
            from coatcheck.policy import Policy, effective_policy, load_policy

            loaded = Policy.default() if self.policy == "default" else load_policy(self.policy)
            effective = effective_policy(loaded, None if self.tenant == "default" else self.tenant)
            methods = effective.method_table(self.destination)
            if detector is None and self.profile is None:
                detector = effective.detector()
            profile = self.profile or effective.profile
        if detector is None:
            from coatcheck.detect.engine import Detector

            detector = Detector(profile)  # type: ignore[arg-type]  # Detector checks it
        prefetch = _Prefetched(detector)
        protector = Protector(
            keyring, self.tenant, methods, default, fields=self.fields, detector=prefetch, locale=self.locale
        )
        return RecordProtector(protector, prefetch)


class _Prefetched:
    """A detector that answers from one batched pass over a chunk (NER batches; repeated values once)."""

    def __init__(self, inner: DetectorLike) -> None:
        self.inner = inner
        self.cache: dict[str, list[Entity]] = {}

    def prime(self, texts: Iterable[str]) -> None:
        missing = [t for t in dict.fromkeys(texts) if t not in self.cache]
        if missing:
            self.cache.update(zip(missing, self.inner.detect_batch(missing), strict=True))

    def detect_batch(self, texts: Iterable[str]) -> list[list[Entity]]:
        out = []
        for text in texts:
            found = self.cache.get(text)
            out.append(found if found is not None else self.inner.detect_batch([text])[0])
        return out


class RecordProtector:
    """Protects texts and records one at a time, each in its own session, with detection batched per chunk."""

    def __init__(self, protector: Protector, prefetch: _Prefetched) -> None:
        self._prefetch = prefetch
        self.protector = protector
        self.tracker = PathTracker(protector.fields)

    def texts(self, texts: list[str], counts: Counter[str]) -> list[str]:
        """Each text protected in a fresh session."""
        self._prefetch.prime(t for t in texts if t.strip())
        out = []
        for text in texts:
            result = self.protector.session().protect(text)
            counts.update(result.counts)
            out.append(result.text)
        self._prefetch.cache.clear()
        return out

    def records(self, records: list[Any], counts: Counter[str]) -> list[Any]:
        """Each record protected in a fresh session; an untouched record is returned as the same object."""
        fields = self.protector.fields
        texts = [
            leaf.text
            for record in records
            for leaf in collect(record, fields)
            if leaf.entity_type is None and leaf.text.strip()
        ]
        self._prefetch.prime(texts)
        out = [
            next(iter(self.protector.session().protect_records([r], counts=counts, tracker=self.tracker)))
            for r in records
        ]
        self._prefetch.cache.clear()
        return out


@dataclass(slots=True)
class ChunkResult:
    """A protected chunk: the output bytes, records done, entities by type, field paths matched."""

    data: bytes = field(repr=False)
    records: int
    counts: dict[str, int]
    matched: set[str]


def _decode(data: bytes, name: str, first_line: int) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = first_line + data.count(b"\n", 0, exc.start)
        raise InputError(f"{name}:{line}: not valid UTF-8") from None


def _split_ending(line: str) -> tuple[str, str]:
    body = line.rstrip("\r\n")
    return body, line[len(body) :]


def protect_chunk(
    worker: RecordProtector,
    data: bytes,
    *,
    fmt: str,
    name: str,
    first_line: int,
    header: list[str] | None = None,
    delimiter: str = ",",
    terminator: str = "\n",
) -> ChunkResult:
    """Protect one chunk of whole records of a line format (text, jsonl, csv/tsv).

    Raises:
        InputError: a line that is not UTF-8 or JSON, a ragged CSV row (file and line, never content).
    """
    counts: Counter[str] = Counter()
    text = _decode(data, name, first_line)
    try:
        if fmt == "text":
            out, records = _text(worker, text, counts)
        elif fmt == "jsonl":
            out, records = _jsonl(worker, text, name, first_line, counts)
        else:
            out, records = _csv(worker, text, name, first_line, header or [], delimiter, terminator, counts)
    except CoatcheckError as exc:
        if str(exc).startswith(name):
            raise
        raise type(exc)(f"{name}: lines {first_line}-{first_line + text.count(chr(10))}: {exc}") from None
    return ChunkResult(out.encode("utf-8"), records, dict(counts), set(worker.tracker.matched))


def _text(worker: RecordProtector, text: str, counts: Counter[str]) -> tuple[str, int]:
    lines = [_split_ending(line) for line in text.splitlines(keepends=True)]
    bodies = worker.texts([b for b, _ in lines], counts)
    return "".join(b + e for b, (_, e) in zip(bodies, lines, strict=True)), len(lines)


def _jsonl(
    worker: RecordProtector, text: str, name: str, first_line: int, counts: Counter[str]
) -> tuple[str, int]:
    raw: list[str] = []
    records: list[Any] = []
    for number, line in enumerate(text.splitlines(keepends=True), first_line):
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise InputError(f"{name}:{number}: not valid JSON ({exc.msg} at column {exc.colno})") from None
        raw.append(line if line.endswith("\n") else line + "\n")
    out = worker.records(records, counts)
    parts = [
        original if new is record else json.dumps(new, ensure_ascii=False) + "\n"
        for original, record, new in zip(raw, records, out, strict=True)
    ]
    return "".join(parts), len(records)


def _csv(
    worker: RecordProtector,
    text: str,
    name: str,
    first_line: int,
    header: list[str],
    delimiter: str,
    terminator: str,
    counts: Counter[str],
) -> tuple[str, int]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[dict[str, str]] = []
    try:
        for row in reader:
            if not row:
                continue
            if len(row) != len(header):
                line = first_line + reader.line_num - 1
                raise InputError(f"{name}:{line}: expected {len(header)} fields, found {len(row)}")
            rows.append(dict(zip(header, row, strict=True)))
    except csv.Error:
        raise InputError(f"{name}:{first_line + reader.line_num - 1}: malformed CSV") from None
    out = worker.records(list(rows), counts)
    sink = io.StringIO(newline="")
    writer = csv.writer(sink, delimiter=delimiter, lineterminator=terminator)
    for record in out:
        writer.writerow(["" if record[h] is None else record[h] for h in header])
    return sink.getvalue(), len(rows)
