"""Differentially private queries over a pandas DataFrame: what to compute, checked once, then released.

``Query`` says what is asked (statistic, column, epsilon, bounds, grouping); ``prepare`` validates it against the
table and builds the OpenDP measurements without releasing anything (so a bad query never spends budget);
``Prepared.release`` draws the noise. Groups are either declared (public keys: every key gets an answer, rows
with other keys are ignored) or chosen by DP partition selection (no keys, ``delta > 0``: half the epsilon finds
the groups, half answers them; a count uses all of it, the selection's noisy counts being the answer).

Groups split the rows into disjoint parts, and one person is one row, so a grouped query costs the epsilon of
one group (parallel composition), not one epsilon per group.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

import pandas as pd

from coatcheck.errors import InputError

__all__ = ["MAX_EPSILON", "DPResult", "Estimate", "Prepared", "Query", "Statistic", "prepare"]

Statistic = Literal["count", "sum", "mean", "quantile", "histogram"]
Numeric = Literal["int", "float"]
STATISTICS: tuple[str, ...] = get_args(Statistic)
MAX_EPSILON = 1e6
_NEEDS_BOUNDS = frozenset({"sum", "mean", "quantile"})


@dataclass(frozen=True, slots=True)
class Query:
    """One differentially private question about a table.

    Attributes:
        statistic: count, sum, mean, quantile or histogram.
        column: the column (``None`` counts rows). Missing values are left out before anything is computed.
        epsilon: privacy loss of this query, > 0.
        delta: only for partition selection (grouping without declared keys); 0 otherwise.
        bounds: (lower, upper), required for sum, mean, quantile and numeric histograms: values are clamped to
            them, which is what bounds the sensitivity. Choose them from domain knowledge, never from the data.
        by: a grouping column.
        keys: the declared, public group keys (their answers are released even when a group is empty).
        quantiles: the quantile levels, in (0, 1); the epsilon is split evenly across them.
        candidates: how many evenly spaced candidate answers a quantile chooses among (its resolution).
        bins: bins of a numeric histogram over ``bounds``.
        categories: declared categories of a text histogram (other values are counted as ``(other)``); without
            them a text histogram uses partition selection and needs ``delta``.
    """

    statistic: Statistic
    column: str | None
    epsilon: float
    delta: float = 0.0
    bounds: tuple[float, float] | None = None
    by: str | None = None
    keys: tuple[str, ...] | None = None
    quantiles: tuple[float, ...] = (0.5,)
    candidates: int = 1001
    bins: int = 10
    categories: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class Estimate:
    """One released number: ``group`` (None when ungrouped), ``key`` (what it estimates), ``value``."""

    group: str | None
    key: str
    value: float


@dataclass(frozen=True, slots=True)
class DPResult:
    """A differentially private answer and how it was made.

    Attributes:
        estimates: the released numbers; ``value`` gives the single one of an ungrouped count, sum or mean.
        epsilon, delta: what the query cost (charged to the budget).
        mechanism: the noise mechanism; ``scale``: its noise scale (Laplace: 1/epsilon for a count).
    """

    statistic: Statistic
    column: str | None
    by: str | None
    epsilon: float
    delta: float
    mechanism: str
    scale: float
    estimates: tuple[Estimate, ...]
    query_id: str | None = None

    @property
    def value(self) -> float:
        """The single estimate; raises InputError when there are several (use ``estimates``)."""
        if len(self.estimates) != 1:
            raise InputError(f"this {self.statistic} result has {len(self.estimates)} estimates; read .estimates")
        return self.estimates[0].value

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return {
            "statistic": self.statistic,
            "column": self.column,
            "by": self.by,
            "epsilon": self.epsilon,
            "delta": self.delta,
            "mechanism": self.mechanism,
            "scale": self.scale,
            "query_id": self.query_id,
            "estimates": [{"group": e.group, "key": e.key, "value": e.value} for e in self.estimates],
        }

    def to_frame(self) -> pd.DataFrame:
        """The estimates as a DataFrame with columns group, key, value."""
        return pd.DataFrame([(e.group, e.key, e.value) for e in self.estimates], columns=["group", "key", "value"])


Release = Callable[[pd.Series], list[tuple[str, float]]]  # one group's values -> (key, estimate) pairs


@dataclass(frozen=True, slots=True)
class Prepared:
    """A validated query with its measurements built; ``release()`` draws the noise (no budget involved)."""

    query: Query
    mechanism: str
    scale: float
    _values: pd.Series = field(repr=False)
    _groups: pd.Series | None = field(repr=False)
    _release: Release = field(repr=False)

    def release(self, query_id: str | None = None) -> DPResult:
        """Draw the noise and return the answer (call it once per charged query)."""
        from coatcheck.analytics import _opendp as odp  # lazily: OpenDP takes ~2 s to load

        q = self.query
        estimates: list[Estimate] = []
        if self._groups is None:
            estimates = [Estimate(None, k, v) for k, v in self._release(self._values)]
        else:
            keys = q.keys
            if keys is None:  # partition selection
                selection = odp.threshold_measurement(*_selection_budget(q)).measurement(self._groups.tolist())
                if q.statistic == "count":
                    return self._result(
                        [Estimate(str(g), "count", float(n)) for g, n in sorted(selection.items())], query_id
                    )
                keys = tuple(sorted(selection))
            parts = {str(g): part for g, part in self._values.groupby(self._groups, sort=False)}
            empty = self._values.iloc[0:0]
            for key in keys:  # every declared key is answered, present in the data or not
                estimates += [Estimate(key, k, v) for k, v in self._release(parts.get(key, empty))]
        return self._result(estimates, query_id)

    def _result(self, estimates: list[Estimate], query_id: str | None) -> DPResult:
        q = self.query
        return DPResult(
            q.statistic, q.column, q.by, q.epsilon, q.delta, self.mechanism, self.scale, tuple(estimates), query_id
        )


def _selection_budget(q: Query) -> tuple[float, float]:
    return (q.epsilon if q.statistic == "count" else q.epsilon / 2), q.delta


def _finite(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InputError(f"{name} must be a finite number")
    return float(value)


def _check_budget_params(q: Query) -> None:
    eps = _finite("epsilon", q.epsilon)
    if not 0 < eps <= MAX_EPSILON:
        raise InputError(f"epsilon must be > 0 and <= {MAX_EPSILON:g}")
    delta = _finite("delta", q.delta)
    if not 0 <= delta < 1:
        raise InputError("delta must be >= 0 and < 1")


def _check_bounds(q: Query, column: str) -> tuple[float, float]:
    if q.bounds is None:
        raise InputError(
            f"{q.statistic} of column {column!r} needs bounds=(lower, upper) (--bounds LO,HI): values are "
            "clamped to them, which is what limits one person's influence; pick them without looking at the data"
        )
    if not isinstance(q.bounds, tuple | list) or len(q.bounds) != 2:
        raise InputError("bounds must be a pair (lower, upper)")
    lo, hi = _finite("lower bound", q.bounds[0]), _finite("upper bound", q.bounds[1])
    if not lo < hi:
        raise InputError("bounds must have lower < upper")
    return lo, hi


def _column(frame: pd.DataFrame, name: object, parameter: str) -> str:
    if not isinstance(name, str) or name not in frame.columns:
        shown = ", ".join(map(str, list(frame.columns)[:20]))
        raise InputError(f"{parameter}: unknown column {name!r}; the table has: {shown}")
    return name


def _numeric(values: pd.Series, column: str, q: Query, lo: float, hi: float) -> tuple[Numeric, pd.Series]:
    if pd.api.types.is_bool_dtype(values):
        values = values.astype("int64")
    if not pd.api.types.is_numeric_dtype(values):
        raise InputError(f"{q.statistic} needs a numeric column; column {column!r} has dtype {values.dtype}")
    if pd.api.types.is_integer_dtype(values) and lo.is_integer() and hi.is_integer():
        return "int", values.astype("int64")
    return "float", values.astype("float64")


def prepare(frame: pd.DataFrame, query: Query) -> Prepared:
    """Validate ``query`` against ``frame`` and build its measurements; nothing is released yet.

    Raises:
        InputError: naming the parameter or column at fault (unknown column, missing bounds, bad epsilon,
            empty table, non-numeric column, ...).
    """
    from coatcheck.analytics import _opendp as odp  # lazily: OpenDP takes ~2 s to load

    q = query
    if not isinstance(frame, pd.DataFrame):
        raise InputError(f"expected a pandas DataFrame, not {type(frame).__name__}")
    if q.statistic not in STATISTICS:
        raise InputError(f"statistic must be one of {', '.join(STATISTICS)}")
    _check_budget_params(q)
    if len(frame) == 0:
        raise InputError("the table is empty (0 rows)")
    column = None if q.column is None and q.statistic == "count" else _column(frame, q.column, "column")
    text_histogram = q.statistic == "histogram" and q.categories is None and not _is_number(frame[column])
    if q.delta > 0 and not (text_histogram or (q.by is not None and q.keys is None)):
        raise InputError("delta is only spent by DP partition selection (grouping without keys); leave it 0 here")
    by = None if q.by is None else _column(frame, q.by, "by")
    rows = frame if column is None else frame[frame[column].notna()]
    groups = None
    if by is not None:
        rows = rows[rows[by].notna()]
        groups = rows[by].astype(str)
        _check_keys(q)
        if q.statistic == "histogram" and q.keys is None:
            raise InputError("a grouped histogram needs declared keys (keys=... / --keys)")
    values = rows[column] if column is not None else pd.Series(["row"] * len(rows), index=rows.index, dtype=object)
    mechanism, scale, release = _build(q, column or "(rows)", values)
    if groups is not None and q.keys is None:
        selection = odp.threshold_measurement(*_selection_budget(q))
        if q.statistic == "count":
            mechanism, scale = selection.mechanism, selection.scale
    return Prepared(q, mechanism, scale, values, groups, release)


def _check_keys(q: Query) -> None:
    if q.keys is not None:
        if not q.keys or not all(isinstance(k, str) for k in q.keys):
            raise InputError("keys must be a non-empty list of group names (text)")
        if len(set(q.keys)) != len(q.keys):
            raise InputError("keys must not repeat")
    elif q.delta <= 0:
        raise InputError(
            f"grouping by {q.by!r} needs declared public keys (keys=... / --keys) or delta > 0 for DP partition "
            "selection (group names seen in the data are themselves private)"
        )


def _build(q: Query, column: str, values: pd.Series) -> tuple[str, float, Release]:
    from coatcheck.analytics import _opendp as odp  # lazily: OpenDP takes ~2 s to load

    eps = q.epsilon if q.by is None or q.keys is not None or q.statistic == "count" else q.epsilon / 2
    if q.statistic == "count":
        count = odp.count_measurement(eps, "int")  # only the length matters; integers cross into OpenDP fastest
        return count.mechanism, count.scale, lambda v: [("count", float(count.measurement([0] * len(v))))]
    if q.statistic == "histogram":
        return _histogram(q, column, values, eps)
    lo, hi = _check_bounds(q, column)
    kind, values = _numeric(values, column, q, lo, hi)
    if q.statistic == "sum":
        total = odp.sum_measurement(eps, kind, (lo, hi))
        return total.mechanism, total.scale, lambda v: [("sum", float(total.measurement(_list(v, kind))))]
    if q.statistic == "mean":
        mean = odp.mean_measurement(eps, kind, (lo, hi))

        def release_mean(v: pd.Series) -> list[tuple[str, float]]:
            total, count = mean.measurement(_list(v, kind))
            return [("mean", min(max(float(total) / max(int(count), 1), lo), hi))]  # post-processing only

        return mean.mechanism, mean.scale, release_mean
    return _quantile(q, kind, lo, hi, eps)


def _list(values: pd.Series, kind: Numeric) -> list[Any]:
    return [int(v) for v in values] if kind == "int" else [float(v) for v in values]


def _quantile(q: Query, kind: Numeric, lo: float, hi: float, eps: float) -> tuple[str, float, Release]:
    from coatcheck.analytics import _opendp as odp  # lazily: OpenDP takes ~2 s to load

    alphas = tuple(q.quantiles)
    if not alphas or not all(isinstance(a, float | int) and 0 < a < 1 for a in alphas):
        raise InputError("quantiles must be levels strictly between 0 and 1, such as 0.5")
    if isinstance(q.candidates, bool) or not isinstance(q.candidates, int) or not 2 <= q.candidates <= 100_000:
        raise InputError("candidates must be an integer from 2 to 100000")
    grid = [lo + (hi - lo) * i / (q.candidates - 1) for i in range(q.candidates)]
    candidates = tuple(sorted({round(c) for c in grid})) if kind == "int" else tuple(grid)
    quantile = odp.quantile_measurement(eps, kind, tuple(float(a) for a in alphas), candidates)

    def release(v: pd.Series) -> list[tuple[str, float]]:
        found = quantile.measurement(_list(v, kind))
        return [(f"q{a:g}", float(x)) for a, x in zip(alphas, found, strict=True)]

    return quantile.mechanism, quantile.scale, release


def _histogram(q: Query, column: str, values: pd.Series, eps: float) -> tuple[str, float, Release]:
    from coatcheck.analytics import _opendp as odp  # lazily: OpenDP takes ~2 s to load

    if _is_number(values) and q.categories is None:
        lo, hi = _check_bounds(q, column)
        if isinstance(q.bins, bool) or not isinstance(q.bins, int) or not 1 <= q.bins <= 10_000:
            raise InputError("bins must be an integer from 1 to 10000")
        kind, values = _numeric(values, column, q, lo, hi)
        step = (hi - lo) / q.bins
        edges = tuple(lo + step * i for i in range(1, q.bins))
        if kind == "int" and (step < 1 or any(not e.is_integer() for e in edges)):
            kind, values = "float", values.astype("float64")
        hist = odp.histogram_measurement(eps, kind, edges=edges, bounds=(lo, hi))
        labels = [f"[{a:g}, {b:g})" for a, b in zip((lo, *edges), (*edges, hi), strict=True)]
        labels[-1] = labels[-1][:-1] + "]"
        return (
            hist.mechanism,
            hist.scale,
            lambda v: list(zip(labels, map(float, hist.measurement(_list(v, kind))), strict=True)),
        )
    if q.categories is None:
        if q.delta > 0 and q.by is None:  # partition selection: only values frequent enough to be safe appear
            found = odp.threshold_measurement(q.epsilon, q.delta)
            return (
                found.mechanism,
                found.scale,
                lambda v: [(str(k), float(n)) for k, n in sorted(found.measurement(_text(v)).items())],
            )
        raise InputError(
            f"a histogram of text column {column!r} needs declared categories (categories=... / --categories) "
            "or delta > 0 for DP partition selection; for numbers give bounds and bins"
        )
    if not q.categories or len(set(q.categories)) != len(q.categories):
        raise InputError("categories must be a non-empty list without repeats")
    cats = tuple(str(c) for c in q.categories)
    hist = odp.histogram_measurement(eps, "str", categories=cats)
    labels = [*cats, "(other)"]
    return hist.mechanism, hist.scale, lambda v: list(zip(labels, map(float, hist.measurement(_text(v))), strict=True))


def _is_number(values: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)


def _text(values: pd.Series) -> list[str]:
    return [str(v) for v in values]
