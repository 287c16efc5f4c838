"""Observation reports: run a policy over samples without changing anything, to tune it before enforcing.

The report counts, by tenant and entity type, what each destination would have protected and which samples
would have been blocked or sent for review, and lists a sample of low-confidence detections (kept just above or
dropped just below their threshold) with the values masked, so thresholds can be set from evidence.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from coatcheck.detect.types import Entity
from coatcheck.policy.effective import EffectivePolicy, effective_policy
from coatcheck.policy.preview import collect_leaves
from coatcheck.policy.samples import Sample

if TYPE_CHECKING:
    from coatcheck.detect.engine import Candidate
    from coatcheck.policy.model import Policy

__all__ = ["LowConfidence", "ObservationReport", "TenantReport", "TypeReport", "mask_shape", "observe"]

_WINDOW = 32


@dataclass
class TypeReport:
    """One entity type under one tenant: how often found, in how many samples, what each destination does."""

    detected: int = 0
    samples: int = 0
    blocked_samples: int = 0
    methods: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "detected": self.detected,
            "samples": self.samples,
            "blocked_samples": self.blocked_samples,
            "methods": dict(self.methods),
        }


@dataclass
class TenantReport:
    """All samples of one tenant (``base`` for samples without a tenant)."""

    tenant: str
    mode: str
    samples: int = 0
    decisions: Counter[str] = field(default_factory=Counter)
    types: dict[str, TypeReport] = field(default_factory=dict)
    blocked: list[str] = field(default_factory=list)
    review: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "tenant": self.tenant,
            "mode": self.mode,
            "samples": self.samples,
            "decisions": {a: self.decisions.get(a, 0) for a in ("allow", "review", "block")},
            "types": {t: r.as_dict() for t, r in sorted(self.types.items())},
            "blocked": list(self.blocked),
            "review": list(self.review),
        }


@dataclass(frozen=True, slots=True)
class LowConfidence:
    """A detection near its threshold; ``snippet`` has this value shape-masked and every other finding typed."""

    tenant: str
    sample: str
    type: str
    score: float
    threshold: float
    kept: bool
    recognizer: str
    context: tuple[str, ...]
    snippet: str = field(repr=False)

    def as_dict(self) -> dict[str, Any]:
        return {
            "tenant": self.tenant,
            "sample": self.sample,
            "type": self.type,
            "score": round(self.score, 4),
            "threshold": self.threshold,
            "kept": self.kept,
            "recognizer": self.recognizer,
            "context": list(self.context),
            "snippet": self.snippet,
        }


@dataclass
class ObservationReport:
    """The whole report: one `TenantReport` per tenant seen, and the low-confidence sample."""

    tenants: dict[str, TenantReport] = field(default_factory=dict)
    low_confidence: list[LowConfidence] = field(default_factory=list)
    low_confidence_total: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "tenants": {name: report.as_dict() for name, report in self.tenants.items()},
            "low_confidence": [item.as_dict() for item in self.low_confidence],
            "low_confidence_total": self.low_confidence_total,
        }


def mask_shape(value: str, limit: int = 24) -> str:
    """The shape of a value: letters become ``x``/``X``, digits ``9``; punctuation stays (``Xxxxx 999-99``)."""
    out = []
    for char in value[:limit]:
        if char.isdigit():
            out.append("9")
        elif char.isalpha():
            out.append("X" if char.isupper() else "x")
        elif char.isspace():
            out.append(" ")
        else:
            out.append(char)
    return "".join(out) + ("…" if len(value) > limit else "")


def _widen(text: str, lo: int, hi: int) -> tuple[int, int]:
    """Move the window edges to word boundaries, so no word is shown cut (a cut could hide a value's type)."""
    for _ in range(16):
        if lo > 0 and not text[lo - 1].isspace():
            lo -= 1
        if hi < len(text) and not text[hi].isspace():
            hi += 1
    return lo, hi


def _snippet(text: str, target: Entity, others: Iterable[Entity]) -> str:
    lo, hi = _widen(text, max(0, target.start - _WINDOW), min(len(text), target.end + _WINDOW))
    spans = sorted(
        [(target.start, target.end, f"⟨{target.type} {mask_shape(target.text or text[target.start : target.end])}⟩")]
        + [(e.start, e.end, f"[{e.type}]") for e in others if e.end > lo and e.start < hi]
    )
    out, pos = [], lo
    for start, end, label in spans:
        if end <= pos:
            continue
        start = max(start, pos)
        out.append(text[pos:start])
        out.append(label)
        pos = end
    out.append(text[pos:hi])
    body = "".join(out).replace("\n", " ").replace("\r", " ")
    return ("…" if lo > 0 else "") + body + ("…" if hi < len(text) else "")


def _candidates(effective: EffectivePolicy, leaf_text: str, typed: str | None) -> list[Candidate]:
    from coatcheck.detect.engine import Candidate

    if typed is not None:
        entity = Entity(typed, 0, len(leaf_text), 1.0, "field", leaf_text)
        return [Candidate(entity, effective.threshold_for(typed))] if leaf_text.strip() else []
    return effective.detector().explain(leaf_text) if leaf_text.strip() else []


def observe(
    policy: Policy,
    samples: Iterable[Sample | str],
    *,
    tenant: str | None = None,
    margin: float = 0.15,
    limit: int = 20,
) -> ObservationReport:
    """Run ``policy`` over ``samples`` as if in observe mode and report what it would have done.

    Args:
        policy: the policy (its tenants are resolved per sample).
        samples: texts or `Sample` objects (a sample's own tenant wins over ``tenant``).
        tenant: the tenant of samples that name none (None: the base policy).
        margin: how far from its threshold a score counts as low confidence.
        limit: how many low-confidence detections to list (the total is always counted).
    """
    report = ObservationReport()
    for index, item in enumerate(samples, start=1):
        sample = item if isinstance(item, Sample) else Sample(index, item)
        name = sample.tenant or tenant
        effective = effective_policy(policy, name)
        label = name or "base"
        tenant_report = report.tenants.setdefault(label, TenantReport(label, effective.mode))
        kept: list[Entity] = []
        for leaf in collect_leaves(effective, sample.data):
            candidates = _candidates(effective, leaf.text, leaf.entity_type)
            kept_here = [c.entity for c in candidates if c.dropped is None]
            kept += kept_here
            for candidate in candidates:
                score, threshold = candidate.entity.score, candidate.threshold
                near = (candidate.dropped is None and score < threshold + margin) or (
                    candidate.dropped == "below_threshold" and score >= threshold - margin
                )
                if not near or leaf.entity_type is not None:
                    continue
                report.low_confidence_total += 1
                if len(report.low_confidence) < limit:
                    others = [c.entity for c in candidates if c is not candidate]
                    report.low_confidence.append(
                        LowConfidence(
                            label,
                            sample.label,
                            candidate.entity.type,
                            score,
                            threshold,
                            candidate.dropped is None,
                            candidate.entity.recognizer,
                            candidate.entity.context,
                            _snippet(leaf.text, candidate.entity, others),
                        )
                    )
        _count(tenant_report, effective, sample, kept)
    return report


def _count(report: TenantReport, effective: EffectivePolicy, sample: Sample, kept: list[Entity]) -> None:
    decision = effective.decide(kept)
    report.samples += 1
    report.decisions[decision.action] += 1
    if decision.action == "block":
        report.blocked.append(sample.label)
    elif decision.action == "review":
        report.review.append(sample.label)
    for entity_type, count in Counter(e.type for e in kept).items():
        row = report.types.get(entity_type)
        if row is None:
            row = report.types[entity_type] = TypeReport(
                methods={d: str(effective.method_for(d, entity_type)) for d in effective.destination_names()}
            )
        row.detected += count
        row.samples += 1
        if decision.action == "block":
            row.blocked_samples += 1
