"""What discovery found: per file, per field and per entity type; counts and masked examples, never values."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from coatcheck.batch.readers import Issue
from coatcheck.entities import Sensitivity

__all__ = ["FieldReport", "FileReport", "ScanReport", "TypeStats"]

REPORT_VERSION = 1


@dataclass(slots=True)
class TypeStats:
    """One entity type in one field (or file): how many values, in how many records, one masked example."""

    count: int = 0
    records: int = 0
    example: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"count": self.count, "records": self.records, "example": self.example}


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


@dataclass(slots=True)
class FieldReport:
    """One field or column of one file.

    Attributes:
        name: the field path (``user.email``, ``messages[*].content``), the CSV/Parquet column, or ``text``
            for plain text and logs.
        records: records in which the field holds a value.
        affected: records in which the field holds at least one finding.
        types: findings by entity type.
    """

    name: str
    records: int = 0
    affected: int = 0
    types: dict[str, TypeStats] = field(default_factory=dict)

    @property
    def share(self) -> float:
        """Share of the field's records that hold personal data or secrets."""
        return _share(self.affected, self.records)

    @property
    def count(self) -> int:
        return sum(t.count for t in self.types.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "records": self.records,
            "affected": self.affected,
            "share": self.share,
            "types": {t: s.as_dict() for t, s in sorted(self.types.items())},
        }


@dataclass(slots=True)
class FileReport:
    """One file.

    Attributes:
        records_read: records read from the file (valid ones).
        records_scanned: records scanned (fewer than read when sampling).
        affected: scanned records with at least one finding.
        complete: False when reading stopped early (truncated stream, unreadable file, ``--on-error stop``).
    """

    path: str
    format: str
    size: int = 0
    compressed: bool = False
    records_read: int = 0
    records_scanned: int = 0
    affected: int = 0
    fields: dict[str, FieldReport] = field(default_factory=dict)
    types: dict[str, TypeStats] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    complete: bool = True
    seconds: float = 0.0

    @property
    def share(self) -> float:
        return _share(self.affected, self.records_scanned)

    @property
    def count(self) -> int:
        return sum(t.count for t in self.types.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "format": self.format,
            "bytes": self.size,
            "compressed": self.compressed,
            "records": self.records_read,
            "scanned": self.records_scanned,
            "affected": self.affected,
            "share": self.share,
            "complete": self.complete,
            "seconds": round(self.seconds, 3),
            "types": {t: s.as_dict() for t, s in sorted(self.types.items())},
            "fields": [f.as_dict() for f in sorted(self.fields.values(), key=lambda f: (-f.affected, f.name))],
            "issues": [i.as_dict() for i in self.issues],
        }


@dataclass(slots=True)
class ScanReport:
    """A whole discovery run: every file, with what the policy says about each type found.

    Attributes:
        classes: sensitivity class of each type found, under the policy.
        methods: the method the policy suggests for each type found, for ``destination``.
        sampling: how records were chosen (``{"mode": "all"}``, ``{"mode": "reservoir", "size": N}``, ...).
    """

    files: list[FileReport]
    profile: str
    destination: str
    policy: str
    classes: dict[str, Sensitivity] = field(default_factory=dict)
    methods: dict[str, str] = field(default_factory=dict)
    sampling: dict[str, Any] = field(default_factory=lambda: {"mode": "all"})
    generated: str = ""
    seconds: float = 0.0
    missing: list[str] = field(default_factory=list)

    @property
    def types(self) -> dict[str, TypeStats]:
        """Findings by type over every file (``records`` summed over files)."""
        return merge_types(f.types for f in self.files)

    @property
    def issues(self) -> list[Issue]:
        return [issue for f in self.files for issue in f.issues]

    def by_class(self) -> dict[Sensitivity, int]:
        """Findings per sensitivity class, every class present (zero when none)."""
        out = dict.fromkeys(Sensitivity, 0)
        for name, stats in self.types.items():
            out[self.classes.get(name, Sensitivity.REGULATED)] += stats.count
        return out

    @property
    def records_scanned(self) -> int:
        return sum(f.records_scanned for f in self.files)

    @property
    def affected(self) -> int:
        return sum(f.affected for f in self.files)

    def highest_class(self) -> Sensitivity | None:
        """The strictest class found, or None when nothing was found."""
        found = [self.classes.get(t, Sensitivity.REGULATED) for t, s in self.types.items() if s.count]
        return max(found) if found else None

    def as_dict(self) -> dict[str, Any]:
        """The JSON report (``--json``): counts, shares, classes, methods and masked examples only."""
        types = self.types
        return {
            "version": REPORT_VERSION,
            "generated": self.generated,
            "profile": self.profile,
            "policy": self.policy,
            "destination": self.destination,
            "sampling": self.sampling,
            "summary": {
                "files": len(self.files),
                "bytes": sum(f.size for f in self.files),
                "records": sum(f.records_read for f in self.files),
                "scanned": self.records_scanned,
                "affected": self.affected,
                "findings": sum(s.count for s in types.values()),
                "issues": len(self.issues),
                "seconds": round(self.seconds, 3),
                "classes": {str(c): n for c, n in self.by_class().items()},
                "types": {
                    name: {
                        "count": stats.count,
                        "records": stats.records,
                        "class": str(self.classes.get(name, Sensitivity.REGULATED)),
                        "method": self.methods.get(name, ""),
                        "example": stats.example,
                    }
                    for name, stats in sorted(types.items(), key=lambda kv: (-kv[1].count, kv[0]))
                },
            },
            "missing": self.missing,
            "files": [f.as_dict() for f in self.files],
        }


def merge_types(groups: Iterable[Mapping[str, TypeStats]]) -> dict[str, TypeStats]:
    """Add up per-type statistics; the first example seen is kept."""
    out: dict[str, TypeStats] = {}
    for group in groups:
        for name, stats in group.items():
            into = out.setdefault(name, TypeStats())
            into.count += stats.count
            into.records += stats.records
            into.example = into.example or stats.example
    return out
