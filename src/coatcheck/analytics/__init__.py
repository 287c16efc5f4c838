"""Analytics without identities: differentially private statistics and re-identification risk.

Differential privacy (OpenDP): ``PrivateDataset`` answers counts, sums, means, quantiles and histograms, grouped
or not, each charged to a per-tenant, per-dataset epsilon budget kept in the vault's database
(``open_ledger``) and audited; ``dp_count`` & co. answer one query without a ledger. The privacy unit is one row.

Re-identification risk: ``risk_report`` measures k-anonymity and l-diversity for chosen quasi-identifiers and
suggests generalizations (ZIP3, year of birth, age bands) with the k each reaches; ``anonymize_to_k`` applies
them step by step until a target k holds and reports the information lost.
"""

from __future__ import annotations

from coatcheck.analytics._anonymize import Anonymized, ColumnLoss, anonymize_to_k
from coatcheck.analytics._dataset import PrivateDataset, dp_count, dp_histogram, dp_mean, dp_quantile, dp_sum
from coatcheck.analytics._ledger import BudgetLedger, BudgetStatus, PostgresLedger, SQLiteLedger, open_ledger
from coatcheck.analytics._query import DPResult, Estimate, Query, prepare
from coatcheck.analytics._risk import RiskReport, Suggestion, risk_report
from coatcheck.analytics._summary import analytics_summary
from coatcheck.analytics._tables import read_table, write_table

__all__ = [
    "Anonymized",
    "BudgetLedger",
    "BudgetStatus",
    "ColumnLoss",
    "DPResult",
    "Estimate",
    "PostgresLedger",
    "PrivateDataset",
    "Query",
    "RiskReport",
    "SQLiteLedger",
    "Suggestion",
    "analytics_summary",
    "anonymize_to_k",
    "dp_count",
    "dp_histogram",
    "dp_mean",
    "dp_quantile",
    "dp_sum",
    "open_ledger",
    "prepare",
    "read_table",
    "risk_report",
    "write_table",
]
