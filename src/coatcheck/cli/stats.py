"""`coatcheck stats`: differentially private statistics over a CSV/TSV/JSONL/Parquet file, within a budget."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast

import typer

from coatcheck.cli.keys import DEFAULT_DB, DEFAULT_KEYRING, open_keyring
from coatcheck.errors import BudgetExhausted, CoatcheckError, InputError

if TYPE_CHECKING:
    from coatcheck.analytics import BudgetStatus, DPResult
    from coatcheck.analytics._query import Statistic
    from coatcheck.audit import AuditLog

__all__ = ["DEFAULT_LEDGER", "register"]

DEFAULT_LEDGER = "sqlite:///.coatcheck/vault.db"
EXIT_REFUSED = 3
STATISTICS = ("count", "sum", "mean", "quantile", "histogram")  # analytics.Statistic, without importing pandas
LedgerOpt = Annotated[
    str,
    typer.Option("--ledger", help="The vault database that keeps the budgets: sqlite:///path.db or postgresql://..."),
]
TenantOpt = Annotated[str, typer.Option("--tenant", help="Whose budget is charged.")]


def _numbers(text: str | None, option: str, count: int | None = None) -> tuple[float, ...] | None:
    if text is None:
        return None
    try:
        values = tuple(float(part) for part in text.split(","))
    except ValueError:
        raise InputError(f"{option} must be comma-separated numbers") from None
    if count is not None and len(values) != count:
        raise InputError(f"{option} must be {count} comma-separated numbers")
    return values


def _names(text: str | None) -> tuple[str, ...] | None:
    return None if text is None else tuple(part.strip() for part in text.split(",") if part.strip())


def _budget(text: str | None) -> tuple[float, float] | None:
    if text is None:
        return None
    values = _numbers(text, "--budget")
    if values is None or len(values) not in (1, 2):
        raise InputError("--budget must be EPSILON or EPSILON,DELTA")
    return values[0], values[1] if len(values) == 2 else 0.0


def _audit(no_audit: bool, keyring: Path, master: str, db: Path, dsn: str | None, table: str) -> AuditLog | None:
    if no_audit:
        return None
    from coatcheck.cli.keys import open_audit
    from coatcheck.errors import KeyManagementError

    try:
        ring = open_keyring(keyring, master)
    except KeyManagementError as exc:
        raise KeyManagementError(f"{exc}: the audit log needs it (run `coatcheck keys init`, or --no-audit)") from None
    return open_audit(ring, db, dsn, table)


def _show(result: DPResult, status: BudgetStatus) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table("group", "estimate", "value") if result.by else Table("estimate", "value")
    for e in result.estimates:
        value = f"{e.value:.0f}" if result.statistic in ("count", "histogram") else f"{e.value:.6g}"
        table.add_row(*((e.group or "",) if result.by else ()), e.key, value)
    console = Console(width=160)
    console.print(table)
    typer.echo(
        f"{result.mechanism}, noise scale {result.scale:.6g}; spent epsilon {result.epsilon:g}"
        + (f", delta {result.delta:g}" if result.delta else "")
    )
    typer.echo(f"budget of {status.dataset!r} for tenant {status.tenant!r}: {status}")


def stats_command(
    file: Annotated[Path, typer.Argument(help="CSV, TSV, JSON lines or Parquet table (one row per person).")],
    query: Annotated[str, typer.Option("--query", "-q", help="count | sum | mean | quantile | histogram")],
    epsilon: Annotated[float, typer.Option("--epsilon", "-e", help="Privacy loss of this query (> 0).")],
    column: Annotated[str | None, typer.Option("--column", "-c", help="Column (count: rows if omitted).")] = None,
    by: Annotated[str | None, typer.Option("--by", help="Group by this column.")] = None,
    keys: Annotated[
        str | None, typer.Option("--keys", help="Declared public group keys, comma-separated (else needs --delta).")
    ] = None,
    delta: Annotated[float, typer.Option("--delta", help="For DP partition selection of unknown groups.")] = 0.0,
    bounds: Annotated[
        str | None, typer.Option("--bounds", help="LO,HI clamping bounds (sum, mean, quantile, numeric histogram).")
    ] = None,
    quantiles: Annotated[str, typer.Option("--quantiles", help="Quantile levels, such as 0.25,0.5,0.75.")] = "0.5",
    bins: Annotated[int, typer.Option("--bins", help="Bins of a numeric histogram.")] = 10,
    categories: Annotated[
        str | None, typer.Option("--categories", help="Declared categories of a text histogram.")
    ] = None,
    budget: Annotated[
        str | None, typer.Option("--budget", help="EPSILON[,DELTA] budget of the dataset, set on first use.")
    ] = None,
    ledger: LedgerOpt = DEFAULT_LEDGER,
    tenant: TenantOpt = "default",
    dataset: Annotated[str | None, typer.Option("--dataset", help="Budget name (default: the file name).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    no_audit: Annotated[bool, typer.Option("--no-audit", help="Do not write audit events.")] = False,
    keyring: Annotated[Path, typer.Option("--keyring", help="Keyring of the audit chain.")] = DEFAULT_KEYRING,
    master: Annotated[str, typer.Option("--master", help="Master key, as for `coatcheck keys`.")] = "local",
    audit_db: Annotated[Path, typer.Option("--audit-db", help="SQLite audit database.")] = DEFAULT_DB,
    audit_dsn: Annotated[str | None, typer.Option("--audit-dsn", help="PostgreSQL audit database.")] = None,
    audit_table: Annotated[str, typer.Option("--audit-table", help="PostgreSQL audit table.")] = "coatcheck_audit",
) -> None:
    """Answer one differentially private query and charge its epsilon to the dataset's budget.

    Exit 3 when the budget cannot cover the query (nothing is spent), 2 for any other error. OpenDP draws noise
    from a cryptographically secure generator, so answers are not reproducible (there is no seed, on purpose).
    """
    from coatcheck.analytics import PrivateDataset, Query, open_ledger, read_table

    try:
        if query not in STATISTICS:
            raise InputError(f"--query must be one of {' | '.join(STATISTICS)}")
        pair = _numbers(bounds, "--bounds", 2)
        spec = Query(
            cast("Statistic", query),
            column,
            epsilon,
            delta,
            None if pair is None else (pair[0], pair[1]),
            by,
            _names(keys),
            _numbers(quantiles, "--quantiles") or (0.5,),
            bins=bins,
            categories=_names(categories),
        )
        frame = read_table(file)
        audit = _audit(no_audit, keyring, master, audit_db, audit_dsn, audit_table)
        try:
            with open_ledger(ledger) as book:
                data = PrivateDataset(
                    frame,
                    ledger=book,
                    tenant=tenant,
                    dataset=dataset or file.name,
                    budget=_budget(budget),
                    audit=audit,
                    actor=_actor(),
                )
                result = data.query(spec)
                status = data.status
        finally:
            if audit is not None:
                audit.close()
    except BudgetExhausted as exc:
        typer.echo(f"refused: {exc}", err=True)
        raise typer.Exit(EXIT_REFUSED) from None
    except CoatcheckError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    if as_json:
        typer.echo(json.dumps({**result.as_dict(), "budget": status.as_dict()}, indent=2))
    else:
        _show(result, status)


def _actor() -> str:
    name = os.environ.get("USER") or ""
    return name if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._:@/+-]{0,127}", name) else "cli"


def register(app: typer.Typer) -> None:
    app.command("stats")(stats_command)
