"""``PrivateDataset``: a table behind a privacy budget. Each query is checked, charged, audited, then answered.

The order matters: a query that fails validation spends nothing; the budget is charged (committed) before any
noise is drawn, so a crash can lose budget but never release an uncharged answer; the audit event is written
before the answer is returned, so an answer never leaves unaudited.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

import pandas as pd

from coatcheck.analytics._ledger import BudgetLedger, BudgetStatus
from coatcheck.analytics._query import DPResult, Query, Statistic, prepare
from coatcheck.errors import BudgetExhausted, InputError

if TYPE_CHECKING:
    from coatcheck.audit import AuditLog

__all__ = ["PrivateDataset", "dp_count", "dp_histogram", "dp_mean", "dp_quantile", "dp_sum"]

_AUDIT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@/+-]{0,127}")  # what an audit event accepts as a tenant


class PrivateDataset:
    """A DataFrame whose differentially private queries are charged to a budget in a ledger and audited.

    Args:
        data: the table (one row per person: the privacy unit is a row).
        ledger: where the budget lives (``open_ledger("sqlite:///vault.db")``).
        tenant, dataset: whose budget; the dataset name is what budgets are kept per, so give the same data the
            same name every time.
        budget: epsilon, or (epsilon, delta), set on first use; the same value later is fine, another is refused
            (``ledger.set_budget(..., replace=True)`` is the deliberate way to change it).
        audit: records one ``dp_query`` event per query, with the epsilon spent (or refused), never values.
        actor, purpose: who asks and why, for the audit event.

    Raises:
        InputError: no budget given and none set yet, or a tenant the audit log cannot record.
    """

    def __init__(
        self,
        data: pd.DataFrame,
        *,
        ledger: BudgetLedger,
        tenant: str,
        dataset: str,
        budget: float | tuple[float, float] | None = None,
        audit: AuditLog | None = None,
        actor: str = "system",
        purpose: str | None = None,
    ) -> None:
        if not isinstance(data, pd.DataFrame):
            raise InputError(f"expected a pandas DataFrame, not {type(data).__name__}")
        if audit is not None and not (isinstance(tenant, str) and _AUDIT_ID.fullmatch(tenant)):
            raise InputError("tenant must be an identifier (letters, digits, ._:@/+-) to be audited")
        self._data, self._ledger, self._audit = data, ledger, audit
        self.tenant, self.dataset, self._actor, self._purpose = tenant, dataset, actor, purpose
        if budget is not None:
            epsilon, delta = budget if isinstance(budget, tuple) else (budget, 0.0)
            ledger.set_budget(tenant, dataset, epsilon, delta)
        elif ledger.status(tenant, dataset) is None:
            raise InputError(f"no privacy budget is set for dataset {dataset!r} of tenant {tenant!r}; pass budget=")

    def __repr__(self) -> str:
        return f"PrivateDataset(tenant={self.tenant!r}, dataset={self.dataset!r}, rows={len(self._data)})"

    @property
    def status(self) -> BudgetStatus:
        """Budget, spent and remaining."""
        found = self._ledger.status(self.tenant, self.dataset)
        if found is None:  # the row was deleted behind our back
            raise InputError(f"the budget of dataset {self.dataset!r} is gone from the ledger")
        return found

    def query(self, query: Query) -> DPResult:
        """Answer ``query``: validate, charge the ledger, audit, release.

        Raises:
            InputError: the query is invalid (nothing spent).
            BudgetExhausted: not enough budget left (nothing spent; the refusal is audited).
            AuditError: the audit event could not be written (the budget is spent, no answer is released).
        """
        prepared = prepare(self._data, query)
        query_id = uuid.uuid4().hex
        try:
            self._ledger.spend(
                self.tenant, self.dataset, query.epsilon, query.delta, statistic=query.statistic, query_id=query_id
            )
        except BudgetExhausted:
            self._record(query, query_id, refused=True)
            raise
        self._record(query, query_id, refused=False)
        return prepared.release(query_id)

    def _record(self, query: Query, query_id: str, *, refused: bool) -> None:
        if self._audit is None:
            return
        request_id = f"dp.{query.statistic}:{query_id}:eps:{query.epsilon!r}"
        if query.delta:
            request_id += f":delta:{query.delta!r}"
        self._audit.record(
            action="dp_query",
            tenant=self.tenant,
            actor=self._actor,
            request_id=request_id,
            pii_detected=False,
            decision="block" if refused else "allow",
            reason="budget_exhausted" if refused else None,
            purpose=self._purpose,
        )

    def count(
        self,
        column: str | None = None,
        *,
        epsilon: float,
        by: str | None = None,
        keys: Sequence[str] | None = None,
        delta: float = 0.0,
    ) -> DPResult:
        """Noisy number of rows (or of non-missing values of ``column``)."""
        return self.query(_query("count", column, epsilon, delta, None, by, keys))

    def sum(
        self,
        column: str,
        *,
        epsilon: float,
        bounds: tuple[float, float] | None = None,
        by: str | None = None,
        keys: Sequence[str] | None = None,
        delta: float = 0.0,
    ) -> DPResult:
        """Noisy sum of ``column`` with each value clamped to ``bounds`` (required: they bound the sensitivity)."""
        return self.query(_query("sum", column, epsilon, delta, bounds, by, keys))

    def mean(
        self,
        column: str,
        *,
        epsilon: float,
        bounds: tuple[float, float] | None = None,
        by: str | None = None,
        keys: Sequence[str] | None = None,
        delta: float = 0.0,
    ) -> DPResult:
        """Noisy mean (noisy sum / noisy count, half the epsilon each), within ``bounds`` (required)."""
        return self.query(_query("mean", column, epsilon, delta, bounds, by, keys))

    def quantile(
        self,
        column: str,
        *,
        epsilon: float,
        bounds: tuple[float, float] | None = None,
        quantiles: Sequence[float] = (0.5,),
        candidates: int = 1001,
        by: str | None = None,
        keys: Sequence[str] | None = None,
        delta: float = 0.0,
    ) -> DPResult:
        """Quantiles chosen among ``candidates`` evenly spaced values over ``bounds`` (required)."""
        q = _query("quantile", column, epsilon, delta, bounds, by, keys)
        return self.query(replace(q, quantiles=tuple(quantiles), candidates=candidates))

    def histogram(
        self,
        column: str,
        *,
        epsilon: float,
        bounds: tuple[float, float] | None = None,
        bins: int = 10,
        categories: Sequence[str] | None = None,
        by: str | None = None,
        keys: Sequence[str] | None = None,
        delta: float = 0.0,
    ) -> DPResult:
        """Noisy counts per bin of ``bounds`` (numbers) or per declared category (text, plus ``(other)``)."""
        q = _query("histogram", column, epsilon, delta, bounds, by, keys)
        return self.query(replace(q, bins=bins, categories=None if categories is None else tuple(categories)))


def _query(
    statistic: Statistic,
    column: str | None,
    epsilon: float,
    delta: float,
    bounds: tuple[float, float] | None,
    by: str | None,
    keys: Sequence[str] | None,
) -> Query:
    if isinstance(keys, str):
        raise InputError("keys must be a list of group names, not one string")
    if bounds is not None and not (isinstance(bounds, tuple | list) and len(bounds) == 2):
        raise InputError("bounds must be a pair (lower, upper)")
    pair = None if bounds is None else (bounds[0], bounds[1])
    return Query(statistic, column, epsilon, delta, pair, by, None if keys is None else tuple(keys))


def _release(data: pd.DataFrame, query: Query) -> DPResult:
    return prepare(data, query).release()


def dp_count(
    data: pd.DataFrame,
    column: str | None = None,
    *,
    epsilon: float,
    by: str | None = None,
    keys: Sequence[str] | None = None,
    delta: float = 0.0,
) -> DPResult:
    """One DP count with no ledger: the caller accounts for the epsilon (prefer ``PrivateDataset``)."""
    return _release(data, _query("count", column, epsilon, delta, None, by, keys))


def dp_sum(
    data: pd.DataFrame,
    column: str,
    *,
    epsilon: float,
    bounds: tuple[float, float] | None = None,
    by: str | None = None,
    keys: Sequence[str] | None = None,
    delta: float = 0.0,
) -> DPResult:
    """One DP sum with no ledger (see ``PrivateDataset.sum``)."""
    return _release(data, _query("sum", column, epsilon, delta, bounds, by, keys))


def dp_mean(
    data: pd.DataFrame,
    column: str,
    *,
    epsilon: float,
    bounds: tuple[float, float] | None = None,
    by: str | None = None,
    keys: Sequence[str] | None = None,
    delta: float = 0.0,
) -> DPResult:
    """One DP mean with no ledger (see ``PrivateDataset.mean``)."""
    return _release(data, _query("mean", column, epsilon, delta, bounds, by, keys))


def dp_quantile(
    data: pd.DataFrame,
    column: str,
    *,
    epsilon: float,
    bounds: tuple[float, float] | None = None,
    quantiles: Sequence[float] = (0.5,),
    candidates: int = 1001,
    by: str | None = None,
    keys: Sequence[str] | None = None,
    delta: float = 0.0,
) -> DPResult:
    """DP quantiles with no ledger (see ``PrivateDataset.quantile``)."""
    q = _query("quantile", column, epsilon, delta, bounds, by, keys)
    return _release(data, replace(q, quantiles=tuple(quantiles), candidates=candidates))


def dp_histogram(
    data: pd.DataFrame,
    column: str,
    *,
    epsilon: float,
    bounds: tuple[float, float] | None = None,
    bins: int = 10,
    categories: Sequence[str] | None = None,
    by: str | None = None,
    keys: Sequence[str] | None = None,
    delta: float = 0.0,
) -> DPResult:
    """A DP histogram with no ledger (see ``PrivateDataset.histogram``)."""
    q = _query("histogram", column, epsilon, delta, bounds, by, keys)
    return _release(data, replace(q, bins=bins, categories=None if categories is None else tuple(categories)))
