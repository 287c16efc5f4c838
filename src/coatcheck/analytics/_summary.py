"""JSON-friendly summaries for the web console: budgets per dataset and tenant, the latest risk reports."""

from __future__ import annotations

from typing import Any

from coatcheck.analytics._ledger import BudgetLedger

__all__ = ["analytics_summary"]


def analytics_summary(ledger: BudgetLedger, tenant: str | None = None) -> dict[str, Any]:
    """What the console shows about analytics, as plain JSON types; never data values.

    Returns:
        ``{"budgets": [...], "risk_reports": [...], "last_risk_report": {...} | None}``: each budget is a
        ``BudgetStatus.as_dict()`` (tenant, dataset, epsilon, delta, spent, remaining, queries, updated), each
        risk report the summary ``coatcheck risk`` saved (k, smallest class, records at risk, l-diversity...),
        newest first.
    """
    reports = ledger.risk_reports(tenant)
    return {
        "budgets": [status.as_dict() for status in ledger.statuses(tenant)],
        "risk_reports": reports,
        "last_risk_report": reports[0] if reports else None,
    }
