"""The dashboard's JSON: traffic, entities and decisions over time, re-identification requests, latency.

Traffic comes from the audit log when one is configured (it covers every process that writes to it), else from
the in-process `MetricsStore`; latency always comes from the store (the audit trail has no timings). Both hold
types and counts only, so nothing here can show a value.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from coatcheck.console._metrics import DECISIONS, MetricsStore, RequestSample, percentiles

__all__ = ["REIDENTIFY_ACTIONS", "REQUEST_ACTIONS", "dashboard_data", "samples_from_audit"]

# Audit actions that stand for one scanned request or record (console actions are told apart by their actor).
REQUEST_ACTIONS = frozenset({"detect", "protect", "block", "review", "policy_observe"})
REIDENTIFY_ACTIONS = frozenset({"reidentify", "decrypt", "access_denied"})
CONSOLE_ACTOR = "console:"
_TOP_TYPES = 6


def _epoch(stamp: str) -> float:
    return datetime.fromisoformat(stamp).timestamp()


def samples_from_audit(events: Iterable[Any]) -> tuple[list[RequestSample], list[dict[str, Any]]]:
    """Request samples and re-identification rows from audit events (`AuditEvent`)."""
    samples: list[RequestSample] = []
    reidentify: list[dict[str, Any]] = []
    for event in events:
        if event.action in REIDENTIFY_ACTIONS:
            reidentify.append(
                {
                    "time": event.timestamp,
                    "actor": event.actor,
                    "tenant": event.tenant,
                    "action": event.action,
                    "purpose": event.purpose,
                    "reason": event.reason,
                    "types": dict(event.entity_counts),
                }
            )
        elif event.action in REQUEST_ACTIONS and not event.actor.startswith(CONSOLE_ACTOR):
            samples.append(
                RequestSample(
                    _epoch(event.timestamp), event.tenant, event.decision, event.mode, event.entity_counts
                )
            )
    return samples, reidentify


def _top(series: dict[str, list[int]], size: int) -> dict[str, list[int]]:
    """The biggest few series by total, the rest summed as ``other``."""
    ranked = sorted(series, key=lambda name: (-sum(series[name]), name))
    top = {name: series[name] for name in ranked[:_TOP_TYPES]}
    if len(ranked) > _TOP_TYPES:
        top["other"] = [sum(series[name][i] for name in ranked[_TOP_TYPES:]) for i in range(size)]
    return top


def _series(samples: Sequence[RequestSample], start: float, bucket: float, size: int) -> dict[str, Any]:
    decisions = {d: [0] * size for d in DECISIONS}
    entities = [0] * size
    by_type: dict[str, list[int]] = {}
    by_tenant: dict[str, list[int]] = {}
    for s in samples:
        index = min(size - 1, int((s.at - start) // bucket))
        if index < 0:
            continue
        decisions.setdefault(s.decision, [0] * size)[index] += 1
        by_tenant.setdefault(s.tenant, [0] * size)[index] += sum(s.entity_counts.values())
        for name, count in s.entity_counts.items():
            entities[index] += count
            by_type.setdefault(name, [0] * size)[index] += count
    requests = [sum(decisions[d][i] for d in decisions) for i in range(size)]
    return {
        "requests": requests,
        "decisions": decisions,
        "entities": entities,
        "entities_by_type": _top(by_type, size),
        "entities_by_tenant": _top(by_tenant, size),
    }


def _totals(samples: Sequence[RequestSample]) -> dict[str, Any]:
    by_type: Counter[str] = Counter()
    by_tenant: dict[str, dict[str, int]] = {}
    decisions: Counter[str] = Counter({d: 0 for d in DECISIONS})
    observe_types: Counter[str] = Counter()
    observe_requests = 0
    for s in samples:
        decisions[s.decision] += 1
        by_type.update(s.entity_counts)
        row = by_tenant.setdefault(s.tenant, {"requests": 0, "entities": 0, "block": 0, "review": 0})
        row["requests"] += 1
        row["entities"] += sum(s.entity_counts.values())
        if s.decision in ("block", "review"):
            row[s.decision] += 1
        if s.mode == "observe":
            observe_requests += 1
            observe_types.update(s.entity_counts)
    return {
        "requests": len(samples),
        "entities": sum(by_type.values()),
        "decisions": dict(decisions),
        "by_type": dict(by_type.most_common()),
        "by_tenant": dict(sorted(by_tenant.items(), key=lambda kv: -kv[1]["requests"])),
        "observe": {
            "requests": observe_requests,
            "would_redact": sum(observe_types.values()),
            "by_type": dict(observe_types.most_common()),
        },
    }


def _latency(store: MetricsStore, start: float, bucket: float, size: int) -> dict[str, Any]:
    recent = [s for s in store.since(start) if s.latency is not None]
    values = [s.latency * 1000 for s in recent if s.latency is not None]
    summary: dict[str, Any] = {
        "count": len(values),
        **{k: round(v, 2) for k, v in percentiles(values).items()},
    }
    if values:
        summary["max"] = round(max(values), 2)
    per_bucket: list[list[float]] = [[] for _ in range(size)]
    for s in recent:
        index = min(size - 1, int((s.at - start) // bucket))
        if index >= 0 and s.latency is not None:
            per_bucket[index].append(s.latency * 1000)
    summary["p90_series"] = [round(percentiles(b, (90,))["p90"], 2) if b else None for b in per_bucket]
    return summary


def dashboard_data(
    store: MetricsStore,
    *,
    audit: Any = None,
    now: float,
    minutes: int = 60,
    bucket_seconds: int = 60,
    review: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Everything the dashboard draws, for the last ``minutes``, in buckets of ``bucket_seconds``."""
    span = minutes * 60
    size = max(1, math.ceil(span / bucket_seconds))
    start = now - size * bucket_seconds
    reidentify: list[dict[str, Any]] = []
    if audit is not None:
        events = audit.query(since=datetime.fromtimestamp(start, UTC))
        samples, reidentify = samples_from_audit(events)
        source = "audit"
    else:
        samples = store.since(start)
        source = "metrics"
    return {
        "source": source,
        "window": {
            "start": start,
            "bucket_seconds": bucket_seconds,
            "buckets": [start + i * bucket_seconds for i in range(size)],
        },
        "totals": _totals(samples),
        "series": _series(samples, start, bucket_seconds, size),
        "reidentify": list(reversed(reidentify[-50:])),
        "latency": _latency(store, start, bucket_seconds, size),
        "review": review or {},
    }
