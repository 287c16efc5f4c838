"""Generalize a table step by step until it is k-anonymous, and report what that cost.

Greedy, one rung at a time: each step raises the one quasi-identifier whose next level leaves the fewest rows
in classes smaller than k (ties: the step that loses the smallest share of distinct values). It stops when no
row is at risk, or when the rows still at risk are few enough to suppress (``max_suppression``, a share of the
rows: those rows are removed). With every quasi-identifier at ``*`` all rows share one class, so it always ends.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from coatcheck.analytics._hierarchy import Hierarchy, hierarchies
from coatcheck.analytics._risk import RiskReport, _check, class_sizes, risk_report
from coatcheck.errors import InputError

__all__ = ["Anonymized", "ColumnLoss", "anonymize_to_k"]


@dataclass(frozen=True, slots=True)
class ColumnLoss:
    """Information lost in one column: the level reached (of ``height``) and distinct values before/after."""

    column: str
    kind: str
    method: str
    level: int
    height: int
    distinct_before: int
    distinct_after: int

    @property
    def distinct_lost(self) -> float:
        """Share of distinct values merged away (0: untouched, close to 1: everything merged)."""
        return 1 - self.distinct_after / self.distinct_before if self.distinct_before else 0.0

    @property
    def relative_height(self) -> float:
        return self.level / self.height if self.height else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "column": self.column,
            "kind": self.kind,
            "method": self.method,
            "level": self.level,
            "height": self.height,
            "relative_height": self.relative_height,
            "distinct_before": self.distinct_before,
            "distinct_after": self.distinct_after,
            "distinct_lost": self.distinct_lost,
        }


@dataclass(frozen=True, slots=True)
class Anonymized:
    """The generalized table, the steps taken, and the information loss.

    Attributes:
        data: the table with quasi-identifiers generalized and suppressed rows removed.
        steps: ``"zip -> ZIP3"``-style steps, in order.
        records_suppressed: rows removed (positions in ``suppressed_rows``).
        report: the risk report of ``data`` (its smallest class is at least k).
    """

    data: pd.DataFrame = field(repr=False)
    k: int
    steps: tuple[str, ...]
    columns: tuple[ColumnLoss, ...]
    records_suppressed: int
    report: RiskReport
    suppressed_rows: tuple[int, ...] = field(default=(), repr=False)

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly summary (no data, no row positions)."""
        return {
            "k": self.k,
            "reached_k": self.report.smallest_class,
            "steps": list(self.steps),
            "columns": [c.as_dict() for c in self.columns],
            "records_suppressed": self.records_suppressed,
            "rows_out": len(self.data),
            "report": self.report.as_dict(),
        }


def _generalized(frame: pd.DataFrame, found: Sequence[Hierarchy], levels: Mapping[str, int]) -> pd.DataFrame:
    return frame.assign(**{h.column: h.generalize(frame[h.column], levels[h.column]) for h in found})


def _at_risk(frame: pd.DataFrame, qi: Sequence[str], k: int) -> int:
    return int((class_sizes(frame, qi) < k).sum())


def anonymize_to_k(
    frame: pd.DataFrame,
    quasi_identifiers: Sequence[str],
    k: int,
    *,
    kinds: Mapping[str, str] | None = None,
    max_suppression: float = 0.0,
    sensitive: str | None = None,
) -> Anonymized:
    """Generalize ``quasi_identifiers`` until every class has at least ``k`` rows.

    Args:
        frame: the table; generalized columns come back as text.
        quasi_identifiers: the columns to generalize.
        k: the target.
        kinds: override the inferred kind of a column.
        max_suppression: share of rows (0 to 0.5) that may be removed instead of generalizing further.
        sensitive: reported on (l-diversity) in the final report; never changed.

    Raises:
        InputError: bad columns or parameters, or fewer than ``k`` rows (no generalization can help).
    """
    qi = _check(frame, quasi_identifiers, k, sensitive)
    if (
        isinstance(max_suppression, bool)
        or not isinstance(max_suppression, int | float)
        or not 0 <= max_suppression <= 0.5
    ):
        raise InputError("max_suppression must be a share from 0 to 0.5")
    if len(frame) < k:
        raise InputError(f"the table has {len(frame)} rows, fewer than k={k}: it cannot be {k}-anonymous")
    found = hierarchies(frame, qi, kinds)
    levels = {h.column: 0 for h in found}
    steps: list[str] = []
    current = frame
    while (risky := _at_risk(current, qi, k)) > max_suppression * len(frame):
        best: tuple[int, float, Hierarchy] | None = None
        for h in found:
            if levels[h.column] == h.height:
                continue
            trial = h.generalize(frame[h.column], levels[h.column] + 1)
            after = _at_risk(current.assign(**{h.column: trial}), qi, k)
            lost = 1 - trial.nunique(dropna=False) / max(frame[h.column].nunique(dropna=False), 1)
            if best is None or (after, lost) < best[:2]:
                best = (after, lost, h)
        if best is None:  # unreachable: all at "*" makes one class of len(frame) >= k rows
            break
        chosen = best[2]
        levels[chosen.column] += 1
        steps.append(f"{chosen.column} -> {chosen.levels[levels[chosen.column]].name}")
        current = _generalized(frame, found, levels)
    suppressed: tuple[int, ...] = ()
    if risky:
        mask = (class_sizes(current, qi) < k).to_numpy()
        suppressed = tuple(int(i) for i in mask.nonzero()[0])
        current = current[~mask]
    losses = tuple(
        ColumnLoss(
            h.column,
            h.kind,
            h.levels[levels[h.column]].name,
            levels[h.column],
            h.height,
            int(frame[h.column].nunique(dropna=False)),
            int(current[h.column].nunique(dropna=False)),
        )
        for h in found
    )
    kinds_found = {h.column: h.kind for h in found}  # generalized values no longer look like their kind
    report = risk_report(current.reset_index(drop=True), qi, k=k, sensitive=sensitive, kinds=kinds_found, suggest=False)
    return Anonymized(current.reset_index(drop=True), k, tuple(steps), losses, len(suppressed), report, suppressed)
