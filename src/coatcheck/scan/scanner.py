"""`Scanner`: walk files, read records tolerantly, detect in batches and count per file, field and type."""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from coatcheck.batch._io import iter_files
from coatcheck.batch.readers import Issue, Record, RecordReader
from coatcheck.detect.types import Entity
from coatcheck.errors import InputError
from coatcheck.scan.report import FieldReport, FileReport, ScanReport, TypeStats

if TYPE_CHECKING:
    from coatcheck.policy.effective import EffectivePolicy
    from coatcheck.policy.model import Policy
    from coatcheck.protect.protector import DetectorLike

__all__ = ["OnError", "Scanner", "masked_example", "scan_paths"]

OnError = Literal["skip", "stop"]
ProgressFn = Callable[[int], None]
_BATCH = 256
_MAX_EXAMPLE = 64


def masked_example(entity_type: str, value: str) -> str:
    """A masked form of a value for reports (``s****@example.com``): enough to recognize the kind of data,
    never enough to recover it. Uses protect's mask operator, so reports and masked outputs agree."""
    from coatcheck.protect.mask import MaskParams, mask_value

    masked = mask_value(entity_type, value, MaskParams())
    if masked == value:  # a method that kept everything would leak: hide it all instead
        masked = "".join("*" if ch.isalnum() else ch for ch in value)
    return masked if len(masked) <= _MAX_EXAMPLE else masked[: _MAX_EXAMPLE - 1] + "…"


class Scanner:
    """Discovery over files and folders (see `scan_paths` for the arguments).

    Build it, read ``files`` and ``total_bytes`` to size a progress bar, then call `run`.
    """

    def __init__(
        self,
        paths: Sequence[str | os.PathLike[str]],
        *,
        detector: DetectorLike | None = None,
        profile: str | None = None,
        policy: Policy | EffectivePolicy | None = None,
        tenant: str | None = None,
        destination: str = "llm",
        sample: int | None = None,
        sample_rate: float | None = None,
        seed: int = 0,
        on_error: OnError = "skip",
        fmt: str | None = None,
    ) -> None:
        if on_error not in ("skip", "stop"):
            raise InputError(f"on_error must be 'skip' or 'stop', not {on_error!r}")
        if sample is not None and sample < 1:
            raise InputError("sample must be at least 1 record")
        if sample_rate is not None and not 0 < sample_rate <= 1:
            raise InputError("sample rate must be in (0, 1]")
        if sample is not None and sample_rate is not None:
            raise InputError("choose either a sample size or a sample rate, not both")
        self.policy = _effective(policy, tenant)
        if destination not in self.policy.destinations:
            raise InputError(
                f"unknown destination {destination!r}; destinations: {', '.join(self.policy.destinations)}"
            )
        self.destination = destination
        self.policy_name = "default" if policy is None else (tenant or "base")
        self.profile = profile or ("fast" if policy is None else self.policy.profile)
        self._detector = detector
        self.sample, self.sample_rate, self.seed = sample, sample_rate, seed
        self.on_error: OnError = on_error
        self.fmt = fmt
        self.files, self.missing = iter_files(list(paths))
        if self.missing and on_error == "stop":
            raise InputError(f"{self.missing[0]}: no such file or folder")
        self.total_bytes = sum(_size(p) for p in self.files)

    @property
    def detector(self) -> DetectorLike:
        if self._detector is None:
            if self.profile == self.policy.profile:
                self._detector = self.policy.detector()
            else:
                from coatcheck.detect.engine import Detector

                self._detector = Detector(self.profile)  # type: ignore[arg-type]  # Detector checks it
        return self._detector

    def run(self, on_progress: ProgressFn | None = None) -> ScanReport:
        """Scan every file; ``on_progress(bytes)`` is called as input is consumed.

        Raises:
            InputError: with ``on_error="stop"``, at the first problem (file and line, never content).
            DetectorError: detection failed (a scan never reports unscanned data as clean).
        """
        started = time.monotonic()
        advance = on_progress or (lambda n: None)
        reports = [self._file(path, advance) for path in self.files]
        found = {name for r in reports for name in r.types}
        report = ScanReport(
            files=reports,
            profile=self.profile,
            destination=self.destination,
            policy=self.policy_name,
            classes={t: self.policy.sensitivity(t) for t in found},
            methods={t: str(self.policy.method_for(self.destination, t)) for t in found},
            sampling=self._sampling(),
            generated=datetime.now(UTC).replace(microsecond=0).isoformat(),
            missing=self.missing,
        )
        report.seconds = time.monotonic() - started
        return report

    def _sampling(self) -> dict[str, Any]:
        if self.sample is not None:
            return {"mode": "reservoir", "size": self.sample, "seed": self.seed}
        if self.sample_rate is not None:
            return {"mode": "rate", "rate": self.sample_rate, "seed": self.seed}
        return {"mode": "all"}

    # -- one file ----------------------------------------------------------------------------------------

    def _file(self, path: Path, advance: ProgressFn) -> FileReport:
        started = time.monotonic()
        reader = RecordReader(str(path), self.fmt)
        report = FileReport(str(path), reader.format, size=reader.size)
        seen = 0

        def progress() -> None:
            nonlocal seen
            now = reader.position
            if now > seen:
                advance(now - seen)
                seen = now

        batch: list[Record] = []
        for record in self._sampled(reader, report):
            batch.append(record)
            if len(batch) >= _BATCH:
                self._scan_batch(batch, report)
                batch.clear()
                progress()
        if batch:
            self._scan_batch(batch, report)
        report.compressed = reader.compressed
        report.format = reader.format
        if reader.size > seen:
            advance(reader.size - seen)
        report.seconds = time.monotonic() - started
        return report

    def _sampled(self, reader: RecordReader, report: FileReport) -> Iterator[Record]:
        rng = random.Random(f"{self.seed}:{report.path}")  # noqa: S311 - sampling, not security
        reservoir: list[Record] = []
        for item in reader:
            if isinstance(item, Issue):
                self._issue(item, report)
                continue
            report.records_read += 1
            if self.sample is not None:
                if len(reservoir) < self.sample:
                    reservoir.append(item)
                else:
                    slot = rng.randrange(report.records_read)
                    if slot < self.sample:
                        reservoir[slot] = item
            elif self.sample_rate is None or rng.random() < self.sample_rate:
                yield item
        yield from sorted(reservoir, key=lambda r: r.line)

    def _issue(self, issue: Issue, report: FileReport) -> None:
        report.issues.append(issue)
        if issue.kind in ("unreadable", "truncated", "binary", "too_large") or (
            issue.kind in ("parquet", "json") and report.format in ("parquet", "json")
        ):
            report.complete = False
        if self.on_error == "stop":
            raise InputError(str(issue))

    def _scan_batch(self, batch: list[Record], report: FileReport) -> None:
        texts: list[str] = []
        owners: list[tuple[int, str]] = []
        for index, record in enumerate(batch):
            for name, text in record.fields:
                if text.strip():
                    texts.append(text)
                    owners.append((index, name))
        found = self.detector.detect_batch(texts) if texts else []
        per_record: list[dict[str, list[tuple[Entity, str]]]] = [{} for _ in batch]
        for (index, name), entities, text in zip(owners, found, texts, strict=True):
            bucket = per_record[index].setdefault(name, [])
            bucket.extend((e, text) for e in entities)
        for record, by_field in zip(batch, per_record, strict=True):
            report.records_scanned += 1
            record_types: set[str] = set()
            for name in dict.fromkeys(n for n, _ in record.fields):
                stats = report.fields.get(name)
                if stats is None:
                    stats = report.fields[name] = FieldReport(name)
                stats.records += 1
                hits = by_field.get(name, [])
                if not hits:
                    continue
                stats.affected += 1
                field_types: set[str] = set()
                for entity, text in hits:
                    _add(stats.types, entity, text, entity.type not in field_types)
                    _add(report.types, entity, text, entity.type not in record_types)
                    field_types.add(entity.type)
                    record_types.add(entity.type)
            if record_types:
                report.affected += 1


def _add(table: dict[str, TypeStats], entity: Entity, text: str, new_record: bool) -> None:
    stats = table.get(entity.type)
    if stats is None:
        stats = table[entity.type] = TypeStats()
    stats.count += 1
    stats.records += int(new_record)
    if not stats.example:
        stats.example = masked_example(entity.type, text[entity.start : entity.end])


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _effective(policy: Policy | EffectivePolicy | None, tenant: str | None) -> EffectivePolicy:
    from coatcheck.policy import Policy, effective_policy

    if policy is None:
        policy = Policy.default()
    if isinstance(policy, Policy):
        return effective_policy(policy, tenant)
    return policy


def scan_paths(
    paths: Iterable[str | os.PathLike[str]],
    *,
    detector: DetectorLike | None = None,
    profile: str | None = None,
    policy: Policy | EffectivePolicy | None = None,
    tenant: str | None = None,
    destination: str = "llm",
    sample: int | None = None,
    sample_rate: float | None = None,
    seed: int = 0,
    on_error: OnError = "skip",
    fmt: str | None = None,
    on_progress: ProgressFn | None = None,
) -> ScanReport:
    """Discover personal data and secrets in files and folders: what, where, how much, and what to do.

    Args:
        paths: files and folders (walked recursively, hidden entries skipped). Text, logs, JSON, JSON lines,
            CSV/TSV and Parquet; any of them gzipped.
        detector: any object with ``detect_batch`` (default: the policy's detector, or ``profile``'s).
        profile: ``"fast"`` or ``"accurate"`` (default: fast without a policy, else the policy's).
        policy: the policy whose classes and methods the report shows (default: `Policy.default()`).
        tenant: the policy tenant to use.
        destination: whose methods to suggest (``llm``, ``logs``, ``training``, ...).
        sample: scan a uniform random sample of at most this many records per file (reservoir).
        sample_rate: scan each record with this probability (streams; nothing held back).
        seed: makes sampling reproducible.
        on_error: ``"skip"`` reports bad input and goes on; ``"stop"`` raises at the first problem.
        fmt: force one format for every file (default: by suffix).
        on_progress: called with the number of input bytes consumed since the last call.
    """
    scanner = Scanner(
        list(paths),
        detector=detector,
        profile=profile,
        policy=policy,
        tenant=tenant,
        destination=destination,
        sample=sample,
        sample_rate=sample_rate,
        seed=seed,
        on_error=on_error,
        fmt=fmt,
    )
    return scanner.run(on_progress)

