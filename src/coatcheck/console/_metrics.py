"""A small in-process store of recent requests for the dashboard: types, counts and timings, never values.

The gateway feeds it once per request (`MetricsStore.record`); the dashboard asks for time buckets. It keeps a
bounded window, so memory stays flat however long the process runs.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from coatcheck.entities import ENTITY_TYPES
from coatcheck.errors import InputError

__all__ = ["DECISIONS", "MetricsStore", "RequestSample", "percentiles"]

DECISIONS = ("allow", "review", "block")


@dataclass(frozen=True, slots=True)
class RequestSample:
    """One request as the dashboard sees it."""

    at: float
    tenant: str
    decision: str
    mode: str
    entity_counts: Mapping[str, int] = field(default_factory=dict)
    latency: float | None = None


def percentiles(values: Iterable[float], points: Iterable[float] = (50, 90, 99)) -> dict[str, float]:
    """Nearest-rank percentiles (``{"p50": ..}``); empty input gives an empty mapping."""
    ordered = sorted(values)
    if not ordered:
        return {}
    out = {}
    for p in points:
        rank = max(1, math.ceil(p / 100 * len(ordered)))
        out[f"p{p:g}"] = ordered[rank - 1]
    return out


class MetricsStore:
    """Recent requests, newest last; thread-safe.

    Args:
        max_samples: how many requests to keep (older ones fall off).
        clock: seconds since the epoch (injectable for tests).
    """

    def __init__(self, max_samples: int = 50_000, clock: Callable[[], float] | None = None) -> None:
        self._samples: deque[RequestSample] = deque(maxlen=max_samples)
        self._lock = threading.Lock()
        self.clock = clock or time.time

    def __len__(self) -> int:
        return len(self._samples)

    def record(
        self,
        tenant: str,
        decision: str,
        entity_counts: Mapping[str, int] | None = None,
        latency: float | None = None,
        mode: str = "enforce",
    ) -> None:
        """Count one request: its tenant, the policy's decision, entities by type, and detector latency (s).

        Raises:
            InputError: a decision, mode or entity type outside the vocabulary, or a negative count or latency.
        """
        if decision not in DECISIONS:
            raise InputError(f"metrics: decision must be one of {', '.join(DECISIONS)}")
        if mode not in ("enforce", "observe"):
            raise InputError("metrics: mode must be enforce or observe")
        counts = dict(entity_counts or {})
        for name, count in counts.items():
            if name not in ENTITY_TYPES or type(count) is not int or count < 0:
                raise InputError("metrics: entity_counts maps taxonomy types to counts >= 0")
        if latency is not None and not (isinstance(latency, int | float) and latency >= 0):
            raise InputError("metrics: latency is a number of seconds >= 0")
        sample = RequestSample(self.clock(), str(tenant or "default"), decision, mode, counts, latency)
        with self._lock:
            self._samples.append(sample)

    def since(self, start: float) -> list[RequestSample]:
        """The samples recorded at or after ``start``, oldest first."""
        with self._lock:
            samples = list(self._samples)
        return [s for s in samples if s.at >= start]

    def latencies(self, start: float) -> list[float]:
        """Latencies (seconds) of the requests since ``start`` that reported one."""
        return [s.latency for s in self.since(start) if s.latency is not None]
